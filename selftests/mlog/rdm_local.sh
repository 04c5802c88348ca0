#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SOCK_RDM on one node (loopback): exactly-once in-order delivery from
# several senders; backpressure from a receiver that does not read, with
# bounded kernel memory; memory back to its baseline once closed.
set -u
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm

ksft_plan 9
"$MLOGCTL" node set --addr 127.0.0.1 >/dev/null

slab_kb() { awk '/^Slab:/ { print $2 }' /proc/meminfo; }
sync; echo 3 >/proc/sys/vm/drop_caches
slab0=$(slab_kb)

# Three senders, mixed sizes up to 64 KiB (up to 48 fragments), one receiver.
"$RDM" sink --port 6100 --senders 3 --count 2000 --timeout 240 &
sink=$!
"$RDM" source --to 127.0.0.1:6100 --count 2000 --size 65536 --random-size --id 1 --timeout 240 &
s1=$!
"$RDM" source --to 127.0.0.1:6100 --count 2000 --size 100 --id 2 --timeout 240 &
s2=$!
"$RDM" source --to 127.0.0.1:6100 --count 2000 --size 1376 --id 3 --timeout 240
st3=$?
wait $s1; st1=$?
wait $s2; st2=$?
wait $sink
check "3 senders x 2000 messages delivered exactly once, in order" test $? -eq 0
check "every sender saw all its messages acknowledged" test $((st1 + st2 + st3)) -eq 0
check "no message given up: nothing left queued" test "$(stat sockets)" -eq 0

# Backpressure: the receiver does not read for 8 s while 4000 x 16 KB
# (64 MB) are offered.  The sender must block, not grow kernel memory.
"$RDM" sink --port 6101 --senders 1 --count 4000 --stall 8 --timeout 300 &
sink=$!
"$RDM" source --to 127.0.0.1:6101 --count 4000 --size 16384 --id 9 --timeout 300 &
src=$!
sleep 5
slab_mid=$(slab_kb)
q=$("$MLOGCTL" --json sockets)
echo "# stalled: slab ${slab0} -> ${slab_mid} kB; sockets: $q"
txq=$(echo "$q" | jq '[.[] | .tx_queued] | max')
rxq=$(echo "$q" | jq '[.[] | .rx_queued] | max')
sndbuf=$(cat /proc/sys/net/core/wmem_default)
rcvbuf=$(cat /proc/sys/net/core/rmem_default)
check "stalled receiver: sender still blocked (not finished)" kill -0 $src
check "stalled receiver: unacked bytes bounded by SO_SNDBUF + one message" \
	test "$txq" -le $((sndbuf + 65536))
check "stalled receiver: queued bytes bounded by SO_RCVBUF" test "$rxq" -le "$rcvbuf"
check "stalled receiver: slab grew by less than 16 MB (64 MB offered)" \
	test $((slab_mid - slab0)) -lt 16384
wait $src
wait $sink
check "after the stall: all 4000 delivered exactly once, in order" test $? -eq 0

sync; echo 3 >/proc/sys/vm/drop_caches
sleep 1
slab1=$(slab_kb)
echo "# slab before ${slab0} kB, after ${slab1} kB"
check "sockets closed: slab back within 4 MB of baseline" test $((slab1 - slab0)) -lt 4096
ksft_totals
