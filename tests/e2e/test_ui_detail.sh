#!/bin/bash
# The job detail view: a failed demo job shows its whole FailureReason as lines (AWS sends it
# with newlines), wrapped rather than cut at the right edge, and the last Python traceback of its
# log (fetched by the view when the log is not cached yet: "loading…" first, never a frozen
# screen); a finished spot job shows billable < training seconds and the savings; long values
# (ARN, image) wrap within the value column; hyperparameters are sorted; markers say when rows
# are cut above or below (the list widget); the header's sync state keeps moving in the detail
# and metric views.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

detail_job() { tmux_screen | sed -n '2s/.*detail: \([^ ]*\).*/\1/p'; }
# vcol SCREEN LABEL: the column (from 1) where LABEL's value starts: each section's label column
# is as wide as its own labels
vcol() { printf '%s\n' "$1" | sed -n "s/^\(   $2  *\)[^ ].*/\1/p" | head -1 | awk '{ print length($0) + 1 }'; }

ui_start

# --- a failed job: reason and traceback
tmux_keys / 'status:Failed' Enter
tmux_wait 'filter: status:Failed' 5
tmux_keys g Enter
tmux_expect "Enter opens the detail" "detail: " 5 || finish
J=$(detail_job)
FAILED_J=$J
s0=$(tmux_screen)
# the log of a job nobody opened is not cached: the view says so and asks the worker
if printf '%s' "$s0" | grep -q 'traceback '; then
    ok "the log's error lines (already cached)"
elif printf '%s' "$s0" | grep -Eq '^ +log +loading… \(fetching the log'; then
    ok "log not cached yet: loading…"
else
    # the first pages may already be stored (the traceback is on the last one): the view shows
    # the lines it has, never an empty or frozen row, and the traceback below still must arrive
    expect_match "log partly fetched: the lines so far" "$s0" '^ +log +[^ (]'
fi
tmux_expect "the traceback arrives without a keypress" 'traceback +Traceback \(most recent call last\):' 30
s=$(tmux_screen)
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline show "$J" --format json >"$TMPD/show.json"
reason=$(pyrun -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(d.get("FailureReason") or d.get("failure_reason") or d["job"]["FailureReason"])' "$TMPD/show.json" 2>/dev/null)
[ -n "$reason" ] || reason=$(grep -o '"FailureReason": *"[^"]*' "$TMPD/show.json" | head -1)
expect_match "the reason's first line" "$s" '^   reason +AlgorithmError: ExecuteUserScriptError:$'
c=$(vcol "$s" reason)
[ "${c:-0}" -ge 12 ] && [ "${c:-99}" -le 20 ] && ok "the Failure section's values start after its labels (column $c)" ||
    not_ok "the Failure section's values start after its labels" "column [$c]"
c=${c:-34}
expect_match "ExitCode on its own line" "$s" "^ {$((c - 1))}ExitCode 1\$"
expect_match "ErrorMessage on its own line" "$s" "^ {$((c - 1))}ErrorMessage \""
expect_match "Command on its own line" "$s" "^ {$((c - 1))}Command \""
# nothing is cut at the right edge: the rows of the reason, joined, give the whole reason back
got=$(printf '%s\n' "$s" | sed -n '/^   reason /,/^   traceback /p' | sed '$d' |
      cut -c"$c"- | tr -d '\n' | tr -d ' ')
want=$(printf '%s' "$reason" | tr -d '\n' | tr -d ' ')
expect_eq "the full FailureReason is shown (wrapped, no character lost)" "$got" "$want"
err=$(printf '%s' "$reason" | sed -n 's/^ErrorMessage "\(.*\)"$/\1/p' | cut -c1-40)
tb=$(printf '%s\n' "$s" | sed -n '/^   traceback /,/^$/p')
expect_match "the traceback has its frames" "$tb" 'File ".*", line [0-9]+, in '
last=$(printf '%s\n' "$tb" | grep -Ev "^ {$c}" | grep -E "^ {$((c - 1))}[A-Za-z]" | tail -1 | cut -c"$c"-)
expect_eq "the traceback ends at the error of the reason" "${last:0:${#err}}" "$err"
expect_eq "no cursor escapes from the log text" "$(screen_e | grep $'\e\[[0-9;]*[HJK]' | wc -l)" 0
shot detail-failed

# the page is longer than the screen: a marker on the last row says rows are below
expect_match "rows below the screen: a marker on the last row" "$(tmux_screen | sed -n 39p)" '▼$'
expect_eq "no marker for rows above at the top" "$(tmux_screen | sed -n 3p | grep -c '▲$')" 0
tmux_keys G
tmux_expect "G scrolls the detail" '^ Hyperparameters|^ Metrics' 5
expect_match "at the end: a marker on the first row for rows above" "$(tmux_screen | sed -n 3p)" '▲$'
expect_eq "at the end: no marker below" "$(tmux_screen | sed -n 39p | grep -c '▼$')" 0
hp=$(tmux_screen | sed -n '/^ Hyperparameters/,/^$/p' | sed '1d;/^$/d' | awk '{print $1}')
expect_eq "hyperparameters sorted" "$hp" "$(printf '%s\n' "$hp" | LC_ALL=C sort)"
tmux_keys q Escape
tmux_wait 'jobs \(4[0-9]\)  sort' 5

# --- a finished spot job: training vs billable seconds, savings
tmux_keys : 'sort spot_savings desc' Enter
tmux_wait 'sort: spot_savings desc' 5
tmux_keys g Enter
tmux_expect "the spot job's detail opens" "detail: " 5
J=$(detail_job)
# the spot section is below the first page on a short screen: page down until it shows
spot_shown() { tmux_has '^   savings ' || { tmux_keys Space; false; }; }
wait_until "the spot section shows" 10 spot_shown
s=$(tmux_screen)
tr=$(printf '%s\n' "$s" | sed -n 's/^   training  *\([0-9][0-9]*\) s (.*/\1/p' | head -1)
bi=$(printf '%s\n' "$s" | sed -n 's/^   billable  *\([0-9][0-9]*\) s (.*/\1/p' | head -1)
sv=$(printf '%s\n' "$s" | sed -n 's/^   savings  *\([0-9][0-9]*\)% .*/\1/p' | head -1)
expect_match "the spot section says managed spot" "$s" 'managed spot training'
if [ -n "$tr" ] && [ -n "$bi" ] && [ "$bi" -lt "$tr" ]; then
    ok "billable ($bi s) < training ($tr s)"
else
    not_ok "billable < training" "training [$tr] billable [$bi]"
fi
want=$(pyrun -c 'import sys; t, b = map(int, sys.argv[1:]); print("%.0f" % (100 * (1 - b / t)))' "${tr:-1}" "${bi:-0}")
expect_eq "savings = 1 - billable/training" "$sv" "$want"
expect_match "seconds not billed" "$s" "savings +$sv% \($((${tr:-0} - ${bi:-0})) s not billed\)"
shot detail-spot

# --- long values wrap inside the value column at any width
tmux_keys g
tmux_wait '^   arn ' 5
tmux_resize 80 30
# redrawn at 80 columns: the ARN ends on a row of its own (wrapped), the header on row 1
arn_rows() { local s; s=$(tmux_screen); printf '%s\n' "$s" | sed -n '/^   arn /,/^ *$/p' | sed '/^ *$/d' | cut -c"$(vcol "$s" arn)"-; }
arn_wrapped() { screen_rows_match 1 'sagetop' && [ "$(screen_width)" -le 80 ] &&
    arn_rows | tr -d '\n' | grep -q "training-job/$J\$"; }
wait_until "the detail is redrawn at 80 columns, the ARN whole" 10 arn_wrapped
s=$(tmux_screen)
wid=$(printf '%s\n' "$s" | LC_ALL=C.UTF-8 wc -L)
[ "$wid" -le 80 ] && [ "$wid" -ge 70 ] && ok "resize: redrawn to the new width ($wid)" || not_ok "resize: redrawn to the new width" "$wid columns"
arn=$(arn_rows | tr -d '\n')
expect_match "the ARN wraps instead of being cut" "$arn" "training-job/$J\$"
c=$(vcol "$s" arn)
[ "${c:-99}" -le 14 ] && ok "the Job section's value column follows its short labels (column $c)" ||
    not_ok "the Job section's value column follows its labels" "column [$c]"
# S3 paths wrap only after a '/': each row holds whole names, the rows joined give the path
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" --offline show "$J" --format json >"$TMPD/spot.json"
uri=$(pyrun -c '
import json, sys
d = json.load(open(sys.argv[1]))
d = d.get("job", d)
print(d["InputDataConfig"][0]["DataSource"]["S3DataSource"]["S3Uri"])' "$TMPD/spot.json")
# at 60 columns, where the URI is wider than the value column
ui_resize 60 30
data_shown() { tmux_has '^ Data' || { tmux_keys Space; false; }; }
wait_until "the Data section shows" 10 data_shown
# then line by line until it is at the top, so its rows are all on screen
data_top() {
    local n
    n=$(tmux_screen | grep -n '^ Data' | head -1 | cut -d: -f1)
    [ -n "$n" ] && [ "$n" -le 4 ] || { tmux_keys j; sleep 0.1; false; }
}
wait_until "the Data section at the top" 15 data_top
s=$(tmux_screen)
c=$(printf '%s\n' "$s" | sed -n '/^ Data/,/^ *$/p' | grep -F "${uri:0:12}" | head -1 |
    awk -v u="${uri:0:12}" '{ print index($0, u) }')
rows=$(printf '%s\n' "$s" | sed -n '/^ Data/,/^ *$/p' | sed '1d;/^ *$/d' | awk -v u="${uri:0:5}" -v c="${c:-34}" '
    substr($0, 4, 1) != " " { if (on) exit; on = (index(substr($0, c), u) == 1) }
    on { print substr($0, c) }')
expect_eq "the first channel's S3 URI, joined from its rows" "$(printf '%s\n' "$rows" | tr -d '\n')" "$uri"
[ "$(printf '%s\n' "$rows" | wc -l)" -gt 1 ] && ok "the URI (${#uri} chars) wraps at 60 columns" ||
    not_ok "the URI wraps at 60 columns" "$rows"
expect_eq "every wrapped row of the URI ends in '/'" \
    "$(printf '%s\n' "$rows" | sed '$d' | grep -vc '/$')" 0
tmux_keys q
tmux_wait 'jobs \(4[0-9]\)' 5

# --- at 60 columns the labels leave the ARN room: a 74-character ARN takes two rows, not
# three or four under a fixed 33-column label column
tmux_resize 60 30
tmux_keys / C-u '^live-distilbert-imdb$' Enter
tmux_wait 'filter: \^live' 5
tmux_keys g Enter
tmux_wait 'detail: live-distilbert-imdb' 5
J=live-distilbert-imdb
arn_at_60() { [ "$(screen_width)" -le 60 ] && arn_rows | tr -d '\n' | grep -q "training-job/$J\$"; }
wait_until "the detail is drawn at 60 columns, the ARN whole" 10 arn_at_60
expect_eq "at 60 columns the ARN takes two rows" "$(arn_rows | wc -l)" 2
tmux_resize 120 40
# the header's sync state goes on in the detail view and the metric charts: its age moves
# (or a sync starts) without a key. On a finished job's detail: a followed live job is synced
# every second, so its header can read "synced 0 s ago" all along.
tmux_keys q
tmux_wait 'jobs \(1\)' 5
J=$FAILED_J
tmux_keys / C-u "^$J\$" Enter
tmux_wait "filter: \\^$J" 5
tmux_keys g Enter
tmux_wait "detail: $J" 5
hdr_sync() { tmux_screen | head -1 | grep -Eo '(synced|syncing|throttled|offline)[^ ]*( [0-9]+ [a-z]+ ago)?'; }
wait_until "the detail's header has a sync state" 10 hdr_sync
h0=$(hdr_sync)
wait_until "the detail's header sync state updates ($h0)" 10 eval '[ "$(hdr_sync)" != "$h0" ]'
tmux_keys m
tmux_wait "metrics: $J" 10
h0=$(hdr_sync)
wait_until "the metric view's header sync state updates ($h0)" 10 eval '[ -n "$(hdr_sync)" ] && [ "$(hdr_sync)" != "$h0" ]'
tmux_keys q
tmux_wait "detail: $J" 5
tmux_keys q
tmux_expect "q goes back to the list" 'jobs \(1\) ' 5
render_pngs
finish
