#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 4 --cluster --recoverd-node 4
# --recoverd-args '--timeout-ms 5000 --hold-restart-ms 10000'
# --host-script": failures in the middle of a recovery.  mlog-recoverd
# holds every recovery for 10 s between its plan and the restart of the
# failed hosts (--hold-restart-ms, a fault-injection option), and the test
# fails a second node in that window:
#   - another working node: the job either recovers, with the failure-free
#     result, or stops with mlog-recoverd's plain report that no consistent
#     state can be recovered; never a wrong answer;
#   - the node of mlog-recoverd itself: mlog-recoverd started again on
#     another node rebuilds the recovery from its record file on the shared
#     storage and completes it.
# gauss runs as 3 ranks under mlog-run on node 1; node 4 runs
# mlog-recoverd (and, like every node, mlog-logd and mlog-ckptd).
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
A=$MLOG_REPO/build/user/apps
S=$MLOG_SHARED/recover-faults
D=$MLOG_SHARED/daemons
GAUSS="$A/gauss --size ${GAUSS_SIZE:-200}"
mkdir -p "$S"

ksft_plan 12
. "$MLOG_REPO/selftests/mlog/cluster_lib.sh"

# holds NODE: how many restarts mlog-recoverd on NODE has held so far.
holds() {
	if [ -e "$D/mlog-recoverd-node$1.log" ]; then
		grep -c 'restart held' "$D/mlog-recoverd-node$1.log" || :
	else
		echo 0
	fi
}
# held_beyond NODE N: mlog-recoverd on NODE has held more than N restarts:
# a recovery is under way and its hosts are not started yet.
held_beyond() { [ "$(holds "$1")" -gt "$2" ]; }

wait_cluster 1,2,3,4 || echo "# the daemons did not come up"
reference gauss-ref 1,2,3 "$GAUSS"
check "gauss: failure-free run, status 0" test "$(cat "$S/gauss-ref.status")" = 0

# ---- a second node fails while the first one's rank is being recovered ----
h=$(holds 4)
job gauss-double 1,2,3 "$GAUSS"
if at_share gauss-double 1 30; then
	vm-ctl crash 2
	poll 120 held_beyond 4 "$h" && vm-ctl crash 3
fi
st=$(finish gauss-double)
sed 's/^/# gauss-double: /' "$S/gauss-double.err"
check "gauss: node 3 failed while rank 1 of node 2 was being recovered" \
	grep -q "mlog-run: node 3 failed" "$S/gauss-double.err"
if same_as_ref gauss-ref gauss-double; then
	outcome=recovered
elif [ "$st" != 0 ] &&
	grep -q "cannot recover without rolling back survivors" "$S/gauss-double.err"; then
	outcome=refused
else
	outcome="neither (status $st)"
fi
check "gauss: recovered with the failure-free result, or refused with the plain report ($outcome)" \
	test "$outcome" = recovered -o "$outcome" = refused
check "gauss: no wrong answer (status 0 only with the failure-free result)" \
	sh -c "[ '$st' != 0 ] || cmp -s '$S/gauss-ref.out' '$S/gauss-double.out'"
check "gauss: mlog-recoverd says which hosts and intervals were lost, or recovered both" \
	sh -c "[ '$outcome' = recovered ] || grep -q 'interval' '$S/gauss-double.err'"
check "gauss: nothing of the job is left registered on node 1" \
	poll 30 sh -c "[ -z \"\$(vm-ctl exec 1 mlogctl --json hosts | sed 's/^\[node1\] //' | jq '.[]')\" ]"

vm-ctl boot 2 >/dev/null
check "a replacement node 2 joins the cluster" wait_cluster 2

# ---- mlog-recoverd's node fails in the middle of a recovery ----
# Ranks 0 and 2 on node 1, rank 1 on node 2; node 3 is down since the
# case above.  Node 2 crashes; while rank 1's restart is held, node 4,
# mlog-recoverd's, crashes too; mlog-recoverd is started again on node 1.
h=$(holds 4)
h1=$(holds 1)
job gauss-recoverd 1,2,1 "$GAUSS"
if at_share gauss-recoverd 1 30; then
	vm-ctl crash 2
	poll 120 held_beyond 4 "$h" && vm-ctl crash 4 && vm-ctl daemon start 1 mlog-recoverd >/dev/null
fi
st=$(finish gauss-recoverd)
sed 's/^/# gauss-recoverd: /' "$S/gauss-recoverd.err"
sed 's/^/# recoverd (node 1): /' "$D/mlog-recoverd-node1.log" 2>/dev/null | tail -n 20
check "gauss: mlog-recoverd's node crashed during the recovery" \
	sh -c "[ \"\$(vm-ctl status 4)\" = 'node4 down' ]"
check "mlog-recoverd on node 1 took over from the record file" \
	grep -q "serving on .*, start [2-9]" "$D/mlog-recoverd-node1.log"
check "it held the resumed recovery too: the recovery was resumed, not skipped" \
	held_beyond 1 "$h1"
check "gauss: the restarted mlog-recoverd completed the recovery: result identical, status 0 ($st)" \
	same_as_ref gauss-ref gauss-recoverd
check "gauss: rank 1 is live again" grep -q "mlog-run: rank 1 is live again" "$S/gauss-recoverd.err"
ksft_totals
