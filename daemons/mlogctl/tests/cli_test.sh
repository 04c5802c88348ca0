#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mlogctl's command line without a kernel: --help names every verb, and
# bad usage exits 2 with a one-line reason before touching netlink.
mlogctl=${1:?usage: cli_test.sh PATH-TO-MLOGCTL}
fail=0
err=$(mktemp)
trap 'rm -f "$err"' EXIT

help=$("$mlogctl" --help) || { echo "FAIL: --help exits $?"; fail=1; }
for verb in status "node show" "node set" stats peers sockets "events [--count N] [--timeout SECONDS]" --json; do
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

[ "$fail" -eq 0 ] && echo "mlogctl command line: ok"
exit "$fail"
