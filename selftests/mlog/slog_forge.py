#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Send forged AF_MLOG frames straight to a node's transport port.

usage: slog_forge.py --to A.B.C.D[:UDPPORT] --dst-port P --src-port Q
                     --kind KIND [--src-host H] [--epoch E] [--count N]
                     [--rsn R] [--ssn S]
       slog_forge.py --sniff --to A.B.C.D[:UDPPORT] --dst-port P
                     [--dev DEV] [--timeout S] [--ready FILE]

Each frame is well formed (struct mlog_wire_hdr of uapi/linux/mlog.h,
the checks of kmod/frame.c all pass) and belongs to the flow Q -> P;
all but "data" are ACK frames, which only the logging layer can tell
are lies:

  ackrange  acknowledges RSNs R .. R+4 that the receiver never returned
  rsnack    acknowledges RSN R alone (one the receiver did return)
  rsnrange  returns RSNs R .. R+2 for the SSNs S .. S+2 of the reverse
            flow P -> Q, which were never sent
  badhost   claims to come from host index 70000 (> 65535)
  stale     comes from --src-host as --incarnation, a fenced-off one
  data      a datagram (DATA) numbered S that needs its RSN returned, from
            protected host --src-host, holding --payload (default
            "datagram S"): a sender whose datagrams arrive in the order of
            the runs of this command

The frames acknowledge nothing of the transport (ack 0) and offer a large
window, so a real flow Q -> P is not disturbed by them; to look like that
flow's they need its sender's socket epoch (a different one would make the
receiver reset the flow).  --sniff captures (AF_PACKET) the first frame
leaving for A:UDPPORT to port P and prints its "src_port epoch"; it
creates FILE once it is listening.
"""

import argparse
import socket
import struct
import sys
import time

MAGIC = 0x4D4C
VERSION = 2
FRAME_DATA = 1
FRAME_ACK = 3
F_NEED_RSN = 0x0001
F_ACK = 0x0100
HDR = struct.Struct(">HBBHHHHIIIIIIIQQQQQQBBHIII")
assert HDR.size == 104, HDR.size


def frame(src_port, dst_port, src_host, window=1 << 20, rsn=0, ssn2=0,
          rsn_count=0, rsn2=0, rsnack_count=0, interval=0, incarnation=0,
          epoch=0, kind=FRAME_ACK, flags=F_ACK, ssn=0, payload=b""):
    # the window means something only with F_ACK; the decoder wants 0 else
    if not flags & F_ACK:
        window = 0
    return HDR.pack(MAGIC, VERSION, kind, flags, HDR.size, src_port,
                    dst_port, len(payload), len(payload), 0, src_host,
                    incarnation, epoch, window, ssn, 0, interval, rsn, ssn2,
                    rsn2, rsn_count, rsnack_count, 0, 0, 0, 0) + payload


def sniff(dev, dst, udp_port, dst_port, timeout, ready):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    s.bind((dev, 0))
    s.settimeout(1)
    if ready:
        open(ready, "w").close()
    want = socket.inet_aton(dst)
    end = time.time() + timeout
    while time.time() < end:
        try:
            pkt = s.recv(65535)
        except socket.timeout:
            continue
        if len(pkt) < 14 + 20 + 8 + HDR.size or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 17 or ip[16:20] != want:
            continue
        udp = ip[ihl:]
        if struct.unpack(">H", udp[2:4])[0] != udp_port:
            continue
        h = HDR.unpack(udp[8:8 + HDR.size])
        if h[0] != MAGIC or h[6] != dst_port:
            continue
        print(h[5], h[12])
        return 0
    print("slog_forge: no frame to %s port %d seen" % (dst, dst_port),
          file=sys.stderr)
    return 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--to", required=True)
    ap.add_argument("--dst-port", type=int, required=True)
    ap.add_argument("--src-port", type=int)
    ap.add_argument("--kind", choices=("ackrange", "rsnack", "rsnrange",
                                       "badhost", "stale", "data"))
    ap.add_argument("--incarnation", type=int, default=0)
    ap.add_argument("--epoch", type=int, default=0)
    ap.add_argument("--sniff", action="store_true")
    ap.add_argument("--dev", default="eth0")
    ap.add_argument("--timeout", type=float, default=60)
    ap.add_argument("--ready")
    ap.add_argument("--src-host", type=int, default=0)
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--rsn", type=int, default=1000000)
    ap.add_argument("--ssn", type=int, default=1000000)
    ap.add_argument("--payload")
    a = ap.parse_args()
    host, _, port = a.to.partition(":")
    port = int(port or 7471)
    if a.sniff:
        return sniff(a.dev, host, port, a.dst_port, a.timeout, a.ready)
    if a.src_port is None or a.kind is None:
        ap.error("--src-port and --kind are required")

    if a.kind == "ackrange":
        f = frame(a.src_port, a.dst_port, a.src_host, rsn2=a.rsn,
                  rsnack_count=5, epoch=a.epoch)
    elif a.kind == "rsnack":
        f = frame(a.src_port, a.dst_port, a.src_host, rsn2=a.rsn,
                  rsnack_count=1, epoch=a.epoch)
    elif a.kind == "data":
        if not a.src_host:
            ap.error("--kind data needs --src-host")
        payload = a.payload if a.payload is not None else "datagram %d" % a.ssn
        f = frame(a.src_port, a.dst_port, a.src_host, epoch=a.epoch,
                  kind=FRAME_DATA, flags=F_NEED_RSN, ssn=a.ssn,
                  payload=payload.encode())
    elif a.kind == "rsnrange":
        f = frame(a.src_port, a.dst_port, a.src_host, rsn=a.rsn,
                  ssn2=a.ssn, rsn_count=3, epoch=a.epoch)
    elif a.kind == "stale":
        f = frame(a.src_port, a.dst_port, a.src_host, epoch=a.epoch,
                  incarnation=a.incarnation)
    else:
        f = frame(a.src_port, a.dst_port, 70000, epoch=a.epoch)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(a.count):
        s.sendto(f, (host, port))
    print("slog_forge: %d %s frames %d -> %s:%d port %d, epoch %d" %
          (a.count, a.kind, a.src_port, host, port, a.dst_port, a.epoch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
