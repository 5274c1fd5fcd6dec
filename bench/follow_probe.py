#!/usr/bin/env python3
"""follow_probe.py: one followed job, timed (`make bench`'s follow section, bench/section_follow.sh).

Appends HISTORY lines to JOB's log through the emulator's control API, starts CMD (a follower
that prints the job's lines on stdout) and waits until it has printed the last of them. Then, for
SECS seconds, appends one line "bench-seq=RUN/N" every 1/RATE s (none with RATE 0: a quiet job) and notes when it asked the emulator
to append it; a reader thread notes when CMD printed it. Over exactly that window it counts the
AWS requests the emulator saw (its /stats, reset at the start) and CMD's CPU time (/proc). After
the window it waits up to GRACE s for the last lines, then ends CMD (by its pid).

Prints one line of key=value figures: req_min (requests per minute), ops, cpu_min (CPU seconds
per minute), sent, seen, median_ms, p90_ms (line latency: printed minus appended).
Usage: follow_probe.py --control URL --job JOB [--secs S] [--rate R] [--history N] -- CMD...
"""
import argparse
import json
import os
import subprocess
import threading
import time
import urllib.request


def ctl(url, path, body=None):
    req = urllib.request.Request(url + "/" + path, data=json.dumps(body or {}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.loads(r.read())


def cpu_s(pid):
    """user+sys of pid and its waited-for children, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def pct(vals, p):
    if not vals:
        return float("nan")
    vals = sorted(vals)
    return vals[min(len(vals) - 1, int(p * len(vals)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--control", required=True)
    ap.add_argument("--job", required=True)
    ap.add_argument("--secs", type=float, default=60)
    ap.add_argument("--rate", type=float, default=1.0)
    ap.add_argument("--history", type=int, default=200)
    ap.add_argument("--grace", type=float, default=15)
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd[:1] == ["--"] else a.cmd
    tag = "bench-hist-%d-%d" % (os.getpid(), int(time.time()))
    ctl(a.control, "logs", {"job": a.job, "lines": ["%s %d" % (tag, i) for i in range(a.history)]})

    last_hist = "%s %d" % (tag, a.history - 1)
    mark = "bench-seq=%s/" % tag      # this run's lines only (a peer may print earlier runs')
    seen, ready = {}, threading.Event()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def reader():
        for raw in proc.stdout:
            now = time.time()
            line = raw.decode("utf-8", "replace")
            if last_hist in line:
                ready.set()
            k = line.find(mark)
            if k >= 0:
                n = int(line[k + len(mark):].split()[0])
                seen.setdefault(n, now)

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        if not ready.wait(120):
            raise SystemExit("follow_probe: the follower never printed the history")
        ctl(a.control, "reset", {"stats": True})
        c0, t0 = cpu_s(proc.pid), time.time()
        sent, n = {}, 0
        while a.rate > 0:
            due = t0 + n / a.rate
            if due >= t0 + a.secs:
                break
            time.sleep(max(0.0, due - time.time()))
            sent[n] = time.time()
            ctl(a.control, "logs", {"job": a.job, "lines": ["%s%d step %d" % (mark, n, n)]})
            n += 1
        time.sleep(max(0.0, t0 + a.secs - time.time()))
        stats = ctl(a.control, "stats")
        c1, t1 = cpu_s(proc.pid), time.time()
        end = time.time() + a.grace
        while len(seen) < len(sent) and time.time() < end:
            time.sleep(0.1)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    mins = (t1 - t0) / 60.0
    req = stats.get("requests", {})
    lat = [(seen[k] - sent[k]) * 1000 for k in sent if k in seen]
    print("req_min=%.1f ops=%s cpu_min=%.3f sent=%d seen=%d median_ms=%.0f p90_ms=%.0f window_s=%.1f"
          % (sum(req.values()) / mins, ",".join("%s:%d" % kv for kv in sorted(req.items())) or "-",
             (c1 - c0) / mins, len(sent), len(lat), pct(lat, 0.5), pct(lat, 0.9), t1 - t0))


if __name__ == "__main__":
    main()
