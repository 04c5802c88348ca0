// SPDX-License-Identifier: GPL-2.0
#include "log_view.h"

#include <algorithm>

namespace mlog::logd {

namespace {

bool wanted(const LogEntry& e, std::uint32_t host, std::uint64_t from, std::uint64_t to) {
  return e.state == MLOG_ENTRY_FULL && e.dst_host == host && e.rsn >= from && e.rsn <= to;
}

}  // namespace

pb::LogIndexReply make_index(std::uint32_t host, std::uint64_t from_rsn,
                             const std::vector<LoggedMessage>& dump) {
  pb::LogIndexReply r;
  r.set_host(host);
  r.set_ok(true);
  std::vector<const LogEntry*> full;
  for (const auto& m : dump)
    if (wanted(m.entry, host, from_rsn, UINT64_MAX)) full.push_back(&m.entry);
  std::stable_sort(full.begin(), full.end(),
                   [](const LogEntry* a, const LogEntry* b) { return a->rsn < b->rsn; });
  for (const LogEntry* e : full) {
    auto* x = r.add_entries();
    x->set_rsn(e->rsn);
    x->set_src_host(e->src_host);
    x->set_interval(e->interval);
    x->set_size(e->len);
  }
  return r;
}

pb::LoggedMessage to_proto(const LoggedMessage& m) {
  pb::LoggedMessage p;
  p.set_src_host(m.entry.src_host);
  p.set_dst_host(m.entry.dst_host);
  p.set_src_port(m.entry.src_port);
  p.set_dst_port(m.entry.dst_port);
  p.set_ssn(m.entry.ssn);
  p.set_interval(m.entry.interval);
  p.set_rsn(m.entry.rsn);
  p.set_src_epoch(m.entry.src_epoch);
  p.set_dgram(m.entry.dgram);
  p.set_src_hostaddr(m.entry.src_hostaddr);
  p.set_dst_hostaddr(m.entry.dst_hostaddr);
  p.set_src_node(std::string(m.entry.src_node.begin(), m.entry.src_node.end()));
  p.set_data(std::string(m.data.begin(), m.data.end()));
  return p;
}

std::vector<pb::LoggedMessage> select_range(std::uint32_t host, std::uint64_t from_rsn,
                                            std::uint64_t to_rsn,
                                            const std::vector<LoggedMessage>& dump) {
  std::vector<const LoggedMessage*> sel;
  for (const auto& m : dump)
    if (wanted(m.entry, host, from_rsn, to_rsn)) sel.push_back(&m);
  std::stable_sort(sel.begin(), sel.end(), [](const LoggedMessage* a, const LoggedMessage* b) {
    return a->entry.rsn < b->entry.rsn;
  });
  std::vector<pb::LoggedMessage> out;
  for (const LoggedMessage* m : sel) out.push_back(to_proto(*m));
  return out;
}

}  // namespace mlog::logd
