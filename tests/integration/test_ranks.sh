#!/bin/bash
# Multi-process jobs (tests/emulator/scenario.py ranks()): Open MPI 2 x 8 with every rank in
# algo-1's stream, model parallel's [1,mpirank:R,algo-K] prefixes, torchrun's [defaultN] per
# host, and a rank that prints each eval block on stdout and again through its logger on stderr.
# The values are a function of (rank, step): eval_loss = 0.9 - 0.1 i + 0.001 rank and
# loss = 2.0 - 0.1 i + 0.001 rank, so each selection has a known answer. For every job and
# selection, the points sync stored, `metrics --reextract` and `regex-test` must be the same
# values, and the default series must be global rank 0's lines, each once.
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario ranks --no-quotas || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
RE='eval_loss\s*=\s*([0-9.]+)'

for j in ranks-ompi-2x8 ranks-smp-2x8 ranks-torchrun-2x4 ranks-dup-1x4; do
    check "sync $j" S sync "$j" -q
done

sorted() { tr ' ' '\n' | sed '/^$/d' | sort | tr '\n' ' '; }
# values METRIC JOB [SELECTION...]: the metric's values, space-separated, in log order
stored() { S metrics "$2" --metric "$1" --format csv "${@:3}" | tail -n +2 | cut -d, -f6 | tr '\n' ' '; }
reext() { S metrics "$2" --metric "$1" --format csv --reextract "${@:3}" | tail -n +2 | cut -d, -f6 | tr '\n' ' '; }
rtest() {
    S regex-test "$RE" "$1" --all "${@:2}" | sed -nE 's/^.*Z( (rank|local)[0-9]+)?: ([^ ]+) ".*/\3/p' | tr '\n' ' '
}
# same JOB WANT_EVAL [SELECTION...]: stored, re-extracted and regex-test values all equal WANT
same() {
    local job=$1 want=$2
    shift 2
    expect_eq "$job $* eval_loss stored" "$(stored eval_loss "$job" "$@")" "$want"
    expect_eq "$job $* eval_loss --reextract" "$(reext eval_loss "$job" "$@")" "$want"
    expect_eq "$job $* eval_loss regex-test" "$(rtest "$job" "$@")" "$want"
}

RANK0="0.9 0.8 0.7 "
for j in ranks-ompi-2x8 ranks-smp-2x8 ranks-torchrun-2x4 ranks-dup-1x4; do
    same "$j" "$RANK0"
    expect_eq "$j loss default (rank 0, once)" "$(stored loss "$j")" "2 1.9 1.8 "
    expect_eq "$j loss --reextract" "$(reext loss "$j")" "2 1.9 1.8 "
done

# Open MPI: rank 8 (algo-2's local rank 0) by rank and by host; all ranks
same ranks-ompi-2x8 "0.908 0.808 0.708 " --rank 8
same ranks-ompi-2x8 "0.908 0.808 0.708 " --instance algo-2
same ranks-ompi-2x8 "" --rank 3
expect_eq "ompi --rank all: ranks 0 and 8, each line once" \
    "$(stored eval_loss ranks-ompi-2x8 --rank all | sorted)" \
    "0.7 0.708 0.8 0.808 0.9 0.908 "
expect_eq "ompi --rank all --reextract" \
    "$(reext eval_loss ranks-ompi-2x8 --rank all | sorted)" \
    "0.7 0.708 0.8 0.808 0.9 0.908 "
expect_eq "ompi regex-test --rank all" \
    "$(rtest ranks-ompi-2x8 --rank all | sorted)" \
    "0.7 0.708 0.8 0.808 0.9 0.908 "
out=$(S metrics ranks-ompi-2x8 --rank all --metric eval_loss)
expect_match "ompi --rank all: one series per process" "$out" "algo-2/rank8 +0\.708"
expect_match "ompi --rank all: rank 0 on algo-1" "$out" "algo-1/rank0 +0\.7 "

# model parallel: no hyperparameter, the 8 GPUs of ml.p3.16xlarge place rank 8 on algo-2
same ranks-smp-2x8 "0.908 0.808 0.708 " --instance algo-2
same ranks-smp-2x8 "0.908 0.808 0.708 " --rank 8

# torchrun: algo-2's [default0] is global rank 4 (4 GPUs per ml.g5.12xlarge)
same ranks-torchrun-2x4 "0.904 0.804 0.704 " --instance algo-2
same ranks-torchrun-2x4 "0.904 0.804 0.704 " --rank 4
expect_eq "torchrun --instance all: each host's local rank 0" \
    "$(stored eval_loss ranks-torchrun-2x4 --instance all | sorted)" \
    "0.7 0.704 0.8 0.804 0.9 0.904 "

# stdout + stderr copies: each counts once, for rank 0 and rank 1 alike
same ranks-dup-1x4 "0.901 0.801 0.701 " --rank 1
out=$(S metrics ranks-dup-1x4 --metric eval_loss)
expect_match "dup: the table counts rank 0's three lines" "$out" "eval_loss +0\.7 +0\.7 +0\.9 +3 "

# plot (and the TUI, through the same cache call): one series per host, rank 8's points on algo-2
out=$(S plot ranks-ompi-2x8 --metric eval_loss --ascii --width 60 --height 10 2>&1)
expect_match "plot: algo-1's series is rank 0" "$out" "/algo-1 +last 0\.7 +min 0\.7 +max 0\.9"
expect_match "plot: rank 8 is algo-2's series" "$out" "/algo-2 +last 0\.708 +min 0\.708 +max 0\.908"
# plot --instance / --rank select as metrics does (issue 15)
P() { S plot ranks-ompi-2x8 --metric eval_loss --ascii --width 100 --height 12 "$@" 2>&1; }
out=$(P --rank 8)
expect_match "plot --rank 8: rank 8's points" "$out" "ranks-ompi-2x8/algo-2/rank8 +last 0\.708 +min 0\.708 +max 0\.908"
expect_eq "plot --rank 8: one series" "$(printf '%s\n' "$out" | grep -c 'last 0')" 1
out=$(P --instance algo-2)
expect_match "plot --instance algo-2: its first process" "$out" "ranks-ompi-2x8/algo-2 +last 0\.708 +min 0\.708"
expect_eq "plot --instance algo-2: one series" "$(printf '%s\n' "$out" | grep -c 'last 0')" 1
out=$(P --rank all)
expect_match "plot --rank all: rank 0" "$out" "ranks-ompi-2x8/algo-1/rank0 +last 0\.7 +min 0\.7 +max 0\.9"
expect_match "plot --rank all: rank 8" "$out" "ranks-ompi-2x8/algo-2/rank8 +last 0\.708"
out=$(P --rank 3); rc=$?
expect_eq "plot --rank 3 (no eval_loss): exit 1" "$rc" 1
expect_match "plot --rank 3: says which selection has no points" "$out" "no points of eval_loss of rank 3"
P --rank x >/dev/null; expect_eq "plot --rank x is a usage error" "$?" 2

# bad selections are usage errors
S metrics ranks-dup-1x4 --rank x >/dev/null 2>&1
expect_eq "metrics --rank x is a usage error" "$?" 2
S regex-test "$RE" ranks-dup-1x4 --rank -1 >/dev/null 2>&1
expect_eq "regex-test --rank -1 is a usage error" "$?" 2
finish
