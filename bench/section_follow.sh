# bench/section_follow.sh: `make bench`'s follow section (issue 15 §4), sourced by bench/run.sh.
# One running job (InProgress, one stream) that logs BENCH_FOLLOW_RATE lines/s (1) in the
# emulator (loopback, signature checks and quotas on), followed for BENCH_FOLLOW_SECS (60 s)
# by `sagetop logs JOB --follow` and then by the peer, `aws logs tail --follow` as CLI v2 does it
# (bench/peer_tail.py: CLI v1 has no `logs tail`). bench/follow_probe.py appends the lines and
# times them, in two windows: a quiet one (no new line: the requests and CPU an idle followed job
# costs) and an active one (RATE lines/s: median and p90 line latency, printed minus appended).
# Targets (issue 15): at most 20 requests a minute for the quiet job, median latency under 1 s.
# Both cannot hold in one window: with lines at random times, polling every 3 s (20 a minute)
# makes a median wait of 1.5 s; sagetop polls sooner while a pass returns lines.
# shellcheck shell=bash

# follow_row NAME PROBE_OUTPUT
follow_row() {
    local o=" $2"
    printf '%-30s %6s req/min %7s s CPU/min  latency median %5s ms p90 %5s ms  (%s of %s lines; %s)\n' \
        "$1" "$(field req_min "$o")" "$(field cpu_min "$o")" "$(field median_ms "$o")" \
        "$(field p90_ms "$o")" "$(field seen "$o")" "$(field sent "$o")" "$(field ops "$o")"
}

follow_body() {
    local d=$WORK/follow job secs=${BENCH_FOLLOW_SECS:-60} rate=${BENCH_FOLLOW_RATE:-1} o p
    local failed=0
    rm -rf "$d"
    mkdir -p "$d/home"
    emu_up --scenario empty || return 1
    trap emu_down EXIT
    export HOME=$d/home XDG_CONFIG_HOME=$d/home/.config XDG_CACHE_HOME=$d/home/.cache
    job=$(emu_ctl jobs '{"count": 1, "prefix": "follow", "statuses": ["InProgress"]}' |
          sed -n 's/.*"first": "\([^"]*\)".*/\1/p')
    [ -n "$job" ] || { echo "could not make the followed job"; return 1; }
    echo "job $job (InProgress), $rate line/s for $secs s; requests and CPU over that window"

    # quiet: no new line for the whole window (the requests a followed, idle job costs)
    q=$("$PYTHON" bench/follow_probe.py --control "$SAGETOP_EMULATOR_CONTROL" --job "$job" \
        --secs "$secs" --rate 0 -- ./sagetop --cache "$d/cache.db" logs "$job" --follow) ||
        { echo "the sagetop run failed"; return 1; }
    follow_row "sagetop, quiet job" "$q"
    qp=$("$PYTHON" bench/follow_probe.py --control "$SAGETOP_EMULATOR_CONTROL" --job "$job" \
        --secs "$secs" --rate 0 -- "$PYTHON" bench/peer_tail.py /aws/sagemaker/TrainingJobs \
        --log-stream-name-prefix "$job/") || { echo "the peer run failed"; return 1; }
    follow_row "aws logs tail (v2), quiet job" "$qp"
    # active: RATE lines/s (the latency of each line)
    o=$("$PYTHON" bench/follow_probe.py --control "$SAGETOP_EMULATOR_CONTROL" --job "$job" \
        --secs "$secs" --rate "$rate" -- ./sagetop --cache "$d/cache.db" logs "$job" --follow) ||
        { echo "the sagetop run failed"; return 1; }
    follow_row "sagetop, $rate line/s" "$o"
    p=$("$PYTHON" bench/follow_probe.py --control "$SAGETOP_EMULATOR_CONTROL" --job "$job" \
        --secs "$secs" --rate "$rate" -- "$PYTHON" bench/peer_tail.py /aws/sagemaker/TrainingJobs \
        --log-stream-name-prefix "$job/") || { echo "the peer run failed"; return 1; }
    follow_row "aws logs tail (v2), $rate line/s" "$p"
    echo "(the peer is CLI v2's tail --follow loop re-implemented with botocore, bench/peer_tail.py)"

    local req qreq med seen sent
    qreq=$(field req_min " $q")
    req=$(field req_min " $o") med=$(field median_ms " $o")
    seen=$(field seen " $o") sent=$(field sent " $o")
    echo "ratios: quiet requests / the peer's $(ratio "$qreq" "$(field req_min " $qp")"), active" \
         "requests / the peer's $(ratio "$req" "$(field req_min " $p")"), median latency / the" \
         "peer's $(ratio "$med" "$(field median_ms " $p")")"
    awk -v a="$qreq" 'BEGIN { exit !(a <= 20) }' ||
        { echo "MISSED: $qreq requests a minute for a quiet job (target <= 20)"; failed=1; }
    awk -v a="$med" 'BEGIN { exit !(a < 1000) }' ||
        { echo "MISSED: median latency $med ms (target < 1000)"; failed=1; }
    [ "$seen" = "$sent" ] || { echo "MISSED: sagetop printed $seen of $sent lines"; failed=1; }
    rm -rf "$d"
    return "$failed"
}

section_follow() {
    net_section "follow: one followed job, sagetop against aws logs tail --follow" follow_body
}
