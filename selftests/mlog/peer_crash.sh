#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 2 --host-script": node 1 streams
# SOCK_RDM messages to node 2, whose VM is then killed (fail-stop).  Node 1
# must suspect the peer (netlink event, peers listing) and its blocked
# sender must be woken with EHOSTUNREACH rather than hang; a replacement
# node 2 is then heard from again.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm
N1=192.0.2.11
N2=192.0.2.12

ksft_plan 7
# vm-ctl prefixes each output line with the node name.
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }
vm-ctl exec 1 "$MLOGCTL" node set --addr $N1 --id 1
vm-ctl exec 2 "$MLOGCTL" node set --addr $N2 --id 2
vm-ctl exec-bg 2 "$RDM" sink --port 6300 --senders 1 --count 10000000 --timeout 600 >/dev/null
ev=$(vm-ctl exec-bg 1 "$MLOGCTL" events --count 1 --timeout 120)
src=$(vm-ctl exec-bg 1 "$RDM" source --to $N2:6300 --count 10000000 --size 8000 \
	--exit-on-report --timeout 300)
sleep 3
on 1 "$MLOGCTL" --json stats >"$MLOG_CLUSTER/stats1.json"
check "traffic flows before the crash" test "$(jq .tx_frames "$MLOG_CLUSTER/stats1.json")" -gt 0

vm-ctl crash 2
vm-ctl wait --timeout 90 "$src" >"$MLOG_CLUSTER/src.out" 2>&1
st=$?
cat "$MLOG_CLUSTER/src.out" | sed 's/^/# /'
check "blocked sender woken with EHOSTUNREACH (exit 3), got $st" test $st -eq 3
vm-ctl wait --timeout 60 "$ev" >"$MLOG_CLUSTER/ev.out" 2>&1
check "netlink event: peer 2 suspected" grep -q "peer $N2 suspected" "$MLOG_CLUSTER/ev.out"
on 1 "$MLOGCTL" --json peers >"$MLOG_CLUSTER/peers.json"
check "peers lists node 2 as suspected" \
	test "$(jq -r ".[] | select(.address == \"$N2\") | .state" "$MLOG_CLUSTER/peers.json")" = suspected

vm-ctl boot 2
vm-ctl exec 2 "$MLOGCTL" node set --addr $N2 --id 2
ev=$(vm-ctl exec-bg 1 "$MLOGCTL" events --count 1 --timeout 120)
vm-ctl exec-bg 2 "$RDM" sink --port 6301 --senders 1 --count 50 --timeout 120 >/dev/null
vm-ctl exec 1 "$RDM" source --to $N2:6301 --count 50 --size 100 --timeout 120
check "replacement node 2 receives a new flow" test $? -eq 0
vm-ctl wait --timeout 60 "$ev" >"$MLOG_CLUSTER/ev2.out" 2>&1
check "netlink event: peer 2 alive again" grep -q "peer $N2 alive" "$MLOG_CLUSTER/ev2.out"
on 1 "$MLOGCTL" --json peers >"$MLOG_CLUSTER/peers2.json"
check "peers lists node 2 as alive" \
	test "$(jq -r ".[] | select(.address == \"$N2\") | .state" "$MLOG_CLUSTER/peers2.json")" = alive
ksft_totals
