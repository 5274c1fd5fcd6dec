# Helpers for the UI's end-to-end tests (source after tests/lib.sh).
#   ui_start [sagetop options]   start the demo emulator and sagetop in a 120x40 tmux pane
#   shot NAME                    write screenshots/NAME.txt (plain), NAME.ansi (with colours)
#   render_pngs                  NAME.png for each shot (scripts/ansi2png.py with colours, or
#                                ImageMagick; skipped when neither is there), at the end
#   screen_e                     the pane with colour escapes (capture-pane -e)
SHOTS=${SAGETOP_SCREENSHOTS:-$TOP/screenshots}

ui_start() {
    emu_start --scenario demo || { not_ok "emulator starts"; finish; }
    # sagetop is the pane's process, as in a terminal; tmux_screen makes tmux notice its exit
    # ("Pane is dead (status N)") even when tmux's utempter hook swallowed the SIGCHLD
    tmux_start 120 40 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
        "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" "$@"
    tmux_wait 'jobs \([1-9][0-9]*\)' 30 || { not_ok "the job list appears" "$(tmux_screen)"; finish; }
    # the first sync pass fills the list: wait until the 40 demo jobs are there
    tmux_wait 'jobs \(4[0-9]\)' 30
    # then the describe pass: resources and final metrics of the finished jobs (no row on
    # screen still waiting for its describe, shown as a dim ellipsis)
    ui_wait_described 30
}

# Waits until no row of the job table shows the "not described yet" ellipsis in INSTANCE.
ui_wait_described() {
    local i
    for i in $(seq 1 $((${1:-30} * 10))); do
        tmux_screen | sed -n '4,$p' | grep -q 'ml\.' &&
            ! tmux_screen | sed -n '4,$p' | grep -Eq ' (…|\.\.\.) +(…|\.\.\.) ' && return 0
        sleep 0.1
    done
    return 1
}

screen_e() { tmux -L "$_tmux_sock" capture-pane -e -p -t t; }

_shots=()
shot() {
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
first_row() { tmux_screen | sed -n '4p'; }
