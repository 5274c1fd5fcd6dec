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
. "$(dirname "$0")/launch_lib.sh"

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
py() { pyrun -c "import boto3, json, os, sys
sm = boto3.client('sagemaker', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
$1" "${@:2}"; }
# the filter on one job: only its row is listed (the status row names the filter, so an earlier
# filter's "jobs (1)" does not count)
only() {
    tmux_keys Escape /
    tmux_keys -l "^$1\$"
    tmux_keys Enter
    tmux_wait "jobs \\(1\\) .*filter: \\^$1\\\$" 10
}
# create_job NAME: a training job made by boto3, not by the UI
create_job() {
    py 'n = sys.argv[1]
sm.create_training_job(TrainingJobName=n, RoleArn="arn:aws:iam::123456789012:role/SageMakerRole",
    AlgorithmSpecification={"TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04", "TrainingInputMode": "File"},
    HyperParameters={"epochs": "1", "sagemaker_program": "\"train.py\"", "sagemaker_job_name": json.dumps(n)},
    OutputDataConfig={"S3OutputPath": "s3://sagemaker-us-east-1-123456789012/"},
    ResourceConfig={"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30},
    StoppingCondition={"MaxRuntimeInSeconds": 86400})' "$1" >/dev/null
}
printf 'print("hello from e2e")\n' >"$SRC/train.py"

ui_start
tmux_keys n
tmux_expect "n opens the form" 'New Hugging Face estimator' 10 || finish
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

# the source first: without it the default entry point (train.py) is a problem
goto 3
edit "$SRC"
# a bad instance type: the message appears next to the field
goto 14        # name base entry src git branch commit submit bucket tv pv tfv py image -> instance_type
edit ml.p3.3xlarge
tmux_wait "not a SageMaker training instance type" 5
expect_match "bad instance type shows its message" "$(tmux_screen)" "instance_type +ml\.p3\.3xlarge.*not a SageMaker training instance type"
edit ml.p3.2xlarge
tmux_expect "a valid instance type clears the message" "0 problems" 5

goto 0
edit e2e-form-job
add "hp.epochs=2"
add "input.train=s3://sagemaker-us-east-1-123456789012/datasets/imdb/train"
tmux_keys k
tmux_wait 'hp\.epochs +2' 5
expect_match "hyperparameter added to the list" "$(tmux_screen)" 'Hyperparameters'
expect_match "no problems once filled" "$(tmux_screen)" '0 problems'
shot launch-form

tmux_keys v
tmux_expect "v reviews" 'Review: the exact CreateTrainingJob request' 5
screen=$(tmux_screen)
expect_match "review shows the job name" "$screen" '"TrainingJobName": "e2e-form-job"'
# (a line wider than the screen is cut in the middle: the image's tag, at its end, shows)
expect_match "review shows the SDK image" "$screen" '"TrainingImage": "763104351884\.dkr\.ecr\.us-east-1\.amazo.*….*training:1\.13-transformers4\.26-gpu-py39-cu117-ubuntu20\.04"'
tmux_keys j j j j j j j j j j j j j j j j j j j j j j j j j j j j j j
tmux_wait '"epochs": "2"' 5
expect_match "review shows the encoded hyperparameter" "$(tmux_screen)" '"epochs": "2"'

tmux_keys s
tmux_expect "s asks first" 'create training job e2e-form-job\?' 5
tmux_keys y
tmux_wait 'e2e-form-job' 30 && tmux_expect "the submitted job shows up in the list" 'jobs \(4[1-9]\)' 30
shot launch-submitted
PYCODE='import boto3,os
d=boto3.client("sagemaker",endpoint_url=os.environ["AWS_ENDPOINT_URL"]).describe_training_job(TrainingJobName="e2e-form-job")
print(d["HyperParameters"]["epochs"], d["HyperParameters"]["sagemaker_program"], d["InputDataConfig"][0]["ChannelName"])'
expect_eq "the job was created as reviewed" "$(pyrun -c "$PYCODE" 2>&1)" '2 "train.py" train'

# ---- re-launch of a demo job with one hyperparameter changed ----------------------------------
SOURCE=distilbert-imdb-lr5e5-ep3
only $SOURCE
# the sync filled $SOURCE from Search (no RemoteDebugConfig, profiler rules...): r describes it
# first, and the form waits for it (a slow describe, so that the wait is seen)
emu_ctl faults '{"slow_ms": 2000, "ops": ["DescribeTrainingJob"]}' >/dev/null
tmux_keys r
tmux_expect "r on a job filled by Search loads its full description" \
    "loading the full description… of $SOURCE" 5
tmux_keys v s        # keys while loading do nothing
tmux_expect "r opens the re-launch form once it is described" "Changes against $SOURCE" 20
emu_ctl reset >/dev/null
tmux_expect "r opens the re-launch form" "Re-launch of $SOURCE" 10
# the cursor starts on the name
edit e2e-relaunch-ep4
add "hp.epochs=4"
tmux_expect "the change is listed" 'Changes against .* \(3\)' 5
screen=$(tmux_screen)
expect_match "changes: epochs" "$screen" 'HyperParameters\.epochs: "3" -> "4"'
expect_match "changes: the name" "$screen" "TrainingJobName: \"$SOURCE\" -> \"e2e-relaunch-ep4\""
expect_match "changes: sagemaker_job_name" "$screen" 'HyperParameters\.sagemaker_job_name: .*e2e-relaunch-ep4'
expect_match "no problems" "$screen" '0 problems'
# text where the source job has a number: flagged, counted, and cleared by a number
add "hp.learning_rate=abc"
tmux_expect "re-launch: learning_rate=abc says what the SDK would send and why" \
    "^  'abc' is not a number: the SDK would send the string \"abc\" where the source job sends the number 5e-05" 5
expect_match "re-launch: the message is beside the field too" "$(tmux_screen)" "hp\.learning_rate .*'abc' is not a number"
expect_match "re-launch: the count is true" "$(tmux_screen)" '^1 problem$'
add "hp.learning_rate=5e-05"
tmux_expect "re-launch: the source's number again, no problem" '^0 problems' 5

# the review, read page by page off the screen: the source's hyperparameters with only epochs
# and the names changed, and none of the describe document's read-only members
tmux_keys v
tmux_expect "v reviews the re-launch" 'Review: the exact CreateTrainingJob request' 5
shot launch-review
# 30 lines down a page: the page has turned when its top row is the one that was 31st
review_row() { tmux_screen | sed -n "$1p"; }
# (or the request's last line is on screen: the review stops at its last page)
page_turned() { [ "$(review_row 4)" = "$1" ] || tmux_screen | grep -q '^ }$'; }
review=""
for page in 0 1 2 3 4 5; do
    page_text=$(tmux_screen | sed -n '4,38p')
    review+=$(printf '%s\n' "$page_text" | grep -v '^Review:')$'\n'
    tmux_keys $(printf 'j %.0s' $(seq 1 30))
    wait_until "the review scrolls 30 lines (page $page)" 5 page_turned "$(printf '%s\n' "$page_text" | sed -n 31p)"
done
PYCODE='
review = sys.stdin.read()
src = sm.describe_training_job(TrainingJobName=sys.argv[1])
want = dict(src["HyperParameters"], epochs="4", sagemaker_job_name=json.dumps("e2e-relaunch-ep4"))
# a line wider than the pane is cut in the middle ("head…tail"): its two ends must match
cut = [l.strip().split("\u2026") for l in review.splitlines() if "\u2026" in l]
def shown(line):
    return line in review or any(line.startswith(h) and line.endswith(t.rstrip(",")) for h, t in cut)
missing = [k for k, v in want.items() if not shown("%s: %s" % (json.dumps(k), json.dumps(v)))]
ro = [k for k in ("TrainingJobArn", "TrainingJobStatus", "CreationTime", "ModelArtifacts", "SecondaryStatus") if json.dumps(k) in review]
print("missing", missing, "read-only", ro, "name", "\"TrainingJobName\": \"e2e-relaunch-ep4\"" in review,
      "old epochs", "\"epochs\": \"3\"" in review)'
expect_eq "review: the source's hyperparameters with epochs 4 and the new name, no read-only member" \
    "$(printf '%s' "$review" | py "$PYCODE" $SOURCE 2>&1)" "missing [] read-only [] name True old epochs False"
tmux_keys Escape
tmux_wait "Re-launch of $SOURCE" 5

# ---- AWS refuses a hand-edited request: its message, the form kept --------------------------------
tmux_keys e
tmux_expect "e edits the request in \$EDITOR" '\(edited JSON\)' 10
tmux_keys s
tmux_expect "s asks first (edited JSON)" 'create training job e2e-relaunch-ep4\?' 5
tmux_keys y
tmux_expect "AWS's ValidationException is shown" 'launch failed:.*ValidationException' 30
screen=$(tmux_screen)
expect_match "the message names the member" "$(printf '%s\n' "$screen" | tail -4 | tr -d '\n')" 'vpcConfig\.subnets|Subnets'
expect_match "the form is kept" "$screen" "Re-launch of $SOURCE"
expect_eq "nothing was created" "$(py 'print(len([j for j in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"] if j["TrainingJobName"] == "e2e-relaunch-ep4"]))')" 0

# a field change drops the hand edit; submitted, the job shows up in the list
add "hp.epochs=4"
expect_eq "a field change drops the edited JSON" "$(tmux_screen | grep -c 'edited JSON')" 0
tmux_keys s
tmux_wait 'create training job e2e-relaunch-ep4\?' 5
tmux_keys y
tmux_wait 'jobs \(' 30
tmux_keys Escape
tmux_wait 'e2e-relaunch-ep4' 30 && tmux_expect "the re-launched job shows up in the list" 'jobs \(4[2-9]\)' 30
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
# the log view fills the cache with the job's log: following, it shows the last line once all is in
tmux_wait 'logs: distilbert-imdb-lr5e5-ep3 +[1-9][0-9]* lines' 10
tmux_expect "the log view fetched the whole log of $SOURCE" 'Reporting training SUCCESS' 30
tmux_keys q
tmux_wait 'jobs \(1\)' 5
tmux_keys r
tmux_wait "Re-launch of $SOURCE" 10
add "metric.zz_loss='loss': ([0-9.]+)"
tmux_keys t
tmux_expect "t asks for a job" 'test metric\.zz_loss on the cached log of job:' 5
tmux_keys C-u
tmux_keys -l "$SOURCE"
tmux_keys Enter
want=$("$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" regex-test "'loss': ([0-9.]+)" $SOURCE 2>/dev/null \
    | grep -Eo 'Z: [0-9.e+-]+' | head -3 | awk '{print $2}' | paste -sd, | sed 's/,/, /g')
tmux_expect "the tester shows the match count and the first values" \
    "metric\.zz_loss on $SOURCE: [1-9][0-9]* match(es)? in [1-9][0-9]* lines; first: " 10
got=$(tmux_screen | grep -Eo 'first: .*' | sed 's/^first: //')
case "$got" in
    "$want"*) [ -n "$want" ] && ok "the tester's first values are regex-test's" ||
        not_ok "regex-test found values" "none" ;;
    *) not_ok "the tester's first values are regex-test's" "got [$got] want [$want...]" ;;
esac
add 'metric.zz_bad=loss=(\d+'
tmux_keys t
prompt_wait 'test metric\.zz_bad on the cached log of job:'
tmux_keys Enter
tmux_expect "the tester shows PCRE2's message and offset" 'metric\.zz_bad: regex does not compile: missing closing parenthesis at offset 9' 5
tmux_keys Escape
tmux_wait 'jobs \(' 5

# ---- r on a job not described yet: loading…, then the form -------------------------------------
emu_ctl faults '{"slow_ms": 3000, "ops": ["DescribeTrainingJob"]}' >/dev/null
create_job e2e-undescribed
tmux_keys Escape
tmux_keys R
only e2e-undescribed
tmux_keys r
if tmux_poll 'loading… e2e-undescribed is not described in the cache yet' 3; then
    ok "r on a job not described yet says loading…"
    shot launch-loading
elif tmux_screen | grep -q 'Re-launch of e2e-undescribed'; then
    ok "r on a job not described yet (the sync described it first)"
else
    not_ok "r on a job not described yet says loading…" "$(tmux_screen)"
fi
tmux_keys j v s      # keys while loading do nothing
tmux_expect "the form opens when the describe arrives" 'Changes against e2e-undescribed' 20
emu_ctl reset >/dev/null
tmux_keys Escape
tmux_wait 'jobs \(' 5

# ---- x stops a job after a confirmation ------------------------------------------------------------
# a job created now: the emulator runs a created job for 3 minutes, e2e-form-job may be over
create_job e2e-stop-me
tmux_keys Escape R
only e2e-stop-me
tmux_keys x
tmux_expect "x asks first" 'stop e2e-stop-me\?' 5
tmux_keys n
prompt_wait 'Enter detail'
# the UI has taken the n (the prompt is gone) and x opens it again: had n stopped the job, the
# request would have gone out before this point
tmux_keys x
tmux_wait 'stop e2e-stop-me\?' 5
status_of() { py 'print(sm.describe_training_job(TrainingJobName=sys.argv[1])["TrainingJobStatus"])' "$1"; }
expect_eq "answering n stops nothing" "$(status_of e2e-stop-me)" InProgress
tmux_keys y
stopping() { st=$(status_of e2e-stop-me); case $st in Stopping|Stopped) return 0 ;; esac; return 1; }
WAIT_POLL=0.3 wait_for 10 stopping
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
tmux_expect "leaving the form: the launch goes on" 'goes on in the background' 5
tmux_keys q
tmux_expect "q quits while a launch runs" 'Pane is dead \(status 0' 30
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
    # g clears the last flash and does nothing else here; then k is refused with a flash
    tmux_keys g
    prompt_wait 'Enter detail'
    tmux_keys $k
    tmux_expect "read-only: $k is refused" '^read-only' 5
    expect_eq "read-only: $k opens no form" "$(tmux_screen | grep -cE 'New Hugging Face estimator|Re-launch of')" 0
done
tmux_keys q
tmux_expect "read-only: q quits" 'Pane is dead \(status 0' 10
render_pngs
finish
