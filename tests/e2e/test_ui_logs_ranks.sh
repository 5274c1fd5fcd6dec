#!/bin/bash
# The log view of distributed jobs (issue 15): a launcher's prefix ("[1,8]<stdout>:",
# "[default0]:") is shown as a short coloured tag ("r8", "L0"), never raw; the & filter's rank:N
# and host:algo-K terms keep one process's or one host's lines (alone or with a regex); `t` shows
# each line's date and time and the title says which clock (issue 13).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

emu_start --scenario ranks || { not_ok "emulator starts"; finish; }
tmux_start 120 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color TZ=UTC \
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL"
tmux_wait 'jobs \(4\)' 30 || finish
tmux_keys / '^ranks-ompi-2x8$' Enter
tmux_wait 'filter: \^ranks-ompi' 5
tmux_keys g l
tmux_wait 'logs: ranks-ompi-2x8 +[1-9][0-9]* lines' 20 || finish
tmux_keys g
tmux_wait 'paused' 5
# the rows of the log (row 3 to the footer), the gutter and the instance column dropped
log_rows() { tmux_screen | sed -n '3,39p' | LC_ALL=C.UTF-8 sed -E 's/^.//; s/^algo-[0-9]+ +//'; }
tmux_wait '^.algo-1 +r0 +\{.loss' 10

# ---- tags, not raw prefixes ----
rows=$(log_rows)
# (a progress bar's "#015[1,8]<stderr>:" inside the line is text, as the launcher wrote it)
expect_eq "no raw Open MPI prefix reaches the screen" "$(grep -Ec '^(r[0-9]+ +)?\[1,[0-9]+\]<std' <<<"$rows")" 0
expect_match "rank 0's Trainer line is tagged r0" "$rows" '^r0 +\{.loss.: 2\.0,'
expect_match "rank 8's Trainer line is tagged r8" "$rows" '^r8 +\{.loss.: 2\.008,'
expect_match "rank 15's progress bar is tagged r15" "$rows" '^r15 +0%\|#'
expect_match "the tag is coloured" "$(screen_e | sed -n '3,39p')" $'\e\\[[0-9;]*mr8 '

# ---- & rank:8 keeps rank 8's lines only ----
tmux_keys '&' 'rank:8' Enter
tmux_wait '& rank:8' 5
rows=$(log_rows)
expect_match "& rank:8 shows rank 8's eval" "$rows" '^r8 +eval_loss += +0\.908'
expect_eq "& rank:8 shows no other rank" "$(grep -Evc '^r8 |^ *$' <<<"$rows")" 0
# ---- with a regex ----
tmux_keys '&' C-u 'rank:0 eval_loss' Enter
tmux_wait '& rank:0 eval_loss' 5
rows=$(log_rows)
# rank 0 prints each eval block on stdout and its logger's copy on stderr: 3 steps x 2
expect_eq "& rank:0 eval_loss: rank 0's six eval_loss lines" "$(grep -c '^r0 .*eval_loss' <<<"$rows")" 6
expect_eq "& rank:0 eval_loss: nothing else" "$(grep -Evc '^r0 .*eval_loss|^ *$' <<<"$rows")" 0
# ---- host:algo-2: ranks 8..15 (8 per host, from the job's hyperparameter) ----
tmux_keys '&' C-u 'host:algo-2' Enter
tmux_wait '& host:algo-2' 5
rows=$(log_rows)
expect_match "& host:algo-2 keeps rank 8" "$rows" '^r8 '
expect_eq "& host:algo-2 keeps no rank of algo-1" "$(grep -Ec '^r[0-7] ' <<<"$rows")" 0
tmux_keys '&' C-u 'rank:x' Enter
tmux_expect "a bad rank term is refused with a message" 'rank:x is not a rank' 5
tmux_keys '&' C-u Enter
wait_until "the filter is cleared" 5 eval '! tmux_has "& host"'

# ---- t: date, time and the clock ----
tmux_keys t
tmux_expect "t says the times are local and names the zone" 'timestamps in local time \(UTC, UTC\+0000\)' 5
expect_match "t shows the date and the time to the millisecond" "$(log_rows | head -3)" \
    '^20[0-9][0-9]-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9]\.[0-9]{3} +algo-1 +r0 '
tmux_keys t
tmux_expect "t again: UTC" 'timestamps in UTC' 5
tmux_keys t
tmux_expect "t a third time: no timestamps" 'timestamps off' 5
expect_eq "no line starts with a date" "$(log_rows | grep -c '^20[0-9][0-9]-')" 0
tmux_keys q

# ---- torchrun's local ranks: L tags, in each host's stream ----
tmux_keys / C-u '^ranks-torchrun-2x4$' Enter
tmux_wait 'filter: \^ranks-torch' 5
tmux_keys g l
tmux_wait 'logs: ranks-torchrun-2x4' 10
tmux_keys g
tmux_wait '^.algo-[12] +L0 ' 10
expect_eq "no raw torchrun prefix reaches the screen" "$(log_rows | grep -Ec '^(L[0-9]+ +)?\[default[0-9]\]')" 0
tmux_keys '&' 'host:algo-2 rank:4' Enter
tmux_wait '& rank:4 host:algo-2|& host:algo-2 rank:4' 5
rows=$(log_rows)
expect_match "& host:algo-2 rank:4: algo-2's local rank 0 is global rank 4" \
    "$(tmux_screen | sed -n '3,39p')" '^.algo-2 +L0 +\{.loss.: 1\.904'
expect_eq "& host:algo-2 rank:4: nothing else" "$(tmux_screen | sed -n '3,39p' | grep -Evc '^.algo-2 +L0 |^ *$')" 0
tmux_keys q q q
tmux_dead 10
finish
