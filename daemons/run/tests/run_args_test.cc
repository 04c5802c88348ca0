// SPDX-License-Identifier: GPL-2.0
#include "run_args.h"

#include <gtest/gtest.h>

namespace mlog::run {
namespace {

using V = std::vector<std::string>;

TEST(RunArgs, Full) {
  const auto o = parse_run_args(
      {"-n", "4", "--nodes", "1,3", "--name", "ring", "--label", "--", "./ring", "-v"}, "");
  EXPECT_EQ(o.ranks, 4u);
  EXPECT_EQ(o.nodes, (std::vector<std::uint32_t>{1, 3}));
  EXPECT_EQ(o.name, "ring");
  EXPECT_TRUE(o.label);
  EXPECT_EQ(o.argv, (V{"./ring", "-v"}));
  EXPECT_EQ(o.state_dir, "/var/lib/mlog");
}

TEST(RunArgs, StateDirFromTheEnvironmentOrTheOption) {
  EXPECT_EQ(parse_run_args({"-n", "1", "--", "true"}, "/shared").state_dir, "/shared");
  EXPECT_EQ(parse_run_args({"-n", "1", "--state-dir", "/x", "--", "true"}, "/shared").state_dir,
            "/x");
}

TEST(RunArgs, ProgramArgumentsAreNotOurs) {
  const auto o = parse_run_args({"-n", "1", "--", "prog", "--label", "-n", "9"}, "");
  EXPECT_FALSE(o.label);
  EXPECT_EQ(o.argv, (V{"prog", "--label", "-n", "9"}));
}

TEST(RunArgs, Refusals) {
  for (const V& args :
       {V{}, V{"--", "true"}, V{"-n", "0", "--", "true"}, V{"-n", "x", "--", "t"}, V{"-n", "2"},
        V{"-n", "2", "--"}, V{"-n", "1", "--bogus", "--", "t"},
        V{"-n", "1", "--nodes", "a,b", "--", "t"}, V{"-n", "1", "extra", "--", "t"}})
    EXPECT_THROW(parse_run_args(args, ""), RunUsageError) << ::testing::PrintToString(args);
}

TEST(RunArgs, Help) {
  const auto o = parse_run_args({"--help"}, "");
  EXPECT_TRUE(o.help);
  EXPECT_NE(o.help_text.find("--label"), std::string::npos);
}

}  // namespace
}  // namespace mlog::run
