#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Check the sender-based logging state of a whole mlog cluster.

usage: slog_check.py NODEDIR...
       slog_check.py --selftest

Each NODEDIR holds what one node's mlogctl printed once the traffic had
stopped:

  status.json     mlogctl --json status       (node address and counters)
  log.json        mlogctl log dump --json     (the node's message log)
  hosts.json      mlogctl hosts --json        (its protected hosts)
  hist*.json      mlogctl history --host H --json, one per host (any names)

and the checks are, over the whole cluster (thesis ch. 3):

  (a) every message a protected host received from a protected sender (each
      RSN history run expanded) is in its sender's log exactly once, fully
      logged, with the RSN the receiver assigned; a message is named by
      (sending host, sender's node and port, receiver's node and port,
      SSN), for SOCK_RDM messages and datagrams alike;
  (b) each host's RSNs are exactly 1..rsn, each once;
  (c) every log entry is fully logged and names an RSN its receiver
      assigned to that very message; only a datagram entry ("dgram": true)
      may still be partial: the datagram was lost, so no receiver has it
      (that it really has none is check (a));
  (d) each host's dependency vector holds, per sending host, the highest
      interval of the fully logged messages that host sent it (a lost
      datagram's partial entry may already name its receiver);
  (e) the kernel's self-check counter sl_hold_violation is 0 on every node;
  (f) each host's log entries carry its host SSNs 1..ssn, each once;
  (g) each history run's interval is the highest interval of its messages.

Output is TAP; every failing check lists what differs.  Exit status 0 if
everything holds, 1 if not, 2 for unreadable input.  --selftest runs the
checks on a small consistent cluster and on copies corrupted one way each,
and fails unless the consistent one passes and each corruption is caught.
"""

import copy
import glob
import json
import os
import sys
import tempfile

MAX_SHOWN = 15
V4_PREFIX = "::ffff:"


def norm_addr(a):
    a = str(a).lower()
    return a[len(V4_PREFIX):] if a.startswith(V4_PREFIX) else a


def load_json(path, default=None):
    try:
        with open(path) as f:
            text = f.read()
    except FileNotFoundError:
        if default is not None:
            return copy.deepcopy(default)
        raise
    if not text.strip():
        return copy.deepcopy(default) if default is not None else []
    return json.loads(text)


def as_list(v):
    """Accept a bare array or an object wrapping one array."""
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        lists = [x for x in v.values() if isinstance(x, list)]
        if len(lists) == 1:
            return lists[0]
    raise ValueError("expected a JSON array")


def load_node(d):
    status = load_json(os.path.join(d, "status.json"))
    node = {
        "name": os.path.basename(os.path.normpath(d)),
        "addr": norm_addr(status["node"]["address"]),
        "stats": status.get("stats", {}),
        "log": as_list(load_json(os.path.join(d, "log.json"), [])),
        "hosts": as_list(load_json(os.path.join(d, "hosts.json"), [])),
        "hist": [],
    }
    for p in sorted(glob.glob(os.path.join(d, "hist*.json"))):
        node["hist"].extend(as_list(load_json(p, [])))
    return node


class Cluster:
    """Indexes of one cluster's dumps, shared by the checks."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.hosts = {}        # index -> host dict (+ "_node")
        self.dup_hosts = []
        for n in nodes:
            for h in n["hosts"]:
                h = dict(h)
                h["_node"] = n["addr"]
                if h["index"] in self.hosts:
                    self.dup_hosts.append(h["index"])
                self.hosts[h["index"]] = h
        # every log entry, with the node it came from
        self.entries = []
        for n in nodes:
            for e in n["log"]:
                e = dict(e)
                e["_node"] = n["addr"]
                e["dst_node"] = norm_addr(e.get("dst_node", ""))
                self.entries.append(e)
        # history runs, and their messages one by one
        self.runs = []
        self.msgs = []         # (run, rsn, ssn)
        for n in nodes:
            for r in n["hist"]:
                r = dict(r)
                r["_node"] = n["addr"]
                r["node"] = norm_addr(r.get("node", ""))
                self.runs.append(r)
                for i in range(r["count"]):
                    self.msgs.append((r, r["rsn"] + i, r["ssn"] + i))

    @staticmethod
    def entry_key(e):
        return (e["src_host"], e["_node"], e["src_port"], e["dst_node"],
                e["dst_port"], e["ssn"])

    @staticmethod
    def msg_key(r, ssn):
        return (r["src_host"], r["node"], r["port"], r["_node"], r["lport"],
                ssn)


def fmt_entry(e):
    return ("%s node %s host %s port %s -> %s:%s host %s ssn %s rsn %s "
            "state %s interval %s" %
            ("dgram" if e.get("dgram") else "entry", e["_node"],
             e["src_host"], e["src_port"], e["dst_node"], e["dst_port"],
             e.get("dst_host"), e["ssn"], e.get("rsn"), e.get("state"),
             e.get("interval")))


def fmt_msg(r, rsn, ssn):
    return ("host %s rsn %s: from host %s %s:%s to port %s ssn %s" %
            (r["host"], rsn, r["src_host"], r["node"], r["port"], r["lport"],
             ssn))


def check_a(c):
    errs = []
    by_key = {}
    for e in c.entries:
        by_key.setdefault(c.entry_key(e), []).append(e)
    for r, rsn, ssn in c.msgs:
        if not r["src_host"]:
            continue        # an unprotected sender keeps no log
        found = by_key.get(c.msg_key(r, ssn), [])
        what = fmt_msg(r, rsn, ssn)
        if len(found) != 1:
            errs.append("%s: %d log entries, want 1" % (what, len(found)))
            continue
        e = found[0]
        if e.get("state") != "full" or e.get("rsn") != rsn or \
           e.get("dst_host") != r["host"]:
            errs.append("%s: logged as %s" % (what, fmt_entry(e)))
    return errs


def check_b(c):
    errs = []
    got = {}
    for r, rsn, _ in c.msgs:
        got.setdefault(r["host"], []).append(rsn)
    for idx in sorted(set(got) | set(c.hosts)):
        rsns = sorted(got.get(idx, []))
        h = c.hosts.get(idx)
        if h is None:
            errs.append("host %s: history kept but host not listed" % idx)
            continue
        want = list(range(1, h["rsn"] + 1))
        if rsns != want:
            dups = sorted({x for x in rsns if rsns.count(x) > 1})
            missing = sorted(set(want) - set(rsns))
            extra = sorted(set(rsns) - set(want))
            errs.append("host %s (rsn %s): duplicated %s, missing %s, beyond "
                        "rsn %s" % (idx, h["rsn"], short(dups),
                                    short(missing), short(extra)))
    return errs


def check_c(c):
    errs = []
    by_rsn = {}
    for r, rsn, ssn in c.msgs:
        by_rsn.setdefault((r["host"], rsn), []).append((r, ssn))
    for e in c.entries:
        if e.get("state") != "full":
            if not e.get("dgram"):
                errs.append("%s: not fully logged" % fmt_entry(e))
            elif e.get("rsn"):
                errs.append("%s: partial but has an RSN" % fmt_entry(e))
            continue
        h = c.hosts.get(e.get("dst_host"))
        if h is None:
            errs.append("%s: receiver is no known host" % fmt_entry(e))
            continue
        if e["dst_node"] != h["_node"]:
            errs.append("%s: receiver host lives on %s" %
                        (fmt_entry(e), h["_node"]))
        found = by_rsn.get((e["dst_host"], e["rsn"]), [])
        if not found:
            errs.append("%s: receiver never assigned that RSN (its rsn is "
                        "%s)" % (fmt_entry(e), h["rsn"]))
            continue
        r, ssn = found[0]
        if c.msg_key(r, ssn) != c.entry_key(e):
            errs.append("%s: receiver gave that RSN to %s" %
                        (fmt_entry(e), fmt_msg(r, e["rsn"], ssn)))
    return errs


def check_d(c):
    errs = []
    want = {}
    for e in c.entries:
        # a lost datagram's entry may name its receiver, which never saw it
        if not e["src_host"] or e.get("dst_host") not in c.hosts or \
           e.get("state") != "full":
            continue
        d = want.setdefault(e["dst_host"], {})
        d[e["src_host"]] = max(d.get(e["src_host"], 0), e["interval"])
    for idx, h in sorted(c.hosts.items()):
        have = {int(k): v for k, v in (h.get("deps") or {}).items()}
        w = want.get(idx, {})
        # an entry of 0 and a missing entry say the same thing
        keys = sorted(k for k in set(have) | set(w)
                      if have.get(k, 0) != w.get(k, 0))
        if keys:
            errs.append("host %s deps: %s" % (idx, ", ".join(
                "host %s has %s, log says %s" % (k, have.get(k, 0),
                                                w.get(k, 0)) for k in keys)))
    return errs


def check_e(c):
    errs = []
    for n in c.nodes:
        v = n["stats"].get("sl_hold_violation")
        if v is None:
            errs.append("node %s: no sl_hold_violation counter (stats: %s)" %
                        (n["addr"], short(sorted(n["stats"]))))
        elif v != 0:
            errs.append("node %s: sl_hold_violation %s" % (n["addr"], v))
    return errs


def check_f(c):
    errs = []
    got = {}
    for e in c.entries:
        if e["src_host"]:
            got.setdefault(e["src_host"], []).append(e["host_ssn"])
            h = c.hosts.get(e["src_host"])
            if h is not None and h["_node"] != e["_node"]:
                errs.append("%s: sending host lives on %s" %
                            (fmt_entry(e), h["_node"]))
    for idx in sorted(set(got) | set(c.hosts)):
        h = c.hosts.get(idx)
        if h is None:
            errs.append("host %s: sent logged messages but is not listed" %
                        idx)
            continue
        ssns = sorted(got.get(idx, []))
        want = list(range(1, h["ssn"] + 1))
        if ssns != want:
            dups = sorted({x for x in ssns if ssns.count(x) > 1})
            errs.append("host %s (ssn %s): duplicated %s, not logged %s, "
                        "beyond ssn %s" %
                        (idx, h["ssn"], short(dups),
                         short(sorted(set(want) - set(ssns))),
                         short(sorted(set(ssns) - set(want)))))
    return errs


def check_g(c):
    errs = []
    by_key = {}
    for e in c.entries:
        by_key.setdefault(c.entry_key(e), []).append(e)
    for r in c.runs:
        if not r["src_host"]:
            continue
        ivs = [e["interval"] for i in range(r["count"])
               for e in by_key.get(c.msg_key(r, r["ssn"] + i), [])]
        if ivs and max(ivs) != r["interval"]:
            errs.append("%s count %s: interval %s, its log entries' highest "
                        "is %s" % (fmt_msg(r, r["rsn"], r["ssn"]), r["count"],
                                   r["interval"], max(ivs)))
    return errs


def check_hosts(c):
    return ["host %s registered on more than one node" % i
            for i in c.dup_hosts]


def short(xs, n=8):
    xs = list(xs)
    s = ", ".join(str(x) for x in xs[:n])
    if len(xs) > n:
        s += ", ... (%d in all)" % len(xs)
    return "[" + s + "]"


CHECKS = [
    ("a", "every received message is fully logged once by its sender, "
          "with its RSN", check_a),
    ("b", "each host's RSNs are exactly 1..rsn", check_b),
    ("c", "every log entry is full (a lost datagram's may be partial) and "
          "matches its receiver's history", check_c),
    ("d", "each dependency vector matches the log", check_d),
    ("e", "sl_hold_violation is 0 on every node", check_e),
    ("f", "each host's logged messages carry host SSNs 1..ssn", check_f),
    ("g", "each history run's interval is its messages' highest", check_g),
    ("h", "each host index is registered on one node only", check_hosts),
]


def run_checks(nodes):
    c = Cluster(nodes)
    return [(tag, desc, fn(c)) for tag, desc, fn in CHECKS]


def print_results(results, first=1, prefix=""):
    n = first
    failed = 0
    for tag, desc, errs in results:
        if errs:
            failed += 1
            print("not ok %d - %s(%s) %s" % (n, prefix, tag, desc))
            for line in errs[:MAX_SHOWN]:
                print("#   " + line)
            if len(errs) > MAX_SHOWN:
                print("#   ... %d more" % (len(errs) - MAX_SHOWN))
        else:
            print("ok %d - %s(%s) %s" % (n, prefix, tag, desc))
        n += 1
    return failed


# ---- self-test -----------------------------------------------------------

def sample_cluster():
    """Two nodes; host 1 on A (port 100), host 2 on B (port 200).

    host 1 sends m1, m2 (interval 0) to host 2, which gets RSNs 1, 2;
    host 2 answers r1 (interval 2), host 1's RSN 1; host 1 sends m3
    (interval 1), RSN 3 of host 2; host 2 sends r2 (interval 3), RSN 2 of
    host 1.  An unprotected sender on A (port 300) gives host 2 RSN 4.
    Host 1 also sends datagrams from its port 110 to host 2's port 210:
    d1, d2, d3 in interval 1, d4 in interval 2.  d1 and d3 get RSNs 5 and
    6; d2 and d4 are lost and their entries stay partial, d4's filed under
    host 2 already (its flow knows the receiver), which must not count as
    a dependency of host 2.
    """
    a, b = "192.0.2.11", "192.0.2.12"

    def entry(src, dst, dport, sport, ssn, hssn, iv, rsn, dnode,
              dgram=False):
        return {"src_host": src, "dst_host": dst, "dst_node": dnode,
                "dst_port": dport, "src_port": sport, "ssn": ssn,
                "host_ssn": hssn, "interval": iv, "rsn": rsn,
                "state": "full" if rsn else "partial", "len": 64,
                "extra_rsns": 0, "dgram": dgram}

    def host(idx, rsn, ssn, deps):
        return {"index": idx, "incarnation": 0, "pidns": 4026532000 + idx,
                "rsn": rsn, "ssn": ssn, "deps": deps, "unacked": 0,
                "history": 1, "sockets": 0, "tx_plain": ssn,
                "tx_piggyback": 0, "tx_delayed": 0}

    stats = {"sl_hold_violation": 0, "sl_bad_range": 0, "sl_bad_host": 0}
    node_a = {
        "name": "A", "addr": a, "stats": dict(stats),
        "log": [entry(1, 2, 200, 100, 1, 1, 0, 1, b),
                entry(1, 2, 200, 100, 2, 2, 0, 2, b),
                entry(1, 2, 200, 100, 3, 3, 1, 3, b),
                entry(1, 2, 210, 110, 1, 4, 1, 5, b, True),
                entry(1, 0, 210, 110, 2, 5, 1, 0, b, True),
                entry(1, 2, 210, 110, 3, 6, 1, 6, b, True),
                entry(1, 2, 210, 110, 4, 7, 2, 0, b, True)],
        "hosts": [host(1, 2, 7, {"2": 3})],
        "hist": [{"host": 1, "src_host": 2, "node": b, "port": 200,
                  "lport": 100, "ssn": 1, "rsn": 1, "count": 2,
                  "interval": 3}],
    }
    node_b = {
        "name": "B", "addr": b, "stats": dict(stats),
        "log": [entry(2, 1, 100, 200, 1, 1, 2, 1, a),
                entry(2, 1, 100, 200, 2, 2, 3, 2, a)],
        "hosts": [host(2, 6, 2, {"1": 1})],
        "hist": [{"host": 2, "src_host": 1, "node": a, "port": 100,
                  "lport": 200, "ssn": 1, "rsn": 1, "count": 3,
                  "interval": 1},
                 {"host": 2, "src_host": 0, "node": a, "port": 300,
                  "lport": 200, "ssn": 1, "rsn": 4, "count": 1,
                  "interval": 0},
                 {"host": 2, "src_host": 1, "node": a, "port": 110,
                  "lport": 210, "ssn": 1, "rsn": 5, "count": 1,
                  "interval": 1},
                 {"host": 2, "src_host": 1, "node": a, "port": 110,
                  "lport": 210, "ssn": 3, "rsn": 6, "count": 1,
                  "interval": 1}],
    }
    return [node_a, node_b]


def corruptions():
    """(description, checks that must fail, function mutating nodes)."""
    def drop_entry(ns):
        del ns[0]["log"][1]

    def wrong_rsn(ns):
        ns[1]["log"][0]["rsn"] = 2
        ns[1]["log"][1]["rsn"] = 1

    def partial(ns):
        e = ns[0]["log"][2]
        e["state"], e["rsn"], e["dst_host"] = "partial", 0, 0

    def dup_rsn(ns):
        ns[1]["hist"][1]["rsn"] = 3

    def rsn_gap(ns):
        ns[0]["hosts"][0]["rsn"] = 3

    def phantom(ns):
        e = dict(ns[0]["log"][2])
        e.update(ssn=4, host_ssn=8, rsn=7)
        ns[0]["log"].append(e)
        ns[0]["hosts"][0]["ssn"] = 8

    def deps(ns):
        ns[1]["hosts"][0]["deps"] = {"1": 0}

    def hold(ns):
        ns[1]["stats"]["sl_hold_violation"] = 1

    def host_ssn(ns):
        ns[1]["log"][1]["host_ssn"] = 1

    def run_interval(ns):
        ns[1]["hist"][0]["interval"] = 0

    def twice(ns):
        ns[1]["hosts"].append(dict(ns[0]["hosts"][0]))

    # datagrams: d1 (log[3], RSN 5) and d3 (log[5], RSN 6) were received
    def dgram_partial(ns):
        e = ns[0]["log"][3]
        e["state"], e["rsn"], e["dst_host"] = "partial", 0, 0

    def dgram_wrong_rsn(ns):
        ns[0]["log"][3]["rsn"] = 6
        ns[0]["log"][5]["rsn"] = 5

    def dgram_other_port(ns):
        ns[0]["log"][5]["dst_port"] = 211

    def dgram_other_src_port(ns):
        ns[0]["log"][3]["src_port"] = 111

    def dgram_twice(ns):
        e = dict(ns[0]["log"][3])
        e.update(state="partial", rsn=0, dst_host=0, host_ssn=8)
        ns[0]["log"].append(e)
        ns[0]["hosts"][0]["ssn"] = 8

    def rdm_partial_unflagged(ns):
        # the lost datagram's entry without its dgram flag: an RDM
        # message must never stay partial
        ns[0]["log"][4]["dgram"] = False

    def dgram_dep_from_lost(ns):
        # host 2's dependency taken from d4, which it never received
        ns[1]["hosts"][0]["deps"] = {"1": 2}

    return [
        ("a logged message dropped", "a", drop_entry),
        ("two RSNs swapped in the sender's log", "ac", wrong_rsn),
        ("an entry left partial", "ac", partial),
        ("one RSN given twice", "b", dup_rsn),
        ("an RSN never given", "b", rsn_gap),
        ("a log entry with an RSN never assigned", "c", phantom),
        ("a dependency lost", "d", deps),
        ("a hold violation counted", "e", hold),
        ("a host SSN repeated", "f", host_ssn),
        ("a history run's interval wrong", "g", run_interval),
        ("a host on two nodes", "h", twice),
        ("a received datagram left partial", "a", dgram_partial),
        ("two datagrams' RSNs swapped", "ac", dgram_wrong_rsn),
        ("a received datagram logged for another port", "ac",
         dgram_other_port),
        ("a received datagram logged from another port", "ac",
         dgram_other_src_port),
        ("a received datagram logged twice", "a", dgram_twice),
        ("a partial entry that is no datagram", "c", rdm_partial_unflagged),
        ("a dependency on a lost datagram's interval", "d",
         dgram_dep_from_lost),
    ]


def selftest():
    n = 1
    failed = 0
    base = sample_cluster()
    res = run_checks(copy.deepcopy(base))
    bad = [(tag, errs) for tag, _, errs in res if errs]
    print("%s %d - selftest: the consistent cluster passes every check" %
          ("not ok" if bad else "ok", n))
    for tag, errs in bad:
        for line in errs:
            print("#   (%s) %s" % (tag, line))
    failed += bool(bad)
    # the same cluster written out as mlogctl would, and read back
    n += 1
    with tempfile.TemporaryDirectory() as tmp:
        dirs = []
        for node in base:
            d = os.path.join(tmp, node["name"])
            os.mkdir(d)
            dirs.append(d)
            files = {"status.json": {"node": {"address": V4_PREFIX +
                                              node["addr"]},
                                     "stats": node["stats"]},
                     "log.json": node["log"], "hosts.json": node["hosts"]}
            for h in node["hosts"]:
                files["hist-%d.json" % h["index"]] = \
                    [r for r in node["hist"] if r["host"] == h["index"]]
            for name, v in files.items():
                with open(os.path.join(d, name), "w") as f:
                    json.dump(v, f)
        with open(os.path.join(dirs[0], "hist-empty.json"), "w") as f:
            f.write("\n")
        bad = [t for t, _, errs in run_checks([load_node(d) for d in dirs])
               if errs]
    print("%s %d - selftest: the cluster read back from files passes%s" %
          ("not ok" if bad else "ok", n,
           " (failed: %s)" % ",".join(bad) if bad else ""))
    failed += bool(bad)
    for desc, must, fn in corruptions():
        n += 1
        ns = copy.deepcopy(base)
        fn(ns)
        res = run_checks(ns)
        caught = "".join(tag for tag, _, errs in res if errs)
        ok = all(t in caught for t in must)
        print("%s %d - selftest: %s is caught by (%s)%s" %
              ("ok" if ok else "not ok", n, desc, ",".join(must),
               "" if ok else " (failed checks: %s)" % (caught or "none")))
        if ok:
            # show what a failure report looks like for the first of them
            for tag, _, errs in res:
                if tag == must[0]:
                    print("#   (%s) %s" % (tag, errs[0]))
        failed += not ok
    print("1..%d" % n)
    return 1 if failed else 0


def main(argv):
    if len(argv) == 2 and argv[1] == "--selftest":
        return selftest()
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        sys.stdout.write(__doc__)
        return 0 if len(argv) == 2 else 2
    try:
        nodes = [load_node(d) for d in argv[1:]]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print("slog_check: bad input: %s" % e, file=sys.stderr)
        return 2
    print("# %d nodes, %d hosts, %d log entries, %d history runs" %
          (len(nodes), sum(len(x["hosts"]) for x in nodes),
           sum(len(x["log"]) for x in nodes),
           sum(len(x["hist"]) for x in nodes)))
    dg = [e for x in nodes for e in x["log"] if e.get("dgram")]
    if dg:
        print("# %d datagram entries, %d of them partial (lost datagrams)" %
              (len(dg), sum(e.get("state") != "full" for e in dg)))
    try:
        results = run_checks(nodes)
    except (KeyError, TypeError) as e:
        print("slog_check: a dump lacks a field: %r" % e, file=sys.stderr)
        return 2
    failed = print_results(results)
    print("1..%d" % len(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
