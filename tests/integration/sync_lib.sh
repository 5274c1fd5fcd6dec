# Shared by the sync scripts (source after tests/lib.sh; an emulator running when called):
#   S DB ARGS...          sagetop on the cache DB
#   lines_of DB           log lines stored in DB
#   want_lines JOB        boto3's read of every stream of JOB, merged by (timestamp, stream name)
#   same_lines NAME DB JOB  ok when DB's lines of JOB equal $TMPD/want.txt (want_lines' output)
S() { "$SAGETOP" --cache "$1" "${@:2}"; }
# Background runs start the binary itself, never the S function: "S ... &" forks a subshell
# and $! is that subshell, so a kill -9 or SIGINT would miss sagetop (a background subshell
# ignores SIGINT) and leave it syncing beside the next run.
lines_of() { sqlite3 "$1" "select coalesce(sum(n_events),0) from log_streams"; }

# boto3's read of every stream of a job, merged by (timestamp, stream name)
want_lines() {
    pyrun - "$1" <<'PY'
import boto3, os, sys
c = boto3.client("logs", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
job = sys.argv[1]
streams = c.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs", logStreamNamePrefix=job + "/")["logStreams"]
ev = []
for k, s in enumerate(sorted(x["logStreamName"] for x in streams)):
    tok = None
    while True:
        kw = dict(logGroupName="/aws/sagemaker/TrainingJobs", logStreamName=s, startFromHead=True)
        if tok: kw["nextToken"] = tok
        r = c.get_log_events(**kw)
        ev += [(e["timestamp"], k, e["message"].rstrip("\n")) for e in r["events"]]
        if r["nextForwardToken"] == tok: break
        tok = r["nextForwardToken"]
ev.sort(key=lambda e: (e[0], e[1]))
print("\n".join(e[2] for e in ev))
PY
}
got_lines() {   # DB JOB (the binary itself: test_sync.sh has an S of its own)
    "$SAGETOP" --cache "$1" --offline logs "$2" --format json | pyrun -c '
import json, sys
print("\n".join(json.loads(l)["message"].rstrip("\n") for l in sys.stdin))'
}
same_lines() {   # NAME DB JOB
    got_lines "$2" "$3" >"$TMPD/got.txt"
    if [ -s "$TMPD/want.txt" ] && cmp -s "$TMPD/got.txt" "$TMPD/want.txt"; then
        ok "$1 ($(wc -l <"$TMPD/want.txt") lines)"
    else
        not_ok "$1" "got $(wc -l <"$TMPD/got.txt") want $(wc -l <"$TMPD/want.txt");" \
            "$(diff "$TMPD/got.txt" "$TMPD/want.txt" | head -5)"
    fi
}
