// SPDX-License-Identifier: GPL-2.0
// Durability: restarting from the record file reproduces the engine exactly;
// torn and corrupted tails are found, reported and cut; foreign files are
// refused untouched.
#include "mlog/crs/record_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "random_execution.h"

namespace mlog::crs {
namespace {

namespace fs = std::filesystem;

class RecordFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = fs::temp_directory_path() /
          ("mlog-crs-test-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir);
    fs::create_directories(dir);
    path = (dir / "records").string();
  }
  void TearDown() override { fs::remove_all(dir); }

  std::vector<char> bytes() const {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }
  void write_bytes(const std::vector<char>& data) const {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
  }

  fs::path dir;
  std::string path;
};

// Feeds a random execution into a durable engine, keeping every record's end
// offset and the CRS after it.
struct Recorded {
  std::vector<std::uint64_t> ends;         // file size after record i
  std::vector<std::vector<Interval>> crs;  // CRS after record i
};

Recorded record_random_run(const std::string& path, std::uint64_t seed, int steps) {
  Recorded out;
  DurableEngine durable(path);
  testing::RandomRun run(seed);
  durable.add_hosts(run.engine.host_count());
  out.ends.push_back(fs::file_size(path));
  out.crs.push_back(durable.engine().crs());
  for (int i = 0; i < steps; ++i) {
    const auto hosts_before = run.engine.host_count();
    const auto logged_before = run.truth.logged;
    if (!run.step()) continue;
    if (run.engine.host_count() > hosts_before) {
      durable.add_hosts(1);
    } else if (run.truth.logged.size() > logged_before.size()) {
      for (const auto& [h, s] : run.truth.logged)
        if (!logged_before.contains({h, s})) {
          const Dependency start = run.truth.execution.start_of(h, s);
          durable.log_message(h, s, start.host, start.interval);
        }
    } else {
      // A checkpoint (possibly a repeat of an existing one).
      bool wrote = false;
      for (const auto& [h, ckpts] : run.truth.checkpoints)
        for (Interval c : ckpts)
          if (!durable.engine().has_checkpoint(h, c)) {
            durable.checkpoint(h, c, run.truth.execution.dependency_vector_at(h, c));
            wrote = true;
          }
      if (!wrote) continue;
    }
    out.ends.push_back(fs::file_size(path));
    out.crs.push_back(durable.engine().crs());
    EXPECT_EQ(durable.engine().crs(), run.engine.crs());
  }
  return out;
}

TEST_F(RecordFileTest, RestartReproducesTheSameEngine) {
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    fs::remove(path);
    const Recorded recorded = record_random_run(path, seed, 80);
    DurableEngine again(path);
    EXPECT_TRUE(again.replay_report().clean()) << again.replay_report().problem;
    EXPECT_EQ(again.replay_report().records, recorded.ends.size());
    EXPECT_EQ(again.engine().crs(), recorded.crs.back());
    EXPECT_EQ(again.engine().batch_crs(), recorded.crs.back());
  }
}

TEST_F(RecordFileTest, RestartKeepsEveryDetailOfTheModel) {
  record_random_run(path, 7, 120);
  DurableEngine a(path);
  DurableEngine b(path);
  const Engine& x = a.engine();
  const Engine& y = b.engine();
  ASSERT_EQ(x.host_count(), y.host_count());
  EXPECT_EQ(x.stable_interval_count(), y.stable_interval_count());
  EXPECT_EQ(x.deferred_entry_count(), y.deferred_entry_count());
  for (HostId h = 1; h <= x.host_count(); ++h) {
    ASSERT_EQ(x.known_interval(h), y.known_interval(h));
    EXPECT_EQ(x.checkpoints(h), y.checkpoints(h));
    for (Interval s = 0; s <= x.known_interval(h); ++s) {
      EXPECT_EQ(x.is_stable(h, s), y.is_stable(h, s));
      EXPECT_EQ(x.is_logged(h, s), y.is_logged(h, s));
      EXPECT_EQ(x.deferred(h, s), y.deferred(h, s));
    }
  }
}

TEST_F(RecordFileTest, TruncationAnywhereIsCutBackToTheLastWholeRecord) {
  const Recorded recorded = record_random_run(path, 3, 60);
  ASSERT_GT(recorded.ends.size(), 4u);
  const std::vector<char> full = bytes();
  for (std::uint64_t cut = RecordFile::kHeaderSize; cut <= full.size(); ++cut) {
    write_bytes({full.begin(), full.begin() + static_cast<long>(cut)});
    const auto whole = std::upper_bound(recorded.ends.begin(), recorded.ends.end(), cut);
    const std::size_t records = static_cast<std::size_t>(whole - recorded.ends.begin());
    const std::uint64_t good = records ? recorded.ends[records - 1] : RecordFile::kHeaderSize;
    DurableEngine reopened(path);
    const ReplayReport& report = reopened.replay_report();
    EXPECT_EQ(report.records, records) << "cut at " << cut;
    EXPECT_EQ(report.clean(), good == cut) << "cut at " << cut;
    EXPECT_EQ(report.discarded_bytes, cut - good);
    EXPECT_EQ(fs::file_size(path), good);
    EXPECT_EQ(reopened.engine().crs(),
              records ? recorded.crs[records - 1] : std::vector<Interval>{});
  }
}

TEST_F(RecordFileTest, CorruptedRecordIsReportedAndEverythingFromItIsCut) {
  const Recorded recorded = record_random_run(path, 5, 60);
  const std::vector<char> full = bytes();
  const std::size_t victim = recorded.ends.size() / 2;  // record index victim
  for (std::uint64_t at = recorded.ends[victim - 1]; at < recorded.ends[victim]; ++at) {
    std::vector<char> damaged = full;
    damaged[at] = static_cast<char>(damaged[at] ^ 0x10);
    write_bytes(damaged);
    DurableEngine reopened(path);
    EXPECT_FALSE(reopened.replay_report().clean()) << "flip at " << at;
    EXPECT_EQ(reopened.replay_report().records, victim);
    EXPECT_EQ(fs::file_size(path), recorded.ends[victim - 1]);
    EXPECT_EQ(reopened.engine().crs(), recorded.crs[victim - 1]);
  }
}

TEST_F(RecordFileTest, RepairedFileAcceptsNewRecordsAndReopensClean) {
  record_random_run(path, 9, 40);
  std::vector<char> data = bytes();
  data.resize(data.size() - 3);
  write_bytes(data);
  {
    DurableEngine repaired(path);
    EXPECT_FALSE(repaired.replay_report().clean());
    EXPECT_NE(repaired.replay_report().problem.find("torn"), std::string::npos);
    repaired.add_hosts(2);
  }
  DurableEngine reopened(path);
  EXPECT_TRUE(reopened.replay_report().clean());
}

TEST_F(RecordFileTest, ForeignFileIsRefusedAndLeftAlone) {
  const std::vector<char> text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l',
                                  'd', ' ', 'f', 'i', 'l', 'e', ' ', '!', '\n'};
  write_bytes(text);
  EXPECT_THROW(DurableEngine{path}, CrsError);
  EXPECT_EQ(bytes(), text);
  write_bytes({'x'});
  EXPECT_THROW(DurableEngine{path}, CrsError);
  EXPECT_EQ(bytes(), std::vector<char>{'x'});
}

TEST_F(RecordFileTest, RecordThatTheEngineRejectsCountsAsCorrupt) {
  {
    DurableEngine durable(path);
    durable.add_hosts(2);
  }
  // Append a well-framed record naming a host that does not exist.
  ReplayReport report;
  {
    auto file = RecordFile::open(
        path, [](const Record&) {}, report);
    Record bogus;
    bogus.kind = Record::Kind::log_message;
    bogus.host = 9;
    bogus.interval = 1;
    bogus.sender = 1;
    file.append(bogus);
  }
  DurableEngine reopened(path);
  EXPECT_FALSE(reopened.replay_report().clean());
  EXPECT_NE(reopened.replay_report().problem.find("does not exist"), std::string::npos);
  EXPECT_EQ(reopened.replay_report().records, 1u);
  EXPECT_EQ(reopened.engine().host_count(), 2u);
}

TEST_F(RecordFileTest, BadInputIsRefusedBeforeItIsWritten) {
  DurableEngine durable(path);
  durable.add_hosts(2);
  const auto size = fs::file_size(path);
  EXPECT_THROW(durable.log_message(5, 1, 1, 0), CrsError);
  EXPECT_THROW(durable.checkpoint(1, 1, {{4, 0}}), CrsError);
  EXPECT_EQ(fs::file_size(path), size);
}

TEST(RecordCodec, RoundTripsAndRejectsGarbage) {
  Record r;
  r.kind = Record::Kind::checkpoint;
  r.host = 3;
  r.interval = 17;
  r.dv = {{1, 4}, {2, 9}};
  const auto bytes = encode_record(r);
  EXPECT_EQ(decode_record(bytes), r);
  auto short_bytes = bytes;
  short_bytes.pop_back();
  EXPECT_THROW(decode_record(short_bytes), CrsError);
  EXPECT_THROW(decode_record(std::vector<std::uint8_t>{42}), CrsError);
  EXPECT_THROW(decode_record(std::vector<std::uint8_t>{}), CrsError);
}

TEST(RecordCodec, StateChangeCarriesItsBytes) {
  Record r;
  r.kind = Record::Kind::state_change;
  r.blob = {1, 2, 3, 0, 255};
  const auto bytes = encode_record(r);
  EXPECT_EQ(bytes.size(), 6u);
  EXPECT_EQ(decode_record(bytes), r);
  r.blob.clear();
  EXPECT_EQ(decode_record(encode_record(r)), r);
}

TEST_F(RecordFileTest, StateChangesSurviveAReopenAndATornTail) {
  Record r;
  r.kind = Record::Kind::state_change;
  {
    ReplayReport report;
    auto file = RecordFile::open(
        path, [](const Record&) {}, report);
    for (std::uint8_t i = 0; i < 3; ++i) {
      r.blob = {i, i, i};
      file.append(r);
    }
  }
  auto data = bytes();
  data.resize(data.size() - 2);  // tear the last record
  write_bytes(data);
  std::vector<Record> seen;
  ReplayReport report;
  RecordFile::open(
      path, [&](const Record& rec) { seen.push_back(rec); }, report);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].blob, (std::vector<std::uint8_t>{1, 1, 1}));
  EXPECT_FALSE(report.clean());
}

TEST_F(RecordFileTest, TheEngineRefusesAStateChange) {
  {
    ReplayReport report;
    auto file = RecordFile::open(
        path, [](const Record&) {}, report);
    Record r;
    r.kind = Record::Kind::state_change;
    r.blob = {9};
    file.append(r);
  }
  DurableEngine durable(path);
  EXPECT_EQ(durable.replay_report().records, 0u);
  EXPECT_FALSE(durable.replay_report().clean());
}

TEST(RecordCodec, Crc32cMatchesTheStandardCheckValue) {
  const std::string text = "123456789";
  const std::vector<std::uint8_t> data(text.begin(), text.end());
  EXPECT_EQ(crc32c(data), 0xE3069283u);
}

}  // namespace
}  // namespace mlog::crs
