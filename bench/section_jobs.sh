# bench/section_jobs.sh: `make bench`'s jobs section (issue 15 §4), sourced by bench/run.sh.
# BENCH_JOBS_N (10,000) jobs in the emulator (scale scenario, no logs; loopback, signature
# checks and quotas on: SageMaker reads 10/s): sagetop's first `sync` into a fresh cache (ended
# after BENCH_JOBS_TIMEOUT s, 170, if it has not finished: the figures are then what it did in
# that time) and then a warm `sagetop jobs`; the boto3 peers (bench/peer_jobs.py): Search into
# SQLite for the first sync, every ListTrainingJobs page for the listing (a script keeps no
# cache). Each: requests, wall, CPU (user+sys), peak RSS. Target: the first sync in at most
# 300 requests.
# shellcheck shell=bash

jobs_row() {
    printf '%-28s %6s req (%s thr) %8s s %7s s CPU %6s MB RSS  %s\n' "$1" "$M_REQ" "$M_THR" \
        "$M_WALL" "$M_CPU" "$M_RSS_MB" "$2"
}

jobs_body() {
    local d=$WORK/jobs n=${BENCH_JOBS_N:-10000} to=${BENCH_JOBS_TIMEOUT:-170} failed=0 rc st_req
    rm -rf "$d"
    mkdir -p "$d/home"
    emu_up --scenario scale --jobs "$n" --lines 0 || return 1
    trap emu_down EXIT
    export HOME=$d/home XDG_CONFIG_HOME=$d/home/.config XDG_CACHE_HOME=$d/home/.cache
    "$PYTHON" -c 'import boto3; boto3.client("sagemaker").list_training_jobs(MaxResults=1)' \
        >/dev/null 2>&1

    measure timeout "$to" ./sagetop --cache "$d/cache.db" sync --quiet
    rc=$?
    st_req=$M_REQ
    if [ "$rc" = 124 ]; then
        jobs_row "sagetop sync (first)" "ENDED after $to s, unfinished: [$M_OPS]"
        echo "MISSED: the first sync of $n jobs did not finish in $to s"
        failed=1
    elif [ "$rc" != 0 ]; then
        return 1
    else
        jobs_row "sagetop sync (first)" "[$M_OPS]"
    fi
    measure ./sagetop --cache "$d/cache.db" jobs --format csv || return 1
    jobs_row "sagetop jobs (warm)" "$(( $(wc -l <"$WORK/.m_out") - 1 )) jobs listed [$M_OPS]"

    measure "$PYTHON" bench/peer_jobs.py search --db "$d/peer.db" || return 1
    jobs_row "boto3 Search -> SQLite" "($(cat "$WORK/.m_out"))"
    measure "$PYTHON" bench/peer_jobs.py list || return 1
    jobs_row "boto3 ListTrainingJobs" "($(cat "$WORK/.m_out"))"

    awk -v a="$st_req" 'BEGIN { exit !(a <= 300) }' ||
        { echo "MISSED: the first sync took $st_req requests (target <= 300)"; failed=1; }
    rm -rf "$d"
    return "$failed"
}

section_jobs() {
    net_section "jobs: the first sync of ${BENCH_JOBS_N:-10000} jobs and a warm listing" jobs_body
}
