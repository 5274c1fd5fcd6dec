#!/bin/bash
# sagetop launch / stop against the emulator (moto with signature checks + the SageMaker scenario
# layer): a new job from a source directory (its tarball fetched back from S3 with boto3), a
# re-launch of a demo job with --set hp.epochs=5, a stop, confirmation and --read-only refusals,
# and invalid input at each field: its message, and nothing created (no bucket, no object, no job).
. "$(dirname "$0")/../lib.sh"

emu_start --scenario demo --no-quotas || { not_ok "emulator starts"; finish; }
S() { "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" "$@"; }
ROLE=arn:aws:iam::123456789012:role/SageMakerRole
BUCKET=sagemaker-us-east-1-123456789012

# py CODE...: boto3 against the emulator
py() {
    pyrun - "$@" <<EOF
import boto3, json, os, sys, tarfile, io
ep = os.environ["AWS_ENDPOINT_URL"]
sm = boto3.client("sagemaker", endpoint_url=ep)
s3 = boto3.client("s3", endpoint_url=ep)
$PYCODE
EOF
}
job_count() { PYCODE='
n = 0
for p in sm.get_paginator("list_training_jobs").paginate():
    n += len(p["TrainingJobSummaries"])
print(n)' py; }
bucket_state() { PYCODE='
try:
    r = s3.list_objects_v2(Bucket=sys.argv[1])
    print("objects=%d" % r.get("KeyCount", 0))
except s3.exceptions.NoSuchBucket:
    print("no-bucket")' py "$BUCKET"; }

# ---- a source directory -----------------------------------------------------------------
SRC=$TMPD/src
mkdir -p "$SRC/utils"
printf 'import utils.helpers\nprint("training")\n' >"$SRC/train.py"
printf 'X = 1\n' >"$SRC/utils/helpers.py"
printf 'transformers==4.26.0\n' >"$SRC/requirements.txt"
# a link is stored as what it points to (the SDK's tarfile.open(..., dereference=True))
mkdir -p "$TMPD/shared"
printf 'Y = 2\n' >"$TMPD/shared/common.py"
ln -s "$TMPD/shared/common.py" "$SRC/utils/common.py"
cat >"$TMPD/spec.json" <<EOF
{"entry_point": "train.py", "source_dir": "$SRC", "base_job_name": "hf-itest",
 "transformers_version": "4.26", "pytorch_version": "1.13", "py_version": "py39",
 "instance_type": "ml.p3.2xlarge", "role": "$ROLE",
 "hyperparameters": {"epochs": 1, "learning_rate": 5e-5, "model_name": "distilbert-base-uncased"},
 "inputs": {"train": "s3://my-bucket/imdb/train"},
 "metric_definitions": [{"Name": "eval_loss", "Regex": "eval_loss.*=\\\\D*(.*?)\$"}]}
EOF

before=$(job_count)
expect_eq "demo jobs listed" "$before" 40
expect_eq "no default bucket before" "$(bucket_state)" "no-bucket"

# ---- invalid input at each field: message, nothing created --------------------------------
bad() {  # bad NAME 'expected message ERE' --set ...
    local name=$1 re=$2 out rc
    shift 2
    out=$(S launch --spec "$TMPD/spec.json" "$@" --yes 2>&1); rc=$?
    expect_eq "invalid $name: exit 1" "$rc" 1
    expect_match "invalid $name: message" "$out" "$re"
    expect_match "invalid $name: says nothing was created" "$out" "nothing was created"
}
bad "job name" "name: 'bad_name!' must match \^\[a-zA-Z0-9\]\(-\*\[a-zA-Z0-9\]\)\{0,62\}" --name 'bad_name!'
bad "long job name" "name: 64 characters; at most 63" --name "$(printf 'a%.0s' $(seq 64))"
bad "instance type" "instance_type: 'ml.p3.3xlarge' is not a SageMaker training instance type" --set instance_type=ml.p3.3xlarge
bad "cpu instance" "instance_type: ml.m5.xlarge is not a GPU instance type" --set instance_type=ml.m5.xlarge
bad "instance count" "instance_count: must be 1 or more" --set instance_count=0
bad "spot max_wait" "max_wait: 1800 is less than max_run \(3600\)" --set spot=true --set max_run=3600 --set max_wait=1800
bad "role" "role: 'SageMakerRole' is not an IAM role ARN" --set role=SageMakerRole
bad "channel uri" "input.train: 'imdb/train' is not an S3 URI" --set input.train=imdb/train
bad "output path" "output_path: 'http://x/y' is not an S3 URI" --set output_path=http://x/y
bad "checkpoint uri" "checkpoint_s3_uri: '/ckpt' is not an S3 URI" --set checkpoint_s3_uri=/ckpt
bad "metric regex" "metric.loss: regex does not compile: missing closing parenthesis at offset 9" --set 'metric.loss=loss=(\d+'
bad "transformers version" "transformers_version: unsupported transformers version '4.99'; valid: .*4\.26" --set transformers_version=4.99
bad "py version" "py_version: unsupported py_version 'py27'.*valid: py39" --set py_version=py27
bad "distribution" "distribution: smdistributed data parallel needs ml.p3.16xlarge" --set distribution=smdistributed_dataparallel --set transformers_version=4.26.0 --set pytorch_version=1.13.1
bad "missing source" "source_dir: no directory /no-such-dir: No such file" --set source_dir=/no-such-dir
bad "missing entry point" "entry_point: no file nope\.py in source_dir $SRC" --set entry_point=nope.py
bad "text where a number is meant" "hp\.learning_rate: 'abc' is not a number: the SDK would send the string \"abc\"" --set hp.learning_rate=abc
bad "unknown field" "instance_typo: unknown field" --set instance_typo=x
expect_eq "invalid input created no job" "$(job_count)" "$before"
expect_eq "invalid input created no bucket" "$(bucket_state)" "no-bucket"

# ---- dry run --------------------------------------------------------------------------------
out=$(S launch --spec "$TMPD/spec.json" --name hf-itest-dry --dry-run 2>"$TMPD/dry.err"); rc=$?
expect_eq "dry run exits 0" "$rc" 0
expect_match "dry run prints the request" "$out" '"TrainingJobName": "hf-itest-dry"'
expect_match "dry run: image resolved" "$out" 'huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04'
expect_match "dry run: hyperparameters encoded like the SDK" "$out" '"learning_rate": "5e-05"'
expect_match "dry run: submit directory" "$out" "s3://$BUCKET/hf-itest-dry/source/sourcedir.tar.gz"
expect_match "dry run: says what it would upload" "$(cat "$TMPD/dry.err")" "would upload .*src \(4 files\)"
expect_eq "dry run created no bucket" "$(bucket_state)" "no-bucket"
expect_eq "dry run created no job" "$(job_count)" "$before"

# ---- confirmation and read-only --------------------------------------------------------------
out=$(S launch --spec "$TMPD/spec.json" </dev/null 2>&1); rc=$?
expect_eq "no terminal, no --yes: refused" "$rc" 1
expect_match "no terminal: clear message" "$out" "not a terminal: pass --yes"
out=$(S --read-only launch --spec "$TMPD/spec.json" --yes 2>&1); rc=$?
expect_eq "read-only launch refused" "$rc" 1
expect_match "read-only launch message" "$out" "refused: --read-only disables launching"
out=$(S --read-only stop live-distilbert-imdb --yes 2>&1); rc=$?
expect_eq "read-only stop refused" "$rc" 1
expect_match "read-only stop message" "$out" "refused: --read-only disables stopping"
expect_eq "refusals created no job" "$(job_count)" "$before"

# ---- a new job from the source directory -----------------------------------------------------
out=$(S launch --spec "$TMPD/spec.json" --name hf-itest-new --yes 2>&1); rc=$?
expect_eq "launch exits 0" "$rc" 0
expect_match "launch prints the job" "$out" "created hf-itest-new"
PYCODE='
d = sm.describe_training_job(TrainingJobName="hf-itest-new")
hp = d["HyperParameters"]
print(d["TrainingJobStatus"], hp["sagemaker_program"], hp["sagemaker_submit_directory"], hp["epochs"], hp["model_name"], d["ResourceConfig"]["VolumeSizeInGB"], d["StoppingCondition"]["MaxRuntimeInSeconds"], d["AlgorithmSpecification"]["EnableSageMakerMetricsTimeSeries"])' \
desc=$(PYCODE=$PYCODE py)
expect_eq "job created as the SDK would" "$desc" "InProgress \"train.py\" \"s3://$BUCKET/hf-itest-new/source/sourcedir.tar.gz\" 1 \"distilbert-base-uncased\" 30 86400 True"
# the archive as tar_and_upload_dir writes it: each entry of source_dir at the root under its
# relative path (tarfile.add(f, arcname=basename(f)), directories as their own entries, no "./"
# and no root entry), regular files with the directory's exact bytes, links dereferenced
PYCODE='
import hashlib
body = s3.get_object(Bucket=sys.argv[1], Key="hf-itest-new/source/sourcedir.tar.gz")["Body"].read()
src = sys.argv[2]
bad = []
with tarfile.open(fileobj=io.BytesIO(body), mode="r:gz") as t:
    members = t.getmembers()
    names = sorted(m.name.rstrip("/") for m in members)
    for m in members:
        if m.isfile():
            got = t.extractfile(m).read()
            with open(os.path.join(src, m.name), "rb") as f:
                if f.read() != got:
                    bad.append(m.name)
        elif not m.isdir():
            bad.append(m.name + ":type")
want = []
for root, dirs, files in os.walk(src, followlinks=True):
    rel = os.path.relpath(root, src)
    for n in dirs + files:
        want.append(n if rel == "." else rel + "/" + n)
print(" ".join(names), "| same as the directory:", names == sorted(want), "| differing:", bad)' \
tar=$(PYCODE=$PYCODE py "$BUCKET" "$SRC")
expect_eq "the tarball in S3 holds exactly the directory's files" "$tar" "requirements.txt train.py utils utils/common.py utils/helpers.py | same as the directory: True | differing: []"
PYCODE='
h = s3.head_object(Bucket=sys.argv[1], Key="hf-itest-new/source/sourcedir.tar.gz")
print(h.get("ServerSideEncryption"))' \
sse=$(PYCODE=$PYCODE py "$BUCKET")
expect_eq "uploaded with SSE aws:kms, the SDK's default (encrypt_repacked_artifacts)" "$sse" "aws:kms"
expect_eq "one more job" "$(job_count)" "$((before + 1))"
expect_match "the new job is in the cache at once" "$(S --offline show hf-itest-new 2>&1)" "^hf-itest-new"

# a second launch with an existing bucket and the default name
out=$(S launch --spec "$TMPD/spec.json" --yes 2>&1); rc=$?
expect_eq "default-name launch exits 0" "$rc" 0
expect_match "default name like the SDK" "$out" "created hf-itest-[0-9]{4}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{2}-[0-9]{1,3}$"

# ---- re-launch with one hyperparameter changed ----------------------------------------------
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --set hp.epochs=5 --name relaunch-ep5 --dry-run 2>&1 >/dev/null)
expect_match "re-launch dry run shows what changed" "$out" 'HyperParameters.epochs: "3" -> "5"'
expect_match "re-launch dry run: 3 changes" "$out" "changes against distilbert-imdb-lr5e5-ep3 \(3\)"
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --set hp.epochs=5 --name relaunch-ep5 --yes 2>&1); rc=$?
expect_eq "re-launch exits 0" "$rc" 0
PYCODE='
a = sm.describe_training_job(TrainingJobName="distilbert-imdb-lr5e5-ep3")["HyperParameters"]
b = sm.describe_training_job(TrainingJobName="relaunch-ep5")["HyperParameters"]
diff = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
print(",".join(diff), b["epochs"], b["sagemaker_job_name"], b["sagemaker_submit_directory"] == a["sagemaker_submit_directory"])' \
d=$(PYCODE=$PYCODE py)
expect_eq "re-launch differs only in epochs and sagemaker_job_name" "$d" 'epochs,sagemaker_job_name 5 "relaunch-ep5" True'
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --set spot=true --set instance_type=ml.g5.2xlarge --dry-run 2>&1 >/dev/null)
expect_match "re-launch spot sets max_wait" "$out" "StoppingCondition.MaxWaitTimeInSeconds: \(absent\) -> 86400"
expect_match "re-launch instance type" "$out" 'ResourceConfig.InstanceType: "ml.p3.2xlarge" -> "ml.g5.2xlarge"'
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --set instance_type=ml.x9.huge --yes 2>&1); rc=$?
expect_eq "re-launch with a bad instance type fails" "$rc" 1
expect_match "re-launch bad instance type message" "$out" "instance_type: 'ml.x9.huge' is not"
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --set hp.learning_rate=abc --yes 2>&1); rc=$?
expect_eq "re-launch with text where the source has a number fails" "$rc" 1
expect_match "re-launch: what the SDK would send and why" "$out" \
    "hp\.learning_rate: 'abc' is not a number: the SDK would send the string \"abc\" where the source job sends the number 5e-05"

# ---- AWS's own refusal comes back intact ------------------------------------------------------
out=$(S launch --from distilbert-imdb-lr5e5-ep3 --name relaunch-ep5 --yes 2>&1); rc=$?
expect_eq "duplicate name refused by AWS" "$rc" 1
expect_match "AWS error shown" "$out" "ResourceInUse"

# ---- stop ------------------------------------------------------------------------------------
out=$(S stop hf-itest-new </dev/null 2>&1); rc=$?
expect_eq "stop without terminal or --yes refused" "$rc" 1
out=$(S stop hf-itest-new --yes 2>&1); rc=$?
expect_eq "stop exits 0" "$rc" 0
expect_match "stop says so" "$out" "stopping hf-itest-new"
stopped() {
    st=$(PYCODE='print(sm.describe_training_job(TrainingJobName="hf-itest-new")["TrainingJobStatus"])' py)
    [ "$st" = Stopped ]
}
WAIT_POLL=0.3 wait_for 10 stopped
expect_eq "stop moves InProgress to Stopped" "$st" "Stopped"
out=$(S stop hf-itest-new --yes 2>&1); rc=$?
expect_eq "stopping a stopped job fails" "$rc" 1
expect_match "stop error from AWS" "$out" "ValidationException"
finish
