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
finish
