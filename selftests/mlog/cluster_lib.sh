# SPDX-License-Identifier: GPL-2.0
# Helpers of the host scripts that run jobs under mlog-run on a cluster of
# "scripts/vm-run --cluster" and inject failures (sourced, after lib.sh).
# The caller sets S, a directory under $MLOG_SHARED for the jobs' files.
# shellcheck shell=bash

on() { vm-ctl exec "$@" | sed 's/^\[node[0-9]*\] //'; }

# wait_cluster NODES: wait (bounded) until mlog-recoverd knows the nodes
# of the comma list NODES; fails if it never does.
wait_cluster() {
	local n
	n=$(tr ',' '\n' <<<"$1" | wc -l)
	poll 120 sh -c "vm-ctl exec 1 sh -c 'cd $S && mlog-run -n $n --nodes $1 -- true' \
		>/dev/null 2>&1"
}

# Each node keeps writing "INDEX RSN" of its newest protected host (the
# messages its rank has received) to $S/rsn.nodeN: reading it from here
# is immediate, where a vm-ctl exec takes a second or more.  Host indices
# only grow, so a sample of an earlier job's host is told apart.
sample_rsn() {
	vm-ctl exec-bg "$1" sh -c "while :; do
		mlogctl --json hosts 2>/dev/null |
			jq -r 'max_by(.index) // {index: 0, rsn: 0} | \"\\(.index) \\(.rsn)\"' \
			>$S/rsn.node$1.tmp && mv -f $S/rsn.node$1.tmp $S/rsn.node$1
		sleep 0.2
	done" >/dev/null
}
# rsn_on NODE: the RSN of NODE's host if it is newer than host $floor.
rsn_on() {
	local idx='' r=''
	if [ -e "$S/rsn.node$1" ]; then read -r idx r <"$S/rsn.node$1" || true; fi
	[[ "$idx" =~ ^[0-9]+$ && "$r" =~ ^[0-9]+$ ]] || { echo 0; return; }
	[ "$idx" -gt "$floor" ] && echo "$r" || echo 0
}
# The newest host index sampled on any node: the next job's hosts are above.
floor=0
raise_floor() {
	local f idx r
	for f in "$S"/rsn.node*; do
		idx='' r=''
		[ -e "$f" ] || continue
		read -r idx r <"$f" || true
		[[ "$idx" =~ ^[0-9]+$ ]] && [ "$idx" -gt "$floor" ] && floor=$idx
	done
	:
}

# sample_hosts NODE: every half second, append the "INDEX RSN" of each
# protected host on NODE to $S/hosts.nodeNODE, after a "sample N" line.
sample_hosts() {
	vm-ctl exec-bg "$1" sh -c "n=0; while :; do
		n=\$((n + 1))
		{ echo sample \$n; mlogctl --json hosts 2>/dev/null |
			jq -r '.[] | \"\\(.index) \\(.rsn)\"'; } >>$S/hosts.node$1
		sleep 0.5
	done" >/dev/null
}
# rsn_before FILE HOST: HOST's RSN in the newest sample of FILE (a copy of
# a sample_hosts file) but one, the newest that was complete for sure; "-"
# when HOST is not in it (not on that node, or not registered yet).
rsn_before() {
	awk -v h="$2" '$1 == "sample" { prev = cur; cur = ""; next }
		$1 == h { cur = $2 } END { print prev == "" ? "-" : prev }' "$1"
}

# job NAME NODES PROGRAM...: PROGRAM as one rank per node of NODES (a
# comma list) under mlog-run on node 1, in the background; $S/NAME.status
# appears when it ends.
job() {
	local name=$1 nodes=$2 n
	shift 2
	n=$(tr ',' '\n' <<<"$nodes" | wc -l)
	rm -f "$S/$name".*
	raise_floor
	vm-ctl exec-bg 1 sh -c "cd $S && mlog-run -n $n --nodes $nodes -- $* \
		>$S/$name.out 2>$S/$name.err; echo \$? >$S/$name.status" >/dev/null
}

# finish NAME: wait (bounded) for job NAME; its status on stdout.
finish() {
	poll 600 test -s "$S/$1.status" || echo "# $1: did not end"
	cat "$S/$1.status" 2>/dev/null || echo none
}

# reference NAME NODES PROGRAM...: a failure-free run; sets $total to the
# messages its rank 0 received (as far as sampled) and $ref_ms to its time.
reference() {
	local name=$1 nodes=$2 r t
	shift 2
	total=0
	t=$(date +%s%3N)
	job "$name" "$nodes" "$@"
	while [ ! -s "$S/$name.status" ]; do
		r=$(rsn_on "${nodes%%,*}")
		[ "$r" -le "$total" ] || total=$r
		sleep 0.1
	done
	ref_ms=$(($(date +%s%3N) - t))
	echo "# $name: $(cat "$S/$name.out"), ${ref_ms} ms, rank 0 received >= $total messages" \
		"(last sample of node ${nodes%%,*}: $(cat "$S/rsn.node${nodes%%,*}" 2>/dev/null))"
}

# at_share NAME NODE0 SHARE: wait until job NAME is SHARE percent through
# (rank 0, on NODE0, has received SHARE percent of $total messages, or
# SHARE percent of $ref_ms has passed: a sample takes a second or two in a
# TCG guest and may miss a short-lived host), or has ended (status 1).
at_share() {
	local t0
	t0=$(date +%s%3N)
	while [ ! -s "$S/$1.status" ]; do
		[ "$total" = 0 ] || [ $(($(rsn_on "$2") * 100)) -lt $((total * $3)) ] || return 0
		[ $((($(date +%s%3N) - t0) * 100)) -lt $((ref_ms * $3)) ] || return 0
		sleep 0.1
	done
	return 1
}

# at_lines NAME PATTERN N: wait until job NAME's stderr (as mlog-run
# passes it on) has N lines matching PATTERN; status 1 if the job ends
# first.
at_lines() {
	local n
	while [ ! -s "$S/$1.status" ]; do
		n=$(grep -c -- "$2" "$S/$1.err" 2>/dev/null)
		[ "${n:-0}" -lt "$3" ] || return 0
		sleep 0.1
	done
	return 1
}

same_as_ref() {
	[ "$(cat "$S/$2.status" 2>/dev/null)" = 0 ] && cmp -s "$S/$1.out" "$S/$2.out"
}

