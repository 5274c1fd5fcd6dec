#!/bin/bash
# The launch form in tmux against the demo emulator: `n` opens a new estimator pre-filled from
# past jobs; a bad instance type shows its message next to the field; the fields are filled,
# the exact CreateTrainingJob JSON reviewed, the job submitted (after a confirmation), and the
# new job shows up in the list. Then `r` on it opens a re-launch showing what changed.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

SRC=$TMPD/src
mkdir -p "$SRC"
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
shot launch-review
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

# read-only: n is refused
finish
