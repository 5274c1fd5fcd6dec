#!/bin/bash
# DURATION means one thing everywhere: the training time (TrainingStartTime to TrainingEndTime,
# SageMaker's TrainingTimeInSeconds), in `sagetop jobs` (table and csv), `sagetop show` and the
# TUI's column (the same rule in tui/view_jobs.c). A job whose start is unknown shows "-".
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario demo || { not_ok "emulator starts"; finish; }
S() { "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
S jobs --format csv >"$TMPD/list.csv" 2>"$TMPD/err" || not_ok "jobs runs" "$(cat "$TMPD/err")"
job=$(awk -F, '$2 == "Completed" { print $1; exit }' "$TMPD/list.csv")
expect_match "a completed demo job" "$job" '.'
S show "$job" --format json >"$TMPD/show.json" 2>"$TMPD/err" || not_ok "show runs" "$(cat "$TMPD/err")"
want=$(pyrun - "$TMPD/show.json" <<'PY'
import json, sys, datetime
d = json.load(open(sys.argv[1]))
def t(v):
    return v if isinstance(v, (int, float)) else datetime.datetime.fromisoformat(v.replace("Z", "+00:00")).timestamp()
start, end, created = t(d["TrainingStartTime"]), t(d["TrainingEndTime"]), t(d["CreationTime"])
assert start - created >= 1, "the demo job must start after its creation for this test"
print(round(end - start))
PY
)
expect_match "the job's training time" "$want" '^[0-9]+$'
# the describe is cached now: the listing read back from the cache knows the start
got=$(S --offline jobs --format csv | awk -F, -v j="$job" '$1 == j { print $7 }')
expect_eq "jobs --format csv duration_s is the training time" "$got" "$want"
tr=$(S --offline show "$job" | sed -n "s/^ *Training time *//p")
dur=$(S --offline show "$job" | sed -n 's/^ *Duration *//p')
expect_match "show has a Duration" "$dur" '[0-9]'
expect_eq "show's Duration is its training time" "$dur" "$tr"
# a listed job that was never described has no known start: "-" and an empty csv field
other=$(awk -F, -v j="$job" '$2 == "Completed" && $1 != j { print $1; exit }' "$TMPD/list.csv")
row=$(S --offline jobs | awk -v j="$other" '$1 == j')
expect_match "an undescribed job's DURATION is -" "$row" ' -$'
finish
