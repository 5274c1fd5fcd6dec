#!/usr/bin/env python3
"""peer_chart.py: the chart a user would write without sagetop — the chart bench's peer.

Draws N points (a noisy decaying loss curve, like bench_chart's) into a W x H text grid by
scaling every point to a cell, the plain way, and prints "seconds=S" (drawing only, not data
generation). Usage: peer_chart.py [N] [W] [H]
"""
import math
import random
import sys
import time


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    w = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    h = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    rnd = random.Random(7)
    xs = list(range(n))
    ys = [2.0 * math.exp(-i / (n / 4)) + 0.1 * rnd.random() for i in range(n)]
    t0 = time.perf_counter()
    lo, hi = min(ys), max(ys)
    grid = [[" "] * w for _ in range(h)]
    for x, y in zip(xs, ys):
        c = min(w - 1, x * w // n)
        r = h - 1 - min(h - 1, int((y - lo) / (hi - lo) * (h - 1)))
        grid[r][c] = "*"
    text = "\n".join("".join(row) for row in grid)
    dt = time.perf_counter() - t0
    sys.stdout.write(text[:0])
    print(f"seconds={dt:.4f}")


if __name__ == "__main__":
    main()
