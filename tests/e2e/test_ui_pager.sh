#!/bin/bash
# `|` in the log view: the log goes to $PAGER through a private temporary file (mode 0600,
# removed once the pager exits), sanitized (an escape sequence planted in a log line does not
# reach it), and a pager known to take +N (less) starts at the line on top of the screen. The
# pager is run without a shell: its argv is the $PAGER words, +N and the file, nothing else.
# $PAGER is a recorder named less, so that the test sees what less would get.
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
tmux_keys Q
tmux_expect "Q quits" 'Pane is dead \(status 0' 10
finish
