#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 4 --cluster --spares 1
# --recoverd-args "--timeout-ms 5000" --host-script": the thesis's applications under mlog-run, each rank a
# protected host, recovered by the daemons from failures in the middle of
# a run.  Every recovered run must print exactly what the failure-free run
# printed, and end with status 0:
#   - gauss, a worker's node crashes: the rank comes back on the spare;
#   - nqueens, a worker's node is paused past the failure timeout, then
#     resumed: the rank comes back elsewhere, the paused copy is killed
#     and its frames are refused as a fenced incarnation;
#   - tsp, the master's node crashes (rank 0, the one printing the result).
# A failure is triggered once rank 0 has received a given share of the
# messages it received in the failure-free run (no timing assumption).
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
A=$MLOG_REPO/build/user/apps
S=$MLOG_SHARED/recover-apps
GAUSS="$A/gauss --size ${GAUSS_SIZE:-200}"
NQUEENS="$A/nqueens --size ${NQUEENS_SIZE:-13}"
TSP="$A/tsp --cities ${TSP_CITIES:-13}"
mkdir -p "$S"

ksft_plan 15
on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }

# Each node keeps writing the largest RSN of its protected hosts (the
# messages its rank has received) to $S/rsn.nodeN: reading it from here
# is immediate, where a vm-ctl exec takes a second or more.
sample_rsn() {
	vm-ctl exec-bg "$1" sh -c "while :; do
		mlogctl --json hosts 2>/dev/null | jq -r '[.[].rsn] | max // 0' >$S/rsn.node$1.tmp &&
			mv -f $S/rsn.node$1.tmp $S/rsn.node$1
		sleep 0.2
	done" >/dev/null
}
rsn_on() {
	local r
	r=$(cat "$S/rsn.node$1" 2>/dev/null)
	[[ "$r" =~ ^[0-9]+$ ]] && echo "$r" || echo 0
}

# job NAME NODES PROGRAM...: PROGRAM as one rank per node of NODES (a
# comma list) under mlog-run on node 1, in the background; $S/NAME.status
# appears when it ends.
job() {
	local name=$1 nodes=$2 n
	shift 2
	n=$(tr ',' '\n' <<<"$nodes" | wc -l)
	rm -f "$S/$name".*
	vm-ctl exec-bg 1 sh -c "cd $S && mlog-run -n $n --nodes $nodes -- $* \
		>$S/$name.out 2>$S/$name.err; echo \$? >$S/$name.status" >/dev/null
}

# finish NAME: wait (bounded) for job NAME; its status on stdout.
finish() {
	poll 600 test -s "$S/$1.status" || echo "# $1: did not end"
	cat "$S/$1.status" 2>/dev/null || echo none
}

# reference NAME NODES PROGRAM...: a failure-free run; sets $total to the
# messages its rank 0 received (as far as sampled) and $ref_ms to its time.
reference() {
	local name=$1 nodes=$2 r t
	shift 2
	total=0
	t=$(date +%s%3N)
	job "$name" "$nodes" "$@"
	while [ ! -s "$S/$name.status" ]; do
		r=$(rsn_on "${nodes%%,*}")
		[ "$r" -le "$total" ] || total=$r
		sleep 0.1
	done
	ref_ms=$(($(date +%s%3N) - t))
	echo "# $name: $(cat "$S/$name.out"), ${ref_ms} ms, rank 0 received >= $total messages"
}

# at_share NAME NODE0 SHARE: wait until job NAME is SHARE percent through
# (rank 0, on NODE0, has received SHARE percent of $total messages, or
# SHARE percent of $ref_ms has passed: a sample takes a second or two in a
# TCG guest), or has ended (status 1).
at_share() {
	local t0
	t0=$(date +%s%3N)
	while [ ! -s "$S/$1.status" ]; do
		[ $(($(rsn_on "$2") * 100)) -lt $((total * $3)) ] || return 0
		[ $((($(date +%s%3N) - t0) * 100)) -lt $((ref_ms * $3)) ] || return 0
		sleep 0.1
	done
	return 1
}

same_as_ref() {
	[ "$(cat "$S/$2.status" 2>/dev/null)" = 0 ] && cmp -s "$S/$1.out" "$S/$2.out"
}

# The cluster is ready once mlog-recoverd knows the working nodes.
poll 120 sh -c "vm-ctl exec 1 sh -c 'cd $S && mlog-run -n 3 --nodes 1,2,3 -- true' \
	>/dev/null 2>&1" || echo "# the daemons did not come up"

for i in 1 3; do sample_rsn "$i"; done

# ---- gauss: a worker's node crashes ----
reference gauss-ref 1,2,3 "$GAUSS"
check "gauss: failure-free run, status 0" test "$(cat "$S/gauss-ref.status")" = 0
job gauss-crash 1,2,3 "$GAUSS"
at_share gauss-crash 1 40 && vm-ctl crash 2
st=$(finish gauss-crash)
sed 's/^/# gauss-crash: /' "$S/gauss-crash.err"
check "gauss: node 2 crashed mid-run, result identical, status 0 ($st)" \
	same_as_ref gauss-ref gauss-crash
check "gauss: the failure was detected and narrated" grep -q "mlog-run: node 2 failed" \
	"$S/gauss-crash.err"
check "gauss: rank 1 restarted on the spare, node 4" \
	grep -q "mlog-run: rank 1 (host [0-9]*) restarting on node 4" "$S/gauss-crash.err"
check "gauss: rank 1 replayed its logged messages" \
	grep -q "mlog-run: rank 1 replayed [1-9][0-9]* messages" "$S/gauss-crash.err"
check "gauss: rank 1 live again" grep -q "mlog-run: rank 1 is live again" "$S/gauss-crash.err"

# A replacement for node 2 joins (mlog-logd, mlog-ckptd).
vm-ctl boot 2 >/dev/null
check "a replacement node 2 joins the cluster" poll 60 sh -c "vm-ctl exec 1 sh -c \
	'cd $S && mlog-run -n 1 --nodes 2 -- true' >/dev/null 2>&1"

# ---- nqueens: a worker's node is paused past the failure timeout ----
reference nqueens-ref 1,3,2 "$NQUEENS"
check "nqueens: failure-free run, status 0" test "$(cat "$S/nqueens-ref.status")" = 0
fenced0=$(on 1 mlogctl --json status | jq -r .stats.rx_fenced)
job nqueens-pause 1,3,2 "$NQUEENS"
if at_share nqueens-pause 1 30; then
	vm-ctl pause 3
	poll 60 grep -q "mlog-run: rank 1 .*restarting" "$S/nqueens-pause.err"
	vm-ctl resume 3
fi
st=$(finish nqueens-pause)
sed 's/^/# nqueens-pause: /' "$S/nqueens-pause.err"
check "nqueens: node 3 paused past the timeout, result identical, status 0 ($st)" \
	same_as_ref nqueens-ref nqueens-pause
check "nqueens: the paused node was declared failed" grep -q "mlog-run: node 3 failed" \
	"$S/nqueens-pause.err"
check "nqueens: the resumed node runs no copy of rank 1" \
	poll 30 sh -c "[ -z \"\$(vm-ctl exec 3 mlogctl --json hosts | sed 's/^\[node3\] //' | jq '.[]')\" ]"
fenced=$(on 1 mlogctl --json status | jq -r .stats.rx_fenced)
echo "# node 1: rx_fenced $fenced0 -> $fenced"

# ---- tsp: the master's node crashes ----
reference tsp-ref 3,1,2 "$TSP"
check "tsp: failure-free run, status 0" test "$(cat "$S/tsp-ref.status")" = 0
job tsp-crash 3,1,2 "$TSP"
at_share tsp-crash 3 40 && vm-ctl crash 3
st=$(finish tsp-crash)
sed 's/^/# tsp-crash: /' "$S/tsp-crash.err"
check "tsp: the master's node crashed, result identical, status 0 ($st)" \
	same_as_ref tsp-ref tsp-crash
check "tsp: rank 0 restarted and replayed" \
	grep -q "mlog-run: rank 0 replayed [0-9]* messages" "$S/tsp-crash.err"
check "output exactly once: as many lines as the failure-free run" \
	test "$(wc -l <"$S/tsp-crash.out")" = "$(wc -l <"$S/tsp-ref.out")"
tail -n 25 "$MLOG_SHARED/daemons/mlog-recoverd-node1.log" | sed 's/^/# recoverd: /'
ksft_totals
