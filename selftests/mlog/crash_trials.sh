#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 4 --cluster --spares 1
# --recoverd-args '--timeout-ms 5000' --host-script" (make check-long):
# random crash trials.  Each trial runs one of the thesis's applications
# as 3 ranks on nodes 1-3, in a random placement, and kills node 2 or 3 at
# a random moment (5-95 % of the failure-free run); the rank there may be
# the master or a worker.  The crashed node is then booted again.  A trial
# is:
#   recovered   status 0 and the failure-free run's output, byte for byte
#   refused     the job stopped with mlog-recoverd's plain report that no
#               consistent state can be recovered
#   wrong       status 0 and another output: must never happen
#   failed      anything else (a hang, a stop without the report)
# Prints the tally per application; passes when nothing was wrong or
# failed.  TRIALS (default 100) trials per application in APPS (default
# "nqueens tsp gauss"); SEED (default: random, printed) seeds $RANDOM.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
A=$MLOG_REPO/build/user/apps
S=$MLOG_SHARED/crash-trials
TRIALS=${TRIALS:-100}
APPS=${APPS:-nqueens tsp gauss}
SEED=${SEED:-$$}
RANDOM=$SEED
mkdir -p "$S"
. "$MLOG_REPO/selftests/mlog/cluster_lib.sh"

program() {
	case $1 in
	nqueens) echo "$A/nqueens --size ${NQUEENS_SIZE:-13}" ;;
	tsp) echo "$A/tsp --cities ${TSP_CITIES:-13}" ;;
	gauss) echo "$A/gauss --size ${GAUSS_SIZE:-200}" ;;
	esac
}
PLACEMENTS=("1,2,3" "1,3,2" "2,1,3" "2,3,1" "3,1,2" "3,2,1")

# trial APP N: one crash trial; prints its class.
trial() {
	local app=$1 n=$2 nodes victim share name st
	nodes=${PLACEMENTS[$((RANDOM % ${#PLACEMENTS[@]}))]}
	victim=$((2 + RANDOM % 2))
	share=$((5 + RANDOM % 91))
	name=$app-$n
	total=${totals[$app]} ref_ms=${ref_times[$app]}
	# shellcheck disable=SC2046  # the program's words
	job "$name" "$nodes" $(program "$app")
	at_share "$name" "${nodes%%,*}" "$share" && vm-ctl crash "$victim"
	st=$(finish "$name")
	if [ "$st" = 0 ] && cmp -s "$S/$app-ref.out" "$S/$name.out"; then
		class=recovered
	elif [ "$st" = 0 ]; then
		class=wrong
	elif grep -q "cannot recover without rolling back survivors" "$S/$name.err"; then
		class=refused
	else
		class=failed
	fi
	echo "# $name: ranks on $nodes, node $victim crashed at $share %, status $st: $class"
	[ "$class" = recovered ] || sed "s/^/# $name: /" "$S/$name.err"
	if [ "$(vm-ctl status "$victim")" != "node$victim up" ]; then
		vm-ctl boot "$victim" >/dev/null || echo "# node $victim: boot failed"
	fi
	wait_cluster 1,2,3 || echo "# the cluster did not come back"
}

echo "# crash trials: $TRIALS per application ($APPS), SEED=$SEED"
wait_cluster 1,2,3 || echo "# the daemons did not come up"
for i in 1 2 3; do sample_rsn "$i"; done
declare -A totals ref_times
n_apps=0
for app in $APPS; do n_apps=$((n_apps + 1)); done
ksft_plan $((2 * n_apps))
for app in $APPS; do
	# shellcheck disable=SC2046  # the program's words
	reference "$app-ref" 1,2,3 $(program "$app")
	totals[$app]=$total ref_times[$app]=$ref_ms
	check "$app: failure-free run, status 0" test "$(cat "$S/$app-ref.status")" = 0
done
for app in $APPS; do
	declare -A tally=([recovered]=0 [refused]=0 [wrong]=0 [failed]=0)
	for n in $(seq "$TRIALS"); do
		trial "$app" "$n"
		tally[$class]=$((tally[$class] + 1))
		# A node a trial crashed takes the sampler with it.
		for i in 2 3; do
			vm-ctl exec "$i" pgrep -f "rsn.node$i" >/dev/null 2>&1 || sample_rsn "$i"
		done
	done
	line="$app: $TRIALS trials, ${tally[recovered]} recovered, ${tally[refused]} refused as unrecoverable, ${tally[wrong]} wrong answers, ${tally[failed]} failed"
	echo "# tally: $line"
	echo "$line" >>"$S/tally"
	check "$line" test "$((tally[wrong] + tally[failed]))" = 0
done
ksft_totals
