#!/bin/bash
# The launch form's navigation and what it reports before submit: g and G go to the
# first and last field; in the review they show the request's first and last lines; an emptied
# entry point is a problem on the form ("N problems"), not "ready".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

FOOTER='^Enter edit field'
last_row_is() { screen_rows_match 40 "$1"; }
prompt_wait() { wait_until "the prompt /$1/ on the last row" 5 last_row_is "$1"; }

ui_start
tmux_keys n
tmux_expect "n opens the form" 'New Hugging Face estimator' 10 || finish
tmux_expect "the default form is ready" '0 problems' 5

# G: the last field (Enter edits it: its name is the prompt's label)
tmux_keys G Enter
prompt_wait '^[a-z_.]+:( |$)'
last=$(tmux_screen | sed -n '40s/^\([a-z_.]*\):.*/\1/p')
expect_match "G goes to a field past the first ones" "$last" '^[a-z_.]+$'
tmux_keys Escape
prompt_wait "$FOOTER"
tmux_keys g Enter
tmux_expect "g goes back to the first field (name)" '^name:( |$)' 5
expect_eq "G went to another field than g" "$([ "$last" != name ] && echo differs)" differs
tmux_keys Escape
prompt_wait "$FOOTER"
# the review: G shows the request's last line, g its first
tmux_keys v
tmux_expect "v reviews" 'Review: the exact CreateTrainingJob request' 5
expect_match "the review starts at the request's first line" "$(tmux_screen | sed -n 4p)" '^ \{$'
# 20 rows: the request is longer than the screen
ui_resize 120 20
expect_eq "the request's end is below the screen" "$(tmux_screen | grep -c '^ }$')" 0
tmux_keys G
tmux_expect "G in the review shows the request's last line" '^ \}$' 5
expect_match "G keeps the last page full (no blank row above the footer)" \
    "$(tmux_screen | sed -n 18p)" '^ +[^ ]'
tmux_keys j j j
expect_match "j past the end keeps the last line in place" "$(tmux_screen | sed -n 18,19p)" '^ \}'
tmux_keys g
tmux_expect "g in the review shows the first line again" '^ \{$' 5
expect_match "the first line is the row below the title" "$(tmux_screen | sed -n 4p)" '^ \{$'
ui_resize 120 40
tmux_keys Escape

# an emptied entry point is a problem before submit
tmux_keys g j j Enter
tmux_expect "the third field is entry_point" '^entry_point: ' 5
tmux_keys C-u Enter
prompt_wait "$FOOTER"
tmux_expect "an empty entry point is a problem" 'entry_point .*required' 5
expect_match "the form counts it" "$(tmux_screen)" '[1-9][0-9]* problems?'
tmux_keys s
tmux_expect "s refuses to submit with the problem" 'fix the [1-9][0-9]* problems? first' 5
finish
