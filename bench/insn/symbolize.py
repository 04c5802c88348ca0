#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Function profile of a bench/slog/run --insn-profile run.

   bench/insn/symbolize.py SHARED [--top N] [--op OP]

SHARED is the run's shared directory (build/bench/slog-shared): the
plugin's per-flush profiles insn-profile-node<N>-<flush>.txt (per
translated block: address, instructions, execs out of blocks, in none
blocks and in log blocks), each VM's /proc/kallsyms and /proc/modules
(kallsyms-node<N>.txt, modules-node<N>.txt) and results.jsonl, whose
paired results name their flush ("insns":{"flush":K}) and operations
per side ("insn_ops").  For every operation and VM it prints the
functions with the most instructions per operation: none, log and
log - none, sorted by the difference.  User code is one line, "[user]".
"""
import argparse
import bisect
import collections
import glob
import json
import os
import re
import sys

USER_END = 1 << 63
MODULES_START = 0xffffffffc0000000


class Symbols:
    """A VM's kernel and module text symbols."""

    def __init__(self, kallsyms, modules):
        syms = []
        self.etext = 0
        with open(kallsyms) as f:
            for line in f:
                p = line.split()
                if len(p) < 3 or p[1] not in "tTwW":
                    continue
                a = int(p[0], 16)
                if not a:
                    continue
                name = p[2] + (" " + p[3] if len(p) > 3 else "")
                syms.append((a, name))
                if p[2] == "_etext":
                    self.etext = a
        syms.sort()
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]
        self.mods = []
        try:
            with open(modules) as f:
                for line in f:
                    p = line.split()
                    if len(p) >= 6:
                        self.mods.append((int(p[5], 16), int(p[1]), p[0]))
        except OSError:
            pass

    def name(self, a):
        if a < USER_END:
            return "[user]"
        if a >= MODULES_START and self.mods and not any(
                b <= a < b + size for b, size, _ in self.mods):
            return "[module area, no module]"
        if a < MODULES_START and self.etext and a >= self.etext:
            return "[kernel, past _etext]"
        i = bisect.bisect_right(self.addrs, a) - 1
        return self.names[i] if i >= 0 else "[unknown]"


def load_profile(path):
    """{vaddr: [insns none, insns log]} and the header's "missed"."""
    prof = collections.defaultdict(lambda: [0, 0])
    missed = 0
    with open(path) as f:
        for line in f:
            if line.startswith("#"):
                m = re.search(r"missed (\d+)", line)
                if m:
                    missed = int(m.group(1))
                continue
            p = line.split()
            if len(p) != 5:
                continue
            a, n = int(p[0], 16), int(p[1])
            prof[a][0] += n * int(p[3])
            prof[a][1] += n * int(p[4])
    return prof, missed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("shared")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--op", help="only this operation")
    args = ap.parse_args()

    results = []
    try:
        with open(os.path.join(args.shared, "results.jsonl")) as f:
            results = [json.loads(x) for x in f if x.strip()]
    except OSError:
        pass
    by_op = collections.OrderedDict()
    for r in results:
        if r.get("status") != "ok" or "insns" not in r or "insn_ops" not in r:
            continue
        if args.op and r["op"] != args.op:
            continue
        by_op.setdefault(r["op"], []).append(r)
    if not by_op:
        sys.exit("symbolize.py: no paired results with instruction counts in %s"
                 % args.shared)

    nodes = sorted({int(m.group(1)) for p in glob.glob(
        os.path.join(args.shared, "insn-profile-node*-*.txt"))
        for m in [re.search(r"node(\d+)-\d+\.txt$", p)] if m})
    syms = {}
    for n in nodes:
        ks = os.path.join(args.shared, "kallsyms-node%d.txt" % n)
        if os.path.exists(ks):
            syms[n] = Symbols(ks, os.path.join(args.shared, "modules-node%d.txt" % n))
        else:
            print("warning: no %s: addresses only" % ks)

    for op, rs in by_op.items():
        ops = [sum(r["insn_ops"]["a"] for r in rs), sum(r["insn_ops"]["b"] for r in rs)]
        flushes = [r["insns"]["flush"] for r in rs]
        for n in nodes:
            funcs = collections.defaultdict(lambda: [0, 0])
            missed, found = 0, 0
            for k in flushes:
                path = os.path.join(args.shared, "insn-profile-node%d-%d.txt" % (n, k))
                if not os.path.exists(path):
                    continue
                found += 1
                prof, m = load_profile(path)
                missed += m
                for a, v in prof.items():
                    name = syms[n].name(a) if n in syms else "%x" % a
                    funcs[name][0] += v[0]
                    funcs[name][1] += v[1]
            if not found:
                continue
            tot = [sum(v[i] for v in funcs.values()) / ops[i] for i in (0, 1)]
            print("%s, node%d: instructions per operation by function (%d runs, "
                  "%d + %d operations; missed phase changes %d)" % (
                      op, n, found, ops[0], ops[1], missed))
            print("%12s %12s %12s  %s" % ("none", "log", "log-none", "function"))
            rows = sorted(funcs.items(), key=lambda kv: kv[1][1] / ops[1] - kv[1][0] / ops[0],
                          reverse=True)
            for name, v in rows[:args.top]:
                a, b = v[0] / ops[0], v[1] / ops[1]
                print("%12.1f %12.1f %+12.1f  %s" % (a, b, b - a, name))
            print("%12.1f %12.1f %+12.1f  (all)" % (tot[0], tot[1], tot[1] - tot[0]))
            print()


if __name__ == "__main__":
    main()
