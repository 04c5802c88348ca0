#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs on each node of "scripts/vm-run --nodes 3": every node's eth0 loses
# 10% of its frames, duplicates 5% and reorders some (netem); every node
# runs a receiver and two senders that each send to both other nodes.
# Each receiver must get every message of its 4 senders exactly once and
# in order, byte for byte.
set -u
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm
N=${RDM_NETEM_COUNT:-400}

ksft_plan 5
"$MLOGCTL" node set --addr "$MLOG_NODE_ADDR" --id "$MLOG_NODE_ID"
tc qdisc add dev eth0 root netem delay 1ms 1ms loss 10% duplicate 5% reorder 25% 50%
check "netem on eth0" sh -c "tc qdisc show dev eth0 | grep -q 'loss 10%'"

others=""
for a in $MLOG_NODE_ADDRS; do
	[ "$a" = "$MLOG_NODE_ADDR" ] || others="$others${others:+,}$a:6200"
done
done_dir=$MLOG_SHARED/netem-done
mkdir -p "$done_dir"

"$RDM" sink --port 6200 --senders 4 --count "$N" --timeout 900 --linger "$done_dir:3" &
sink=$!
id=$((MLOG_NODE_ID * 100))
"$RDM" source --to "$others" --count "$N" --size 4000 --random-size --id $((id + 1)) --timeout 900 &
s1=$!
"$RDM" source --to "$others" --count "$N" --size 300 --id $((id + 11)) --timeout 900
st2=$?
wait $s1
st1=$?
check "node $MLOG_NODE_ID: both senders' $((2 * 2 * N)) messages acknowledged" test $((st1 + st2)) -eq 0
touch "$done_dir/node$MLOG_NODE_ID"
wait $sink
check "node $MLOG_NODE_ID: 4 senders x $N messages received exactly once, in order" test $? -eq 0
check "node $MLOG_NODE_ID: losses were repaired by retransmission" test "$(stat tx_retransmits)" -gt 0
check "node $MLOG_NODE_ID: duplicates were dropped" test "$(stat rx_dup)" -gt 0
"$MLOGCTL" stats | sed 's/^/# /'
ksft_totals
