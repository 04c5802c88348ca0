#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# What a user without privilege on the node can do with mlog.ko from a
# user namespace of their own (and a network namespace it owns, where
# mlogctl has CAP_NET_ADMIN):
#
#   host     registering root's process (in a PID namespace of root's) as a
#            protected host is refused with EPERM and a clear message;
#            registering their own process (in a PID namespace of their
#            user namespace) works
#   log      a log cap above the module's log_limit_kb is refused there;
#            one below it is taken; root, in a network namespace of the
#            initial user namespace, sets a larger one
#
# Needs unprivileged user namespaces (Debian's default) and user nobody.
set -u
. "$(dirname "$0")/lib.sh"

ksft_plan 7

# as_nobody CMD...: CMD as user nobody, in a user and network namespace
# of its own (root there, mapped to nobody outside).
as_nobody() {
	setpriv --reuid 65534 --regid 65534 --clear-groups -- unshare -Urn -- "$@"
}

# in_pidns: start "sleep 600" as the first process of a new PID namespace;
# prints its PID as seen from here, and the unshare's PID to kill.
in_pidns() {
	unshare -pf -- sleep 600 >/dev/null 2>&1 &
	local u=$! p=
	for _ in $(seq 50); do
		p=$(pgrep -P "$u") && break
		sleep 0.1
	done
	echo "$p $u"
}

read -r root_proc root_unshare <<<"$(in_pidns)"
check "host: root's process in a PID namespace of its own started" test -n "$root_proc"

out=$(as_nobody "$MLOGCTL" host add --index 7 --pid "$root_proc" 2>&1)
rc=$?
echo "# $out"
check "host: another user may not make a host of root's process" test "$rc" -ne 0
check "host: ... and is told why" grep -q 'not permitted' <<<"$out"
kill "$root_unshare" 2>/dev/null

# Their own process: the PID namespace is created inside their user
# namespace, so they administer it.  (The script expands in the child.)
# shellcheck disable=SC2016
out=$(as_nobody sh -c '
	unshare -pf -- sleep 600 >/dev/null 2>&1 & u=$!
	for i in $(seq 50); do p=$(pgrep -P $u) && break; sleep 0.1; done
	"$0" host add --index 7 --pid "$p"; rc=$?
	kill $u; exit $rc' "$MLOGCTL" 2>&1)
rc=$?
echo "# $out"
check "host: a user makes a host of their own process" test "$rc" -eq 0

limit_kb=$(cat /sys/module/mlog/parameters/log_limit_kb)
[ "$limit_kb" != 0 ] ||
	limit_kb=$(awk '/^MemTotal:/ { print int($2 / 4) }' /proc/meminfo)
out=$(as_nobody "$MLOGCTL" log set --max-bytes "$(((limit_kb + 1024) * 1024))" 2>&1)
rc=$?
echo "# $out"
refused() { [ "$1" -ne 0 ] && grep -q 'log_limit_kb' <<<"$2"; }
check "log: a cap above log_limit_kb is refused in a user's namespace" refused "$rc" "$out"
check "log: a 1 MiB cap is taken there" as_nobody "$MLOGCTL" log set --max-bytes 1M
check "log: root sets a cap above the limit" \
	unshare -n -- "$MLOGCTL" log set --max-bytes "$(((limit_kb + 1024) * 1024))"

ksft_totals
