#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host script for "scripts/vm-run --nodes 4 --cluster --spares 1
# --recoverd-args '--timeout-ms 10000' --host-script" (make check-long):
# random crash trials of the thesis's applications.
#
# A round runs COPIES jobs of every application in APPS at the same time,
# each as 3 ranks on nodes 1-3 in a random placement, and kills node 2 or
# 3 once: every job has a rank there, the master or a worker.  The jobs
# start at staggered moments so that the crash finds each at a random
# share (5-95 %) of its run, as timed in a failure-free round of the same
# jobs.  Each job is one trial:
#   recovered   status 0 and the failure-free run's output, byte for byte
#   refused     the job stopped with mlog-recoverd's plain report that no
#               consistent state can be recovered
#   unaffected  status 0 and the same output, but no rank was restarted:
#               the crash found the job's rank on that node already ended
#               (not counted among the trials)
#   wrong       status 0 and another output: must never happen
#   unstarted   mlog-run could not submit the job (status 125 before any
#               rank started: mlog-recoverd did not answer within mlog-run's
#               5 s, or had just declared the chosen node failed).  The
#               five guests share two cores and at times one does not run
#               for several seconds; such a job tested no recovery and is
#               not counted among the trials (the tally says how many)
#   failed      anything else (a hang, a stop without the report)
# Each restarted rank's line gives its RSN in a sample of its node taken
# at least half a second before the crash, and the RSN its replay reached.
# Every message a rank had received by then was logged by a sender on a
# surviving node (one rank per node) and its RSN had gone back to that
# sender, so a replay that ends below it is a lost log entry: counted as
# "short" and a failure of the run.
# The crashed node is then booted again and joins the cluster.  Prints the
# tally per application and, over the recovered trials, the median time
# of each recovery phase as mlog-run narrated it; passes when nothing was
# wrong, failed or short and every application had its TRIALS trials.
# TRIALS (default 100) trials per application
# (rounds go on until each application has had as many recovered,
# refused, wrong or failed ones, or 3 times as many rounds), APPS
# (default "nqueens tsp gauss"), COPIES (default 1) jobs per application
# and round; SEED (default: random, printed) seeds $RANDOM.
set -u
MLOG_REPO=${MLOG_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$MLOG_REPO/selftests/mlog/lib.sh"
A=$MLOG_REPO/build/user/apps
S=$MLOG_SHARED/crash-trials
TRIALS=${TRIALS:-100}
APPS=${APPS:-nqueens tsp gauss}
COPIES=${COPIES:-1}
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
now_ms() { date +%s%3N; }

# The jobs of a round: "APP COPY" pairs.
slots=()
for app in $APPS; do
	for c in $(seq "$COPIES"); do slots+=("$app $c"); done
done

# start_round NAME: start every slot's job of round NAME.  Once lengths
# are known (len), at staggered moments: the crash at $crash_at (ms after
# the start of the round) finds job j at share[j] % of its length.
declare -A len share placement name_of begin
start_round() {
	local round=$1 slot app c t0
	crash_at=0
	for slot in "${slots[@]}"; do
		share[$slot]=$((5 + RANDOM % 91))
		placement[$slot]=${PLACEMENTS[$((RANDOM % ${#PLACEMENTS[@]}))]}
		begin[$slot]=$((share[$slot] * ${len[$slot]:-0} / 100))
		[ "${begin[$slot]}" -le "$crash_at" ] || crash_at=${begin[$slot]}
	done
	# begin: how long before the crash the job starts; now from the round's start.
	for slot in "${slots[@]}"; do begin[$slot]=$((crash_at - begin[$slot])); done
	t0=$(now_ms)
	for slot in $(for s in "${slots[@]}"; do echo "${begin[$s]} ${s/ /:}"; done |
		sort -n | cut -d' ' -f2); do
		slot=${slot/:/ }
		read -r app c <<<"$slot"
		while [ $(($(now_ms) - t0)) -lt "${begin[$slot]}" ]; do sleep 0.1; done
		name_of[$slot]=$app-$round-$c
		# shellcheck disable=SC2046  # the program's words
		job "${name_of[$slot]}" "${placement[$slot]}" $(program "$app")
		now_ms >"$S/${name_of[$slot]}.t0"
	done
	round_t0=$t0
}

# classify SLOT: the class of the slot's job of this round.
classify() {
	local n=${name_of[$1]} st
	st=$(finish "$n")
	if [ "$st" = 0 ] && cmp -s "$S/${1% *}-ref.out" "$S/$n.out"; then
		if grep -q '^mlog-run: rank [0-9]* (host [0-9]*) restarting' "$S/$n.err"; then
			echo recovered
		else
			echo unaffected
		fi
	elif [ "$st" = 0 ]; then
		echo wrong
	elif grep -q "cannot recover without rolling back survivors" "$S/$n.err"; then
		echo refused
	elif [ "$st" = 125 ] && ! grep -q '^mlog-run: rank ' "$S/$n.err" &&
		grep -Eq '^mlog-run: (the mlog daemons are unreachable|unknown node id)' "$S/$n.err"; then
		echo unstarted
	else
		echo failed
	fi
}

echo "# crash trials: $TRIALS per application ($APPS), $COPIES per application and round, SEED=$SEED"
wait_cluster 1,2,3 || echo "# the daemons did not come up"
n_apps=0
for app in $APPS; do n_apps=$((n_apps + 1)); done
ksft_plan $((2 * n_apps))

# Failure-free: each application alone (the output to compare with), then
# a round of all the jobs together (each job's length under that load).
for app in $APPS; do
	# shellcheck disable=SC2046  # the program's words
	reference "$app-ref" 1,2,3 $(program "$app")
	check "$app: failure-free run, status 0" test "$(cat "$S/$app-ref.status")" = 0
done
start_round ref
left=${#slots[@]}
deadline=$(($(now_ms) + 600000))
while [ "$left" -gt 0 ] && [ "$(now_ms)" -lt "$deadline" ]; do
	for slot in "${slots[@]}"; do
		n=${name_of[$slot]}
		if [ -z "${len[$slot]:-}" ] && [ -s "$S/$n.status" ]; then
			len[$slot]=$(($(now_ms) - $(cat "$S/$n.t0")))
			left=$((left - 1))
		fi
	done
	sleep 0.2
done
for slot in "${slots[@]}"; do
	n=${name_of[$slot]}
	case $(classify "$slot") in
	unaffected | recovered) ;;
	*) echo "# $n: the failure-free round differs: $(cat "$S/$n.err")" ;;
	esac
	echo "# $n: ${len[$slot]:-?} ms in a round of ${#slots[@]} jobs"
done

declare -A tally
for app in $APPS; do
	for k in recovered refused wrong failed unaffected unstarted short; do tally[$app.$k]=0; done
done
# Trials of APP so far: the jobs a crash hit.
trials_of() { echo $((tally[$1.recovered] + tally[$1.refused] + tally[$1.wrong] + tally[$1.failed])); }
enough() {
	local app
	for app in $APPS; do [ "$(trials_of "$app")" -ge "$TRIALS" ] || return 1; done
}
max_rounds=$((3 * ((TRIALS + COPIES - 1) / COPIES)))

# replays SLOT SAMPLES: a line per restarted rank of the slot's job, with
# its RSN in SAMPLES (the crashed node's samples); status 1 when a replay
# ended below that RSN.
replays() {
	local n=${name_of[$1]} r h z y x st=0
	while read -r r h z; do
		y=$(sed -n "s/^mlog-run: rank $r replayed \([0-9]*\) messages.*/\1/p" "$S/$n.err" | head -n1)
		x=$(rsn_before "$2" "$h")
		if [ "$x" = - ]; then
			echo "# $n: rank $r (host $h): not on the crashed node, replay to $z, replayed ${y:-?}"
		else
			echo "# $n: rank $r (host $h): RSN >= $x before the crash, replay to $z, replayed ${y:-?}"
			[ "$z" -ge "$x" ] || st=1
		fi
	done < <(sed -n 's/^mlog-run: rank \([0-9]*\) (host \([0-9]*\)) restarting on .*, replaying \([0-9]*\) logged messages$/\1 \2 \3/p' \
		"$S/$n.err")
	return $st
}

# Jobs mlog-recoverd has taken so far: a round's crash waits until it has
# taken every job of the round, or a late job would find its node gone.
RLOG=$MLOG_SHARED/daemons/mlog-recoverd-node1.log
taken() { grep -c '^mlog-recoverd: job [0-9]* (.*): [0-9]* ranks' "$RLOG"; }
taken_at_least() { [ "$(taken)" -ge "$1" ]; }
for i in 1 2 3; do sample_hosts "$i"; done
rounds=0
while ! enough && [ "$rounds" -lt "$max_rounds" ]; do
	rounds=$((rounds + 1)) round=$rounds
	victim=$((2 + RANDOM % 2))
	before=$(taken)
	start_round "$round"
	poll 120 taken_at_least $((before + ${#slots[@]})) ||
		echo "# round $round: mlog-recoverd did not take every job"
	while [ $(($(now_ms) - round_t0)) -lt "$crash_at" ]; do sleep 0.1; done
	cp "$S/hosts.node$victim" "$S/round-$round.samples"
	vm-ctl crash "$victim"
	echo "# round $round: node $victim crashed $crash_at ms after the first start"
	for slot in "${slots[@]}"; do
		app=${slot% *} n=${name_of[$slot]}
		class=$(classify "$slot")
		tally[$app.$class]=$((tally[$app.$class] + 1))
		echo "# $n: ranks on ${placement[$slot]}, crashed at ~${share[$slot]} %," \
			"status $(cat "$S/$n.status" 2>/dev/null): $class"
		replays "$slot" "$S/round-$round.samples" || {
			tally[$app.short]=$((tally[$app.short] + 1))
			echo "# $n: a replay ended below what the rank had received"
		}
		case $class in recovered | unaffected) ;; *) sed "s/^/# $n: /" "$S/$n.err" ;; esac
		echo "$class" >"$S/$n.class"
	done
	vm-ctl boot "$victim" >/dev/null || echo "# node $victim: boot failed"
	wait_cluster 1,2,3 || echo "# the cluster did not come back"
	sample_hosts "$victim"
done

for app in $APPS; do
	line="$app: $(trials_of "$app") trials, ${tally[$app.recovered]} recovered,"
	line+=" ${tally[$app.refused]} refused as unrecoverable, ${tally[$app.wrong]} wrong answers,"
	line+=" ${tally[$app.failed]} failed, ${tally[$app.short]} short replays"
	line+=" (${tally[$app.unaffected]} more jobs ended before the crash found them,"
	line+=" ${tally[$app.unstarted]} could not be submitted)"
	echo "# tally: $line"
	echo "$line" >>"$S/tally"
	# The recovery phases of the recovered trials, as mlog-run narrated them.
	times=$(python3 "$MLOG_REPO/selftests/mlog/recovery_times.py" "$app" "$S")
	echo "# recovery: $times"
	echo "$app recovery: $times" >>"$S/tally"
	# nothing wrong, failed or short, and as many trials as asked for:
	# a run whose jobs could not even start must not pass
	check "$line" test "$((tally[$app.wrong] + tally[$app.failed] + tally[$app.short]))" = 0 \
		-a "$(trials_of "$app")" -ge "$TRIALS"
done
ksft_totals
