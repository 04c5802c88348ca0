#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs on every node of "scripts/vm-run --nodes 3": the thesis's three
# applications (apps/, Documentation/apps.rst) in baseline mode, ranks
# named by node-form addresses from MLOG_PEERS, rank i - 1 on node i.
# Node 1 holds rank 0, which writes the result into the shared directory
# and checks it: the same bytes on stdout with 1, 2 and 3 ranks, known
# solution counts for nqueens, and the programs' own --check (Held-Karp
# for tsp, a sequential elimination for gauss).  Every node checks that
# its rank exited 0 and that the kernel stayed clean.  The 2-rank runs
# put both ranks on node 1.
set -u
. "$(dirname "$0")/lib.sh"
APPS=${APPS:-$MLOG_REPO/build/user/apps}
TMO=${APPS_TIMEOUT:-300}
ID=$MLOG_NODE_ID
S=$MLOG_SHARED/apps
read -r -a addrs <<<"$MLOG_NODE_ADDRS"
NODES=${#addrs[@]}
mkdir -p "$S"

echo "TAP version 13"
"$MLOGCTL" node set --addr "$MLOG_NODE_ADDR" --id "$ID"
check "node $ID configured" \
	test "$("$MLOGCTL" --json status | jq -r .node.address)" = "$MLOG_NODE_ADDR"

# barrier NAME: wait until every node has reached NAME.
barrier() {
	local d=$S/barrier/$1 i
	mkdir -p "$d"
	touch "$d/node$ID"
	for ((i = 0; i < TMO * 10; i++)); do
		[ "$(ls "$d" | wc -l)" -ge "$NODES" ] && return 0
		sleep 0.1
	done
	echo "# barrier $1: only $(ls "$d" | tr '\n' ' ')after ${TMO}s"
	return 1
}

runs=0
# job NAME PLACEMENT APP ARGS...: one run of APP.  PLACEMENT lists the
# node of each rank ("1 2 3": rank r on node r + 1).  Each node starts the
# ranks placed on it; rank 0's stdout goes to $S/NAME.out.  Runs are
# separated by barriers, so that no rank of one run meets the next
# run's socket on the same port.
job() {
	local name=$1 app=$3 r pids=() ranks=() peers="" node st
	local -a place
	read -r -a place <<<"$2"
	shift 3
	runs=$((runs + 1))
	for node in "${place[@]}"; do
		peers="$peers${peers:+,}${addrs[$((node - 1))]}"
	done
	barrier "$runs-$name" || return 1
	for r in "${!place[@]}"; do
		[ "${place[$r]}" = "$ID" ] || continue
		MLOG_RANK=$r MLOG_SIZE=${#place[@]} MLOG_PEERS=$peers \
			timeout "$TMO" "$APPS/$app" "$@" >"$S/$name.out.$r" &
		pids+=($!)
		ranks+=("$r")
	done
	for r in "${!pids[@]}"; do
		wait "${pids[$r]}"
		st=$?
		ksft_result $st "$name: rank ${ranks[$r]} ($app $*) exited 0 on node $ID"
		[ "$st" -eq 0 ] || echo "# $name: rank ${ranks[$r]}: exit status $st"
	done
	[ -f "$S/$name.out.0" ] && [ "$ID" = 1 ] && mv "$S/$name.out.0" "$S/$name.out"
	return 0
}

# same A B: runs A and B printed the same bytes.
same() {
	if cmp -s "$S/$1.out" "$S/$2.out"; then
		ksft_result 0 "$2 printed what $1 did"
	else
		echo "# $1: $(cat "$S/$1.out" 2>&1)"
		echo "# $2: $(cat "$S/$2.out" 2>&1)"
		ksft_result 1 "$2 printed what $1 did"
	fi
}

# says NAME TEXT: run NAME printed a line containing TEXT.
says() {
	grep -qF -- "$2" "$S/$1.out" 2>/dev/null
	ksft_result $? "$1 says '$2'"
}

# nqueens: known counts; --static is the thesis's one-share-per-worker
job q8-1 "1" nqueens --size 8
job q8-2 "1 1" nqueens --size 8
job q8-3 "1 2 3" nqueens --size 8
job q8-3s "1 2 3" nqueens --size 8 --static
job q10-1 "1" nqueens --size 10
job q10-3 "1 2 3" nqueens --size 10 --check
# tsp: Held-Karp agrees, a larger map is the same with 1 and 3 ranks
job t10-1 "1" tsp --cities 10 --seed 5 --check
job t10-3 "1 2 3" tsp --cities 10 --seed 5 --check
job t15-1 "1" tsp --cities 15 --seed 2 --check
job t15-3 "1 2 3" tsp --cities 15 --seed 2 --check
# gauss: the sequential check, 1/2/3 ranks bit for bit, split messages
job g60-1 "1" gauss --size 60 --seed 4 --check
job g60-2 "1 1" gauss --size 60 --seed 4 --check
job g60-3 "1 2 3" gauss --size 60 --seed 4 --check
job g150-1 "1" gauss --size 150 --check
job g150-3 "1 2 3" gauss --size 150 --check
job g150-3c "1 2 3" gauss --size 150 --check --chunk 1000

if [ "$ID" = 1 ]; then
	says q8-1 "nqueens: n=8 subproblems=42 solutions=92"
	same q8-1 q8-2
	same q8-1 q8-3
	same q8-1 q8-3s
	says q10-1 "nqueens: n=10 subproblems=72 solutions=724"
	says q10-3 "nqueens: n=10 subproblems=72 solutions=724"
	says q10-3 "nqueens: check ok"
	says t10-1 "tsp: check ok"
	same t10-1 t10-3
	says t15-1 "tsp: check ok"
	same t15-1 t15-3
	says g60-1 "gauss: check ok"
	same g60-1 g60-2
	same g60-1 g60-3
	says g150-1 "gauss: check ok"
	same g150-1 g150-3
	same g150-1 g150-3c
	for f in "$S"/*.out; do
		sed "s|^|# $(basename "$f" .out): |" "$f"
	done
fi
barrier finished
check "node $ID: every application socket closed" test "$(stat sockets)" -eq 0
check "node $ID: kernel clean" kernel_clean
"$MLOGCTL" stats | grep -E 'tx_retransmits|rx_dup|rx_no_port|peer_restarted' | sed 's/^/# /'
echo "1..$ksft_n"
ksft_totals
