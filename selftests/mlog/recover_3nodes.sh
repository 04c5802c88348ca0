#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 3 --host-script": the kernel's
# side of recovery, driven by hand, step by step, as mlog-recoverd and
# mlog-ckptd drive it (Documentation/recovery.rst).  Protected host 1 on
# node 1 sends requests to protected host 2 on node 2 at its host-form
# address h2:5000; node 2 is killed mid-run; host 2 comes back on node 3
# as incarnation 2: node 1's route fences incarnation 1 off and holds its
# data, host 2 replays the requests node 1's log holds, the route turns
# live and node 1's flow resends what the replay did not deliver.  Both
# programs must finish as if nothing had happened: every reply intact,
# every request exactly once and in order.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
# shellcheck source=selftests/mlog/lib.sh
. "$(dirname "$0")/lib.sh"
B=$MLOG_REPO/build/selftests
NL=(python3 "$MLOG_REPO/selftests/mlog/mlog_nl.py")
FORGE=$MLOG_REPO/selftests/mlog/slog_forge.py
S=$MLOG_SHARED
N=3000
A1=192.0.2.11
A2=192.0.2.12
A3=192.0.2.13

ksft_plan 13
# vm-ctl prefixes each output line with the node name.
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }
counter() { on "$1" "$MLOGCTL" --json status | jq -r ".stats.$2"; }

for i in 1 2 3; do vm-ctl exec $i "$MLOGCTL" node set --addr 192.0.2.1$i --id $i; done
on 1 "${NL[@]}" route-set 2 $A2 --incarnation 1
on 2 "${NL[@]}" route-set 1 $A1 --incarnation 1
on 3 "${NL[@]}" route-set 1 $A1 --incarnation 1
on 3 "${NL[@]}" route-set 2 $A2 --incarnation 1
vm-ctl exec-bg 2 "$B/mlog-host-run" --index 2 --incarnation 1 -- \
	"$B/mlog-rdm" server --host-port --port 5000 --senders 1 --count $N \
	--timeout 900 >/dev/null
sleep 2
cli=$(vm-ctl exec-bg 1 "$B/mlog-host-run" --index 1 --incarnation 1 -- \
	"$B/mlog-rdm" client --to h2:5000 --count $N --size 2000 --random-size \
	--timeout 900)
rsn=0
for _ in $(seq 600); do
	rsn=$(on 1 "${NL[@]}" host 1 | jq -r .rsn)
	[ "${rsn:-0}" -ge $((N / 3)) ] && break
	sleep 1
done
check "host 1 is a third of the way ($rsn replies) when node 2 is killed" \
	test "${rsn:-0}" -ge $((N / 3)) -a "${rsn:-0}" -lt $N
vm-ctl crash 2

# Fence incarnation 1 off and hold node 1's data for host 2 ...
on 1 "${NL[@]}" route-set 2 $A3 --incarnation 2 --state recovering
vm-ctl exec 1 bash -c "python3 $MLOG_REPO/selftests/mlog/mlog_nl.py log-dump --dst-host 2 >$S/log1.json"
logged=$(jq length "$S/log1.json")
check "node 1's log holds the requests host 2 received ($logged)" test "$logged" -gt 0
f0=$(counter 1 rx_fenced)
on 1 python3 "$FORGE" --to $A1 --dst-port 1 --src-port 5000 --kind stale \
	--src-host 2 --incarnation 1 --count 5 >/dev/null
check "node 1 refuses frames of host 2's old incarnation" \
	test "$(counter 1 rx_fenced)" -ge $((f0 + 5))

# ... restart it on node 3, replaying what node 1 logged ...
srv=$(vm-ctl exec-bg 3 "$B/mlog-host-run" --index 2 --incarnation 2 --replay -- \
	"$B/mlog-rdm" server --host-port --port 5000 --senders 1 --count $N \
	--timeout 900)
R=$(on 3 "${NL[@]}" replay --host 2 "$S/log1.json")
check "the replay covers node 1's log without a gap (RSN $R of $logged)" \
	test "${R:-0}" -eq "$logged"
check "host 2 is live again on node 3" vm-ctl exec 3 "${NL[@]}" wait-live 2 --timeout 600
check "node 3 replayed $R messages" test "$(counter 3 replayed)" -eq "$R"

# ... and let node 1 resend what the replay did not deliver.
on 1 "${NL[@]}" route-set 2 $A3 --incarnation 2 --state live --replayed "$R"
vm-ctl wait "$cli" >"$S/cli.out" 2>&1
check "host 1: all $N replies, every one intact" test $? -eq 0
sed 's/^/# /' "$S/cli.out"
vm-ctl wait "$srv" >"$S/srv.out" 2>&1
check "host 2: every request exactly once and in order" test $? -eq 0
sed 's/^/# /' "$S/srv.out"
check "node 1 rewound its flow to host 2" test "$(counter 1 flows_rewound)" -ge 1
for i in 1 3; do
	check "node $i: the send rule held throughout" \
		test "$(counter $i sl_hold_violation)" -eq 0
	check "node $i: the kernel did not warn" vm-ctl exec $i bash -c \
		"! dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t' >&2"
done
ksft_totals
