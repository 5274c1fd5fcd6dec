#!/bin/bash
# The tuning launch and stop in the UI (issue 16) against the demo emulator with its tuning jobs:
# `U` on a training job opens the tuning form; a logarithmic range on learning_rate, first with
# min > max and then with min 0, shows tuning_validate.c's message beside the field (the CLI's
# words); with the objective, its direction, max and parallel jobs set, the review's request
# equals `sagetop tuning launch --dry-run` with the same choices (parsed JSON; the training job
# name inside the static hyperparameters is a timestamp, as in the CLI test); `s` and `y`
# create it on the worker, boto3 describes it and the tuning list shows it; `L` on it opens the
# form pre-filled with its settings (a create AWS refuses shows its error and keeps the form);
# `x` asks first (n leaves it running, y stops it in the emulator); --read-only refuses the stop
# and the launch with the training jobs' message.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

# $PAGER for `|` on the review: keeps the whole request it is given (the file is its last word)
mkdir -p "$TMPD/bin"
printf '#!/bin/sh\nfor f; do :; done\ncp "$f" "%s"\n' "$TMPD/review.json" >"$TMPD/bin/pager"
chmod +x "$TMPD/bin/pager"
export PAGER=$TMPD/bin/pager
py() { pyrun -c "import boto3, json, os, sys
sm = boto3.client('sagemaker', endpoint_url=os.environ['AWS_ENDPOINT_URL'])
$1" "${@:2}"; }
status_of() { py 'print(sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=sys.argv[1])["HyperParameterTuningJobStatus"])' "$1"; }
last_row_is() { screen_rows_match 40 "$1"; }
prompt_wait() { wait_until "the prompt /$1/ on the last row" 5 last_row_is "$1"; }
FOOTER='^Enter edit field'
# set_field TEXT: replace the selected field's value (Enter, ^U, TEXT, Enter)
set_field() {
    tmux_keys Enter
    prompt_wait '^[a-z_.]+( range)?:( |$)'
    tmux_keys C-u
    tmux_keys -l "$1"
    tmux_keys Enter
    prompt_wait "$FOOTER"
}
# tune ENTRY: `a` with hp.NAME=RANGE
tune() {
    tmux_keys a
    prompt_wait '^tune \(hp\.NAME=RANGE\)'
    tmux_keys C-u
    tmux_keys -l "$1"
    tmux_keys Enter
    prompt_wait "$FOOTER"
}

emu_start --scenario demo --tuning || { not_ok "emulator starts"; finish; }
tmux_start 120 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL"
tmux_wait 'jobs \([1-9][0-9]*\)' 30 || finish
# a finished demo job of its own (not a trial of the demo tuning jobs)
SRC=$(py 'print(sorted(j["TrainingJobName"] for j in sm.list_training_jobs(MaxResults=100)["TrainingJobSummaries"] if j["TrainingJobStatus"] == "Completed" and not j["TrainingJobName"].startswith("hpo-"))[0])')
expect_match "a completed demo job to start from" "$SRC" '^[a-z0-9-]+$'
tmux_keys /
tmux_keys -l "^$SRC\$"
tmux_keys Enter
tmux_wait "jobs \\(1\\) .*filter: \\^$SRC" 30 || finish
wait_until "the job is described" 30 ui_described || finish

# ---- the form from a training job --------------------------------------------------------------
tmux_keys U
tmux_expect "U opens the tuning form" "Tuning launch from $SRC" 10 || finish
s=$(tmux_screen)
expect_match "its fields: the objective" "$s" 'objective +.*an objective metric name .* is required'
expect_match "a hyperparameter row, not tuned, shows the source's value" "$s" 'hp\.learning_rate += [0-9.e-]+ \(not tuned\)'
expect_match "a default name, pinned (the SDK's: the image's base and a timestamp)" "$s" \
    'name +huggingface-pytorch--[0-9]{6}-[0-9]{4} *$'
NAME=hpo-ui-tune
set_field "$NAME"

tune 'hp.learning_rate=1e-4:1e-5:log'
tmux_expect "min > max: tuning_validate.c's message beside the range" \
    'hp\.learning_rate +1e-4:1e-5:log .*MinValue 0\.0001 must be less than MaxValue 1e-05' 5
set_field '0:1e-4:log'
tmux_expect "a log range from 0: its message" \
    'hp\.learning_rate +0:1e-4:log .*logarithmic scaling needs MinValue > 0 \(got 0\)' 5
set_field '1e-5:1e-4:log'
tmux_keys g j
tmux_wait '^Enter edit field' 5
set_field eval_loss
tmux_keys j
set_field Minimize
tmux_keys j j
set_field 4
tmux_keys j
set_field 2
s=$(tmux_screen)
expect_match "the range is taken" "$s" 'hp\.learning_rate +1e-5:1e-4:log *$'
expect_match "no problem left" "$s" '^0 problems'

# ---- the review: the same request as the CLI's dry run ------------------------------------------
tmux_keys v
tmux_expect "v reviews the request" 'Review: the exact CreateHyperParameterTuningJob request' 5 || finish
tmux_keys '|'
wait_until "| hands the whole request to \$PAGER" 5 test -s "$TMPD/review.json"
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --cache "$TMPD/cli.db" tuning launch --from "$SRC" \
    --name "$NAME" --tune hp.learning_rate=1e-5:1e-4:log --objective eval_loss:min \
    --max-jobs 4 --parallel 2 --dry-run >"$TMPD/dry.json" 2>"$TMPD/dry.err"
expect_eq "the CLI's dry run exits 0" "$?" 0
same=$(pyrun - "$TMPD/review.json" "$TMPD/dry.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    r["TrainingJobDefinition"]["StaticHyperParameters"]["sagemaker_job_name"] = "(new name)"
print("same" if a == b else "differs:\n%s\n%s" % (json.dumps(a, indent=1), json.dumps(b, indent=1)))
PY
)
expect_eq "the review's request equals sagetop tuning launch --dry-run" "$same" "same"

# ---- create it ---------------------------------------------------------------------------------
tmux_keys s
tmux_expect "s asks first" "create tuning job $NAME\\?" 5 || finish
tmux_keys y
tmux_expect "created: the form closes with the outcome" "created $NAME" 20 || finish
expect_eq "the emulator has the tuning job" "$(status_of "$NAME")" InProgress
tmux_keys Escape T
tmux_expect "the tuning list shows it" "$NAME +InProgress +Bayesian +eval_loss \\(min\\)" 15 || finish

# ---- L on it: the form pre-filled from the tuning job -----------------------------------------
tmux_keys /
tmux_keys -l "^$NAME\$"
tmux_keys Enter
tmux_wait 'tuning \(1\)' 5 || finish
tmux_keys L
tmux_expect "L opens the form from the tuning job" "Tuning launch from $NAME" 10 || finish
s=$(tmux_screen)
expect_match "pre-filled: the objective" "$s" 'objective +eval_loss'
expect_match "pre-filled: its direction" "$s" 'objective_type +Minimize'
expect_match "pre-filled: max jobs" "$s" 'max_jobs +4'
expect_match "pre-filled: the range" "$s" 'hp\.learning_rate +1e-05:0\.0001:Logarithmic'
# AWS refuses a second tuning job of the same name: the error is shown and the form kept
set_field "$NAME"
tmux_keys s
tmux_wait "create tuning job $NAME\\?" 5
tmux_keys y
tmux_expect "a refused create: the error under the form, the form kept" \
    "launch failed: SageMaker CreateHyperParameterTuningJob: ResourceInUse" 20
expect_match "still the form" "$(tmux_screen)" "Tuning launch from $NAME"
tmux_keys q
tmux_wait 'tuning \(1\)' 5 || finish

# ---- stop it ------------------------------------------------------------------------------------
tmux_keys x
tmux_expect "x asks first" "stop $NAME\\?" 5 || finish
tmux_keys n
tmux_wait 'tuning \(1\)' 5
expect_eq "n leaves it running" "$(status_of "$NAME")" InProgress
tmux_keys x
tmux_wait "stop $NAME\\?" 5
tmux_keys y
stopped() { [[ $(status_of "$NAME") =~ ^Stopp(ing|ed)$ ]]; }
wait_until "y stops it in the emulator" 10 stopped && ok "y stops it (Stopping/Stopped)"
# the stop's list pass brings the new status to the row (the emulator lists the created job
# beside its scenario's, as AWS lists every tuning job of the account)
tmux_expect "the tuning list shows it stopping" "$NAME.*Stopp(ing|ed)" 20
tmux_keys Q
tmux_dead 10

# ---- --read-only refuses both ------------------------------------------------------------------
tmux_start 120 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --read-only
tmux_wait 'jobs \([1-9][0-9]*\)' 30 || finish
tmux_keys U
tmux_expect "read-only: U is refused as r is" 'read-only: this action is disabled' 5
tmux_keys T
tmux_wait 'tuning \([0-9]+\)' 10 || finish
tmux_keys x
tmux_expect "read-only: x on a tuning job is refused" 'read-only: this action is disabled' 5
tmux_keys L
tmux_expect "read-only: L is refused" 'read-only: this action is disabled' 5
s=$(tmux_screen); [[ $s == *"Tuning launch from"* ]] && not_ok "read-only: no form opened" "$s" || ok "read-only: no form opened"
tmux_keys Q
tmux_dead 10
finish
