#!/bin/bash
# sagetop jobs against the emulator (signature checking on): 1,234 jobs listed exactly through
# every page, each filter, the sort orders, and --format json equal to what
# `aws sagemaker list-training-jobs` lists (names, statuses, times in ISO 8601); with a warm
# cache one request, and still exact; sorted and filtered by what only descriptions give
# (hp.X, m.X, instance type) while some jobs are only listed: exact, the rest marked pending.
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario empty || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null
# 1,234 jobs, one a minute back from now, statuses cycling (309 Completed, 309 Failed,
# 308 InProgress, 308 Stopped)
t0=$(pyrun -c 'import time; print(time.time())')
out=$(emu_ctl jobs '{"count": 1234, "prefix": "bulk", "spacing_s": 60,
                     "statuses": ["Completed", "Failed", "InProgress", "Stopped"]}')
expect_match "emulator made 1234 jobs" "$out" '"created": 1234'

# The AWS CLI as reference: ISO 8601 timestamps in UTC, every page. aws_lists NAME|ARGS...: each
# `aws sagemaker list-training-jobs --output json ARGS` (ARGS split on "|") into $TMPD/cli.NAME.json,
# all run by the CLI's own driver in one Python process (a CLI start is ~1.5 s of CPU).
aws_lists() {
    AWS_CONFIG_FILE=$TMPD/aws-cli.cfg TZ=UTC pyrun - "$TMPD" "$@" <<'PY'
import contextlib, sys
from awscli.clidriver import create_clidriver
for spec in sys.argv[2:]:
    name, *args = spec.split("|")
    base = "%s/cli.%s" % (sys.argv[1], name)
    with open(base + ".json", "w") as out, open(base + ".err", "w") as err, \
            contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            rc = create_clidriver().main(["sagemaker", "list-training-jobs", "--output", "json"] + args)
        except SystemExit as e:
            rc = e.code
    if rc:
        print("aws %s: exit %s" % (" ".join(args), rc), file=sys.stderr)
PY
}
printf '[default]\ncli_timestamp_format = iso8601\n' >"$TMPD/aws-cli.cfg"
count_json() { pyrun -c 'import json,sys; print(len(json.load(sys.stdin)["TrainingJobSummaries"]))'; }
rows() { tail -n +2 | grep -c .; }

# jobs are one a minute apart, the newest a minute old: 119.5 minutes back holds the newest 119
# (run first, while the 30 s of margin still hold)
expect_eq "--since 119.5m" "$("$SAGETOP" jobs --since 119.5m --format csv | rows)" 119
expect_eq "--since 2d (all)" "$("$SAGETOP" jobs --since 2d --format csv | rows)" 1234
iso=$(pyrun -c 'import datetime,sys; print(datetime.datetime.fromtimestamp(float(sys.argv[1])-7170, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"))' "$t0")
expect_eq "--since ISO date ($iso)" "$("$SAGETOP" jobs --since "$iso" --format csv | rows)" 119
# the reference listings: every job, each status, a name filter
aws_lists all "Completed|--status-equals|Completed" "Failed|--status-equals|Failed" \
    "InProgress|--status-equals|InProgress" "Stopped|--status-equals|Stopped" \
    "name|--name-contains|0012" 2>"$TMPD/cli.err"
expect_eq "the AWS CLI lists without an error" "$(cat "$TMPD/cli.err")" ""

# --- every job, every page
"$SAGETOP" jobs --format csv >"$TMPD/all.csv" 2>"$TMPD/err"
rc=$?
expect_eq "jobs exits 0" "$rc" 0
expect_eq "1234 jobs listed exactly" "$(rows <"$TMPD/all.csv")" 1234
expect_eq "no duplicates across pages" "$(tail -n +2 "$TMPD/all.csv" | cut -d, -f1 | sort -u | wc -l)" 1234
expect_eq "csv header" "$(head -1 "$TMPD/all.csv")" \
    "name,status,secondary_status,creation_time,training_end_time,last_modified_time,duration_s,arn"

# --- JSON equals the AWS CLI's listing, field by field
"$SAGETOP" jobs --format json >"$TMPD/ours.json" 2>"$TMPD/err"
cmp_out=$(pyrun - "$TMPD/ours.json" "$TMPD/cli.all.json" <<'EOF'
import json, sys
ours = json.load(open(sys.argv[1]))["TrainingJobSummaries"]
cli = json.load(open(sys.argv[2]))["TrainingJobSummaries"]
o = {j["TrainingJobName"]: j for j in ours}
c = {j["TrainingJobName"]: j for j in cli}
if len(ours) != len(cli) or set(o) != set(c):
    print("names differ: ours %d, cli %d" % (len(o), len(c))); sys.exit(1)
keys = ["TrainingJobName", "TrainingJobArn", "TrainingJobStatus", "SecondaryStatus",
        "CreationTime", "TrainingEndTime", "LastModifiedTime"]
for n in c:
    for k in keys:
        if o[n].get(k) != c[n].get(k):
            print("%s %s: ours %r cli %r" % (n, k, o[n].get(k), c[n].get(k))); sys.exit(1)
    extra = set(o[n]) - set(c[n])
    if extra:
        print("%s: extra members %s" % (n, sorted(extra))); sys.exit(1)
print("same")
EOF
)
expect_eq "json equals aws sagemaker list-training-jobs (1234 jobs)" "$cmp_out" "same"
expect_match "json times are ISO 8601 like the CLI's" "$(head -c 2000 "$TMPD/ours.json")" \
    '"CreationTime": "20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{6})?\+00:00"'

# --- each filter, against both the expected count and the AWS CLI
for s in Completed:309 Failed:309 InProgress:308 Stopped:308; do
    st=${s%%:*} want=${s##*:}
    got=$("$SAGETOP" jobs --status "$st" --format csv | rows)
    cli=$(count_json <"$TMPD/cli.$st.json")
    expect_eq "--status $st lists $want" "$got" "$want"
    expect_eq "--status $st equals the CLI" "$got" "$cli"
done
got=$("$SAGETOP" jobs --status failed --format csv | tail -n +2 | cut -d, -f2 | sort -u)
expect_eq "--status is case-insensitive and only lists that status" "$got" "Failed"

got=$("$SAGETOP" jobs --name-contains 0012 --format csv | tail -n +2 | cut -d, -f1 | sort | tr '\n' ' ')
expect_eq "--name-contains 0012" "$got" \
    "bulk-00012 bulk-00120 bulk-00121 bulk-00122 bulk-00123 bulk-00124 bulk-00125 bulk-00126 bulk-00127 bulk-00128 bulk-00129 "
expect_eq "--name-contains equals the CLI" \
    "$("$SAGETOP" jobs --name-contains 0012 --format json | count_json)" \
    "$(count_json <"$TMPD/cli.name.json")"

expect_eq "--since + --status combine" \
    "$("$SAGETOP" jobs --since 119.5m --status Completed --format csv | tail -n +2 | cut -d, -f2 | sort | uniq -c | awk '{print $2}')" \
    "Completed"

# --- limit and sort
"$SAGETOP" jobs --limit 50 --format csv >"$TMPD/l.csv"
expect_eq "--limit 50" "$(rows <"$TMPD/l.csv")" 50
expect_eq "newest first by default" "$(sed -n 2p "$TMPD/l.csv" | cut -d, -f1)" "bulk-01233"
expect_eq "--sort name" "$("$SAGETOP" jobs --sort name --limit 3 --format csv | tail -n +2 | cut -d, -f1 | tr '\n' ' ')" \
    "bulk-00000 bulk-00001 bulk-00002 "
got=$("$SAGETOP" jobs --sort status --format csv | tail -n +2 | cut -d, -f2 | uniq | tr '\n' ' ')
expect_eq "--sort status groups statuses" "$got" "Completed Failed InProgress Stopped "

# --- the table
"$SAGETOP" jobs --limit 5 >"$TMPD/t.txt" 2>&1
expect_match "table header" "$(head -1 "$TMPD/t.txt")" '^NAME +STATUS +SECONDARY +CREATED +DURATION$'
expect_eq "table rows" "$(tail -n +2 "$TMPD/t.txt" | wc -l)" 5
expect_match "table row: name, status, secondary, age, duration" "$(sed -n 2p "$TMPD/t.txt")" \
    '^bulk-01233 +[A-Za-z]+ +[A-Za-z]+ +[0-9]+m[0-9]{2}s ago +-$'
# DURATION is training time (TrainingStartTime to end, docs/ui.md): a listing has no start time,
# so a job known only from ListTrainingJobs shows '-' until it is described
widths=$(awk '{ print index($0, $2) }' "$TMPD/t.txt" | sort -u | wc -l)
expect_eq "table columns aligned" "$widths" 1

# --- a warm cache: incremental (every job created or changed since the last complete listing,
# one ListTrainingJobs request instead of 13 pages), still exact after an old job changed
stat_of() { emu_ctl stats | pyrun -c "import json,sys; print(json.load(sys.stdin)['requests'].get('$1',0))"; }
emu_ctl reset '{"stats": true}' >/dev/null
expect_eq "warm: 1234 jobs listed" "$("$SAGETOP" jobs --format csv | rows)" 1234
expect_eq "warm: one ListTrainingJobs request" "$(stat_of ListTrainingJobs)" 1
emu_ctl job '{"name": "bulk-00002", "status": "Completed"}' >/dev/null
expect_eq "warm: an old job's new status is listed" \
    "$("$SAGETOP" jobs --name-contains bulk-00002 --format csv | tail -n +2 | cut -d, -f2)" "Completed"
expect_eq "warm: every listing one request" "$(stat_of ListTrainingJobs)" 2
aws_lists "warmCompleted|--status-equals|Completed" "warmInProgress|--status-equals|InProgress" \
    2>"$TMPD/cli.err"
for st in Completed InProgress; do
    expect_eq "warm: --status $st equals the CLI" \
        "$("$SAGETOP" jobs --status "$st" --format json | count_json)" \
        "$(count_json <"$TMPD/cli.warm$st.json")"
done
emu_ctl job '{"name": "bulk-00002", "status": "InProgress"}' >/dev/null   # as the rest expects
expect_eq "warm: and back" "$("$SAGETOP" jobs --status InProgress --format csv | rows)" 308

# --- exact while descriptions arrive: ListTrainingJobs gives no hyperparameters, resources or
# final metrics. Ten jobs get their own (lr, instance type, eval_loss); four are described, six
# only listed. Sorted or filtered on those fields, the six are kept, after the known rows, newest
# first, marked pending; the known rows are exactly boto3's order. Then all ten are described:
# exactly boto3's rows, nothing pending.
grp=bulk-0122
for i in 0 1 2 3 4 5 6 7 8 9; do
    lr=$(echo "0.0030 0.0001 0.0020 0.0005 0.0010 0.0040 0.0002 0.0050 0.0008 0.0003" | cut -d' ' -f$((i + 1)))
    it=$([ $((i % 3)) = 0 ] && echo ml.g5.2xlarge || echo ml.p4d.24xlarge)
    emu_ctl job "{\"name\": \"$grp$i\", \"fields\": {\"HyperParameters\": {\"lr\": \"$lr\"},
        \"ResourceConfig\": {\"InstanceType\": \"$it\", \"InstanceCount\": 1, \"VolumeSizeInGB\": 30},
        \"FinalMetricDataList\": [{\"MetricName\": \"eval_loss\", \"Value\": 0.$((7 * i % 10))$i,
                                   \"Timestamp\": 1700000000}]}}" >/dev/null
done
described="${grp}1 ${grp}4 ${grp}5 ${grp}8"
for j in $described; do "$SAGETOP" show "$j" >/dev/null 2>&1; done
# oracle KNOWN SORT DESC FILTER...: name,pending rows in boto3's terms (KNOWN: the described jobs,
# the others pending after them, newest first); SORT hp.X, m.X or instance_type
oracle() {
    "$PYTHON" - "$grp" "$@" <<'PY'
import boto3, operator, os, sys
grp, known, key, desc, *conds = sys.argv[1:]
known = set(known.split())
sm = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                  region_name=os.environ["AWS_REGION"])
jobs = [sm.describe_training_job(TrainingJobName=s["TrainingJobName"])
        for p in sm.get_paginator("list_training_jobs").paginate(NameContains=grp)
        for s in p["TrainingJobSummaries"]]
def field(d, k):
    if k.startswith("hp."):
        return float(d.get("HyperParameters", {})[k[3:]])
    if k.startswith("m."):
        return {m["MetricName"]: m["Value"] for m in d.get("FinalMetricDataList", [])}[k[2:]]
    return d["ResourceConfig"]["InstanceType"]
ops = {"<": operator.lt, ">=": operator.ge, ":": operator.eq}
def passes(d):
    for c in conds:
        k, op, v = next((c[:c.index(o)], o, c[c.index(o) + len(o):]) for o in (">=", "<", ":") if o in c)
        if not ops[op](field(d, k), v if k == "instance" else float(v)):
            return False
    return True
newest = lambda d: -d["CreationTime"].timestamp()
have = sorted((d for d in jobs if d["TrainingJobName"] in known and passes(d)), key=newest)
have.sort(key=lambda d: field(d, key), reverse=desc == "desc")
wait = sorted((d for d in jobs if d["TrainingJobName"] not in known), key=newest)
print(" ".join(["%s,0" % d["TrainingJobName"] for d in have] + ["%s,1" % d["TrainingJobName"] for d in wait]))
PY
}
ours() { "$SAGETOP" jobs --name-contains "$grp" --format csv "$@" 2>"$TMPD/pend.err" | tail -n +2 | awk -F, 'NR > 1 {printf " "} {printf "%s,%s", $1, $NF}'; }
expect_eq "pending: --sort hp.lr --filter hp.lr<0.003, 4 of 10 described" \
    "$(ours --sort hp.lr --filter 'hp.lr<0.003')" "$(oracle "$described" hp.lr asc 'hp.lr<0.003')"
expect_match "pending: says how many wait" "$(cat "$TMPD/pend.err")" '^sagetop jobs: 6 jobs not described yet'
expect_eq "pending: --sort m.eval_loss --desc --filter hp.lr>=0.0005" \
    "$(ours --sort m.eval_loss --desc --filter 'hp.lr>=0.0005')" \
    "$(oracle "$described" m.eval_loss desc 'hp.lr>=0.0005')"
expect_eq "pending: --sort instance_type" "$(ours --sort instance_type)" \
    "$(oracle "$described" instance_type asc)"
got=$("$SAGETOP" jobs --name-contains "$grp" --format json --filter 'hp.lr<0.003' 2>/dev/null |
      "$PYTHON" -c 'import json,sys; print(sum(1 for j in json.load(sys.stdin)["TrainingJobSummaries"] if j.get("Pending") is True))')
expect_eq "pending: json marks the 6 as Pending" "$got" 6
for j in ${grp}0 ${grp}2 ${grp}3 ${grp}6 ${grp}7 ${grp}9; do "$SAGETOP" show "$j" >/dev/null 2>&1; done
all="${grp}0 ${grp}1 ${grp}2 ${grp}3 ${grp}4 ${grp}5 ${grp}6 ${grp}7 ${grp}8 ${grp}9"
expect_eq "described: --sort hp.lr --filter hp.lr<0.003 is boto3's, nothing pending" \
    "$(ours --sort hp.lr --filter 'hp.lr<0.003')" "$(oracle "$all" hp.lr asc 'hp.lr<0.003')"
expect_eq "described: nothing on stderr" "$(cat "$TMPD/pend.err")" ""
expect_eq "described: --sort m.eval_loss --desc --filter hp.lr>=0.0005 is boto3's" \
    "$(ours --sort m.eval_loss --desc --filter 'hp.lr>=0.0005')" \
    "$(oracle "$all" m.eval_loss desc 'hp.lr>=0.0005')"

# --- usage errors exit 2
"$SAGETOP" jobs --status Bogus >/dev/null 2>"$TMPD/err"
expect_eq "bad --status exits 2" "$?" 2
expect_match "bad --status says why" "$(cat "$TMPD/err")" "unknown status 'Bogus'"
"$SAGETOP" jobs --since tomorrow >/dev/null 2>&1
expect_eq "bad --since exits 2" "$?" 2
"$SAGETOP" jobs --limit 0 >/dev/null 2>&1
expect_eq "bad --limit exits 2" "$?" 2
"$SAGETOP" jobs --format yaml >/dev/null 2>&1
expect_eq "bad --format exits 2" "$?" 2

# --- whoami
out=$("$SAGETOP" whoami 2>&1)
expect_eq "whoami exits 0" "$?" 0
expect_match "whoami account" "$out" 'Account: +123456789012'
expect_match "whoami arn" "$out" 'ARN: +arn:aws:iam::123456789012:user/'
expect_match "whoami region" "$out" 'Region: +us-east-1'
expect_match "whoami credential source" "$out" 'Credentials: +env'
expect_match "whoami endpoints" "$out" "SageMaker +$AWS_ENDPOINT_URL"
expect_match "whoami shows no secret" "$(printf '%s' "$out" | grep -c -- "$AWS_SECRET_ACCESS_KEY")" '^0$'

# --- the cache under it: every listing above filled the cache; --offline reads it alone.
# The same listings online now, then with the emulator stopped, must print the same (CSV
# without its duration column, which counts from now for running jobs).
nodur() { cut -d, -f1-6,8; }
variants=("--format json" "--format json --status InProgress" "--format csv --name-contains 0012"
          "--format csv --since $iso" "--format csv --sort name --limit 7"
          "--format csv --sort status" "--format csv --status failed --limit 20")
for i in "${!variants[@]}"; do
    # shellcheck disable=SC2086
    "$SAGETOP" jobs ${variants[$i]} 2>"$TMPD/err" | nodur >"$TMPD/on.$i"
done
expect_eq "online json (from the cache) still lists 1234" "$(count_json <"$TMPD/on.0")" 1234
"$SAGETOP" jobs --format json >"$TMPD/before-stop.json"
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null
"$SAGETOP" jobs --format csv >/dev/null 2>"$TMPD/err"
expect_eq "emulator stopped: online listing fails (exit 1)" "$?" 1
expect_match "emulator stopped: says it is a network error" "$(cat "$TMPD/err")" 'ListTrainingJobs'
for i in "${!variants[@]}"; do
    # shellcheck disable=SC2086
    "$SAGETOP" --offline jobs ${variants[$i]} 2>"$TMPD/err" | nodur >"$TMPD/off.$i"
    if cmp -s "$TMPD/on.$i" "$TMPD/off.$i" && [ -s "$TMPD/off.$i" ]; then
        ok "offline equals online: jobs ${variants[$i]}"
    else
        not_ok "offline equals online: jobs ${variants[$i]}" "$(diff "$TMPD/on.$i" "$TMPD/off.$i" | head -5; cat "$TMPD/err")"
    fi
done
"$SAGETOP" jobs --offline --format json >"$TMPD/after-stop.json" 2>"$TMPD/err"
expect_eq "jobs --offline (after the command) exits 0" "$?" 0
expect_eq "jobs --offline json is byte-identical to the online json" \
    "$(cmp -s "$TMPD/before-stop.json" "$TMPD/after-stop.json" && echo same)" same
expect_eq "offline: nothing on stderr" "$(cat "$TMPD/err")" ""
expect_eq "offline: --status InProgress 308" "$(count_json <"$TMPD/off.1")" 308
expect_eq "offline with an empty cache lists nothing" \
    "$(XDG_CACHE_HOME=$TMPD/empty-cache "$SAGETOP" --offline jobs --format csv | rows)" 0
finish
