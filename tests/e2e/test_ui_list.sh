#!/bin/bash
# The list widget in the job list and the frame (issue 13): every filter term holds; at 80
# columns the sync state stays and the eval columns outrank SECONDARY, with a marker and
# Right/Left for the columns cut; :cols additions that do not fit say so; names cut in the
# middle; the footer keeps the global keys at 80 and 60 columns; rows cut get a marker; Home/End (as tmux sends them) in the list and the help; F1
# help scrolls with a marker, F10 quits; the mouse (SGR
# escapes typed into the pane, as a terminal sends them) selects, scrolls and sorts.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start

# ---- jobs filter: every term holds ----
tmux_keys / 'live imdb' Enter
tmux_wait 'filter: live imdb' 5
expect_match "two name terms: both hold (only live-distilbert-imdb)" \
    "$(tmux_screen | sed -n 2p)" '^jobs \(1\) '
expect_match "two name terms: the job is listed" "$(first_row)" 'live-distilbert-imdb'
tmux_keys Escape
tmux_wait 'jobs \(4[0-9]\)  sort' 5
# (names are cut in the middle on screen: count through the title)
count() { tmux_screen | sed -n 2p | sed -E 's/^jobs \(([0-9]+)\).*/\1/'; }
tmux_keys / 'imdb' Enter
tmux_wait 'filter: imdb$' 5
n_imdb=$(count)
tmux_keys / C-u 'imdb !lr' Enter
tmux_wait 'filter: imdb !lr' 5
n_both=$(count)
expect_eq "imdb !lr: the imdb jobs but the four distilbert-imdb-lr* ones" "$n_both" "$((n_imdb - 4))"
rows=$(tmux_screen | sed -n '4,38p' | grep -E 'Completed|Failed|Stopped|InProgress')
expect_eq "imdb !lr: no job with lr" "$(printf '%s\n' "$rows" | grep -c -- '-lr')" 0
expect_match "imdb !lr: the imdb jobs without lr stay" "$rows" 'live-distilbert-imdb'
tmux_keys Escape
tmux_wait 'jobs \(4[0-9]\)  sort' 5

# ---- mouse: click selects a row, the wheel scrolls, a click on a heading sorts ----
sgr() { tmux_keys -l $'\e'"[<$1;$2;$3M"; tmux_keys -l $'\e'"[<$1;$2;$3m"; }
mouse_flags() { tmux -L "$_tmux_sock" display -p -t t '#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}'; }
expect_match "the mouse is on by default (--no-mouse turns it off: test_ui_readonly.sh)" "$(mouse_flags)" '1'
row6=$(tmux_screen | sed -n 6p | awk '{print $1}')
sgr 0 10 6
tmux_keys Enter
tmux_expect "a click selects the row (Enter opens it)" "detail: $row6|detail .*$row6" 10
tmux_keys q
tmux_wait '^  NAME' 5
sgr 0 4 3
tmux_expect "a click on NAME sorts by name" 'sort: name' 5
sgr 65 10 10
sgr 65 10 10
wait_until "the wheel scrolls the list down" 5 screen_rows_match 4 '^ +[^ ]'
top_after=$(first_row | awk '{print $1}')
tmux_keys g
tmux_wait 'sort: name' 5
expect_eq "the wheel moved the first row on screen" "$([ "$top_after" != "$(first_row | awk '{print $1}')" ] && echo moved)" moved
tmux_keys : 'sort created desc' Enter
tmux_wait 'sort: created desc' 5

# ---- rows cut: a marker at the bottom right ----
expect_match "rows below the screen: a marker on the last row" "$(tmux_screen | sed -n 39p)" '▼$'
tmux_keys G
tmux_wait 'sort: created desc' 5
expect_match "at the end: a marker on the first row for rows above" "$(tmux_screen | sed -n 4p)" '▲$'
tmux_keys g
wait_until "g goes back to the first job" 5 eval '! tmux_screen | sed -n 4p | grep -q "▲$"'
# Home/End as a terminal in tmux sends them (not g/G)
last_job=$(tmux_screen | sed -n 39p | awk '{print $1}')
tmux_keys End
wait_until "End goes to the last job: a marker for rows above" 5 eval 'tmux_screen | sed -n 4p | grep -q "▲$"'
expect_eq "End: the list view stays (End is no Escape)" "$(tmux_screen | sed -n 2p | grep -c 'sort: created desc')" 1
tmux_keys Home
wait_until "Home goes back to the first job" 5 eval '! tmux_screen | sed -n 4p | grep -q "▲$"'
expect_match "Home: rows below again" "$(tmux_screen | sed -n 39p)" '▼$'
expect_eq "Home: the screen is the first page again" "$(tmux_screen | sed -n 39p | awk '{print $1}')" "$last_job"

# ---- 80 columns: sync state stays, EVAL outranks SECONDARY, names cut in the middle ----
ui_resize 80 24
s=$(tmux_screen)
expect_match "80 columns: the header keeps the sync state" "$(echo "$s" | sed -n 1p)" 'synced [0-9]+ (s|min) ago'
expect_match "80 columns: EVAL_LOSS is shown" "$(echo "$s" | sed -n 3p)" 'EVAL_LOSS'
expect_eq "80 columns: SECONDARY is dropped" "$(echo "$s" | sed -n 3p | grep -c SECONDARY)" 0
expect_match "80 columns: a marker says columns are cut" "$(echo "$s" | sed -n 3p)" '›$'
expect_match "a long name is cut in the middle, its end kept" "$s" '…[0-9-]*[0-9]{2}-[0-9]{2}-[0-9]{3} '
tmux_keys Right
wait_until "Right brings the cut columns in" 5 screen_rows_match 3 'SECONDARY|INSTANCE|SPOT'
expect_match "after Right: a marker says columns are cut on the left" "$(tmux_screen | sed -n 3p)" '^‹'
tmux_keys Left
wait_until "Left scrolls back" 5 screen_rows_match 3 '^  NAME +STATUS'
tmux_keys : 'cols +hp.learning_rate +hp.epochs +hp.train_batch_size' Enter
tmux_expect ":cols addition that does not fit says so" 'does not fit in [0-9]+ columns' 5
tmux_keys : 'cols reset' Enter
tmux_wait 'columns saved' 5

# ---- the footer at 80 and 60 columns: the global keys stay, a cut footer has a marker ----
footer_has_globals() { tmux_screen | tail -1 | grep -Eq '\?/F1 help +: cmd +q quit *$'; }
wait_until "80 columns: the footer ends with ? help, : cmd and q quit" 10 footer_has_globals
expect_match "80 columns: the footer starts with the view's keys" "$(tmux_screen | tail -1)" '^Enter detail'
ui_resize 60 24
wait_until "60 columns: the footer keeps ? help, : cmd and q quit" 5 footer_has_globals
expect_match "60 columns: the cut footer has a marker before the global keys" \
    "$(tmux_screen | tail -1)" '… +\?/F1 help'
ui_resize 80 24

# ---- help: F1 opens, scrolls with a marker, F10 quits ----
tmux_keys F1
tmux_expect "F1 opens the help" 'keys: jobs' 5
expect_match "the help says it scrolls" "$(tmux_screen)" 'keys: jobs \(j/k PgDn/PgUp scroll'
expect_match "the help's cut rows have a marker" "$(tmux_screen)" '▼ more'
tmux_keys G
wait_until "G scrolls the help to its end" 5 tmux_has '▲ more'
expect_match "the end of the help shows the last global key" "$(tmux_screen)" 'E +pick a region'
tmux_keys Home
wait_until "Home scrolls the help back to its top" 5 eval '! tmux_has "▲ more"'
expect_match "Home: the help's first rows again, cut below" "$(tmux_screen)" '▼ more'
tmux_keys End
wait_until "End scrolls the help to its end" 5 tmux_has '▲ more'
expect_match "End: the last global key" "$(tmux_screen)" 'E +pick a region'
tmux_keys F10
tmux_dead 10
expect_match "F10 quits" "$(tmux_screen)" 'Pane is dead \(status 0'
finish
