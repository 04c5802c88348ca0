#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SOCK_RDM on one node (loopback): exactly-once in-order delivery from
# several senders; a non-blocking sender that poll() never misleads;
# backpressure from a receiver that does not read, with
# bounded kernel memory; memory back to its baseline once closed; loss
# repaired one message per lost frame; each flow's transport state in the
# socket dump, also for a socket with more flows than a dump message holds.
set -u
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm

ksft_plan 31
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
"$RDM" source --to 127.0.0.1:6100 --count 2000 --size 1368 --id 3 --timeout 240
st3=$?
wait $s1; st1=$?
wait $s2; st2=$?
wait $sink
check "3 senders x 2000 messages delivered exactly once, in order" test $? -eq 0
check "every sender saw all its messages acknowledged" test $((st1 + st2 + st3)) -eq 0
check "no message given up: nothing left queued" test "$(stat sockets)" -eq 0

# A non-blocking sender of messages up to 64 KiB sends each as soon as
# poll() reports POLLOUT: the send must go, never fail with EAGAIN (which
# had such a sender spin between the two), and poll() must wake it when
# there is room again.
"$RDM" sink --port 6106 --senders 1 --count 320 --timeout 240 &
sink=$!
wait_port 6106
"$RDM" source --to 127.0.0.1:6106 --count 320 --size 65536 --random-size --nonblock \
	--id 14 --timeout 240
st=$?
wait $sink
check "non-blocking sender: 320 messages up to 64 KiB, no EAGAIN after POLLOUT" \
	test $((st + $?)) -eq 0

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

# Loss recovery, in a namespace whose loopback drops every 499th frame
# (tc gact, deterministic): 300 x 64 KiB messages (48 fragments each)
# with 4 MiB buffers, so that up to 32 messages are in flight.  The
# receiver keeps what arrives beyond a gap, so a lost frame costs its own
# message again; a sender that went back and resent everything in flight
# after each loss needed about three per lost frame (measured: 178
# messages for 61 drops, against 32 for 32).  Spurious retransmission
# timeouts on a loaded host get some slack.  The sender starts once the
# receiver's port is bound: a first message sent to nobody would be
# resent in full after a timeout, 48 frames for no dropped one.
ip netns add mlog_lossy
lossy() { ip netns exec mlog_lossy "$@"; }
lossy ip link set lo up
lossy "$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
if lossy tc qdisc add dev lo clsact &&
   lossy tc filter add dev lo egress matchall action gact ok random determ drop 499; then
	# the receiver stays until the sender is through: its last
	# acknowledgment may be among the dropped frames
	ldir=$(mktemp -d)
	lossy "$RDM" sink --port 6102 --senders 1 --count 300 --rcvbuf 4194304 \
		--linger "$ldir:1" --timeout 240 &
	sink=$!
	wait_port 6102 mlog_lossy
	lossy "$RDM" source --to 127.0.0.1:6102 --count 300 --size 65536 \
		--sndbuf 4194304 --id 11 --done "$ldir/source" --timeout 240
	st=$?
	wait $sink
	check "lossy loopback: 300 x 64 KiB delivered exactly once, in order" test $((st + $?)) -eq 0
	frames=$(stat tx_frames mlog_lossy)
	retx=$(stat tx_retransmits mlog_lossy)
	drops=$(lossy tc -s filter show dev lo egress | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -n1)
	resent=$(stat tx_resent_frames mlog_lossy)
	echo "# lossy loopback: $frames frames sent, ${drops:-?} dropped, $retx messages retransmitted in $resent frames, $(stat tx_timeouts mlog_lossy) timeouts, $(stat rx_dup mlog_lossy) duplicate frames"
	check "lossy loopback: the filter dropped frames" test "${drops:-0}" -gt 0
	check "lossy loopback: about one message resent per dropped frame" \
		test "$retx" -le $((${drops:-0} * 3 / 2 + 3))
	# a whole 64 KiB message would be 48 frames: only what is missing goes
	check "lossy loopback: about one frame resent per dropped frame" \
		test "$resent" -le $((${drops:-0} * 3 / 2 + 3))
else
	for what in "delivery" "the filter dropped frames" "about one message resent per dropped frame" \
		    "about one frame resent per dropped frame"; do
		check "lossy loopback: $what (tc clsact/gact unavailable)" false
	done
fi
ip netns del mlog_lossy
rm -rf "${ldir:-}"

# A fragment lost from the last message in flight: nothing follows it to
# show the gap, so the retransmission timer finds it.  The timeout sends
# the message's last fragment alone, the receiver answers with its map of
# the fragments it holds, and only the missing one goes again: two
# frames, where the whole message would be 48.  A u32 filter drops the
# first copy of the fragment at offset 38 x 1368 (frag_off is at byte 48
# of the IPv4 packet: 20 IP + 8 UDP + 20 into the mlog header) and lets
# the second through.
ip netns add mlog_tail
tail_ns() { ip netns exec mlog_tail "$@"; }
tail_ns ip link set lo up
tail_ns "$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
tdir=$(mktemp -d)
if tail_ns tc qdisc add dev lo clsact &&
   tail_ns tc filter add dev lo egress protocol ip u32 \
	match ip protocol 17 0xff match u32 $((38 * 1368)) 0xffffffff at 48 \
	action gact drop random determ ok 2; then
	tail_ns "$RDM" sink --port 6107 --senders 1 --count 1 --linger "$tdir:1" \
		--timeout 60 &
	sink=$!
	wait_port 6107 mlog_tail
	tail_ns "$RDM" source --to 127.0.0.1:6107 --count 1 --size 65536 --id 12 \
		--done "$tdir/source" --timeout 60
	st=$?
	wait $sink
	check "tail loss: the 64 KiB message delivered exactly once" test $((st + $?)) -eq 0
	drops=$(tail_ns tc -s filter show dev lo egress | sed -n 's/.*(dropped \([0-9]*\),.*/\1/p' | head -n1)
	resent=$(stat tx_resent_frames mlog_tail)
	touts=$(stat tx_timeouts mlog_tail)
	echo "# tail loss: ${drops:-?} dropped, $resent frames resent, $touts timeouts"
	check "tail loss: the filter dropped one frame" test "${drops:-0}" -eq 1
	check "tail loss: repaired after a retransmission timeout" test "$touts" -ge 1
	# a spurious timeout on a loaded host may add a probe
	check "tail loss: a probe and the missing fragment resent, not the message" \
		test "$resent" -le 3
else
	for what in "delivery" "the filter dropped one frame" "repaired after a timeout" \
		    "a probe and the missing fragment resent"; do
		check "tail loss: $what (tc u32/gact unavailable)" false
	done
fi
ip netns del mlog_tail
rm -rf "$tdir"

# A receiver that closes right after reading the last message: the
# acknowledgment it still owes (delayed, MLOG_DELACK: up to a timer tick)
# goes out on close, or its sender would resend to a port nobody answers
# on until it gives up.  The close usually beats the tick; three rounds.
st=0
for round in 1 2 3; do
	"$RDM" sink --port 6105 --senders 1 --count 1 --close-at-once --timeout 30 >/dev/null &
	sink=$!
	wait_port 6105
	"$RDM" source --to 127.0.0.1:6105 --count 1 --size 100 --id 13 \
		--timeout 10 >/dev/null || { st=1; echo "# round $round: not acknowledged"; }
	wait $sink || st=1
done
check "receiver closed at once: its sender still sees the message acknowledged" \
	test "$st" -eq 0

# Transport state per flow in the socket dump (MLOG_SOCK_FLOW), in a
# namespace whose loopback delays every frame by 5 ms: RTT samples count
# whole jiffies, so on a bare loopback they may all read 0.  A sender and a
# receiver stay open once done until $fdir/go holds a file.
ip netns add mlog_flows
flows() { ip netns exec mlog_flows "$@"; }
flows ip link set lo up
flows "$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
fdir=$(mktemp -d)
mkdir "$fdir/done" "$fdir/go"
cwnd_min=$((2 * (65536 + 48 * 1536)))	# MLOG_CWND_MIN: two largest messages
jqe() { jq -e "$@" >/dev/null; }
flow_line() {
	flows "$MLOGCTL" sockets | grep -q '^    127.0.0.1:6103 next_ssn:51 snd_una:51 snd_nxt:51 '
}
if flows tc qdisc add dev lo root netem delay 5ms; then
	flows "$RDM" sink --port 6103 --senders 1 --count 50 --done "$fdir/done/sink" \
		--linger "$fdir/go:1" --timeout 240 &
	fsink=$!
	flows "$RDM" source --to 127.0.0.1:6103 --count 50 --size 4000 --id 21 \
		--done "$fdir/done/source" --linger "$fdir/go:1" --timeout 240 &
	fsrc=$!
	for _ in $(seq 1200); do
		[ "$(ls "$fdir/done" | wc -l)" -ge 2 ] && break
		sleep 0.1
	done
	q=$(flows "$MLOGCTL" --json sockets)
	echo "# flows: $q"
	sflow=$(echo "$q" | jq -c '[.[] | select(.port != 6103) | .flows_detail[]] | .[0]')
	rflow=$(echo "$q" | jq -c '[.[] | select(.port == 6103) | .flows_detail[]] | .[0]')
	sport=$(echo "$q" | jq '[.[] | select(.port != 6103)] | .[0].port')
	check "flow dump: the sender has one flow nest, to 127.0.0.1:6103" \
		jqe '[.[] | select(.port != 6103) | .flows_detail[] |
			select(.address == "127.0.0.1" and .port == 6103)] | length == 1' <<<"$q"
	check "flow dump: all acknowledged, snd_una == snd_nxt == next_ssn == 51, nothing in flight" \
		jqe '.snd_una == .next_ssn and .snd_nxt == .next_ssn and .next_ssn == 51 and
			.inflight == 0 and .timeouts == 0' <<<"$sflow"
	check "flow dump: cwnd >= MLOG_CWND_MIN ($cwnd_min)" \
		jqe --argjson min "$cwnd_min" '.cwnd >= $min' <<<"$sflow"
	check "flow dump: srtt_us > 0 (5 ms each way) and rto_us >= 10 ms" \
		jqe '.srtt_us > 0 and .rto_us >= 10000' <<<"$sflow"
	check "flow dump: the receiver's flow is from the sender's port, rcv_nxt == 51" \
		jqe --argjson p "${sport:-0}" \
			'.address == "127.0.0.1" and .port == $p and .rcv_nxt == 51' <<<"$rflow"
	check "flow dump: mlogctl sockets prints the flow under its socket" flow_line

	# 400 flows of about 160 bytes each cannot fit in one part of a dump
	# (32 KiB at most): the dump must still end, list every socket, and
	# mark the socket's flows as truncated.
	dests=$(seq -s, -f '127.0.0.1:%g' 7000 7399)
	flows "$RDM" source --to "$dests" --count 1 --size 100 --id 100 --timeout 120 \
		>/dev/null 2>&1 &
	many=$!
	for _ in $(seq 600); do
		n=$(flows "$MLOGCTL" --json sockets | jq '[.[] | .flows] | max')
		[ "${n:-0}" -ge 400 ] && break
		sleep 0.1
	done
	q=$(flows "$MLOGCTL" --json sockets)
	st=$?
	echo "# 400 flows: $(echo "$q" | jq -c '[.[] | {port, flows, flows_truncated,
		shown: (.flows_detail | length)}]')"
	check "400 flows: the dump succeeds and lists all three sockets" \
		test "$st" -eq 0 -a "$(jq length <<<"$q")" -eq 3
	check "400 flows: truncated flag set, as many flows as fit given, others whole" \
		jqe '(.[] | select(.flows == 400) | .flows_truncated and
			(.flows_detail | length) > 0 and (.flows_detail | length) < 400) and
			all(.[] | select(.flows < 400); .flows_truncated == false and
			(.flows_detail | length) == .flows)' <<<"$q"
	kill "$many"
	wait "$many"
	touch "$fdir/go/release"
	wait $fsrc; st=$?
	wait $fsink
	check "flow dump: sender and receiver exit cleanly" test $((st + $?)) -eq 0
else
	for what in "one flow nest" "all acknowledged" "cwnd" "srtt_us" "receiver's flow" \
		    "mlogctl sockets" "400 flows: dump" "400 flows: truncated" "exit"; do
		check "flow dump: $what (tc netem unavailable)" false
	done
fi
rm -rf "$fdir"
ip netns del mlog_flows

# A spurious timeout: request-reply over a loopback delayed 5 ms, then for
# 250 ms every frame is delayed 300 ms.  Nothing is lost, but the sides
# time out waiting for answers and send copies; the copies are answered
# with MLOG_F_DUP, and the timeouts must be found spurious and undone.
ip netns add mlog_spike
spike() { ip netns exec mlog_spike "$@"; }
spike ip link set lo up
spike "$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
if spike tc qdisc add dev lo root netem delay 5ms; then
	spike "$RDM" server --port 6104 --senders 1 --count 300 --timeout 240 &
	ssrv=$!
	wait_port 6104 mlog_spike
	spike "$RDM" client --to 127.0.0.1:6104 --count 300 --size 1024 --id 31 \
		--timeout 240 &
	scli=$!
	sleep 1
	spike tc qdisc change dev lo root netem delay 300ms
	sleep 0.25
	spike tc qdisc change dev lo root netem delay 5ms
	wait $scli; st=$?
	wait $ssrv
	check "spurious timeouts: 300 request-reply round trips, each exactly once" \
		test $((st + $?)) -eq 0
	to=$(stat tx_timeouts mlog_spike)
	undone=$(stat tx_timeouts_undone mlog_spike)
	echo "# spurious timeouts: $to timeouts, $undone undone, $(stat tx_retransmits mlog_spike) retransmissions, $(stat rx_dup mlog_spike) duplicate frames"
	check "spurious timeouts: the delay made the sides time out" test "${to:-0}" -gt 0
	check "spurious timeouts: found spurious and undone" test "${undone:-0}" -gt 0
else
	for what in "round trips" "timed out" "undone"; do
		check "spurious timeouts: $what (tc netem unavailable)" false
	done
fi
ip netns del mlog_spike
ksft_totals
