#!/bin/bash
# Actions of the full-screen UI not covered elsewhere: stopping a live job, the region and
# profile pickers (each region keeps its own cache), the log view's | pager, s save, T jump to
# a time, instance toggles on a two-instance job, w wrap, t timestamps, SIGWINCH while a sync
# runs, and Ctrl-C restoring the terminal.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

# a second profile for the picker; the pager writes what it is given to a file
mkdir -p "$HOME/.aws"
printf '[default]\n[profile research]\nregion = us-east-1\n' >"$HOME/.aws/config"
cat >"$TMPD/pager.sh" <<EOF
#!/bin/sh
cat "\$1" >"$TMPD/paged.txt"
EOF
chmod +x "$TMPD/pager.sh"
export PAGER=$TMPD/pager.sh
ui_start

# --- stop: x asks, y stops; the list shows Stopping then Stopped
tmux_keys : 'jobs name=^live-distilbert-imdb$' Enter
tmux_wait 'jobs \(1\)' 5
tmux_keys g x
tmux_expect "x asks before stopping" 'stop live-distilbert-imdb\? \[y/N\]' 5
tmux_keys y
tmux_expect "y stops the job (Stopping/Stopped)" 'live-distilbert-imdb +(Stopping|Stopped)' 40
tmux_expect "the stopped job ends Stopped" 'live-distilbert-imdb +Stopped' 60
tmux_keys x
tmux_expect "x on a final job refuses" 'is already Stopped' 5
tmux_keys Escape
tmux_wait 'jobs \(4[0-9]\)' 5

# --- region picker: each region syncs into its own cache scope (the emulator answers every
# region with the same jobs, so the cache file itself is checked)
tmux_keys E
tmux_expect "E opens the region picker" 'us-west-2' 5
tmux_keys Down Down Down Enter
tmux_expect "picking us-west-2 switches the header" 'default@[0-9]+ us-west-2' 20
tmux_wait 'jobs \(4[0-9]\)' 30
tmux_wait 'synced [0-9]+ (s|min) ago' 30
scopes() {
    pyrun - "$XDG_CACHE_HOME/sagetop/cache.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
for region, n in db.execute("SELECT s.region, count(j.id) FROM scopes s JOIN jobs j"
                            " ON j.scope_id = s.id GROUP BY s.region ORDER BY s.region"):
    print(region, n)
PY
}
expect_match "us-west-2 has its own cache scope" "$(scopes)" 'us-west-2 [1-9][0-9]*'
expect_match "us-east-1 keeps its scope" "$(scopes)" 'us-east-1 4[0-9]'
expect_eq "two scopes, one per region" "$(scopes | wc -l)" 2
tmux_keys E
tmux_wait 'us-east-1' 5
tmux_keys Up Up Up Enter
tmux_wait 'default@[0-9]+ us-east-1' 20
tmux_expect "back in us-east-1 the cached jobs are there" 'jobs \(4[0-9]\)' 10

# --- profile picker lists the config's profiles and switches
tmux_keys P
tmux_expect "P lists the profiles of the config" 'research' 5
tmux_keys Escape
tmux_wait '^  NAME' 5

# --- log view of the two-instance job: timestamps, instance toggles, wrap, pager, save, time
tmux_keys : 'jobs name=^live-bert-sst2-ddp$' Enter
tmux_wait 'jobs \(1\)' 5
tmux_keys g l
tmux_wait 'logs: live-bert-sst2-ddp +[1-9][0-9]* lines' 20
tmux_expect "the log names both instances" '2:algo-2' 20
tmux_keys t
tmux_expect "t shows timestamps" '^.[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} algo-' 5
body() { tmux_screen | sed -n '3,39p'; }
expect_match "lines of algo-1 are shown" "$(body)" ' algo-1 '
tmux_keys 1
tmux_expect "1 hides instance 1" '1:-algo-1' 5
# the status line and the body are one frame: once it says hidden, no algo-1 line is drawn
expect_eq "no algo-1 line while it is hidden" "$(body | grep -c '^.[0-9: .-]* algo-1 ')" 0
expect_match "algo-2 lines stay" "$(body)" ' algo-2 '
tmux_keys 0
tmux_expect "0 shows every instance" ' 1:algo-1 2:algo-2' 5
tmux_keys t
tmux_expect "t again: timestamps in UTC" 'timestamps in UTC' 5
tmux_keys t
tmux_expect "t a third time hides timestamps" '^.algo-' 5

# wrap: long lines continue on the next row (rows without an instance prefix appear)
tmux_keys g
tmux_wait 'paused' 5
plain=$(body | grep -vc '^. *algo-[0-9]')
tmux_keys w
tmux_expect "w turns wrapping on" 'paused \(G follows\) wrap' 5
wrapped=$(body | grep -vc '^. *algo-[0-9]')
[ "$wrapped" -gt "$plain" ] && ok "wrapped lines continue on the next rows ($plain -> $wrapped)" \
    || not_ok "wrapped lines continue on the next rows" "$plain -> $wrapped"
tmux_keys w
tmux_wait 'paused \(G follows\)  ' 5

# jump to a time: the second of the 21st line from the top (paused at the top since g), from
# the end of the log
tmux_keys t
tmux_wait '^.[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:' 5
target=$(tmux_screen | sed -n 23p | grep -oE '[0-9]{2}:[0-9]{2}:[0-9]{2}' | head -1)
tmux_keys G
tmux_wait 'FOLLOW' 5
tmux_keys T
tmux_wait 'jump to time' 5
tmux_keys "$target" Enter
tmux_wait 'paused' 5
expect_match "T $target puts the first line of that second on top" \
    "$(tmux_screen | sed -n 3p)" "^.[0-9]{4}-[0-9]{2}-[0-9]{2} $target\\."
shot logs-instances

# | pipes the log to $PAGER and comes back
tmux_keys '|'
wait_until "the pager runs" 5 test -s "$TMPD/paged.txt"
tmux_wait 'logs: live-bert-sst2-ddp' 5
expect_match "| hands the log to \$PAGER" "$(head -5 "$TMPD/paged.txt" 2>/dev/null)" 'algo-[12]'
n_paged=$(wc -l <"$TMPD/paged.txt" 2>/dev/null || echo 0)
[ "$n_paged" -gt 100 ] && ok "the pager gets the whole log ($n_paged lines)" || not_ok "pager gets the log" "$n_paged lines"
expect_match "the UI comes back after the pager" "$(tmux_screen | sed -n 2p)" 'logs: live-bert-sst2-ddp'

# s saves to a file named at the prompt
tmux_keys s
tmux_expect "s proposes JOB.log" 'save to: live-bert-sst2-ddp.log' 5
tmux_keys C-u "$TMPD/saved.log" Enter
tmux_expect "s reports the lines saved" 'saved [0-9]+ lines to' 5
said=$(tmux_screen | tail -1 | sed -n 's/.*saved \([0-9]*\) lines.*/\1/p')
# an event may hold several lines (a traceback): at least one file line per event
[ "$(wc -l <"$TMPD/saved.log" 2>/dev/null || echo 0)" -ge "${said:-1}" ] && [ "${said:-0}" -gt 100 ] \
    && ok "the saved file has the $said events reported" \
    || not_ok "the saved file has the events reported" "$(wc -l <"$TMPD/saved.log") lines, $said reported"
expect_match "the saved file holds the log's text" "$(grep -c 'mpirank' "$TMPD/saved.log")" '^[1-9]'
tmux_keys q
tmux_wait '^  NAME' 5

# --- SIGWINCH while a sync runs: refresh, then resize repeatedly; the UI follows each size
tmux_keys Escape R
tmux_wait 'jobs \(4[0-9]\)' 10
# each size waits for the frame drawn at it before the next
for size in "100 30" "140 45" "80 24" "120 40"; do
    ui_resize $size
done
tmux_wait 'jobs \(4[0-9]\)' 10
tmux_wait 'synced [0-9]+ (s|min) ago' 20
tmux_wait 'Enter detail' 10
s=$(tmux_screen)
expect_eq "after resizes during a sync the frame is 40 rows" "$(echo "$s" | wc -l)" 40
expect_match "the footer is on the last row" "$(echo "$s" | tail -1)" 'Enter detail'
expect_match "the header is on the first row" "$(echo "$s" | head -1)" 'sagetop.*synced'

# --- Ctrl-C quits and restores the terminal
tmux_keys C-c
tmux_dead 10
s=$(tmux_screen)
expect_match "Ctrl-C ends sagetop" "$s" 'Pane is dead'
expect_eq "Ctrl-C restores the terminal (no UI left on screen)" "$(echo "$s" | grep -c 'jobs (')" 0
render_pngs
finish
