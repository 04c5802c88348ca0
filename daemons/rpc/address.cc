// SPDX-License-Identifier: GPL-2.0
#include "address.h"

#include <cstring>
#include <fstream>
#include <stdexcept>

#include "genl_client.h"

namespace mlog::rpc {

std::string to_string(const Address& a) {
  return format_node_addr(a.node) + ":" + std::to_string(a.port);
}

std::string source_key(const Address& a) {
  std::string key(a.node.begin(), a.node.end());
  key.push_back(static_cast<char>(a.port >> 8));
  key.push_back(static_cast<char>(a.port & 0xff));
  return key;
}

std::string node_bytes(const NodeAddr& node) { return std::string(node.begin(), node.end()); }

NodeAddr node_from_bytes(const std::string& bytes) {
  if (bytes.size() != 16)
    throw std::invalid_argument("node address of " + std::to_string(bytes.size()) +
                                " bytes, not 16");
  NodeAddr n{};
  std::memcpy(n.data(), bytes.data(), 16);
  return n;
}

pb::Endpoint to_endpoint(const Address& a) {
  pb::Endpoint e;
  e.set_node(node_bytes(a.node));
  e.set_port(a.port);
  return e;
}

Address from_endpoint(const pb::Endpoint& e) {
  if (e.port() > 0xffff) throw std::invalid_argument("port " + std::to_string(e.port()));
  return Address{node_from_bytes(e.node()), static_cast<std::uint16_t>(e.port())};
}

sockaddr_mlog to_sockaddr(const Address& a, int family) {
  sockaddr_mlog sa{};
  sa.smlog_family = static_cast<__kernel_sa_family_t>(family);
  sa.smlog_port = a.port;
  sa.smlog_flags = 0;
  std::memcpy(sa.smlog_node, a.node.data(), 16);
  return sa;
}

Address from_sockaddr(const sockaddr_mlog& sa) {
  Address a;
  std::memcpy(a.node.data(), sa.smlog_node, 16);
  a.port = sa.smlog_port;
  return a;
}

int mlog_family() {
  std::ifstream in(MLOG_SYSFS_FAMILY);
  int family = 0;
  if (!(in >> family) || family <= 0) throw ModuleNotLoaded();
  return family;
}

}  // namespace mlog::rpc
