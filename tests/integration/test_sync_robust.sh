#!/bin/bash
# sync under stress: 20 kill -9 during a multi-page sync then resume (exactly the source lines,
# in order, once each, against boto3's read), and Ctrl-C leaves a consistent cache that a
# restart completes. (Throttling and permissions: test_sync_faults.sh; a stream that appears
# mid-follow: test_sync_follow.sh; apart so that they run side by side.)
# 40 GetLogEvents pages of 10,000 lines, each slowed to >= 0.7 s during the kills: a run lives
# 0.1-1.5 s, so it stores at most two pages before its kill and the 20 kills land mid-sync
# (both times x TEST_WAIT_SCALE)
source "$SAGETOP_TOP/tests/lib.sh"
source "$SAGETOP_TOP/tests/integration/sync_lib.sh"
LINES=400000
emu_start --scenario scale --jobs 60 --lines "$LINES" || { not_ok "emulator starts"; finish; }
J=scale-job-000000
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

finish
