#!/bin/bash
# `|` in the log view: the log goes to $PAGER through a private temporary file (mode 0600,
# removed once the pager exits), sanitized (an escape sequence planted in a log line does not
# reach it), and a pager known to take +N (less) starts at the line on top of the screen. The
# pager is run without a shell: its argv is the $PAGER words, +N and the file, nothing else.
# $PAGER is a recorder named less, so that the test sees what less would get. The detail and
# compare views hand their own text the same way, from the line on top; a pager that is not
# there is flashed and the view stays.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

mkdir -p "$TMPD/bin"
cat >"$TMPD/bin/less" <<SH
#!/bin/sh
# the recorder: its argv one per line, the file's mode and a copy of the file
printf '%s\n' "\$@" >"$TMPD/args.tmp"
for f; do :; done
stat -c %a "\$f" >"$TMPD/mode"
cp "\$f" "$TMPD/copy"
mv "$TMPD/args.tmp" "$TMPD/args"
SH
chmod +x "$TMPD/bin/less"
export PAGER="$TMPD/bin/less -R"

ui_start
tmux_keys / '^live-distilbert-imdb$' Enter
tmux_wait 'filter: \^live' 5 || finish
tmux_keys g l
tmux_wait 'logs: live-distilbert-imdb +[1-9][0-9]* lines +FOLLOW' 20 || finish
emu_ctl logs '{"job":"live-distilbert-imdb","lines":["PLANTED \u001b[31mRED\u001b[0m \u001b]0;pwned\u0007 END"]}' >/dev/null \
    || not_ok "planting a log line" "control API refused"
tmux_wait 'PLANTED' 20 || finish
# a few lines down from the top: the pager must start there, not at line 1
tmux_keys g
tmux_wait 'logs: live-distilbert-imdb +[0-9]+ lines +[a-zA-Z]' 5
top0=$(tmux_screen | sed -n 3p)
tmux_keys j j j j j j j
moved() { [ "$(tmux_screen | sed -n 3p)" != "$top0" ]; }
wait_until "j scrolls" 5 moved
count=$(tmux_screen | sed -n 's/.*logs: [^ ]* *\([0-9]*\) lines.*/\1/p')
tmux_keys '|'
have_args() { [ -s "$TMPD/args" ]; }
wait_until "the pager ran" 10 have_args || finish
mapfile -t args <"$TMPD/args"
expect_eq "the pager gets \$PAGER's words, +N and the file, nothing else" "${#args[@]}" 3
expect_eq "\$PAGER's own option is kept as a word" "${args[0]}" "-R"
expect_match "less starts at a line (+N)" "${args[1]}" '^\+[0-9]+$'
file=${args[2]}
n=${args[1]#+}
expect_eq "the file is private (mode 600)" "$(cat "$TMPD/mode")" 600
not_there() { [ ! -e "$file" ]; }
wait_until "the file is removed once the pager exits" 5 not_there && ok "the file is removed once the pager exits"
tmux_expect "the log view is drawn again after the pager" 'logs: live-distilbert-imdb +[0-9]+ lines' 5
# +N is the line on top of the screen: compare its text with the screen's first log row
top=$(tmux_screen | sed -n 3p | LC_ALL=C.UTF-8 sed -E 's/^.//; s/ {3,}[a-z_]+=[^ ]*$//' | LC_ALL=C.UTF-8 cut -c1-50)
line_n=$(sed -n "${n}p" "$TMPD/copy" | LC_ALL=C.UTF-8 cut -c1-50)
[ "$n" -gt 1 ] && ok "the top line is not the file's first (N = $n)" || not_ok "the top line is not the file's first" "N = $n"
expect_eq "line N of the file is the line on top of the screen" "$line_n" "$top"
# the log grows while the job runs: at least the lines the header counted before `|`
lines=$(wc -l <"$TMPD/copy")
[ "$lines" -ge "${count:-999999}" ] && ok "every line is in the file ($lines >= $count)" ||
    not_ok "every line is in the file" "$lines lines, the header said $count"
expect_match "the planted line is in the file" "$(cat "$TMPD/copy")" 'PLANTED RED +END'
expect_eq "no escape sequence reaches the pager" "$(grep -c $'\e\|\a' "$TMPD/copy")" 0

# ---- | in the detail view and the compare view: their own text, from the line on top ----
# pager_at NAME: runs `|`, then checks the recorder got +N and that line N of the file is the
# screen's first text row (row 3), compared on its first 40 characters without blanks.
pager_at() {
    rm -f "$TMPD/args"
    local want
    want=$(tmux_screen | sed -n 3p | LC_ALL=C.UTF-8 sed -E 's/ *[▲▼]$//' | tr -d ' ' | LC_ALL=C.UTF-8 cut -c1-40)
    tmux_keys '|'
    wait_until "$1: the pager ran" 10 have_args || return
    mapfile -t args <"$TMPD/args"
    expect_match "$1: less starts at a line (+N)" "${args[1]}" '^\+[0-9]+$'
    n=${args[1]#+}
    [ "$n" -gt 1 ] && ok "$1: the top line is not the file's first (N = $n)" ||
        not_ok "$1: the top line is not the file's first" "N = $n"
    expect_eq "$1: line N of the file is the row on top of the screen" \
        "$(sed -n "${n}p" "$TMPD/copy" | tr -d ' ' | LC_ALL=C.UTF-8 cut -c1-40)" "$want"
}
tmux_keys d
tmux_wait 'detail: live-distilbert-imdb' 10 || finish
tmux_keys j j j j
wait_until "j scrolls the detail" 5 eval 'tmux_screen | sed -n 3p | grep -q "▲$"'
pager_at "detail"
tmux_expect "the detail view is drawn again after the pager" 'detail: live-distilbert-imdb' 5
tmux_keys q q
tmux_wait 'jobs \(' 5
tmux_keys / C-u '^distilbert-imdb-lr(5e5-ep3|3e5-ep3)$' Enter
tmux_wait 'jobs \(2\)' 10 || finish
tmux_keys g Space Space c
tmux_wait 'compare: 2 jobs' 10 || finish
tmux_wait 'eval_loss' 30
tmux_keys j j
wait_until "j scrolls the compare tables" 5 eval 'tmux_screen | sed -n 3p | grep -q "▲$"'
pager_at "compare"
expect_match "compare: the file has the metric table" "$(cat "$TMPD/copy")" 'eval_loss'

# a pager that is not there: a clear flash, the view stays
rm -f "$TMPD/bin/less"
tmux_keys '|'
tmux_expect "a missing pager is flashed" 'cannot run .*less: No such file' 5
expect_match "the compare view stays after a missing pager" "$(tmux_screen | sed -n 2p)" 'compare: 2 jobs'

tmux_keys Q
tmux_expect "Q quits" 'Pane is dead \(status 0' 10
finish
