# Shared helpers for tests/integration/*.sh and tests/e2e/*.sh (source it).
#   emu_start [emulator args]   start tests/emulator/emulator.py on a free loopback port and export
#                               what it prints (AWS_ENDPOINT_URL, keys, region, control URL);
#                               stopped by pid when the script exits
#   emu_ctl PATH [JSON]         POST JSON to the emulator's control API (faults, quotas, clock)
#   ok NAME / not_ok NAME MSG   TAP-style result lines counted by tests/run.sh
#   check NAME CMD...           ok when CMD succeeds
#   tmux_start W H CMD...       start CMD in a private tmux server; tmux_keys, tmux_screen, tmux_wait
set -u
TOP=${SAGETOP_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
SAGETOP=${SAGETOP_BIN:-$TOP/sagetop}
PYTHON=${PYTHON:-$("$TOP"/scripts/find-python.sh)}
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/sagetop-test.XXXXXX")
export HOME=$TMPD/home XDG_CACHE_HOME=$TMPD/cache XDG_CONFIG_HOME=$TMPD/config
mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_CONFIG_HOME"
export AWS_EC2_METADATA_DISABLED=true
_pids=()
_tmux_sock=""
_failures=0

_cleanup() {
    local p
    [ -n "$_tmux_sock" ] && tmux -L "$_tmux_sock" kill-server 2>/dev/null
    for p in "${_pids[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${_pids[@]}"; do
        wait "$p" 2>/dev/null
    done
    rm -rf "$TMPD"
}
trap _cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok - $1"; }
not_ok() { echo "not ok - $1"; shift; [ $# -gt 0 ] && echo "# $*"; _failures=$((_failures + 1)); return 0; }
check() { local n=$1; shift; if "$@"; then ok "$n"; else not_ok "$n" "command failed: $*"; fi; }
# expect_eq NAME GOT WANT
expect_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got [$2] want [$3]"; fi; }
# expect_match NAME TEXT ERE
expect_match() { if printf '%s' "$2" | grep -Eq -- "$3"; then ok "$1"; else not_ok "$1" "no match for /$3/ in: $(printf '%s' "$2" | head -c 600)"; fi; }
finish() { exit $((_failures > 0)); }

# Starts the emulator and exports the KEY=VALUE lines it prints before READY.
emu_start() {
    local out=$TMPD/emu.$$.$RANDOM line i
    "$PYTHON" "$TOP/tests/emulator/emulator.py" --port 0 "$@" >"$out" 2>"$out.err" &
    _pids+=($!)
    EMU_PID=$!
    for i in $(seq 1 600); do
        if grep -q '^READY' "$out" 2>/dev/null; then
            while IFS= read -r line; do
                case $line in
                    READY*) break ;;
                    [A-Z_]*=*) export "${line?}" ;;
                esac
            done <"$out"
            return 0
        fi
        if ! kill -0 "$EMU_PID" 2>/dev/null; then
            echo "# emulator died:"; sed 's/^/# /' "$out.err" | tail -20
            return 1
        fi
        sleep 0.1
    done
    echo "# emulator not ready after 60 s"; return 1
}

emu_ctl() {
    curl -sf -X POST -H 'Content-Type: application/json' --data "${2:-{\}}" \
        "$SAGETOP_EMULATOR_CONTROL/$1"
}

tmux_start() {
    local w=$1 h=$2; shift 2
    _tmux_sock=sagetop-$$-$RANDOM
    tmux -L "$_tmux_sock" -f /dev/null new-session -d -s t -x "$w" -y "$h" "$@"
    tmux -L "$_tmux_sock" set-option -t t remain-on-exit on >/dev/null
    _tmux_pid=$(tmux -L "$_tmux_sock" display-message -p '#{pid}')
}
tmux_keys() { tmux -L "$_tmux_sock" send-keys -t t "$@"; }
# A tmux built with libutempter (Debian's) can lose the SIGCHLD of a pane's process: when the
# pty hangs up first, tmux runs the utempter helper under utempter's own SIGCHLD handler, and a
# pane process that exits meanwhile stays an unreaped zombie, its pane never "dead" (tmux issues
# 311 and 4559; seen here with `sh -c 'sleep 0.5'` as the pane in 12 of 20 runs). A SIGCHLD of
# our own makes tmux reap it, so each capture first nudges the server this script started.
tmux_screen() {
    [ -n "${_tmux_pid:-}" ] && kill -CHLD "$_tmux_pid" 2>/dev/null
    tmux -L "$_tmux_sock" capture-pane -p -t t "$@"
}
tmux_resize() { tmux -L "$_tmux_sock" resize-window -t t -x "$1" -y "$2"; }
# tmux_wait ERE [seconds]: wait until the screen matches
tmux_wait() {
    local re=$1 secs=${2:-10} i
    for i in $(seq 1 $((secs * 10))); do
        tmux_screen | grep -Eq -- "$re" && return 0
        sleep 0.1
    done
    return 1
}
