#!/bin/bash
# sagetop against 30 % throttling and 10 % 5xx (signature checking on): five listings of 1,234
# jobs with the client's default attempts each complete, exactly, and the faults were really
# injected. (The other failures: test_errors.sh.)
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario empty || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null
out=$(emu_ctl jobs '{"count": 1234, "prefix": "err", "statuses": ["Completed", "Failed"]}')
expect_match "emulator made 1234 jobs" "$out" '"created": 1234'

# run_env ENV-ARGS... -- ARGS...: sagetop under `env ENV-ARGS...` (-u NAME unsets), stdout and
# stderr to files; sets rc, out, err (as in test_errors.sh)
run_env() {
    local pre=()
    while [ "$1" != -- ]; do pre+=("$1"); shift; done
    shift
    env "${pre[@]}" "$SAGETOP" "$@" >"$TMPD/out" 2>"$TMPD/err"
    rc=$?
    out=$(cat "$TMPD/out")
    err=$(cat "$TMPD/err")
}

# --- 30 % throttling and 10 % 5xx: the listing still completes, exactly. Each request gets
# the client's attempts (3 by default); a page that still fails is asked again (same
# NextToken) after a longer backoff, so a 13-page listing does not die on one unlucky page.
emu_ctl faults '{"throttle": 0.3, "5xx": 0.1}' >/dev/null
emu_ctl reset '{"stats": true}' >/dev/null
emu_ctl faults '{"throttle": 0.3, "5xx": 0.1}' >/dev/null
for run in 1 2 3 4 5; do
    run_env -u AWS_MAX_ATTEMPTS -- jobs --format csv
    expect_eq "throttled + 5xx, default attempts, run $run: exit 0" "$rc" 0
    expect_eq "throttled + 5xx, default attempts, run $run: all 1234 jobs" "$(printf '%s\n' "$out" | tail -n +2 | grep -c .)" 1234
    expect_eq "throttled + 5xx, default attempts, run $run: no duplicates" "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f1 | sort -u | wc -l)" 1234
done
stats=$(emu_ctl stats)
faults=$(pyrun -c 'import json,sys; d=json.loads(sys.argv[1])["faults"]; print(d.get("throttle",0), d.get("5xx",0))' "$stats")
expect_match "throttled + 5xx, 5 runs: faults were really injected ($faults)" "$faults" '^[1-9][0-9]* [1-9][0-9]*$'
finish
