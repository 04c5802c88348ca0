#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The daemons' command lines without a kernel: --help works, bad usage is
# refused with a non-zero exit before anything starts.
dir=${1:?usage: daemons_cli_test.sh BUILD-DIR}
fail=0
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
recoverd=$dir/recoverd/mlog-recoverd
ckptd=$dir/ckptd/mlog-ckptd
logd=$dir/logd/mlog-logd

refused() {
	if "$@" >/dev/null 2>&1; then
		echo "FAIL: accepted: $*"
		fail=1
	fi
}
for d in "$recoverd" "$ckptd" "$logd"; do
	"$d" --help | grep -q -- '--port' || { echo "FAIL: $d --help"; fail=1; }
	refused "$d" --bogus
	refused "$d" --state-dir "$state" --port 0
	refused "$d" --state-dir "$state" --port x
done
refused "$recoverd"
refused "$recoverd" --state-dir /no/such/dir
refused "$recoverd" --state-dir "$state" --heartbeat-ms 500 --timeout-ms 400
refused "$recoverd" --state-dir "$state" --timeout-ms soon
refused "$ckptd"
refused "$ckptd" --state-dir /no/such/dir
refused "$ckptd" --state-dir "$state" --spare=maybe
# Without the module each of them says so and exits non-zero.
if [ ! -r /sys/module/mlog/parameters/family ]; then
	for d in "$recoverd --state-dir $state" "$ckptd --state-dir $state" "$logd"; do
		msg=$($d 2>&1 >/dev/null)
		case $msg in
		*"not loaded"*) ;;
		*) echo "FAIL: $d without the module: $msg"; fail=1 ;;
		esac
	done
fi
[ $fail -eq 0 ] && echo "daemons cli: ok"
exit $fail
