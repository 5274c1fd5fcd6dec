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
tmux_expect "filter leaves the live job" 'jobs \(1\)' 10 || finish
tmux_keys m
tmux_expect "m opens the metric view" "metrics: $J" 10 || finish
tmux_expect "charts appear" '^> ?[a-z_]+ \([0-9]+\)' 60 || finish
s=$(tmux_screen)
expect_match "the selected chart is marked" "$s" '^> [a-z_]+ \([0-9]+\)'
expect_match "status line: x axis, log-y, EMA auto (none under 300 points), live" "$s" 'x: step \(x\) +log-y: off \(L\) +EMA: auto \(\+/-\) .*InProgress +live'
expect_match "a loss chart is in the grid" "$s" '(^| )loss \([0-9]+\)'
shot metrics-grid

# live: the point count of the loss chart grows as lines arrive
loss_points() { tmux_screen | grep -oE '(^| )loss \([0-9]+\)' | head -1 | grep -oE '[0-9]+'; }
n1=$(loss_points)
loss_grew() { n2=$(loss_points); [ -n "$n1" ] && [ -n "$n2" ] && [ "$n2" -gt "$n1" ]; }
wait_for 40 loss_grew && ok "the chart of the running job grows ($n1 -> $n2 points)" ||
    not_ok "the chart of the running job grows" "loss points stayed at $n1"

# enlarge the loss chart, move the cursor, toggle axis, log and EMA
# Right moves the selection one chart on; each press waits for the frame it causes
# the selected chart's title, "> NAME (" (its point count left out: it grows meanwhile)
selected() { tmux_screen | grep -oE '(^| )> [a-z_]+ \(' | head -1; }
moved_from() { [ "$(selected)" != "$1" ]; }
loss_selected() {
    local sel
    sel=$(selected)
    case $sel in *"> loss (") return 0 ;; esac
    tmux_keys Right
    wait_for 5 moved_from "$sel"
    return 1
}
wait_until "Right reaches the loss chart" 20 loss_selected
tmux_keys Enter
tmux_expect "Enter enlarges the selected chart" '^loss \([0-9]+\)' 5
s=$(tmux_screen)
if [ "$(printf '%s\n' "$s" | grep -oE '^loss \([0-9]+\)' | grep -oE '[0-9]+')" -lt 300 ]; then
    expect_eq "under 300 points the chart is not smoothed by default" \
        "$(printf '%s\n' "$s" | grep -c 'EMA 0')" 0
fi
# the last-value label and the legend's last are the same raw value (one capture: it grows)
raw_last_agrees() {
    local lbl
    lbl=$(printf '%s\n' "$1" | grep -oE '◂[0-9][0-9.e+-]*' | head -1 | sed 's/^◂//')
    [ -n "$lbl" ] && printf '%s\n' "$1" | grep -qE "^. loss +last ${lbl//./\\.} +min"
}
check "the ◂ label reads the legend's raw last value" raw_last_agrees "$s"
tmux_keys +
tmux_expect "+ turns the EMA on at 0.3, shown" 'EMA: 0\.30' 5
s=$(tmux_screen)
expect_match "the legend names the smoothed line" "$s" 'loss EMA 0\.3'
check "smoothed: the ◂ label still reads the raw last value" raw_last_agrees "$s"
tmux_keys Right Right Right Right Right Right Right Right Right Right
tmux_expect "the cursor reads out values at a step" 'at step [0-9]+' 5
# the step axis: the readout's step is one the job logged (the CSV of its points)
rs=$(tmux_screen | grep -oE 'at step [0-9]+' | head -1 | grep -oE '[0-9]+$')
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline metrics $J --format csv >"$TMPD/pts.csv" 2>/dev/null
grep -qE "^$J,loss,[^,]*,$rs," "$TMPD/pts.csv" && ok "the readout's step $rs is a logged step of loss" \
    || not_ok "the readout's step is a logged step" "step [$rs] not in $(grep -c ",loss," "$TMPD/pts.csv") loss rows"
tmux_keys +
tmux_expect "+ strengthens the EMA, shown" 'EMA: 0\.60' 5
tmux_keys L
tmux_expect "L turns on log-y" 'log-y: on' 5
tmux_keys x
tmux_expect "x switches to epochs" 'x: epoch' 5
tmux_keys x
tmux_expect "x switches to time since start" 'x: elapsed' 5
expect_match "elapsed ticks read as durations" "$(tmux_screen)" '[0-9]+(s|m|h)[0-9]* '
tmux_keys x
tmux_expect "x switches to wall time" 'x: time' 5
expect_match "wall-time ticks read as clock times" "$(tmux_screen)" '[0-9]{2}:[0-9]{2}'
tmux_keys x
tmux_expect "x cycles back to steps" 'x: step' 5
tmux_keys L
tmux_wait 'log-y: off' 5
shot metrics-enlarged

# resize redraws at the new size
ui_resize 90 30
expect_eq "resize: redrawn to the new width" "$(tmux_screen | LC_ALL=C.UTF-8 wc -L)" 90
expect_match "resize: the chart is still there" "$(tmux_screen)" '^loss \([0-9]+\)'
tmux_resize 120 40
tmux_keys Enter
tmux_expect "Enter goes back to the grid" '> loss \(' 5
tmux_keys q
tmux_expect "q goes back to the list" 'jobs \(1\)' 5

render_pngs
finish
