#!/bin/bash
# sagetop tuning launch / stop against the emulator: the dry-run request of a demo training job
# equals the SageMaker SDK's (tests/unit/data/tuning/gen_expected.py's re-statement of the SDK,
# applied to the job as boto3 describes it), the job is created and described back the same
# through boto3, a tuning launch from that tuning job, invalid input refused before anything is
# sent, the emulator refusing invalid requests as AWS does, the stop asking first (on a
# terminal: `script`), and --read-only refusing both. One emulator for everything.
. "$(dirname "$0")/../lib.sh"

emu_start --scenario demo --no-quotas || { not_ok "emulator starts"; finish; }
S() { "$SAGETOP" --cache "$TMPD/cache.db" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }

py() {
    pyrun - "$@" <<EOF
import boto3, json, os, sys
sys.path.insert(0, os.path.join(os.environ["SAGETOP_TOP"], "tests/unit/data/tuning"))
sm = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
$PYCODE
EOF
}
tuning_count() { PYCODE='print(len(sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]))' py; }
status_of() { PYCODE='print(sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=sys.argv[1])["HyperParameterTuningJobStatus"])' py "$1"; }

# a completed demo job to start from, and how many tuning jobs there are
read -r SRC before < <(PYCODE='
done = sorted(j["TrainingJobName"] for j in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"]
              if j["TrainingJobStatus"] == "Completed")
print(done[0], len(sm.list_hyper_parameter_tuning_jobs()["HyperParameterTuningJobSummaries"]))' py)
expect_match "a completed demo job to start from" "$SRC" '^[a-z0-9-]+$'
expect_eq "no tuning job before" "$before" 0

# ---- dry run: the SDK's request -------------------------------------------------------------
S tuning launch --from "$SRC" --name hpo-dry --tune hp.learning_rate=1e-5:1e-4:log \
    --tune hp.epochs=int:1:4 --tune hp.optim=cat:adamw_torch,adafactor \
    --objective eval_loss:min --max-jobs 20 --parallel 4 --early-stopping Auto \
    --dry-run >"$TMPD/dry.json" 2>"$TMPD/dry.err"
expect_eq "dry run exits 0" "$?" 0
expect_match "dry run says nothing was created" "$(cat "$TMPD/dry.err")" "dry run: nothing was created"
# the SDK's request for this job, the training job name inside it (a timestamp) aside
PYCODE='
import gen_expected as g
d = sm.describe_training_job(TrainingJobName=sys.argv[1])
tuner = {"name": "hpo-dry", "ranges": {"learning_rate": g.Continuous(1e-5, 1e-4, "Logarithmic"),
         "epochs": g.Integer(1, 4), "optim": g.Categorical(["adamw_torch", "adafactor"])},
         "objective_metric_name": "eval_loss", "objective_type": "Minimize",
         "strategy": "Bayesian", "max_jobs": 20, "max_parallel_jobs": 4,
         "early_stopping_type": "Auto"}
want = g.tuning_request(g.estimator_from(json.loads(json.dumps(d, default=str)), []), tuner)
got = json.load(open(sys.argv[2]))
for r in (want, got):
    r["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_job_name"] = "(new name)"
print("same" if json.dumps(want) == json.dumps(got) else
      "differs:\n" + json.dumps(got, indent=1) + "\nwant:\n" + json.dumps(want, indent=1))'
expect_eq "dry-run request equals the SDK's" "$(PYCODE=$PYCODE py "$SRC" "$TMPD/dry.json")" "same"
if pyrun -c 'import sagemaker' 2>/dev/null; then
    echo "# the sagemaker SDK is installed: these requests could also be generated with it"
else
    echo "# the sagemaker SDK is not installed here: expected requests come from gen_expected.py"
fi

# ---- refusals before anything is sent --------------------------------------------------------
out=$(S tuning launch --from "$SRC" --tune hp.lr=1e-4:1e-5 --objective eval_loss:min --yes 2>&1)
expect_eq "min > max refused" "$?" 1
expect_match "min > max: the field and why" "$out" "tune.lr: MinValue 0.0001 must be less than MaxValue 1e-05"
out=$(S tuning launch --from "$SRC" --tune hp.lr=1e-5:1e-4 --objective bleu:max --yes 2>&1)
expect_match "objective not defined: said" "$out" "objective: 'bleu' is not among the metric definitions"
out=$(S tuning launch --from "$SRC" --tune hp.lr=1e-5:1e-4 --objective eval_loss:min --max-jobs 2 --parallel 3 --yes 2>&1)
expect_match "parallel above max jobs: said" "$out" "parallel: 3 parallel jobs is more than the 2"
out=$(S tuning launch --from "$SRC" --tune hp.lr=0:1:log --objective eval_loss:min --yes 2>&1)
expect_match "log range from 0: said" "$out" "tune.lr: logarithmic scaling needs MinValue > 0"
out=$(S tuning launch --from no-such-job --tune hp.lr=1:2 --objective eval_loss --yes 2>&1)
expect_match "unknown source: said" "$out" "no training job or tuning job named no-such-job"
out=$(S tuning launch --from "$SRC" --tune hp.lr=1e-5:1e-4 --objective eval_loss:min </dev/null 2>&1)
expect_match "no terminal, no --yes: refused" "$out" "not a terminal: pass --yes"
out=$(S --read-only tuning launch --from "$SRC" --tune hp.lr=1e-5:1e-4 --objective eval_loss:min --yes 2>&1)
expect_match "read-only launch refused" "$out" "refused: --read-only disables launching"
expect_eq "the dry run and the refusals created nothing" "$(tuning_count)" "$before"

# ---- the emulator refuses what AWS refuses -----------------------------------------------------
PYCODE='
import botocore
# no client-side checks: the request must reach the emulator as a careless client would send it
sm = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"],
                  config=botocore.config.Config(parameter_validation=False))
r = json.load(open(sys.argv[1]))
r["HyperParameterTuningJobName"] = "hpo-bad"
r["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "0"
for case in ("log", "metric", "limits"):
    q = json.loads(json.dumps(r))
    if case == "metric":
        q["HyperParameterTuningJobConfig"]["ParameterRanges"]["ContinuousParameterRanges"][0]["MinValue"] = "1e-05"
        q["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = "bleu"
    if case == "limits":
        q["HyperParameterTuningJobConfig"]["ResourceLimits"]["MaxParallelTrainingJobs"] = 0
    try:
        sm.create_hyper_parameter_tuning_job(**q)
        print(case, "accepted")
    except botocore.exceptions.ClientError as e:
        print(case, e.response["Error"]["Code"], e.response["Error"]["Message"])'
out=$(PYCODE=$PYCODE py "$TMPD/dry.json")
expect_match "emulator: log scaling from 0 refused" "$out" "^log ValidationException Logarithmic scaling of hyperparameter 'learning_rate' requires a MinValue greater than 0"
expect_match "emulator: objective outside the definitions refused" "$out" "metric ValidationException The objective metric 'bleu' is not defined"
expect_match "emulator: model limits refused" "$out" "limits ValidationException 1 validation error detected: Value '0' at 'hyperParameterTuningJobConfig.resourceLimits.maxParallelTrainingJobs'"

# ---- create, describe back -----------------------------------------------------------------
S tuning launch --from "$SRC" --name hpo-one --tune hp.learning_rate=1e-5:1e-4:log \
    --tune hp.epochs=int:1:4 --tune hp.optim=cat:adamw_torch,adafactor \
    --objective eval_loss:min --max-jobs 20 --parallel 4 --early-stopping Auto --yes \
    >"$TMPD/create.out" 2>&1
expect_eq "create exits 0" "$?" 0
expect_eq "create prints name and ARN" "$(cat "$TMPD/create.out")" \
    "created hpo-one
  arn:aws:sagemaker:us-east-1:123456789012:hyper-parameter-tuning-job/hpo-one"
PYCODE='
d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName="hpo-one")
want = json.load(open(sys.argv[1]))
# the dry run and the launch made their training job names at different times
for r in (d, want):
    r["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_job_name"] = "(new name)"
same = all(json.dumps(d[k], sort_keys=True) == json.dumps(want[k], sort_keys=True)
           for k in ("HyperParameterTuningJobConfig", "TrainingJobDefinition"))
ranges = d["HyperParameterTuningJobConfig"]["ParameterRanges"]
defn = d["TrainingJobDefinition"]
print(d["HyperParameterTuningJobStatus"], same, ranges["ContinuousParameterRanges"][0]["ScalingType"],
      ranges["CategoricalParameterRanges"][0]["Values"])'
expect_eq "described back as sent" "$(PYCODE=$PYCODE py "$TMPD/dry.json")" \
    "InProgress True Logarithmic ['\"adamw_torch\"', '\"adafactor\"']"

# ---- a tuning launch from that tuning job, warm-started from it -------------------------------
S tuning launch --from hpo-one --name hpo-two --tune hp.epochs=int:2:6 --max-jobs 6 \
    --warm-start hpo-one --warm-start-type TransferLearning --dry-run >"$TMPD/two.json" 2>/dev/null
PYCODE='
r = json.load(open(sys.argv[1]))
c = r["HyperParameterTuningJobConfig"]
print(c["HyperParameterTuningJobObjective"]["MetricName"], c["ResourceLimits"]["MaxNumberOfTrainingJobs"],
      c["ResourceLimits"]["MaxParallelTrainingJobs"], [x["Name"] for x in c["ParameterRanges"]["IntegerParameterRanges"]],
      r["WarmStartConfig"]["WarmStartType"], r["WarmStartConfig"]["ParentHyperParameterTuningJobs"][0]["HyperParameterTuningJobName"],
      "epochs" in r["TrainingJobDefinition"]["StaticHyperParameters"])'
expect_eq "from a tuning job: its settings, new ranges, warm start" \
    "$(PYCODE=$PYCODE py "$TMPD/two.json")" "eval_loss 6 4 ['epochs'] TransferLearning hpo-one False"

out=$(S tuning launch --from hpo-one --set instance_type=ml.g5.xlarge --dry-run 2>&1)
expect_match "from a tuning job: --set refused, said why" "$out" "hpo-one is a tuning job: KEY=VALUE changes apply to a training job"

# ---- stop: asks first; --read-only refuses ----------------------------------------------------
out=$(S --read-only tuning stop hpo-one --yes 2>&1)
expect_match "read-only stop refused" "$out" "refused: --read-only disables launching and stopping"
out=$(S tuning stop hpo-one </dev/null 2>&1)
expect_match "stop without a terminal: refused" "$out" "not a terminal: pass --yes"
ENDPOINT=$AWS_ENDPOINT_URL
out=$(printf 'n\n' | script -qec "'$SAGETOP' --cache '$TMPD/cache.db' --endpoint-url '$ENDPOINT' tuning stop hpo-one" /dev/null 2>&1)
expect_match "stop asks" "$out" "Stop tuning job hpo-one and its running training jobs\? \[y/N\]"
expect_match "answer n: cancelled" "$out" "cancelled"
expect_eq "still in progress after n" "$(status_of hpo-one)" "InProgress"
out=$(printf 'y\n' | script -qec "'$SAGETOP' --cache '$TMPD/cache.db' --endpoint-url '$ENDPOINT' tuning stop hpo-one" /dev/null 2>&1)
expect_match "answer y: stopping" "$out" "stopping hpo-one"
expect_eq "stopping after y" "$(status_of hpo-one)" "Stopping"
out=$(S tuning stop hpo-one --yes 2>&1)
expect_match "a stopping job cannot be stopped again" "$out" "ValidationException.*cannot be stopped"
# `sagetop stop` asks through the same question (cli_confirm): answered n, nothing is sent
out=$(printf 'n\n' | script -qec "'$SAGETOP' --cache '$TMPD/cache.db' --endpoint-url '$ENDPOINT' stop $SRC" /dev/null 2>&1)
expect_match "training job stop asks too" "$out" "Stop training job $SRC\? \[y/N\]"
expect_match "training job stop: n cancels" "$out" "sagetop stop: cancelled"
out=$(S tuning stop no-such-tuning --yes 2>&1)
expect_match "unknown tuning job" "$out" "Could not find hyper parameter tuning job 'no-such-tuning'"
finish
