#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# mlog-run without daemons: bad usage exits 2 with one line; a run that
# cannot start (module not loaded, daemons not running) exits non-zero
# with one clear line.
run=${1:?usage: cli_test.sh PATH-TO-MLOG-RUN}
fail=0
err=$(mktemp)
state=$(mktemp -d)
trap 'rm -rf "$err" "$state"' EXIT

check() {
	want=$1
	shift
	"$run" "$@" >/dev/null 2>"$err"
	rc=$?
	lines=$(wc -l <"$err")
	if { [ "$want" = usage ] && [ "$rc" -ne 2 ]; } || [ "$rc" -eq 0 ] || [ "$lines" -ne 1 ] ||
		! grep -q '^mlog-run: ' "$err"; then
		echo "FAIL: mlog-run $*: exit $rc, $lines stderr lines:"
		sed 's/^/    /' "$err"
		fail=1
	fi
}

"$run" --help | grep -q -- '--label' || { echo "FAIL: --help"; fail=1; }
check usage
check usage -n 2
check usage -n 0 -- true
check usage -n two -- true
check usage -n 1 --nodes x -- true
check usage -n 1 --frob -- true
check usage -- true
check fail -n 1 --state-dir "$state" -- true
if [ -r /sys/module/mlog/parameters/family ]; then
	grep -q 'not running' "$err" || { echo "FAIL: no daemons: $(cat "$err")"; fail=1; }
else
	grep -q 'not loaded' "$err" || { echo "FAIL: no module: $(cat "$err")"; fail=1; }
fi
[ $fail -eq 0 ] && echo "mlog-run cli: ok"
exit $fail
