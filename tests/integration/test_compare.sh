#!/bin/bash
# sagetop compare on three jobs of the demo's comparison family: exactly the hyperparameters
# that differ, and best values checked against an independent computation over the points
# `sagetop metrics --format csv` extracts from the same cached logs.
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario demo --no-quotas || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
J1=distilbert-imdb-lr5e5-ep3 J2=distilbert-imdb-lr3e5-ep3 J3=distilbert-imdb-lr2e5-ep2

# online: compare syncs the named jobs first (empty cache)
out=$(S compare $J1 $J2 $J3 2>&1); rc=$?
expect_eq "compare exits 0 on an empty cache (syncs first)" "$rc" 0
hp=$(printf '%s\n' "$out" | sed -n '/^HYPERPARAMETERS/,/^$/p' | sed '1,2d;/^$/d' | awk '{print $1}' | tr '\n' ' ')
expect_eq "table: exactly the differing hyperparameters" "$hp" "epochs learning_rate "
expect_match "table: learning rates per job in job order" "$out" 'learning_rate +5e-05 +3e-05 +2e-05'
expect_match "table: epochs per job" "$out" 'epochs +3 +3 +2'
expect_match "table: says what is hidden" "$out" 'equal and [0-9]+ sagemaker_\* hidden'
# issue 13: AT holds steps here (the jobs log steps): the heading says so, not "time since start"
expect_match "METRICS heading: at is the step of the best" "$out" '^METRICS \(.*at = the step of the best\)$'
expect_eq "METRICS heading: no time since start over steps" "$(printf '%s\n' "$out" | grep -c 'time since start')" 0
expect_match "resources: instance type x count and cost" "$out" "$J1 +Completed +ml\.[a-z0-9.]+ x 1 .*\\\$[0-9]+\.[0-9][0-9]"

# --internal adds the sagemaker_* rows that differ; --all adds the equal ones
hp=$(S --offline compare $J1 $J2 $J3 --internal --format json | pyrun -c '
import json, sys; print(" ".join(sorted(json.load(sys.stdin)["hyperparameters"])))')
expect_eq "--internal: sagemaker_* rows that differ" "$hp" \
    "epochs learning_rate sagemaker_job_name sagemaker_submit_directory"
# expected: every key of the three describe documents (sagetop show --format json)
want=$(for j in $J1 $J2 $J3; do S --offline show $j --format json; done | pyrun -c '
import json, sys
dec, text, keys, i = json.JSONDecoder(), sys.stdin.read(), set(), 0
while i < len(text):
    if text[i].isspace(): i += 1; continue
    d, i = dec.raw_decode(text, i); keys |= set(d.get("HyperParameters", {}))
print(len(keys))')
got=$(S --offline compare $J1 $J2 $J3 --all --internal --format json | pyrun -c '
import json, sys; print(len(json.load(sys.stdin)["hyperparameters"]))')
expect_eq "--all --internal: every key of the describe documents" "$got" "$want"
got=$(S --offline compare $J1 $J2 $J3 --all --format json | pyrun -c '
import json, sys; d = json.load(sys.stdin)["hyperparameters"]
print(d["model_name_or_path"]["'$J1'"], d["train_batch_size"]["'$J2'"], any(k.startswith("sagemaker_") for k in d))')
expect_eq "--all: equal rows shown, sagemaker_* still hidden" "$got" "distilbert-base-uncased 32 False"

# best values: computed independently from sagetop metrics' CSV (algo-1 points)
S metrics $J1 $J2 $J3 --format csv >"$TMPD/points.csv"
S --offline compare $J1 $J2 $J3 --format json >"$TMPD/cmp.json"
res=$(pyrun - "$TMPD/points.csv" "$TMPD/cmp.json" <<'PY'
import csv, json, sys
pts, steps = {}, {}
for r in csv.DictReader(open(sys.argv[1])):
    pts.setdefault((r["metric"], r["job"]), []).append(float(r["value"]))
    steps.setdefault((r["metric"], r["job"]), []).append(r["step"])
cmp = json.load(open(sys.argv[2]))
bad = []
for metric, want_dir in (("eval_loss", "min"), ("loss", "min"), ("eval_accuracy", "max")):
    row = cmp["metrics"][metric]
    if row["direction"] != want_dir:
        bad.append(metric + " direction")
    best = {}
    for job in cmp["jobs"]:
        v = pts[(metric, job)]
        b = min(v) if want_dir == "min" else max(v)
        best[job] = b
        got = row["jobs"][job]
        for k, w in (("best", b), ("last", v[-1]), ("min", min(v)), ("max", max(v))):
            if abs(got[k] - w) > 1e-9 * max(1, abs(w)):
                bad.append("%s %s %s %r != %r" % (metric, job, k, got[k], w))
        want_step = int(steps[(metric, job)][v.index(b)])
        if got.get("best_step") != want_step:
            bad.append("%s %s best_step %r != %r" % (metric, job, got.get("best_step"), want_step))
    want_job = (min if want_dir == "min" else max)(best, key=best.get)
    if row["best_job"] != want_job:
        bad.append("%s best job %s != %s" % (metric, row["best_job"], want_job))
print("ok" if not bad else "; ".join(bad))
PY
)
expect_eq "json: best/last/min/max and the best job match the extracted points" "$res" "ok"
best=$(pyrun -c 'import json,sys; print(json.load(open(sys.argv[1]))["metrics"]["eval_loss"]["best_job"])' "$TMPD/cmp.json")
expect_match "table: the best eval_loss job carries the star" \
    "$(S --offline compare $J1 $J2 $J3 | sed -n '/eval_loss (min)/,+2p' | grep "$best")" ' \*$'

# csv and markdown
out=$(S --offline compare $J1 $J2 $J3 --format csv)
expect_eq "csv: header" "$(printf '%s\n' "$out" | head -1)" "section,name,job,field,value"
expect_match "csv: hyperparameter rows" "$out" "hyperparameter,learning_rate,$J3,value,2e-05"
expect_match "csv: is_best rows" "$out" "metric,eval_loss,$best,is_best,true"
# a tie (every job logged eval_samples = 5000): every tied job is the best, not the first one
expect_eq "csv: a tie marks every tied job is_best" \
    "$(printf '%s\n' "$out" | grep -c '^metric,eval_samples,.*,is_best,true$')" 3
out=$(S --offline compare $J1 $J2 $J3)
expect_eq "table: a tie stars every tied job" \
    "$(printf '%s\n' "$out" | sed -n '/eval_samples (min)/,+2p' | grep -c ' \*$')" 3
expect_match "table: the heading says ties are all starred" "$out" '^METRICS \(.*the best jobs \(tied\)'
out=$(S --offline compare $J1 $J2 $J3 --format md)
expect_match "md: a table with a separator" "$out" '^\|-+\|'
expect_match "md: the best is bold" "$out" '\*\*best\*\*'

# errors
out=$(S --offline compare $J1 2>&1); rc=$?
expect_eq "one job: usage error" "$rc" 2
out=$(S --offline compare $J1 no-such-job 2>&1); rc=$?
expect_eq "unknown job: exit 1" "$rc" 1
expect_match "unknown job: says which" "$out" 'no-such-job is not in the cache'
out=$(S compare $J1 $J2 --format xml 2>&1); rc=$?
expect_eq "bad format: usage error" "$rc" 2
finish
