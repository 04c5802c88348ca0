#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""mlog_nl.py - the recovery commands of the "mlog" generic netlink family,
for selftests that recover a host by hand, without the daemons
(Documentation/recovery.rst says what mlog-recoverd and mlog-ckptd do; a
test does the same steps one by one here).

  mlog_nl.py route-set HOST NODE [--incarnation I] [--state live|recovering]
                       [--replayed R]
  mlog_nl.py routes                          print the routes as JSON
  mlog_nl.py log-dump --dst-host H > FILE    fully logged entries for H, with
                                             their bytes (hex), as JSON
  mlog_nl.py replay --host H FILE...         push, in RSN order from 1, the
                                             entries of every FILE (log-dump
                                             output of the surviving nodes) up
                                             to the first RSN none holds, then
                                             end the replay; prints that RSN
  mlog_nl.py host HOST                       one host's state as JSON
  mlog_nl.py wait-live HOST [--timeout S]    wait until its replay is done

Constants are read from uapi/linux/mlog.h, so the tool follows the header.
Exit status: 0, 1 on a kernel refusal (its message is printed), 2 for a
bad command line.
"""
import argparse
import json
import os
import re
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
UAPI = os.path.join(HERE, "..", "..", "uapi", "linux", "mlog.h")

NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID = 1
CTRL_ATTR_FAMILY_NAME = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLA_F_NESTED = 0x8000
SOL_NETLINK, NETLINK_EXT_ACK, NETLINK_CAP_ACK = 270, 11, 10
NLMSGERR_ATTR_MSG = 1


def uapi_enums(path=UAPI):
    """Every enumerator of the header's enums, by name."""
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    values = {}
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, re.S):
        n = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            m = re.match(r"(\w+)\s*(?:=\s*(.+))?$", item)
            if not m:
                continue
            name, val = m.groups()
            if val is None:
                n += 1
            else:
                n = eval(val, {}, values)  # noqa: S307 (our own header)
            values[name] = n
    for name, val in re.findall(r"#define\s+(MLOG_\w+)\s+(0x[0-9a-f]+|\d+)\b",
                                text):
        values[name] = int(val, 0)
    return values


E = uapi_enums()


def attr(t, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + b"\0" * ((-ln) % 4)


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u16(t, v):
    return attr(t, struct.pack("=H", v))


def u32(t, v):
    return attr(t, struct.pack("=I", v))


def u64(t, v):
    return attr(t, struct.pack("=Q", v))


def flag(t):
    return attr(t, b"")


def parse(buf):
    """Attributes of a stream, as a list of (type, payload)."""
    out, off = [], 0
    while off + 4 <= len(buf):
        ln, t = struct.unpack_from("=HH", buf, off)
        if ln < 4 or off + ln > len(buf):
            raise ValueError("malformed attribute")
        out.append((t & 0x3FFF, buf[off + 4:off + ln]))
        off += (ln + 3) & ~3
    return out


def as_u(payload):
    return int.from_bytes(payload, "little")


class Genl:
    def __init__(self, name=b"mlog"):
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        self.s.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.s.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.s.bind((0, 0))
        self.seq = 0
        self.family = GENL_ID_CTRL
        reply = self.call(CTRL_CMD_GETFAMILY,
                          attr(CTRL_ATTR_FAMILY_NAME, name + b"\0"))
        self.family = as_u(dict(reply[0])[CTRL_ATTR_FAMILY_ID])

    def _send(self, cmd, payload, flags):
        self.seq += 1
        hdr = struct.pack("=IHHII", 16 + 4 + len(payload), self.family,
                          NLM_F_REQUEST | flags, self.seq, 0)
        self.s.send(hdr + struct.pack("=BBH", cmd, 1, 0) + payload)

    def _replies(self):
        """Yield the attribute lists of replies up to the ack or DONE."""
        while True:
            data = self.s.recv(1 << 20)
            off = 0
            while off + 16 <= len(data):
                ln, typ, _, seq, _ = struct.unpack_from("=IHHII", data, off)
                body = data[off + 16:off + ln]
                off += (ln + 3) & ~3
                if seq != self.seq:
                    continue
                if typ in (NLMSG_ERROR, NLMSG_DONE):
                    err = struct.unpack_from("=i", body)[0]
                    if err:
                        skip = 4 + 16 if typ == NLMSG_ERROR else 4
                        msg = ""
                        for t, p in parse(body[skip:]):
                            if t == NLMSGERR_ATTR_MSG:
                                msg = p.rstrip(b"\0").decode()
                        raise OSError(-err, "%s (%s)" % (
                            msg or os.strerror(-err), os.strerror(-err)))
                    return
                yield parse(body[4:])

    def call(self, cmd, payload=b""):
        self._send(cmd, payload, NLM_F_ACK)
        return list(self._replies())

    def dump(self, cmd, payload=b""):
        self._send(cmd, payload, NLM_F_DUMP)
        return list(self._replies())


def node_bytes(addr):
    return b"\0" * 10 + b"\xff\xff" + socket.inet_aton(addr)


def node_str(b):
    return socket.inet_ntoa(b[12:16]) if b[10:12] == b"\xff\xff" else b.hex()


def cmd_route_set(g, a):
    attrs = [u32(E["MLOG_ROUTE_HOST"], a.host),
             attr(E["MLOG_ROUTE_NODE"], node_bytes(a.node)),
             u32(E["MLOG_ROUTE_INCARNATION"], a.incarnation),
             u32(E["MLOG_ROUTE_STATE"],
                 E["MLOG_ROUTE_LIVE"] if a.state == "live"
                 else E["MLOG_ROUTE_RECOVERING"])]
    if a.replayed is not None:
        attrs.append(u64(E["MLOG_ROUTE_REPLAYED"], a.replayed))
    g.call(E["MLOG_CMD_ROUTE_SET"], nest(E["MLOG_ATTR_ROUTE"], *attrs))


def cmd_routes(g, a):
    out = []
    for msg in g.dump(E["MLOG_CMD_ROUTE_GET"]):
        r = dict(parse(dict(msg)[E["MLOG_ATTR_ROUTE"]]))
        out.append({"host": as_u(r[E["MLOG_ROUTE_HOST"]]),
                    "node": node_str(r[E["MLOG_ROUTE_NODE"]]),
                    "incarnation": as_u(r[E["MLOG_ROUTE_INCARNATION"]]),
                    "state": as_u(r[E["MLOG_ROUTE_STATE"]]),
                    "replayed": as_u(r[E["MLOG_ROUTE_REPLAYED"]]),
                    "local": E["MLOG_ROUTE_LOCAL"] in r})
    json.dump(out, sys.stdout)
    print()


ENTRY_INTS = ["SRC_HOST", "DST_HOST", "DST_PORT", "SRC_PORT", "SSN",
              "INTERVAL", "RSN", "STATE", "LEN", "SRC_EPOCH"]
ENTRY_FLAGS = ["DGRAM", "SRC_HOSTADDR", "DST_HOSTADDR"]


def cmd_log_dump(g, a):
    req = nest(E["MLOG_ATTR_LOG_ENTRY"], u32(E["MLOG_ENTRY_DST_HOST"],
                                              a.dst_host),
               flag(E["MLOG_ENTRY_DATA"]))
    out = []
    for msg in g.dump(E["MLOG_CMD_LOG_GET"], req):
        data = b""
        ent = None
        for t, p in msg:
            if t == E["MLOG_ATTR_LOG_ENTRY"]:
                ent = parse(p)
            elif t == E["MLOG_ATTR_DATA"]:
                data += p
        e = {}
        for t, p in ent:
            for k in ENTRY_INTS:
                if t == E["MLOG_ENTRY_" + k]:
                    e[k.lower()] = as_u(p)
            for k in ENTRY_FLAGS:
                if t == E["MLOG_ENTRY_" + k]:
                    e[k.lower()] = True
            if t == E["MLOG_ENTRY_SRC_NODE"]:
                e["src_node"] = node_str(p)
            if t == E["MLOG_ENTRY_DATA"]:     # before data went top-level
                data += p
        if e.get("state") != E["MLOG_ENTRY_FULL"]:
            continue
        if len(data) != e["len"]:
            sys.exit("log-dump: entry RSN %d: %d bytes of %d"
                     % (e["rsn"], len(data), e["len"]))
        e["data"] = data.hex()
        out.append(e)
    json.dump(out, sys.stdout)
    print()


def replay_entry(host, e):
    attrs = [u32(E["MLOG_ENTRY_DST_HOST"], host),
             u32(E["MLOG_ENTRY_SRC_HOST"], e["src_host"]),
             u16(E["MLOG_ENTRY_SRC_PORT"], e["src_port"]),
             u16(E["MLOG_ENTRY_DST_PORT"], e["dst_port"]),
             u64(E["MLOG_ENTRY_SSN"], e["ssn"]),
             u64(E["MLOG_ENTRY_INTERVAL"], e["interval"]),
             u64(E["MLOG_ENTRY_RSN"], e["rsn"]),
             u32(E["MLOG_ENTRY_LEN"], e["len"]),
             u32(E["MLOG_ENTRY_SRC_EPOCH"], e["src_epoch"]),
             attr(E["MLOG_ENTRY_SRC_NODE"], node_bytes(e["src_node"]))]
    for k in ENTRY_FLAGS:
        if e.get(k.lower()):
            attrs.append(flag(E["MLOG_ENTRY_" + k]))
    data = bytes.fromhex(e["data"])
    chunk = E["MLOG_DATA_CHUNK"]
    pieces = [attr(E["MLOG_ATTR_DATA"], data[i:i + chunk])
              for i in range(0, len(data), chunk)]
    return nest(E["MLOG_ATTR_LOG_ENTRY"], *attrs) + b"".join(pieces)


def cmd_replay(g, a):
    by_rsn = {}
    for path in a.files:
        for e in json.load(open(path)):
            by_rsn[e["rsn"]] = e
    rsn = 0
    while rsn + 1 in by_rsn:
        payload = replay_entry(a.host, by_rsn[rsn + 1])
        while True:
            try:
                g.call(E["MLOG_CMD_REPLAY_PUSH"], payload)
                break
            except OSError as err:
                if err.errno != 105:          # ENOBUFS: queue full
                    raise
                time.sleep(0.05)
        rsn += 1
    g.call(E["MLOG_CMD_REPLAY_END"],
           nest(E["MLOG_ATTR_HOST"], u32(E["MLOG_HOST_INDEX"], a.host)))
    print(rsn)


def host_state(g, host):
    reply = g.call(E["MLOG_CMD_HOST_GET"],
                   nest(E["MLOG_ATTR_HOST"], u32(E["MLOG_HOST_INDEX"], host)))
    h = dict(parse(dict(reply[0])[E["MLOG_ATTR_HOST"]]))
    out = {}
    for k in ["INDEX", "INCARNATION", "RSN", "SSN", "UNACKED", "REPLAYING",
              "REPLAY_QUEUED", "REPLAYED", "PEND_FIRST", "SOCKETS"]:
        if E["MLOG_HOST_" + k] in h:
            out[k.lower()] = as_u(h[E["MLOG_HOST_" + k]])
    deps = {}
    for t, p in parse(h.get(E["MLOG_HOST_DEPS"], b"")):
        d = dict(parse(p))
        deps[as_u(d[E["MLOG_DEP_HOST"]])] = as_u(d[E["MLOG_DEP_INTERVAL"]])
    out["deps"] = deps
    return out


def cmd_host(g, a):
    json.dump(host_state(g, a.host), sys.stdout)
    print()


def cmd_wait_live(g, a):
    end = time.monotonic() + a.timeout
    while host_state(g, a.host).get("replaying"):
        if time.monotonic() > end:
            sys.exit("wait-live: host %d still replaying after %d s"
                     % (a.host, a.timeout))
        time.sleep(0.05)


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("route-set")
    r.add_argument("host", type=int)
    r.add_argument("node")
    r.add_argument("--incarnation", type=int, default=0)
    r.add_argument("--state", choices=["live", "recovering"], default="live")
    r.add_argument("--replayed", type=int)
    sub.add_parser("routes")
    d = sub.add_parser("log-dump")
    d.add_argument("--dst-host", type=int, required=True)
    rp = sub.add_parser("replay")
    rp.add_argument("--host", type=int, required=True)
    rp.add_argument("files", nargs="+")
    h = sub.add_parser("host")
    h.add_argument("host", type=int)
    w = sub.add_parser("wait-live")
    w.add_argument("host", type=int)
    w.add_argument("--timeout", type=int, default=120)
    a = p.parse_args()
    g = Genl()
    try:
        {"route-set": cmd_route_set, "routes": cmd_routes,
         "log-dump": cmd_log_dump, "replay": cmd_replay, "host": cmd_host,
         "wait-live": cmd_wait_live}[a.cmd](g, a)
    except OSError as err:
        print("mlog_nl.py: %s: %s" % (a.cmd, err.strerror), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
