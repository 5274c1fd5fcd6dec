#!/bin/bash
# sync --follow: a stream that appears mid-follow (a late instance) is picked up, and the follow
# ends by itself when the job does.
source "$SAGETOP_TOP/tests/lib.sh"
S() { "$SAGETOP" --cache "$1" "${@:2}"; }
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

# two followed jobs share the budget (issue 15, section 2): one job's backlog (40 pages, each
# slowed to 300 ms, one worker) does not hold back the other's new line; it is stored while the
# backlog is still being read
B=$(sqlite3 "$DB4" "select name from jobs where status='Completed' and name<>'$L' order by creation_time desc limit 1")
F=$(sqlite3 "$DB4" "select name from jobs where status='InProgress' and secondary_status='Training' and name<>'$L' limit 1")
[ -n "$B" ] && [ -n "$F" ] || not_ok "the demo has a finished and another live job" "B=$B F=$F"
emu_ctl job "{\"name\": \"$B\", \"status\": \"InProgress\"}" >/dev/null
lines_of_job() { sqlite3 "$DB4" "select coalesce(sum(s.n_events), 0) from log_streams s join jobs j on j.id=s.job_id where j.name='$1'" 2>/dev/null || echo 0; }
"$SAGETOP" --cache "$DB4" sync -q --follow --workers 1 "$B" "$F" >"$TMPD/fair.err" 2>&1 &
fair=$!
_pids+=("$fair")
caught_up_b() { [ "$(lines_of_job "$B")" -gt 0 ] && [ "$(lines_of_job "$F")" -gt 0 ]; }
wait_until "both followed jobs stored" 30 caught_up_b
b0=$(lines_of_job "$B")
"$PYTHON" -c 'import json; print(json.dumps({"job": "'"$B"'", "lines": ["backlog %d" % i for i in range(400000)]}))' >"$TMPD/backlog.json"
emu_ctl faults '{"slow_ms": 300, "ops": ["GetLogEvents"]}' >/dev/null
emu_ctl logs "@$TMPD/backlog.json" >/dev/null
emu_ctl logs "{\"job\": \"$F\", \"lines\": [\"fair-share-marker\"]}" >/dev/null
marker_in_f() { S "$DB4" --offline logs "$F" 2>/dev/null | grep -q fair-share-marker; }
wait_until "the second job's new line is stored during the backlog" 30 marker_in_f
b_then=$(lines_of_job "$B")
if [ "$b_then" -lt $((b0 + 400000)) ]; then
    ok "a followed job's backlog does not starve another followed job ($((b_then - b0)) of 400000 backlog lines read when the line came)"
else
    not_ok "a followed job's backlog does not starve another followed job" \
        "the backlog was read first: $((b_then - b0)) lines"
fi
emu_ctl faults '{"slow_ms": 0}' >/dev/null
wait_until "the backlog is read to the end" 60 sh -c "[ \"\$(sqlite3 '$DB4' \"select coalesce(sum(s.n_events), 0) from log_streams s join jobs j on j.id=s.job_id where j.name='$B'\")\" -ge $((b0 + 400000)) ]"
kill "$fair" 2>/dev/null
wait "$fair" 2>/dev/null
finish
