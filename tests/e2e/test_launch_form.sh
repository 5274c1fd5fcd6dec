#!/bin/bash
# The launch form in tmux against the demo emulator: `n` opens a new estimator pre-filled from
# past jobs; a bad instance type shows its message next to the field; the fields are filled,
# the exact CreateTrainingJob JSON reviewed, the job submitted (after a confirmation), and the
# new job shows up in the list. Then a re-launch of a demo job (`r`, one hyperparameter changed:
# review and created job differ from the source only there and in the names), AWS's
# ValidationException for a request hand-edited in $EDITOR (form kept), the regex tester, `r`
# on a job not described yet (loading…), `x` with confirmation, quitting while a launch runs (no
# zombie, no stray process), --read-only without n/r/x.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

SRC=$TMPD/src
mkdir -p "$SRC"
# $EDITOR for `e`: adds a VpcConfig without subnets, which the form has no field for and AWS
# refuses (botocore's model: Subnets needs at least one entry)
cat >"$TMPD/edit.py" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["VpcConfig"] = {"SecurityGroupIds": ["sg-0123456789abcdef0"], "Subnets": []}
json.dump(d, open(sys.argv[1], "w"), indent=1)
PY
printf '#!/bin/sh\nexec "%s" "%s" "$1"\n' "$PYTHON" "$TMPD/edit.py" >"$TMPD/edit.sh"
chmod +x "$TMPD/edit.sh"
export EDITOR=$TMPD/edit.sh
unset VISUAL
# boto3 against the emulator: py 'CODE' ARGS...
py() { "$PYTHON" -c "import boto3, json, os, sys
sm = boto3.client('sagemaker', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
$1" "${@:2}"; }
# the filter on one job: only its row is listed
only() {
    tmux_keys Escape
    tmux_keys /
    sleep 0.2
    tmux_keys -l "^$1\$"
    tmux_keys Enter
    tmux_wait 'jobs \(1\)' 10 || not_ok "filter on $1" "$(tmux_screen | head -5)"
}
printf 'print("hello from e2e")\n' >"$SRC/train.py"

ui_start
tmux_keys n
tmux_wait 'New Hugging Face estimator' 10 || not_ok "n opens the form" "$(tmux_screen)"
screen=$(tmux_screen)
expect_match "form groups fields" "$screen" 'Framework'
expect_match "form pre-fills the role seen in past jobs" "$screen" 'role +arn:aws:iam::123456789012:role/'
expect_match "form pre-fills the image versions" "$screen" 'transformers_version +4\.26'

# the cursor starts on name; move to a field by name: count rows down from "name"
goto() {  # goto N: N rows below name (headings skipped)
    local i
    for i in $(seq 1 30); do tmux_keys k; done
    for i in $(seq 1 "$1"); do tmux_keys j; done
}
edit() {  # edit TEXT: replace the current field's value
    tmux_keys Enter
    sleep 0.2
    tmux_keys C-u
    tmux_keys -l "$1"
    tmux_keys Enter
    sleep 0.3
}

# a bad instance type: the message appears next to the field
goto 14        # name base entry src git branch commit submit bucket tv pv tfv py image -> instance_type
edit ml.p3.3xlarge
tmux_wait "not a SageMaker training instance type" 5
expect_match "bad instance type shows its message" "$(tmux_screen)" "instance_type +ml\.p3\.3xlarge.*not a SageMaker training instance type"
edit ml.p3.2xlarge
tmux_wait "0 problems" 5 || true

goto 0
edit e2e-form-job
goto 3
edit "$SRC"
tmux_keys a
sleep 0.2
tmux_keys -l "hp.epochs=2"
tmux_keys Enter
sleep 0.3
tmux_keys a
sleep 0.2
tmux_keys -l "input.train=s3://sagemaker-us-east-1-123456789012/datasets/imdb/train"
tmux_keys Enter
tmux_keys k
tmux_wait 'hp\.epochs +2' 5
expect_match "hyperparameter added to the list" "$(tmux_screen)" 'Hyperparameters'
expect_match "no problems once filled" "$(tmux_screen)" '0 problems'
shot launch-form

tmux_keys v
tmux_wait 'Review: the exact CreateTrainingJob request' 5 || not_ok "v reviews" "$(tmux_screen)"
screen=$(tmux_screen)
expect_match "review shows the job name" "$screen" '"TrainingJobName": "e2e-form-job"'
expect_match "review shows the SDK image" "$screen" 'huggingface-pytorch-training:1\.13-transformers4\.26'
tmux_keys j j j j j j j j j j j j j j j j j j j j j j j j j j j j j j
tmux_wait '"epochs": "2"' 5
expect_match "review shows the encoded hyperparameter" "$(tmux_screen)" '"epochs": "2"'

tmux_keys s
tmux_wait 'create training job e2e-form-job\?' 5 || not_ok "s asks first" "$(tmux_screen)"
tmux_keys y
if tmux_wait 'e2e-form-job' 30 && tmux_wait 'jobs \(4[1-9]\)' 30; then
    ok "the submitted job shows up in the list"
else
    not_ok "the submitted job shows up in the list" "$(tmux_screen)"
fi
shot launch-submitted
PYCODE='import boto3,os
d=boto3.client("sagemaker",endpoint_url=os.environ["AWS_ENDPOINT_URL"]).describe_training_job(TrainingJobName="e2e-form-job")
print(d["HyperParameters"]["epochs"], d["HyperParameters"]["sagemaker_program"], d["InputDataConfig"][0]["ChannelName"])'
expect_eq "the job was created as reviewed" "$("$PYTHON" -c "$PYCODE" 2>&1)" '2 "train.py" train'

# ---- re-launch of a demo job with one hyperparameter changed ----------------------------------
SOURCE=distilbert-imdb-lr5e5-ep3
only $SOURCE
tmux_keys r
tmux_wait "Re-launch of $SOURCE" 10 || not_ok "r opens the re-launch form" "$(tmux_screen)"
# the cursor starts on the name
edit e2e-relaunch-ep4
tmux_keys a
sleep 0.2
tmux_keys -l "hp.epochs=4"
tmux_keys Enter
tmux_wait 'Changes against .* \(3\)' 5 || not_ok "the change is listed" "$(tmux_screen)"
screen=$(tmux_screen)
expect_match "changes: epochs" "$screen" 'HyperParameters\.epochs: "3" -> "4"'
expect_match "changes: the name" "$screen" "TrainingJobName: \"$SOURCE\" -> \"e2e-relaunch-ep4\""
expect_match "changes: sagemaker_job_name" "$screen" 'HyperParameters\.sagemaker_job_name: .*e2e-relaunch-ep4'
expect_match "no problems" "$screen" '0 problems'

# the review, read page by page off the screen: the source's hyperparameters with only epochs
# and the names changed, and none of the describe document's read-only members
tmux_keys v
tmux_wait 'Review: the exact CreateTrainingJob request' 5 || not_ok "v reviews" "$(tmux_screen)"
shot launch-review
review=""
for page in 0 1 2 3 4 5; do
    review+=$(tmux_screen | sed -n '4,38p' | grep -v '^Review:')$'\n'
    for i in $(seq 1 30); do tmux_keys j; done
    sleep 0.3
done
PYCODE='
review = sys.stdin.read()
src = sm.describe_training_job(TrainingJobName=sys.argv[1])
want = dict(src["HyperParameters"], epochs="4", sagemaker_job_name=json.dumps("e2e-relaunch-ep4"))
# a line wider than the pane is cut at its edge: compare what fits
missing = [k for k, v in want.items() if ("%s: %s" % (json.dumps(k), json.dumps(v)))[:100] not in review]
ro = [k for k in ("TrainingJobArn", "TrainingJobStatus", "CreationTime", "ModelArtifacts", "SecondaryStatus") if json.dumps(k) in review]
print("missing", missing, "read-only", ro, "name", "\"TrainingJobName\": \"e2e-relaunch-ep4\"" in review,
      "old epochs", "\"epochs\": \"3\"" in review)'
expect_eq "review: the source's hyperparameters with epochs 4 and the new name, no read-only member" \
    "$(printf '%s' "$review" | py "$PYCODE" $SOURCE 2>&1)" "missing [] read-only [] name True old epochs False"
tmux_keys Escape
tmux_wait "Re-launch of $SOURCE" 5

# ---- AWS refuses a hand-edited request: its message, the form kept --------------------------------
tmux_keys e
tmux_wait '\(edited JSON\)' 10 || not_ok "e edits the request in \$EDITOR" "$(tmux_screen)"
tmux_keys s
tmux_wait 'create training job e2e-relaunch-ep4\?' 5 || not_ok "s asks first" "$(tmux_screen)"
tmux_keys y
if tmux_wait 'launch failed:.*ValidationException' 30; then
    ok "AWS's ValidationException is shown"
else
    not_ok "AWS's ValidationException is shown" "$(tmux_screen)"
fi
screen=$(tmux_screen)
expect_match "the message names the member" "$(printf '%s\n' "$screen" | tail -4 | tr -d '\n')" 'vpcConfig\.subnets|Subnets'
expect_match "the form is kept" "$screen" "Re-launch of $SOURCE"
expect_eq "nothing was created" "$(py 'print(len([j for j in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"] if j["TrainingJobName"] == "e2e-relaunch-ep4"]))')" 0

# a field change drops the hand edit; submitted, the job shows up in the list
tmux_keys a
sleep 0.2
tmux_keys -l "hp.epochs=4"
tmux_keys Enter
sleep 0.3
expect_eq "a field change drops the edited JSON" "$(tmux_screen | grep -c 'edited JSON')" 0
tmux_keys s
tmux_wait 'create training job e2e-relaunch-ep4\?' 5
tmux_keys y
tmux_wait 'jobs \(' 30
tmux_keys Escape
tmux_wait 'e2e-relaunch-ep4' 30 && tmux_wait 'jobs \(4[2-9]\)' 30 \
    && ok "the re-launched job shows up in the list" || not_ok "the re-launched job shows up in the list" "$(tmux_screen)"
PYCODE='
a = sm.describe_training_job(TrainingJobName=sys.argv[1])
b = sm.describe_training_job(TrainingJobName="e2e-relaunch-ep4")
keys = ["AlgorithmSpecification", "RoleArn", "InputDataConfig", "OutputDataConfig", "ResourceConfig",
        "StoppingCondition", "EnableManagedSpotTraining", "CheckpointConfig", "Environment", "VpcConfig"]
diff = [k for k in keys if a.get(k) != b.get(k)]
ha, hb = a["HyperParameters"], b["HyperParameters"]
diff += ["hp." + k for k in sorted(set(ha) | set(hb)) if ha.get(k) != hb.get(k)]
print(",".join(diff), hb["epochs"], hb["sagemaker_job_name"])'
expect_eq "the new job differs from the source only in epochs and sagemaker_job_name" \
    "$(py "$PYCODE" $SOURCE 2>&1)" 'hp.epochs,hp.sagemaker_job_name 4 "e2e-relaunch-ep4"'
ui_pid=$(pgrep -P "$(tmux -L "$_tmux_sock" list-panes -t t -F '#{pane_pid}')" | head -1)
expect_eq "the finished launches were reaped (no zombie child)" \
    "$(ps -eo ppid=,stat= | awk -v p="$ui_pid" '$1 == p && $2 ~ /^Z/' | wc -l)" 0

# ---- the regex tester on a past job's cached log ------------------------------------------------
only $SOURCE
tmux_keys l
sleep 3            # the log view fills the cache with the job's log
tmux_keys q
tmux_wait 'jobs \(1\)' 5
tmux_keys r
tmux_wait "Re-launch of $SOURCE" 10
tmux_keys a
sleep 0.2
tmux_keys -l "metric.zz_loss='loss': ([0-9.]+)"
tmux_keys Enter
sleep 0.3
tmux_keys t
tmux_wait 'test metric\.zz_loss on the cached log of job:' 5 || not_ok "t asks for a job" "$(tmux_screen | tail -3)"
tmux_keys C-u
tmux_keys -l "$SOURCE"
tmux_keys Enter
want=$("$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" regex-test "'loss': ([0-9.]+)" $SOURCE 2>/dev/null \
    | grep -Eo 'Z: [0-9.e+-]+' | head -3 | awk '{print $2}' | paste -sd, | sed 's/,/, /g')
if tmux_wait "metric\.zz_loss on $SOURCE: [1-9][0-9]* match(es)? in [1-9][0-9]* lines; first: " 10; then
    ok "the tester shows the match count and the first values"
else
    not_ok "the tester shows the match count and the first values" "$(tmux_screen | tail -4)"
fi
got=$(tmux_screen | grep -Eo 'first: .*' | sed 's/^first: //')
case "$got" in
    "$want"*) [ -n "$want" ] && ok "the tester's first values are regex-test's" ||
        not_ok "regex-test found values" "none" ;;
    *) not_ok "the tester's first values are regex-test's" "got [$got] want [$want...]" ;;
esac
tmux_keys a
sleep 0.2
tmux_keys -l 'metric.zz_bad=loss=(\d+'
tmux_keys Enter
sleep 0.3
tmux_keys t
sleep 0.3
tmux_keys Enter
tmux_wait 'metric\.zz_bad: regex does not compile: missing closing parenthesis at offset 9' 5 \
    && ok "the tester shows PCRE2's message and offset" || not_ok "the tester shows PCRE2's message and offset" "$(tmux_screen | tail -4)"
tmux_keys Escape
tmux_wait 'jobs \(' 5

# ---- r on a job not described yet: loading…, then the form -------------------------------------
emu_ctl faults '{"slow_ms": 3000, "ops": ["DescribeTrainingJob"]}' >/dev/null
py 'sm.create_training_job(TrainingJobName="e2e-undescribed", RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
    AlgorithmSpecification={"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04", "TrainingInputMode": "File"},
    HyperParameters={"epochs": "1", "sagemaker_program": "\"train.py\"", "sagemaker_job_name": "\"e2e-undescribed\""},
    OutputDataConfig={"S3OutputPath": "s3://sagemaker-us-east-1-123456789012/"},
    ResourceConfig={"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    StoppingCondition={"MaxRuntimeInSeconds": 86400})' >/dev/null
tmux_keys Escape
tmux_keys R
only e2e-undescribed
tmux_keys r
if tmux_wait 'loading… e2e-undescribed is not described in the cache yet' 3; then
    ok "r on a job not described yet says loading…"
    shot launch-loading
elif tmux_screen | grep -q 'Re-launch of e2e-undescribed'; then
    ok "r on a job not described yet (the sync described it first)"
else
    not_ok "r on a job not described yet says loading…" "$(tmux_screen)"
fi
tmux_keys j v s      # keys while loading do nothing
tmux_wait 'Changes against e2e-undescribed' 20 && ok "the form opens when the describe arrives" \
    || not_ok "the form opens when the describe arrives" "$(tmux_screen)"
emu_ctl reset >/dev/null
tmux_keys Escape
tmux_wait 'jobs \(' 5

# ---- x stops a job after a confirmation ------------------------------------------------------------
only e2e-form-job
tmux_keys x
tmux_wait 'stop e2e-form-job\?' 5 || not_ok "x asks first" "$(tmux_screen | tail -2)"
tmux_keys n
sleep 1
expect_eq "answering n stops nothing" "$(py 'print(sm.describe_training_job(TrainingJobName="e2e-form-job")["TrainingJobStatus"])')" InProgress
tmux_keys x
tmux_wait 'stop e2e-form-job\?' 5
tmux_keys y
st=""
for i in $(seq 1 50); do
    st=$(py 'print(sm.describe_training_job(TrainingJobName="e2e-form-job")["TrainingJobStatus"])')
    case $st in Stopping|Stopped) break ;; esac
    sleep 0.2
done
expect_match "x then y stops the job" "$st" '^(Stopping|Stopped)$'

# ---- quitting while a launch runs: no child left behind --------------------------------------------
emu_ctl faults '{"slow_ms": 2500, "ops": ["CreateTrainingJob"]}' >/dev/null
only $SOURCE
tmux_keys r
tmux_wait "Re-launch of $SOURCE" 10
edit e2e-quit-while-launching
tmux_keys s
tmux_wait 'create training job e2e-quit-while-launching\?' 5
tmux_keys y
tmux_wait 'submitting' 5
tmux_keys Escape
tmux_wait 'goes on in the background' 5 && ok "leaving the form: the launch goes on" \
    || not_ok "leaving the form: the launch goes on" "$(tmux_screen | tail -2)"
tmux_keys q
tmux_wait 'Pane is dead \(status 0' 30 && ok "q quits while a launch runs" || not_ok "q quits while a launch runs" "$(tmux_screen | grep -v '^$' | tail -5)"
expect_eq "no launch process outlives the UI" \
    "$(ps -eo args= | grep -F -- "$AWS_ENDPOINT_URL" | grep -c -- ' launch ')" 0
emu_ctl reset >/dev/null

# ---- --read-only: no n, r or x ----------------------------------------------------------------------
tmux -L "$_tmux_sock" kill-server 2>/dev/null
tmux_start 120 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
    sh -c '"$0" "$@"; exit $?' "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --read-only
tmux_wait 'jobs \(4[0-9]\)' 30
expect_eq "read-only: the footer has no stop key" "$(tmux_screen | tail -1 | grep -c ' x stop')" 0
tmux_keys '?'
tmux_wait 'keys: jobs' 5
expect_eq "read-only: the help has no launch, re-launch or stop" \
    "$(tmux_screen | grep -cE 'launch a new job|re-launch this job|stop this job')" 0
tmux_keys Escape
for k in n r; do
    tmux_keys $k
    sleep 0.5
    expect_eq "read-only: $k opens no form" "$(tmux_screen | grep -cE 'New Hugging Face estimator|Re-launch of')" 0
done
tmux_keys q
render_pngs
finish
