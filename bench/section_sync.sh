# bench/section_sync.sh: `make bench`'s sync section (issue 15 §4), sourced by bench/run.sh.
# The first sync of a log into a fresh cache against the project's emulator (loopback,
# signature checks and quotas on: GetLogEvents 25/s, the rate sagetop's limiter presets for
# us-east-1), for two shapes, each in one emulator with its peers:
#   scale: BENCH_SYNC_JOBS (200) jobs, BENCH_SYNC_LINES (2,000,000) lines spread over them
#          (`sagetop sync --all-logs`)
#   one:   one job with one BENCH_SYNC_LINES-line stream (`sagetop sync JOB`)
# Clients: sagetop; the boto3-into-SQLite script (bench/peer_logs.py sqlite); the AWS CLI paging
# get-log-events into a file (bench/peer_cli_logs.sh; at most BENCH_CLI_PAGES pages, 5 by
# default, since each page is a CLI process: its wall is then extrapolated); the floor
# (bench/peer_logs.py floor: the same pages, signed, read and dropped, paced at 25/s, 4 at once).
# Each: wall, lines/s, client CPU (user+sys of the client process and its children, from
# /usr/bin/time), requests (the emulator's counters), peak RSS, store size against raw bytes.
# Targets: sagetop's wall <= 1.25x the floor's, CPU per line <= 1/5 of the boto3 peer's,
# peak RSS < 64 MB.
# shellcheck shell=bash

# sync_row NAME LINES STORE_BYTES NOTE WALL CPU REQ THROTTLED RSS_MB: one table row (SYNC_RAW:
# the raw bytes, for the store ratio)
sync_row() {
    awk -v n="$1" -v l="$2" -v s="$3" -v note="$4" -v w="$5" -v c="$6" -v r="$7" -v t="$8" \
        -v m="$9" -v raw="$SYNC_RAW" 'BEGIN {
        printf "%-24s %7.2f s %8.0f lines/s %6.2f s CPU %5.2f us/line %4d req (%d thr) %5.1f MB RSS",
            n, w, (w > 0 ? l / w : 0), c, (l > 0 ? c * 1e6 / l : 0), r, t, m
        if (s != "") printf " %6.1f MB store (%.2f of raw)", s / 1e6, (raw > 0 ? s / raw : 0)
        if (note != "") printf "  %s", note
        printf "\n" }'
}

# the last measure's figures, in sync_row's order
measured() {
    echo "$M_WALL" "$M_CPU" "$M_REQ" "$M_THR" "$M_RSS_MB"
}

# sync_shape LABEL SAGETOP_SYNC_ARGS STREAM_PREFIX EMULATOR_ARGS...: runs in a subshell
sync_shape() {
    local label=$1 sargs=$2 prefix=$3 d=$WORK/sync failed=0
    shift 3
    local lines=$BENCH_SYNC_LINES g=/aws/sagemaker/TrainingJobs s b
    local floor st st_ops boto boto_out cli cli_out
    rm -rf "$d"
    mkdir -p "$d/home"
    echo "-- $label --"
    emu_up --scenario scale "$@" || return 1
    trap emu_down EXIT
    export HOME=$d/home XDG_CONFIG_HOME=$d/home/.config XDG_CACHE_HOME=$d/home/.cache
    # warm the emulator (moto's first request pays its imports), then the clients
    "$PYTHON" -c 'import boto3; boto3.client("logs").describe_log_streams(
        logGroupName="'"$g"'", limit=1)' >/dev/null 2>&1

    measure "$PYTHON" bench/peer_logs.py floor --prefix "$prefix" --rate 25 --workers 4 || return 1
    floor=$(measured)
    s=$(cat "$WORK/.m_out")
    [ "$(field lines " $s")" = "$lines" ] ||
        { echo "floor fetched $(field lines " $s") lines, not $lines"; return 1; }

    # shellcheck disable=SC2086 # sargs is a word list
    measure ./sagetop --cache "$d/cache.db" sync $sargs --quiet || return 1
    st=$(measured) st_ops=$M_OPS
    b=$(( $(stat -c %s "$d/cache.db") + $(stat -c %s "$d/cache.db-wal" 2>/dev/null || echo 0) ))

    measure "$PYTHON" bench/peer_logs.py sqlite --prefix "$prefix" --db "$d/peer.db" || return 1
    boto=$(measured) boto_out=$(cat "$WORK/.m_out")
    SYNC_RAW=$(field raw_bytes " $boto_out")
    [ "$(field lines " $boto_out")" = "$lines" ] ||
        { echo "boto3 peer fetched $(field lines " $boto_out") lines, not $lines"; return 1; }

    # shellcheck disable=SC2086 # the measured figures are words
    {
        sync_row "floor (25/s, 4 at once)" "$lines" "" "($s)" $floor
        sync_row "sagetop sync" "$lines" "$b" "[$st_ops]" $st
        sync_row "boto3 -> SQLite" "$lines" "$(stat -c %s "$d/peer.db")" "" $boto
    }
    if command -v aws >/dev/null; then
        measure bench/peer_cli_logs.sh "$g" "$prefix" "$d/cli.json" "${BENCH_CLI_PAGES:-5}" ||
            return 1
        cli=$(measured) cli_out=$(cat "$WORK/.m_out")
        # shellcheck disable=SC2086 # the store ratio: against the raw bytes of the lines fetched
        SYNC_RAW=$(awk -v r="$SYNC_RAW" -v a="$(field lines " $cli_out")" -v l="$lines" \
            'BEGIN { printf "%.0f", r * a / l }') \
        sync_row "aws CLI get-log-events" "$(field lines " $cli_out")" \
            "$(stat -c %s "$d/cli.json")" "($cli_out; the whole log at this pace: $(awk \
            -v w="$M_WALL" -v p="$(field pages " $cli_out")" -v f="$(cut -d' ' -f3 <<<"$floor")" \
            'BEGIN { printf "%.0f", (p > 0 ? w * f / p : 0) }') s)" $cli
    else
        echo "aws CLI get-log-events   skipped: no aws CLI"
    fi
    rm -f "$d/cli.json"

    local wr cr rss
    read -r _ st_cpu _ _ rss <<<"$st"
    wr=$(ratio "${st%% *}" "${floor%% *}")
    cr=$(ratio "$st_cpu" "$(cut -d' ' -f2 <<<"$boto")")
    echo "ratios: sagetop wall / floor $wr (target <= 1.25); sagetop CPU per line / boto3's $cr" \
         "(target <= 0.20); sagetop peak RSS $rss MB (target < 64)"
    awk -v a="$wr" 'BEGIN { exit !(a <= 1.25) }' || { echo "MISSED: wall vs floor"; failed=1; }
    awk -v a="$cr" 'BEGIN { exit !(a <= 0.2) }' || { echo "MISSED: CPU per line"; failed=1; }
    awk -v a="$rss" 'BEGIN { exit !(a < 64) }' || { echo "MISSED: peak RSS"; failed=1; }
    rm -rf "$d"
    return "$failed"
}

sync_body() {
    local jobs=${BENCH_SYNC_JOBS:-200} rc=0
    echo "floor: bench/peer_logs.py floor, botocore's SigV4 signer and http.client keep-alive," \
         "each body read and dropped after a byte search for the forward token; paced at 25/s" \
         "(sagetop's GetLogEvents preset for us-east-1, the emulator's quota), 4 streams at once" \
         "(sagetop's --workers default)"
    command -v aws >/dev/null && echo "CLI: $(aws --version 2>&1)"
    (sync_shape "$jobs jobs, $BENCH_SYNC_LINES lines over them" "--all-logs" "scale-job-" \
        --jobs "$jobs" --lines "$BENCH_SYNC_LINES" --log-jobs "$jobs") || rc=1
    (sync_shape "one job, one $BENCH_SYNC_LINES-line stream" "scale-job-000000" \
        "scale-job-000000/" --jobs 1 --lines "$BENCH_SYNC_LINES") || rc=1
    return "$rc"
}

section_sync() {
    BENCH_SYNC_LINES=${BENCH_SYNC_LINES:-2000000}
    net_section "sync: first sync of $BENCH_SYNC_LINES log lines, against the emulator\
 (GetLogEvents quota 25/s)" sync_body
}
