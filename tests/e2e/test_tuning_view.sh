#!/bin/bash
# The tuning list (`:tuning`) over the emulator's tuning jobs: every tuning job with its
# strategy, counters and best trial as `sagetop tuning --format csv` says (itself checked
# against the emulator by tests/integration/test_tuning.sh); Enter opens the best trial as any
# job. One emulator (--tuning), one sagetop.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
emu_start --scenario empty --tuning || { not_ok "emulator starts"; finish; }
tmux_start 160 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL"
tmux_wait 'jobs \([1-9][0-9]*\)' 30 || finish
tmux_keys : tuning Enter
tmux_expect ":tuning opens the tuning list" 'tuning \(4\)' 30 || finish
tmux_wait 'hpo-distilbert-imdb-bayes +Completed +Bayesian +eval_loss' 10
s=$(tmux_screen)
"$SAGETOP" --offline tuning --format csv | tail -n +2 >"$TMPD/list.csv"
while IFS=, read -r name status strategy metric type done run fail stop max par best trial el; do
    [ "$status" = InProgress ] && continue   # its counters move between the two reads
    expect_match "$name: status, strategy, counters and best trial" "$s" \
        "$name +$status +$strategy +$metric +(min|max) +$done +$run +$fail +$stop +/$max .* $trial"
done <"$TMPD/list.csv"
best=$(awk -F, '$1 == "hpo-distilbert-imdb-bayes" { print $13 }' "$TMPD/list.csv")
tmux_keys g
tmux_wait '^> hpo-' 5
# the bayes one is the oldest: the last row
tmux_keys G Enter
tmux_expect "Enter opens the best trial" "detail: $best" 20
finish
