#!/usr/bin/env python3
"""peer_extract.py: the extractor a user would write with Python's re — the benchmark's peer.

Usage: peer_extract.py LOG DEFS   (DEFS: NAME<TAB>REGEX per line, as gen_hf_log.py writes)
Applies every definition to every line (re.search, group 1, float()), like SageMaker's
documented semantics, and prints "lines=N points=N unparsed=N seconds=S".
"""
import re
import sys
import time


def main():
    log, defs_path = sys.argv[1], sys.argv[2]
    defs = []
    with open(defs_path, encoding="utf-8") as d:
        for row in d:
            name, rx = row.rstrip("\n").split("\t", 1)
            defs.append((name, re.compile(rx)))
    lines = points = unparsed = 0
    t0 = time.perf_counter()
    with open(log, encoding="utf-8", errors="replace", newline="\n") as f:
        for line in f:
            lines += 1
            line = line.rstrip("\n")
            for _name, rx in defs:
                m = rx.search(line)
                if m is None:
                    continue
                try:
                    float(m.group(1))
                    points += 1
                except ValueError:
                    unparsed += 1
    dt = time.perf_counter() - t0
    print(f"lines={lines} points={points} unparsed={unparsed} seconds={dt:.3f}")


if __name__ == "__main__":
    main()
