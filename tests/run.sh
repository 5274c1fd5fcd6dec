#!/bin/bash
# Runs the test suites and ends with one line "N passed, N failed" that sums them.
# Usage: tests/run.sh [all | unit | emulator | integration | e2e | layout | tests/SUITE/test_X]...
# Suites:
#   unit         Criterion binaries built from tests/unit/test_*.c (in $BUILD/tests/)
#   emulator     tests/emulator/test_*.py (Python unittest), the emulator's own tests
#   integration  tests/integration/test_*.{sh,py}: the real binary against the emulator
#   e2e          tests/e2e/test_*.sh: the real binary in tmux against the emulator
#   layout       tests/layout/test_*.sh: scripts/check-layout.sh against scratch violations
# Every binary and script is one task; up to TEST_JOBS tasks run at once (default three per
# CPU, 4 to 12: measured on 2 cores, 6 at once took the suites from 361 s to 286 s wall for the
# same CPU, since a task spends about half its time waiting), each with
# its own emulator port, tmux socket and temp dir. Most of a task's time is waiting (slowed
# pages, retry back-off, a job's log growing), so running them side by side saves wall time,
# not CPU. Longest first: the durations of the last run ($LOGDIR/durations) order the start;
# the report keeps the fixed order of the suites and files, printed as soon as it is known.
# Each task's output is in $LOGDIR (default $BUILD/test-logs). TEST_WAIT_SCALE (default 2)
# stretches every wait's deadline (tests/lib.sh).
# A script test prints "ok - NAME" / "not ok - NAME" lines (tests/lib.sh does it); a script that
# prints none counts once, by its exit status.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
export SAGETOP_BIN=${SAGETOP_BIN:-$PWD/sagetop}
case $SAGETOP_BIN in /*) ;; *) SAGETOP_BIN=$PWD/$SAGETOP_BIN ;; esac
PYTHON=$(scripts/find-python.sh) || { echo "tests: no Python with moto; run scripts/deps.sh" >&2; exit 1; }
# The interpreter itself, not a launcher in front of it: pyenv's shim is a shell script that
# costs about 0.4 s of CPU (mostly system time) on every start, and the scripts start Python
# (and the aws CLI installed beside it, found first on PATH) many times.
PYTHON=$("$PYTHON" -c 'import sys; print(sys.executable)') || exit 1
PATH=$(dirname "$PYTHON"):$PATH
export PYTHON PATH
export SAGETOP_TOP=$PWD
LOGDIR=${TEST_LOGDIR:-$BUILD/test-logs}
ncpu=$(nproc 2>/dev/null || echo 2)
JOBS=${TEST_JOBS:-$((ncpu * 3 < 4 ? 4 : ncpu * 3 > 12 ? 12 : ncpu * 3))}
case $JOBS in ''|*[!0-9]*|0) echo "tests: TEST_JOBS must be a positive number" >&2; exit 2 ;; esac
mkdir -p "$LOGDIR"
RES=$(mktemp -d "$LOGDIR/.run.XXXXXX")
trap 'rm -rf "$RES"' EXIT
trap 'exit 130' INT TERM
# Tests never reach real AWS: no inherited credentials, profiles or endpoints.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
      AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
      AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_EC2_METADATA_DISABLED=true
export HOME_ORIG=$HOME

# ---- one task: prints "COUNTS P F" first, then the lines of the report
note() { printf '%s\n' "$*"; }

task_unit() {
    local bin=$1 out p f c t rc name
    name=$(basename "$bin")
    out=$LOGDIR/$name.log
    task_log=$out
    timeout 600 "$bin" --jobs 2 >"$out" 2>&1
    rc=$?
    t=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' "$out" | tail -1)
    p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' "$out" | tail -1)
    f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' "$out" | tail -1)
    c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' "$out" | tail -1)
    if [ -z "$t" ]; then
        note "COUNTS 0 1"
        note "FAIL unit $name: no summary (rc=$rc), see $out"
        return
    fi
    if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
        note "COUNTS $p $((f == 0 ? 1 : f))"
        note "FAIL unit $name: $f of $t failed (crashing $c), see $out"
        grep -E '\[----\]|\[FAIL\]' "$out" | head -20
    else
        note "COUNTS $p 0"
        note "ok   unit $name: $p passed"
    fi
}

task_pyunit() {
    local script=$1 out rc n fl name
    name=$(basename "$script")
    out=$LOGDIR/emulator-$name.log
    task_log=$out
    (cd tests/emulator && timeout 900 "$PYTHON" -m unittest -v "${name%.py}") >"$out" 2>&1
    rc=$?
    n=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$out" | tail -1)
    fl=$(grep -cE '\.\.\. (FAIL|ERROR)$' "$out")
    if [ -z "$n" ]; then n=0; [ "$fl" = 0 ] && fl=1; fi
    [ $rc != 0 ] && [ "$fl" = 0 ] && fl=1
    note "COUNTS $((n - (fl > n ? n : fl))) $fl"
    if [ "$fl" != 0 ]; then
        note "FAIL emulator $name: $fl of $n failed, see $out"
        grep -E '\.\.\. (FAIL|ERROR)$|^(FAIL|ERROR):' "$out" | head -20
    else
        note "ok   emulator $name: $n passed"
    fi
}

# One script (shell or Python) that prints "ok - " / "not ok - " lines.
task_script() {
    local suite=$1 script=$2 out rc p f name
    name=$(basename "$script")
    out=$LOGDIR/$suite-$name.log
    task_log=$out
    case $script in
        *.py) timeout 900 "$PYTHON" "$script" >"$out" 2>&1 ;;
        *) timeout 900 bash "$script" >"$out" 2>&1 ;;
    esac
    rc=$?
    p=$(grep -c '^ok - ' "$out")
    f=$(grep -c '^not ok - ' "$out")
    if [ "$p" = 0 ] && [ "$f" = 0 ]; then
        if [ $rc = 0 ]; then p=1; else f=1; fi
    elif [ $rc != 0 ] && [ "$f" = 0 ]; then
        f=1; echo "not ok - $name exited $rc" >>"$out"
    fi
    note "COUNTS $p $f"
    if [ "$f" != 0 ]; then
        note "FAIL $suite $name: $p passed, $f failed, see $out"
        grep -E '^not ok - |^# ' "$out" | head -20
    else
        note "ok   $suite $name: $p passed"
    fi
}

# ---- the task list, in report order: "SUITE PATH"
tasks=()
add_tasks() {
    local suite=$1 f
    case $suite in
        unit)
            for f in "$BUILD"/tests/test_*; do
                [ -f "$f" ] && [ -x "$f" ] || continue
                case $f in *.d|*.o) continue ;; esac
                tasks+=("unit $f")
            done ;;
        emulator)
            for f in tests/emulator/test_*.py; do [ -f "$f" ] && tasks+=("emulator $f"); done ;;
        integration|e2e|layout)
            for f in tests/"$suite"/test_*.sh tests/"$suite"/test_*.py; do
                [ -f "$f" ] && tasks+=("$suite $f")
            done ;;
        tests/*/test_*)   # one script by its path
            [ -f "$suite" ] || { echo "tests: no such script $suite" >&2; exit 2; }
            f=${suite#tests/}
            if [ "${f%%/*}" = emulator ]; then tasks+=("emulator $suite"); else tasks+=("${f%%/*} $suite"); fi ;;
        *) echo "tests: unknown suite $suite" >&2; exit 2 ;;
    esac
}
suites=("$@")
[ ${#suites[@]} = 0 ] && suites=(all)
[ "${suites[0]}" = all ] && suites=(unit emulator integration e2e layout)
for s in "${suites[@]}"; do add_tasks "$s"; done

run_task() {   # run_task INDEX: the task's report in $RES/INDEX, then INDEX.done
    local suite=${tasks[$1]%% *} path=${tasks[$1]#* } t0=$SECONDS
    case $suite in
        unit) task_unit "$path" ;;
        emulator) task_pyunit "$path" ;;
        *) task_script "$suite" "$path" ;;
    esac >"$RES/$1" 2>&1
    echo "$((SECONDS - t0)) ${tasks[$1]}" >"$RES/$1.secs"
    # the CPU of the task's processes (user, sys; a daemonised tmux server is not counted), and
    # of the emulators the zygote forked for it (their "# cpu: emulator U s user + S s sys
    # (forked..." lines in its log): not this shell's children
    times >"$RES/$1.times"
    awk '/^# cpu: emulator .* \(forked by the zygote/ { u += $4; s += $8 } END { print u + 0, s + 0 }' \
        "$task_log" >"$RES/$1.emu" 2>/dev/null
    mv "$RES/$1" "$RES/$1.done"
}

# Start order: longest first by the last run's durations (a fresh clone: tests/durations, one
# run's figures kept in the repository); unknown tasks by a guess per suite.
DURATIONS=$LOGDIR/durations
[ -f "$DURATIONS" ] || DURATIONS=tests/durations
guess() {
    case $1 in unit) echo 5 ;; layout) echo 30 ;; emulator) echo 40 ;; *) echo 60 ;; esac
}
order=$(for i in "${!tasks[@]}"; do
    d=$(awk -v t="${tasks[$i]}" '{ s = $1; $1 = "" } substr($0, 2) == t { print s; exit }' \
        "$DURATIONS" 2>/dev/null)
    echo "${d:-$(guess "${tasks[$i]%% *}")} $i"
done | sort -k1,1nr -k2,2n | awk '{print $2}')

passed=0
failed=0
failures=()
shown=0
show_ready() {   # prints the reports that are done, in task order, up to the first one running
    local c p f
    while [ "$shown" -lt ${#tasks[@]} ] && [ -f "$RES/$shown.done" ]; do
        read -r c p f <"$RES/$shown.done"
        passed=$((passed + p)); failed=$((failed + f))
        [ "$f" != 0 ] && failures+=("${tasks[$shown]%% *} $(basename "${tasks[$shown]#* }")")
        # the first line of the report gets the task's wall time
        sed "1d;2s/\$/ ($(cut -d' ' -f1 "$RES/$shown.secs") s)/" "$RES/$shown.done"
        shown=$((shown + 1))
    done
}

# The emulator zygote (tests/emulator/zygote.py): imports moto once and forks each script's
# emulator, which saves about 1.5 s of CPU per start. Started when a task may start an emulator;
# TEST_ZYGOTE=0 turns it off (every script then starts emulator.py itself, as when run alone).
zygote_pid=""
zygote_start() {
    local zout=$RES/zygote.out line i
    SAGETOP_EMU_ZYGOTE_TOKEN=$SRANDOM$SRANDOM$SRANDOM$SRANDOM
    export SAGETOP_EMU_ZYGOTE_TOKEN
    : >"$zout"   # before the start: the loop below may read it before the child opens it
    "$PYTHON" tests/emulator/zygote.py >>"$zout" 2>"$LOGDIR/zygote.err" &
    zygote_pid=$!
    exec {zfd}<> <(:)
    for ((i = 0; i < 600; i++)); do
        while IFS= read -r line; do
            case $line in PORT=*) export SAGETOP_EMU_ZYGOTE=127.0.0.1:${line#PORT=} ;; READY) return 0 ;; esac
        done <"$zout"
        kill -0 "$zygote_pid" 2>/dev/null || break
        read -r -t 0.1 -u "$zfd" _
    done
    echo "tests: the emulator zygote did not start (see $LOGDIR/zygote.err); scripts start their own" >&2
    zygote_stop
    unset SAGETOP_EMU_ZYGOTE
}
zygote_stop() {
    [ -n "$zygote_pid" ] || return 0
    kill "$zygote_pid" 2>/dev/null
    wait "$zygote_pid" 2>/dev/null
    zygote_pid=""
}
trap 'zygote_stop; rm -rf "$RES"' EXIT
if [ "${TEST_ZYGOTE:-1}" != 0 ]; then
    for t in "${tasks[@]}"; do
        case ${t%% *} in emulator|integration|e2e) zygote_start; break ;; esac
    done
fi

# the running tasks' pids (keys): waits name them, so the zygote, a child too, is never waited for
declare -A live=()
for i in $order; do
    if [ ${#live[@]} -ge "$JOBS" ]; then
        wait -n -p done_pid "${!live[@]}"
        unset "live[$done_pid]"
        show_ready
    fi
    run_task "$i" &
    live[$!]=1
done
[ ${#live[@]} = 0 ] || wait "${!live[@]}"
show_ready
# the zygote's CPU and its emulators': what this shell's reaped children used before and after it
zcpu=""
if [ -n "$zygote_pid" ]; then
    times >"$RES/zygote.t0"    # in this shell: in a subshell, `times` counts no children
    zygote_stop
    times >"$RES/zygote.t1"
    zcpu=$(awk 'FNR == 2' "$RES/zygote.t0" "$RES/zygote.t1" | tr 'ms' '  ' | cat - "$RES"/*.emu |
        awk 'NR <= 2 { u[NR] = $1 * 60 + $2; s[NR] = $3 * 60 + $4; next } { eu += $1; es += $2 }
             END { printf "%.1f s user + %.1f s sys", u[2] - u[1] - eu, s[2] - s[1] - es }')
fi
# this run's durations, and the last known ones of the tasks it did not run
cat "$RES"/*.secs "$LOGDIR/durations" 2>/dev/null |
    awk '{ k = $0; sub(/^[^ ]* /, "", k) } !(k in seen) { seen[k] = 1; print }' |
    sort -k1,1nr >"$RES/durations" && mv "$RES/durations" "$LOGDIR/durations"

# CPU seconds per task, most first: "USER+SYS USER SYS WALL SUITE PATH"
for i in "${!tasks[@]}"; do
    [ -f "$RES/$i.times" ] || continue
    sed -n 2p "$RES/$i.times" | tr 'ms\n' '   '
    tr '\n' ' ' <"$RES/$i.emu" 2>/dev/null || printf '0 0 '
    cat "$RES/$i.secs"
done | awk '{ u = $1 * 60 + $2 + $5; s = $3 * 60 + $4 + $6; $1 = $2 = $3 = $4 = $5 = $6 = ""
              sub(/^ +/, ""); printf "%.1f %.1f %.1f %s\n", u + s, u, s, $0 }' |
    sort -k1,1 -g -r >"$LOGDIR/cpu"
awk '{ u += $2; s += $3 } END { printf "wall %d s, CPU of the tasks %.0f s user + %.0f s sys (per task: %s)\n", \
    w, u, s, f }' w=$SECONDS f="$LOGDIR/cpu" "$LOGDIR/cpu"
[ -n "$zcpu" ] && echo "CPU of the emulator zygote itself (its emulators are in their tasks' figures): $zcpu"

if [ ${#failures[@]} != 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
