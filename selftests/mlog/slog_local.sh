#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sender-based logging on one node (loopback, node 127.0.0.1), every
# program a protected host of its own (mlog-host-run):
#
#   log      500 SOCK_RDM messages of random sizes up to 64 KiB from host 2
#            to host 1: the log holds each exactly once, fully logged, RSNs
#            1..500 matching host 1's RSN history; host 1 depends on host 2
#   purge    purging up to an RSN, then the rest: entries and blocks go
#   set      HOST_SET writes RSN, SSN and dependency vector; purging the
#            history shortens it
#   cap      a 1 MiB log: a sender of 60 x 60000 bytes blocks at the cap,
#            a log pressure event is raised, purges let it finish, every
#            message arrives exactly once
#   dgram    a protected echo server (host 8) and a protected ping client
#            (host 9) exchange 100 requests and replies: every datagram is
#            in the log as a full "dgram" entry, the RSNs of each side's
#            datagrams are exactly 1..n of the other side, and slog_check.py
#            passes over the node's log, histories and hosts.  A protected
#            ping client (host 10) of an unprotected echo server: DONT_LOG
#            answers leave no entry of host 10.  Unprotected datagrams still
#            echo.
#   mixed    unprotected -> protected and protected -> unprotected still
#            deliver exactly once; no log entry is kept for an unprotected
#            receiver
#   dump     host 14 sends host 13 messages of every size that matters to
#            netlink (0, 1, around a fragment, around MLOG_DATA_CHUNK,
#            around the largest attribute, up to 64 KiB): log dump --data
#            returns each whole, byte for byte, over several dump parts
#   cost     a protected host's messages to a node that never answers:
#            empty ones and 64 KiB ones fill its send buffer (bookkeeping
#            and log entries count), and each send poll() allows goes
#   overtaken  a forged protected sender (slog_forge.py) sends host 16's
#            echo server datagram 2, then datagram 1: the overtaken one is
#            dropped as lost, with no DONT_LOG answer (which would make a
#            real sender drop its entry); a copy of datagram 2 still gets
#            its RSN again
#   hold     with RSNs waiting 1 s for a piggyback, a protected datagram
#            sender (host 11) that owes host 12 an RSN: polling for input
#            alone does not send the RSN, a non-blocking send
#            to a third endpoint fails with EAGAIN, a blocking one goes once
#            the RSN is acknowledged, and the socket then polls writable
#
# Every host is deleted and every socket closed at the end, so that the
# module unloads cleanly (load_unload.sh).
set -u
. "$(dirname "$0")/lib.sh"
RDM=$MLOG_REPO/build/selftests/mlog-rdm
CHECK=$(dirname "$0")/slog_check.py
FORGE=$(dirname "$0")/slog_forge.py
HOSTRUN=$MLOG_REPO/build/selftests/mlog-host-run
TMO=240
BLOCK=262144
T=$(mktemp -d /tmp/slog_local.XXXXXX)
bg=()

cleanup() {
	local p h
	# release lingering programs, then make sure nothing of ours is left
	for d in "$T"/*.quiet; do
		[ -d "$d" ] && touch "$d/end"
	done
	for p in "${bg[@]}"; do
		kill "$p" 2>/dev/null
	done
	wait 2>/dev/null
	for h in $(seq 1 16); do
		"$MLOGCTL" log purge --dst-host "$h" >/dev/null 2>&1
		"$MLOGCTL" log purge --src-host "$h" >/dev/null 2>&1
		"$MLOGCTL" host del --index "$h" >/dev/null 2>&1
	done
	"$MLOGCTL" log set --max-bytes "$cap0" >/dev/null 2>&1
	rm -rf "$T"
}
trap cleanup EXIT

ksft_plan 88
"$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
cap0=$("$MLOGCTL" --json log | jq -r .max_bytes)

# rdm NAME INDEX MODE ARGS...: mlog-rdm MODE in the background, as
# protected host INDEX ("-": unprotected).  It creates $T/NAME.MODE once
# its work is done, then stays (acknowledging, returning RSNs) until
# $T/NAME.quiet holds a file.  Its pid is in $last.
rdm() {
	local name=$1 index=$2 mode=$3
	shift 3
	mkdir -p "$T/$name.quiet"
	set -- "$RDM" "$mode" "$@" --timeout "$TMO" --done "$T/$name.$mode" \
		--linger "$T/$name.quiet:1"
	if [ "$index" = - ]; then
		"$@" &
	else
		"$HOSTRUN" --index "$index" -- "$@" &
	fi
	last=$!
	bg+=("$last")
}

# done_or_exit NAME MODE PID: wait until mlog-rdm MODE is done or gone.
done_or_exit() {
	local i
	for ((i = 0; i < TMO * 10; i++)); do
		[ -e "$T/$1.$2" ] && return 0
		kill -0 "$3" 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# dg NAME INDEX MODE ARGS...: mlog-dgram MODE as rdm() runs mlog-rdm, its
# output in $T/NAME.MODE.out.
dg() {
	local name=$1 index=$2 mode=$3
	shift 3
	mkdir -p "$T/$name.quiet"
	set -- "$DGRAM" "$mode" "$@" --timeout "$TMO" --done "$T/$name.$mode" \
		--linger "$T/$name.quiet:1"
	if [ "$index" = - ]; then
		"$@" >"$T/$name.$mode.out" &
	else
		"$HOSTRUN" --index "$index" -- "$@" >"$T/$name.$mode.out" &
	fi
	last=$!
	bg+=("$last")
}

# quiesce: no log entry waits for its RSN, no RSN for its acknowledgment.
# A datagram's entry may stay partial (the datagram was lost); on
# loopback none is, which the dgram section checks by itself.
quiesce() {
	local i p='?' u='?'
	for ((i = 0; i < 60; i++)); do
		p=$("$MLOGCTL" --json log dump |
			jq '[.[] | select(.state != "full" and .dgram != true)] | length')
		u=$("$MLOGCTL" --json hosts | jq '[.[].unacked] | add // 0')
		[ "$p" = 0 ] && [ "$u" = 0 ] && return 0
		sleep 0.5
	done
	echo "# still $p partially logged entries, $u unacknowledged RSNs"
	return 1
}

# release NAME: let the lingering programs of NAME exit.
release() { touch "$T/$1.quiet/end"; }

# jqt JSON FILTER: true if FILTER holds for JSON.
jqt() { echo "$1" | jq -e "$2" >/dev/null; }

log_entries() { "$MLOGCTL" --json log | jq -r .entries; }
log_bytes() { "$MLOGCTL" --json log | jq -r .bytes; }
host_field() { "$MLOGCTL" --json host show --index "$1" | jq -r ".$2"; }

# ---- log: 500 messages from protected host 2 to protected host 1
rdm a 1 sink --port 6200 --senders 1 --count 500
sink=$last
sleep 1
rdm a 2 source --to 127.0.0.1:6200 --count 500 --size 65536 --random-size --id 1
src=$last
done_or_exit a source $src
done_or_exit a sink $sink
quiesce
check "log: every entry fully logged, every RSN acknowledged" test $? -eq 0
release a
wait $sink
check "log: host 1 received 500 messages exactly once, in order, byte for byte" test $? -eq 0
wait $src
check "log: host 2 saw all 500 acknowledged" test $? -eq 0

log=$("$MLOGCTL" --json log dump --dst-host 1)
hist=$("$MLOGCTL" --json history --host 1)
echo "# log dump --dst-host 1: $(echo "$log" | jq length) entries; history: $(echo "$hist" | jq -c '[.[] | [.rsn, .count]]')"
check "log: the log holds exactly 500 entries for host 1" jqt "$log" 'length == 500'
check "log: all of them fully logged, sent by host 2 to host 1" \
	jqt "$log" 'all(.[]; .state == "full" and .src_host == 2 and .dst_host == 1)'
check "log: their RSNs are exactly 1..500" jqt "$log" '[.[].rsn] | sort == [range(1; 501)]'
check "log: host 1's RSN history covers exactly RSNs 1..500" \
	jqt "$hist" '[.[] | . as $r | range(0; $r.count) | $r.rsn + .] | sort == [range(1; 501)]'
hmap=$(echo "$hist" | jq -c '[.[] | . as $r | range(0; $r.count) | [$r.port, $r.ssn + ., $r.rsn + .]] | sort')
lmap=$(echo "$log" | jq -c '[.[] | [.src_port, .ssn, .rsn]] | sort')
check "log: history and log agree on (port, SSN) -> RSN for every message" test "$hmap" = "$lmap"
h1=$("$MLOGCTL" --json host show --index 1)
h2=$("$MLOGCTL" --json host show --index 2)
echo "# host 1: $h1"
echo "# host 2: $h2"
check "log: host 1 depends on host 2's interval 0 only: deps == {\"2\": 0}" \
	jqt "$h1" '.deps == {"2": 0}'
rsn_hist_ssn() { jqt "$h1" '.rsn == 500 and .history == 500' && jqt "$h2" '.ssn == 500'; }
check "log: host 1 RSN 500, history 500; host 2 SSN 500" rsn_hist_ssn
check "log: sl_hold_violation is 0" test "$(stat sl_hold_violation)" -eq 0
check "log: sl_bad_range is 0" test "$(stat sl_bad_range)" -eq 0

# ---- purge
out=$("$MLOGCTL" --json log purge --dst-host 1 --upto 250)
echo "# purge --upto 250: $out"
check "purge: --dst-host 1 --upto 250 purges 250 entries" jqt "$out" '.purged == 250'
rest=$("$MLOGCTL" --json log dump --dst-host 1 --from-rsn 251)
check "purge: dump from RSN 251 still has RSNs 251..500, all full" \
	jqt "$rest" '([.[].rsn] | sort) == [range(251; 501)] and all(.[]; .state == "full")'
all=$("$MLOGCTL" --json log dump --dst-host 1)
check "purge: nothing at or below RSN 250 is left" jqt "$all" 'length == 250 and all(.[]; .rsn > 250)'
out=$("$MLOGCTL" --json log purge --dst-host 1)
check "purge: the rest (250 entries) purged" jqt "$out" '.purged == 250'
check "purge: the log holds 0 entries" test "$(log_entries)" -eq 0
bytes_le_block() { [ "$(log_bytes)" -le "$BLOCK" ]; }
poll 5 bytes_le_block
check "purge: log memory back to at most one block ($BLOCK bytes)" test $? -eq 0
echo "# log: $("$MLOGCTL" --json log)"

# ---- set: write host 1's state back, purge its history
"$MLOGCTL" host set --index 1 --rsn 1000 --ssn 5 --dep 7:42 | sed 's/^/# /'
show=$("$MLOGCTL" --json host show --index 1)
echo "# host 1: $show"
check "set: host show gives rsn 1000, ssn 5, deps {\"7\": 42}" \
	jqt "$show" '.rsn == 1000 and .ssn == 5 and .deps == {"7": 42}'
"$MLOGCTL" host set --index 1 --purge-history 100 >/dev/null
check "set: --purge-history 100 leaves 400 of 500 history entries" \
	test "$(host_field 1 history)" -eq 400
hist=$("$MLOGCTL" --json history --host 1)
check "set: the history now starts at RSN 101" \
	jqt "$hist" '[.[] | . as $r | range(0; $r.count) | $r.rsn + .] | sort == [range(101; 501)]'
"$MLOGCTL" host del --index 1 && "$MLOGCTL" host del --index 2
check "set: hosts 1 and 2 deleted" test $? -eq 0

# ---- cap: a 1 MiB log, 60 x 60000 bytes from host 4 to host 3
out=$("$MLOGCTL" --json log set --max-bytes 1M)
check "cap: log set --max-bytes 1M" jqt "$out" '.max_bytes == 1048576'
"$MLOGCTL" --json events >"$T/events" 2>&1 &
ev=$!
bg+=("$ev")
sleep 0.5
full0=$(stat sl_log_full)
rdm c 3 sink --port 6201 --senders 1 --count 60
sink=$last
sleep 1
rdm c 4 source --to 127.0.0.1:6201 --count 60 --size 60000 --id 3
src=$last
sleep 5
got=$(host_field 3 rsn)
echo "# at the cap: sink received $got, sl_log_full $full0 -> $(stat sl_log_full), log $("$MLOGCTL" --json log)"
check "cap: sends waited for log space (sl_log_full grew)" test "$(stat sl_log_full)" -gt "$full0"
check "cap: the source is blocked, not finished" test ! -e "$T/c.source"
check "cap: the sink received fewer than 60" test "$got" -lt 60
check "cap: log memory within the cap" test "$(log_bytes)" -le 1048576
pressure() { grep -q '"event":"log".*"pressure":true' "$T/events"; }
poll 5 pressure
check "cap: mlogctl events printed a log pressure event" test $? -eq 0
sed 's/^/# event: /' "$T/events"
purges=0
for ((i = 0; i < TMO * 2; i++)); do
	[ -e "$T/c.source" ] && break
	kill -0 "$src" 2>/dev/null || break
	"$MLOGCTL" log purge --dst-host 3 >/dev/null
	purges=$((purges + 1))
	sleep 0.5
done
echo "# $purges purges"
done_or_exit c sink $sink
quiesce
release c
wait $src
check "cap: with purges the source finished, all 60 acknowledged" test $? -eq 0
wait $sink
check "cap: all 60 delivered exactly once, in order, byte for byte" test $? -eq 0
check "cap: host 3 assigned exactly 60 RSNs" test "$(host_field 3 rsn)" -eq 60
kill "$ev" 2>/dev/null
wait "$ev" 2>/dev/null
"$MLOGCTL" log purge --dst-host 3 >/dev/null
"$MLOGCTL" log purge --src-host 4 >/dev/null
"$MLOGCTL" log set --max-bytes "$cap0" >/dev/null
"$MLOGCTL" host del --index 3 && "$MLOGCTL" host del --index 4
check "cap: log emptied, cap restored, hosts 3 and 4 deleted" \
	test $? -eq 0 -a "$(log_entries)" -eq 0 -a "$("$MLOGCTL" --json log | jq .max_bytes)" = "$cap0"

# ---- dgram: datagrams of protected hosts are logged
out=$("$HOSTRUN" --index 5 --unregister -- "$DGRAM" open --type dgram)
echo "# SOCK_DGRAM in host 5: $out"
check "dgram: SOCK_DGRAM in a protected host is created" test "$out" = ok
out=$("$HOSTRUN" --index 5 --unregister -- "$DGRAM" open --type rdm)
check "dgram: SOCK_RDM in the same protected host is fine" test "$out" = ok
check "dgram: host 5 is gone (--unregister)" sh -c "! '$MLOGCTL' host show --index 5 >/dev/null 2>&1"

# protected echo server host 8, protected ping client host 9
dg d 8 echo --port 6210 --ack-quit
srv=$last
sleep 1
dg d 9 ping --to 127.0.0.1:6210 --count 100 --size 200 --quit-tries 10
cli=$last
done_or_exit d ping $cli
done_or_exit d echo $srv
quiesce
check "dgram: no RDM entry partial, every RSN acknowledged on every host" test $? -eq 0
dump=$T/dump/node1
mkdir -p "$dump"
"$MLOGCTL" --json status >"$dump/status.json"
"$MLOGCTL" --json log dump >"$dump/log.json"
"$MLOGCTL" --json hosts >"$dump/hosts.json"
for h in $(jq -r '.[].index' "$dump/hosts.json"); do
	"$MLOGCTL" --json history --host "$h" >"$dump/hist-$h.json"
done
release d
wait $cli
st_cli=$?
wait $srv
st_srv=$?
sed 's/^/# /' "$T/d.ping.out" "$T/d.echo.out"
check "dgram: protected ping: 100 requests echoed intact by a protected server" test "$st_cli" -eq 0
check "dgram: the protected echo server got QUIT and exited cleanly" test "$st_srv" -eq 0
# every datagram counts, QUIT and its echo included
read -r c_sent c_rcvd <<<"$(sed -n 's/.*; sent \([0-9]*\), received \([0-9]*\)$/\1 \2/p' "$T/d.ping.out")"
read -r s_served s_rcvd <<<"$(sed -n 's/^echo: served \([0-9]*\) requests, \([0-9]*\) datagrams received.*/\1 \2/p' "$T/d.echo.out")"
c_sent=${c_sent:-0} c_rcvd=${c_rcvd:--1} s_served=${s_served:-0} s_rcvd=${s_rcvd:--1}
echo "# client sent $c_sent, received $c_rcvd; server received $s_rcvd (served $s_served requests)"
h8=$("$MLOGCTL" --json host show --index 8)
h9=$("$MLOGCTL" --json host show --index 9)
echo "# host 8: $h8"
echo "# host 9: $h9"
check "dgram: the client sent at least 101 datagrams (100 requests, QUIT), the server received them all" \
	test "$c_sent" -ge 101 -a "$s_rcvd" -eq "$c_sent"
clog=$(jq -c '[.[] | select(.src_host == 9)]' "$dump/log.json")
slog=$(jq -c '[.[] | select(.src_host == 8)]' "$dump/log.json")
echo "# log: $(echo "$clog" | jq length) entries of host 9, $(echo "$slog" | jq length) of host 8"
check "dgram: the log holds each of the client's $c_sent datagrams, SSNs 1..$c_sent" \
	jqt "$clog" "[.[].ssn] | sort == [range(1; $c_sent + 1)]"
check "dgram: all of them full \"dgram\" entries for host 8, port 6210" \
	jqt "$clog" 'all(.[]; .dgram == true and .state == "full" and .dst_host == 8 and .dst_port == 6210)'
check "dgram: their RSNs are exactly 1..$c_sent of host 8" \
	jqt "$clog" "[.[].rsn] | sort == [range(1; $c_sent + 1)]"
check "dgram: host 8's RSN is the number of datagrams it received ($s_rcvd), its SSN the number it sent" \
	jqt "$h8" ".rsn == $s_rcvd and .ssn == $s_rcvd and .unacked == 0"
check "dgram: the server's $s_rcvd replies are logged, full \"dgram\" entries for host 9" \
	jqt "$slog" "length == $s_rcvd and all(.[]; .dgram == true and .state == \"full\" and .dst_host == 9)"
replies_rsns() {
	jqt "$slog" "[.[].rsn] | sort == [range(1; $c_rcvd + 1)]" &&
		jqt "$h9" ".rsn == $c_rcvd and .ssn == $c_sent and .unacked == 0"
}
check "dgram: their RSNs are exactly 1..$c_rcvd of host 9, every datagram the client received" \
	replies_rsns
hist=$("$MLOGCTL" --json history --host 8)
hmap=$(echo "$hist" | jq -c '[.[] | . as $r | range(0; $r.count) | [$r.port, $r.ssn + ., $r.rsn + .]] | sort')
lmap=$(echo "$clog" | jq -c '[.[] | [.src_port, .ssn, .rsn]] | sort')
check "dgram: host 8's history and the log agree on (port, SSN) -> RSN for every datagram" \
	test "$hmap" = "$lmap"
out=$(python3 "$CHECK" "$dump")
st=$?
echo "$out" | sed 's/^/# /'
check "dgram: slog_check: the node's log, histories and dependency vectors agree" test "$st" -eq 0
check "dgram: sl_hold_violation is 0" test "$(stat sl_hold_violation)" -eq 0
"$MLOGCTL" log purge --src-host 8 >/dev/null && "$MLOGCTL" log purge --src-host 9 >/dev/null &&
	"$MLOGCTL" host del --index 8 && "$MLOGCTL" host del --index 9
check "dgram: log emptied, hosts 8 and 9 deleted" test $? -eq 0 -a "$(log_entries)" -eq 0

# protected ping client host 10, unprotected echo server
dont0=$(stat sl_dont_log)
logged0=$(stat sl_logged)
dg u - echo --port 6211 --ack-quit
srv=$last
sleep 1
dg u 10 ping --to 127.0.0.1:6211 --count 50 --quit-tries 10
cli=$last
done_or_exit u ping $cli
done_or_exit u echo $srv
no_entries_of_10() { jqt "$("$MLOGCTL" --json log dump --src-host 10)" 'length == 0'; }
poll 5 no_entries_of_10
st=$?
release u
wait $cli
st_cli=$?
wait $srv
st_srv=$?
h10=$("$MLOGCTL" --json host show --index 10)
sed 's/^/# /' "$T/u.ping.out" "$T/u.echo.out"
read -r c_sent c_rcvd <<<"$(sed -n 's/.*; sent \([0-9]*\), received \([0-9]*\)$/\1 \2/p' "$T/u.ping.out")"
c_sent=${c_sent:-0} c_rcvd=${c_rcvd:--1}
dont1=$(stat sl_dont_log)
echo "# host 10: $h10; sl_dont_log $dont0 -> $dont1"
check "dgram: protected -> unprotected: 50 requests echoed intact" test "$st_cli" -eq 0 -a "$st_srv" -eq 0
check "dgram: host 10's $c_sent datagrams were logged before they left (sl_logged)" \
	test "$c_sent" -ge 51 -a $(($(stat sl_logged) - logged0)) -eq "$c_sent"
check "dgram: DONT_LOG answers removed every entry of host 10" test "$st" -eq 0
check "dgram: sl_dont_log grew by at least $c_sent" test $((dont1 - dont0)) -ge "$c_sent"
check "dgram: host 10 gave the $c_rcvd echoes RSNs 1..$c_rcvd, depends on no host" \
	jqt "$h10" ".rsn == $c_rcvd and .deps == {} and .unacked == 0"
"$MLOGCTL" host del --index 10
check "dgram: host 10 deleted, the log holds no entry" test $? -eq 0 -a "$(log_entries)" -eq 0

out=$("$DGRAM" open --type dgram)
check "dgram: an unprotected SOCK_DGRAM socket is created" test "$out" = ok
"$DGRAM" echo --port 6212 --timeout 30 >/dev/null &
echo_pid=$!
bg+=("$echo_pid")
"$DGRAM" ping --to 127.0.0.1:6212 --count 20 --timeout 30 | sed 's/^/# /'
check "dgram: unprotected datagrams still echo" test "${PIPESTATUS[0]}" -eq 0
wait "$echo_pid"
check "dgram: the unprotected echo server got QUIT" test $? -eq 0

# ---- mixed: unprotected -> protected host 6, protected host 7 -> unprotected
rdm e1 6 sink --port 6220 --senders 1 --count 200
sink=$last
sleep 1
rdm e1 - source --to 127.0.0.1:6220 --count 200 --size 8192 --random-size --id 4
src=$last
done_or_exit e1 source $src
done_or_exit e1 sink $sink
quiesce
release e1
wait $sink
st1=$?
wait $src
check "mixed: unprotected -> protected: 200 delivered exactly once, all acknowledged" \
	test $((st1 + $?)) -eq 0
h6=$("$MLOGCTL" --json host show --index 6)
echo "# host 6: $h6"
check "mixed: protected receiver assigned RSNs 1..200, no dependency on an unprotected sender" \
	jqt "$h6" '.rsn == 200 and .history == 200 and .deps == {}'
check "mixed: no log entry for host 6 (its sender is unprotected)" \
	jqt "$("$MLOGCTL" --json log dump --dst-host 6)" 'length == 0'

logged0=$(stat sl_logged)
rdm e2 - sink --port 6221 --senders 1 --count 200
sink=$last
sleep 1
rdm e2 7 source --to 127.0.0.1:6221 --count 200 --size 8192 --random-size --id 5
src=$last
done_or_exit e2 source $src
done_or_exit e2 sink $sink
no_entries_of_7() { jqt "$("$MLOGCTL" --json log dump --src-host 7)" 'length == 0'; }
poll 5 no_entries_of_7
st=$?
echo "# log after protected -> unprotected: $("$MLOGCTL" --json log)"
release e2
wait $sink
st1=$?
wait $src
check "mixed: protected -> unprotected: 200 delivered exactly once, all acknowledged" \
	test $((st1 + $?)) -eq 0
check "mixed: host 7's 200 messages were logged before they left" \
	test $(($(stat sl_logged) - logged0)) -eq 200
check "mixed: acknowledged by an unprotected receiver, no entry is kept" test "$st" -eq 0
check "mixed: the log holds no entry at all" test "$(log_entries)" -eq 0
"$MLOGCTL" host del --index 6 && "$MLOGCTL" host del --index 7
check "mixed: hosts 6 and 7 deleted" test $? -eq 0

# ---- dump: every message size up to 64 KiB read back from the log
# Netlink attribute lengths are 16 bits: the bytes of a message travel
# in MLOG_ATTR_DATA pieces of at most 32 KiB after its entry.  Sizes
# around a fragment (1376), a piece (32768), the largest single
# attribute an entry could hold (65450) and the largest message; the
# big and small ones alternate, so that dump parts end at different
# entries.
sizes=0,65536,1,65535,1375,65451,1376,65450,1377,65449,32767,32769,32768,100,65536,0,65536
nsz=$(echo "$sizes" | tr , '\n' | wc -l)
rdm g 13 sink --port 6230 --sizes "$sizes" --id 7
sink=$last
sleep 1
rdm g 14 source --to 127.0.0.1:6230 --sizes "$sizes" --id 7
src=$last
done_or_exit g source $src
done_or_exit g sink $sink
quiesce
release g
wait $sink
st1=$?
wait $src
check "dump: host 13 received the $nsz messages, 0 to 65536 bytes, byte for byte" \
	test $((st1 + $?)) -eq 0
"$MLOGCTL" --json log dump --data --src-host 14 >"$T/dump.json"
st=$?
check "dump: log dump --data succeeds with messages up to 64 KiB in the log" test "$st" -eq 0
out=$(python3 - "$T/dump.json" "$sizes" 7 <<'PY'
import json, sys
entries = json.load(open(sys.argv[1]))
sizes = [int(x) for x in sys.argv[2].split(",")]
ident = int(sys.argv[3])
bad = []
if sorted(e["ssn"] for e in entries) != list(range(1, len(sizes) + 1)):
    bad.append("SSNs %s" % sorted(e["ssn"] for e in entries))
for e in entries:
    n = e["ssn"]
    want = bytes((ident * 131 + n * 7 + i * 13) & 0xff for i in range(sizes[n - 1]))
    if e["len"] != len(want) or e["data"] != want.hex():
        bad.append("message %d: len %d, %d hex digits" % (n, e["len"], len(e["data"])))
print("; ".join(bad) if bad else "%d entries, every byte as sent" % len(entries))
sys.exit(1 if bad else 0)
PY
)
st=$?
echo "# dump: $out"
check "dump: every entry whole, byte for byte, in a dump of several parts" test "$st" -eq 0
check "dump: the same entries without --data, fully logged" \
	jqt "$("$MLOGCTL" --json log dump --src-host 14)" \
	"length == $nsz and all(.[]; .state == \"full\" and .dst_host == 13)"
rows=$("$MLOGCTL" log dump --data --src-host 14 | tail -n +2 | wc -l)
check "dump: the text form lists them too" test "$rows" -eq "$nsz"
"$MLOGCTL" log purge --src-host 14 >/dev/null && "$MLOGCTL" host del --index 13 &&
	"$MLOGCTL" host del --index 14
check "dump: log emptied, hosts 13 and 14 deleted" test $? -eq 0 -a "$(log_entries)" -eq 0

# ---- cost: what a protected host's unacknowledged messages cost
for size in 0 65536; do
	out=$("$HOSTRUN" --index 15 --unregister -- "$RDM" fill --to 192.0.2.99:7000 \
		--size "$size" --count 200000 2>&1)
	st=$?
	echo "# $out"
	check "cost: protected host, $size-byte messages to a silent node fill SO_SNDBUF, no EAGAIN after POLLOUT" \
		test "$st" -eq 0
	"$MLOGCTL" log purge --src-host 15 >/dev/null
done

# ---- overtaken: a datagram below the last one delivered, never delivered
# itself, is as lost; a copy of a delivered one gets its RSN again.  The
# forger is protected host 300 at port 6251 of this node, where no socket
# is bound: the frames answering it are counted in rx_no_port.
dg o 16 echo --port 6250
srv=$last
sleep 1
forge() {
	python3 "$FORGE" --to 127.0.0.1 --dst-port 6250 --src-port 6251 \
		--src-host 300 --epoch 4711 --count 1 "$@" | sed 's/^/# /'
}
host16() { "$MLOGCTL" --json host show --index 16 | jq -e "$1" >/dev/null; }
stat_is() { [ "$(stat "$1")" -eq "$2" ]; }
dup0=$(stat rx_dup) dontlog0=$(stat sl_dont_log) duprsn0=$(stat sl_dup_rsn)
forge --kind data --ssn 2
check "overtaken: datagram 2 delivered, host 16 gave it RSN 1" poll 10 host16 '.rsn == 1'
forge --kind data --ssn 1
check "overtaken: datagram 1, overtaken, counted as a duplicate (rx_dup)" \
	poll 10 stat_is rx_dup $((dup0 + 1))
forge --kind rsnack --rsn 1
check "overtaken: the forger's acknowledgment of RSN 1 arrived" poll 10 host16 '.unacked == 0'
forge --kind data --ssn 2
check "overtaken: a copy of datagram 2 answered with its RSN (sl_dup_rsn)" \
	poll 10 stat_is sl_dup_rsn $((duprsn0 + 1))
echo "# host 16: $("$MLOGCTL" --json host show --index 16)"
echo "# rx_dup $dup0 -> $(stat rx_dup), sl_dont_log $dontlog0 -> $(stat sl_dont_log)"
check "overtaken: no DONT_LOG answer: sl_dont_log unchanged" stat_is sl_dont_log "$dontlog0"
check "overtaken: host 16 delivered one datagram: RSN 1, one history entry" \
	host16 '.rsn == 1 and .history == 1'
forge --kind data --ssn 3 --payload QUIT
release o
wait "$srv"
st=$?
sed 's/^/# /' "$T/o.echo.out"
check "overtaken: the echo server took the forger's QUIT and exited cleanly" test "$st" -eq 0
"$MLOGCTL" log purge --src-host 16 >/dev/null
"$MLOGCTL" host del --index 16

# ---- hold: the send rule holds a datagram sender (mlog-dgram-hold)
delay0=$("$MLOGCTL" --json log | jq -r .rsn_delay_us)
"$MLOGCTL" log set --rsn-delay-us 1000000 >/dev/null
"$HOSTRUN" --index 11 --unregister -- "$MLOG_REPO/build/selftests/mlog-dgram-hold" \
	--port 6240 --sink 127.0.0.1:6241 --timeout 20 >"$T/hold.out" 2>&1 &
hold=$!
bg+=("$hold")
sleep 1
"$HOSTRUN" --index 12 --unregister -- "$DGRAM" ping --to 127.0.0.1:6240 --count 1 \
	--quit-tries 0 --timeout 30 | sed 's/^/# /'
wait "$hold"
st=$?
sed 's/^/# /' "$T/hold.out"
check "hold: half a second of poll(POLLIN) sends no RSN (it waits for a frame to ride on)" \
	grep -qx "idle poll: no RSN sent" "$T/hold.out"
check "hold: a non-blocking datagram send while an RSN is unacknowledged fails with EAGAIN" \
	grep -qx "dontwait: EAGAIN" "$T/hold.out"
check "hold: the blocking send left once acknowledged, then the socket polled writable" \
	test "$st" -eq 0
check "hold: sl_hold_violation still 0" test "$(stat sl_hold_violation)" -eq 0
"$MLOGCTL" log set --rsn-delay-us "$delay0" >/dev/null
for h in 11 12; do
	"$MLOGCTL" log purge --src-host "$h" >/dev/null
	"$MLOGCTL" log purge --dst-host "$h" >/dev/null
done

# ---- the end: nothing left behind
check "end: no protected host left" jqt "$("$MLOGCTL" --json hosts)" 'length == 0'
check "end: no AF_MLOG socket left" poll 5 sh -c "[ \"\$('$MLOGCTL' --json status | jq .stats.sockets)\" -eq 0 ]"
check "end: sl_hold_violation still 0, no kernel warning" \
	sh -c "[ $(stat sl_hold_violation) -eq 0 ] && ! dmesg | grep -E 'WARNING:|BUG:|Oops|refcount_t' >&2"
ksft_totals
