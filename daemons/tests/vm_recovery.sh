#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 3 --host-script": a token ring
# of two ranks on nodes 1 and 2, node 3 a spare.  Node 2 crashes in the
# middle; its rank must come back on node 3, replay, and the job must end
# with every line printed exactly once, in order, and status 0.
# Needs the kernel side of recovery (ROUTE_SET, REPLAY_PUSH ...).
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
B=$MLOG_REPO/build/user
STATE=$MLOG_SHARED/state
ROUNDS=${ROUNDS:-400}
mkdir -p "$STATE"

ksft_plan 7
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }
for i in 1 2 3; do
	vm-ctl exec $i "$B/mlogctl/mlogctl" node set --addr 192.0.2.1$i --id $i
	vm-ctl exec-bg $i sh -c "$B/logd/mlog-logd --state-dir $STATE >/tmp/logd.log 2>&1" >/dev/null
done
vm-ctl exec-bg 1 sh -c "$B/recoverd/mlog-recoverd --state-dir $STATE --timeout-ms 5000 >/tmp/recoverd.log 2>&1" \
	>/dev/null
sleep 1
vm-ctl exec-bg 1 sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE >/tmp/ckptd.log 2>&1" >/dev/null
vm-ctl exec-bg 2 sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE >/tmp/ckptd.log 2>&1" >/dev/null
vm-ctl exec-bg 3 sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE --spare >/tmp/ckptd.log 2>&1" \
	>/dev/null
sleep 3

out=$MLOG_SHARED/ring.out
err=$MLOG_SHARED/ring.err
job=$(vm-ctl exec-bg 1 sh -c "cd $STATE && $B/run/mlog-run --state-dir $STATE -n 2 -- \
	$B/mlog-ring --rounds $ROUNDS --delay-ms 10 >$out 2>$err; echo status \$?")
sleep 4
check "ring running before the crash" test -s "$out"
vm-ctl crash 2
vm-ctl wait --timeout 300 "$job" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/status"
sed 's/^/# err: /' "$err"
sed 's/^/# /' "$MLOG_CLUSTER/status"
check "job ends with status 0" grep -qx "status 0" "$MLOG_CLUSTER/status"
for r in 0 1; do
	seq 0 $((ROUNDS - 1)) | sed "s/.*/rank $r round & token/" >"$MLOG_CLUSTER/want$r"
	grep "^rank $r round" "$out" | sed 's/ token.*/ token/' >"$MLOG_CLUSTER/got$r"
	check "rank $r: every round once, in order" cmp -s "$MLOG_CLUSTER/want$r" "$MLOG_CLUSTER/got$r"
done
check "the failure was narrated" grep -q "node 2 failed" "$err"
check "rank 1 came back on the spare" grep -q "rank 1 (host [0-9]*) restarting on node 3" "$err"
for i in 1 3; do
	on $i sh -c 'cat /tmp/*.log' | sed "s/^/# node$i: /"
done
ksft_totals
