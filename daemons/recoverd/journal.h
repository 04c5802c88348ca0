// SPDX-License-Identifier: GPL-2.0
// mlog-recoverd's durable record: every StateChange is appended to a
// RecordFile (daemons/crs, record kind state_change) and fsync'ed before
// it is applied, so replaying the file rebuilds the same ClusterState.
#pragma once

#include <string>

#include "cluster_state.h"
#include "mlog/crs/record_file.h"

namespace mlog::recoverd {

class Journal {
 public:
  // Opens (creating) @path and replays it into @state.  A torn or corrupt
  // tail is cut off and described in report(); a record that does not
  // parse or does not fit the state counts as corrupt.
  Journal(const std::string& path, ClusterState& state);

  // Makes @change durable, then applies it.  Throws (and writes nothing)
  // when the change does not fit the state.
  void record(const pb::StateChange& change);

  const crs::ReplayReport& report() const { return report_; }
  std::uint64_t size() const { return file_.size(); }

 private:
  ClusterState& state_;
  crs::ReplayReport report_;
  crs::RecordFile file_;
};

}  // namespace mlog::recoverd
