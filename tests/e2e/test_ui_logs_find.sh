#!/bin/bash
# The log view's filter and search over the whole cached log (issue 13): & from the middle of
# the log finds matches above the position, G after it is not empty; a search starts at the
# top line on screen (in follow mode too), n/N wrap at either end and say so; long lines are
# cut with a marker and scroll sideways; the wheel scrolls, Home/End go to either end; ▲/▼ say lines are above or below the screen; s says the lines it wrote; & and the jobs list's / keep
# their own histories; an instance
# toggle says what it did, and a key for an instance the job does not have says so.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start
tmux_keys / '^distilbert-imdb-lr5e5-ep3$' Enter
tmux_wait 'filter: \^dist' 5
tmux_keys g l
tmux_wait 'logs: distilbert-imdb-lr5e5-ep3 +[1-9][0-9]* lines +FOLLOW' 20
tmux_keys g
tmux_wait 'paused' 5
tmux_wait 'No Neurons detected' 5
# markers where lines are cut: at the top of a longer log only ▼ below
expect_match "the log's start: a marker on the last row for lines below" "$(tmux_screen | sed -n 39p)" '▼$'
expect_eq "the log's start: no marker for lines above" "$(tmux_screen | sed -n 3p | grep -c '▲$')" 0

# ---- the list widget's keys: the wheel scrolls 3 lines, End follows, Home goes back ----
row() { tmux_screen | sed -n "$1p" | sed -E 's/ *[▲▼]?$//'; }   # a row, its marker dropped
top0=$(row 3)
row6=$(row 6)
sgr() { tmux_keys -l $'\e'"[<$1;$2;$3M"; tmux_keys -l $'\e'"[<$1;$2;$3m"; }
sgr 65 10 10
wait_until "the wheel scrolls the log down 3 lines" 5 eval '[ "$(row 3)" = "$row6" ]'
expect_match "the wheel leaves the log paused" "$(tmux_screen | sed -n 2p)" 'paused'
sgr 64 10 10
wait_until "the wheel scrolls back up" 5 eval '[ "$(row 3)" = "$top0" ]'
tmux_keys End
tmux_expect "End follows the end of the log" 'FOLLOW' 5
expect_eq "End: the first line is off screen" "$(row 3 | grep -cxF "$top0")" 0
tmux_keys Home
tmux_expect "Home pauses" 'paused' 5
wait_until "Home goes to the first line" 5 eval '[ "$(row 3)" = "$top0" ]'

# ---- & from the middle: the only match is above the screen ----
tmux_keys NPage NPage
wait_until "two pages down, the early lines are off screen" 5 \
    eval '! tmux_has "No Neurons detected"'
wait_until "two pages down: a marker on the first row for lines above" 5 \
    eval 'tmux_screen | sed -n 3p | grep -q "▲$"'
tmux_keys '&' 'Neurons' Enter
tmux_wait '& Neurons' 5
expect_match "& from the middle finds the match above the position" "$(tmux_screen)" 'No Neurons detected'
expect_eq "& says no 'no line matches' while one does" "$(tmux_screen | grep -c 'no line matches')" 0
tmux_keys G
tmux_wait 'FOLLOW +& Neurons' 5
expect_match "G after the filter is not empty" "$(tmux_screen)" 'No Neurons detected'
tmux_keys '&' C-u Enter
wait_until "the filter is cleared" 5 eval '! tmux_has "& Neurons"'

# ---- search in follow mode starts at the top line on screen ----
tmux_keys G
tmux_wait 'FOLLOW' 5
expect_eq "following the end: no marker for lines below" "$(tmux_screen | sed -n 39p | grep -c '▼$')" 0
tmux_keys / "'loss'" Enter
tmux_wait 'paused' 5
expect_eq "a search in follow mode finds the match on screen (no 'no later match')" \
    "$(tmux_screen | grep -c 'no later match\|no match')" 0
# ---- n/N wrap and say so (one match only) ----
tmux_keys / 'Neurons' Enter
tmux_wait 'No Neurons detected' 5
tmux_keys n
tmux_expect "n at the last match wraps to the top and says so" 'search wrapped to the top' 5
expect_match "the match is still on screen after wrapping" "$(tmux_screen)" 'No Neurons detected'
tmux_keys N
tmux_expect "N at the first match wraps to the bottom and says so" 'search wrapped to the bottom' 5

# ---- long lines: cut with a marker, Right/l scrolls sideways, Left/h back ----
tmux_keys g
tmux_wait 'Training Env:' 5
expect_match "a cut line ends with a marker" "$(tmux_screen | grep 'Training Env:')" '›$'
tmux_keys Right l
wait_until "Right/l scroll the lines sideways, a marker on the left" 5 \
    eval 'tmux_screen | grep -q "^ ‹.*channel_input_dirs"'
tmux_keys Left h
wait_until "Left/h scroll back" 5 eval 'tmux_screen | grep -q "^ Training Env:"'

# ---- s says the lines the file has (events with newlines are several lines) ----
tmux_keys s
tmux_wait 'save to: ' 5
tmux_keys C-u "$TMPD/saved.log" Enter
tmux_wait 'saved [0-9]+ lines to' 5
said=$(tmux_screen | tail -1 | sed -n 's/.*saved \([0-9]*\) lines.*/\1/p')
events=$("$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline logs distilbert-imdb-lr5e5-ep3 --format json 2>/dev/null | wc -l)
expect_eq "s says the number of lines in the file" "$said" "$(wc -l <"$TMPD/saved.log")"
[ "${said:-0}" -gt "${events:-0}" ] && ok "the log has events with newlines ($events events, $said lines)" ||
    not_ok "the log has events with newlines" "$events events, $said lines"

# ---- instance toggles say what they did ----
tmux_keys 3
tmux_expect "3 on a one-instance job says so" 'no instance 3: this job has 1 instance' 5
tmux_keys 1
tmux_expect "hiding the only instance says it stays" 'only instance shown: it stays' 5

# ---- the jobs / filter and the logs & filter keep separate histories ----
tmux_keys q
tmux_wait 'jobs \(' 5
tmux_keys / C-u
tmux_wait '^/ *$' 5
tmux_keys Up
jobs_recalled() { tmux_screen | tail -1 | grep -Eq '^/ ?[^ ]'; }
wait_until "/ Up recalls an entry" 5 jobs_recalled
expect_match "/ Up in the jobs list recalls the jobs filter, not the logs' & filter" \
    "$(tmux_screen | tail -1)" '^/ ?\^distilbert-imdb-lr5e5-ep3\$'
tmux_keys C-u Escape q
tmux_dead 10
finish
