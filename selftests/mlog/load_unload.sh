#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# mlog.ko load/unload: sockets pin the module (the kernel cannot free the
# code an open socket still points to), so rmmod is refused while one is
# open and the module keeps working; once they are closed, and even with
# frames still queued or namespaces gone, unload is clean and reload works.
set -u
. "$(dirname "$0")/lib.sh"
MODULE=${MLOG_MODULE:-$MLOG_REPO/kmod/mlog.ko}

ksft_plan 10

"$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
"$DGRAM" echo --port 7000 --timeout 60 >/dev/null &
holder=$!
sleep 0.5
check "socket open: sockets counter is 1" test "$(stat sockets)" = 1
rmmod mlog 2>/dev/null
check "socket open: rmmod refused" test $? -ne 0
# A second socket answers pings (its QUIT ends it; the holder stays open).
"$DGRAM" echo --port 7003 --timeout 60 >/dev/null &
check "socket open: module still answers" "$DGRAM" ping --to 127.0.0.1:7003 --count 20 --timeout 20
check "socket open: holder still open" kill -0 $holder

# Frames left queued in a socket of a namespace that then goes away.
ip netns add unload1
ip -n unload1 link set lo up
ip netns exec unload1 "$MLOGCTL" node set --addr 127.0.0.1
ip netns exec unload1 "$DGRAM" echo --port 7001 --timeout 60 >/dev/null &
nsholder=$!
sleep 0.5
kill -STOP $nsholder
ip netns exec unload1 "$DGRAM" ping --to 127.0.0.1:7001 --count 1 --timeout 2 >/dev/null 2>&1
# SOCK_RDM traffic killed mid-stream: unacknowledged messages, timers
# and half-reassembled messages are all left behind.
RDM=$MLOG_REPO/build/selftests/mlog-rdm
"$RDM" sink --port 7010 --senders 1 --count 1000000 --timeout 60 >/dev/null 2>&1 &
rsink=$!
"$RDM" source --to 127.0.0.1:7010 --count 1000000 --size 30000 --timeout 60 >/dev/null 2>&1 &
rsrc=$!
sleep 2
kill -9 $nsholder $holder $rsink $rsrc
wait $nsholder $holder $rsink $rsrc 2>/dev/null
ip netns del unload1

check "all closed: sockets counter back to 0" test "$(stat sockets)" = 0
# A closed socket's memory, and with it the module reference its protocol
# holds, is freed only after an RCU grace period (the receive path looks
# sockets up under RCU), so right after the last close the module may
# still be in use for a moment.  Wait, bounded, for the references to go:
# a socket or timer that really leaks keeps refcnt up and fails the test.
refs=$(cat /sys/module/mlog/refcnt)
waited=0
while [ "$(cat /sys/module/mlog/refcnt)" != 0 ] && [ $waited -lt 100 ]; do
	sleep 0.1
	waited=$((waited + 1))
done
echo "# module refcnt $refs right after the last close," \
	"$(cat /sys/module/mlog/refcnt) after $((waited * 100)) ms"
if [ "$(cat /sys/module/mlog/refcnt)" != 0 ]; then
	echo "# still in use; processes that may hold AF_MLOG sockets:"
	ps -eo pid,etimes,args | grep -E 'mlog|dgram' | grep -v grep | sed 's/^/#   /'
	echo "# namespaces: $(ip netns list | tr '\n' ' ')"
fi
rmmod mlog
check "all closed: rmmod succeeds" test $? -eq 0
"$MLOGCTL" status >/dev/null 2>&1
check "unloaded: mlogctl status fails" test $? -eq 1
check "unloaded: mlogctl says the module is not loaded" \
	sh -c "'$MLOGCTL' status 2>&1 | grep -q 'not loaded'"
insmod "$MODULE" ${MLOG_MODULE_ARGS:-}
"$MLOGCTL" node set --addr 127.0.0.1 >/dev/null
"$DGRAM" echo --port 7002 --timeout 60 >/dev/null &
"$DGRAM" ping --to 127.0.0.1:7002 --count 20 --timeout 20 >/dev/null
check "reloaded: datagrams flow again" test $? -eq 0
wait
check "kernel log clean (no WARNING/BUG/refcount)" kernel_clean
ksft_totals
