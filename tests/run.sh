#!/bin/bash
# Runs the test suites and ends with one line "N passed, N failed" that sums them.
# Usage: tests/run.sh [all | unit | emulator | integration | e2e]...
# Suites:
#   unit         Criterion binaries built from tests/unit/test_*.c (in $BUILD/tests/)
#   emulator     tests/emulator/test_*.py (Python unittest), the emulator's own tests
#   integration  tests/integration/test_*.{sh,py}: the real binary against the emulator
#   e2e          tests/e2e/test_*.sh: the real binary in tmux against the emulator
# A script test prints "ok - NAME" / "not ok - NAME" lines (tests/lib.sh does it); a script that
# prints none counts once, by its exit status.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export SAGETOP_BIN=${SAGETOP_BIN:-$PWD/sagetop}
case $SAGETOP_BIN in /*) ;; *) SAGETOP_BIN=$PWD/$SAGETOP_BIN ;; esac
PYTHON=$(scripts/find-python.sh) || { echo "tests: no Python with moto; run scripts/deps.sh" >&2; exit 1; }
export PYTHON
export SAGETOP_TOP=$PWD
LOGDIR=${TEST_LOGDIR:-$BUILD/test-logs}
mkdir -p "$LOGDIR"
# Tests never reach real AWS: no inherited credentials, profiles or endpoints.
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN \
      AWS_ENDPOINT_URL AWS_REGION AWS_DEFAULT_REGION AWS_CONTAINER_CREDENTIALS_RELATIVE_URI \
      AWS_CONTAINER_CREDENTIALS_FULL_URI
export AWS_EC2_METADATA_DISABLED=true
export HOME_ORIG=$HOME

passed=0
failed=0
failures=()

note() { printf '%s\n' "$*"; }

run_unit() {
    local bin out p f c t
    for bin in "$BUILD"/tests/test_*; do
        [ -x "$bin" ] || continue
        case $bin in *.d|*.o) continue ;; esac
        out=$LOGDIR/$(basename "$bin").log
        timeout 600 "$bin" --jobs 2 >"$out" 2>&1
        local rc=$?
        t=$(sed -n 's/.*Tested: \([0-9]*\).*/\1/p' "$out" | tail -1)
        p=$(sed -n 's/.*Passing: \([0-9]*\).*/\1/p' "$out" | tail -1)
        f=$(sed -n 's/.*Failing: \([0-9]*\).*/\1/p' "$out" | tail -1)
        c=$(sed -n 's/.*Crashing: \([0-9]*\).*/\1/p' "$out" | tail -1)
        if [ -z "$t" ]; then
            failed=$((failed + 1)); failures+=("unit $(basename "$bin") (no summary, rc=$rc)")
            note "FAIL unit $(basename "$bin"): no summary (rc=$rc), see $out"
            continue
        fi
        passed=$((passed + p)); failed=$((failed + f))
        if [ "$f" != 0 ] || [ "$rc" != 0 ]; then
            [ "$f" = 0 ] && failed=$((failed + 1))
            failures+=("unit $(basename "$bin")")
            note "FAIL unit $(basename "$bin"): $f of $t failed (crashing $c), see $out"
            grep -E '\[----\]|\[FAIL\]' "$out" | head -20
        else
            note "ok   unit $(basename "$bin"): $p passed"
        fi
    done
}

# One script (shell or Python) that prints "ok - " / "not ok - " lines.
run_script() {
    local suite=$1 script=$2 out rc p f
    out=$LOGDIR/$suite-$(basename "$script").log
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
        f=1; echo "not ok - $(basename "$script") exited $rc" >>"$out"
    fi
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" != 0 ]; then
        failures+=("$suite $(basename "$script")")
        note "FAIL $suite $(basename "$script"): $p passed, $f failed, see $out"
        grep -E '^not ok - |^# ' "$out" | head -20
    else
        note "ok   $suite $(basename "$script"): $p passed"
    fi
}

run_pyunit() {
    local script out rc n fl er
    for script in tests/emulator/test_*.py; do
        [ -f "$script" ] || continue
        out=$LOGDIR/emulator-$(basename "$script").log
        (cd tests/emulator && timeout 900 "$PYTHON" -m unittest -v "$(basename "${script%.py}")") >"$out" 2>&1
        rc=$?
        n=$(sed -n 's/^Ran \([0-9]*\) tests\{0,1\}.*/\1/p' "$out" | tail -1)
        fl=$(grep -cE '\.\.\. (FAIL|ERROR)$' "$out")
        if [ -z "$n" ]; then n=0; [ "$fl" = 0 ] && fl=1; fi
        [ $rc != 0 ] && [ "$fl" = 0 ] && fl=1
        passed=$((passed + n - (fl > n ? n : fl))); failed=$((failed + fl))
        if [ "$fl" != 0 ]; then
            failures+=("emulator $(basename "$script")")
            note "FAIL emulator $(basename "$script"): $fl of $n failed, see $out"
            grep -E '\.\.\. (FAIL|ERROR)$|^(FAIL|ERROR):' "$out" | head -20
        else
            note "ok   emulator $(basename "$script"): $n passed"
        fi
    done
}

run_dir() {
    local suite=$1 s
    for s in tests/"$suite"/test_*.sh tests/"$suite"/test_*.py; do
        [ -f "$s" ] || continue
        run_script "$suite" "$s"
    done
}

suites=("$@")
[ ${#suites[@]} = 0 ] && suites=(all)
[ "${suites[0]}" = all ] && suites=(unit emulator integration e2e)
for s in "${suites[@]}"; do
    case $s in
        unit) run_unit ;;
        emulator) run_pyunit ;;
        integration|e2e) run_dir "$s" ;;
        *) echo "tests: unknown suite $s" >&2; exit 2 ;;
    esac
done

if [ ${#failures[@]} != 0 ]; then
    echo "failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
