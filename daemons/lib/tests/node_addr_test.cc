// SPDX-License-Identifier: GPL-2.0
#include "node_addr.h"

#include <gtest/gtest.h>

namespace mlog {
namespace {

TEST(NodeAddr, Ipv4IsStoredMapped) {
  const auto a = parse_node_addr("192.0.2.11");
  ASSERT_TRUE(a);
  const NodeAddr want = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 11};
  EXPECT_EQ(*a, want);
  EXPECT_EQ(format_node_addr(*a), "192.0.2.11");
}

TEST(NodeAddr, Ipv6RoundTrips) {
  const auto a = parse_node_addr("2001:db8::1");
  ASSERT_TRUE(a);
  EXPECT_EQ(format_node_addr(*a), "2001:db8::1");
}

TEST(NodeAddr, JunkIsRefused) {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.1.1.1", "node1", "1.2.3.4 ", "::g"})
    EXPECT_FALSE(parse_node_addr(bad)) << bad;
}

TEST(ParseUint, BoundsAndJunk) {
  EXPECT_EQ(parse_uint("1", 1, 65535), 1u);
  EXPECT_EQ(parse_uint("65535", 1, 65535), 65535u);
  EXPECT_FALSE(parse_uint("0", 1, 65535));
  EXPECT_FALSE(parse_uint("65536", 1, 65535));
  EXPECT_FALSE(parse_uint("", 0, 10));
  EXPECT_FALSE(parse_uint("-1", 0, 10));
  EXPECT_FALSE(parse_uint("7x", 0, 10));
  EXPECT_FALSE(parse_uint("99999999999999999999999", 0, UINT64_MAX));
}

}  // namespace
}  // namespace mlog
