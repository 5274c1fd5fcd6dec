#!/bin/bash
# sagetop sync against the emulator: a full sync, a re-run that fetches nothing new, kill -9
# mid-sync then resume (no duplicates, no gaps), following a live job, offline reads.
source "$SAGETOP_TOP/tests/lib.sh"
source "$SAGETOP_TOP/tests/integration/sync_lib.sh"
emu_start --scenario demo || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
stat_of() { emu_ctl stats | pyrun -c "import json,sys; print(json.load(sys.stdin)['requests'].get('$1',0))"; }
throttled() { emu_ctl stats | pyrun -c "import json,sys; d=json.load(sys.stdin)['throttled']; print(sum(d.values()), d)"; }

check "first sync succeeds" S sync -q
n=$(sqlite3 "$DB" "select count(*) from jobs")
expect_eq "every demo job is cached" "$n" "$(emu_ctl '' | pyrun -c 'import json,sys; print(json.load(sys.stdin)["jobs"])')"
expect_eq "cache file is 0600" "$(stat -c %a "$DB")" "600"
# tags are not in the describe document: ListTags, one per described job (the demo tags each job)
expect_eq "every job's tags are cached" "$(sqlite3 "$DB" "select count(distinct job_id) from tags")" "$n"
expect_eq "no secret in the cache" "$(sqlite3 "$DB" .dump | grep -c -- "$AWS_SECRET_ACCESS_KEY")" "0"
expect_eq "the client's rate limiter keeps a full sync inside the quotas" "$(throttled)" "0 {}"

emu_ctl reset '{"stats":true}' >/dev/null
check "second sync succeeds" S sync -q
live=$(sqlite3 "$DB" "select count(*) from jobs where status not in ('Completed','Failed','Stopped')")
expect_eq "re-run lists one page" "$(stat_of ListTrainingJobs)" "1"
expect_eq "re-run describes only unfinished jobs" "$(stat_of DescribeTrainingJob)" "$live"

# logs of a finished job, killed at random moments then resumed
J=$(sqlite3 "$DB" "select name from jobs where status='Completed' order by creation_time desc limit 1")
emu_ctl faults '{"slow_ms": 40, "ops": ["GetLogEvents"]}' >/dev/null
for i in 1 2 3 4 5; do
    "$SAGETOP" --cache "$DB" sync -q "$J" >/dev/null 2>&1 &    # not S: $! must be sagetop
    pid=$!
    sleep "0.$((RANDOM % 4 + 1))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
done
emu_ctl reset '{}' >/dev/null
check "sync completes after kills" S sync -q "$J"
want_lines "$J" >"$TMPD/want.txt"
same_lines "after kill -9 and resume: every line once, in order" "$DB" "$J"
emu_ctl reset '{"stats":true}' >/dev/null
S sync -q "$J" >/dev/null 2>&1
expect_eq "a drained job's logs are not fetched again" "$(stat_of GetLogEvents)" "0"

# follow a live job: lines arrive
L=$(sqlite3 "$DB" "select name from jobs where status='InProgress' and secondary_status='Training' limit 1")
"$SAGETOP" --cache "$DB" logs "$L" --follow >"$TMPD/follow.txt" 2>"$TMPD/follow.err" &
fpid=$!
_pids+=("$fpid")
wait_for 20 test -s "$TMPD/follow.txt"
before=$(wc -l <"$TMPD/follow.txt")
emu_ctl logs "{\"job\": \"$L\", \"lines\": [\"sagetop-follow-marker\"]}" >/dev/null
wait_for 20 grep -q sagetop-follow-marker "$TMPD/follow.txt"
if [ "$before" -gt 0 ] && grep -q sagetop-follow-marker "$TMPD/follow.txt"; then
    ok "following a live job shows its lines and new ones ($before lines, then the marker)"
else
    not_ok "following a live job shows its lines and new ones" "before=$before $(head -c 300 "$TMPD/follow.err")"
fi
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
# a followed job that ends makes --follow exit by itself
emu_ctl job "{\"name\": \"$L\", \"status\": \"Completed\"}" >/dev/null
if timeout 30 "$SAGETOP" --cache "$DB" logs "$L" --follow >/dev/null 2>&1; then
    ok "--follow exits when the job ends"
else
    not_ok "--follow exits when the job ends" "rc=$?"
fi

# every job's logs at once (4 requests in flight) at the emulator's default (AWS) quotas:
# the client's per-API limiter alone keeps it from being throttled even once
emu_ctl reset '{"stats":true}' >/dev/null
"$SAGETOP" --cache "$TMPD/all.db" sync -q --all-logs >"$TMPD/all.err" 2>&1
expect_eq "sync of every job's logs succeeds" "$?" "0"
expect_eq "sync of every job's logs: zero throttling answers" "$(throttled)" "0 {}"
n=$(sqlite3 "$TMPD/all.db" "select count(*) from log_streams where n_events>0")
if [ "$n" -gt 40 ]; then ok "sync of every job's logs: $n streams stored"; else not_ok "every job's logs stored" "$n streams; $(head -3 "$TMPD/all.err")"; fi

# offline: the emulator is gone, the cache still answers
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null
out=$(S --offline logs "$J" 2>&1 | head -3)
expect_match "offline logs from the cache" "$out" "algo-1 "
out=$(S --offline show "$J" 2>&1)
expect_match "offline show from the cache" "$out" "Status +Completed"
finish
