#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh SECONDS TARGET...: build and fuzz each target for SECONDS on a
# scratch copy of its corpus; called by "make -C fuzz run" with OUT, FUZZ
# and MAKE in the environment.  Prints "fuzz: N passed, N failed" last and
# exits 1 if any target failed (did not build, crashed, found a bug).

secs=$1
shift
passed=0
failed=0

for t in "$@"; do
	bin="$OUT/${t}_fuzz"
	dir="$OUT/run/$t"

	if ! $MAKE --no-print-directory -C "$FUZZ" O="$OUT" "$bin"; then
		echo "fuzz: $t: build failed"
		failed=$((failed + 1))
		continue
	fi

	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp -R "$FUZZ/corpus/$t/." "$dir/corpus/"
	dict=
	[ -f "$FUZZ/$t.dict" ] && dict="-dict=$FUZZ/$t.dict"

	echo "fuzz: $t: ${secs}s, log in $dir/log"
	start=$(date +%s)
	# -max_total_time bounds the run; timeout(1) only guards a hang.
	UBSAN_OPTIONS=print_stacktrace=1 \
	timeout -k 5 $((secs + 30)) "$bin" -max_len=4096 \
		-max_total_time="$secs" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/" $dict "$dir/corpus" \
		>"$dir/log" 2>&1
	rc=$?
	end=$(date +%s)

	last=$(grep -E '^#[0-9]+' "$dir/log" | tail -n 1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log")
	rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$dir/log")
	echo "fuzz: $t: $last"
	echo "fuzz: $t: ${execs:-?} execs, ${rate:-?} exec/s, peak rss ${rss:-?} MB, corpus $(ls "$dir/corpus" | wc -l) files, $((end - start))s wall, exit $rc"

	if [ "$rc" -ne 0 ] || [ -n "$(ls "$dir/artifacts")" ]; then
		echo "fuzz: $t: FAILED; last lines of the log:"
		tail -n 40 "$dir/log" | sed 's/^/    /'
		for a in "$dir"/artifacts/*; do
			[ -e "$a" ] && echo "fuzz: $t: reproduce with: $bin $a"
		done
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done

echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
