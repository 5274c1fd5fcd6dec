#!/bin/bash
# Host metrics and alerts in the UI, against the demo emulator with --host-metrics (its
# live-gpt2-wikitext's GPUs stalled near 0 %, live-bert-sst2-ddp runs 2 hosts of 8 GPUs near
# 90 %): the job list's GPU column (a share of the instance's GPUs, with a sparkline), sorted
# by :sort sys.gpu and filtered by sys.gpu<20; the threshold alert `sys.gpu<10` fires on the
# stalled job only, shows on the title line and in the alerts list (`!`), which marks it seen;
# the detail's host-metrics section; the hosts view (H): a row per host, Enter charts the
# metric with every host overlaid, the GPU memory chart marks the 100 % line; a throttled
# GetMetricData shows in the header.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"

STALL=live-gpt2-wikitext
DDP=live-bert-sst2-ddp
mkdir -p "$XDG_CONFIG_HOME/sagetop"
cat >"$XDG_CONFIG_HOME/sagetop/config" <<'CFG'
[alerts]
ended off
stalled off
alert sys.gpu<10
CFG

UI_EMU_ARGS=--host-metrics ui_start

# lacks NAME TEXT ERE: ok when TEXT has no match for ERE
lacks() { if printf '%s' "$2" | grep -Eq -- "$3"; then not_ok "$1" "/$3/ in: $2"; else ok "$1"; fi; }
# the GPU cell of a job's row: "▁▁ 1%" (the sparkline, then the 5-minute mean)
gpu_of() { tmux_screen | grep -E "^ +$1 " | grep -oE '[0-9]+%$' | tr -d '%'; }
has_gpu() { [ -n "$(gpu_of "$1")" ]; }

expect_match "a GPU column" "$(tmux_screen | sed -n 3p)" ' GPU.?$'
wait_until "the stalled job's GPU share arrives" 30 has_gpu "$STALL" || finish
wait_until "the healthy job's GPU share arrives" 30 has_gpu "$DDP" || finish
stall=$(gpu_of "$STALL")
ddp=$(gpu_of "$DDP")
check "the stalled job reads under 10 % ($stall)" [ "$stall" -lt 10 ]
check "the 16-GPU job reads as a share, not summed (80..100 %: $ddp)" \
    [ "$ddp" -ge 80 ] && [ "$ddp" -le 100 ]
expect_match "a sparkline before the value" "$(tmux_screen | grep -E "^ +$DDP ")" '[▁▂▃▄▅▆▇█]+ +[0-9]+%$'

tmux_keys : 'sort sys.gpu asc' Enter
tmux_expect ":sort sys.gpu puts the idle job first" 'sort: sys.gpu' 5
expect_match "lowest GPU first" "$(first_row)" "^ +$STALL "
tmux_keys : 'sort created desc' Enter
tmux_wait 'sort: created desc' 5

tmux_keys / 'sys.gpu<20' Enter
tmux_expect "the sys.gpu<20 filter" 'filter: sys.gpu<20' 5
s=$(tmux_screen)
expect_match "keeps the stalled job" "$s" "^ +$STALL "
lacks "and drops the busy ones" "$s" "^ +($DDP|live-distilbert-imdb) "
tmux_keys / C-u Enter
tmux_wait 'jobs \(4[0-9]\)' 5

# the alert: within the worker's check (every 10 s) after the metrics arrived
tmux_expect "the threshold alert shows on the title line" \
    "! threshold: $STALL: sys.gpu<10" 40 || finish
lacks "the healthy jobs raise none" "$(tmux_screen | sed -n 2p)" "$DDP"
tmux_keys '!'
tmux_expect "! opens the alerts list" '^jobs → alerts \(1\)' 5
s=$(tmux_screen)
expect_match "the alert's row: job, rule, message" "$s" "$STALL +threshold +$STALL: sys.gpu<10"
lacks "seen: the title line has no alert any more" "$(printf '%s\n' "$s" | sed -n 2p)" '! threshold'
shot alerts-list
tmux_keys q
tmux_wait '^jobs \(' 5

# the detail's section and the hosts view of the 2-host job
tmux_keys / "$DDP" Enter
tmux_wait "filter: $DDP" 5
tmux_keys g Enter
tmux_expect "detail of the 2-host job" "detail: $DDP" 5 || finish
tmux_expect "a host-metrics section" '^ Host metrics' 10
expect_match "its GPU row: sparkline and share" "$(tmux_screen)" '^ +gpu +[▁▂▃▄▅▆▇█]+ [0-9]+% \(last 5 min\)'
tmux_keys H
tmux_expect "H opens the hosts view" "hosts: $DDP" 5 || finish
tmux_expect "one row per host" '^algo-2 ' 10
s=$(tmux_screen)
expect_match "algo-1's row has a value per metric" "$s" '^algo-1 +([^ ]* +[0-9]+% +){4}[^ ]* +[0-9]+%'
expect_match "the columns" "$s" 'HOST +CPU +MEM +GPU +GPU MEM +DISK'
shot hosts-view
tmux_keys Enter
tmux_expect "Enter charts GPU over the job's life, a share of 8 GPUs" \
    'GPUUtilization, % of the 8 GPUs of each host, 2 hosts' 5
s=$(tmux_screen)
expect_match "algo-1 in the legend" "$s" '^. algo-1 +last [0-9.]+ +min'
expect_match "algo-2 in the legend" "$s" '^. algo-2 +last [0-9.]+ +min'
tmux_keys Right
tmux_expect "Right: the GPU memory chart" 'GPUMemoryUtilization' 5
expect_match "marks the 100 % line" "$(tmux_screen)" '100 %'
shot hosts-chart

# GetMetricData throttled: the header says so (a finished job's metrics are fetched on opening)
tmux_keys q q
tmux_wait '^jobs \(' 5
emu_ctl faults '{"throttle": 1, "ops": ["GetMetricData"]}' >/dev/null
tmux_keys / C-u 'distilbert-imdb-lr5e5-ep1' Enter
tmux_wait 'filter: distilbert-imdb-lr5e5-ep1' 5
tmux_keys g Enter
tmux_wait 'detail: distilbert-imdb-lr5e5-ep1' 5
tmux_expect "the header says GetMetricData is throttled" 'GetMetricData throttled, retrying in [0-9]+ s' 30
emu_ctl faults '{"throttle": 0, "ops": []}' >/dev/null
tmux_keys Q
tmux_dead 10
render_pngs
finish
