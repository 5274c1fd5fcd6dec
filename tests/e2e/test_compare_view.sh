#!/bin/bash
# The compare view of three marked demo jobs: exactly the differing hyperparameters, the right
# best values and the step of the best (checked against `sagetop compare --format json`, itself checked against the
# extracted points by tests/integration/test_compare.sh), toggles, the overlaid chart's legend, and
# (issue 13) hiding and showing a job's curve with 1..9 and no "following" for completed jobs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
J1=distilbert-imdb-lr5e5-ep3 J2=distilbert-imdb-lr3e5-ep3 J3=distilbert-imdb-lr2e5-ep2

ui_start
tmux_keys / '^distilbert-imdb-lr(5e5-ep3|3e5-ep3|2e5-ep2)$' Enter
tmux_expect "filter leaves the three jobs" 'jobs \(3\)' 10 || finish
tmux_keys g Space Space Space
tmux_expect "three jobs marked" '3 marked' 5 || finish
tmux_keys c
tmux_expect "c opens the compare view" 'compare: 3 jobs' 10 || finish
# every job's logs are fetched when the view opens: wait until each has its eval_loss
# ... and every metric row below is complete: three values each, the chart's legend drawn
three='( +[0-9.]+( \*)?){3}'
tmux_expect "metrics of every job appear" "eval_loss \(min\)$three" 60
tmux_wait "eval_accuracy \(max\)$three" 10
tmux_wait "^[ >] loss \(min\)$three" 10
tmux_wait "$J3.*last" 10
s=$(tmux_screen)
hp=$(printf '%s\n' "$s" | sed -n '/^Hyperparameters/,/^Metrics/p' | sed '1,2d' | awk 'NF {print $1}' | grep -v '^Metrics' | tr '\n' ' ')
expect_eq "only the differing hyperparameters" "$hp" "epochs learning_rate "
expect_match "one column per job" "$s" "KEY +distilbert-imdb-lr[0-9e]+-ep[0-9] +distilbert-imdb-lr[0-9e]+-ep[0-9] +distilbert"
shot compare-view

# best values: the starred cell of each metric row is the best job's best value
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline compare $J1 $J2 $J3 --format json >"$TMPD/cmp.json"
cols=$(printf '%s\n' "$s" | grep -E '^  METRIC ' | head -1)
for m in eval_loss eval_accuracy loss; do
    want=$(pyrun -c '
import json, sys
d = json.load(open(sys.argv[1]))["metrics"][sys.argv[2]]
print("%s %.4g" % (d["best_job"], d["jobs"][d["best_job"]]["best"]))' "$TMPD/cmp.json" $m)
    job=${want% *} val=${want#* }
    # the column of that job in the METRIC header row, then the value in that column
    col=$(awk -v h="$cols" -v j="$job" 'BEGIN { print index(h, j) }')
    row=$(printf '%s\n' "$s" | grep -E "^[ >] $m \((min|max)\)" | head -1)
    cell=$(printf '%s' "${row:$((col - 1))}" | awk '{print $1, $2}')
    expect_eq "$m: best value $val of $job starred" "$cell" "$val *"
    expect_eq "$m: exactly one best" "$(printf '%s' "$row" | grep -o ' \*' | wc -l)" 1
done
# a tie: every job logged eval_samples = 5000; all of them are starred, not the first one only
row=$(printf '%s\n' "$s" | grep -E "^[ >] eval_samples \((min|max)\)" | head -1)
expect_match "eval_samples: the same value for the three jobs" "$row" '5000 \*( +5000 \*){2}$'
expect_eq "eval_samples: every tied job starred" "$(printf '%s' "$row" | grep -o ' \*' | wc -l)" 3
expect_match "chart legend names every job" "$s" "$J1.*last"
expect_match "chart legend names every job (2)" "$s" "$J3.*last"
expect_match "chart of the chosen metric, x by step" "$s" 'eval_loss, all jobs \(n/p: metric, 1-9: show/hide, </>: cursor\)  x: step \(x\)'
# the three jobs are completed: fetched once, not followed, and the header does not say otherwise
expect_eq "header: no 'following' for completed jobs" "$(printf '%s\n' "$s" | head -1 | grep -c following)" 0
# the header's sync state keeps moving in the compare view (its age, or a sync starting)
hdr_sync() { tmux_screen | head -1 | grep -Eo '(synced|syncing|throttled|offline)[^ ]*( [0-9]+ [a-z]+ ago)?'; }
h0=$(hdr_sync)
wait_until "the compare view's header sync state updates ($h0)" 10 eval '[ -n "$(hdr_sync)" ] && [ "$(hdr_sync)" != "$h0" ]'

# 1..9 hide and show a job's curve; the legend keeps it, saying hidden; a job not compared is said
tmux_keys 2
tmux_expect "2 hides the second job's curve, and says so" "chart: $J2 hidden \(2 of 3 shown\)" 5
s=$(tmux_screen)
expect_match "the legend says the second job is hidden" "$s" "$J2 +hidden"
expect_match "the chart's title says some jobs are hidden" "$s" 'eval_loss, some jobs hidden'
expect_match "the others keep their figures" "$s" "$J1 +last"
tmux_keys 5
tmux_expect "5 of 3 jobs: said, nothing changes" 'no job 5: comparing 3 jobs' 5
tmux_keys 2
tmux_expect "2 again shows it" "chart: $J2 shown \(3 of 3 shown\)" 5
tmux_wait "$J2 +last" 5
tmux_keys 1 3
tmux_wait "$J3 +hidden" 5
tmux_keys 0
tmux_expect "0 shows every job" 'chart: every job shown' 5
expect_eq "0: no legend line says hidden" "$(tmux_screen | grep -c ' hidden$')" 0

# the tables scroll as a list (tui/list.c): lines cut below get a marker, G shows the last ones
# with a marker above, g goes back; a click on a metric's row charts it
s=$(tmux_screen)
expect_match "the tables are cut below: a marker" "$s" '▼$'
tmux_keys G
tmux_expect "G: the last lines (resources) in view" '^Resources and cost' 5
expect_match "G: lines cut above: a marker" "$(tmux_screen | sed -n 3p)" '▲$'
tmux_keys g
tmux_expect "g: back to the top" '^Hyperparameters' 5
y=$(tmux_screen | grep -nE '^[ >] eval_accuracy \(max\)' | head -1 | cut -d: -f1)
sgr() { tmux_keys -l $'\e'"[<$1;$2;$3M"; tmux_keys -l $'\e'"[<$1;$2;$3m"; }
sgr 0 6 "$y"
tmux_expect "a click on eval_accuracy's row charts it" 'eval_accuracy, all jobs' 5
expect_match "its row is marked" "$(tmux_screen)" '^> eval_accuracy \(max\)'
tmux_keys n n
tmux_wait 'eval_loss, all jobs' 5

# a click on the chart puts a cursor there: its x, and every job's raw value at the nearest point
t=$(tmux_screen | grep -n '^eval_loss, all jobs' | head -1 | cut -d: -f1)
sgr 0 60 $((t + 4))
tmux_expect "a click on the chart: the cursor's step" '^cursor: step [0-9]+' 5
s=$(tmux_screen)
expect_eq "every job reads out a value at a step" "$(printf '%s\n' "$s" | grep -cE "^. ($J1|$J2|$J3) +[0-9.]+ at step [0-9]+")" 3
c1=$(printf '%s\n' "$s" | grep -oE '^cursor: step [0-9]+' | grep -oE '[0-9]+$')
tmux_keys '>' '>' '>' '>' '>' '>'
cursor_right() { local c; c=$(tmux_screen | grep -oE '^cursor: step [0-9]+' | grep -oE '[0-9]+$'); [ -n "$c" ] && [ "$c" -gt "$c1" ]; }
check "> moves the cursor right (from step $c1)" wait_for 5 cursor_right
# the readout is the logged value at the step it names (J1's points, as the CSV has them)
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline metrics $J1 --format csv >"$TMPD/j1.csv" 2>/dev/null
rd=$(tmux_screen | grep -E "^. $J1 +[0-9.]+ at step" | head -1)
rv=$(printf '%s' "$rd" | awk '{print $3}') rstep=$(printf '%s' "$rd" | grep -oE 'at step [0-9]+' | grep -oE '[0-9]+$')
want=$(awk -F, -v s="$rstep" '$2 == "eval_loss" && $4 == s {print $6; exit}' "$TMPD/j1.csv")
expect_eq "the readout is J1's logged eval_loss at step $rstep" "$rv" "$(printf '%.4g' "$want")"
tmux_keys x
tmux_wait 'x: epoch \(x\)' 5
expect_eq "x: the cursor goes" "$(tmux_screen | grep -c '^cursor:')" 0
tmux_keys x x x
tmux_wait 'x: step \(x\)' 5
expect_match "step ticks under the chart" "$s" '^ +[0-9]+ .* step$'

# "best at": the step where each job reached its best (the first one), from the logged points
tmux_keys s s s s
tmux_expect "s reaches best at" 'Metrics: best at' 5
s=$(tmux_screen)
for k in $J1 $J2 $J3; do
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline metrics $k --format csv >"$TMPD/$k.csv" 2>/dev/null
done
row=$(printf '%s\n' "$s" | grep -E "^[ >] eval_loss \(min\)" | head -1)
for k in $J1 $J2 $J3; do
    want=$(pyrun -c '
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["metric"] == "eval_loss"]
best = min(float(r["value"]) for r in rows)
print(next(r["step"] for r in rows if float(r["value"]) == best))' "$TMPD/$k.csv")
    col=$(awk -v h="$cols" -v j="$k" 'BEGIN { print index(h, j) }')
    cell=$(printf '%s' "${row:$((col - 1))}" | awk '{print $1, $2}')
    expect_eq "eval_loss of $k: best at step $want" "$cell" "step $want"
done
tmux_keys s
tmux_wait 'Metrics: best \(' 5

# `sagetop plot` from the same cache: x is the step by default; the cursor reads the value the
# log gave at that step; --x epoch/elapsed/time change the axis; a bad --x is a usage error
P="$SAGETOP --endpoint-url $AWS_ENDPOINT_URL --offline plot $J1 --metric eval_loss --ascii --width 70 --height 12"
out=$($P --cursor 82 2>&1)
expect_match "plot: x by step by default" "$(printf '%s\n' "$out" | head -1)" 'x: step$'
want=$(awk -F, '$2 == "eval_loss" && $4 == 82 {print $6; exit}' "$TMPD/$J1.csv")
expect_match "plot: the cursor at step 82 reads the logged value" "$out" "$(printf '%.4g' "$want" | sed 's/\./\\./') at step 82"
expect_match "plot --x epoch" "$($P --x epoch | head -1)" 'x: epoch$'
expect_match "plot --x epoch ticks at epochs" "$($P --x epoch)" '^ +1\.0 +1\.5 +2\.0'
expect_match "plot --x elapsed ticks as durations" "$($P --x elapsed)" '^ +[0-9]+m +[0-9]+m'
expect_match "plot --x time ticks as clock times" "$($P --x time)" '^ +[0-9]{2}:[0-9]{2} '
$P --x bogus >/dev/null 2>&1; expect_eq "plot --x bogus is a usage error" "$?" 2
tmux_keys x
tmux_expect "x: the chart over epochs" 'x: epoch \(x\)' 5
tmux_keys x
tmux_expect "x: the chart over time since start" 'x: elapsed \(x\)' 5
tmux_keys x
tmux_expect "x: the chart over wall time" 'x: time \(x\)' 5
tmux_keys x
tmux_wait 'x: step \(x\)' 5
tmux_keys v
tmux_expect "resources and cost" '\$[0-9]+\.[0-9]{2}' 5
shot compare-tables
tmux_keys v v

# toggles: sagemaker_* rows, all rows, transpose
tmux_keys i
tmux_expect "i shows the sagemaker_* rows that differ" 'sagemaker_job_name' 5
tmux_keys i a
tmux_expect "a shows the equal rows" 'model_name_or_path' 5
tmux_keys a t
tmux_expect "t transposes the table" 'JOB +epochs +learning_rate' 5
tmux_keys t n
tmux_expect "n picks the next metric for the chart" 'eval_precision, all jobs' 5

# resize redraws
ui_resize 100 30
expect_eq "resize: redrawn to the new width" "$(tmux_screen | LC_ALL=C.UTF-8 wc -L)" 100
expect_match "resize: still shows the table" "$(tmux_screen)" 'learning_rate'
# a table wider than the screen is cut with a marker and scrolls sideways
ui_resize 80 30
hdr() { tmux_screen | grep -E '^  METRIC ' | head -1; }
hdr_scrolled() { tmux_screen | grep -E '^‹' | head -1; }
expect_match "80 columns: the cut METRIC row ends in a marker" "$(hdr)" '›$'
last=$(printf '%s' "$cols" | awk '{print $NF}')    # the METRIC header's last job at 120 columns
expect_eq "80 columns: the last job's column is cut" "$(hdr | grep -c -- "$last")" 0
tmux_keys Right
tmux_expect "Right scrolls the tables: a marker on the left" '^‹' 5
check "Right: the last job's column comes into view" wait_for 5 eval 'hdr_scrolled | grep -q -- "$last"'
tmux_keys Left
tmux_expect "Left scrolls back" '^  METRIC ' 5
tmux_resize 120 40
tmux_keys q
tmux_expect "q goes back to the list" 'jobs \(3\)' 5
render_pngs
finish
