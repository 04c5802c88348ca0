// SPDX-License-Identifier: GPL-2.0
/*
 * The "mlog" generic netlink family: STATUS answers truthfully, and every
 * malformed request is refused with an error and an extack message.
 */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mlog_util.h"

FIXTURE(nl) {
	struct mlog_nl nl;
};

FIXTURE_SETUP(nl)
{
	ASSERT_EQ(0, mlog_nl_open(&self->nl));
}

FIXTURE_TEARDOWN(nl)
{
	close(self->nl.fd);
}

TEST_F(nl, status_reports_version_and_family)
{
	struct nlattr *a;

	ASSERT_EQ(0, mlog_nl_call(&self->nl, self->nl.family,
				  MLOG_CMD_STATUS_GET, NULL, 0));
	a = mlog_nl_attr(&self->nl, MLOG_ATTR_FAMILY);
	ASSERT_NE(NULL, a);
	/* The netlink answer agrees with sysfs: tools may use either. */
	EXPECT_EQ(mlog_af(), *(int *)((char *)a + NLA_HDRLEN));
	a = mlog_nl_attr(&self->nl, MLOG_ATTR_WIRE_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(MLOG_WIRE_VERSION, *(uint32_t *)((char *)a + NLA_HDRLEN));
	a = mlog_nl_attr(&self->nl, MLOG_ATTR_VERSION);
	ASSERT_NE(NULL, a);
	EXPECT_LT(0, strlen((char *)a + NLA_HDRLEN));
	ASSERT_NE(NULL, mlog_nl_attr(&self->nl, MLOG_ATTR_STATS));
}

TEST_F(nl, status_counts_sockets)
{
	uint64_t before[MLOG_STAT_MAX + 1], after[MLOG_STAT_MAX + 1];
	int fd;

	ASSERT_EQ(0, mlog_nl_stats(&self->nl, before));
	fd = socket(mlog_af(), SOCK_DGRAM, 0);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mlog_nl_stats(&self->nl, after));
	EXPECT_EQ(before[MLOG_STAT_SOCKETS] + 1, after[MLOG_STAT_SOCKETS]);
	close(fd);
	ASSERT_EQ(0, mlog_nl_stats(&self->nl, after));
	EXPECT_EQ(before[MLOG_STAT_SOCKETS], after[MLOG_STAT_SOCKETS]);
}

TEST_F(nl, node_set_then_get)
{
	uint8_t addr[16] = { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 };
	uint32_t id = 77;
	struct mlog_nl_attr set[] = {
		{ MLOG_ATTR_NODE_ADDR, sizeof(addr), addr },
		{ MLOG_ATTR_NODE_ID, sizeof(id), &id },
	};
	struct nlattr *a;

	ASSERT_EQ(0, mlog_nl_call(&self->nl, self->nl.family,
				  MLOG_CMD_NODE_SET, set, 2));
	ASSERT_EQ(0, mlog_nl_call(&self->nl, self->nl.family,
				  MLOG_CMD_NODE_GET, NULL, 0));
	a = mlog_nl_attr(&self->nl, MLOG_ATTR_NODE_ID);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(77, *(uint32_t *)((char *)a + NLA_HDRLEN));
	a = mlog_nl_attr(&self->nl, MLOG_ATTR_NODE_ADDR);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, memcmp(addr, (char *)a + NLA_HDRLEN, 16));
}

TEST_F(nl, node_set_without_attributes_refused)
{
	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_NODE_SET, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "nothing to set"));
}

TEST_F(nl, port_zero_refused_by_policy)
{
	uint16_t port = 0;
	struct mlog_nl_attr set = { MLOG_ATTR_UDP_PORT, sizeof(port), &port };

	EXPECT_EQ(-ERANGE, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_NODE_SET, &set, 1));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(nl, short_address_refused)
{
	uint8_t addr[4] = { 127, 0, 0, 1 };
	struct mlog_nl_attr set = { MLOG_ATTR_NODE_ADDR, sizeof(addr), addr };

	/* the policy wants exactly 16 bytes: a length outside the range */
	EXPECT_EQ(-ERANGE, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_NODE_SET, &set, 1));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(nl, ipv6_node_address_refused)
{
	uint8_t addr[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct mlog_nl_attr set = { MLOG_ATTR_NODE_ADDR, sizeof(addr), addr };

	EXPECT_EQ(-EAFNOSUPPORT, mlog_nl_call(&self->nl, self->nl.family,
					      MLOG_CMD_NODE_SET, &set, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "IPv4-mapped"));
}

TEST_F(nl, unknown_attribute_refused)
{
	uint32_t v = 1;
	struct mlog_nl_attr bad = { MLOG_ATTR_MAX + 1, sizeof(v), &v };

	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_STATUS_GET, &bad, 1));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(nl, output_only_attribute_refused)
{
	uint32_t v = 1;
	struct mlog_nl_attr bad = { MLOG_ATTR_FAMILY, sizeof(v), &v };

	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_NODE_SET, &bad, 1));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(nl, unknown_command_refused)
{
	EXPECT_EQ(-EOPNOTSUPP, mlog_nl_call(&self->nl, self->nl.family,
					    MLOG_CMD_MAX + 1, NULL, 0));
}

TEST_F(nl, node_set_needs_privilege)
{
	uint32_t id = 5;
	struct mlog_nl_attr set = { MLOG_ATTR_NODE_ID, sizeof(id), &id };
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mlog_nl nl;

		if (mlog_nl_open(&nl) || setuid(65534))
			_exit(2);
		_exit(mlog_nl_call(&nl, nl.family, MLOG_CMD_NODE_SET,
				   &set, 1) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* ---- sender-based logging: HOST_*, LOG_* ---- */

/* A task alone in a PID namespace of its own: what HOST_ADD protects. */
struct pidns_holder {
	pid_t child;	/* did unshare(CLONE_NEWPID), waits for init */
	pid_t init;	/* its child: pid 1 of the new namespace */
	int go;		/* a byte here: init opens an AF_MLOG SOCK_RDM socket */
	int opened;	/* then says 'y' here (or 'n') */
};

static int pidns_hold(struct pidns_holder *h)
{
	int p[2], go[2], opened[2];
	char c;
	pid_t g;

	if (pipe(p) || pipe(go) || pipe(opened))
		return -1;
	h->child = fork();
	if (h->child < 0)
		return -1;
	if (!h->child) {
		close(p[0]);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (unshare(CLONE_NEWPID))
			_exit(1);
		g = fork();
		if (g < 0)
			_exit(1);
		if (!g) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			if (read(go[0], &c, 1) == 1) {
				c = socket(mlog_af(), SOCK_RDM, 0) < 0 ? 'n' : 'y';
				if (write(opened[1], &c, 1) != 1)
					_exit(1);
			}
			for (;;)
				pause();
		}
		/* @g is its pid in our (the caller's) namespace */
		if (write(p[1], &g, sizeof(g)) != sizeof(g))
			_exit(1);
		waitpid(g, NULL, 0);
		_exit(0);
	}
	close(p[1]);
	close(go[0]);
	close(opened[1]);
	h->go = go[1];
	h->opened = opened[0];
	g = 0;
	if (read(p[0], &g, sizeof(g)) != sizeof(g))
		g = 0;
	close(p[0]);
	h->init = g;
	return g > 0 ? 0 : -1;
}

/* Have the holder's init open a socket: 'y' if it could, else 'n'. */
static char pidns_open_socket(struct pidns_holder *h)
{
	char c = 'g';

	if (write(h->go, &c, 1) != 1 || read(h->opened, &c, 1) != 1)
		return 'n';
	return c;
}

static void pidns_release(struct pidns_holder *h)
{
	if (h->init > 0)
		kill(h->init, SIGKILL);
	if (h->child > 0) {
		waitpid(h->child, NULL, 0);
		close(h->go);
		close(h->opened);
	}
	h->init = 0;
	h->child = 0;
}

/* Send @cmd with the @n attributes @in nested in one attribute @outer. */
static int nest_call(struct mlog_nl *nl, uint8_t cmd, uint16_t outer,
		     const struct mlog_nl_attr *in, int n)
{
	struct mlog_nl_attr nest;
	char buf[512];
	int off = 0, i;

	for (i = 0; i < n; i++)
		off = __nl_put(buf, off, in[i].type, in[i].data, in[i].len);
	nest.type = outer | NLA_F_NESTED;
	nest.len = off;
	nest.data = buf;
	return mlog_nl_call(nl, nl->family, cmd, &nest, 1);
}

static int host_add(struct mlog_nl *nl, uint32_t index, uint32_t pid)
{
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_PID, sizeof(pid), &pid },
	};

	return nest_call(nl, MLOG_CMD_HOST_ADD, MLOG_ATTR_HOST, a, 2);
}

static int host_del(struct mlog_nl *nl, uint32_t index)
{
	struct mlog_nl_attr a = { MLOG_HOST_INDEX, sizeof(index), &index };

	return nest_call(nl, MLOG_CMD_HOST_DEL, MLOG_ATTR_HOST, &a, 1);
}

/* Attribute @type inside the nest @nest, or NULL. */
static struct nlattr *nested_attr(struct nlattr *nest, uint16_t type)
{
	struct nlattr *a = (struct nlattr *)((char *)nest + NLA_HDRLEN);
	int rem = nest->nla_len - NLA_HDRLEN;

	for (; rem >= (int)NLA_HDRLEN && a->nla_len >= NLA_HDRLEN;
	     rem -= NLA_ALIGN(a->nla_len),
	     a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
	return NULL;
}

/*
 * Every test runs in a network namespace of its own (hosts and the log are
 * per namespace), with two tasks that each hold a PID namespace.
 */
FIXTURE(sl) {
	struct mlog_nl nl;
	struct pidns_holder ns1, ns2;
};

FIXTURE_SETUP(sl)
{
	ASSERT_EQ(0, unshare(CLONE_NEWNET));
	ASSERT_EQ(0, mlog_nl_open(&self->nl));
	ASSERT_EQ(0, pidns_hold(&self->ns1));
	ASSERT_EQ(0, pidns_hold(&self->ns2));
}

FIXTURE_TEARDOWN(sl)
{
	uint32_t i;

	/* whatever a test registered; ENOENT for the rest */
	for (i = 1; i <= 3; i++)
		host_del(&self->nl, i);
	pidns_release(&self->ns1);
	pidns_release(&self->ns2);
	close(self->nl.fd);
}

TEST_F(sl, host_add_without_host_nest_refused)
{
	uint32_t index = 1;
	struct mlog_nl_attr a = { MLOG_ATTR_NODE_ID, sizeof(index), &index };

	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_HOST_ADD, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "MLOG_ATTR_HOST"));
	/* another attribute in its place changes nothing */
	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_HOST_ADD, &a, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "MLOG_ATTR_HOST"));
}

TEST_F(sl, host_add_without_pid_refused)
{
	uint32_t index = 1;
	struct mlog_nl_attr a = { MLOG_HOST_INDEX, sizeof(index), &index };

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_ADD,
				     MLOG_ATTR_HOST, &a, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "PID namespace"));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, host_add_without_index_refused)
{
	uint32_t pid = self->ns1.init;
	struct mlog_nl_attr a = { MLOG_HOST_PID, sizeof(pid), &pid };

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_ADD,
				     MLOG_ATTR_HOST, &a, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "host index"));
}

TEST_F(sl, host_add_index_zero_refused_by_policy)
{
	EXPECT_EQ(-ERANGE, host_add(&self->nl, 0, self->ns1.init));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(sl, host_add_index_above_max_hosts_refused)
{
	/* max_hosts is 65535 unless the module was loaded with another */
	EXPECT_EQ(-ERANGE, host_add(&self->nl, 65536, self->ns1.init));
	EXPECT_NE(NULL, strstr(self->nl.extack, "max_hosts"));
	EXPECT_EQ(-ERANGE, host_add(&self->nl, 0xffffffffu, self->ns1.init));
	EXPECT_NE(NULL, strstr(self->nl.extack, "max_hosts"));
	/* the largest index is fine */
	EXPECT_EQ(0, host_add(&self->nl, 65535, self->ns1.init));
	EXPECT_EQ(0, host_del(&self->nl, 65535));
}

TEST_F(sl, host_add_pid_that_does_not_exist_refused)
{
	pid_t gone = fork();

	ASSERT_LE(0, gone);
	if (!gone)
		_exit(0);
	ASSERT_EQ(gone, waitpid(gone, NULL, 0));
	/* reaped: its pid names nobody (until reused) */
	EXPECT_EQ(-ESRCH, host_add(&self->nl, 1, gone));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no such process"));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, host_add_own_pid_namespace_refused)
{
	/* the caller's own namespace, and (in the VM) the initial one */
	EXPECT_EQ(-EINVAL, host_add(&self->nl, 1, getpid()));
	EXPECT_NE(NULL, strstr(self->nl.extack, "PID namespace of its own"));
	EXPECT_EQ(-EINVAL, host_add(&self->nl, 1, self->ns1.child));
	EXPECT_NE(NULL, strstr(self->nl.extack, "PID namespace of its own"));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, host_add_then_duplicate_index_refused)
{
	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	EXPECT_EQ(-EEXIST, host_add(&self->nl, 1, self->ns2.init));
	EXPECT_NE(NULL, strstr(self->nl.extack, "already registered"));
	/* the second namespace is still free under another index */
	EXPECT_EQ(0, host_add(&self->nl, 2, self->ns2.init));
	EXPECT_EQ(0, host_del(&self->nl, 2));
	EXPECT_EQ(0, host_del(&self->nl, 1));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, same_pid_namespace_twice_refused)
{
	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	EXPECT_EQ(-EBUSY, host_add(&self->nl, 2, self->ns1.init));
	EXPECT_NE(NULL, strstr(self->nl.extack, "already a protected host"));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 2));
}

TEST_F(sl, host_add_with_protocol_state_refused)
{
	uint32_t index = 1, pid = self->ns1.init;
	uint64_t rsn = 5;
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_PID, sizeof(pid), &pid },
		{ MLOG_HOST_RSN, sizeof(rsn), &rsn },
	};

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_ADD,
				     MLOG_ATTR_HOST, a, 3));
	EXPECT_NE(NULL, strstr(self->nl.extack, "HOST_SET"));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, unknown_host_index_refused)
{
	uint32_t index = 3;
	uint64_t rsn = 1;
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_RSN, sizeof(rsn), &rsn },
	};

	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 3));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no protected host"));
	self->nl.extack[0] = 0;
	EXPECT_EQ(-ENOENT, nest_call(&self->nl, MLOG_CMD_HOST_GET,
				     MLOG_ATTR_HOST, a, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no protected host"));
	self->nl.extack[0] = 0;
	EXPECT_EQ(-ENOENT, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no protected host"));
	/* host 1 is still there */
	index = 1;
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_GET, MLOG_ATTR_HOST,
			       a, 1));
}

TEST_F(sl, host_set_pid_refused)
{
	uint32_t index = 1, pid = self->ns2.init;
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_PID, sizeof(pid), &pid },
	};

	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "cannot change"));
	/* and the same PID namespace as before is no better */
	pid = self->ns1.init;
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "cannot change"));
}

TEST_F(sl, host_set_rsn_allowed_kernel_only_attributes_refused)
{
	uint32_t index = 1, v32 = 3;
	uint64_t rsn = 7, v64 = 3;
	struct mlog_nl_attr set[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_RSN, sizeof(rsn), &rsn },
	};
	/* what only the kernel sends: reported, never written */
	static const struct {
		uint16_t type;
		int len;
		const char *name;
	} ro[] = {
		{ MLOG_HOST_UNACKED, 4, "MLOG_HOST_UNACKED" },
		{ MLOG_HOST_HISTORY, 4, "MLOG_HOST_HISTORY" },
		{ MLOG_HOST_SOCKETS, 4, "MLOG_HOST_SOCKETS" },
		{ MLOG_HOST_PIDNS, 8, "MLOG_HOST_PIDNS" },
		{ MLOG_HOST_TX_PLAIN, 8, "MLOG_HOST_TX_PLAIN" },
		{ MLOG_HOST_TX_PIGGYBACK, 8, "MLOG_HOST_TX_PIGGYBACK" },
		{ MLOG_HOST_TX_DELAYED, 8, "MLOG_HOST_TX_DELAYED" },
	};
	struct nlattr *host, *a;
	unsigned int i;

	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	ASSERT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_SET, MLOG_ATTR_HOST,
			       set, 2));
	host = mlog_nl_attr(&self->nl, MLOG_ATTR_HOST);
	ASSERT_NE(NULL, host);
	a = nested_attr(host, MLOG_HOST_RSN);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(7, *(uint64_t *)((char *)a + NLA_HDRLEN));

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		struct mlog_nl_attr bad[] = {
			{ MLOG_HOST_INDEX, sizeof(index), &index },
			{ ro[i].type, ro[i].len, ro[i].len == 4 ?
			  (void *)&v32 : (void *)&v64 },
		};

		self->nl.extack[0] = 0;
		EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_SET,
					     MLOG_ATTR_HOST, bad, 2))
			TH_LOG("HOST_SET with %s accepted", ro[i].name);
		EXPECT_STRNE("", self->nl.extack)
			TH_LOG("no extack message for %s", ro[i].name);
	}
	/* nothing of it was written: the RSN is still 7 */
	ASSERT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_GET, MLOG_ATTR_HOST,
			       set, 1));
	host = mlog_nl_attr(&self->nl, MLOG_ATTR_HOST);
	ASSERT_NE(NULL, host);
	a = nested_attr(host, MLOG_HOST_RSN);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(7, *(uint64_t *)((char *)a + NLA_HDRLEN));
	a = nested_attr(host, MLOG_HOST_UNACKED);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(0, *(uint32_t *)((char *)a + NLA_HDRLEN));
}

TEST_F(sl, host_add_needs_privilege)
{
	pid_t pid;
	int status;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct mlog_nl nl;

		if (mlog_nl_open(&nl) || setuid(65534))
			_exit(2);
		_exit(host_add(&nl, 1, self->ns1.init) == -EPERM ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(-ENOENT, host_del(&self->nl, 1));
}

TEST_F(sl, log_set_max_bytes_below_one_block_refused)
{
	uint64_t max = 256 * 1024 - 1;
	struct mlog_nl_attr a = { MLOG_LOG_MAX_BYTES, sizeof(max), &max };
	struct nlattr *log, *b;

	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_LOG_SET,
				     MLOG_ATTR_LOG, &a, 1));
	EXPECT_STRNE("", self->nl.extack);
	max = 0;
	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_LOG_SET,
				     MLOG_ATTR_LOG, &a, 1));
	EXPECT_STRNE("", self->nl.extack);
	/* exactly one block is the smallest cap */
	max = 256 * 1024;
	ASSERT_EQ(0, nest_call(&self->nl, MLOG_CMD_LOG_SET, MLOG_ATTR_LOG,
			       &a, 1));
	log = mlog_nl_attr(&self->nl, MLOG_ATTR_LOG);
	ASSERT_NE(NULL, log);
	b = nested_attr(log, MLOG_LOG_BLOCK_SIZE);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(max, *(uint32_t *)((char *)b + NLA_HDRLEN));
	b = nested_attr(log, MLOG_LOG_MAX_BYTES);
	ASSERT_NE(NULL, b);
	EXPECT_EQ(max, *(uint64_t *)((char *)b + NLA_HDRLEN));
}

TEST_F(sl, log_set_piggyback_two_refused)
{
	uint8_t v = 2;
	struct mlog_nl_attr a = { MLOG_LOG_PIGGYBACK, sizeof(v), &v };

	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_LOG_SET,
				     MLOG_ATTR_LOG, &a, 1));
	EXPECT_STRNE("", self->nl.extack);
	a.type = MLOG_LOG_RANGES;
	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_LOG_SET,
				     MLOG_ATTR_LOG, &a, 1));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(sl, log_set_rsn_delay_above_one_second_refused)
{
	uint32_t us = 1000001;
	struct mlog_nl_attr a = { MLOG_LOG_RSN_DELAY_US, sizeof(us), &us };

	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_LOG_SET,
				     MLOG_ATTR_LOG, &a, 1));
	EXPECT_STRNE("", self->nl.extack);
	us = 1000000;
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_LOG_SET, MLOG_ATTR_LOG,
			       &a, 1));
}

TEST_F(sl, log_set_kernel_only_attributes_refused)
{
	uint64_t v64 = 1;
	uint32_t v32 = 4096;
	uint8_t v8 = 1;
	struct mlog_nl_attr ro[] = {
		{ MLOG_LOG_BYTES, sizeof(v64), &v64 },
		{ MLOG_LOG_ENTRIES, sizeof(v64), &v64 },
		{ MLOG_LOG_BLOCK_SIZE, sizeof(v32), &v32 },
		{ MLOG_LOG_PRESSURE, sizeof(v8), &v8 },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ro); i++) {
		self->nl.extack[0] = 0;
		EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_SET,
					     MLOG_ATTR_LOG, &ro[i], 1))
			TH_LOG("LOG_SET with attribute %u accepted", ro[i].type);
		EXPECT_STRNE("", self->nl.extack);
	}
	/* and LOG_SET without MLOG_ATTR_LOG */
	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_LOG_SET, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "MLOG_ATTR_LOG"));
}

TEST_F(sl, log_purge_needs_exactly_one_of_receiver_and_sender)
{
	uint32_t dst = 1, src = 2;
	uint64_t rsn = 10;
	struct mlog_nl_attr both[] = {
		{ MLOG_ENTRY_DST_HOST, sizeof(dst), &dst },
		{ MLOG_ENTRY_SRC_HOST, sizeof(src), &src },
	};
	struct mlog_nl_attr src_rsn[] = {
		{ MLOG_ENTRY_SRC_HOST, sizeof(src), &src },
		{ MLOG_ENTRY_RSN, sizeof(rsn), &rsn },
	};

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
				     MLOG_ATTR_LOG_ENTRY, both, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "either"));
	self->nl.extack[0] = 0;
	/* an empty nest: neither */
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
				     MLOG_ATTR_LOG_ENTRY, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "either"));
	self->nl.extack[0] = 0;
	/* an RSN only for a receiver */
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
				     MLOG_ATTR_LOG_ENTRY, src_rsn, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "either"));
	/* no nest at all */
	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_LOG_PURGE, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "MLOG_ATTR_LOG_ENTRY"));
	/* a receiver alone is fine (nothing to purge here) */
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
			       MLOG_ATTR_LOG_ENTRY, both, 1));
}

TEST_F(sl, log_purge_kernel_only_entry_attribute_refused)
{
	uint32_t dst = 1;
	uint32_t state = MLOG_ENTRY_FULL;
	struct mlog_nl_attr a[] = {
		{ MLOG_ENTRY_DST_HOST, sizeof(dst), &dst },
		{ MLOG_ENTRY_STATE, sizeof(state), &state },
	};

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
				     MLOG_ATTR_LOG_ENTRY, a, 2));
	EXPECT_STRNE("", self->nl.extack);
}

/* Whether an entry is a datagram is the kernel's to say. */
TEST_F(sl, log_purge_dgram_flag_refused)
{
	uint32_t dst = 1;
	struct mlog_nl_attr a[] = {
		{ MLOG_ENTRY_DST_HOST, sizeof(dst), &dst },
		{ MLOG_ENTRY_DGRAM, 0, &dst },
	};

	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_LOG_PURGE,
				     MLOG_ATTR_LOG_ENTRY, a, 2));
	EXPECT_STRNE("", self->nl.extack);
}

TEST_F(sl, host_set_bad_dependency_refused)
{
	struct {
		struct nlattr dep;
		struct nlattr host_hdr;
		uint32_t host;
		struct nlattr iv_hdr;
		uint64_t iv;
	} __attribute__((packed)) dep;
	uint32_t index = 1;
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_DEPS | NLA_F_NESTED, sizeof(dep), &dep },
	};

	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	memset(&dep, 0, sizeof(dep));
	dep.dep.nla_type = MLOG_HOST_DEP | NLA_F_NESTED;
	dep.dep.nla_len = sizeof(dep);
	dep.host_hdr.nla_type = MLOG_DEP_HOST;
	dep.host_hdr.nla_len = NLA_HDRLEN + 4;
	dep.iv_hdr.nla_type = MLOG_DEP_INTERVAL;
	dep.iv_hdr.nla_len = NLA_HDRLEN + 8;
	dep.iv = 42;
	/* a host index beyond max_hosts */
	dep.host = 65536;
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "dependency"));
	/* host index 0 (policy) */
	dep.host = 0;
	EXPECT_EQ(-ERANGE, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_STRNE("", self->nl.extack);
	/* an interval of 2^62 or more */
	dep.host = 7;
	dep.iv = 1ULL << 62;
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				     MLOG_ATTR_HOST, a, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "dependency"));
	/* a valid one is taken */
	dep.iv = 42;
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_SET, MLOG_ATTR_HOST,
			       a, 2));
}

/* Host of @nl's last reply: its u32 or u64 attribute @type. */
static uint64_t reply_host_attr(struct mlog_nl *nl, uint16_t type)
{
	struct nlattr *host = mlog_nl_attr(nl, MLOG_ATTR_HOST), *a;

	a = host ? nested_attr(host, type) : NULL;
	if (!a)
		return ~0ULL;
	if (a->nla_len == NLA_HDRLEN + 4)
		return *(uint32_t *)((char *)a + NLA_HDRLEN);
	return *(uint64_t *)((char *)a + NLA_HDRLEN);
}

TEST_F(sl, host_set_state_refused_while_the_host_has_sockets)
{
	uint32_t index = 1;
	uint64_t rsn = 5, purge = 0;
	struct mlog_nl_attr set[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_RSN, sizeof(rsn), &rsn },
	};
	struct mlog_nl_attr hist[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_HIST_PURGE, sizeof(purge), &purge },
	};

	ASSERT_EQ(0, host_add(&self->nl, 1, self->ns1.init));
	ASSERT_EQ('y', pidns_open_socket(&self->ns1));
	ASSERT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_GET, MLOG_ATTR_HOST,
			       set, 1));
	EXPECT_EQ(1, reply_host_attr(&self->nl, MLOG_HOST_SOCKETS));
	EXPECT_EQ(-EBUSY, nest_call(&self->nl, MLOG_CMD_HOST_SET,
				    MLOG_ATTR_HOST, set, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "open sockets"));
	/* purging its history is no change of protocol state */
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_SET, MLOG_ATTR_HOST,
			       hist, 2));
	/* its socket gone (the namespace's init killed), the state is written */
	pidns_release(&self->ns1);
	ASSERT_EQ(0, nest_call(&self->nl, MLOG_CMD_HOST_SET, MLOG_ATTR_HOST,
			       set, 2));
	EXPECT_EQ(0, reply_host_attr(&self->nl, MLOG_HOST_SOCKETS));
	EXPECT_EQ(5, reply_host_attr(&self->nl, MLOG_HOST_RSN));
}

/* ---- recovery: ROUTE_*, REPLAY_* (Documentation/recovery.rst) ---- */

static int route_set(struct mlog_nl *nl, uint32_t host, const char *node,
		     uint32_t inc, uint32_t state)
{
	struct sockaddr_mlog a = mlog_addr(node, 1);
	struct mlog_nl_attr r[] = {
		{ MLOG_ROUTE_HOST, sizeof(host), &host },
		{ MLOG_ROUTE_NODE, 16, a.smlog_node },
		{ MLOG_ROUTE_INCARNATION, sizeof(inc), &inc },
		{ MLOG_ROUTE_STATE, sizeof(state), &state },
	};

	return nest_call(nl, MLOG_CMD_ROUTE_SET, MLOG_ATTR_ROUTE, r, 4);
}

static int host_add_inc(struct mlog_nl *nl, uint32_t index, uint32_t pid,
			uint32_t inc, int replay)
{
	struct mlog_nl_attr a[] = {
		{ MLOG_HOST_INDEX, sizeof(index), &index },
		{ MLOG_HOST_PID, sizeof(pid), &pid },
		{ MLOG_HOST_INCARNATION, sizeof(inc), &inc },
		{ MLOG_HOST_REPLAY, 0, NULL },
	};

	return nest_call(nl, MLOG_CMD_HOST_ADD, MLOG_ATTR_HOST, a,
			 replay ? 4 : 3);
}

/*
 * A REPLAY_PUSH of message @rsn (@len bytes, of which @data_len are sent
 * as MLOG_ATTR_DATA) for host @host.
 */
static int replay_push(struct mlog_nl *nl, uint32_t host, uint64_t rsn,
		       uint32_t len, uint32_t data_len)
{
	struct sockaddr_mlog node = mlog_addr("192.0.2.1", 1);
	uint16_t port = 5000;
	uint64_t ssn = rsn;
	uint32_t epoch = 7, src = 9;
	char payload[256] = { 0 }, nest[512];
	struct mlog_nl_attr e[] = {
		{ MLOG_ENTRY_DST_HOST, sizeof(host), &host },
		{ MLOG_ENTRY_SRC_HOST, sizeof(src), &src },
		{ MLOG_ENTRY_SRC_PORT, sizeof(port), &port },
		{ MLOG_ENTRY_DST_PORT, sizeof(port), &port },
		{ MLOG_ENTRY_SSN, sizeof(ssn), &ssn },
		{ MLOG_ENTRY_RSN, sizeof(rsn), &rsn },
		{ MLOG_ENTRY_LEN, sizeof(len), &len },
		{ MLOG_ENTRY_SRC_EPOCH, sizeof(epoch), &epoch },
		{ MLOG_ENTRY_SRC_NODE, 16, node.smlog_node },
	};
	struct mlog_nl_attr top[2];
	int off = 0, i;

	for (i = 0; i < 9; i++)
		off = __nl_put(nest, off, e[i].type, e[i].data, e[i].len);
	top[0].type = MLOG_ATTR_LOG_ENTRY | NLA_F_NESTED;
	top[0].len = off;
	top[0].data = nest;
	top[1].type = MLOG_ATTR_DATA;
	top[1].len = data_len;
	top[1].data = payload;
	return mlog_nl_call(nl, nl->family, MLOG_CMD_REPLAY_PUSH, top,
			    data_len ? 2 : 1);
}

TEST_F(sl, route_set_needs_host_and_node)
{
	uint32_t host = 2;
	struct mlog_nl_attr r = { MLOG_ROUTE_HOST, sizeof(host), &host };

	EXPECT_EQ(-EINVAL, mlog_nl_call(&self->nl, self->nl.family,
					MLOG_CMD_ROUTE_SET, NULL, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "MLOG_ATTR_ROUTE"));
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_ROUTE_SET,
				     MLOG_ATTR_ROUTE, &r, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "host and its node"));
}

TEST_F(sl, route_set_refusals)
{
	uint8_t v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	uint32_t host = 2, bad_state = 3;
	struct mlog_nl_attr r[] = {
		{ MLOG_ROUTE_HOST, sizeof(host), &host },
		{ MLOG_ROUTE_NODE, 16, v6 },
		{ MLOG_ROUTE_STATE, sizeof(bad_state), &bad_state },
	};

	/* the transport is IPv4 */
	EXPECT_EQ(-EAFNOSUPPORT, nest_call(&self->nl, MLOG_CMD_ROUTE_SET,
					   MLOG_ATTR_ROUTE, r, 2));
	EXPECT_NE(NULL, strstr(self->nl.extack, "IPv4"));
	/* no such state */
	EXPECT_GT(0, nest_call(&self->nl, MLOG_CMD_ROUTE_SET, MLOG_ATTR_ROUTE,
			       r, 3));
	EXPECT_STRNE("", self->nl.extack);
	/* a host index beyond max_hosts */
	host = 70000;
	EXPECT_EQ(-ERANGE, route_set(&self->nl, host, "192.0.2.1", 1,
				     MLOG_ROUTE_LIVE));
	EXPECT_NE(NULL, strstr(self->nl.extack, "max_hosts"));
	/* nothing to delete */
	host = 2;
	EXPECT_EQ(-ENOENT, nest_call(&self->nl, MLOG_CMD_ROUTE_DEL,
				     MLOG_ATTR_ROUTE, r, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no route"));
}

TEST_F(sl, routes_never_go_back_to_an_older_incarnation)
{
	uint32_t host = 2;
	struct mlog_nl_attr r = { MLOG_ROUTE_HOST, sizeof(host), &host };

	ASSERT_EQ(0, route_set(&self->nl, 2, "192.0.2.1", 3, MLOG_ROUTE_LIVE));
	EXPECT_EQ(-ESTALE, route_set(&self->nl, 2, "192.0.2.2", 2,
				     MLOG_ROUTE_LIVE));
	EXPECT_NE(NULL, strstr(self->nl.extack, "newer incarnation"));
	/* the same or a newer one may move it */
	EXPECT_EQ(0, route_set(&self->nl, 2, "192.0.2.2", 3,
			       MLOG_ROUTE_RECOVERING));
	EXPECT_EQ(0, route_set(&self->nl, 2, "192.0.2.3", 4, MLOG_ROUTE_LIVE));
	/* nor can a host register here as an older incarnation */
	EXPECT_EQ(-ESTALE, host_add_inc(&self->nl, 2, self->ns1.init, 3, 0));
	EXPECT_NE(NULL, strstr(self->nl.extack, "newer incarnation"));
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_ROUTE_DEL, MLOG_ATTR_ROUTE,
			       &r, 1));
}

TEST_F(sl, a_local_incarnation_cannot_be_routed_elsewhere)
{
	ASSERT_EQ(0, host_add_inc(&self->nl, 1, self->ns1.init, 5, 0));
	EXPECT_EQ(-EEXIST, route_set(&self->nl, 1, "192.0.2.9", 5,
				     MLOG_ROUTE_LIVE));
	EXPECT_NE(NULL, strstr(self->nl.extack, "runs on this node"));
	/* a newer incarnation elsewhere fences the local one off */
	EXPECT_EQ(0, route_set(&self->nl, 1, "192.0.2.9", 6, MLOG_ROUTE_LIVE));
}

TEST_F(sl, replay_push_refusals)
{
	uint32_t index = 1;
	struct mlog_nl_attr h = { MLOG_HOST_INDEX, sizeof(index), &index };

	/* nobody to replay to */
	EXPECT_EQ(-ENOENT, replay_push(&self->nl, 1, 1, 10, 10));
	EXPECT_NE(NULL, strstr(self->nl.extack, "no protected host"));
	/* a host that is not replaying */
	ASSERT_EQ(0, host_add_inc(&self->nl, 1, self->ns1.init, 1, 0));
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 1, 10, 10));
	EXPECT_NE(NULL, strstr(self->nl.extack, "not replaying"));
	EXPECT_EQ(-EINVAL, nest_call(&self->nl, MLOG_CMD_REPLAY_END,
				     MLOG_ATTR_HOST, &h, 1));
	EXPECT_NE(NULL, strstr(self->nl.extack, "not replaying"));
	ASSERT_EQ(0, host_del(&self->nl, 1));

	ASSERT_EQ(0, host_add_inc(&self->nl, 1, self->ns1.init, 1, 1));
	/* from RSN 1, without a gap */
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 2, 10, 10));
	EXPECT_NE(NULL, strstr(self->nl.extack, "RSN order"));
	/* the bytes must add up to the length */
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 1, 10, 9));
	EXPECT_NE(NULL, strstr(self->nl.extack, "less data"));
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 1, 10, 11));
	EXPECT_NE(NULL, strstr(self->nl.extack, "more data"));
	/* these are fine, and wait for a socket on port 5000 */
	EXPECT_EQ(0, replay_push(&self->nl, 1, 1, 10, 10));
	EXPECT_EQ(0, replay_push(&self->nl, 1, 2, 0, 0));
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 2, 10, 10));
	EXPECT_EQ(0, nest_call(&self->nl, MLOG_CMD_REPLAY_END, MLOG_ATTR_HOST,
			       &h, 1));
	/* ended: nothing more */
	EXPECT_EQ(-EINVAL, replay_push(&self->nl, 1, 3, 10, 10));
	EXPECT_NE(NULL, strstr(self->nl.extack, "ended"));
}

TEST_HARNESS_MAIN
