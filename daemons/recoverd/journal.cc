// SPDX-License-Identifier: GPL-2.0
#include "journal.h"

#include <stdexcept>

namespace mlog::recoverd {

namespace {

pb::StateChange parse(const crs::Record& r) {
  if (r.kind != crs::Record::Kind::state_change)
    throw crs::CrsError("not a state change record (kind " +
                        std::to_string(static_cast<int>(r.kind)) + ")");
  pb::StateChange c;
  if (!c.ParseFromArray(r.blob.data(), static_cast<int>(r.blob.size())))
    throw crs::CrsError("state change record does not parse");
  return c;
}

}  // namespace

Journal::Journal(const std::string& path, ClusterState& state)
    : state_(state),
      file_(crs::RecordFile::open(
          path,
          [this](const crs::Record& r) {
            try {
              state_.apply(parse(r));
            } catch (const std::invalid_argument& e) {
              throw crs::CrsError(e.what());
            }
          },
          report_)) {}

void Journal::record(const pb::StateChange& change) {
  // Tried on a copy first: a change that does not fit is never written.
  // The state itself is then changed in place, so that what callers hold
  // of it (members, jobs, ranks) stays valid.
  ClusterState trial = state_;
  trial.apply(change);
  crs::Record r;
  r.kind = crs::Record::Kind::state_change;
  std::string bytes;
  if (!change.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize state change");
  r.blob.assign(bytes.begin(), bytes.end());
  file_.append(r);
  state_.apply(change);
}

}  // namespace mlog::recoverd
