#!/bin/bash
# The TUI runs the config's notify-command, as `sagetop watch` does, against the demo emulator
# with --alert-jobs (--speed 3: the nan job ends about 50 s in; the spot job stays Interrupted),
# the nan job's detail open (the TUI keeps the logs, hence the points, of the jobs it shows):
# one call per alert that fired (spot on the spot job; nonfinite on the nan job's loss, on its
# eval_loss, nan from the first point, and on a metric whose name, read from the log, holds
# $(...), ; and backticks; ended on the nan job, the only job [alerts live-gpt2-nan] switches
# it on for), never twice over the worker's later checks; the alert's text reaches the command
# literally (environment and JSON) and no shell ever runs it; the UI rings and sends OSC 9/777
# (read from the pane's raw output); each call sleeps (a slow webhook)
# and yet they all run, the UI answers keys meanwhile, and every child is reaped (no zombie).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

NAN=live-gpt2-nan
SPOT=live-bert-spot-interrupted
META='eval_$(touch pwned-subst);`touch pwned-tick`'
DB=$TMPD/ui.db
export NOTIFY_DIR=$TMPD/notify
mkdir -p "$NOTIFY_DIR" "$XDG_CONFIG_HOME/sagetop"
cat >"$TMPD/notify.sh" <<'SH'
#!/bin/sh
# one file per call (calls run side by side): argv[1], the environment's alert, stdin
f=$NOTIFY_DIR/call-$$
{ printf 'arg=%s\n' "$1"; printf 'job=%s rule=%s\n' "$SAGETOP_ALERT_JOB" "$SAGETOP_ALERT_RULE"
  printf 'key=%s\n' "$SAGETOP_ALERT_KEY"; cat; } >"$f.tmp"
mv "$f.tmp" "$f"
echo "this must not reach the TUI's screen"
sleep 6
SH
chmod +x "$TMPD/notify.sh"
cat >"$XDG_CONFIG_HOME/sagetop/config" <<EOF
[alerts]
ended off
stalled off
notify-command $TMPD/notify.sh 'x \$(touch pwned-arg); \`touch pwned-arg2\`'
[alerts $NAN]
ended on
EOF

cd "$TMPD" || exit 1
# the pane's raw output from its first byte (the spot alert may go out while the first sync
# still runs, before ui_start returns)
UI_EMU_ARGS="--alert-jobs --speed 3" UI_RAW=$TMPD/pane.raw ui_start --cache "$DB"
tmux_keys / "$NAN" Enter
tmux_wait "filter: $NAN" 5
tmux_keys g Enter
tmux_expect "the nan job's detail follows its log" "detail: $NAN" 5 || finish

# count_calls: how many notify-command calls were recorded, in $ncalls (globbed by bash: polled
# ten times a second, an `ls | grep` was two processes per poll)
count_calls() {
    local f
    ncalls=0
    for f in "$NOTIFY_DIR"/call-*; do [[ ${f##*/} =~ ^call-[0-9]+$ ]] && ncalls=$((ncalls + 1)); done
}
calls() { count_calls; echo "$ncalls"; }
stored() {
    pyrun -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from alerts").fetchone()[0])' "$DB"
}
five_calls() { count_calls; [ "$ncalls" -ge 5 ]; }
if ! wait_until "five alerts reach notify-command" 90 five_calls; then
    echo "# calls: $(ls "$NOTIFY_DIR" | tr '\n' ' '); stored: $(stored)"
    finish
fi
pid=$(tmux -L "$_tmux_sock" display-message -p -t t '#{pane_pid}')
kids=$(ps --ppid "$pid" -o comm= 2>/dev/null | sort | uniq -c)
expect_eq "five alerts stored" "$(stored)" 5
raw_has() { grep -c -F -- "$1" "$TMPD/pane.raw"; }
expect_eq "the UI sent the spot alert by OSC 9 and OSC 777" \
    "$(raw_has $'\e]9;sagetop: spot: '"$SPOT: spot capacity interrupted the job"$'\a') $(raw_has $'\e]777;notify;sagetop;spot: '"$SPOT")" "1 1"
check "and rang the bell each time (a BEL beside the two OSC terminators)" pyrun -c '
import sys
d = open(sys.argv[1], "rb").read()
rings = d.count(b"\x1b]9;")
assert rings > 0 and d.count(b"\x07") == 3 * rings, (rings, d.count(b"\x07"))
' "$TMPD/pane.raw"
idents=$(grep -h '^job=\|^key=' "$NOTIFY_DIR"/call-* | paste - - | sort)
expect_eq "one call per alert, none twice" "$(printf '%s\n' "$idents" | sort -u | wc -l)" 5
expect_eq "spot on the spot job" "$(grep -c "^job=$SPOT rule=spot	key=\$" <<<"$idents")" 1
expect_eq "ended on the nan job only" "$(grep -c "rule=ended" <<<"$idents")" 1
expect_eq "nonfinite on loss" "$(grep -c "^job=$NAN rule=nonfinite	key=loss\$" <<<"$idents")" 1
expect_eq "nonfinite on eval_loss (nan from its first point)" \
    "$(grep -c "^job=$NAN rule=nonfinite	key=eval_loss\$" <<<"$idents")" 1
expect_eq "nonfinite on the metric named with metacharacters, literally" \
    "$(grep -cF "job=$NAN rule=nonfinite	key=$META" <<<"$idents")" 1
check "the JSON on stdin names it literally" pyrun -c '
import glob, json, sys
keys = [json.loads(l)["key"] for f in glob.glob(sys.argv[1] + "/call-*")
        for l in open(f) if l.startswith("{")]
assert sorted(keys) == sorted(["", "Completed", "loss", "eval_loss", sys.argv[2]]), keys
' "$NOTIFY_DIR" "$META"
expect_match "the argument with metacharacters arrives literally" \
    "$(cat "$NOTIFY_DIR"/call-* | grep -m1 '^arg=')" '^arg=x \$\(touch pwned-arg\); `touch pwned-arg2`$'
check "no shell ran the log's or the config's metacharacters" \
    bash -c '! ls pwned-* 2>/dev/null | grep -q .'

# the children sleep: the UI answers meanwhile, and once they end they are reaped
tmux_keys q
tmux_wait '^jobs \(' 5
tmux_keys '!'
tmux_expect "the UI answers while notify-commands run: ! opens the alerts list" \
    '^jobs → alerts \(5\)' 10
lacks_text() { ! tmux_screen | grep -q 'must not reach'; }
check "the command's output does not reach the screen" lacks_text
expect_eq "the pane's process is sagetop" "$(ps -o comm= -p "$pid")" sagetop
expect_match "the last notify-command still ran (sleeping) when its call arrived" "$kids" 'notify.sh'
no_children() { [ -z "$(ps --ppid "$pid" -o pid= 2>/dev/null)" ]; }
wait_until "every notify-command is reaped once it ended (no zombie)" 30 no_children &&
    ok "every notify-command is reaped once it ended (no zombie)"
expect_eq "and none ran again" "$(calls)" 5
tmux_keys q
tmux_wait '^jobs \(' 5
finish
