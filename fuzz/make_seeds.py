#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write the seed corpus of the frame fuzzer: a few valid AF_MLOG frames
and one of each way mlog_frame_decode() refuses one.

    python3 fuzz/make_seeds.py [DIR]      (default: fuzz/corpus/frame)

The layout is read from struct mlog_wire_hdr in uapi/linux/mlog.h; the
files are committed, so this only needs running again when the format
changes ("make -C fuzz seeds").
"""
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UAPI = os.path.join(HERE, "..", "uapi", "linux", "mlog.h")
SIZES = {"__u8": "B", "__be16": "H", "__be32": "I", "__be64": "Q"}


def wire_layout(path=UAPI):
    """Field names and struct format of struct mlog_wire_hdr, read from
    the uapi header so that the seeds follow the format when it grows."""
    with open(path) as fp:
        text = fp.read()
    body = re.search(r"struct mlog_wire_hdr \{(.*?)\};", text, re.S).group(1)
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    fields = re.findall(r"(__u8|__be16|__be32|__be64)\s+(\w+)\s*;", body)
    return [n for _, n in fields], ">" + "".join(SIZES[t] for t, _ in fields)


NAMES, FMT = wire_layout()
HDR_LEN = struct.calcsize(FMT)
assert HDR_LEN % 8 == 0, HDR_LEN

DATA, RDATA, ACK = 1, 2, 3
F_NEED_RSN, F_NEED_RSNACK, F_DONT_LOG, F_ACK = 0x1, 0x2, 0x4, 0x100
F_FRAG_MAP = 0x200
F_DUP = 0x400
F_SRC_HOST = 0x800


def frame(payload=b"", **kw):
    """Header (plus ext, bytes appended to it) and payload; kw overrides."""
    h = dict.fromkeys(NAMES, 0)
    h.update(magic=0x4D4C, version=2, type=DATA, hdr_len=HDR_LEN,
             src_port=1000, dst_port=2000, payload_len=len(payload),
             msg_len=len(payload))
    ext = kw.pop("ext", b"")
    assert set(kw) <= set(NAMES), set(kw) - set(NAMES)
    h.update(kw)
    hdr = struct.pack(FMT, *(h[n] for n in NAMES)) + ext
    return hdr + payload


SEEDS = {
    # accepted
    "ok-data": frame(b"hello"),
    "ok-data-empty": frame(),
    "ok-rdata-frag": frame(b"abcd", type=RDATA, ssn=7, msg_len=12, epoch=9,
                           frag_off=4, flags=F_ACK, ack=3, window=65536),
    "ok-ack": frame(type=ACK, flags=F_ACK, ack=41, window=4096),
    "ok-ack-fragmap": frame(type=ACK, flags=F_ACK | F_FRAG_MAP, ack=41,
                            window=4096, frag_map_hi=0x8000,
                            frag_map_lo=0x00000005),
    "ok-ack-dup": frame(type=ACK, flags=F_ACK | F_DUP, ack=7, window=4096),
    "ok-logging": frame(b"x", type=RDATA, ssn=1, src_host=2, incarnation=3,
                        interval=9, rsn=100, ssn2=5, rsn_count=3,
                        rsn2=50, rsnack_count=2,
                        flags=F_NEED_RSN | F_NEED_RSNACK | F_DONT_LOG),
    "ok-hostaddr": frame(b"hi", type=RDATA, ssn=3, src_host=4, incarnation=2,
                         dst_host=9, dst_incarnation=1,
                         flags=F_SRC_HOST | F_NEED_RSN, interval=5),
    "ok-longer-hdr": frame(b"yz", hdr_len=HDR_LEN + 8, ext=bytes(8)),
    # refused, one per reason
    "bad-truncated": frame(b"hello")[:40],
    "bad-magic": frame(b"hello", magic=0x4C4D),
    "bad-version": frame(b"hello", version=1),
    "bad-host-src": frame(b"hello", flags=F_SRC_HOST),
    "bad-host-inc": frame(b"hello", dst_incarnation=1),
    "bad-hdrlen": frame(b"hello", hdr_len=HDR_LEN + 4),
    "bad-type": frame(b"hello", type=4),
    "bad-flags": frame(b"hello", flags=0x8000),
    "bad-fragmap-hi": frame(b"hello", frag_map_hi=1),
    "bad-fragmap-lo": frame(b"hello", frag_map_lo=0x80000000),
    "bad-fragmap-noack": frame(b"hello", flags=F_FRAG_MAP, frag_map_lo=1),
    "bad-fragmap-empty": frame(type=ACK, flags=F_ACK | F_FRAG_MAP, ack=1),
    "bad-dup-noack": frame(b"hello", flags=F_DUP),
    "bad-length": frame(b"hello", payload_len=4),
    "bad-frag": frame(b"hello", msg_len=8, frag_off=4),
    "bad-msglen": frame(b"hello", msg_len=65537),
    "bad-range": frame(b"hello", rsn=2**64 - 1, rsn_count=2),
    "bad-ack-noflag": frame(b"hello", ack=1),
    "bad-ack-type": frame(type=ACK, ack=1),
    "bad-rdata-ssn0": frame(b"hello", type=RDATA),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "corpus",
                                                             "frame")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as fp:
            fp.write(data)
    print(f"{len(SEEDS)} seeds in {out}")


if __name__ == "__main__":
    main()
