#!/bin/bash
# The job list: jobs shown, help, filter, sort, marks, command mode with completion, resize,
# "terminal too small", and q leaving the terminal as it was.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

ui_start
s=$(tmux_screen)
expect_match "list shows the demo jobs" "$s" 'jobs \(4[0-9]\)'
expect_match "list shows a running job" "$s" 'live-distilbert-imdb +InProgress'
expect_match "header names profile, account and region" "$s" 'default@[0-9]{12} us-east-1'
expect_match "header marks the emulator as DEMO" "$s" ' DEMO '
expect_match "header shows the sync state" "$s" 'synced [0-9]+ (s|min) ago'
expect_match "footer lists the main keys" "$(echo "$s" | tail -1)" 'Enter detail +l logs'
shot jobs

# the resource, spot and metric columns are filled from the describe documents
s=$(tmux_screen)
expect_match "INSTANCE shows type x count" "$(echo "$s" | grep 'live-bert-sst2-ddp')" 'ml\.p3\.16xlarge×2'
expect_match "every listed job has its instance" \
    "$(echo "$s" | sed -n '4,38p' | grep -cv 'ml\.[a-z0-9]*\.[a-z0-9]*×[0-9]')" '^0$'
expect_match "SPOT shows the savings of finished spot jobs" "$s" '×[0-9]+ +[0-9]{1,2}% '
expect_match "SPOT marks a running spot job" "$(echo "$s" | grep 'live-roberta-emotion-spot')" '×1 +spot '
expect_match "EVAL_LOSS and EVAL_ACC of a completed job" \
    "$(echo "$s" | grep 'distilbert-imdb-lr3e5-ep3')" 'Completed.* 0\.[0-9]+ +0\.[0-9]+ +(-|[^ ]* *[0-9]+%)$'
# SageMaker's final value (the log is not cached) is drawn dim: SGR 2 before the number
expect_match "a final metric from SageMaker is drawn dim" \
    "$(screen_e | grep 'distilbert-imdb-lr3e5-ep3')" $'\e\\[2m(\e\\[[0-9;]*m)*0\\.1730?'

# numbers line up on the decimal point: the '.' of every EVAL_LOSS / EVAL_ACC value is in one
# column (0.173 and 0.2441 are not right-aligned digit by digit)
point_cols() {   # point_cols TITLE: the distinct columns of '.' in that column's cells
    tmux_screen | pyrun -c '
import sys
rows = sys.stdin.read().split("\n")
e = rows[2].find(sys.argv[1]) + len(sys.argv[1])
for r in rows[3:38]:
    p = r[e - 10:e].find(".")
    if p >= 0:
        print(p)' "$1" | sort -u
}
for t in EVAL_LOSS EVAL_ACC; do
    pc=$(point_cols $t)
    [ "$(printf '%s\n' "$pc" | grep -c .)" = 1 ] && ok "$t values line up on the decimal point" ||
        not_ok "$t values line up on the decimal point" "'.' at $(echo $pc) of:" "$(tmux_screen | sed -n '3,38p')"
done
expect_match "EVAL_LOSS values differ in length (the alignment shows)" \
    "$(tmux_screen | grep -oE ' [0-9]+\.[0-9]+ +[0-9.-]+$' | awk '{ print length($1) }' | sort -u | wc -l)" '^[2-9]'

# the sort arrow tells the direction of the values shown: newest first is AGE▲ (ages rise)
expect_match "newest first: AGE▲" "$(tmux_screen | sed -n 3p)" 'AGE▲'
age_secs() {
    tmux_screen | sed -n '4,38p' | grep -oE ' [0-9]+ (s|min|h|d) ' |
        awk '{ m = $2 == "s" ? 1 : $2 == "min" ? 60 : $2 == "h" ? 3600 : 86400; print $1 * m }'
}
a=$(age_secs)
expect_eq "newest first: the ages rise down the list" "$a" "$(printf '%s\n' "$a" | sort -n)"
tmux_keys : 'sort created asc' Enter
tmux_wait 'sort: created$' 5
expect_match "oldest first: AGE▼" "$(tmux_screen | sed -n 3p)" 'AGE▼'
a=$(age_secs)
expect_eq "oldest first: the ages fall down the list" "$a" "$(printf '%s\n' "$a" | sort -nr)"
tmux_keys : 'sort duration desc' Enter
tmux_wait 'sort: duration desc' 5
expect_match "longest first: DURATION▼" "$(tmux_screen | sed -n 3p)" 'DURATION▼'

# sort by each of the new columns
tmux_keys : 'sort m.eval_accuracy desc' Enter
tmux_wait 'sort: m.eval_accuracy desc' 5
accs=$(tmux_screen | sed -n '4,38p' | awk '$NF ~ /^[0-9.]+$/ {print $NF}')
expect_eq "sort by EVAL_ACC descending" "$accs" "$(echo "$accs" | sort -gr)"
tmux_keys : 'sort spot_savings desc' Enter
tmux_wait 'sort: spot_savings desc' 5
spots=$(tmux_screen | sed -n '4,38p' | grep -oE ' [0-9]{1,2}% ' | tr -d ' %')
expect_match "sort by SPOT puts the spot jobs first" "$(tmux_screen | sed -n 4p)" ' [0-9]{1,2}% '
expect_eq "sort by SPOT orders by savings" "$spots" "$(echo "$spots" | sort -nr)"
tmux_keys : 'sort instance_type' Enter
tmux_wait 'sort: instance_type$' 5
inst=$(tmux_screen | sed -n '4,38p' | grep -oE 'ml\.[a-z0-9]+\.[a-z0-9]+')
expect_eq "sort by INSTANCE orders by type" "$inst" "$(echo "$inst" | LC_ALL=C sort)"

# :jobs status=X since=2d: only recent jobs in that state; Esc clears both
tmux_keys : 'jobs status=Completed since=5d' Enter
tmux_wait 'since: 5d' 5
s=$(tmux_screen)
n=$(echo "$s" | sed -n 2p | sed -E 's/^jobs \(([0-9]+)\).*/\1/')
ages=$(echo "$s" | sed -n '4,38p' | grep -oE 'Completed +[0-9]+ (s|min|h|d) ' | awk '$3 == "d" {print $2}')
expect_match ":jobs since=5d keeps some completed jobs" "$n" '^[1-9][0-9]*$'
expect_eq ":jobs since=5d hides older jobs" "$(echo "$ages" | awk '$1 > 5' | wc -l)" 0
expect_eq ":jobs status=Completed hides other states" \
    "$(echo "$s" | sed -n '4,38p' | grep -cE 'InProgress|Failed|Stopped')" 0
tmux_keys : 'jobs since=yesterdayish' Enter
tmux_expect "a bad since= is reported" 'since=yesterdayish: use' 5
tmux_keys Escape
tmux_expect "Esc clears the since bound" 'jobs \(4[0-9]\)  sort' 5
tmux_keys : 'sort created desc' Enter
tmux_wait 'sort: created desc' 5

# help overlay lists every key of the view
tmux_keys '?'
tmux_wait 'keys: jobs' 5
s=$(tmux_screen)
expect_match "help lists the filter key" "$s" '/ +filter: regex'
expect_match "help lists the sort keys" "$s" 'N +sort by name'
expect_match "help lists the global keys" "$s" 'everywhere'
shot help
tmux_keys Escape
tmux_wait '^  NAME' 5

# filter: status and regex terms
tmux_keys / 'status:Failed' Enter
tmux_wait 'filter: status:Failed' 5
rows=$(tmux_screen | sed -n '4,38p' | grep -cE 'InProgress|Completed|Stopped')
failed=$(tmux_screen | sed -n '4,38p' | grep -c ' Failed ')
expect_eq "filter status:Failed leaves only failed jobs" "$rows" 0
expect_match "filter status:Failed keeps some jobs" "$failed" '^[1-9]'
shot jobs-filtered
tmux_keys Escape
tmux_wait 'jobs \(4[0-9]\)  sort' 5
tmux_keys / '!^(live|hf)' Enter
tmux_wait 'filter: !' 5
expect_eq "inverted regex filter hides matching names" \
    "$(tmux_screen | sed -n '4,38p' | grep -cE '^ . ?(live|hf)-|^  (live|hf)-')" 0
tmux_keys Escape

# sort by name with N, then reverse with N again
tmux_keys N
tmux_wait 'sort: name$|sort: name ' 5
# names are cut in the middle: their heads (before the ellipsis) keep the order
names=$(tmux_screen | sed -n '4,12p' | awk '{print $1}' | sed 's/….*//')
expect_eq "N sorts by name ascending" "$names" "$(echo "$names" | LC_ALL=C sort)"
tmux_keys N
tmux_wait 'sort: name desc' 5
names=$(tmux_screen | sed -n '4,12p' | awk '{print $1}' | sed 's/….*//')
expect_eq "N again reverses the order" "$names" "$(echo "$names" | LC_ALL=C sort -r)"

# command mode with tab completion and history
tmux_keys : so Tab
tmux_wait '^:sort ?$' 5
expect_match "tab completes the command name" "$(tmux_screen | tail -1)" '^:sort ?$'
tmux_keys cr Tab
tmux_wait '^:sort created' 5
expect_match "tab completes a column" "$(tmux_screen | tail -1)" '^:sort created'
tmux_keys desc Enter
tmux_expect "command :sort created desc applies" 'sort: created desc' 5
tmux_keys : Up
tmux_expect "command history recalls the last command" '^:sort created desc' 5
tmux_keys Escape
tmux_keys : 'nosuchcmd' Enter
tmux_expect "unknown command is reported" "unknown command 'nosuchcmd'" 5

# marks
first=$(first_row | awk '{print $1}')
tmux_keys g Space Space
tmux_expect "space marks jobs" '2 marked' 5
expect_match "marked rows carry the mark symbol" "$(tmux_screen | sed -n '4p')" '●'
shot jobs-marked
tmux_keys u
tmux_expect "u clears the marks" 'sort: created desc$' 5

# :cols adds a hyperparameter column and remembers it in the config
tmux_keys : 'cols +hp.epochs' Enter
tmux_expect ":cols adds a hyperparameter column" 'HP.EPOCHS' 5
expect_match ":cols is remembered in the config" "$(cat "$XDG_CONFIG_HOME/sagetop/config" 2>/dev/null)" 'columns hp.epochs'

# resize: redraw at the new size, then too small, then back (a key first clears the flash of
# :cols, so that the footer is on the last row before and after)
tmux_keys g
wait_until "a key clears the flash" 10 screen_rows_match 40 '^Enter detail'
ui_resize 80 24
s=$(tmux_screen)
expect_eq "resize redraws at the new height" "$(echo "$s" | wc -l)" 24
expect_match "resize keeps the footer on the last line" "$(echo "$s" | tail -1)" 'Enter detail'
shot jobs-80x24
tmux_resize 50 10
tmux_expect "below 60x15 says the terminal is too small" 'terminal too small' 5
shot too-small
tmux_resize 120 40
tmux_expect "growing again redraws the table" '^  NAME' 5

# q leaves the alternate screen and exits 0
t0=$(date +%s.%N)
tmux_keys q
tmux_dead 20
echo "# quit took $(echo "$(date +%s.%N) - $t0" | bc) s"
s=$(tmux_screen)
expect_match "q exits with status 0" "$s" 'Pane is dead \(status 0'
expect_eq "q restores the terminal (no UI left on screen)" "$(echo "$s" | grep -c 'jobs (')" 0
render_pngs
finish
