#!/usr/bin/env python3
"""peer_logs.py: the peers of `make bench`'s sync section (bench/section_sync.sh).

Both list the log streams under a prefix (DescribeLogStreams, paginated) and page every stream's
GetLogEvents from the head until the forward token repeats, as sagetop's first sync does.

  sqlite  the script a user would write: boto3, one stream after another, each page's events
          inserted into an SQLite table (stream, timestamp, message) and committed.
  floor   the same pages with no processing: botocore's SigV4 signer and a keep-alive
          http.client connection per worker; the body is read and dropped once the forward token
          is found by a byte search (no JSON parse). Paced by a shared token bucket at --rate
          requests/s (sagetop's own limiter rate), --workers streams at once (sagetop's default).

Prints one line of key=value figures (lines, raw_bytes, requests, throttled).
Usage: peer_logs.py sqlite|floor --group G --prefix P [--db PATH] [--rate R] [--workers N]
"""
import argparse
import http.client
import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse

import boto3


def list_streams(logs, group, prefix):
    names = []
    for page in logs.get_paginator("describe_log_streams").paginate(
            logGroupName=group, logStreamNamePrefix=prefix):
        names += [s["logStreamName"] for s in page["logStreams"]]
    return names


def run_sqlite(args, logs, streams):
    db = sqlite3.connect(args.db)
    db.execute("create table if not exists events (stream text, ts integer, message text)")
    lines = raw = requests = 0
    for name in streams:
        kw = {"logGroupName": args.group, "logStreamName": name, "startFromHead": True}
        while True:
            page = logs.get_log_events(**kw)
            requests += 1
            rows = [(name, e["timestamp"], e["message"]) for e in page["events"]]
            db.executemany("insert into events values (?, ?, ?)", rows)
            db.commit()
            lines += len(rows)
            raw += sum(len(r[2].encode()) + 1 for r in rows)
            if page["nextForwardToken"] == kw.get("nextToken"):
                break
            kw["nextToken"] = page["nextForwardToken"]
    db.close()
    print("lines=%d raw_bytes=%d requests=%d" % (lines, raw, requests))


class Pacer:
    """A token bucket shared by the floor's workers: rate per second, burst of half a second
    (as sagetop's limiter, aws/ratelimit.c)."""

    def __init__(self, rate):
        self.rate, self.cap = rate, max(1.0, rate / 2)
        self.tokens, self.t = self.cap, time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        while True:
            with self.lock:
                now = time.monotonic()
                self.tokens = min(self.cap, self.tokens + (now - self.t) * self.rate)
                self.t = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            time.sleep(wait)


TOKEN_RE = re.compile(rb'"nextForwardToken"\s*:\s*"([^"]*)"')


def run_floor(args, logs, streams):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    creds = boto3.Session().get_credentials().get_frozen_credentials()
    region = logs.meta.region_name
    url = logs.meta.endpoint_url
    host = urllib.parse.urlsplit(url)
    pacer = Pacer(args.rate)
    todo = list(streams)
    lock = threading.Lock()
    tot = {"lines": 0, "requests": 0, "throttled": 0}

    def fetch(conn, body):
        req = AWSRequest(method="POST", url=url + "/", data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1",
                                  "X-Amz-Target": "Logs_20140328.GetLogEvents"})
        SigV4Auth(creds, "logs", region).add_auth(req)
        conn.request("POST", "/", body=body, headers=dict(req.headers.items()))
        resp = conn.getresponse()
        return resp.status, resp.read()

    def worker():
        conn = http.client.HTTPConnection(host.hostname, host.port)
        lines = requests = throttled = 0
        while True:
            with lock:
                if not todo:
                    break
                name = todo.pop(0)
            token = None
            while True:
                p = {"logGroupName": args.group, "logStreamName": name, "startFromHead": True}
                if token:
                    p["nextToken"] = token
                pacer.take()
                status, data = fetch(conn, json.dumps(p).encode())
                requests += 1
                if status != 200:
                    if b"Throttling" not in data:
                        sys.exit("floor: HTTP %d: %s" % (status, data[:200]))
                    throttled += 1
                    continue
                lines += data.count(b'"ingestionTime"')
                m = TOKEN_RE.search(data, max(0, len(data) - 400)) or TOKEN_RE.search(data)
                nxt = m.group(1).decode() if m else None
                if nxt is None or nxt == token:
                    break
                token = nxt
        conn.close()
        with lock:
            tot["lines"] += lines
            tot["requests"] += requests
            tot["throttled"] += throttled

    threads = [threading.Thread(target=worker) for _ in range(max(1, args.workers))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print("lines=%(lines)d requests=%(requests)d throttled=%(throttled)d" % tot)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["sqlite", "floor"])
    ap.add_argument("--group", default="/aws/sagemaker/TrainingJobs")
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--db", default="peer.db")
    ap.add_argument("--rate", type=float, default=25.0)
    ap.add_argument("--workers", type=int, default=4)
    args = ap.parse_args()
    logs = boto3.client("logs", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    streams = list_streams(logs, args.group, args.prefix)
    (run_sqlite if args.mode == "sqlite" else run_floor)(args, logs, streams)


if __name__ == "__main__":
    main()
