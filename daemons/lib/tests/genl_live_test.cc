// SPDX-License-Identifier: GPL-2.0
// GenlClient against the running kernel's own generic netlink controller
// ("nlctrl"), which every kernel has: exercises call(), dump(), the error
// paths with extack and multicast subscription without mlog.ko.
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <set>
#include <vector>

#include "attr_builder.h"
#include "genl_client.h"

namespace mlog {
namespace {

std::unique_ptr<GenlClient> nlctrl() {
  try {
    return std::make_unique<GenlClient>("nlctrl");
  } catch (const std::exception& e) {
    return nullptr;
  }
}

#define NLCTRL_OR_SKIP(var) \
  auto var = nlctrl();      \
  if (!var) GTEST_SKIP() << "no generic netlink in this environment"

TEST(GenlLive, UnknownFamilyIsReported) {
  NLCTRL_OR_SKIP(probe);
  EXPECT_THROW(GenlClient("mlog-no-such-family"), std::runtime_error);
}

TEST(GenlLive, CallReturnsTheReply) {
  NLCTRL_OR_SKIP(nl);
  Request req(CTRL_CMD_GETFAMILY);
  req.bytes(CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
  const AttrMap reply = nl->call(req);
  ASSERT_TRUE(reply.count(CTRL_ATTR_FAMILY_ID));
  EXPECT_EQ(reply.at(CTRL_ATTR_FAMILY_ID).u16(), GENL_ID_CTRL);
  EXPECT_EQ(reply.at(CTRL_ATTR_FAMILY_NAME).str(), "nlctrl");
}

TEST(GenlLive, DumpReturnsEveryMessage) {
  NLCTRL_OR_SKIP(nl);
  const auto families = nl->dump(Request(CTRL_CMD_GETFAMILY));
  std::set<std::string> names;
  for (const auto& m : families)
    if (auto it = m.find(CTRL_ATTR_FAMILY_NAME); it != m.end()) names.insert(it->second.str());
  EXPECT_EQ(names.size(), families.size());  // one family per message
  EXPECT_TRUE(names.count("nlctrl"));
  // The socket is left clean: a second dump and a call still work.
  EXPECT_EQ(nl->dump(Request(CTRL_CMD_GETFAMILY)).size(), families.size());
  Request req(CTRL_CMD_GETFAMILY);
  req.bytes(CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
  EXPECT_EQ(nl->call(req).at(CTRL_ATTR_FAMILY_ID).u16(), GENL_ID_CTRL);
}

TEST(GenlLive, DumpOfCommandWithoutDumpitIsRefused) {
  NLCTRL_OR_SKIP(nl);
  try {
    nl->dump(Request(CTRL_CMD_NEWFAMILY));
    FAIL() << "no exception";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.error, EOPNOTSUPP);
  }
  // Still usable afterwards.
  EXPECT_FALSE(nl->dump(Request(CTRL_CMD_GETFAMILY)).empty());
}

TEST(GenlLive, RefusedCallCarriesTheErrno) {
  NLCTRL_OR_SKIP(nl);
  Request req(CTRL_CMD_GETFAMILY);
  req.bytes(CTRL_ATTR_FAMILY_NAME, "mlog-no-such", 13);
  try {
    nl->call(req);
    FAIL() << "no exception";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.error, ENOENT);
  }
}

TEST(GenlLive, PolicyViolationCarriesTheExtackMessage) {
  NLCTRL_OR_SKIP(nl);
  Request req(CTRL_CMD_GETFAMILY);
  const uint8_t one_byte = 1;
  req.bytes(CTRL_ATTR_FAMILY_ID, &one_byte, 1);  // NLA_U16 policy
  try {
    nl->call(req);
    FAIL() << "no exception";
  } catch (const KernelError& e) {
    // EINVAL or ERANGE depending on the kernel's policy for the attribute;
    // either way the policy's message comes first, the errno in brackets.
    EXPECT_TRUE(e.error == EINVAL || e.error == ERANGE) << e.error;
    const std::string what = e.what();
    const std::string errno_text = std::string(" (") + std::strerror(e.error) + ")";
    ASSERT_GT(what.size(), errno_text.size()) << "no extack text: " << what;
    EXPECT_EQ(what.substr(what.size() - errno_text.size()), errno_text) << what;
  }
}

TEST(GenlLive, SubscribeAndTimeOut) {
  NLCTRL_OR_SKIP(nl);
  EXPECT_THROW(nl->next_notification(std::chrono::milliseconds(1)), std::logic_error);
  EXPECT_THROW(nl->subscribe("mlog-no-such-group"), std::runtime_error);
  nl->subscribe("notify");
  const auto start = std::chrono::steady_clock::now();
  const auto n = nl->next_notification(std::chrono::milliseconds(150));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(n);  // no family registers meanwhile
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(5));
  // Requests still work on the main socket while subscribed.
  EXPECT_FALSE(nl->dump(Request(CTRL_CMD_GETFAMILY)).empty());
}

// Sends a generic netlink message of family nlctrl to netlink port @port,
// the way the kernel sends a notification (but unicast: a test cannot
// multicast).  Returns false if this process may not (no CAP_NET_ADMIN).
bool send_fake_notification(uint32_t port, uint32_t seq, uint8_t cmd,
                            const test::AttrBuilder& attrs) {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
  if (fd < 0) return false;
  std::vector<uint8_t> msg(NLMSG_HDRLEN + GENL_HDRLEN);
  nlmsghdr hdr{};
  hdr.nlmsg_len = static_cast<uint32_t>(msg.size() + attrs.data().size());
  hdr.nlmsg_type = GENL_ID_CTRL;
  hdr.nlmsg_seq = seq;
  std::memcpy(msg.data(), &hdr, sizeof(hdr));
  genlmsghdr genl{};
  genl.cmd = cmd;
  genl.version = 2;
  std::memcpy(msg.data() + NLMSG_HDRLEN, &genl, sizeof(genl));
  msg.insert(msg.end(), attrs.data().begin(), attrs.data().end());
  sockaddr_nl dst{};
  dst.nl_family = AF_NETLINK;
  dst.nl_pid = port;
  const ssize_t n =
      sendto(fd, msg.data(), msg.size(), 0, reinterpret_cast<sockaddr*>(&dst), sizeof(dst));
  close(fd);
  return n == static_cast<ssize_t>(msg.size());
}

TEST(GenlLive, NotificationsAreDeliveredWhateverTheirSequenceNumber) {
  NLCTRL_OR_SKIP(nl);
  nl->subscribe("notify");
  ASSERT_NE(nl->notification_port(), 0u);
  test::AttrBuilder attrs;
  attrs.str(CTRL_ATTR_FAMILY_NAME, "fake").u16(CTRL_ATTR_FAMILY_ID, 0x7777);
  // The kernel's notifications carry sequence number 0; any other must
  // pass as well, since no request is outstanding.
  if (!send_fake_notification(nl->notification_port(), 0, CTRL_CMD_NEWFAMILY, attrs))
    GTEST_SKIP() << "cannot send to a netlink port (needs CAP_NET_ADMIN)";
  ASSERT_TRUE(send_fake_notification(nl->notification_port(), 4242, CTRL_CMD_DELFAMILY, attrs));
  for (const uint8_t cmd : {CTRL_CMD_NEWFAMILY, CTRL_CMD_DELFAMILY}) {
    const auto n = nl->next_notification(std::chrono::seconds(2));
    ASSERT_TRUE(n);
    EXPECT_EQ(n->cmd, cmd);
    EXPECT_EQ(n->attrs.at(CTRL_ATTR_FAMILY_NAME).str(), "fake");
    EXPECT_EQ(n->attrs.at(CTRL_ATTR_FAMILY_ID).u16(), 0x7777);
  }
  EXPECT_FALSE(nl->next_notification(std::chrono::milliseconds(20)));
}

TEST(GenlLive, MalformedNotificationIsAnErrorAndTheNextOneStillArrives) {
  NLCTRL_OR_SKIP(nl);
  nl->subscribe("notify");
  test::AttrBuilder bad;
  bad.raw({40, 0, 1, 0, 1, 2, 3, 4});  // attribute claims 40 bytes, has 4
  if (!send_fake_notification(nl->notification_port(), 0, CTRL_CMD_NEWFAMILY, bad))
    GTEST_SKIP() << "cannot send to a netlink port (needs CAP_NET_ADMIN)";
  EXPECT_THROW(nl->next_notification(std::chrono::seconds(2)), MalformedMessage);
  test::AttrBuilder good;
  good.u16(CTRL_ATTR_FAMILY_ID, 1);
  ASSERT_TRUE(send_fake_notification(nl->notification_port(), 0, CTRL_CMD_NEWFAMILY, good));
  const auto n = nl->next_notification(std::chrono::seconds(2));
  ASSERT_TRUE(n);
  EXPECT_EQ(n->attrs.at(CTRL_ATTR_FAMILY_ID).u16(), 1);
}

// A replayed 64 KiB message goes to the kernel in one request of several
// pages: the client must size the message, not stop at libnl's one page.
TEST(GenlLive, RequestsLargerThanAPageAreSent) {
  NLCTRL_OR_SKIP(nl);
  Request req(CTRL_CMD_GETFAMILY);
  req.bytes(CTRL_ATTR_FAMILY_NAME, "nlctrl", 7);
  const std::vector<uint8_t> chunk(30000, 0);
  for (int i = 0; i < 3; ++i) req.bytes(CTRL_ATTR_HDRSIZE, chunk.data(), chunk.size());
  // The kernel reads it and answers (it may refuse the odd attribute);
  // any other failure means the request never reached it.
  try {
    nl->call(req);
  } catch (const KernelError&) {
  } catch (const std::exception& e) {
    ADD_FAILURE() << e.what();
  }
}

}  // namespace
}  // namespace mlog
