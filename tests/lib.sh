# Shared helpers for tests/integration/*.sh and tests/e2e/*.sh (source it).
#   emu_start [emulator args]   start tests/emulator/emulator.py on a free loopback port and export
#                               what it prints (AWS_ENDPOINT_URL, keys, region, control URL);
#                               stopped by pid when the script exits
#   emu_ctl PATH [JSON]         POST JSON to the emulator's control API (faults, quotas, clock)
#   pyrun FILE|-c CODE|- ARGS   "$PYTHON" ARGS, forked by the zygote with boto3 already imported
#   aws_call_build              build tests/integration/aws_call.c into $CALL (an ok/not ok line)
#   ok NAME / not_ok NAME MSG   TAP-style result lines counted by tests/run.sh
#   check NAME CMD...           ok when CMD succeeds
#   wait_for SECS CMD...        poll CMD until it succeeds; 1 when the deadline passes (no report)
#   wait_until NAME SECS CMD... the same, and a timeout fails the test ("not ok - NAME")
#   tmux_start W H CMD...       start CMD in a private tmux server; tmux_keys, tmux_screen,
#                               tmux_wait (a timeout fails the test), tmux_expect NAME ERE SECS,
#                               tmux_poll (a timeout is an answer, not a failure)
# Deadlines are SECS x TEST_WAIT_SCALE (default 2): the scripts run side by side on a shared
# machine, and a wait that is met returns at once, so a generous deadline costs nothing.
set -u
TOP=${SAGETOP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SAGETOP=${SAGETOP_BIN:-$TOP/sagetop}
PYTHON=${PYTHON:-$("$TOP"/scripts/find-python.sh)}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sagetop-test.XXXXXX")
export HOME=$TMPD/home XDG_CACHE_HOME=$TMPD/cache XDG_CONFIG_HOME=$TMPD/config
mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME"
export AWS_EC2_METADATA_DISABLED=true
_pids=()
_zpids=()     # emulators forked by the zygote (not this shell's children) and their status files
_zstatus=()
_tmux_sock=""
_failures=0

_cleanup() {
    local p st i
    # where a script's CPU went (tests/run.sh sums it per script): the emulator's share
    if [ -n "${EMU_PID:-}" ] && [ ${#_zpids[@]} = 0 ] && read -r st 2>/dev/null </proc/"$EMU_PID"/stat; then
        st=${st##*) }; set -- $st
        echo "# cpu: emulator $(((${12} + ${13}) / 100)).$(((${12} + ${13}) % 100 / 10)) s"
    fi
    [ -n "$_tmux_sock" ] && tmux -L "$_tmux_sock" kill-server 2>/dev/null
    for p in "${_pids[@]}"; do
        kill "$p" 2>/dev/null
    done
    for i in "${!_zpids[@]}"; do
        [ -f "${_zstatus[$i]}" ] || kill "${_zpids[$i]}" 2>/dev/null
    done
    for p in "${_pids[@]}"; do
        wait "$p" 2>/dev/null
    done
    _emu_forked_wait
    _pyrun_cpu
    rm -rf "$TMPD"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok - $1"; }
# the detail of a failure goes out as "# " lines: a screen capture never reads as a result line
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && printf '%s\n' "$*" | sed 's/^/# /'; _failures=$((_failures + 1)); return 0; }
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "command failed: $*"; fi; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got [$2] want [$3]"; fi; }
# expect_match NAME TEXT ERE
expect_match() { if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1" "no match for /$3/ in: $(printf '%s' "$2" | head -c 600)"; fi; }
finish() { exit $((_failures > 0)); }

WAIT_SCALE=${TEST_WAIT_SCALE:-2}
# wait_for SECS CMD...: runs CMD every WAIT_POLL s (default 0.1; more for a costly CMD) until it
# succeeds (0) or SECS x WAIT_SCALE pass (1). SECS may have a fraction (0.5); the clock is bash's
# EPOCHREALTIME in microseconds. The loop itself forks nothing: the scripts poll a lot, side by
# side on two cores, and a fork per `sleep` or `$(clock)` adds up to seconds of system time.
_secs_us() { local w=${1%%.*} f=${1#*.}; [ "$f" = "$1" ] && f=0; f=${f}000000; echo $(((10#${w:-0} * 1000000 + 10#${f:0:6}) * WAIT_SCALE)); }
# nap SECS: sleep without a process, a read that times out on a pipe nobody writes to
exec {_nap_fd}<> <(:)
nap() { read -r -t "$1" -u "$_nap_fd" _; return 0; }
wait_for() {
    local t=${EPOCHREALTIME/[.,]/} end
    end=$((10#$t + $(_secs_us "$1")))
    shift
    while :; do
        "$@" && return 0
        t=${EPOCHREALTIME/[.,]/}
        [ $((10#$t)) -ge "$end" ] && break
        nap "${WAIT_POLL:-0.1}"
    done
    "$@"    # once more at the deadline: a slow poll may have slept through the change
}
# wait_until NAME SECS CMD...: wait_for, and a timeout fails the test
wait_until() {
    local name=$1 secs=$2
    shift 2
    wait_for "$secs" "$@" && return 0
    if [ -n "$_tmux_sock" ]; then
        not_ok "$name" "still false after $secs s x $WAIT_SCALE: $*; the screen:" "$(tmux_screen)"
    else
        not_ok "$name" "still false after $secs s x $WAIT_SCALE: $*"
    fi
    return 1
}

# Starts the emulator and exports the KEY=VALUE lines it prints before READY. Under tests/run.sh
# a zygote (tests/emulator/zygote.py, SAGETOP_EMU_ZYGOTE) forks it with moto already imported,
# which saves about 1.5 s of CPU per start; without one (a script run alone, or the zygote not
# answering) the script starts emulator.py itself.
emu_start() {
    local out=$TMPD/emu.$$.$RANDOM line
    if [ -z "${SAGETOP_EMU_ZYGOTE:-}" ] || ! _emu_fork "$out" "$@"; then
        "$PYTHON" "$TOP/tests/emulator/emulator.py" --port 0 "$@" >"$out" 2>"$out.err" &
        _pids+=($!)
        EMU_PID=$!
    fi
    local end=$((SECONDS + 60 * WAIT_SCALE))
    while [ $SECONDS -lt $end ]; do
        # READY is the last line it prints: read the file in bash (a grep per poll is a process)
        if _emu_ready "$out"; then
            while IFS= read -r line; do
                case $line in
                    READY*) break ;;
                    [A-Z_]*=*) export "${line?}" ;;
                esac
            done <"$out"
            return 0
        fi
        if ! _emu_alive "$out"; then
            # the emulator picks moto's port by binding port 0 and closing it: another script
            # starting its emulator at the same moment can take that port first; start again
            if grep -q 'Address already in use' "$out.err" && [ "${_emu_tries:-0}" -lt 3 ]; then
                _emu_tries=$((${_emu_tries:-0} + 1))
                echo "# emulator: port taken meanwhile, starting again ($_emu_tries)"
                emu_start "$@"
                return
            fi
            echo "# emulator died:"; sed 's/^/# /' "$out.err" | tail -20
            return 1
        fi
        nap 0.1
    done
    echo "# emulator not ready after $((60 * WAIT_SCALE)) s"; return 1
}

# _emu_fork OUT ARGS...: asks the zygote for an emulator with ARGS, this shell's environment and
# working directory, its output in OUT and OUT.err; its exit status ("RC USER SYS", the CPU
# seconds it used) lands in OUT.status. Sets EMU_PID; 1 when the zygote does not answer.
# Everything here is a bash builtin but the one subshell listing the exported names.
_emu_fork() {
    local out=$1 fd pid name env=()
    shift
    for name in $(compgen -A export); do env+=("$name=${!name}"); done
    { exec {fd}<>"/dev/tcp/${SAGETOP_EMU_ZYGOTE%:*}/${SAGETOP_EMU_ZYGOTE##*:}"; } 2>/dev/null || return 1
    printf '%s\0' "${SAGETOP_EMU_ZYGOTE_TOKEN:-}" "$out" "$out.err" "$out.status" "$PWD" \
        "${#env[@]}" "$#" "${env[@]}" "$@" >&"$fd" 2>/dev/null
    read -r -t 30 -u "$fd" pid
    exec {fd}>&-
    case $pid in ''|*[!0-9]*) echo "# zygote did not answer ($pid); starting the emulator here"; return 1 ;; esac
    EMU_PID=$pid
    _zpids+=("$pid")
    _zstatus+=("$out.status")
}

# _emu_alive OUT: the emulator writing OUT still runs
_emu_alive() {
    local i
    for i in "${!_zpids[@]}"; do
        [ "${_zstatus[$i]}" = "$1.status" ] || continue
        [ ! -f "$1.status" ]
        return
    done
    kill -0 "$EMU_PID" 2>/dev/null
}

# waits (30 s at most) for the forked emulators to exit, as `wait` does for the others, and
# reports each one's CPU the way _cleanup does
_emu_forked_wait() {
    local i rc u s end=$((SECONDS + 30))
    for i in "${!_zpids[@]}"; do
        while [ ! -f "${_zstatus[$i]}" ] && [ $SECONDS -lt $end ]; do nap 0.05; done
        read -r rc u s 2>/dev/null <"${_zstatus[$i]}" || continue
        echo "# cpu: emulator $u s user + $s s sys (forked by the zygote; exit $rc)"
    done
}

# pyrun FILE ARGS | pyrun -c CODE ARGS | pyrun - ARGS: runs "$PYTHON" with these arguments, the
# way an oracle does, but forked by the zygote (tests/emulator/zygote.py) with boto3 and the AWS
# CLI already imported: a script importing boto3 costs ~0.5 s of CPU to start, a forked one a few
# hundredths. Same environment, working directory, stdin, stdout, stderr and exit status (128+N
# for a signal). The child opens this shell's stdin, and stdout/stderr when they are pipes or
# terminals, through /proc, as it does an argument /dev/fd/N (a process substitution); output
# for a file goes through a temp file of this shell's, copied here afterwards (the file opened
# again would be written from its start). Without a zygote (a script run alone), or when it
# does not answer, it is "$PYTHON" itself. Waits on the connection, no polling.
pyrun() {
    [ -n "${SAGETOP_EMU_ZYGOTE:-}" ] || { "$PYTHON" "$@"; return; }
    local fd pid rc u s name i p env=() files=() copy=() args=() data
    for name in $(compgen -A export); do env+=("$name=${!name}"); done
    # a process substitution's /dev/fd/N is this shell's descriptor: the child opens it by /proc
    for p in "$@"; do
        case $p in /dev/fd/[0-9]*) p=/proc/$BASHPID/fd/${p#/dev/fd/} ;; esac
        args+=("$p")
    done
    for i in 0 1 2; do
        p=/proc/$BASHPID/fd/$i
        if [ -p "$p" ] || [ -c "$p" ] || { [ $i = 0 ] && [ -f "$p" ]; }; then
            files+=("$p")
        elif [ $i = 0 ]; then
            files+=(/dev/null)
        else
            files+=("$TMPD/pyrun.$BASHPID.$i")
            copy[$i]=${files[$i]}
            : >"${files[$i]}"
        fi
    done
    { exec {fd}<>"/dev/tcp/${SAGETOP_EMU_ZYGOTE%:*}/${SAGETOP_EMU_ZYGOTE##*:}"; } 2>/dev/null ||
        { "$PYTHON" "$@"; return; }
    printf '%s\0' "run:${SAGETOP_EMU_ZYGOTE_TOKEN:-}" "${files[@]}" "$PWD" \
        "${#env[@]}" "$#" "${env[@]}" "${args[@]}" >&"$fd" 2>/dev/null
    read -r -t 30 -u "$fd" pid
    case $pid in
        ''|*[!0-9]*) exec {fd}>&-; echo "# zygote did not answer ($pid); running $PYTHON here" >&2
                     "$PYTHON" "$@"; return ;;
    esac
    read -r -u "$fd" rc u s || rc=-9    # the zygote went: as if killed
    exec {fd}>&-
    for i in 1 2; do
        [ -n "${copy[$i]:-}" ] || continue
        IFS= read -r -d '' data <"${copy[$i]}"
        printf '%s' "$data" >&$i
    done
    [ -n "$u" ] && echo "$u $s" >>"$TMPD/pyrun.cpu"
    [ "$rc" -lt 0 ] && return $((128 - rc))
    return "$rc"
}
# the CPU of the pyrun children, in tests/run.sh's format for what the zygote forked (it sums the
# "# cpu: emulator U s user + S s sys (forked by the zygote" lines of a task's log)
_pyrun_cpu() {
    local u s tu=0 ts=0 n=0
    [ -f "$TMPD/pyrun.cpu" ] || return 0
    while read -r u s; do
        tu=$((tu + 10#${u/./})); ts=$((ts + 10#${s/./})); n=$((n + 1))
    done <"$TMPD/pyrun.cpu"
    printf '# cpu: emulator %d.%02d s user + %d.%02d s sys (forked by the zygote: %d pyrun scripts)\n' \
        $((tu / 100)) $((tu % 100)) $((ts / 100)) $((ts % 100)) "$n"
}

_emu_ready() {
    local line
    while IFS= read -r line; do
        [[ $line == READY* ]] && return 0
    done 2>/dev/null <"$1"
    return 1
}

# aws_call_build: compiles tests/integration/aws_call.c (sagetop's own aws/ client as a command)
# against $BUILD/libaws.a into $CALL, reported as the test "the aws_call driver builds"; 1 when
# it does not build. `make asan` sets SAGETOP_SAN_FLAGS: its libaws.a needs the sanitizer
# runtimes at link time.
aws_call_build() {
    local build=${BUILD:-build}
    case $build in /*) ;; *) build=$TOP/$build ;; esac
    CALL=$TMPD/aws_call
    # shellcheck disable=SC2046,SC2086
    if ! ${CC:-cc} -std=c11 -Wall -Wextra -Werror ${SAGETOP_SAN_FLAGS:-} -I"$TOP" $(pkg-config --cflags jansson libcurl) \
            "$TOP/tests/integration/aws_call.c" "$build/libaws.a" \
            $(pkg-config --libs libcurl libcrypto jansson libxml-2.0) -lm -pthread -o "$CALL" \
            2>"$TMPD/cc.err"; then
        not_ok "the aws_call driver builds" "$(head -5 "$TMPD/cc.err")"
        return 1
    fi
    ok "the aws_call driver builds"
}

emu_ctl() {
    curl -sf -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" \
        "$SAGETOP_EMULATOR_CONTROL/$1"
}

tmux_start() {
    local w=$1 h=$2; shift 2
    _tmuxc_stop
    _tmux_sock=sagetop-$$-$RANDOM
    tmux -L "$_tmux_sock" -f /dev/null new-session -d -s t -x "$w" -y "$h" "$@"
    tmux -L "$_tmux_sock" set-option -t t remain-on-exit on >/dev/null
    _tmux_pid=$(tmux -L "$_tmux_sock" display-message -p '#{pid}')
    _tmuxc_start
}

# The screen is read through one tmux client in control mode (-C), a coprocess fed commands on a
# pipe: a capture costs no process. A `tmux capture-pane` per poll cost ~15 ms of CPU and the
# `| grep` after it as much again (a fork and exec is ~7 ms on this VM), ten polls a second in
# every e2e script: most of their CPU. The client neither gets the pane's output (no-output) nor
# counts for the window's size (ignore-size: the pane keeps the size the script gave it); each
# command's answer comes between "%begin T N F" and "%end T N F" (or %error),
# notifications (other % lines) only between answers. Its pipes are dup'ed to plain descriptors,
# which subshells (pipelines, $(...)) inherit. When it is missing or does not answer in time, the
# helpers use a plain tmux client as before (_tmuxc_in is empty).
_tmuxc_in=""
_tmuxc_out=""
_tmuxc_start() {
    local line
    coproc _TMUXC { exec tmux -L "$_tmux_sock" -C attach-session -f ignore-size,no-output -t t 2>/dev/null; }
    exec {_tmuxc_in}>&"${_TMUXC[1]}" {_tmuxc_out}<&"${_TMUXC[0]}"
    _tmuxc_pid=$_TMUXC_PID
    # attaching answers with a block of its own: read past it
    while IFS= read -r -t 10 line <&"$_tmuxc_out"; do
        case $line in %end\ *|%error\ *) break ;; esac
    done
    if [ "${line%% *}" != %end ]; then
        echo "# tmux control client did not start; polling with a tmux client per capture"
        _tmuxc_stop
    fi
}
_tmuxc_stop() {
    [ -n "$_tmuxc_in" ] || return 0
    exec {_tmuxc_in}>&- {_tmuxc_out}<&-
    kill "$_tmuxc_pid" 2>/dev/null
    wait "$_tmuxc_pid" 2>/dev/null
    _tmuxc_in=""
}
# _tmuxc CMD...: runs a tmux command through the control client, its output lines in the array
# _tmuxc_lines; 1 when the client is not there, the command failed or no answer came in 10 s
_tmuxc_lines=()
_tmuxc() {
    local line
    _tmuxc_lines=()
    [ -n "$_tmuxc_in" ] || return 1
    printf '%s\n' "$*" >&"$_tmuxc_in" 2>/dev/null || return 1
    while IFS= read -r -t 10 line <&"$_tmuxc_out"; do
        case $line in %begin\ *) break ;; esac
    done
    [ "${line%% *}" = %begin ] || return 1
    while IFS= read -r -t 10 line <&"$_tmuxc_out"; do
        case $line in
            %end\ *) return 0 ;;
            %error\ *) _tmuxc_lines=(); return 1 ;;
        esac
        _tmuxc_lines+=("$line")
    done
    _tmuxc_lines=()
    return 1
}
tmux_keys() { tmux -L "$_tmux_sock" send-keys -t t "$@"; }
# A tmux built with libutempter (Debian's) can lose the SIGCHLD of a pane's process: when the
# pty hangs up first, tmux runs the utempter helper under utempter's own SIGCHLD handler, and a
# pane process that exits meanwhile stays an unreaped zombie, its pane never "dead" (tmux issues
# 311 and 4559; seen here with `sh -c 'sleep 0.5'` as the pane in 12 of 20 runs). A SIGCHLD of
# our own makes tmux reap it, so each capture first nudges the server this script started.
# _screen_lines [capture-pane options]: the pane's lines into the array _tmuxc_lines (no subshell)
_screen_lines() {
    [ -n "${_tmux_pid:-}" ] && kill -CHLD "$_tmux_pid" 2>/dev/null
    _tmuxc capture-pane -p -t t "$@" && return 0
    mapfile -t _tmuxc_lines < <(tmux -L "$_tmux_sock" capture-pane -p -t t "$@")
}
tmux_screen() {
    _screen_lines "$@"
    [ ${#_tmuxc_lines[@]} = 0 ] || printf '%s\n' "${_tmuxc_lines[@]}"
}
tmux_resize() { tmux -L "$_tmux_sock" resize-window -t t -x "$1" -y "$2"; }
# tmux_has ERE: a line of the screen matches (grep -E's rule, matched by bash: no process)
tmux_has() {
    local line
    _screen_lines
    for line in "${_tmuxc_lines[@]}"; do
        [[ $line =~ $1 ]] && return 0
    done
    return 1
}
# tmux_poll ERE [SECS]: wait until the screen matches; 1 on timeout, reported by no one (for a
# wait whose timeout is one of two legitimate outcomes: the caller asserts the other)
tmux_poll() { wait_for "${2:-10}" tmux_has "$1"; }
# tmux_wait ERE [SECS]: wait until the screen matches; a timeout fails the test with the pattern
# and the screen, and returns 1 (a caller that cannot go on adds `|| finish`)
tmux_wait() {
    tmux_poll "$@" && return 0
    not_ok "the screen shows /$1/ within ${2:-10} s x $WAIT_SCALE" "$(tmux_screen)"
    return 1
}
# tmux_expect NAME ERE [SECS]: ok NAME when the screen matches in time, else not ok NAME + screen
tmux_expect() {
    if tmux_poll "$2" "${3:-10}"; then ok "$1"; return 0; fi
    not_ok "$1" "no /$2/ within ${3:-10} s x $WAIT_SCALE on the screen:" "$(tmux_screen)"
    return 1
}
# tmux_dead [SECS]: wait until the pane's process has exited ("Pane is dead")
tmux_dead() { tmux_wait 'Pane is dead' "${1:-10}"; }
