#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two nodes in one VM: network namespaces joined by a veth pair, each its
# own mlog node.  Datagrams cross, and each namespace counts only its own.
set -u
. "$(dirname "$0")/lib.sh"

ksft_plan 6
cleanup() { ip netns del mlog_a 2>/dev/null; ip netns del mlog_b 2>/dev/null; }
trap cleanup EXIT

ip netns add mlog_a
ip netns add mlog_b
ip link add va netns mlog_a type veth peer name vb netns mlog_b
ip -n mlog_a addr add 198.51.100.1/24 dev va
ip -n mlog_b addr add 198.51.100.2/24 dev vb
for ns in mlog_a mlog_b; do
	ip -n $ns link set lo up
	ip -n $ns link set $(ip -n $ns -o link show type veth | awk -F': ' '{print $2}' | cut -d@ -f1) up
done
ip netns exec mlog_a "$MLOGCTL" node set --addr 198.51.100.1 --id 1
ip netns exec mlog_b "$MLOGCTL" node set --addr 198.51.100.2 --id 2
init_tx=$(stat tx_frames)

ip netns exec mlog_b "$DGRAM" echo --port 5000 --timeout 60 >/tmp/echo_b.out &
echo_pid=$!
ip netns exec mlog_a "$DGRAM" ping --to 198.51.100.2:5000 --count 300 --size 1000 --timeout 60
check "300 requests echoed intact across the veth" test $? -eq 0
wait $echo_pid
check "echo server saw the QUIT and exited cleanly" test $? -eq 0

a_tx=$(stat tx_frames mlog_a)
b_rx=$(stat rx_frames mlog_b)
b_noport=$(stat rx_no_port mlog_b)
b_tx=$(stat tx_frames mlog_b)
a_rx=$(stat rx_frames mlog_a)
echo "# a: tx $a_tx rx $a_rx; b: tx $b_tx rx $b_rx no_port $b_noport"
check "every frame a sent reached b (delivered or counted)" test "$a_tx" -eq $((b_rx + b_noport))
check "every echo b sent reached a" test "$b_tx" -eq "$a_rx"
check "a sent at least 300 requests" test "$a_tx" -ge 303
check "the initial namespace saw none of it" test "$(stat tx_frames)" -eq "$init_tx"
ksft_totals
