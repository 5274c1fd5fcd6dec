#!/bin/bash
# --read-only hides and refuses stop/launch; --no-color draws without colour escapes; --no-mouse
# leaves the terminal's mouse reporting off; a pipe gets a text summary instead of the UI.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start --read-only --no-color --no-mouse
s=$(tmux_screen)
mouse_flags() { tmux -L "$_tmux_sock" display -p -t t '#{mouse_any_flag}#{mouse_button_flag}#{mouse_standard_flag}'; }
expect_eq "no-mouse: the terminal's mouse reporting stays off" "$(mouse_flags)" 000
expect_eq "read-only: the footer has no stop key" "$(echo "$s" | tail -1 | grep -c ' x stop')" 0
tmux_keys '?'
tmux_wait 'keys: jobs' 5
expect_eq "read-only: the help lists no stop or launch" "$(tmux_screen | grep -cE 'stop this job|launch a new job')" 0
tmux_keys Escape
tmux_keys x
tmux_expect "read-only: x is refused with a message" '^read-only' 5
expect_eq "no-color: no colour escapes on screen" "$(screen_e | grep -cE $'\e\\[(3[0-7]|4[0-7]|38;5|48;5)')" 0
shot jobs-nocolor
tmux_keys q
tmux_expect "q quits" 'Pane is dead \(status 0' 10

out=$("$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" </dev/null | head -3)
expect_match "without a terminal, a jobs summary is printed" "$out" 'jobs? in the cache'
render_pngs
finish
