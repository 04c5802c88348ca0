# SPDX-License-Identifier: GPL-2.0
# Shared host-side code of scripts/vm-run and scripts/vm-ctl.
# shellcheck shell=bash disable=SC2015

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VM_REPO=$(cd "$VM_DIR/../.." && pwd)
: "${VM_PROG:=vm}"

vm_err() { echo "$VM_PROG: $*" >&2; }
vm_die() { vm_err "$@"; exit 1; }

# Monotonic-ish milliseconds.
vm_now_ms() { local t; t=$(date +%s%N); echo $((t / 1000000)); }

# True if PID exists and is not a zombie.
vm_pid_alive() {
	local st
	[ -n "${1:-}" ] || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ] && [ "${st%% *}" != X ]
}

# Newest Debian 6.1 kernel image: sets VM_KVER and VM_KERNEL.
vm_pick_kernel() {
	local k
	k=$(find /boot -maxdepth 1 -name 'vmlinuz-6.1.0-*-amd64' -printf '%f\n' 2>/dev/null |
		sort -V | tail -n1)
	[ -n "$k" ] || vm_die "no /boot/vmlinuz-6.1.0-*-amd64 (install linux-image-amd64)"
	VM_KERNEL=/boot/$k
	VM_KVER=${k#vmlinuz-}
	[ -r "$VM_KERNEL" ] || vm_die "$VM_KERNEL is not readable"
	[ -d "/lib/modules/$VM_KVER" ] || vm_die "/lib/modules/$VM_KVER missing"
}

# Booting the compressed bzImage under TCG spends seconds in firmware and
# decompression; QEMU can boot the uncompressed ELF vmlinux directly through
# its PVH entry point (CONFIG_PVH=y in Debian's kernel).  Extract it once into
# the cache and use it; fall back to the bzImage if anything goes wrong or if
# MLOG_VM_PVH=0.  Sets VM_BOOT_KERNEL.
vm_prepare_kernel() {
	local cache=$VM_REPO/build/vm key out off tmp
	VM_BOOT_KERNEL=$VM_KERNEL
	[ "${MLOG_VM_PVH:-1}" = 1 ] || return 0
	grep -q '^CONFIG_PVH=y' "/boot/config-$VM_KVER" 2>/dev/null || return 0
	key=$(stat -L -c '%s %Y' "$VM_KERNEL" | sha256sum | cut -c1-12)
	out=$cache/vmlinux-$VM_KVER-$key
	if [ ! -s "$out" ]; then
		mkdir -p "$cache" || return 0
		off=$(LC_ALL=C grep -m1 -obUaP '\xfd7zXZ\x00' "$VM_KERNEL" 2>/dev/null | head -n1 | cut -d: -f1)
		[ -n "$off" ] || { vm_err "no xz stream in $VM_KERNEL: booting the bzImage (slower)"; return 0; }
		tmp=$(mktemp "$cache/.vmlinux.XXXXXX") || return 0
		# xz stops reading at the end of the stream, before the end
		# of the image (the bzImage has ~100 KiB after it): tail then
		# dies of SIGPIPE, which pipefail would count as a failure.
		if { tail -c +$((off + 1)) "$VM_KERNEL" 2>/dev/null || :; } |
		   xz -dc --single-stream > "$tmp" 2>/dev/null &&
		   [ "$(head -c 4 "$tmp" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
			mv -f "$tmp" "$out"
		else
			rm -f "$tmp"
			vm_err "cannot extract an ELF vmlinux from $VM_KERNEL: booting the bzImage (slower)"
			return 0
		fi
	fi
	VM_BOOT_KERNEL=$out
}

# Build (or reuse) the initramfs for VM_KVER; sets VM_INITRD.
vm_build_initramfs() {
	local cache=$VM_REPO/build/vm mods paths p key tmp name
	mods="virtio virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci"
	mods+=" netfs fscache 9pnet 9pnet_virtio 9p failover net_failover virtio_net"
	# Dependency order from modprobe, de-duplicated, built-ins skipped.
	# shellcheck disable=SC2086
	paths=$(for m in $mods; do
			modprobe -S "$VM_KVER" --show-depends "$m" 2>/dev/null ||
				{ [ "$m" = virtio_pci_modern_dev ] || [ "$m" = virtio_pci_legacy_dev ] ||
				  [ "$m" = netfs ] || [ "$m" = failover ] || [ "$m" = net_failover ] ||
				  echo "MISSING $m"; }
		done | awk '$1 == "insmod" && !seen[$2]++ { print $2 } $1 == "MISSING" { print }')
	if grep -q '^MISSING' <<<"$paths"; then
		vm_die "kernel $VM_KVER lacks module(s): $(grep '^MISSING' <<<"$paths" | cut -d' ' -f2 | tr '\n' ' ')"
	fi
	key=$( {
		echo "$VM_KVER"
		for p in $paths; do stat -c '%n %s %Y' "$p"; done
		stat -L -c '%n %s %Y' /bin/busybox
		cat "$VM_DIR/init"
		echo 1
	} | sha256sum | cut -c1-16)
	VM_INITRD=$cache/initramfs-$VM_KVER-$key.cpio
	[ -s "$VM_INITRD" ] && return 0

	mkdir -p "$cache" || vm_die "cannot create $cache"
	tmp=$(mktemp -d "$cache/.initramfs.XXXXXX") || vm_die "mktemp failed"
	(
		set -e
		cd "$tmp"
		mkdir -p bin dev proc sys newroot modules
		cp /bin/busybox bin/busybox
		ln -s busybox bin/sh
		cp "$VM_DIR/init" init
		chmod 755 init
		: > modules/order
		for p in $paths; do
			name=${p##*/}
			case "$name" in
			*.ko) cp "$p" "modules/$name" ;;
			*.ko.xz) name=${name%.xz}; xz -dc "$p" > "modules/$name" ;;
			*.ko.zst) name=${name%.zst}; zstd -qdc "$p" > "modules/$name" ;;
			*.ko.gz) name=${name%.gz}; gzip -dc "$p" > "modules/$name" ;;
			*) echo "unknown module format: $p" >&2; exit 1 ;;
			esac
			echo "$name" >> modules/order
		done
		find . -mindepth 1 ! -name '*.cpio' | LC_ALL=C sort |
			cpio -o -H newc -R 0:0 --quiet > image.cpio
	) || { rm -rf "$tmp"; vm_die "building the initramfs failed"; }
	mv -f "$tmp/image.cpio" "$VM_INITRD"
	rm -rf "$tmp"
	# Drop day-old images built from other inputs.
	find "$cache" -maxdepth 1 -name 'initramfs-*.cpio' ! -path "$VM_INITRD" -mmin +1440 -delete 2>/dev/null
	return 0
}

vm_accel_args() {
	# TCG plugins (--insn-count) need TCG.
	if [ -z "${VM_INSN_DIR:-}" ] && grep -qw -e vmx -e svm /proc/cpuinfo 2>/dev/null &&
	   [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
		echo "-accel kvm -cpu host"
	else
		echo "-accel tcg,thread=multi -cpu max"
	fi
}

# Build the instruction-count plugin (bench/insn) into build/insn/ unless
# it is up to date; prints its path.
vm_build_insn_plugin() {
	local src=$VM_REPO/bench/insn so=$VM_REPO/build/insn/mlog-insn.so
	if [ ! -f "$so" ] || [ "$src/mlog-insn.c" -nt "$so" ] ||
	   [ "$src/qemu-plugin-api.h" -nt "$so" ]; then
		mkdir -p "${so%/*}" &&
		gcc -shared -fPIC -O2 -Wall -Werror -fvisibility=hidden \
			-o "$so.tmp.$$" "$src/mlog-insn.c" &&
		mv -f "$so.tmp.$$" "$so" ||
			{ rm -f "$so.tmp.$$"; vm_die "building $so failed"; }
	fi
	echo "$so"
}

vm_node_addr() { echo "192.0.2.$((10 + $1))"; }
vm_node_mac() { printf '52:54:00:4d:4c:%02x\n' $((10 + $1)); }

# Load a run's configuration (written by vm-run) from $1.
vm_load_run() {
	VM_RUN=$1
	[ -r "$VM_RUN/config" ] || vm_die "$VM_RUN is not a vm-run cluster directory"
	# shellcheck source=/dev/null
	. "$VM_RUN/config"
}

vm_check_node() {
	[[ "$1" =~ ^[0-9]+$ ]] && [ "$1" -ge 1 ] && [ "$1" -le "$VM_NODES" ] ||
		vm_die "bad node '$1' (this cluster has nodes 1..$VM_NODES)"
}

vm_console() { echo "$VM_LOGDIR/node$1.console"; }
vm_qemu_pid() { cat "$VM_RUN/node$1.pid" 2>/dev/null; }
# The QMP monitor socket of node $1: in the run's /tmp directory, since a
# unix socket path has at most 107 bytes and the repository may be deep.
vm_qmp_sock() { echo "$VM_SOCK_DIR/node$1.qmp"; }

# Run QMP command $2 (arguments $3, JSON) on node $1's QEMU; prints the
# reply's "return" value as JSON.
vm_qmp() {
	python3 "$VM_DIR/qmp" "$(vm_qmp_sock "$1")" "$2" ${3:+"$3"}
}

# Node $1's QEMU run state as QMP names it (running, paused, ...), or
# nothing if the monitor does not answer.
vm_run_state() {
	vm_qmp "$1" query-status 2>/dev/null | sed -n 's/.*"status": *"\([a-z-]*\)".*/\1/p'
}

# up, booting, paused or down.
vm_node_state() {
	if ! vm_pid_alive "$(vm_qemu_pid "$1")"; then
		echo down
	elif [ "$(vm_run_state "$1")" = paused ]; then
		echo paused
	elif [ "$(cat "$VM_RUN/node$1/ready" 2>/dev/null)" = ok ]; then
		echo up
	else
		echo booting
	fi
}

# Start node $1's QEMU in the background (does not wait for readiness).
vm_boot_node() {
	local i=$1 nd=$VM_RUN/node$1 con pid accel mfile="" n plugin
	con=$(vm_console "$i")
	rm -rf "$nd"
	mkdir -p "$nd/jobs" || vm_die "cannot create $nd"
	if [ -e "$con" ]; then
		n=1
		while [ -e "$con.$n" ]; do n=$((n + 1)); done
		mv -f "$con" "$con.$n"
	fi
	if [ -n "$VM_MODULE" ]; then
		mfile=module.ko
		cp "$VM_MODULE" "$nd/$mfile" || vm_die "cannot copy $VM_MODULE"
	fi
	{
		printf 'export MLOG_NODE_ID=%q\n' "$i"
		printf 'export MLOG_NODES=%q\n' "$VM_NODES"
		printf 'export MLOG_NODE_ADDR=%q\n' "$(vm_node_addr "$i")"
		printf 'export MLOG_NODE_ADDRS=%q\n' "$VM_ADDRS"
		printf 'export MLOG_SHARED=%q\n' "$VM_SHARED"
		printf 'export MLOG_REPO=%q\n' "$VM_REPO"
		printf 'VM_MODULE=%q\nVM_MODULE_FILE=%q\n' "$VM_MODULE" "$mfile"
		printf 'VM_MODULE_ARGS=%q\nVM_MODPROBE=%q\n' "$VM_MODULE_ARGS" "$VM_MODPROBE"
		if [ "${VM_CLUSTER:-0}" = 1 ]; then
			printf 'export MLOG_STATE_DIR=%q\n' "$VM_STATE_DIR"
			# shellcheck disable=SC2016  # $PATH: the guest's
			printf 'export PATH=%q:"$PATH"\n' "$VM_RUN/bin"
			printf 'VM_CLUSTER=1\nVM_BIN=%q\n' "$VM_RUN/bin"
			printf 'VM_SPARE=%q\n' "$(( i > VM_NODES - VM_SPARES ? 1 : 0 ))"
			printf 'VM_RECOVERD_ARGS=%q\n' "${VM_RECOVERD_ARGS:-}"
		fi
		# The agent's look for jobs every 50 ms costs instructions: once
		# a job runs, every 10 s only (see the agent).
		[ -z "${VM_INSN_DIR:-}" ] || printf 'VM_AGENT_TICK=10\n'
	} > "$nd/env"
	accel=$(vm_accel_args)
	rm -f "$(vm_qmp_sock "$i")"
	plugin=()
	if [ -n "${VM_INSN_DIR:-}" ]; then
		plugin=(-plugin "file=$VM_INSN_PLUGIN,dir=$VM_INSN_DIR,node=$i")
		[ "${VM_INSN_PROFILE:-0}" = 0 ] || plugin[1]+=,profile=on
	fi
	# shellcheck disable=SC2086
	qemu-system-x86_64 -name "mlog-node$i" -nodefaults -no-user-config \
		-display none -vga none -no-reboot \
		-machine pc $accel -smp "$VM_CPUS" -m "$VM_MEM" "${plugin[@]}" \
		${VM_BIOS:+-bios "$VM_BIOS"} -kernel "$VM_BOOT_KERNEL" -initrd "$VM_INITRD" \
		-append "console=ttyS0 panic=-1 loglevel=4 8250.nr_uarts=1 i8042.noaux i8042.nokbd i8042.nopnp no_timer_check random.trust_cpu=on mlogvm.agent=$VM_DIR/agent mlogvm.repo=$VM_REPO mlogvm.shared=$VM_SHARED ${VM_APPEND:-}" \
		-serial "file:$con" \
		-qmp "unix:$(vm_qmp_sock "$i"),server=on,wait=off" \
		-fsdev "local,id=fsroot,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=fsroot,mount_tag=hostroot" \
		-fsdev "local,id=fsrepo,path=$VM_REPO,security_model=none,readonly=on,multidevs=remap" \
		-device "virtio-9p-pci,fsdev=fsrepo,mount_tag=repo" \
		-fsdev "local,id=fsctl,path=$nd,security_model=none" \
		-device "virtio-9p-pci,fsdev=fsctl,mount_tag=ctl" \
		-fsdev "local,id=fsshared,path=$VM_SHARED,security_model=none" \
		-device "virtio-9p-pci,fsdev=fsshared,mount_tag=shared" \
		-netdev "vde,id=net0,sock=$VM_VDE_SOCK" \
		-device "virtio-net-pci,netdev=net0,mac=$(vm_node_mac "$i")" \
		</dev/null >"$VM_LOGDIR/node$i.qemu.log" 2>&1 &
	pid=$!
	disown "$pid" 2>/dev/null || :
	echo "$pid" > "$VM_RUN/node$i.pid"
	date +%s%N > "$nd/boot-start"
	if [ "${VM_VERBOSE:-0}" = 1 ]; then
		(
			while [ ! -e "$con" ] && vm_pid_alive "$pid"; do sleep 0.1; done
			exec tail -n +1 -s 0.2 -f --pid="$pid" "$con" 2>/dev/null |
				sed -u "s/^/[node$i console] /" >&2
		) &
	fi
}

# Sleep $1 seconds in a way a trapped signal interrupts at once: bash
# runs a trap as soon as the wait builtin returns, while a SIGINT that
# arrives during a foreground sleep is dropped when the sleep then exits
# normally.
vm_nap() {
	sleep "$1" &
	wait $! 2>/dev/null
}

# Print the last lines of node $1's console on stderr, prefixed.
vm_console_tail() {
	local con
	con=$(vm_console "$1")
	[ -s "$con" ] || { vm_err "node $1: the console is empty"; return 0; }
	vm_err "node $1: last console lines:"
	tail -n "${2:-10}" "$con" 2>/dev/null | tr -d '\r' | sed "s/^/$VM_PROG: node $1 console: /" >&2
}

# Wait until node $1 reports ready.  A boot is slow, not hung, while its
# console keeps printing: the node fails only when its console has been
# silent for $2 seconds before it is ready, or when $3 seconds have passed
# since its QEMU started, progress or not.  $4, if given, bounds this wait
# itself (seconds from now).  On failure, says why with the console's tail.
vm_wait_ready() {
	local i=$1 silence=$2 cap=$3 wait=${4:-} nd=$VM_RUN/node$1 con r pid now
	local t0 last size lsize=-1 mt wend=
	con=$(vm_console "$i")
	t0=$(cat "$nd/boot-start" 2>/dev/null) || t0=
	[[ "$t0" =~ ^[0-9]+$ ]] && t0=$((t0 / 1000000)) || t0=$(vm_now_ms)
	[ -z "$wait" ] || wend=$(( $(vm_now_ms) + wait * 1000 ))
	# Silence is counted from the console's last change, which may be
	# before this wait began (nodes boot together, are waited in turn).
	last=$t0
	while :; do
		if [ -s "$nd/ready" ]; then
			r=$(cat "$nd/ready")
			if [ "$r" = ok ]; then
				return 0
			fi
			vm_err "node $i: ${r#error: } (console log: $con)"
			return 1
		fi
		pid=$(vm_qemu_pid "$i")
		if ! vm_pid_alive "$pid"; then
			vm_err "node $i is down: QEMU exited before the node was ready (console log: $con, QEMU log: $VM_LOGDIR/node$i.qemu.log)"
			tail -n 5 "$VM_LOGDIR/node$i.qemu.log" 2>/dev/null | sed "s/^/$VM_PROG: node $i qemu: /" >&2
			grep -h 'mlog-vm-init: FATAL' "$con" 2>/dev/null | sed "s/^/$VM_PROG: node $i: /" >&2
			return 1
		fi
		now=$(vm_now_ms)
		size=$(stat -c %s "$con" 2>/dev/null) || size=0
		if [ "$size" != "$lsize" ]; then
			if [ "$lsize" = -1 ]; then
				mt=$(stat -c %Y "$con" 2>/dev/null) || mt=0
				[ "$size" = 0 ] || [ $((mt * 1000)) -le "$last" ] || last=$((mt * 1000))
			else
				last=$now
			fi
			lsize=$size
		fi
		if [ $((now - last)) -ge $((silence * 1000)) ]; then
			vm_err "node $i hung while booting: its console printed nothing for $silence s (--boot-timeout; $(( (now - t0) / 1000 )) s since it started), console log: $con"
			vm_console_tail "$i"
			return 1
		fi
		if [ $((now - t0)) -ge $((cap * 1000)) ]; then
			vm_err "node $i did not boot within $cap s (--boot-cap), although its console was still printing, console log: $con"
			vm_console_tail "$i"
			return 1
		fi
		if [ -n "$wend" ] && [ "$now" -ge "$wend" ]; then
			vm_err "node $i was not ready within $wait s, console log: $con"
			vm_console_tail "$i"
			return 1
		fi
		vm_nap 0.1
	done
}

# Kill node $1's QEMU (SIGKILL) and wait until it is gone.
vm_crash_node() {
	local i=$1 pid n=0
	pid=$(vm_qemu_pid "$i")
	rm -f "$VM_RUN/node$i/ready"
	if vm_pid_alive "$pid"; then
		kill -KILL "$pid" 2>/dev/null
		while vm_pid_alive "$pid"; do
			n=$((n + 1))
			[ "$n" -lt 100 ] || { vm_err "node $i (pid $pid) survives SIGKILL"; return 1; }
			sleep 0.05
		done
	fi
	return 0
}

# Submit a job to node $1; remaining args are the argv. Prints the job id.
vm_job_submit() {
	local i=$1 nd id j
	shift
	nd=$VM_RUN/node$i
	[ -s "$nd/ready" ] && [ "$(cat "$nd/ready")" = ok ] || { vm_err "node $i is not ready"; return 1; }
	id=$(date +%s%N)-$$-$RANDOM
	j=$nd/jobs/$id
	: > "$j.out" && : > "$j.err" || { vm_err "cannot create job files in $nd/jobs"; return 1; }
	{
		printf 'cd %q 2>/dev/null || cd /\n' "${VM_JOB_CWD:-$VM_REPO}"
		printf 'exec'
		printf ' %q' "$@"
		printf '\n'
	} > "$j.sh.tmp" && mv -f "$j.sh.tmp" "$j.sh" || { vm_err "cannot submit job"; return 1; }
	echo "$id"
}

# Stream job $2 of node $1 to stdout/stderr (prefix $4, may be empty) until it
# finishes; $3 = timeout in seconds.  Returns the job's exit status, or 255
# (with a message) if the node went down, the job vanished or it timed out.
vm_job_wait() {
	local i=$1 id=$2 t=$3 prefix=$4 j=$VM_RUN/node$1/jobs/$2 poller rc t1 t2
	[ -e "$j.out" ] || { vm_err "no job $id on node $i (node rebooted?)"; return 255; }
	(
		end=$(( $(vm_now_ms) + t * 1000 ))
		pid=$(vm_qemu_pid "$i")
		while :; do
			[ -e "$j.rc" ] && exit 0
			if ! vm_pid_alive "$pid"; then
				vm_err "node $i went down while running the command (console log: $(vm_console "$i"))"
				exit 1
			fi
			if [ ! -e "$j.out" ]; then
				vm_err "job $id on node $i vanished (node rebooted?)"
				exit 1
			fi
			if [ "$(vm_now_ms)" -ge "$end" ]; then
				vm_err "command on node $i did not finish within $t s"
				exit 2
			fi
			sleep 0.05
		done
	) &
	poller=$!
	if [ -n "$prefix" ]; then
		tail -c +1 -s 0.1 -f --pid="$poller" "$j.out" 2>/dev/null | sed -u "s/^/$prefix/" &
		t1=$!
		{ tail -c +1 -s 0.1 -f --pid="$poller" "$j.err" 2>/dev/null | sed -u "s/^/$prefix/"; } >&2 &
		t2=$!
	else
		tail -c +1 -s 0.1 -f --pid="$poller" "$j.out" 2>/dev/null &
		t1=$!
		{ tail -c +1 -s 0.1 -f --pid="$poller" "$j.err" 2>/dev/null; } >&2 &
		t2=$!
	fi
	wait "$poller"
	rc=$?
	wait "$t1" "$t2" 2>/dev/null
	if [ "$rc" = 0 ]; then
		rc=$(cat "$j.rc" 2>/dev/null)
		[[ "$rc" =~ ^[0-9]+$ ]] || { vm_err "node $i: bad status file for job $id"; return 255; }
		return "$rc"
	fi
	return 255
}

# ---- Cluster mode (vm-run --cluster): the mlog daemons on every node ----

# The userspace programs of --cluster: NAME and its directory under
# build/user/daemons/ (also looked for directly under build/user/).
VM_CLUSTER_PROGS="mlog-logd:logd mlog-ckptd:ckptd mlog-recoverd:recoverd mlog-run:run mlogctl:mlogctl"

# Path of program $1 (a NAME of VM_CLUSTER_PROGS) in the userspace build
# tree $2; the first candidate if none exists.
vm_cluster_prog() {
	local name=$1 ub=$2 e sub c
	for e in $VM_CLUSTER_PROGS; do
		[ "${e%%:*}" = "$name" ] && sub=${e#*:}
	done
	for c in "$ub/daemons/$sub/$name" "$ub/$sub/$name"; do
		[ -x "$c" ] && { echo "$c"; return 0; }
	done
	echo "$ub/daemons/$sub/$name"
}

# Fill $VM_RUN/bin with the programs of a cluster run: links to the
# binaries of the userspace build tree $1, or, if $2 (the stand-in test
# hook, MLOG_VM_STANDIN) is set, scripts running "$2 NAME ARGS..." in
# place of the daemons and mlog-run.  Fails, naming them, if binaries are
# missing.
vm_cluster_bin() {
	local ub=$1 standin=$2 bin=$VM_RUN/bin e name p missing=""
	mkdir -p "$bin" || vm_die "cannot create $bin"
	for e in $VM_CLUSTER_PROGS; do
		name=${e%%:*}
		if [ -n "$standin" ] && [ "$name" != mlogctl ]; then
			printf '#!/bin/sh\nexec %q %q "$@"\n' "$standin" "$name" > "$bin/$name" &&
				chmod +x "$bin/$name" || vm_die "cannot write $bin/$name"
			continue
		fi
		p=$(vm_cluster_prog "$name" "$ub")
		if [ -x "$p" ]; then
			ln -sfn "$p" "$bin/$name" || vm_die "cannot link $bin/$name"
		else
			missing="$missing $name ($p)"
		fi
	done
	[ -z "$missing" ] ||
		vm_die "--cluster: missing program(s):$missing; build them first (make)"
}

# Run "scripts/vm/daemon ARGS..." on node $1 as a job and wait for it
# (bounded by the time left in the run); its output goes to stdout.
vm_daemon_job() {
	local i=$1 id t
	shift
	id=$(vm_job_submit "$i" "$VM_DIR/daemon" "$@") || return 255
	t=$(( (VM_DEADLINE_MS - $(vm_now_ms)) / 1000 ))
	[ "$t" -ge 1 ] || t=1
	vm_job_wait "$i" "$id" "$t" "" 2>&1
}

# Run scripts/vm/daemon ARGS... on every node of the list $1 at once;
# fail, with the output of those that failed, if any does.
vm_daemon_all() {
	local nodes=$1 i rc=0 out=$VM_RUN/cluster-jobs
	shift
	mkdir -p "$out"
	declare -A pids
	for i in $nodes; do
		( vm_daemon_job "$i" "$@" > "$out/node$i" ) &
		pids[$i]=$!
	done
	for i in $nodes; do
		if ! wait "${pids[$i]}"; then
			vm_err "node $i: cluster set-up step 'daemon $*' failed:"
			sed "s/^/$VM_PROG: node $i: /" "$out/node$i" >&2
			rc=1
		fi
	done
	return "$rc"
}

# The state directory's file by which mlog-recoverd says it is up.
vm_recoverd_addr() { echo "$VM_SHARED/mlog/recoverd.addr"; }

# Bring the daemons up on every node: node set and mlog-logd everywhere,
# then mlog-recoverd on its node until it has written its address, then
# mlog-ckptd everywhere; then check that they all still run.
vm_cluster_up() {
	local all
	all=$(seq "$VM_NODES" | tr '\n' ' ')
	vm_daemon_all "$all" node-set || return 1
	vm_daemon_all "$all" start mlog-logd || return 1
	vm_daemon_all "$VM_RECOVERD_NODE" start mlog-recoverd || return 1
	vm_daemon_all "$VM_RECOVERD_NODE" wait-file "$(vm_recoverd_addr)" mlog-recoverd 120 || return 1
	vm_daemon_all "$all" start mlog-ckptd || return 1
	vm_daemon_all "$all" status || return 1
}

# A replacement node of a cluster run joins as a new member: node set,
# mlog-logd and mlog-ckptd (--spare if its id is a spare's); mlog-recoverd
# is left to the caller ('vm-ctl daemon start').
vm_cluster_member() {
	vm_daemon_all "$1" node-set || return 1
	vm_daemon_all "$1" start mlog-logd || return 1
	vm_daemon_all "$1" start mlog-ckptd || return 1
	vm_daemon_all "$1" status || return 1
}
