# Helpers for the UI's end-to-end tests (source after tests/lib.sh).
#   ui_start [sagetop options]   start the demo emulator (plus $UI_EMU_ARGS, e.g. --host-metrics)
#                                and sagetop in a 120x40 tmux pane
#   shot NAME                    with SAGETOP_SCREENSHOTS set: write screenshots/NAME.txt (plain)
#                                and NAME.ansi (with colours); else nothing (`make test` leaves
#                                the work tree as it was, `make screenshots` writes them)
#   render_pngs                  NAME.png for each shot (scripts/ansi2png.py with colours, or
#                                ImageMagick; skipped when neither is there), at the end
#   screen_e                     the pane with colour escapes (capture-pane -e)
# SAGETOP_SCREENSHOTS=1 writes to the repository's screenshots/, an absolute path to that folder.
case ${SAGETOP_SCREENSHOTS:-} in
    ''|0) SHOTS="" ;;
    /*) SHOTS=$SAGETOP_SCREENSHOTS ;;
    *) SHOTS=$TOP/screenshots ;;
esac

ui_start() {
    # shellcheck disable=SC2086 # UI_EMU_ARGS is a list of options
    emu_start --scenario demo ${UI_EMU_ARGS:-} || { not_ok "emulator starts"; finish; }
    # sagetop is the pane's process, as in a terminal; tmux_screen makes tmux notice its exit
    # ("Pane is dead (status N)") even when tmux's utempter hook swallowed the SIGCHLD.
    # UI_RAW=FILE: every byte the pane writes is appended to FILE (the bell and OSC sequences do
    # not show on the screen); the pane waits for a line before it becomes sagetop, sent once
    # tmux pipes its output, so not even sagetop's first output is missed
    local cmd=(env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color
               "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" "$@")
    if [ -n "${UI_RAW:-}" ]; then
        tmux_start 120 40 sh -c 'read -r _ && exec "$@"' sh "${cmd[@]}"
        tmux -L "$_tmux_sock" pipe-pane -t t -o "cat >>'$UI_RAW'"
        tmux_keys Enter
    else
        tmux_start 120 40 "${cmd[@]}"
    fi
    tmux_wait 'jobs \([1-9][0-9]*\)' 30 || finish
    # the first sync pass fills the list: wait until the 40 demo jobs are there
    tmux_wait 'jobs \(4[0-9]\)' 30 || finish
    # then the describe pass: resources and final metrics of the finished jobs (no row on
    # screen still waiting for its describe, shown as a dim ellipsis)
    wait_until "every listed job is described" 30 ui_described || finish
}

# No row of the job table shows the "not described yet" ellipsis in INSTANCE. Polled: one
# capture, matched by bash (no process per poll, see tests/lib.sh).
ui_described() {
    local line ml=1
    _screen_lines
    for line in "${_tmuxc_lines[@]:3}"; do
        [[ $line =~ \ (…|\.\.\.)\ +(…|\.\.\.)\  ]] && return 1
        [[ $line == *ml.* ]] && ml=0
    done
    return $ml
}

# screen_rows_match ROW ERE [ROW ERE]...: each ROW of the screen matches its ERE (one capture)
screen_rows_match() {
    _screen_lines
    while [ $# -ge 2 ]; do
        [ "$1" -ge 1 ] && [ "$1" -le ${#_tmuxc_lines[@]} ] || return 1
        [[ ${_tmuxc_lines[$1 - 1]} =~ $2 ]] || return 1
        shift 2
    done
}

# ui_resize W H: resize the pane, then wait until the view is drawn again at the new size: its
# title row (row 2) on top and its footer (the last row) on row H, both as they were before. tmux
# alone keeps one or the other when the height changes, never both at a new height. Call it on a
# settled screen (after a wait for the frame the last keys lead to), not right after keys.
ui_resize() {
    local top bottom
    top=$(_prefix 16 "$(tmux_screen | sed -n 2p)")
    bottom=$(_prefix 20 "$(tmux_screen | tail -1)")
    tmux_resize "$1" "$2"
    wait_until "the view is drawn again at $1x$2" 10 _frame_at "$2" "$top" "$bottom" "$1"
}
_prefix() { local LC_ALL=C.UTF-8; printf '%s' "${2:0:$1}"; }
# _frame_at H TOP BOTTOM W: row 2 starts with TOP, row H with BOTTOM, and the header (whose sync
# state is right-aligned, one column of margin) ends at column W - 1. The last is what tells a redraw from tmux's own cut
# or padding of the old frame when only the width changed (the footer then starts the same).
_frame_at() {
    local LC_ALL=C.UTF-8
    _screen_lines
    [[ ${_tmuxc_lines[1]-} == "$2"* ]] && [[ ${_tmuxc_lines[$1 - 1]-} == "$3"* ]] &&
        [ "${#_tmuxc_lines[0]}" = "$(($4 - 1))" ]
}

# The width of the widest line on the screen, in columns.
screen_width() { tmux_screen | LC_ALL=C.UTF-8 wc -L; }

screen_e() { tmux -L "$_tmux_sock" capture-pane -e -p -t t; }

_shots=()
shot() {
    [ -n "$SHOTS" ] || return 0
    mkdir -p "$SHOTS"
    tmux_screen >"$SHOTS/$1.txt"
    screen_e >"$SHOTS/$1.ansi"
    _shots+=("$1")
}

# PNG renderings of the captures, made after the UI has exited: with colours by
# scripts/ansi2png.py when Debian's python3 has Pillow and DejaVu (python3-pil,
# fonts-dejavu-core), else plain text by ImageMagick, else none (quietly).
render_pngs() {
    local n args=()
    [ ${#_shots[@]} -gt 0 ] || return 0
    if /usr/bin/python3 -c 'import PIL' 2>/dev/null; then
        for n in "${_shots[@]}"; do
            args+=("$SHOTS/$n.ansi" "$SHOTS/$n.png")
        done
        /usr/bin/python3 "$TOP/scripts/ansi2png.py" "${args[@]}" 2>/dev/null && return 0
    fi
    command -v convert >/dev/null 2>&1 || return 0
    for n in "${_shots[@]}"; do
        convert -background '#1c1c1c' -fill '#d0d0d0' -font DejaVu-Sans-Mono -pointsize 13 \
            "label:@$SHOTS/$n.txt" "$SHOTS/$n.png" 2>/dev/null || rm -f "$SHOTS/$n.png"
    done
}

# The first line of the job table (below the column headings).
first_row() { _screen_lines; printf '%s\n' "${_tmuxc_lines[3]-}"; }
