#!/bin/bash
# The `:` line and the prompts: an invalid command changes nothing (`:sort bogus`, `:region`
# with a partial or unknown name, `:profile` with an unknown one) and says why; each prompt kind
# keeps its own history, so `:` Up recalls the last command after the log view's `/`, `&`, `s`
# and `T` prompts were opened. `y`, `Y` and `o` copy the job's name, ARN and console URL through
# OSC 52 (read back from tmux's buffer with set-clipboard on). Typing in the region picker
# filters it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start

# --- each prompt kind keeps its own history: the list's `/` and the log view's `/`, `s`, `T`
# prompts are opened first, then `:` Up still recalls the commands
tmux_keys / Escape
tmux_keys g l
tmux_wait 'logs: ' 10
tmux_keys / Escape
tmux_keys s Escape
tmux_keys T Escape
tmux_keys q
tmux_wait 'jobs \(4[0-9]\)' 5
tmux_keys : 'sort status' Enter
tmux_wait 'jobs \(4[0-9]\)  sort: status' 5
tmux_keys : Up
tmux_expect ": Up recalls the last command after four other prompt kinds" '^:sort status' 5
tmux_keys Escape

# --- y / Y / o: OSC 52 copies land in tmux's paste buffer
tmux -L "$_tmux_sock" set -g set-clipboard on
buf() { tmux -L "$_tmux_sock" show-buffer 2>/dev/null; }
buf_is() { [ "$(buf)" = "$1" ]; }
buf_starts() { [[ $(buf) == "$1"* ]]; }
tmux_keys g y
tmux_expect "y says what it copied" 'copied name: [a-z]' 5
name=$(tmux_screen | sed -n 's/.*copied name: \([^ ]*\).*/\1/p' | head -1)
expect_match "the selected job's name" "$name" '^[a-z][a-z0-9-]+$'
wait_until "y puts the job name in the clipboard" 5 buf_is "$name"
expect_eq "the clipboard holds the job name" "$(buf)" "$name"
tmux_keys Y
tmux_expect "Y says it copied the ARN" 'copied ARN: arn:' 5
wait_until "Y puts the ARN in the clipboard" 5 buf_starts arn:
expect_match "the clipboard holds the job ARN" "$(buf)" "^arn:aws:sagemaker:us-east-1:[0-9]{12}:training-job/$name\$"
tmux_keys o
tmux_expect "o shows the console URL" 'copied https://us-east-1\.console\.aws\.amazon\.com/sagemaker' 5
wait_until "o puts the URL in the clipboard" 5 buf_starts https:
expect_eq "the clipboard holds the console URL" "$(buf)" \
    "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/$name"

# --- :sort with an unknown key: refused with the list of keys, the list and its sort unchanged
tmux_keys : 'sort bogus' Enter
tmux_expect ":sort bogus says the key is unknown" "unknown sort key 'bogus'" 5
s=$(tmux_screen)
expect_match ":sort bogus keeps the sort and the count" "$s" 'jobs \(4[0-9]\)  sort: status'
expect_match ":sort bogus keeps the job rows" "$(first_row)" '[a-z].*(Completed|InProgress|Failed|Stopped)'
tmux_keys : 'sort name sideways' Enter
tmux_expect ":sort with a bad direction is refused" 'usage: :sort COLUMN \[desc\|asc\]' 5
expect_match "the bad direction keeps the sort" "$(tmux_screen)" 'jobs \(4[0-9]\)  sort: status'
tmux_keys : 'sort name' Enter
tmux_expect "a valid :sort still sorts" 'jobs \(4[0-9]\)  sort: name' 5

# --- :region: Tab completes only to known regions; Enter on a partial name is refused
tmux_keys : 'region us-ea' Tab Enter
tmux_expect ":region us-east- is refused" "unknown region 'us-east-'" 5
expect_match "the region stays us-east-1" "$(tmux_screen | head -1)" 'us-east-1'
tmux_keys : 'region mars-north-9' Enter
tmux_expect "an unknown region is refused" "unknown region 'mars-north-9'" 5
tmux_keys : 'profile nobody-has-this' Enter
tmux_expect "an unknown profile is refused" "unknown profile 'nobody-has-this'" 5
expect_match "the header keeps profile and region" "$(tmux_screen | head -1)" 'default@[0-9]+ us-east-1'

tmux_keys : Up Up
tmux_expect ": Up Up goes further back in the command history" "^:region mars-north-9" 5
tmux_keys Escape

# --- the region picker: typing filters it (k9s) and never reaches the list below; Backspace
# widens it again, Esc clears the filter, then closes
tmux_keys E
tmux_wait 'region \(type to filter\)' 5
box_items() { tmux_screen | grep -oE '[│x] [a-z]{2}(-gov)?-[a-z]+-[0-9] ' | awk '{ print $2 }'; }
tmux_keys n o r t h
tmux_expect "typing filters the picker and says how many are shown" 'region: north \(6 of 32\)' 5
expect_eq "only regions holding 'north' are shown" "$(box_items | grep -vc north)" 0
expect_eq "all six of them" "$(box_items | grep -c north)" 6
expect_match "the list below got no key" "$(tmux_screen | sed -n 2p)" 'jobs \(4[0-9]\)  sort: name'
tmux_keys Down Down
tmux_keys BSpace BSpace BSpace BSpace BSpace
tmux_expect "Backspace widens the filter back to every region" 'region \(type to filter' 5
tmux_keys q w
tmux_expect "q is typed into the filter, it does not quit" 'region: qw \(0 of 32\)' 5
expect_match "no match says so" "$(tmux_screen)" 'no match'
tmux_keys Escape
tmux_expect "Esc clears the filter first" 'region \(type to filter' 5
tmux_keys Escape
wait_until "a second Esc closes the picker" 5 eval '! tmux_has "type to filter"'
expect_match "the region is unchanged" "$(tmux_screen | head -1)" 'default@[0-9]+ us-east-1'
finish
