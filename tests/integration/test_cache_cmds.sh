#!/bin/bash
# show / logs over the cache, and the cache's refusals.
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario demo || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
check "sync" S sync -q
F=$(sqlite3 "$DB" "select name from jobs where status='Failed' limit 1")
out=$(S show "$F" 2>&1)
expect_match "show: failure reason" "$out" "Failure"
expect_match "show: reason text" "$out" "AlgorithmError|Error"
expect_match "show: last error lines from the log" "$out" "last error lines"
expect_match "show: timeline" "$out" "Timeline"
out=$(S show "$F" --format json 2>&1)
expect_match "show --format json" "$out" "\"TrainingJobName\": \"$F\""
out=$(S logs "$F" --grep 'Traceback|Error' 2>&1)
expect_match "logs --grep finds the error" "$out" "Error"
# a match is an event (a multi-line event prints as several lines): check events in JSON
bad=$(S --offline logs "$F" --grep 'Traceback|Error' --format json | pyrun -c '
import json, re, sys
print(sum(1 for l in sys.stdin if not re.search("Traceback|Error", json.loads(l)["message"], re.I)))')
expect_eq "logs --grep prints only matching events" "$bad" "0"
# escape sequences from a log never reach the terminal
L=$(sqlite3 "$DB" "select name from jobs where status='InProgress' and secondary_status='Training' limit 1")
emu_ctl logs "{\"job\": \"$L\", \"lines\": [\"evil \u001b]0;pwned\u0007 \u001b[31mred\"], \"lines_b64\": [\"YmFkIP8gYnl0ZQ==\"]}" >/dev/null
S sync -q "$L"
S --offline logs "$L" >"$TMPD/evil.txt"
if grep -q $'\x1b' "$TMPD/evil.txt" || grep -q $'\x07' "$TMPD/evil.txt"; then
    not_ok "control characters are stripped"
else
    ok "control characters are stripped"
fi
expect_match "invalid UTF-8 shows as U+FFFD" "$(grep 'bad ' "$TMPD/evil.txt")" "bad .* byte"
# a cache from a newer sagetop is refused and left alone
cp "$DB" "$TMPD/newer.db"
sqlite3 "$TMPD/newer.db" "PRAGMA user_version=99"
sum=$(md5sum <"$TMPD/newer.db")
out=$("$SAGETOP" --cache "$TMPD/newer.db" --offline show "$F" 2>&1); rc=$?
expect_eq "newer cache: exit 1" "$rc" "1"
expect_match "newer cache: clear error" "$out" "newer sagetop"
expect_eq "newer cache: untouched" "$(md5sum <"$TMPD/newer.db")" "$sum"
echo "not a database at all, just some text that is long enough" >"$TMPD/foreign.db"
out=$("$SAGETOP" --cache "$TMPD/foreign.db" --offline show "$F" 2>&1)
expect_match "foreign file refused" "$out" "not a sagetop cache"
out=$("$SAGETOP" --cache "$TMPD/newer.db" --reset-cache sync -q 2>&1); rc=$?
expect_eq "--reset-cache recovers" "$rc" "0"
expect_match "--reset-cache says where the old file went" "$out" "newer.db.old-"
finish
