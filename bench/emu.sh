# bench/emu.sh: the emulator and client measurement for the network sections of bench/run.sh
# (sync, follow, jobs); sourced by run.sh. A section calls these inside its own subshell, so the
# AWS_* variables exported here never reach another section.
#   emu_up ARGS...     start tests/emulator/emulator.py (loopback, signature checks and quotas on)
#                      and export what it prints; EMU_PID
#   emu_down           stop it (by pid)
#   emu_ctl PATH [JSON]  POST to its control API, print the answer
#   net_section TITLE BODY_FN  print the "== TITLE ==" heading and the commit measured, run
#                      BODY_FN in a subshell (FAILED=1 when it fails)
#   measure CMD...     reset the emulator's counters, run CMD under /usr/bin/time; sets M_WALL,
#                      M_CPU (user+sys of CMD and its children, s), M_RSS_MB (peak), M_REQ (AWS
#                      requests the emulator saw), M_OPS (them by operation), M_THR (throttled);
#                      CMD's stdout is in $WORK/.m_out; returns CMD's status
# shellcheck shell=bash

net_section() {
    echo "== $1 =="
    echo "(measured: commit $(git rev-parse --short HEAD 2>/dev/null)$(git diff --quiet HEAD \
         2>/dev/null || echo ' with uncommitted changes'); load average $(cut -d' ' -f1-3 \
         /proc/loadavg))"
    ("$2") || FAILED=1
}

emu_up() {
    local out=$WORK/emu.out line i
    "$PYTHON" tests/emulator/emulator.py --port 0 "$@" >"$out" 2>"$out.err" &
    EMU_PID=$!
    for ((i = 0; i < 6000; i++)); do
        grep -q '^READY' "$out" 2>/dev/null && break
        kill -0 "$EMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    if ! grep -q '^READY' "$out"; then
        echo "emulator did not start: $(tail -3 "$out.err")"
        emu_down
        return 1
    fi
    while IFS= read -r line; do
        case $line in [A-Z_]*=*) export "${line?}" ;; esac
    done <"$out"
    export AWS_EC2_METADATA_DISABLED=true
    unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
}

emu_down() {
    [ -n "${EMU_PID:-}" ] || return 0
    kill "$EMU_PID" 2>/dev/null
    wait "$EMU_PID" 2>/dev/null
    EMU_PID=
}

emu_ctl() {
    local body=${2:-}
    curl -sf -X POST -H 'Content-Type: application/json' --data "${body:-"{}"}" \
        "$SAGETOP_EMULATOR_CONTROL/$1"
}

measure() {
    local st rc
    emu_ctl reset '{"stats": true}' >/dev/null
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/.m_time" "$@" >"$WORK/.m_out" 2>"$WORK/.m_err"
    rc=$?
    read -r M_WALL st M_CPU M_RSS_MB <"$WORK/.m_time"
    M_CPU=$(awk -v u="$st" -v s="$M_CPU" 'BEGIN { printf "%.2f", u + s }')
    M_RSS_MB=$(awk -v k="$M_RSS_MB" 'BEGIN { printf "%.1f", k / 1024 }')
    st=$(emu_ctl stats)
    read -r M_REQ M_THR M_OPS < <("$PYTHON" -c '
import json, sys
s = json.loads(sys.argv[1])
r, t = s.get("requests", {}), s.get("throttled", {})
print(sum(r.values()), sum(t.values()), ",".join("%s:%d" % kv for kv in sorted(r.items())) or "-")
' "$st")
    [ "$rc" = 0 ] || echo "($1 failed, status $rc: $(tail -2 "$WORK/.m_err"))"
    return "$rc"
}
