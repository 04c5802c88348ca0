// SPDX-License-Identifier: GPL-2.0
#include "liveness.h"

#include <gtest/gtest.h>

namespace mlog::recoverd {
namespace {

using rpc::Millis;

TEST(MemberSilence, HeartbeatsAloneWhenTheModuleNeverHeardTheNode) {
  EXPECT_EQ(member_silence(Millis(5100), std::nullopt), Millis(5100));
}

TEST(MemberSilence, FramesTheModuleReceivedCountAsSignsOfLife) {
  EXPECT_EQ(member_silence(Millis(5100), Millis(40)), Millis(40));
}

TEST(MemberSilence, AnOlderFrameDoesNotExtendIt) {
  EXPECT_EQ(member_silence(Millis(300), Millis(9000)), Millis(300));
}

}  // namespace
}  // namespace mlog::recoverd
