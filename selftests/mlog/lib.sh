# SPDX-License-Identifier: GPL-2.0
# TAP helpers for the shell selftests (sourced).
ksft_n=0
ksft_fail=0
ksft_pass=0
MLOGCTL=${MLOGCTL:-$MLOG_REPO/build/user/mlogctl/mlogctl}
DGRAM=${DGRAM:-$MLOG_REPO/build/selftests/mlog-dgram}

ksft_plan() { echo "TAP version 13"; echo "1..$1"; }

# ok CONDITION-EXIT-STATUS NAME
ksft_result() {
	ksft_n=$((ksft_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $ksft_n $2"
		ksft_pass=$((ksft_pass + 1))
	else
		echo "not ok $ksft_n $2"
		ksft_fail=$((ksft_fail + 1))
	fi
}

# check NAME COMMAND...: runs COMMAND, reports its status as a test.
check() {
	local name=$1
	shift
	"$@"
	ksft_result $? "$name"
}

ksft_totals() {
	echo "# Totals: pass:$ksft_pass fail:$ksft_fail xfail:0 xpass:0 skip:0 error:0"
	[ "$ksft_fail" -eq 0 ]
}

# mlogctl_in NETNS ARGS...: mlogctl ARGS in NETNS ("": this namespace)
mlogctl_in() {
	local ns=$1

	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$MLOGCTL" "$@"
	else
		"$MLOGCTL" "$@"
	fi
}

# stat NAME [NETNS]: one counter of mlogctl status --json
stat() {
	mlogctl_in "${2:-}" --json status | jq -r ".stats.$1"
}

# poll SECS CMD [ARGS...]: run CMD every 0.1 s until it succeeds, for at
# most SECS seconds; fails if it never does.
poll() {
	local n=$(($1 * 10))
	shift
	while ! "$@"; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# port_bound PORT [NETNS]: an AF_MLOG socket is bound to PORT.
port_bound() {
	mlogctl_in "${2:-}" --json sockets |
		jq -e --argjson p "$1" 'any(.[]; .port == $p)' >/dev/null
}

# wait_port PORT [NETNS]: wait (10 s at most) until an AF_MLOG socket is
# bound to PORT, so that a sender started next does not lose its first
# frames to a receiver that is not there yet (counted as rx_no_port and
# resent after a timeout, which upsets tests that count resent frames).
wait_port() {
	poll 10 port_bound "$@" && return 0
	echo "# no socket bound to port $1 after 10 s" >&2
	return 1
}

# The kernel must not have warned, oopsed or leaked a reference since boot.
kernel_clean() {
	! dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t' >&2
}
