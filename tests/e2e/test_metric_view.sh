#!/bin/bash
# The metric view: m on a running demo job shows its metrics as a grid of charts; the chart grows
# as the job's log lines arrive; Enter enlarges with a legend and cursor readout; x cycles the
# axis step -> epoch -> elapsed -> wall time (step by default, ticks read as steps); L and +/-
# change the scale and EMA; resize redraws.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
J=live-distilbert-imdb

ui_start
tmux_keys / "^$J\$" Enter
tmux_wait 'jobs \(1\)' 10 || not_ok "filter leaves the live job" "$(tmux_screen | sed -n 2p)"
tmux_keys m
tmux_wait "metrics: $J" 10 && ok "m opens the metric view" || { not_ok "m opens the metric view" "$(tmux_screen)"; finish; }
tmux_wait '^> ?[a-z_]+ \([0-9]+\)' 60 || not_ok "charts appear" "$(tmux_screen)"
s=$(tmux_screen)
expect_match "the selected chart is marked" "$s" '^> [a-z_]+ \([0-9]+\)'
expect_match "status line: x axis, log-y, EMA factor, live" "$s" 'x: step \(x\) +log-y: off \(L\) +EMA: 0\.60 \(\+/-\) .*InProgress +live'
expect_match "a loss chart is in the grid" "$s" '(^| )loss \([0-9]+\)'
shot metrics-grid

# live: the point count of the loss chart grows as lines arrive
n1=$(tmux_screen | grep -oE '(^| )loss \([0-9]+\)' | head -1 | grep -oE '[0-9]+')
grew=""
for i in $(seq 1 40); do
    sleep 1
    n2=$(tmux_screen | grep -oE '(^| )loss \([0-9]+\)' | head -1 | grep -oE '[0-9]+')
    if [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; then grew=yes; break; fi
done
[ -n "$grew" ] && ok "the chart of the running job grows ($n1 -> $n2 points)" || not_ok "the chart of the running job grows" "loss points stayed at $n1"

# enlarge the loss chart, move the cursor, toggle axis, log and EMA
for i in $(seq 1 20); do
    tmux_screen | grep -qE '^> loss \(' && break
    tmux_keys Right
    sleep 0.1
done
tmux_keys Enter
tmux_wait '^loss \([0-9]+\)' 5 && ok "Enter enlarges the selected chart" || not_ok "Enter enlarges the selected chart" "$(tmux_screen | head -4)"
expect_match "the enlarged chart has a legend with the EMA line" "$(tmux_screen)" 'loss ema 0\.60'
tmux_keys Right Right Right Right Right Right Right Right Right Right
tmux_wait 'at step [0-9]+' 5 && ok "the cursor reads out values at a step" || not_ok "the cursor reads out values at a step" "$(tmux_screen | tail -5)"
# the step axis: the readout's step is one the job logged (the CSV of its points)
rs=$(tmux_screen | grep -oE 'at step [0-9]+' | head -1 | grep -oE '[0-9]+$')
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline metrics $J --format csv >"$TMPD/pts.csv" 2>/dev/null
grep -qE "^$J,loss,[^,]*,$rs," "$TMPD/pts.csv" && ok "the readout's step $rs is a logged step of loss" \
    || not_ok "the readout's step is a logged step" "step [$rs] not in $(grep -c ",loss," "$TMPD/pts.csv") loss rows"
tmux_keys +
tmux_wait 'EMA: 0\.80' 5 && ok "+ strengthens the EMA, shown" || not_ok "+ strengthens the EMA" "$(tmux_screen | tail -2)"
tmux_keys L
tmux_wait 'log-y: on' 5 && ok "L turns on log-y" || not_ok "L turns on log-y" "$(tmux_screen | tail -2)"
tmux_keys x
tmux_wait 'x: epoch' 5 && ok "x switches to epochs" || not_ok "x switches to epochs" "$(tmux_screen | tail -2)"
tmux_keys x
tmux_wait 'x: elapsed' 5 && ok "x switches to time since start" || not_ok "x switches to time since start" "$(tmux_screen | tail -2)"
expect_match "elapsed ticks read as durations" "$(tmux_screen)" '[0-9]+(s|m|h)[0-9]* '
tmux_keys x
tmux_wait 'x: time' 5 && ok "x switches to wall time" || not_ok "x switches to wall time" "$(tmux_screen | tail -2)"
expect_match "wall-time ticks read as clock times" "$(tmux_screen)" '[0-9]{2}:[0-9]{2}'
tmux_keys x
tmux_wait 'x: step' 5 && ok "x cycles back to steps" || not_ok "x cycles back to steps" "$(tmux_screen | tail -2)"
tmux_keys L
shot metrics-enlarged

# resize redraws at the new size
tmux_resize 90 30
sleep 1
expect_eq "resize: redrawn to the new width" "$(tmux_screen | LC_ALL=C.UTF-8 wc -L)" 90
expect_match "resize: the chart is still there" "$(tmux_screen)" '^loss \([0-9]+\)'
tmux_resize 120 40
tmux_keys Enter
tmux_wait '> loss \(' 5 && ok "Enter goes back to the grid" || not_ok "Enter goes back to the grid" "$(tmux_screen | head -4)"
tmux_keys q
tmux_wait 'jobs \(1\)' 5 && ok "q goes back to the list" || not_ok "q goes back to the list"
finish
