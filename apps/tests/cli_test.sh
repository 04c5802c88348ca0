#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The applications' command lines without a kernel: --help, bad usage
# (exit 2, one line on stderr, before any socket), and a missing or bad
# rank environment (exit 2 with the reason), then no AF_MLOG (exit 1).
dir=${1:?usage: cli_test.sh DIR-WITH-nqueens-tsp-gauss}
fail=0
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

# expect STATUS PATTERN APP [ARGS...]: exit STATUS, nothing on stdout, one
# line on stderr that starts with "mlog-APP: " and contains PATTERN.
expect() {
	local st=$1 pat=$2 app=$3 rc lines
	shift 3
	"$dir/$app" "$@" >"$out" 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	if [ "$rc" -ne "$st" ] || [ "$lines" -ne 1 ] || [ -s "$out" ] ||
	   ! grep -q "^mlog-$app: .*$pat" "$err"; then
		echo "FAIL: $app $* (env: $(env | grep '^MLOG_' | tr '\n' ' ')): exit $rc, want $st and '$pat'; stderr:"
		sed 's/^/    /' "$err"
		fail=1
	fi
}

unset MLOG_RANK MLOG_SIZE MLOG_JOB MLOG_HOST_BASE MLOG_FAMILY MLOG_PEERS
for app in nqueens tsp gauss; do
	help=$("$dir/$app" --help) || { echo "FAIL: $app --help exits $?"; fail=1; }
	for opt in --size --seed --check --verbose --help "Usage: mlog-$app"; do
		case $help in
		*"$opt"*) ;;
		*) echo "FAIL: $app --help does not mention '$opt'"; fail=1 ;;
		esac
	done
	expect 2 "bad option '--bogus' (see --help)" $app --bogus
	expect 2 "bad option '-x'" $app -x
	expect 2 "bad --size '0'" $app --size 0
	expect 2 "bad --size 'x'" $app --size x
	expect 2 "bad --size ''" $app --size ''
	expect 2 "bad --size '-3'" $app --size -3
	expect 2 "bad --size '99999'" $app --size 99999
	expect 2 "bad --seed '-1'" $app --seed -1
	expect 2 "bad --seed '18446744073709551616'" $app --seed 18446744073709551616
	expect 2 "bad option '--size'" $app --size
	expect 2 "unexpected argument 'extra'" $app extra

	expect 2 "MLOG_RANK is not set: run under mlog-run, or set MLOG_RANK, MLOG_SIZE and MLOG_PEERS" $app
	MLOG_RANK=0 expect 2 "MLOG_SIZE is not set" $app
	MLOG_RANK=3 MLOG_SIZE=3 expect 2 "MLOG_RANK='3' is not a rank of this job (want 0..2)" $app
	MLOG_RANK=0 MLOG_SIZE=0 expect 2 "MLOG_SIZE='0' is not a number of ranks" $app
	MLOG_RANK=x MLOG_SIZE=2 expect 2 "MLOG_RANK='x'" $app
	export MLOG_RANK=0 MLOG_SIZE=2 MLOG_FAMILY=19
	MLOG_FAMILY=300 expect 2 "MLOG_FAMILY='300' is not an address family number" $app
	MLOG_PEERS=10.0.0.1 expect 2 "MLOG_PEERS lists 1 addresses, MLOG_SIZE is 2" $app
	MLOG_PEERS=10.0.0.1,10.0.0.2,10.0.0.3 expect 2 "MLOG_PEERS lists 3 addresses" $app
	MLOG_PEERS=10.0.0.1,10.0.0 expect 2 "MLOG_PEERS: '10.0.0' is not an IPv4 address" $app
	MLOG_PEERS=10.0.0.1, expect 2 "MLOG_PEERS: '' is not an IPv4 address" $app
	expect 2 "MLOG_HOST_BASE is not set: run under mlog-run, or set MLOG_PEERS" $app
	MLOG_HOST_BASE=0 expect 2 "MLOG_HOST_BASE='0' is not a host index" $app
	# The build host has no mlog.ko: a good environment gets as far as
	# the socket, in both address forms.
	if [ ! -e /sys/module/mlog ]; then
		MLOG_PEERS=10.0.0.1,10.0.0.2 expect 1 "cannot open an AF_MLOG socket (family 19).*is mlog.ko loaded" $app
		MLOG_HOST_BASE=7 expect 1 "cannot open an AF_MLOG socket" $app
		unset MLOG_FAMILY
		MLOG_HOST_BASE=7 expect 2 "MLOG_FAMILY is not set and /sys/module/mlog/parameters/family cannot be read" $app
	fi
	unset MLOG_RANK MLOG_SIZE MLOG_FAMILY
done
expect 2 "--check needs --cities 20 or fewer" tsp --cities 21 --check
expect 2 "bad --cities '2'" tsp --cities 2
expect 2 "bad --chunk '10'" gauss --chunk 10
expect 2 "bad --size '21'" nqueens --size 21

[ $fail -eq 0 ] && echo "apps cli: ok"
exit $fail
