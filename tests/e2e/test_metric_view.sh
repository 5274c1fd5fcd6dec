#!/bin/bash
# The metric view: m on a running demo job shows its metrics as a grid of charts; the chart grows
# as the job's log lines arrive; Enter enlarges with a legend and cursor readout; x cycles the
# axis step -> epoch -> elapsed -> wall time (step by default, ticks read as steps); L and +/-
# change the scale and EMA; resize redraws. Issue 13: the cursor's legend line says its x and the
# raw value there (Left/Right and a click move it); z zooms x around the cursor and says the
# range, Z resets. Issue 15: 1..9 pick a host of a 2-host job, ] and [ a rank, and a host or
# rank it lacks is said.
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
expect_match "the header: the running job is followed" "$(printf '%s\n' "$s" | head -1)" 'following 1 job'
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
s=$(tmux_screen)
# the cursor's own x is said, and the raw series is read at that very step (the cursor sits on
# the point of its column): no "nearest"; the EMA line reads out nothing (raw values only)
cs=$(printf '%s\n' "$s" | grep -oE '^cursor: step [0-9]+' | grep -oE '[0-9]+$')
rs=$(printf '%s\n' "$s" | grep -E '^. loss +[0-9.e+-]+ at step' | grep -oE 'at step [0-9]+' | grep -oE '[0-9]+$')
expect_match "the legend's first line is the cursor's step" "$cs" '^[0-9]+$'
expect_eq "the raw loss is read at the cursor's step" "$rs" "$cs"
expect_eq "read at the cursor: not said to be a nearest point" \
    "$(printf '%s\n' "$s" | grep -E '^. loss ' | grep -c 'nearest')" 0
expect_match "the EMA line has no readout" "$(printf '%s\n' "$s" | grep -E '^. loss EMA')" '^. loss EMA 0\.3 *$'
# the step axis: the readout's step is one the job logged (the CSV of its points)
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline metrics $J --format csv >"$TMPD/pts.csv" 2>/dev/null
grep -qE "^$J,loss,[^,]*,$rs," "$TMPD/pts.csv" && ok "the readout's step $rs is a logged step of loss" \
    || not_ok "the readout's step is a logged step" "step [$rs] not in $(grep -c ",loss," "$TMPD/pts.csv") loss rows"
# a click on the plot puts the cursor there: far left of the plot, a smaller step
sgr() { tmux_keys -l $'\e'"[<$1;$2;$3M"; tmux_keys -l $'\e'"[<$1;$2;$3m"; }
cursor_step() { tmux_screen | grep -oE '^cursor: step [0-9]+' | grep -oE '[0-9]+$'; }
sgr 0 14 10
moved() { local c; c=$(cursor_step); [ -n "$c" ] && [ "$c" -lt "$cs" ]; }
check "a click left of the cursor moves it there (from step $cs)" wait_for 5 moved
# z: the x range halves around the cursor; the title says the range, the status says zoomed
tmux_keys Right Right Right Right Right Right Right Right Right Right Right Right Right Right Right
tmux_wait '^cursor: step' 5
c0=$(cursor_step)
tmux_keys z
tmux_expect "z zooms: the title says the range" '^loss \([0-9]+\) \[zoom [0-9]+ to [0-9]+, Z resets\]' 5
s=$(tmux_screen)
expect_match "z: the status line says zoomed" "$s" 'zoomed \(Z\)'
zr=$(printf '%s\n' "$s" | grep -oE '\[zoom [0-9]+ to [0-9]+' | grep -oE '[0-9]+' | tr '\n' ' ')
read -r zlo zhi <<<"$zr"
check "z: the range ($zlo..$zhi) holds the cursor's step $c0" test "$zlo" -le "$c0" -a "$c0" -le "$zhi"
# every x tick label under the zoomed chart lies in the range
# (labels read 1500 or 1.5k: as numbers)
ticks=$(printf '%s\n' "$s" | grep -A1 '└' | tail -1 | grep -oE '[0-9.]+k?' |
    awk '/k$/ { sub(/k$/, ""); printf "%d ", $0 * 1000; next } { printf "%d ", $0 }')
in_range() { local t; for t in $ticks; do [ "$t" -ge "$zlo" ] && [ "$t" -le "$zhi" ] || return 1; done; [ -n "$ticks" ]; }
check "z: the axis labels ($ticks) lie within $zlo..$zhi" in_range
tmux_keys z
tmux_wait '\[zoom' 5
z2=$(tmux_screen | grep -oE '\[zoom [0-9]+ to [0-9]+' | grep -oE '[0-9]+' | tr '\n' ' ')
read -r z2lo z2hi <<<"$z2"
check "a second z narrows the range ($zlo..$zhi -> $z2lo..$z2hi)" test $((z2hi - z2lo)) -lt $((zhi - zlo))
tmux_keys Z
tmux_expect "Z resets the zoom, and says so" 'zoom reset: the whole x range' 5
expect_eq "Z: no zoom in the title" "$(tmux_screen | grep -c '\[zoom')" 0
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
tmux_keys z
tmux_expect "z in the grid says to enlarge first" 'press Enter first' 5
tmux_keys 3
tmux_expect "3 on a 1-host job says there is no such host" 'no host algo-3: this job has 1 instance' 5
tmux_keys q
tmux_expect "q goes back to the list" 'jobs \(1\)' 5

# a 2-host job: 2 shows algo-2's points, 3 says the job has 2
J2=live-bert-sst2-ddp
tmux_keys Escape
tmux_wait 'jobs \(4[0-9]\)' 5
tmux_keys / "^$J2\$" Enter
tmux_expect "filter leaves the 2-host job" 'jobs \(1\)' 10 || finish
tmux_keys m
tmux_expect "its metric view" "metrics: $J2" 10 || finish
tmux_expect "its charts appear, host algo-1" 'host: algo-1 \(1-9\)' 60
tmux_keys 3
tmux_expect "3: no such host, said" 'no host algo-3: this job has 2 instances' 5
tmux_keys 2
tmux_expect "2: algo-2's points, said" 'host algo-2: .*\(2 hosts\)' 5
tmux_expect "2: the status line names algo-2" 'host: algo-2 \(1-9\)' 5
expect_match "2: algo-2 has charts" "$(tmux_screen)" '^> ?[a-z_]+ \([0-9]+\)'
tmux_keys 0
tmux_expect "0: back to the default host" 'host: algo-1 \(1-9\)' 5
# ranks (issue 15): ] steps to rank 0 (its lines carry [1,mpirank:0,algo-1]), then rank 1 (no
# lines: said on screen), [ at the default says so, and a rank past 2 hosts x 8 GPUs is said
tmux_keys [
tmux_expect "[ at the default: said" 'already the default process' 5
tmux_keys ]
tmux_expect "]: rank 0, said" 'rank 0 \(on algo-1\): its points' 5
tmux_expect "]: the status line names rank 0" 'rank: 0 on algo-1 \(\[/\]\)' 5
expect_match "rank 0 has charts" "$(tmux_screen)" '^> ?[a-z_]+ \([0-9]+\)'
tmux_keys ]
tmux_expect "rank 1 logged nothing: said on screen" 'no metric points of this process' 5
tmux_keys ] ] ] ] ] ] ] ] ] ] ] ] ] ]
tmux_wait 'rank: 15 on algo-2' 10
tmux_keys ]
tmux_expect "past the last rank: said" 'no rank 16: this job runs ranks 0 to 15 \(2 hosts x 8\)' 5
tmux_keys 0
tmux_expect "0: back to the default" 'host: algo-1 \(1-9\)' 5
tmux_keys q
tmux_expect "q goes back to the list" 'jobs \(1\)' 5

render_pngs
finish
