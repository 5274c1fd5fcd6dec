#!/bin/bash
# The launch form's navigation and what it reports before submit: g and G go to the
# first and last field; in the review they show the request's first and last lines; an emptied
# or missing entry point (not in source_dir) is a problem on the form ("N problems"), not
# "ready"; a hyperparameter typed as text where a number is meant (learning_rate=abc) is one too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
. "$(dirname "$0")/launch_lib.sh"


# $PAGER: a recorder named less (its argv and a copy of the file), for the review's `|`
mkdir -p "$TMPD/bin"
cat >"$TMPD/bin/less" <<SH
#!/bin/sh
printf '%s\n' "\$@" >"$TMPD/args.tmp"
for f; do :; done
cp "\$f" "$TMPD/copy"
mv "$TMPD/args.tmp" "$TMPD/args"
SH
chmod +x "$TMPD/bin/less"
export PAGER="$TMPD/bin/less"
SRC=$TMPD/src
mkdir -p "$SRC"
printf 'print("hello")\n' >"$SRC/train.py"

ui_start
tmux_keys n
tmux_expect "n opens the form" 'New Hugging Face estimator' 10 || finish
# the footer keeps submit, and a key that does not fit is not cut inside: "…" stands for it,
# and the global keys stay after it
expect_match "the form's footer: submit, and … for keys that do not fit" "$(tmux_screen | tail -1)" \
    '^Enter edit field +a add hp/input/metric/env +d remove entry +v review JSON +s submit +… +\?/F1 help +: cmd +q back$'
# the default entry point (train.py) is not in the directory sagetop runs in: a problem now,
# not a failure at submit
tmux_expect "a missing entry point is a problem on the form" \
    'entry_point +train\.py .*no file train\.py in /' 5
expect_match "the form counts it" "$(tmux_screen)" '^1 problem$'
expect_eq "the form does not say ready" "$(tmux_screen | grep -c 'ready: v review')" 0
tmux_keys v
tmux_expect "v refuses to review with the problem" 'fix the 1 problem first \(entry_point: no file' 5
# source_dir (the fourth field) holds it: ready
tmux_keys g j j j
edit "$SRC"
tmux_expect "with its source_dir the entry point is found" '^0 problems' 5
expect_match "the form says ready" "$(tmux_screen | sed -n 2,3p)" 'ready: v review, s submit'
tmux_keys k
edit nope.py
tmux_expect "an entry point that is not in source_dir is a problem" \
    "entry_point +nope\.py .*no file nope\.py in source_dir" 5
edit train.py
tmux_expect "back to train.py: ready again" '^0 problems' 5

# text where a number is meant: said next to the field, and counted
add "hp.learning_rate=abc"
tmux_expect "learning_rate=abc is flagged with what the SDK would send" \
    "hp\.learning_rate +abc .*'abc' is not a number: the SDK would send the string \"abc\"" 5
expect_match "the count is true" "$(tmux_screen)" '^1 problem$'
expect_match "the whole message is under the count" "$(tmux_screen)" \
    "^  'abc' is not a number: the SDK would send the string \"abc\", and the Hugging Face scripts parse"
add "hp.learning_rate=5e-5"
tmux_expect "a number clears it" '^0 problems' 5
add 'hp.learning_rate="abc"'
tmux_expect "quoted, a string is taken as meant" '^0 problems' 5
add "hp.learning_rate=3e-5"
tmux_wait '^0 problems' 5
add "hp.long_text=AAAA-start-mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm-end-ZZZZ"
tmux_wait 'hp\.long_text' 5

# PgDn: a page of fields down
tmux_keys g NPage Enter
prompt_wait '^[a-z_.]+:( |$)'
expect_eq "PgDn moves a page of fields down" "$(tmux_screen | sed -n '40s/^\([a-z_.]*\):.*/\1/p' | grep -c '^name$')" 0
tmux_keys Escape
prompt_wait "$FOOTER"

# G: the last field (Enter edits it: its name is the prompt's label)
tmux_keys G Enter
prompt_wait '^[a-z_.]+:( |$)'
last=$(tmux_screen | sed -n '40s/^\([a-z_.]*\):.*/\1/p')
expect_match "G goes to a field past the first ones" "$last" '^[a-z_.]+$'
tmux_keys Escape
prompt_wait "$FOOTER"
# (Home/End: tests/unit/test_tui_form.c; tmux's Home is not xterm's in this pane)
tmux_keys G g Enter
tmux_expect "g goes back to the first field (name)" '^name:( |$)' 5
expect_eq "G went to another field than g" "$([ "$last" != name ] && echo differs)" differs
tmux_keys Escape
prompt_wait "$FOOTER"
# the review: G shows the request's last line, g its first
tmux_keys v
tmux_expect "v reviews" 'Review: the exact CreateTrainingJob request' 5
expect_match "the review starts at the request's first line" "$(tmux_screen | sed -n 4p)" '^ \{$'
expect_match "the review's footer shows the review's keys" "$(tmux_screen | tail -1)" \
    '^j/k scroll +g/G top / end +s submit +e edit in \$EDITOR +\| whole request in \$PAGER'
expect_eq "the review's footer has none of the form's keys" "$(tmux_screen | tail -1 | grep -c 'edit field\|add hp')" 0
# a value wider than the screen: cut in the middle, both ends shown, the cut said
for i in 1 2 3 4 5 6; do tmux_poll 'long_text' 1 && break; tmux_keys NPage; done
expect_match "a long value is cut in the middle with a marker" "$(tmux_screen)" \
    '"long_text": .*AAAA-start-m+…m+-end-ZZZZ'
expect_match "the cut is said, with the way to see it whole" "$(tmux_screen)" \
    '…: a value too wide, cut in the middle; \| shows the whole request in \$PAGER'
tmux_keys '|'
have_args() { [ -s "$TMPD/args" ]; }
wait_until "| in the review runs the pager" 10 have_args
expect_eq "the pager has the whole value" "$(grep -c -- '-start-m\{150\}-end-ZZZZ' "$TMPD/copy")" 1
expect_match "the pager starts at the review's top line" "$(head -1 "$TMPD/args")" '^\+[0-9]+$'
tmux_wait 'Review: the exact' 5
tmux_keys g
tmux_wait '^ \{$' 5
# 80 columns: the footer is not cut inside a key; "…" says more keys are in ?, which stays
ui_resize 80 24
expect_match "at 80 columns the footer has … after whole keys, then the global keys" \
    "$(tmux_screen | tail -1)" '^j/k scroll +g/G top / end +s submit +… +\?/F1 help +: cmd +q back$'
ui_resize 120 40
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
