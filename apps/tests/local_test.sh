#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The applications' protocols on the build host, without a kernel: every
# rank is a local process and fake_mlog.so (LD_PRELOAD) stands in for
# AF_MLOG SOCK_RDM.  Checks known results and that stdout is the same for
# 1 to 5 ranks, in both address forms and with large data split small.
# The real thing, in QEMU over mlog.ko: selftests/mlog/apps_3nodes.sh.
dir=${1:?usage: local_test.sh DIR-WITH-APPS FAKE_MLOG.so}
fake=${2:?usage: local_test.sh DIR-WITH-APPS FAKE_MLOG.so}
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
runs=0

# run N APP ARGS...: N ranks of APP; rank 0's stdout in $tmp/out.  Node
# form unless HOST_FORM=1.  Fails if any rank fails or takes over 120 s.
run() {
	local n=$1 app=$2 r rc st=0 pids=() peers
	shift 2
	runs=$((runs + 1))
	peers=$(yes 127.0.0.1 | head -n "$n" | paste -sd,)
	for ((r = n - 1; r >= 0; r--)); do
		if [ "${HOST_FORM:-0}" = 1 ]; then
			env -u MLOG_PEERS MLOG_HOST_BASE=11 MLOG_RANK=$r MLOG_SIZE=$n \
				timeout 120 "$dir/$app" "$@" >"$tmp/out.$r" 2>"$tmp/err.$r" &
		else
			MLOG_PEERS=$peers MLOG_RANK=$r MLOG_SIZE=$n \
				timeout 120 "$dir/$app" "$@" >"$tmp/out.$r" 2>"$tmp/err.$r" &
		fi
		pids[r]=$!
	done
	for ((r = 0; r < n; r++)); do
		wait "${pids[r]}"
		rc=$?
		[ $rc -eq 0 ] || { st=1; echo "# rank $r of $n: $app $*: exit status $rc"; }
	done
	cat "$tmp"/err.* | sed 's/^/# /'
	for ((r = 1; r < n; r++)); do
		[ -s "$tmp/out.$r" ] && { st=1; echo "# rank $r wrote to stdout"; }
	done
	cp "$tmp/out.0" "$tmp/out"
	return $st
}

# expect_out N APP ARGS... -- LINE: rank 0 prints exactly LINE.
expect_line() {
	local n=$1 line=${!#}
	set -- "${@:1:$#-2}"
	if ! run "$@" || [ "$(cat "$tmp/out")" != "$line" ]; then
		echo "FAIL: $n ranks: ${*:2}: got '$(cat "$tmp/out")', want '$line'"
		fail=1
	fi
}

# same APP ARGS...: the same stdout with 1..5 ranks, --check passing.
same() {
	local n ref
	run 1 "$@" --check || { echo "FAIL: 1 rank: $*"; fail=1; }
	ref=$(cat "$tmp/out")
	grep -q 'check ok' "$tmp/out" || { echo "FAIL: 1 rank: $*: no 'check ok'"; fail=1; }
	for n in 2 3 4 5; do
		if ! run $n "$@" --check || [ "$(cat "$tmp/out")" != "$ref" ]; then
			echo "FAIL: $n ranks: $*: got '$(cat "$tmp/out")', 1 rank '$ref'"
			fail=1
		fi
	done
}

export LD_PRELOAD=$fake MLOG_FAMILY=19 MLOG_FAKE_NS=local$$ MLOG_JOB=local
unset MLOG_PEERS MLOG_HOST_BASE

for n in 1 2 3 5; do
	expect_line $n nqueens --size 8 -- "nqueens: n=8 subproblems=42 solutions=92"
	expect_line $n nqueens --size 8 --static -- "nqueens: n=8 subproblems=42 solutions=92"
done
expect_line 3 nqueens --size 10 -- "nqueens: n=10 subproblems=72 solutions=724"
expect_line 1 nqueens --size 10 -- "nqueens: n=10 subproblems=72 solutions=724"
expect_line 4 nqueens --size 1 -- "nqueens: n=1 subproblems=1 solutions=1"
expect_line 4 nqueens --size 2 -- "nqueens: n=2 subproblems=0 solutions=0"
expect_line 4 nqueens --size 3 --static -- "nqueens: n=3 subproblems=2 solutions=0"
expect_line 2 nqueens --size 6 -- "nqueens: n=6 subproblems=20 solutions=4"
same nqueens --size 11

for c in 3 4 5 9 13; do
	same tsp --cities $c --seed 7
done
same tsp --cities 12

for n in 1 2 3 7 100; do
	same gauss --size $n --seed 3
done
# rows, pivot rows and results in 100-byte pieces: the splitting path
run 1 gauss --size 120 && ref=$(cat "$tmp/out")
for n in 2 3; do
	if ! run $n gauss --size 120 --chunk 100 || [ "$(cat "$tmp/out")" != "$ref" ]; then
		echo "FAIL: $n ranks: gauss --size 120 --chunk 100 differs from 1 rank"
		fail=1
	fi
done

# every rank returning its rows unasked
for n in 3 5; do
	if ! run $n gauss --size 120 --gather-at-once || [ "$(cat "$tmp/out")" != "$ref" ]; then
		echo "FAIL: $n ranks: gauss --size 120 --gather-at-once differs from 1 rank"
		fail=1
	fi
done

# host-form addresses (the default, under mlog-run)
for app in "nqueens --size 9" "tsp --cities 10" "gauss --size 60"; do
	# shellcheck disable=SC2086
	run 1 $app && ref=$(cat "$tmp/out")
	# shellcheck disable=SC2086
	if ! HOST_FORM=1 run 3 $app || [ "$(cat "$tmp/out")" != "$ref" ]; then
		echo "FAIL: host form, 3 ranks: $app: got '$(cat "$tmp/out")', want '$ref'"
		fail=1
	fi
done

[ $fail -eq 0 ] && echo "apps local: ok ($runs runs)"
exit $fail
