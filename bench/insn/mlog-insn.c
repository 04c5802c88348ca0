// SPDX-License-Identifier: GPL-2.0
/*
 * mlog-insn: a QEMU TCG plugin (QEMU 7.2, qemu-system-x86_64) counting
 * the guest instructions a VM executes, for bench/slog/run --insns.  See
 * Documentation/benchmarks.rst, "Instruction counts".
 *
 *   -plugin file=mlog-insn.so,dir=DIR,node=N[,profile=on]
 *
 * Counting: every translated block (TB) gets an inline add of its number
 * of instructions into one of three 64-bit counters, by the TB's guest
 * virtual address: user (below 0x8000000000000000), modules (from
 * 0xffffffffc0000000, the x86-64 module area with KASLR: modules, BPF
 * JIT code, trampolines) and kernel (the rest).  A TB left early (a
 * fault in its middle) counts whole; an idle vCPU (HLT) executes nothing.
 * A fourth counter is the VM's wake-ups: how often its vCPU resumed
 * after going idle.  The counters live in DIR/nodeN.cnt, mapped
 * MAP_SHARED, so that the plugin of another VM can read them.
 *
 * The TBs are shared by all the vCPUs of a VM and inline adds are not
 * atomic, so the plugin refuses a VM of more than one vCPU.
 *
 * Markers: guest user code runs "xchg %bx,%bx" (66 87 db) followed by
 * "nopl MAGIC+TAG(%rax)" with a 32-bit displacement (0f 1f 80 + 4 bytes
 * little-endian), both no-ops on any x86-64 CPU.  MAGIC (0x4d4c0000, "ML")
 * keeps the nopl apart from the compilers' nop padding, whose
 * displacement is 0.  The plugin recognises the nopl at translation time
 * when the instruction before it in the same TB is the xchg, or when the
 * nopl is the first instruction of its TB: a TB can end between the two
 * (page boundary, interrupt, TB size limit), and the magic displacement
 * alone is then taken as enough.  The nopl gets an exec callback with
 * its tag and the number of instructions of its TB from it to the end:
 * the TB was counted whole when it started, so the user count at the
 * marker is exact once these are taken off.
 *
 *   1  begin a block of mode none	2  begin a block of mode log
 *   3  end the block: for every DIR/node*.cnt, add the counts since the
 *	begin to the accumulators of the block's mode
 *   4  flush: append one JSON line with the accumulators and the number
 *	of blocks of each mode to DIR/insn-marks.log, then reset them
 *
 * The plugin of the VM that runs the markers (the client's) does this;
 * the others only count.  A VM's work in flight when the client passes a
 * marker (a server reply being sent, say) falls on one side or the other.
 *
 * Profile (profile=on): every TB also gets an inline add of 1 into an
 * exec counter of its own.  On every phase change (begin, end, flush)
 * the plugin adds the execs of every TB since the last change to the
 * phase that was on (out of block, none or log).  The client's plugin
 * does so at its markers and publishes the phase in DIR/marks.ctl; the
 * other VMs' plugins read that file whenever their vCPU goes idle or
 * resumes, which a server does between two requests, so that their
 * execs are attributed to the client's phases too ("missed" counts the
 * phase changes a VM did not see one by one).  At a flush each VM writes
 * DIR/insn-profile-nodeN-FLUSH.txt: per TB its address, instructions and
 * execs in each phase.  bench/insn/symbolize.py maps them to functions.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "qemu-plugin-api.h"

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

#define MARK_MAGIC	0x4d4c0000u
#define MARK_MASK	0xffff0000u
#define USER_END	0x8000000000000000ull
#define MODULES_START	0xffffffffc0000000ull
#define CNT_MAGIC	0x544e434e53494c4dull	/* "MLISNCNT" */
#define MAX_NODES	64
#define SLAB		4096

enum { TAG_NONE = 1, TAG_LOG, TAG_END, TAG_FLUSH };
/*
 * Instruction categories; then C_REP, the further iterations of REP
 * string instructions (see rep_string()); C_WAKE, how often the vCPU
 * resumed after going idle (a wake-up: an interrupt or timer ended a
 * HLT), which costs host time that no guest instruction shows; C_TRANS,
 * the blocks translated; and C_ATOMIC, the instructions that are atomic
 * on memory (a LOCK prefix, or XCHG with a memory operand), counted
 * again apart: multi-threaded TCG runs them through helpers, at a cost
 * in host time far above that of other instructions.
 */
enum {
	C_USER, C_KERNEL, C_MODULES, NCAT,
	C_REP = NCAT, C_WAKE, C_TRANS, C_ATOMIC, NCNT
};

enum { PH_OUT, PH_NONE, PH_LOG, NPHASE };

static const char *const cat_name[NCNT] = {
	"user", "kernel", "modules", "rep", "wakeups", "translations",
	"atomics"
};

static const char *const phase_name[NPHASE] = { "out", "none", "log" };

/* DIR/nodeN.cnt: one page, written only by node N's plugin. */
struct cnt_page {
	uint64_t magic;
	uint64_t cnt[NCNT];
};

/* DIR/marks.ctl (profile): the marker VM's phase, read by the others. */
struct ctl_page {
	uint64_t seq;		/* bumped at every phase change and flush */
	uint64_t phase;		/* PH_* */
	uint64_t flush;		/* flushes so far */
};

/* A VM whose counters the marker VM reads, and its accumulators. */
struct node {
	int id;
	const struct cnt_page *p;	/* another VM's: read atomically */
	uint64_t begin[NCNT];
	uint64_t sum[NPHASE][NCNT];
};

/* Profile: one per translated block. */
struct tb_prof {
	uint64_t execs;		/* inline add 1 per execution */
	uint64_t last;		/* execs at the last phase change */
	uint64_t acc[NPHASE];
	uint64_t vaddr;
	uint64_t ninsns;
};

static const char *dir;
static int node_id;
static int profile;
static struct cnt_page *cnt;

static struct node nodes[MAX_NODES];
static int nnodes;
static int phase;		/* phase of the open block, PH_OUT if none */
static uint64_t blocks[NPHASE], unmatched, flushes;

static pthread_mutex_t prof_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tb_prof **slabs;
static size_t nslabs, ntbs;
static struct ctl_page *ctl;
static uint64_t ctl_seen, flush_seen, missed;
static int prof_phase;

static void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warn(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	n = snprintf(buf, sizeof(buf), "mlog-insn[node %d]: ", node_id);
	va_start(ap, fmt);
	vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	strncat(buf, "\n", sizeof(buf) - strlen(buf) - 1);
	qemu_plugin_outs(buf);
	fputs(buf, stderr);
}

/* Map DIR/@name (at least @len bytes, created if @create). */
static void *map_file(const char *name, size_t len, int create, int writable)
{
	char path[4096];
	struct stat st;
	void *p;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, (writable ? O_RDWR : O_RDONLY) |
		  (create ? O_CREAT : 0) | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || (st.st_size < (off_t)len &&
			       (!writable || ftruncate(fd, len)))) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, len, PROT_READ | (writable ? PROT_WRITE : 0),
		 MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

static int category(uint64_t pc)
{
	if (pc < USER_END)
		return C_USER;
	return pc >= MODULES_START ? C_MODULES : C_KERNEL;
}

/*
 * The offset of the opcode of the instruction @d (@n bytes), after its
 * prefixes; *@rep is set if one was REP/REPNE, *@lock if one was LOCK.
 */
static size_t opcode_at(const uint8_t *d, size_t n, bool *rep, bool *lock)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (d[i]) {
		case 0xf0:
			*lock = true;
			continue;
		case 0xf2: case 0xf3:
			*rep = true;
			continue;
		case 0x66: case 0x67: case 0x26: case 0x2e: case 0x36:
		case 0x3e: case 0x64: case 0x65:
			continue;
		}
		if (d[i] >= 0x40 && d[i] <= 0x4f)	/* REX */
			continue;
		break;
	}
	return i;
}

/*
 * Is @insn a string instruction with a REP prefix?  TCG executes one
 * iteration per execution of a block that holds just that instruction
 * and jumps back to it, so counted as instructions a 4 KiB memset would
 * weigh 4096: a real CPU retires it once and moves 16-64 bytes a cycle.
 * The iterations after the first go to C_REP instead, kept out of the
 * instruction categories.
 */
static bool rep_string(const struct qemu_plugin_insn *insn)
{
	const uint8_t *d = qemu_plugin_insn_data(insn);
	size_t n = qemu_plugin_insn_size(insn);
	bool rep = false, lock = false;
	size_t i = opcode_at(d, n, &rep, &lock);

	if (!rep || i >= n)
		return false;
	return (d[i] >= 0xa4 && d[i] <= 0xa7) || (d[i] >= 0xaa && d[i] <= 0xaf) ||
	       (d[i] >= 0x6c && d[i] <= 0x6f);
}

/*
 * Is @insn atomic on memory: a LOCK prefix, or XCHG (0x86, 0x87) with a
 * memory operand, which locks without one?
 */
static bool atomic_insn(const struct qemu_plugin_insn *insn)
{
	const uint8_t *d = qemu_plugin_insn_data(insn);
	size_t n = qemu_plugin_insn_size(insn);
	bool rep = false, lock = false;
	size_t i = opcode_at(d, n, &rep, &lock);

	return lock ||
	       (i + 1 < n && (d[i] == 0x86 || d[i] == 0x87) && d[i + 1] < 0xc0);
}

/* ------------------------------------------------------------------ */
/* Profile */

static struct tb_prof *prof_new(uint64_t vaddr, size_t n)
{
	struct tb_prof *t = NULL, **s;

	pthread_mutex_lock(&prof_lock);
	if (ntbs == nslabs * SLAB) {
		s = realloc(slabs, (nslabs + 1) * sizeof(*slabs));
		if (s) {
			slabs = s;
			slabs[nslabs] = calloc(SLAB, sizeof(**slabs));
			if (slabs[nslabs])
				nslabs++;
		}
	}
	if (ntbs < nslabs * SLAB) {
		t = &slabs[ntbs / SLAB][ntbs % SLAB];
		t->vaddr = vaddr;
		t->ninsns = n;
		ntbs++;
	}
	pthread_mutex_unlock(&prof_lock);
	return t;
}

/* The execs since the last change go to the phase that was on. */
static void prof_change(int new_phase)
{
	struct tb_prof *t;
	uint64_t e;
	size_t i;

	pthread_mutex_lock(&prof_lock);
	for (i = 0; i < ntbs; i++) {
		t = &slabs[i / SLAB][i % SLAB];
		e = t->execs;
		t->acc[prof_phase] += e - t->last;
		t->last = e;
	}
	prof_phase = new_phase;
	pthread_mutex_unlock(&prof_lock);
}

static void prof_write(uint64_t flush)
{
	char path[4096], tmp[4200];
	struct tb_prof *t;
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/insn-profile-node%d-%" PRIu64 ".txt",
		 dir, node_id, flush);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f) {
		warn("%s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "# mlog-insn profile node %d flush %" PRIu64
		" tbs %zu missed %" PRIu64 "\n", node_id, flush, ntbs, missed);
	fprintf(f, "# vaddr ninsns execs_out execs_none execs_log\n");
	pthread_mutex_lock(&prof_lock);
	for (i = 0; i < ntbs; i++) {
		t = &slabs[i / SLAB][i % SLAB];
		if (t->acc[PH_NONE] || t->acc[PH_LOG])
			fprintf(f, "%" PRIx64 " %" PRIu64 " %" PRIu64 " %" PRIu64
				" %" PRIu64 "\n", t->vaddr, t->ninsns,
				t->acc[PH_OUT], t->acc[PH_NONE], t->acc[PH_LOG]);
		memset(t->acc, 0, sizeof(t->acc));
	}
	pthread_mutex_unlock(&prof_lock);
	missed = 0;
	if (fclose(f) || rename(tmp, path))
		warn("%s: %s", path, strerror(errno));
}

/* The marker VM publishes a phase change (and a flush). */
static void ctl_publish(int new_phase, int flush)
{
	if (!ctl)
		return;
	ctl->phase = new_phase;
	if (flush)
		ctl->flush++;
	__atomic_store_n(&ctl->seq, ctl->seq + 1, __ATOMIC_RELEASE);
	ctl_seen = ctl->seq;
	flush_seen = ctl->flush;
}

/* The other VMs: follow the marker VM's phase when idle or resuming. */
static void ctl_poll(qemu_plugin_id_t id, unsigned int vcpu)
{
	uint64_t seq = __atomic_load_n(&ctl->seq, __ATOMIC_ACQUIRE);
	uint64_t f;

	if (seq == ctl_seen)
		return;
	missed += seq - ctl_seen - 1;
	ctl_seen = seq;
	prof_change(ctl->phase < NPHASE ? ctl->phase : PH_OUT);
	f = ctl->flush;
	if (f != flush_seen) {
		flush_seen = f;
		prof_write(f);
	}
}

/* The vCPU resumes after being idle: count a wake-up. */
static void on_resume(qemu_plugin_id_t id, unsigned int vcpu)
{
	__atomic_store_n(&cnt->cnt[C_WAKE], cnt->cnt[C_WAKE] + 1,
			 __ATOMIC_RELAXED);
	if (ctl)
		ctl_poll(id, vcpu);
}

/* ------------------------------------------------------------------ */
/* Markers */

/* Map the counters of every VM that has some (once per VM). */
static void scan_nodes(void)
{
	char name[64];
	int i, j;

	for (i = 1; i <= MAX_NODES && nnodes < MAX_NODES; i++) {
		for (j = 0; j < nnodes && nodes[j].id != i; j++)
			;
		if (j < nnodes)
			continue;
		if (i == node_id) {
			nodes[nnodes].p = cnt;
		} else {
			snprintf(name, sizeof(name), "node%d.cnt", i);
			nodes[nnodes].p = map_file(name, sizeof(struct cnt_page),
						   0, 0);
			if (!nodes[nnodes].p)
				continue;
		}
		nodes[nnodes++].id = i;
	}
}

/* Node @n's counter @c at the marker (@rem: this TB's uncounted rest). */
static uint64_t count_at(struct node *n, int c, uint64_t rem)
{
	uint64_t v = __atomic_load_n(&n->p->cnt[c], __ATOMIC_RELAXED);

	return n->id == node_id && c == C_USER ? v - rem : v;
}

static void flush_marks(void)
{
	char line[16384];
	size_t len = 0;
	int i, m, c, fd;

#define OUT(...) (len += snprintf(line + len, len < sizeof(line) ? \
				  sizeof(line) - len : 0, __VA_ARGS__))
	OUT("{\"flush\":%" PRIu64 ",\"node\":%d,\"blocks\":{\"none\":%" PRIu64
	    ",\"log\":%" PRIu64 "},\"unmatched\":%" PRIu64, ++flushes, node_id,
	    blocks[PH_NONE], blocks[PH_LOG], unmatched);
	for (m = PH_NONE; m <= PH_LOG; m++) {
		OUT(",\"%s\":{", phase_name[m]);
		for (i = 0; i < nnodes; i++) {
			OUT("%s\"node%d\":{", i ? "," : "", nodes[i].id);
			for (c = 0; c < NCNT; c++)
				OUT("%s\"%s\":%" PRIu64, c ? "," : "",
				    cat_name[c], nodes[i].sum[m][c]);
			OUT("}");
		}
		OUT("}");
	}
	OUT("}\n");
#undef OUT
	if (len >= sizeof(line)) {
		warn("flush line too long");
		return;
	}
	snprintf(line + len + 1, sizeof(line) - len - 1, "%s/insn-marks.log",
		 dir);
	fd = open(line + len + 1, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
		  0644);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len)
		warn("insn-marks.log: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	for (i = 0; i < nnodes; i++)
		memset(nodes[i].sum, 0, sizeof(nodes[i].sum));
	memset(blocks, 0, sizeof(blocks));
	unmatched = 0;
}

static void on_mark(unsigned int vcpu, void *udata)
{
	uintptr_t u = (uintptr_t)udata;
	uint64_t rem = u >> 8;
	int tag = u & 0xff, i, c;

	switch (tag) {
	case TAG_NONE:
	case TAG_LOG:
		if (!nnodes)
			scan_nodes();
		if (phase != PH_OUT)
			unmatched++;
		phase = tag == TAG_NONE ? PH_NONE : PH_LOG;
		for (i = 0; i < nnodes; i++)
			for (c = 0; c < NCNT; c++)
				nodes[i].begin[c] = count_at(&nodes[i], c, rem);
		break;
	case TAG_END:
		if (phase == PH_OUT) {
			unmatched++;
			return;
		}
		for (i = 0; i < nnodes; i++)
			for (c = 0; c < NCNT; c++)
				nodes[i].sum[phase][c] +=
					count_at(&nodes[i], c, rem) - nodes[i].begin[c];
		blocks[phase]++;
		phase = PH_OUT;
		break;
	case TAG_FLUSH:
		if (phase != PH_OUT)
			unmatched++;
		phase = PH_OUT;
		flush_marks();
		scan_nodes();
		break;
	default:
		return;
	}
	if (profile) {
		prof_change(phase);
		ctl_publish(phase, tag == TAG_FLUSH);
		if (tag == TAG_FLUSH)
			prof_write(ctl ? ctl->flush : flushes);
	}
}

/* The marker's tag if instruction @i of @tb is one, else 0. */
static int mark_tag(struct qemu_plugin_tb *tb, size_t i)
{
	static const uint8_t xchg[3] = { 0x66, 0x87, 0xdb };
	struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
	const uint8_t *d = qemu_plugin_insn_data(insn);
	uint32_t disp;

	if (qemu_plugin_insn_size(insn) != 7 || d[0] != 0x0f || d[1] != 0x1f ||
	    d[2] != 0x80)
		return 0;
	disp = d[3] | d[4] << 8 | d[5] << 16 | (uint32_t)d[6] << 24;
	if ((disp & MARK_MASK) != MARK_MAGIC || !(disp & ~MARK_MASK) ||
	    (disp & ~MARK_MASK) > TAG_FLUSH)
		return 0;
	if (i > 0) {
		insn = qemu_plugin_tb_get_insn(tb, i - 1);
		if (qemu_plugin_insn_size(insn) != sizeof(xchg) ||
		    memcmp(qemu_plugin_insn_data(insn), xchg, sizeof(xchg)))
			return 0;
	}
	return disp & ~MARK_MASK;
}

static void tb_trans(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb), i;
	uint64_t natomic = 0;
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	struct tb_prof *t;
	void *udata;
	int tag, cat;

	__atomic_store_n(&cnt->cnt[C_TRANS], cnt->cnt[C_TRANS] + 1,
			 __ATOMIC_RELAXED);
	/* A block of one REP string instruction: an iteration after the first */
	cat = n == 1 && rep_string(qemu_plugin_tb_get_insn(tb, 0)) ?
	      C_REP : category(pc);
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &cnt->cnt[cat], n);
	for (i = 0; i < n; i++)
		natomic += atomic_insn(qemu_plugin_tb_get_insn(tb, i));
	if (natomic)
		qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
							 &cnt->cnt[C_ATOMIC], natomic);
	if (profile) {
		t = prof_new(pc, n);
		if (t)
			qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
								 &t->execs, 1);
	}
	if (pc >= USER_END)
		return;
	for (i = 0; i < n; i++) {
		tag = mark_tag(tb, i);
		if (!tag)
			continue;
		udata = (void *)(uintptr_t)(tag | (n - i) << 8);
		qemu_plugin_register_vcpu_insn_exec_cb(qemu_plugin_tb_get_insn(tb, i),
						       on_mark, QEMU_PLUGIN_CB_NO_REGS,
						       udata);
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id,
					   const qemu_info_t *info,
					   int argc, char **argv)
{
	const char *a;
	char name[64];
	int i;

	for (i = 0; i < argc; i++) {
		a = argv[i];
		if (!strncmp(a, "arg=", 4))	/* -plugin ...,arg=dir=D */
			a += 4;
		if (!strncmp(a, "dir=", 4)) {
			dir = a + 4;
		} else if (!strncmp(a, "node=", 5)) {
			node_id = atoi(a + 5);
		} else if (!strcmp(a, "profile=on")) {
			profile = 1;
		} else if (strcmp(a, "profile=off")) {
			warn("unknown argument '%s' (dir=DIR,node=N[,profile=on])", a);
			return 1;
		}
	}
	if (!dir || !*dir || node_id < 1 || node_id > MAX_NODES) {
		warn("needs dir=DIR and node=N (1..%d)", MAX_NODES);
		return 1;
	}
	if (!info->system_emulation || info->system.max_vcpus > 1) {
		warn("needs system emulation with one vCPU (-smp 1): inline counts are per VM");
		return 1;
	}
	snprintf(name, sizeof(name), "node%d.cnt", node_id);
	cnt = map_file(name, sizeof(*cnt), 1, 1);
	if (!cnt) {
		warn("cannot map %s/%s: %s", dir, name, strerror(errno));
		return 1;
	}
	memset(cnt, 0, sizeof(*cnt));
	cnt->magic = CNT_MAGIC;
	if (profile) {
		ctl = map_file("marks.ctl", sizeof(*ctl), 1, 1);
		if (!ctl) {
			warn("cannot map %s/marks.ctl: %s", dir, strerror(errno));
			return 1;
		}
		ctl_seen = ctl->seq;
		flush_seen = ctl->flush;
		qemu_plugin_register_vcpu_idle_cb(id, ctl_poll);
	}
	qemu_plugin_register_vcpu_resume_cb(id, on_resume);
	qemu_plugin_register_vcpu_tb_trans_cb(id, tb_trans);
	return 0;
}
