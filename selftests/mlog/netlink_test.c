// SPDX-License-Identifier: GPL-2.0
/*
 * The "mlog" generic netlink family: STATUS answers truthfully, and every
 * malformed request is refused with an error and an extack message.
 */
#include <sys/types.h>
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

TEST_HARNESS_MAIN
