// SPDX-License-Identifier: GPL-2.0
#include "recoverd_addr.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "attr_decode.h"
#include "genl_client.h"
#include "unique_fd.h"

namespace mlog::common {

std::string recoverd_addr_path(const std::string& state_dir) {
  return state_dir + "/recoverd.addr";
}

std::string encode_recoverd_addr(const RecoverdAddr& a) {
  nlohmann::json j = {
      {"node", format_node_addr(a.address.node)}, {"port", a.address.port}, {"start", a.start}};
  return j.dump() + "\n";
}

RecoverdAddr decode_recoverd_addr(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    const auto node = parse_node_addr(j.at("node").get<std::string>());
    if (!node) throw std::runtime_error("bad node address");
    const auto port = j.at("port").get<std::uint32_t>();
    if (port == 0 || port > 0xffff) throw std::runtime_error("bad port");
    return RecoverdAddr{rpc::Address{*node, static_cast<std::uint16_t>(port)},
                        j.at("start").get<std::uint64_t>()};
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("malformed recoverd.addr: ") + e.what());
  }
}

std::optional<RecoverdAddr> read_recoverd_addr(const std::string& state_dir) {
  std::ifstream in(recoverd_addr_path(state_dir));
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return decode_recoverd_addr(ss.str());
}

void write_recoverd_addr(const std::string& state_dir, const RecoverdAddr& a) {
  const std::string path = recoverd_addr_path(state_dir);
  const std::string tmp = path + ".tmp";
  const std::string text = encode_recoverd_addr(a);
  rpc::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
      ::fsync(fd.get()) != 0)
    throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  fd.reset();
  if (::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + ": " + std::strerror(errno));
  rpc::Fd dir(::open(state_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir) ::fsync(dir.get());
}

LocalNode local_node() {
  GenlClient nl;
  const auto reply = nl.call(Request(MLOG_CMD_NODE_GET));
  LocalNode n;
  n.addr = get_addr(reply, MLOG_ATTR_NODE_ADDR, "MLOG_ATTR_NODE_ADDR").value_or(NodeAddr{});
  n.id = get_u32(reply, MLOG_ATTR_NODE_ID, "MLOG_ATTR_NODE_ID").value_or(0);
  if (n.addr == NodeAddr{})
    throw std::runtime_error("this node is not configured (mlogctl node set --addr ... --id ...)");
  return n;
}

}  // namespace mlog::common
