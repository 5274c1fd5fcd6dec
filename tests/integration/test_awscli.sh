#!/bin/bash
# The real AWS CLI against the emulator: proof that it speaks AWS (signatures, JSON protocols,
# pagination). Prefers Debian's v2 CLI (/usr/bin/aws); falls back to the first `aws` on PATH.
source "$SAGETOP_TOP/tests/lib.sh"

AWS=
for c in /usr/bin/aws "$(command -v aws 2>/dev/null)"; do
    if [ -n "$c" ] && [ -x "$c" ] && "$c" --version >/dev/null 2>&1; then AWS=$c; break; fi
done
if [ -z "$AWS" ]; then not_ok "aws cli present" "no working aws CLI found"; finish; fi
echo "# using $AWS ($("$AWS" --version 2>&1 | head -1))"

emu_start --scenario demo --seed 3 --no-quotas || { not_ok "emulator starts"; finish; }
ok "emulator starts"
export AWS_PAGER="" AWS_CLI_AUTO_PROMPT=off
aws_() { "$AWS" --endpoint-url "$AWS_ENDPOINT_URL" --region us-east-1 --output json "$@"; }
jq_() { "$PYTHON" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
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
expect_match "wrong secret refused" "$out" "403|SignatureDoesNotMatch|Forbidden"

# injected throttling reaches the CLI as ThrottlingException (after its own retries)
emu_ctl faults '{"throttle": 1.0, "ops": ["DescribeTrainingJob"]}' >/dev/null
out=$(AWS_MAX_ATTEMPTS=1 aws_ sagemaker describe-training-job --training-job-name distilbert-imdb-lr3e5-ep3 2>&1)
expect_match "throttling fault seen by the CLI" "$out" "ThrottlingException"
emu_ctl reset >/dev/null
finish
