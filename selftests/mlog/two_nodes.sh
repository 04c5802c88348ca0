#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs on every node of a "scripts/vm-run --nodes 2" cluster: node 2 echoes,
# node 1 sends numbered requests across the vde segment and checks each
# comes back intact; both report their counters.
#
# Then fan-in: three SOCK_RDM sockets on node 1 each send five 64 KiB
# messages at once to one receiver on node 2 that keeps the default
# SO_RCVBUF, which holds less than two such messages.  Every message must
# arrive exactly once and be acknowledged: a receiver that took the
# fragments of several messages as they came filled its buffer with
# half-reassembled messages, none able to finish.  Once with unprotected
# sockets, once with every program a protected host (sender-based
# logging).  The nodes meet through files in the shared directory.
set -u
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm
HOSTRUN=$MLOG_REPO/build/selftests/mlog-host-run
FANIN=$MLOG_SHARED/fanin
TMO=180

ksft_plan 5
"$MLOGCTL" node set --addr "$MLOG_NODE_ADDR" --id "$MLOG_NODE_ID"
check "node $MLOG_NODE_ID configured" test "$("$MLOGCTL" --json status | jq -r .node.address)" = "$MLOG_NODE_ADDR"

peer=$(echo $MLOG_NODE_ADDRS | cut -d' ' -f2)
if [ "$MLOG_NODE_ID" = 2 ]; then
	"$DGRAM" echo --port 5000 --timeout 120
	check "node 2 echoed until told to quit" test $? -eq 0
	check "node 2 received frames" test "$(stat rx_frames)" -ge 500
else
	"$DGRAM" ping --to "$peer:5000" --count 500 --size 1000 --timeout 120
	check "node 1: 500 requests echoed intact by node 2" test $? -eq 0
	check "node 1 received the echoes" test "$(stat rx_frames)" -ge 500
fi

# as HOST CMD...: CMD as protected host HOST, or unprotected if HOST is -.
as() {
	local h=$1

	shift
	if [ "$h" = - ]; then
		"$@"
	else
		"$HOSTRUN" --index "$h" --unregister -- "$@"
	fi
}

# fanin ROUND PORT RECEIVER-HOST SENDER-HOSTS...: one round of fan-in, one
# sending socket per sender host given.
fanin() {
	local round=$1 port=$2 rhost=$3 dir=$FANIN/$1 k=0 st=0 h pids=()

	shift 3
	mkdir -p "$dir/done"
	if [ "$MLOG_NODE_ID" = 2 ]; then
		q0=$(stat rx_queue_full)
		as "$rhost" "$RDM" sink --port "$port" \
			--senders $# --count 5 --linger "$dir/done:$#" --timeout "$TMO" &
		sink=$!
		wait_port "$port" && touch "$dir/ready"
		wait $sink
		check "fan-in ($round): node 2 received $# x 5 x 64 KiB with the default SO_RCVBUF, each exactly once, in order" \
			test $? -eq 0
		echo "# fan-in ($round): rx_queue_full $q0 -> $(stat rx_queue_full)"
	else
		poll "$TMO" test -e "$dir/ready"
		for h in "$@"; do
			k=$((k + 1))
			as "$h" "$RDM" source --to "$peer:$port" \
				--count 5 --size 65536 --id "$k" --done "$dir/done/$k" \
				--timeout "$TMO" &
			pids+=($!)
		done
		for h in "${pids[@]}"; do
			wait "$h" || st=1
		done
		check "fan-in ($round): node 1's $# sockets saw all their 64 KiB messages acknowledged" \
			test "$st" -eq 0
		echo "# fan-in ($round): tx_retransmits $(stat tx_retransmits), tx_resent_frames $(stat tx_resent_frames), tx_timeouts $(stat tx_timeouts)"
	fi
}
fanin plain 5100 - - - -
fanin protected 5101 21 11 12 13
"$MLOGCTL" status | sed 's/^/# /'
ksft_totals
