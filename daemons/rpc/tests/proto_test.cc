// SPDX-License-Identifier: GPL-2.0
// Envelopes survive serialization and framing; garbage is refused.
#include <gtest/gtest.h>

#include "address.h"
#include "framing.h"
#include "mlog.pb.h"

namespace mlog::rpc {
namespace {

pb::Envelope round_trip(const pb::Envelope& in) {
  std::string bytes;
  EXPECT_TRUE(in.SerializeToString(&bytes));
  const auto pieces =
      split_message(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  Reassembler r;
  Reassembler::Result res;
  for (const auto& p : pieces) res = r.feed("k", p);
  EXPECT_EQ(res.status, Reassembler::Status::complete);
  pb::Envelope out;
  EXPECT_TRUE(out.ParseFromArray(res.message.data(), static_cast<int>(res.message.size())));
  return out;
}

TEST(Proto, StartHostRoundTrip) {
  pb::Envelope e;
  e.set_id(7);
  auto* s = e.mutable_start_host();
  s->set_job_id(3);
  s->set_rank(1);
  s->set_host(12);
  s->set_incarnation(2);
  s->mutable_spec()->add_argv("/bin/echo");
  s->mutable_spec()->add_argv("hi");
  s->mutable_spec()->add_env("PATH=/bin");
  s->set_replay(true);
  s->set_replay_to(40);
  const Address a{*parse_node_addr("192.0.2.12"), kLogdPort};
  *s->add_log_servers() = to_endpoint(a);
  const auto out = round_trip(e);
  ASSERT_TRUE(out.has_start_host());
  EXPECT_EQ(out.id(), 7u);
  EXPECT_EQ(out.start_host().spec().argv(1), "hi");
  EXPECT_EQ(out.start_host().replay_to(), 40u);
  EXPECT_EQ(from_endpoint(out.start_host().log_servers(0)), a);
}

TEST(Proto, LargeLoggedMessageCrossesPieces) {
  pb::Envelope e;
  e.set_reply_to(9);
  auto* m = e.mutable_log_fetch_item()->mutable_message();
  m->set_rsn(5);
  m->set_data(std::string(65536, 'x'));
  const auto out = round_trip(e);
  EXPECT_EQ(out.reply_to(), 9u);
  EXPECT_EQ(out.log_fetch_item().message().data().size(), 65536u);
}

TEST(Proto, GarbageIsNotAnEnvelope) {
  const std::string junk("\xff\xff\xff\xff\x0f", 5);
  pb::Envelope e;
  EXPECT_FALSE(e.ParseFromString(junk));
}

TEST(Proto, EndpointChecksSizes) {
  pb::Endpoint e;
  e.set_node("short");
  e.set_port(1);
  EXPECT_THROW(from_endpoint(e), std::invalid_argument);
  e.set_node(std::string(16, '\0'));
  e.set_port(70000);
  EXPECT_THROW(from_endpoint(e), std::invalid_argument);
}

TEST(Proto, StateChangeRoundTrip) {
  pb::StateChange c;
  auto* r = c.mutable_recovery_begun();
  r->set_job_id(1);
  auto* rk = r->add_ranks();
  rk->set_rank(2);
  rk->set_member(3);
  rk->set_incarnation(4);
  std::string bytes;
  ASSERT_TRUE(c.SerializeToString(&bytes));
  pb::StateChange out;
  ASSERT_TRUE(out.ParseFromString(bytes));
  EXPECT_EQ(out.recovery_begun().ranks(0).incarnation(), 4u);
}

}  // namespace
}  // namespace mlog::rpc
