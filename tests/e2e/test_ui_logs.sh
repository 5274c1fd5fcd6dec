#!/bin/bash
# Job detail and log view: a failed job's reason, a running job's log growing while the user
# scrolls, a metric readout that never covers a line's end, search highlighting, the & filter,
# and an escape sequence planted in a log line arriving inert.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start

# --- detail of a failed job
tmux_keys / 'status:Failed' Enter
tmux_wait 'filter: status:Failed' 5
tmux_keys g Enter
tmux_expect "Enter opens the detail" 'detail: ' 5
tmux_wait 'reason +[^ (]' 15
s=$(tmux_screen)
expect_match "detail shows the failure section" "$s" '^ Failure'
expect_match "detail shows the failure reason" "$s" 'reason +[A-Za-z]'
expect_match "detail shows the status timeline" "$s" 'Status timeline'
expect_match "detail status is Failed" "$s" 'status +Failed'
# (screenshots/detail-failed: tests/e2e/test_ui_detail.sh)
tmux_keys G
tmux_expect "G scrolls the detail" 'Hyperparameters|Metrics' 5
tmux_keys q Escape
tmux_wait 'jobs \(4[0-9]\)  sort' 5

# --- log view of a running job
tmux_keys / '^live-distilbert-imdb$' Enter
tmux_wait 'filter: \^live' 5
tmux_keys g l
tmux_expect "l opens the log in follow mode" 'logs: live-distilbert-imdb +[1-9][0-9]* lines +FOLLOW' 20
count() { tmux_screen | sed -n 's/.*logs: [^ ]* *\([0-9]*\) lines.*/\1/p'; }
more_than() { n=$(count); [ "${n:-0}" -gt "$1" ]; }
# A log row as text: the gutter (a metric mark or a space) and the metric readout on the right
# dropped, cut to 60 characters; the cache's lines (sagetop logs: "algo-1 TEXT") the same way.
row_text() { tmux_screen | sed -n "$1p" | LC_ALL=C.UTF-8 sed -E 's/^.//; s/ {3,}[a-z_]+=[^ ]*$//' | LC_ALL=C.UTF-8 cut -c1-60; }
cached_line() {   # cached_line first|last
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline logs live-distilbert-imdb 2>/dev/null |
        { if [ "$1" = first ]; then head -1; else tail -1; fi; } |
        LC_ALL=C.UTF-8 sed 's/^algo-1 //' | LC_ALL=C.UTF-8 cut -c1-60
}
at_bottom() { [ "$(row_text 39)" = "$(cached_line last)" ]; }
n1=$(count)
last1=$(tmux_screen | sed -n '39p')
wait_for 20 more_than "${n1:-0}"
n2=$n
[ "${n2:-0}" -gt "${n1:-0}" ] && ok "new lines arrive while following ($n1 -> $n2)" \
    || not_ok "new lines arrive while following" "$n1 -> $n2"
# the cache's newest line is on the bottom row (the two agree between two polls of the log)
wait_until "the newest line is at the bottom in follow mode" 10 at_bottom &&
    ok "the newest line is at the bottom in follow mode ($(row_text 39 | cut -c1-30)…)"
[ "$(tmux_screen | sed -n '39p')" != "$last1" ] && ok "the screen follows the new lines" \
    || not_ok "the screen follows the new lines" "$last1"
shot logs-follow

# at 60 columns a metric readout keeps its own place: the text is cut with a marker before it
# (tmux_resize: the footer's start changes with the width, which ui_resize does not expect)
tmux_resize 60 40
wait_until "the log is drawn at 60 columns" 10 eval '[ "$(screen_width)" -le 60 ] && tmux_has "FOLLOW"'
readouts() { tmux_screen | sed -n '3,39p' | grep -E '[a-z_]+=[0-9.e+-]+$'; }
wait_until "60 columns: metric readouts on screen" 10 eval '[ -n "$(readouts)" ]'
expect_eq "60 columns: no readout covers its line's text (a marker or blanks before it)" \
    "$(readouts | grep -cvE '(›|  ) +[a-z_]+=[0-9.e+-]+$')" 0
expect_match "60 columns: a long line with a readout is cut with a marker" "$(readouts)" '›  +[a-z_]+='
tmux_resize 120 40
wait_until "the log is drawn at 120 columns" 10 eval '[ "$(screen_width)" -gt 100 ] && tmux_has "FOLLOW"'

# scroll up: the view stays put while more lines arrive
tmux_keys k k k k k
tmux_expect "scrolling up pauses follow" 'paused' 5
top1=$(tmux_screen | sed -n '3p')
n3=$(count)
wait_for 20 more_than "${n3:-0}"
n4=$n
[ "${n4:-0}" -gt "${n3:-0}" ] && ok "lines keep arriving while scrolled ($n3 -> $n4)" \
    || not_ok "lines keep arriving while scrolled" "$n3 -> $n4"
expect_eq "the scrolled view does not jump" "$(tmux_screen | sed -n '3p')" "$top1"
top_is_first() { [ "$(row_text 3)" = "$(cached_line first)" ]; }
tmux_keys g
wait_until "g goes to the first line" 5 top_is_first &&
    ok "g goes to the first line ($(row_text 3 | cut -c1-30)…)"
expect_match "g leaves follow paused" "$(tmux_screen | sed -n 2p)" 'paused'
tmux_keys G
tmux_expect "G follows again" 'FOLLOW' 5

# search highlights every match; n moves to the next one
tmux_keys / 'epoch' Enter
epoch_highlighted() { screen_e | grep -Eq $'\e\\[[0-9;]*m(epoch)\e\\['; }
wait_until "the search for /epoch/ is drawn" 5 epoch_highlighted
e=$(screen_e)
expect_match "search highlights matches" "$e" $'\e\\[[0-9;]*m(epoch)\e\\['
expect_match "search jumped to a matching line" "$(tmux_screen)" 'epoch'
shot logs-search
tmux_keys n
expect_match "n keeps a match on screen" "$(tmux_screen)" 'epoch'

# & filter: only matching lines
tmux_keys '&' 'loss' Enter
tmux_wait '& loss' 5
others=$(tmux_screen | sed -n '3,39p' | grep -v '^ *$' | grep -vc 'loss')
expect_eq "& keeps only matching lines" "$others" 0
tmux_keys '&' C-u Enter
tmux_wait 'logs: live-distilbert-imdb +[0-9]+ lines +[a-zA-Z]' 5

# an escape sequence planted in a log line is drawn inert
tmux_keys G
emu_ctl logs '{"job":"live-distilbert-imdb","lines":["PLANTED \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 \u001b[2J END \u009b31m x"]}' >/dev/null \
    || not_ok "planting a log line" "control API refused"
tmux_expect "the planted line arrives" 'PLANTED' 20
line=$(tmux_screen | grep 'PLANTED')
expect_match "escape sequences are stripped from the text" "$line" 'PLANTED RED +END'
expect_eq "no escape residue is drawn" "$(echo "$line" | grep -c '\[31m\|\]0;\|pwned')" 0
eline=$(screen_e | grep 'PLANTED')
expect_eq "RED is not drawn in red" "$(printf '%s' "$eline" | grep -c $'\e\\[31m\\|\e\\[38;5;1m\\|\e\\[91m')" 0
title=$(tmux -L "$_tmux_sock" display -p -t t '#{pane_title}')
[ "$title" != pwned ] && ok "the window title was not changed" || not_ok "the window title was not changed" "$title"
expect_match "the screen was not cleared by the planted line" "$(tmux_screen | head -1)" 'sagetop'
shot logs-planted

tmux_keys Q
tmux_expect "Q quits" 'Pane is dead \(status 0' 10
render_pngs
finish
