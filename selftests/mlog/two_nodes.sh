#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs on every node of a "scripts/vm-run --nodes 2" cluster: node 2 echoes,
# node 1 sends numbered requests across the vde segment and checks each
# comes back intact; both report their counters.
set -u
. "$(dirname "$0")/lib.sh"

ksft_plan 3
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
"$MLOGCTL" status | sed 's/^/# /'
ksft_totals
