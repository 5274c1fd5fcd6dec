#!/bin/bash
# sagetop plot, headless, on the long CSV of `sagetop metrics --format csv` (no emulator needed):
# the chart code it shares with the TUI keeps raw values on the markers and the last-value label
# under an EMA, draws a constant series as a flat line in the middle with more than one y label,
# and names an epoch-only series' axis "epoch" (issue 13, items 3 to 5).
source "$SAGETOP_TOP/tests/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
P() { "$SAGETOP" plot --glyphs braille --width 60 --height 16 "$@"; }
H='job,metric,timestamp,step,epoch,value'

# item 3: a 4-point eval series, smoothed on request: labels and markers read the raw values
{ echo "$H"
  echo 'j1,eval_loss,2026-12-01T00:00:00Z,100,1,0.3'
  echo 'j1,eval_loss,2026-12-01T00:10:00Z,200,2,0.25'
  echo 'j1,eval_loss,2026-12-01T00:20:00Z,300,3,0.2'
  echo 'j1,eval_loss,2026-12-01T00:30:00Z,400,4,0.173'; } >"$TMPD/eval.csv"
out=$(P --csv "$TMPD/eval.csv" --metric eval_loss 2>&1)
expect_match "no EMA unless asked: no smoothed line" "$out" '^⣿ j1 +last 0\.173  min 0\.173  max 0\.3$'
expect_eq "no EMA unless asked: one legend line" "$(printf '%s\n' "$out" | grep -c '^⣿')" 1
out=$(P --csv "$TMPD/eval.csv" --metric eval_loss --ema 0.6 2>&1)
expect_match "--ema: the ◂ label is the raw last value" "$out" '◂0\.173$'
expect_match "--ema: the legend's figures are raw" "$out" 'j1 +last 0\.173  min 0\.173  max 0\.3'
expect_match "--ema: the smoothed line is named EMA 0.6" "$out" '^⣿ j1 EMA 0\.6$'
expect_eq "--ema: no smoothed value (0.192...) is shown" "$(printf '%s\n' "$out" | grep -c '0\.19')" 0

# item 4: a constant series is one flat row in the middle, with several y labels
{ echo "$H"
  for i in 1 2 3 4; do echo "j1,samples_per_second,2026-12-01T00:0$i:00Z,$i,,772.639"; done; } \
    >"$TMPD/flat.csv"
for ema in 0 0.6; do
    out=$(P --csv "$TMPD/flat.csv" --metric samples_per_second --ema $ema --no-legend 2>&1)
    plot=$(printf '%s\n' "$out" | sed -n '2,13p')      # the plot's rows (title above, axis below)
    # rows holding a braille dot (U+2801..U+28FF: E2 A0..A3 xx in UTF-8)
    rows=$(printf '%s\n' "$plot" | LC_ALL=C grep -n $'\xe2[\xa0-\xa3]' | cut -d: -f1 | tr '\n' ' ')
    expect_match "ema $ema: the constant series is drawn on one row" "$rows" '^[0-9]+ $'
    r=${rows% }
    check "ema $ema: that row is the middle of the plot (row $r of 12)" test "$r" -ge 5 -a "$r" -le 8
    expect_match "ema $ema: more than one y label" "$(printf '%s\n' "$plot" | grep -c '┤')" '^[2-9]$'
    expect_match "ema $ema: the value is labelled" "$out" '◂772\.6$'
done

# item 5: a metric logged per epoch without steps is drawn over epochs and says so
{ echo "$H"
  for i in 1 2 3 4; do echo "j1,eval_loss,2026-12-01T00:0$i:00Z,,$i,0.$((5 - i))"; done; } \
    >"$TMPD/epoch.csv"
out=$(P --csv "$TMPD/epoch.csv" --metric eval_loss 2>&1)
expect_match "epoch-only: drawn (default x)" "$out" 'last 0\.1'
expect_match "epoch-only: the axis is named epoch" "$out" 'epoch$'
expect_eq "epoch-only: never named step" "$(printf '%s\n' "$out" | grep -c 'step')" 0
out=$(P --csv "$TMPD/epoch.csv" --metric eval_loss --x step 2>&1)
expect_match "an explicit --x step still says there is none" "$out" 'no rows.* with a step'
finish
