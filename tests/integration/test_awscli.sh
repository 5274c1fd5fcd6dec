#!/bin/bash
# The real AWS CLI against the emulator: proof that it speaks AWS (signatures, JSON protocols,
# pagination). Prefers Debian's v2 CLI (/usr/bin/aws); falls back to the first `aws` on PATH.
# Then botocore as a second client over the calls sagetop makes (ListTrainingJobs with paging,
# DescribeTrainingJob, DescribeLogStreams, GetLogEvents, FilterLogEvents, the auth errors): what
# sagetop shows equals what botocore reads, and both see AWS's error codes.
source "$SAGETOP_TOP/tests/lib.sh"

# A v1 CLI is a Python script (its `aws` file, run as is): the zygote runs it with awscli already
# imported (pyrun); any other CLI runs as a command.
aws_cmd() { local l; read -r l <"$1"; if [[ $l == '#!'*python* ]]; then pyrun "$@"; else "$@"; fi; }
AWS=
for c in /usr/bin/aws "$(command -v aws 2>/dev/null)"; do
    if [ -n "$c" ] && [ -x "$c" ] && ver=$(aws_cmd "$c" --version 2>&1); then AWS=$c; break; fi
done
if [ -z "$AWS" ]; then not_ok "aws cli present" "no working aws CLI found"; finish; fi
echo "# using $AWS (${ver%%$'\n'*})"

emu_start --scenario demo --seed 3 --no-quotas || { not_ok "emulator starts"; finish; }
ok "emulator starts"
export AWS_PAGER="" AWS_CLI_AUTO_PROMPT=off
aws_() { aws_cmd "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --output json "$@"; }
jq_() { pyrun -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
G=/aws/sagemaker/TrainingJobs

# list-training-jobs: the CLI paginates by itself (NextToken loop)
out=$(aws_ sagemaker list-training-jobs 2>&1)
n=$(printf '%s' "$out" | jq_ 'len(d["TrainingJobSummaries"])' 2>/dev/null)
want=$(emu_ctl info | jq_ 'd["jobs"]')
expect_eq "list-training-jobs returns every job" "$n" "$want"
out=$(aws_ sagemaker list-training-jobs --status-equals InProgress --max-items 100 2>&1)
expect_match "list-training-jobs --status-equals InProgress" \
    "$(printf '%s' "$out" | jq_ 'sorted(set(j["TrainingJobStatus"] for j in d["TrainingJobSummaries"]))')" \
    "^\['InProgress'\]$"
out=$(aws_ sagemaker list-training-jobs --name-contains distilbert-imdb-lr --sort-by Name 2>&1)
expect_eq "list-training-jobs --name-contains sorted by name" \
    "$(printf '%s' "$out" | jq_ '" ".join(j["TrainingJobName"] for j in d["TrainingJobSummaries"])')" \
    "distilbert-imdb-lr2e5-ep2 distilbert-imdb-lr3e5-ep3 distilbert-imdb-lr5e5-ep1 distilbert-imdb-lr5e5-ep3"

# describe-training-job
out=$(aws_ sagemaker describe-training-job --training-job-name distilbert-imdb-lr3e5-ep3 2>&1)
expect_eq "describe-training-job status" "$(printf '%s' "$out" | jq_ 'd["TrainingJobStatus"]')" Completed
expect_eq "describe-training-job hyperparameter quoting" \
    "$(printf '%s' "$out" | jq_ 'd["HyperParameters"]["learning_rate"] + " " + d["HyperParameters"]["sagemaker_program"]')" \
    '3e-05 "train.py"'
expect_match "describe-training-job metric definitions" \
    "$(printf '%s' "$out" | jq_ '[m["Regex"] for m in d["AlgorithmSpecification"]["MetricDefinitions"]]')" \
    "eval_loss\.\*=.*D\*\(\.\*\?\)\\$"
expect_match "describe-training-job final metrics" \
    "$(printf '%s' "$out" | jq_ 'sorted(m["MetricName"] for m in d["FinalMetricDataList"])')" \
    "eval_accuracy.*eval_loss.*learning_rate"
out=$(aws_ sagemaker describe-training-job --training-job-name no-such-job 2>&1)
expect_match "describe-training-job unknown job" "$out" "ValidationException.*Requested resource not found"

# logs: streams, get-log-events, filter-log-events
out=$(aws_ logs describe-log-streams --log-group-name $G --log-stream-name-prefix distilbert-imdb-lr3e5-ep3/ 2>&1)
stream=$(printf '%s' "$out" | jq_ 'd["logStreams"][0]["logStreamName"]' 2>/dev/null)
expect_match "describe-log-streams with prefix" "$stream" '^distilbert-imdb-lr3e5-ep3/algo-1-[0-9]{10}$'
out=$(aws_ logs get-log-events --log-group-name $G --log-stream-name "$stream" --start-from-head --limit 10000 2>&1)
expect_match "get-log-events: Trainer dict lines" \
    "$(printf '%s' "$out" | jq_ 'sum(1 for e in d["events"] if e["message"].startswith("{'"'"'loss'"'"': "))')" '^[1-9][0-9]+$'
expect_match "get-log-events: eval metrics block" "$(printf '%s' "$out" | jq_ '"\n".join(e["message"] for e in d["events"])')" \
    '\*\*\*\*\* eval metrics \*\*\*\*\*'
tok=$(printf '%s' "$out" | jq_ 'd["nextForwardToken"]')
out2=$(aws_ logs get-log-events --log-group-name $G --log-stream-name "$stream" --start-from-head --next-token "$tok" 2>&1)
expect_eq "get-log-events: same token at the end" "$(printf '%s' "$out2" | jq_ 'd["nextForwardToken"] + " " + str(len(d["events"]))')" "$tok 0"
out=$(aws_ logs filter-log-events --log-group-name $G --log-stream-name-prefix distilbert-imdb-lr3e5-ep3/ --filter-pattern '"eval_loss"' 2>&1)
expect_match "filter-log-events with a pattern" \
    "$(printf '%s' "$out" | jq_ 'str(len(d["events"])) + " " + str(all("eval_loss" in e["message"] for e in d["events"]))')" '^[1-9][0-9]* True$'
out=$(aws_ logs filter-log-events --log-group-name $G --log-stream-name-prefix live-bert-sst2-ddp/ 2>&1)
expect_match "filter-log-events: unique eventIds over two streams" \
    "$(printf '%s' "$out" | jq_ 'str(len(d["events"]) == len(set(e["eventId"] for e in d["events"]))) + " " + str(len(set(e["logStreamName"] for e in d["events"])))')" '^True 2$'

# a wrong secret is refused
out=$(AWS_SECRET_ACCESS_KEY=wrongwrongwrongwrongwrongwrongwrongwrong aws_ sagemaker list-training-jobs 2>&1)
expect_match "wrong secret refused with AWS's JSON code" "$out" "\(InvalidSignatureException\).*ListTrainingJobs"
out=$(AWS_ACCESS_KEY_ID=AKIAUNKNOWNKEY000000 aws_ logs describe-log-groups 2>&1)
expect_match "unknown key refused with AWS's JSON code" "$out" "\(UnrecognizedClientException\).*security token included in the request is invalid"

# injected throttling reaches the CLI as ThrottlingException (after its own retries)
emu_ctl faults '{"throttle": 1.0, "ops": ["DescribeTrainingJob"]}' >/dev/null
out=$(AWS_MAX_ATTEMPTS=1 aws_ sagemaker describe-training-job --training-job-name distilbert-imdb-lr3e5-ep3 2>&1)
expect_match "throttling fault seen by the CLI" "$out" "ThrottlingException"
emu_ctl reset >/dev/null

# ---- botocore over the calls sagetop makes, compared with what sagetop shows
job=distilbert-imdb-lr3e5-ep3
pyrun - "$job" "$TMPD/boto-logs" >"$TMPD/boto" 2>"$TMPD/boto.err" <<'PYEOF'
import sys
import boto3
import botocore.exceptions
job = sys.argv[1]
sm, logs = boto3.client("sagemaker"), boto3.client("logs")
names = []
for page in sm.get_paginator("list_training_jobs").paginate(
        SortBy="CreationTime", SortOrder="Descending", PaginationConfig={"PageSize": 7}):
    names += [j["TrainingJobName"] for j in page["TrainingJobSummaries"]]
print("jobs", " ".join(names))
d = sm.describe_training_job(TrainingJobName=job)
print("describe", d["TrainingJobStatus"], d["SecondaryStatus"], d["ResourceConfig"]["InstanceType"])
G = "/aws/sagemaker/TrainingJobs"
streams = [s["logStreamName"] for s in logs.describe_log_streams(
    logGroupName=G, logStreamNamePrefix=job + "/")["logStreams"]]
msgs, tok = [], None
while True:
    kw = {"nextToken": tok} if tok else {}
    r = logs.get_log_events(logGroupName=G, logStreamName=streams[0], startFromHead=True, **kw)
    msgs += [e["message"] for e in r["events"]]
    if r["nextForwardToken"] == tok:
        break
    tok = r["nextForwardToken"]
# sagetop prints each line of an event (one trailing newline dropped) after its host, as a
# terminal shows a progress bar: only what follows the last carriage return
with open(sys.argv[2], "w") as out:
    for m in msgs:
        for line in (m[:-1] if m.endswith("\n") else m).split("\n"):
            out.write(streams[0].split("/")[1].rsplit("-", 1)[0] + " " +
                      line.rstrip("\r").split("\r")[-1] + "\n")
print("lines", len(msgs))
f = logs.filter_log_events(logGroupName=G, logStreamNamePrefix=job + "/", filterPattern='"eval_loss"')
print("filtered", len(f["events"]))
for secret, key in (("wrongwrongwrongwrongwrongwrongwrongwrong", None), (None, "AKIAUNKNOWNKEY000000")):
    try:
        boto3.client("sagemaker", aws_access_key_id=key or sm._request_signer._credentials.access_key,
                     aws_secret_access_key=secret or "s" * 40).list_training_jobs()
    except botocore.exceptions.ClientError as e:
        print("error", e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
PYEOF
check "botocore ran: $(tail -1 "$TMPD/boto.err")" test $? -eq 0
boto=$(cat "$TMPD/boto")
expect_eq "ListTrainingJobs: sagetop lists what botocore pages through" \
    "$("$SAGETOP" jobs --format csv --limit 100000 | tail -n +2 | cut -d, -f1 | paste -sd' ')" \
    "$(printf '%s\n' "$boto" | sed -n 's/^jobs //p')"
expect_eq "DescribeTrainingJob: botocore's view" "$(printf '%s\n' "$boto" | sed -n 's/^describe //p')" \
    "Completed Completed ml.p3.2xlarge"
"$SAGETOP" show "$job" >"$TMPD/show" 2>&1
expect_match "DescribeTrainingJob: sagetop shows the same status and instance" \
    "$(cat "$TMPD/show")" "Completed.*|ml\.p3\.2xlarge"
expect_match "DescribeTrainingJob: sagetop names the instance type botocore read" \
    "$(grep -c 'ml.p3.2xlarge' "$TMPD/show")" '^[1-9]'
"$SAGETOP" logs "$job" >"$TMPD/logs" 2>"$TMPD/logs.err"
check "GetLogEvents: sagetop prints every line botocore reads" cmp -s "$TMPD/logs" "$TMPD/boto-logs"
expect_eq "FilterLogEvents: sagetop --grep finds what botocore's filter finds" \
    "$("$SAGETOP" logs "$job" --grep eval_loss | grep -c '')" \
    "$(printf '%s\n' "$boto" | sed -n 's/^filtered //p')"
expect_eq "auth errors: botocore reads AWS's codes and status" \
    "$(printf '%s\n' "$boto" | grep '^error' | paste -sd' ')" \
    "error InvalidSignatureException 400 error UnrecognizedClientException 400"
finish
