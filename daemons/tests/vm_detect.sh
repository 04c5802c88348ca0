#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 3 --host-script": failure
# detection.  Two ranks of "sleep" on nodes 1 and 2, node 3 a spare; node 2
# crashes.  mlog-recoverd must declare it failed within its timeout and
# tell mlog-run, which must end (the job recovered, or stopped with a
# reason when the module cannot recover) instead of hanging.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
B=$MLOG_REPO/build/user
STATE=$MLOG_SHARED/state
mkdir -p "$STATE"

ksft_plan 4
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }
for i in 1 2 3; do
	vm-ctl exec $i "$B/mlogctl/mlogctl" node set --addr 192.0.2.1$i --id $i
	vm-ctl exec-bg $i sh -c "$B/logd/mlog-logd --state-dir $STATE >/tmp/logd.log 2>&1" >/dev/null
done
vm-ctl exec-bg 1 sh -c "$B/recoverd/mlog-recoverd --state-dir $STATE >/tmp/recoverd.log 2>&1" \
	>/dev/null
sleep 1
for i in 1 2; do
	vm-ctl exec-bg $i sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE >/tmp/ckptd.log 2>&1" >/dev/null
done
vm-ctl exec-bg 3 sh -c "$B/ckptd/mlog-ckptd --state-dir $STATE --spare >/tmp/ckptd.log 2>&1" \
	>/dev/null
sleep 3

err=$MLOG_SHARED/detect.err
job=$(vm-ctl exec-bg 1 sh -c "$B/run/mlog-run --state-dir $STATE -n 2 -- sleep 20 \
	>/dev/null 2>$err; echo status \$?")
sleep 3
check "rank 1 runs on node 2" test -n "$(on 2 "$B/mlogctl/mlogctl" --json hosts | jq '.[]')"
crashed=$(date +%s)
vm-ctl crash 2
vm-ctl wait --timeout 120 "$job" | sed 's/^\[node[0-9]*\] //' >"$MLOG_CLUSTER/status"
st=$?
sed 's/^/# err: /' "$err"
sed 's/^/# /' "$MLOG_CLUSTER/status"
check "mlog-run ended" test $st -eq 0
check "the failure was narrated" grep -q "node 2 failed" "$err"
detected=$(on 1 sh -c 'grep -m1 "declared failed" /tmp/recoverd.log' | wc -l)
check "recoverd declared node 2 failed" test "$detected" -eq 1
echo "# crash to end of job: $(($(date +%s) - crashed)) s"
for i in 1 3; do
	on $i sh -c 'cat /tmp/*.log' | grep -v 'route of host' | sed "s/^/# node$i: /"
done
ksft_totals
