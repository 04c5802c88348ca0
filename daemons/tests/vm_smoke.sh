#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 2 --host-script": the daemons on
# a two-node cluster, without a failure: mlog-run submits a job, both
# ranks' output arrives once and in order, the exit status is the first
# non-zero one, refusals are one clear line, and nothing stays registered.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
B=$MLOG_REPO/build/user
STATE=$MLOG_SHARED/state
mkdir -p "$STATE"

ksft_plan 13
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }
for i in 1 2; do
	vm-ctl exec $i "$B/mlogctl/mlogctl" node set --addr 192.0.2.1$i --id $i
	vm-ctl exec-bg $i sh -c "$B/logd/mlog-logd --state-dir $STATE >/tmp/logd.log 2>&1" >/dev/null
done
vm-ctl exec-bg 1 sh -c "echo \$\$ >/tmp/recoverd.pid; \
	exec $B/recoverd/mlog-recoverd --state-dir $STATE >/tmp/recoverd.log 2>&1" >/dev/null
sleep 1
for i in 1 2; do
	vm-ctl exec-bg $i sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE >/tmp/ckptd.log 2>&1" >/dev/null
done
sleep 3

out=$MLOG_SHARED/run.out
err=$MLOG_SHARED/run.err
vm-ctl exec 1 sh -c "cd /tmp && $B/run/mlog-run --state-dir $STATE -n 2 --label -- \
	sh -c 'for i in 1 2 3; do echo rank \$MLOG_RANK of \$MLOG_SIZE line \$i; done; \
	echo oops \$MLOG_HOST_BASE >&2; exit \$MLOG_RANK' >$out.g 2>$err.g; echo status \$?" \
	| sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/status"
sed 's/^/# out: /' "$out.g" 2>/dev/null
sed 's/^/# err: /' "$err.g" 2>/dev/null
cat "$MLOG_CLUSTER/status" | sed 's/^/# /'
check "job exit status is rank 1's" grep -qx "status 1" "$MLOG_CLUSTER/status"
check "every line of rank 0 once" test "$(grep -c '^\[0\] rank 0 of 2 line' "$out.g")" -eq 3
check "every line of rank 1 once" test "$(grep -c '^\[1\] rank 1 of 2 line' "$out.g")" -eq 3
check "stderr relayed" test "$(grep -c 'oops' "$err.g")" -eq 2

vm-ctl exec 1 sh -c "$B/run/mlog-run --state-dir $STATE -n 1 -- no-such-program-x \
	>/dev/null 2>$err.m; echo status \$?" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/st2"
sed 's/^/# /' "$err.m" "$MLOG_CLUSTER/st2"
check "missing program: one clear line" grep -q "program not found: no-such-program-x" "$err.m"
vm-ctl exec 1 sh -c "$B/run/mlog-run --state-dir $STATE -n 1 --nodes 7 -- true \
	>/dev/null 2>$err.n; echo status \$?" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/st3"
sed 's/^/# /' "$err.n" "$MLOG_CLUSTER/st3"
check "unknown node id: one clear line" grep -q "unknown node id 7" "$err.n"
# Ctrl-C stops every rank on every node and leaves nothing registered.
h=$(vm-ctl exec-bg 1 sh -c "$B/run/mlog-run --state-dir $STATE -n 2 -- sleep 60 \
	>/dev/null 2>$err.c & echo \$! >/tmp/run.pid; wait \$!; echo status \$?")
sleep 4
check "ranks running on node 2" test -n "$(on 2 "$B/mlogctl/mlogctl" --json hosts | jq '.[]')"
vm-ctl exec 1 sh -c 'kill -INT $(cat /tmp/run.pid)'
vm-ctl wait --timeout 30 "$h" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/st4"
sed 's/^/# /' "$err.c" "$MLOG_CLUSTER/st4"
check "Ctrl-C: status 130" grep -qx "status 130" "$MLOG_CLUSTER/st4"
sleep 1
check "nothing registered on node 1" test -z "$(on 1 "$B/mlogctl/mlogctl" --json hosts | jq '.[]')"
check "nothing registered on node 2" test -z "$(on 2 "$B/mlogctl/mlogctl" --json hosts | jq '.[]')"

# A restarted mlog-recoverd rebuilds its state; the ckptds join it again.
vm-ctl exec 1 sh -c 'kill $(cat /tmp/recoverd.pid)'
sleep 1
vm-ctl exec-bg 1 sh -c "exec $B/recoverd/mlog-recoverd --state-dir $STATE \
	>/tmp/recoverd2.log 2>&1" >/dev/null
sleep 3
check "restarted recoverd rebuilt members and jobs" \
	grep -q "2 members, 3 jobs" <(on 1 cat /tmp/recoverd2.log)
vm-ctl exec 1 sh -c "$B/run/mlog-run --state-dir $STATE -n 2 -- sh -c 'echo \$MLOG_HOST_BASE' \
	>$out.r 2>$err.r; echo status \$?" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/st5"
sed 's/^/# /' "$out.r" "$err.r" "$MLOG_CLUSTER/st5"
check "a job after the restart runs" grep -qx "status 0" "$MLOG_CLUSTER/st5"
check "host indices are not reused" test "$(sort -u "$out.r")" = 6
for i in 1 2; do
	on $i sh -c 'cat /tmp/*.log' | sed "s/^/# node$i: /"
done
ksft_totals
