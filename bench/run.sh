#!/bin/bash
# bench/run.sh: sagetop's benchmarks (make bench). One section per function; each prints its
# figures under a "== name ==" heading and may set FAILED=1 when a target is missed (the run
# still completes; the exit status reports it).
#
# Adding a section: write section_<name>() below and add <name> to SECTIONS. Helpers:
#   bench_time CMD...   runs CMD, prints nothing, sets SECS to its wall time in seconds
#   ratio A B           prints A/B with two decimals
# Usage: bench/run.sh [section...]     (default: all)
# Environment: BUILD (build dir), BENCH_LINES (log size, default 2000000),
#              BENCH_WORK (where generated data is kept, default $BUILD/bench-data).
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
BENCH_LINES=${BENCH_LINES:-2000000}
WORK=${BENCH_WORK:-$BUILD/bench-data}
PYTHON=$(scripts/find-python.sh 2>/dev/null || command -v python3)
FAILED=0
mkdir -p "$WORK"

SECTIONS=(extract)

bench_time() {
    local t0 t1
    t0=$(date +%s.%N)
    # not /dev/null: GNU grep notices it and stops at the first match
    "$@" >"$WORK/.bench_out" 2>&1
    t1=$(date +%s.%N)
    SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
}

ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

# field KEY LINE: the value of key=value in a bench_extract output line
field() {
    sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p" <<<"$2"
}

# ---------------------------------------------------------------------------------------------
# extract: metric extraction over a realistic Hugging Face log (issue 5).
# Targets: >= 20x the Python re peer, >= half of grep -cP's throughput, re-extraction < 2x.
section_extract() {
    local log=$WORK/hf-$BENCH_LINES.log out defs mb pat py_s py_mb grep_best s
    echo "== extract: metrics from a $BENCH_LINES-line Hugging Face log =="
    if [ ! -s "$log" ] || [ bench/gen_hf_log.py -nt "$log" ]; then
        echo "generating $log ..."
        "$PYTHON" bench/gen_hf_log.py "$log" "$BENCH_LINES" || { FAILED=1; return; }
    fi
    defs=$log.defs
    mb=$(awk -v b="$(stat -L -c %s "$log")" 'BEGIN { printf "%.1f", b / 1e6 }')
    echo "log: $mb MB, $BENCH_LINES lines, $(wc -l <"$defs") definitions (notebook + docs set)"

    out=$("$BUILD"/bench/bench_extract "$log" "$defs") || { echo "bench_extract failed"; FAILED=1; return; }
    local d_line p_line r_line
    d_line=$(grep '^defs ' <<<"$out")
    p_line=$(grep '^preset ' <<<"$out")
    r_line=$(grep '^reextract ' <<<"$out")
    printf '%-34s %8s s %9s MB/s %11s lines/s  %s points\n' \
        "sagetop (definitions)" "$(field seconds "$d_line")" "$(field mb_s "$d_line")" \
        "$(field lines_s "$d_line")" "$(field points "$d_line")" \
        "sagetop (definitions + HF preset)" "$(field seconds "$p_line")" "$(field mb_s "$p_line")" \
        "$(field lines_s "$p_line")" "$(field points "$p_line")" \
        "sagetop re-extract (in memory)" "$(field seconds "$r_line")" "$(field mb_s "$r_line")" \
        "$(field lines_s "$r_line")" "$(field points "$r_line")"

    # grep -cP: one pass with every pattern as an alternative (grep -P takes a single pattern)
    pat=$(cut -f2 "$defs" | sed 's/^/(?:/; s/$/)/' | paste -sd'|')
    grep_best=
    for _ in 1 2 3; do
        bench_time grep -cP "$pat" "$log"
        if [ -z "$grep_best" ] || awk -v a="$SECS" -v b="$grep_best" 'BEGIN { exit !(a < b) }'; then
            grep_best=$SECS
        fi
    done
    printf '%-34s %8s s %9s MB/s\n' "grep -cP (all patterns, best of 3)" "$grep_best" \
        "$(awk -v m="$mb" -v s="$grep_best" 'BEGIN { printf "%.1f", m / s }')"

    s=$("$PYTHON" bench/peer_extract.py "$log" "$defs") || { echo "peer failed"; FAILED=1; return; }
    py_s=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<<"$s")
    py_mb=$(awk -v m="$mb" -v s="$py_s" 'BEGIN { printf "%.1f", m / s }')
    printf '%-34s %8s s %9s MB/s  (%s)\n' "Python re peer" "$py_s" "$py_mb" "$s"

    local d_s vs_py vs_grep re_ratio
    d_s=$(field seconds "$d_line")
    vs_py=$(ratio "$py_s" "$d_s")
    vs_grep=$(ratio "$grep_best" "$d_s")
    re_ratio=$(ratio "$(field seconds "$r_line")" "$d_s")
    echo "ratios: ${vs_py}x the Python peer (target >= 20), ${vs_grep} of grep's throughput" \
         "(target >= 0.5), re-extraction ${re_ratio}x extraction (target < 2)"
    awk -v a="$vs_py" 'BEGIN { exit !(a >= 20) }' || { echo "MISSED: Python peer ratio"; FAILED=1; }
    awk -v a="$vs_grep" 'BEGIN { exit !(a >= 0.5) }' || { echo "MISSED: grep ratio"; FAILED=1; }
    awk -v a="$re_ratio" 'BEGIN { exit !(a < 2) }' || { echo "MISSED: re-extraction"; FAILED=1; }
}

# ---------------------------------------------------------------------------------------------
want=("$@")
[ ${#want[@]} = 0 ] && want=("${SECTIONS[@]}")
for s in "${want[@]}"; do
    if ! declare -F "section_$s" >/dev/null; then
        echo "bench: unknown section $s (have: ${SECTIONS[*]})" >&2
        exit 2
    fi
    "section_$s"
    echo
done
[ "$FAILED" = 0 ] && echo "bench: all targets met" || echo "bench: some targets missed"
exit "$FAILED"
