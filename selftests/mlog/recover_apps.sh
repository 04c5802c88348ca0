#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 4 --cluster --spares 1
# --recoverd-args '--timeout-ms 5000' --host-script": the thesis's
# applications under mlog-run, each rank a protected host, recovered by
# the daemons from failures in the middle of a run.  Every recovered run must print exactly what the failure-free run
# printed, and end with status 0:
#   - gauss, a worker's node crashes: the rank comes back on the spare;
#   - nqueens, a worker's node is paused past the failure timeout, then
#     resumed: the rank comes back elsewhere, the paused copy is killed
#     and its frames are refused as a fenced incarnation;
#   - tsp, the master's node crashes (rank 0, the one printing the result)
#     once it has handed out 10 subproblems; its progress lines on stderr
#     still come out once each, in order;
#   - nqueens, a worker's node crashes as the job starts.
# A failure is injected once rank 0 has received a given share of the
# messages of the failure-free run, or that share of its time has passed.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
A=$MLOG_REPO/build/user/apps
S=$MLOG_SHARED/recover-apps
GAUSS="$A/gauss --size ${GAUSS_SIZE:-200}"
NQUEENS="$A/nqueens --size ${NQUEENS_SIZE:-13}"
TSP="$A/tsp --cities ${TSP_CITIES:-13} --progress"
mkdir -p "$S"

ksft_plan 17
. "$MLOG_REPO/selftests/mlog/cluster_lib.sh"

wait_cluster 1,2,3 || echo "# the daemons did not come up"

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
check "a replacement node 2 joins the cluster" wait_cluster 2

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
# Once the master has handed out 10 subproblems (--progress), that is,
# received as many requests, which its recovery must replay.
at_lines tsp-crash "^tsp: subproblem" 10 && vm-ctl crash 3
st=$(finish tsp-crash)
grep -v '^tsp: subproblem' "$S/tsp-crash.err" | sed 's/^/# tsp-crash: /'
check "tsp: the master's node crashed, result identical, status 0 ($st)" \
	same_as_ref tsp-ref tsp-crash
check "tsp: rank 0 restarted and replayed its logged messages" \
	grep -q "mlog-run: rank 0 replayed [1-9][0-9]* messages" "$S/tsp-crash.err"
check "output exactly once: as many lines as the failure-free run" \
	test "$(wc -l <"$S/tsp-crash.out")" = "$(wc -l <"$S/tsp-ref.out")"
# The master's stderr, re-executed in part, still comes out once: one
# line per subproblem, numbered 0, 1, 2... in order.
nsub=$(sed -n 's/.*subproblems=\([0-9]*\).*/\1/p' "$S/tsp-ref.out")
check "output exactly once: rank 0's progress lines, subproblems 0..$((${nsub:-1} - 1)) once each, in order" \
	bash -c "[ -n '$nsub' ] && sed -n 's/^tsp: subproblem \([0-9]*\) .*/\1/p' '$S/tsp-crash.err' |
		cmp -s - <(seq 0 $((${nsub:-1} - 1)))"
# ---- nqueens: a worker's node crashes as the job starts ----
# Node 3 is down since the tsp case: rank 2 goes to the spare.
# mlog-recoverd may still be waiting for that node to answer the start of
# its rank when it recovers the rank elsewhere.
RLOG=$MLOG_SHARED/daemons/mlog-recoverd-node1.log
jobs_before=$(grep -c '^mlog-recoverd: job [0-9]* (.*): [0-9]* ranks' "$RLOG")
job nqueens-start 1,2,4 "$NQUEENS"
# Once mlog-recoverd has taken the job, before the ranks can have run long.
poll 120 sh -c "[ \$(grep -c '^mlog-recoverd: job [0-9]* (.*): [0-9]* ranks' '$RLOG') -gt $jobs_before ]"
vm-ctl crash 2
st=$(finish nqueens-start)
sed 's/^/# nqueens-start: /' "$S/nqueens-start.err"
check "nqueens: node 2 crashed as the job started, result identical, status 0 ($st)" \
	same_as_ref nqueens-ref nqueens-start
tail -n 25 "$MLOG_SHARED/daemons/mlog-recoverd-node1.log" | sed 's/^/# recoverd: /'
ksft_totals
