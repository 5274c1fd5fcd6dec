#!/bin/bash
# sync under stress: 20 kill -9 during a multi-page sync then resume (exactly the source lines,
# in order, once each, against boto3's read), Ctrl-C leaves a consistent cache that a restart
# completes, 50+ jobs under 30% throttling and 10% 5xx with quotas on, a stream that appears
# mid-follow, and clear errors for a read-only cache directory or an unwritable cache file.
source "$SAGETOP_TOP/tests/lib.sh"
# 40 GetLogEvents pages of 10,000 lines, each slowed to >= 0.7 s during the kills: a run lives
# 0.1-1.5 s, so it stores at most two pages before its kill and the 20 kills land mid-sync
# (both times x TEST_WAIT_SCALE)
LINES=400000
emu_start --scenario scale --jobs 60 --lines "$LINES" || { not_ok "emulator starts"; finish; }
J=scale-job-000000
S() { "$SAGETOP" --cache "$1" "${@:2}"; }
# Background runs start the binary itself, never the S function: "S ... &" forks a subshell
# and $! is that subshell, so a kill -9 or SIGINT would miss sagetop (a background subshell
# ignores SIGINT) and leave it syncing beside the next run.
lines_of() { sqlite3 "$1" "select coalesce(sum(n_events),0) from log_streams"; }

# boto3's read of every stream of a job, merged by (timestamp, stream name)
want_lines() {
    "$PYTHON" - "$1" <<'PY'
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
got_lines() {
    S "$1" --offline logs "$2" --format json | "$PYTHON" -c '
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
want_lines "$J" >"$TMPD/want.txt"
expect_eq "boto3 reads the whole source log" "$(wc -l <"$TMPD/want.txt")" "$LINES"

# ---- 20 kill -9 at random moments of a multi-page sync, then resume
DB=$TMPD/kill.db
# Page delay and run lifetime are both stretched by WAIT_SCALE: the same two pages at most per
# run, with room for the start of a run on a machine busy with the other scripts.
emu_ctl faults "{\"slow_ms\": $((700 * WAIT_SCALE)), \"ops\": [\"GetLogEvents\"]}" >/dev/null
progress=()
for i in $(seq 1 20); do
    "$SAGETOP" --cache "$DB" sync -q "$J" >/dev/null 2>&1 &
    pid=$!
    ms=$(((RANDOM % 15 + 1) * 100 * WAIT_SCALE))   # 0.1 .. 1.5 s x WAIT_SCALE
    sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    progress+=("$(lines_of "$DB" 2>/dev/null || echo 0)")
done
echo "# lines stored after each kill: ${progress[*]}"
expect_eq "no sync survives its kill -9" "$(pgrep -f "^$SAGETOP --cache $DB " | wc -l)" "0"
n=${progress[19]:-0}
if [ "$n" -gt 0 ] && [ "$n" -lt "$LINES" ]; then
    ok "the kills landed mid-sync ($n of $LINES lines stored after the 20th)"
else
    not_ok "the kills landed mid-sync" "lines after the kills: ${progress[*]}"
fi
emu_ctl reset '{}' >/dev/null
check "sync completes after 20 kills" S "$DB" sync -q "$J"
same_lines "after 20 kill -9 and resume: every source line once, in order" "$DB" "$J"
expect_eq "integrity after kills" "$(sqlite3 "$DB" 'PRAGMA integrity_check')" "ok"

# ---- Ctrl-C (SIGINT) during a sync: consistent cache, restart resumes
DB2=$TMPD/int.db
emu_ctl faults '{"slow_ms": 1500, "ops": ["GetLogEvents"]}' >/dev/null
"$SAGETOP" --cache "$DB2" sync -q "$J" >/dev/null 2>"$TMPD/int.err" &
pid=$!
stored_some() { [ "$(lines_of "$1" 2>/dev/null || echo 0)" -gt 0 ]; }
wait_until "SIGINT: the sync stores a first page" 10 stored_some "$DB2"
t0=$(date +%s%N)
kill -INT "$pid"
wait "$pid"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect_eq "SIGINT: exit status 130" "$rc" "130"
if [ "$ms" -lt 2000 ]; then ok "SIGINT: exits promptly (${ms} ms)"; else not_ok "SIGINT: exits promptly" "${ms} ms"; fi
expect_match "SIGINT: says what was kept" "$(cat "$TMPD/int.err")" "interrupted"
expect_eq "SIGINT: PRAGMA integrity_check" "$(sqlite3 "$DB2" 'PRAGMA integrity_check')" "ok"
n=$(lines_of "$DB2")
if [ "$n" -gt 0 ] && [ "$n" -lt "$LINES" ]; then ok "SIGINT: stopped mid-sync ($n lines kept)"; else not_ok "SIGINT: stopped mid-sync" "n=$n"; fi
emu_ctl reset '{}' >/dev/null
check "SIGINT: a restart completes" S "$DB2" sync -q "$J"
same_lines "SIGINT: after the restart every line once, in order" "$DB2" "$J"

# ---- 60 jobs (logs of all) under 30% throttling and 10% 5xx, quotas on
DB3=$TMPD/faults.db
emu_ctl faults '{"throttle": 0.3, "5xx": 0.1}' >/dev/null
S "$DB3" sync -q --all-logs >"$TMPD/f.out" 2>&1; rc=$?
expect_eq "faults: sync of every job's logs exits 0" "$rc" "0"
[ "$rc" = 0 ] || echo "# $(grep -v throttled "$TMPD/f.out" | head -3)"
expect_eq "faults: every job cached" "$(sqlite3 "$DB3" 'select count(*) from jobs')" "60"
faults=$(emu_ctl stats | "$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(sum(d["faults"].values()))')
if [ "${faults:-0}" -gt 10 ]; then ok "faults: the emulator injected $faults faults"; else not_ok "faults were injected" "$faults"; fi
emu_ctl reset '{}' >/dev/null
same_lines "faults: nothing lost, nothing doubled" "$DB3" "$J"

# ---- permissions: a read-only directory, an unwritable file (checked as an unprivileged user)
RO=$(mktemp -d /tmp/sagetop-ro.XXXXXX)
chmod 755 "$RO"
cp "$DB" "$RO/cache.db"; rm -f "$DB-wal" "$DB-shm"
chmod 644 "$RO/cache.db"
as_user() {
    if [ "$(id -u)" = 0 ]; then
        HOME=$RO XDG_CACHE_HOME=$RO XDG_CONFIG_HOME=$RO setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" != 0 ]; then chmod 555 "$RO"; chmod 444 "$RO/cache.db"; fi
out=$(as_user "$SAGETOP" --cache "$RO/sub/cache.db" sync -q 2>&1); rc=$?
[ "$rc" != 0 ] && expect_match "read-only directory: clear error" "$out" "cannot create .*(Permission denied|Read-only)" \
    || not_ok "read-only directory: fails" "rc=$rc $out"
sum=$(md5sum <"$RO/cache.db")
out=$(as_user "$SAGETOP" --cache "$RO/cache.db" sync -q 2>&1); rc=$?
[ "$rc" != 0 ] && expect_match "unwritable cache file: clear error" "$out" "read-only|Permission denied|cannot" \
    || not_ok "unwritable cache file: fails" "rc=$rc $out"
expect_eq "unwritable cache file: untouched" "$(md5sum <"$RO/cache.db")" "$sum"
chmod -R u+w "$RO"; rm -rf "$RO"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null

# ---- a stream that appears mid-follow (a late instance) is picked up
emu_start --scenario demo || { not_ok "demo emulator starts"; finish; }
DB4=$TMPD/follow.db
check "demo sync" S "$DB4" sync -q
L=$(sqlite3 "$DB4" "select name from jobs where status='InProgress' and secondary_status='Training' limit 1")
echo "# following $L"
"$SAGETOP" --cache "$DB4" sync -q --follow "$L" >"$TMPD/follow.err" 2>&1 &
fpid=$!
_pids+=("$fpid")
# following: the job's present streams are stored before the late one appears
following() { [ "$(sqlite3 "$DB4" "select coalesce(sum(s.n_events), 0) from log_streams s join jobs j on j.id=s.job_id where j.name='$L'" 2>/dev/null || echo 0)" -gt 0 ]; }
wait_until "sync --follow stores the job's log" 20 following
before=$(sqlite3 "$DB4" "select count(*) from log_streams s join jobs j on j.id=s.job_id where j.name='$L'")
emu_ctl logs "{\"job\": \"$L\", \"host\": 9, \"lines\": [\"late-instance-marker\"]}" >/dev/null
late_stored() { sqlite3 "$DB4" "select 1 from log_streams s join jobs j on j.id=s.job_id where j.name='$L' and s.instance='algo-9' and s.n_events>0" 2>/dev/null | grep -q 1; }
wait_for 20 late_stored
after=$(sqlite3 "$DB4" "select count(*) from log_streams s join jobs j on j.id=s.job_id where j.name='$L'")
if [ "$after" -gt "$before" ] && S "$DB4" --offline logs "$L" --instance algo-9 | grep -q late-instance-marker; then
    ok "a stream that appears mid-follow is picked up ($before -> $after streams)"
else
    not_ok "a stream that appears mid-follow is picked up" "before=$before after=$after $(head -c 300 "$TMPD/follow.err")"
fi
emu_ctl job "{\"name\": \"$L\", \"status\": \"Completed\"}" >/dev/null
exited() { ! kill -0 "$1" 2>/dev/null; }
wait_for 30 exited "$fpid"
if kill -0 "$fpid" 2>/dev/null; then
    kill "$fpid"; not_ok "sync --follow exits when the job ends"
else
    wait "$fpid"; expect_eq "sync --follow exits by itself when the job ends" "$?" "0"
fi
finish
