#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sender-based pessimistic logging on three nodes, run on every node of
# "scripts/vm-run --nodes 3 --modprobe sch_netem".  Every program runs as
# a protected host (mlog-host-run); the traffic patterns are
#
#   rr     request-response: nodes 1 and 3 are clients of a server on node 2
#   blast  node 1 sends node 3 messages of random sizes up to 64 KiB
#   a2a    all to all: each node sends to the other two
#   dgram  datagrams (SOCK_DGRAM): nodes 1 and 3 run mlog-dgram ping
#          clients of an mlog-dgram echo server on node 2; ping sends a
#          lost request again as a new datagram, and retries its QUIT
#          until the server echoes it
#
# with every link losing, duplicating and reordering frames (netem), then
# rr also with RSN piggybacking and ranges switched off (SLOG_CLEAN=1 runs
# rr, blast and a2a on a clean network first).  After each pattern, once
# no SOCK_RDM log entry waits for its RSN and no RSN for its
# acknowledgment, every node dumps its log, RSN histories, hosts and
# counters into $MLOG_SHARED and node 1 checks the whole cluster with
# slog_check.py.  A lost datagram keeps a partial entry in its sender's
# log, which slog_check.py allows, but every datagram a receiver's history
# holds must be fully logged by its sender with that RSN; after dgram each
# node also checks that its host logged every datagram it sent.  Last,
# node 1 sends node 2 forged frames (RSN acks and RSNs never due, a host
# index out of range): node 2 must count them in sl_bad_range and
# sl_bad_host, and the cluster must still be consistent.
#
# SLOG_RR, SLOG_BLAST, SLOG_A2A, SLOG_DGRAM (messages per sender) and
# SLOG_TIMEOUT (seconds per pattern) override the defaults; SLOG_CLEAN=1
# adds the patterns on a clean network before the netem runs, and
# all-to-all without the optimisations.
set -u
. "$(dirname "$0")/lib.sh"
dir=$(cd "$(dirname "$0")" && pwd)
RDM=$MLOG_REPO/build/selftests/mlog-rdm
HOSTRUN=$MLOG_REPO/build/selftests/mlog-host-run
CHECK=$dir/slog_check.py
FORGE=$dir/slog_forge.py
RR=${SLOG_RR:-100}
BLAST=${SLOG_BLAST:-60}
A2A=${SLOG_A2A:-100}
DGRAMS=${SLOG_DGRAM:-60}
TMO=${SLOG_TIMEOUT:-600}
ID=$MLOG_NODE_ID
S=$MLOG_SHARED/slog
read -r -a addrs <<<"$MLOG_NODE_ADDRS"
NODES=${#addrs[@]}
node_addr() { echo "${addrs[$(($1 - 1))]}"; }

echo "TAP version 13"

# barrier NAME: wait until every node has reached NAME.
barrier() {
	local d=$S/barrier/$1 i
	mkdir -p "$d"
	touch "$d/node$ID"
	for ((i = 0; i < TMO * 10; i++)); do
		[ "$(ls "$d" | wc -l)" -ge "$NODES" ] && return 0
		sleep 0.1
	done
	echo "# barrier $1: only $(ls "$d" | tr '\n' ' ')after ${TMO}s"
	return 1
}

# wait_file FILE: wait until another node creates FILE.
wait_file() {
	local i
	for ((i = 0; i < TMO * 10; i++)); do
		[ -e "$1" ] && return 0
		sleep 0.1
	done
	echo "# $1 never appeared"
	return 1
}

# Host indices are cluster-unique: pattern, node and role.
hidx() { echo $((($1 - 1) * 9 + (ID - 1) * 3 + $2 + 1)); }

# spawn ROLE MODE ARGS...: run "mlog-rdm MODE ARGS" as protected host
# (pattern $pat, ROLE) in the background; it says when its work is done
# and then lingers until every node is quiet.
spawn() {
	local role=$1 mode=$2
	shift 2
	"$HOSTRUN" --index "$(hidx "$pat" "$role")" -- "$RDM" "$mode" "$@" \
		--id $((pat * 100 + ID * 10 + role)) --timeout "$TMO" \
		--done "$S/$pat/work/node$ID.$role" --linger "$S/$pat/quiet:$NODES" &
	pids+=("$!")
	what+=("$mode (host $(hidx "$pat" "$role")) exactly once, in order, byte for byte")
	roles+=("$role")
}

# spawn_dgram ROLE MODE WHAT ARGS...: the same with "mlog-dgram MODE ARGS",
# which must achieve WHAT; its output goes to $S/$pat/out/node$ID.$ROLE.
spawn_dgram() {
	local role=$1 mode=$2 goal=$3
	shift 3
	mkdir -p "$S/$pat/out"
	"$HOSTRUN" --index "$(hidx "$pat" "$role")" -- "$DGRAM" "$mode" "$@" \
		--done "$S/$pat/work/node$ID.$role" --linger "$S/$pat/quiet:$NODES" \
		>"$S/$pat/out/node$ID.$role" &
	pids+=("$!")
	what+=("$mode (host $(hidx "$pat" "$role")) $goal")
	roles+=("$role")
}

# quiesce: wait until no log entry lacks its RSN and no host waits for
# the acknowledgment of an RSN it returned.  A datagram's entry is the
# exception: if the datagram was lost, no RSN will ever come for it.
quiesce() {
	local i p='?' u='?'
	for ((i = 0; i < 120; i++)); do
		p=$("$MLOGCTL" --json log dump |
			jq '[.[] | select(.state != "full" and .dgram != true)] | length')
		u=$("$MLOGCTL" --json hosts | jq '[.[].unacked] | add // 0')
		[ "$p" = 0 ] && [ "$u" = 0 ] && return 0
		sleep 1
	done
	echo "# node $ID: still $p partially logged SOCK_RDM entries, $u unacknowledged RSNs"
	return 1
}

dump() {
	local d=$S/$pat/dump/node$ID h
	mkdir -p "$d"
	"$MLOGCTL" --json status >"$d/status.json"
	"$MLOGCTL" --json log dump >"$d/log.json"
	"$MLOGCTL" --json hosts >"$d/hosts.json"
	for h in $(jq -r '.[].index' "$d/hosts.json"); do
		"$MLOGCTL" --json history --host "$h" >"$d/hist-$h.json"
	done
}

# cluster_check TITLE: node 1 runs slog_check.py over every node's dump.
cluster_check() {
	local out st
	[ "$ID" = 1 ] || return 0
	out=$(python3 "$CHECK" "$S/$pat/dump/"node*)
	st=$?
	echo "$out" | sed 's/^/# /'
	ksft_result $st "$1: slog_check: the cluster's logs, histories and dependency vectors agree"
}

# pattern NUM NAME SETUP [AFTER]: run SETUP (which spawns this node's
# programs), then wait for them, for quiet, and check; AFTER, if given,
# runs once the programs have exited, before the dump.
pattern() {
	local name=$2 setup=$3 after=${4:-} i st
	pat=$1
	pids=()
	what=()
	roles=()
	mkdir -p "$S/$pat/work" "$S/$pat/quiet"
	barrier "start-$pat"
	echo "# ==== pattern $pat: $name"
	$setup
	# Wait for the local programs' work (or their exit), then for quiet.
	for i in "${!pids[@]}"; do
		while [ ! -e "$S/$pat/work/node$ID.${roles[$i]}" ] &&
		      kill -0 "${pids[$i]}" 2>/dev/null; do
			sleep 0.5
		done
	done
	quiesce
	check "$name: node $ID: every message fully logged (lost datagrams aside), every RSN acknowledged" \
		test $? -eq 0
	touch "$S/$pat/quiet/node$ID"
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}"
		st=$?
		ksft_result $st "$name: node $ID: ${what[$i]}"
	done
	[ -z "$after" ] || $after "$name"
	dump
	barrier "dumped-$pat"
	cluster_check "$name"
	barrier "checked-$pat"
}

port() { echo $((6300 + pat)); }

setup_rr() {
	case $ID in
	2) spawn 0 server --port "$(port)" --senders 2 --count "$RR" ;;
	1 | 3) spawn 0 client --to "$(node_addr 2):$(port)" --count "$RR" --size 3000 --random-size ;;
	esac
}

setup_blast() {
	case $ID in
	3) spawn 0 sink --port "$(port)" --senders 1 --count "$BLAST" ;;
	1) spawn 0 source --to "$(node_addr 3):$(port)" --count "$BLAST" --size 65536 --random-size ;;
	esac
}

setup_a2a() {
	local others="" n
	for n in $(seq 1 "$NODES"); do
		[ "$n" = "$ID" ] || others="$others${others:+,}$(node_addr "$n"):$(port)"
	done
	spawn 0 sink --port "$(port)" --senders $((NODES - 1)) --count "$A2A"
	sleep 1
	spawn 1 source --to "$others" --count "$A2A" --size 2000 --random-size
}

# Node 2 echoes the datagrams of the others' ping clients; a lost request
# is sent again (a new datagram) after 300 ms, a QUIT up to 50 times.
setup_dgram() {
	case $ID in
	2) spawn_dgram 0 echo "answered every datagram, QUIT from $((NODES - 1)) clients" \
		--port "$(port)" --clients $((NODES - 1)) --ack-quit --timeout 120 ;;
	*)
		sleep 1
		spawn_dgram 0 ping "had every request echoed intact" \
			--to "$(node_addr 2):$(port)" --count "$DGRAMS" --size 1000 \
			--quit-tries 50 --timeout "$TMO"
		;;
	esac
}

# after dgram: this node's host logged every datagram it sent, as a
# datagram; the server received (and gave RSNs to) what its output says.
after_dgram() {
	local h out n sent rcvd log
	h=$(hidx "$pat" 0)
	out=$S/$pat/out/node$ID.0
	sed 's/^/# /' "$out"
	log=$("$MLOGCTL" --json log dump --src-host "$h")
	n=$("$MLOGCTL" --json host show --index "$h")
	echo "# node $ID host $h: $(echo "$log" | jq -c '{entries: length,
		full: [.[] | select(.state == "full")] | length,
		partial: [.[] | select(.state != "full")] | length}'), host $n"
	if [ "$ID" = 2 ]; then
		rcvd=$(sed -n 's/^echo: served [0-9]* requests, \([0-9]*\) datagrams received.*/\1/p' "$out")
		sent=$rcvd
		echo "$n" | jq -e ".rsn == ${rcvd:--1}" >/dev/null
		ksft_result $? "$1: node $ID: host $h assigned one RSN to each of the ${rcvd:-?} datagrams it received"
	else
		sent=$(sed -n 's/.*; sent \([0-9]*\), received [0-9]*$/\1/p' "$out")
	fi
	echo "$log" | jq -e "length == ${sent:--1} and all(.[]; .dgram == true) and
		([.[].ssn] | sort) == [range(1; ${sent:-0} + 1)]" >/dev/null &&
		echo "$n" | jq -e ".ssn == ${sent:--1}" >/dev/null
	ksft_result $? "$1: node $ID: the log holds all ${sent:-?} datagrams host $h sent, SSNs 1..${sent:-?}"
}

"$MLOGCTL" node set --addr "$MLOG_NODE_ADDR" --id "$MLOG_NODE_ID"
# Room for every message of the run: nothing is purged.
"$MLOGCTL" log set --max-bytes 256M | sed 's/^/# /'
if [ "$ID" = 1 ]; then
	python3 "$CHECK" --selftest | sed 's/^/# /'
	ksft_result "${PIPESTATUS[0]}" "slog_check.py --selftest: consistent data passes, each corruption is caught"
fi

# The same patterns on a clean network first (SLOG_CLEAN=1; off by default
# to keep make check short: the netem runs below cover them).
if [ "${SLOG_CLEAN:-0}" = 1 ]; then
	pattern 1 "rr" setup_rr
	pattern 2 "blast" setup_blast
	pattern 3 "a2a" setup_a2a
fi

tc qdisc add dev eth0 root netem delay 1ms 1ms loss 7% duplicate 3% reorder 25% 50%
check "node $ID: netem loses, duplicates and reorders on eth0" sh -c "tc qdisc show dev eth0 | grep -q 'loss 7%'"
pattern 4 "rr under netem" setup_rr
pattern 5 "blast under netem" setup_blast
pattern 6 "a2a under netem" setup_a2a
check "node $ID: netem losses were repaired by retransmission" test "$(stat tx_retransmits)" -gt 0
pattern 10 "dgram under netem" setup_dgram after_dgram

"$MLOGCTL" log set --piggyback off --ranges off | sed 's/^/# /'
check "node $ID: piggybacking and RSN ranges off" \
	sh -c "\"$MLOGCTL\" --json log | jq -e '.piggyback == false and .ranges == false' >/dev/null"
pattern 7 "rr, no piggyback, no ranges, netem" setup_rr
[ "${SLOG_CLEAN:-0}" = 1 ] &&
	pattern 8 "a2a, no piggyback, no ranges, netem" setup_a2a
"$MLOGCTL" log set --piggyback on --ranges on >/dev/null
tc qdisc del dev eth0 root

# ---- forged frames: node 1 lies to node 2, whose sink (a protected host)
# has received 5 messages from node 1's source, which stays open.
setup_forge() {
	local f=$S/$pat/forge b0 b1 h0 h1 r0 sport epoch sniffer
	mkdir -p "$f"
	case $ID in
	2) spawn 0 sink --port "$(port)" --senders 1 --count 5 ;;
	1)
		# the source's socket epoch, so that forged frames pass for its
		python3 "$FORGE" --sniff --to "$(node_addr 2)" --dst-port "$(port)" \
			--timeout 300 --ready "$f/sniffing" >"$f/sniffed" &
		sniffer=$!
		wait_file "$f/sniffing"
		spawn 0 source --to "$(node_addr 2):$(port)" --count 5 --size 100
		;;
	esac
	[ "$ID" = 1 ] || [ "$ID" = 2 ] || return 0
	# both programs' work done: forge while they linger
	wait_file "$S/$pat/work/node1.0"
	wait_file "$S/$pat/work/node2.0"
	if [ "$ID" = 2 ]; then
		r0=$(stat peer_restarted)
		for kind in ackrange rsnrange badhost; do
			b0=$(stat sl_bad_range)
			h0=$(stat sl_bad_host)
			touch "$f/ready-$kind"
			wait_file "$f/sent-$kind"
			sleep 1
			b1=$(stat sl_bad_range)
			h1=$(stat sl_bad_host)
			echo "# $kind: sl_bad_range $b0 -> $b1, sl_bad_host $h0 -> $h1"
			case $kind in
			badhost) test "$h1" -gt "$h0" ;;
			*) test "$b1" -gt "$b0" ;;
			esac
			ksft_result $? "forge: node 2 counts forged $kind frames"
		done
		check "forge: forged frames with the flow's epoch did not restart it" \
			test "$(stat peer_restarted)" -eq "$r0"
		"$MLOGCTL" --json status >/dev/null
		check "forge: node 2 still answers" test $? -eq 0
	else
		wait "$sniffer"
		check "forge: node 1 sniffed its source's frame" test $? -eq 0
		read -r sport epoch <"$f/sniffed"
		[ -n "$sport" ] || sport=$("$MLOGCTL" --json log dump |
			jq -r "[.[] | select(.dst_port == $(port))][0].src_port")
		echo "# forging from node 1 port $sport (epoch ${epoch:-?}), and port 9999, to node 2 port $(port)"
		for kind in ackrange rsnrange badhost; do
			wait_file "$f/ready-$kind"
			python3 "$FORGE" --to "$(node_addr 2)" --dst-port "$(port)" \
				--src-port "${sport:-9998}" --epoch "${epoch:-0}" \
				--src-host "$(hidx "$pat" 0)" --kind "$kind" --count 5 | sed 's/^/# /'
			python3 "$FORGE" --to "$(node_addr 2)" --dst-port "$(port)" \
				--src-port 9999 --src-host "$(hidx "$pat" 0)" \
				--kind "$kind" --count 5 | sed 's/^/# /'
			touch "$f/sent-$kind"
		done
	fi
}
pattern 9 "forged frames" setup_forge

check "node $ID: no kernel warning, oops or refcount error" kernel_clean
"$MLOGCTL" stats | sed 's/^/# /'
echo "1..$ksft_n"
ksft_totals
