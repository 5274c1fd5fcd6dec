#!/usr/bin/env python3
"""peer_tail.py: `aws logs tail GROUP --follow` as AWS CLI v2 does it, for `make bench`'s follow
section (bench/section_follow.sh). The CLI on this machine is v1, which has no `logs tail`.

A re-implementation with botocore of the loop in aws/aws-cli (v2 branch)
awscli/customizations/logs/tail.py, commit 00d4d6e8d9acf07b08a8a37a299d5c7c734458fc
(FollowLogEventsGenerator._do_filter_log_events): FilterLogEvents(logGroupName, interleaved=True,
startTime = now - since (default 10m), logStreamNamePrefix); every event whose eventId was not
yet seen at its timestamp is printed; the seen ids are cut to the newest timestamp's; while a
response has nextToken the next request follows it at once, and when it has none the token is
dropped, startTime becomes the newest timestamp seen and the loop sleeps _TIME_TO_SLEEP = 5 s.
Output as its default 'detailed' format (ISO timestamp, stream, message), with no colour (not a
tty). One difference, for the measurement only: stdout is flushed after each event, as it is
when the CLI writes to a terminal, so the bench sees a line when the CLI would show it.
The client uses CLI v2's default retry mode ('standard').
Usage: peer_tail.py GROUP [--log-stream-name-prefix P] [--since 10m]
"""
import argparse
import re
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone

import boto3
from botocore.config import Config

TIME_TO_SLEEP = 5


def since_ms(since):
    m = re.fullmatch(r"(\d+)(s|m|h|d|w)", since)
    secs = int(m.group(1)) * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[m.group(2)]
    return int((time.time() - secs) * 1000)


def follow(client, kwargs):
    ids_at = defaultdict(set)
    while True:
        resp = client.filter_log_events(**kwargs)
        for ev in resp["events"]:
            if ev["eventId"] not in ids_at[ev["timestamp"]]:
                ids_at[ev["timestamp"]].add(ev["eventId"])
                yield ev
        if ids_at:
            newest = max(ids_at)
            ids_at = defaultdict(set, {newest: ids_at[newest]})
        if "nextToken" in resp:
            kwargs["nextToken"] = resp["nextToken"]
        else:
            if ids_at:
                kwargs["startTime"] = max(ids_at)
            kwargs.pop("nextToken", None)
            time.sleep(TIME_TO_SLEEP)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("group")
    ap.add_argument("--log-stream-name-prefix")
    ap.add_argument("--since", default="10m")
    a = ap.parse_args()
    client = boto3.client("logs", config=Config(retries={"mode": "standard"}))
    kwargs = {"logGroupName": a.group, "interleaved": True, "startTime": since_ms(a.since)}
    if a.log_stream_name_prefix:
        kwargs["logStreamNamePrefix"] = a.log_stream_name_prefix
    out = sys.stdout
    try:
        for ev in follow(client, kwargs):
            ts = datetime.fromtimestamp(ev["timestamp"] / 1000.0, timezone.utc)
            out.write(("%s %s %s" % (ts.isoformat(timespec="microseconds"), ev["logStreamName"],
                                     ev["message"])).rstrip() + "\n")
            out.flush()
    except KeyboardInterrupt:
        return


if __name__ == "__main__":
    main()
