#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The recovery phases of an application's recovered crash trials.

    recovery_times.py APP DIR

DIR holds, per trial NAME (APP-ROUND-COPY), NAME.class (its class, from
crash_trials.sh) and NAME.err (mlog-run's stderr, whose narration gives
the phases).  Prints one line: over the recovered trials, the median of
the failure detection time, of the restart, the log collection and the
replay (re-execution through the logged messages) of each recovered rank,
of the messages it replayed, and of the time from detection to the rank
being live again.
"""
import glob
import os
import re
import statistics
import sys

DETECTED = re.compile(r"mlog-run: node \d+ failed \(.*silent for ([\d.]+) s\)")
REPLAYED = re.compile(r"mlog-run: rank \d+ replayed (\d+) messages.*; restart (\d+) ms, "
                      r"log collection (\d+) ms, replay (\d+) ms")
LIVE = re.compile(r"mlog-run: rank \d+ is live again, ([\d.]+) s after")


def main():
    app, d = sys.argv[1], sys.argv[2]
    detect, restart, collect, replay, msgs, live = [], [], [], [], [], []
    trials = 0
    for cls in glob.glob(os.path.join(d, app + "-*-*.class")):
        with open(cls) as f:
            if f.read().strip() != "recovered":
                continue
        trials += 1
        with open(cls[:-len(".class")] + ".err") as f:
            for line in f:
                if m := DETECTED.search(line):
                    detect.append(float(m[1]) * 1000)
                elif m := REPLAYED.search(line):
                    msgs.append(int(m[1]))
                    restart.append(int(m[2]))
                    collect.append(int(m[3]))
                    replay.append(int(m[4]))
                elif m := LIVE.search(line):
                    live.append(float(m[1]) * 1000)

    def med(v):
        return "%.0f" % statistics.median(v) if v else "-"
    print(f"{trials} recovered trials, {len(restart)} ranks restarted; medians: "
          f"detection {med(detect)} ms, restart {med(restart)} ms, "
          f"log collection {med(collect)} ms, replay {med(replay)} ms "
          f"({med(msgs)} messages), detection to live {med(live)} ms")


if __name__ == "__main__":
    main()
