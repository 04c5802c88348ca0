#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mlogctl's command line without a kernel: --help names every verb, and
# bad usage exits 2 with a one-line reason before touching netlink.
mlogctl=${1:?usage: cli_test.sh PATH-TO-MLOGCTL}
fail=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

help=$("$mlogctl" --help) || { echo "FAIL: --help exits $?"; fail=1; }
for verb in status "node show" "node set" stats peers sockets "events [--count N] [--timeout SECONDS]" \
	"host add" "host del" "host show" hosts "host set" "log [show]" "log set" "log dump" \
	"log purge" "history --host H" "route set" "route del" routes --json; do
	case $help in
	*"$verb"*) ;;
	*) echo "FAIL: --help does not mention '$verb'"; fail=1 ;;
	esac
done

usage() {
	"$mlogctl" "$@" >/dev/null 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	if [ "$rc" -ne 2 ] || [ "$lines" -ne 1 ] || ! grep -q '^mlogctl: ' "$err"; then
		echo "FAIL: mlogctl $*: exit $rc, $lines stderr lines:"
		sed 's/^/    /' "$err"
		fail=1
	fi
}

usage
usage --bogus
usage frobnicate
usage stats extra
usage peers --count 1
usage sockets x
usage status now
usage node
usage node show x
usage node set
usage node set --port 0
usage events --count
usage events --count 0
usage events --count -1
usage events --timeout 0
usage events --timeout soon
usage events --count 1 --count 2
usage events --wait
usage host
usage host frob
usage host add
usage host add --index 1
usage host add --index 0 --pid 1
usage host add --index 1 --pid 0
usage host add --index 1 --pid 1 --incarnation -1
usage host add --index 1 --pid 1 extra
usage host del
usage host del --index x
usage host show
usage hosts --index 1
usage host set --index 1
usage host set --rsn 1
usage host set --index 1 --dep 2
usage host set --index 1 --dep 0:1
usage host set --index 1 --dep 2:1 --dep 2:3
usage host set --index 1 --dep 2:1 --no-deps
usage host set --index 1 --purge-history
usage log x
usage log show x
usage log set
usage log set --max-bytes lots
usage log set --piggyback yes
usage log set --ranges
usage log set --rsn-delay-us 4294967296
usage log dump --dst-host 0
usage log dump --data x
usage log dump --from-rsn
usage log purge
usage log purge --upto 5
usage log purge --dst-host 1 --src-host 2
usage route
usage route frob
usage route set
usage route set --host 1
usage route set --node 192.0.2.1
usage route set --host 0 --node 192.0.2.1
usage route set --host 1 --node nowhere
usage route set --host 1 --node 192.0.2.1 --state dead
usage route set --host 1 --node 192.0.2.1 --incarnation -1
usage route set --host 1 --node 192.0.2.1 --replayed x
usage route set --host 1 --node 192.0.2.1 --host 2
usage route del
usage route del --host x
usage route del --host 1 extra
usage routes --host 1
usage log purge --src-host 1 --upto 2
usage history
usage history --host 0
usage history --host 1 --host 2
usage --json history 1

# Every command has its own --help, which needs no kernel and exits 0.
for cmd in "host add" "host del" "host show" hosts "host set" log "log set" "log dump" "log purge" \
	history status "node set" events; do
	# shellcheck disable=SC2086 # split the command words
	out=$("$mlogctl" $cmd --help 2>"$err")
	rc=$?
	case $out in
	*"  $cmd"*) ;;
	*) echo "FAIL: mlogctl $cmd --help does not describe '$cmd'"; fail=1 ;;
	esac
	if [ "$rc" -ne 0 ] || [ -s "$err" ]; then
		echo "FAIL: mlogctl $cmd --help: exit $rc"
		fail=1
	fi
done

[ "$fail" -eq 0 ] && echo "mlogctl command line: ok"
exit "$fail"
