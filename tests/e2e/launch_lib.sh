# Helpers for the launch form's end-to-end tests (source after ui_lib.sh; the pane is 40 rows).
#   prompt_wait ERE   wait until the last row (the prompt or the footer) matches
#   edit TEXT         replace the selected field's value (Enter, ^U, TEXT, Enter)
#   add ENTRY         add an hp./input./metric./env. entry with `a`
# Each step waits for the row it leads to, so that no key lands before the prompt it is meant
# for has opened or closed.
FOOTER='^Enter edit field'
last_row_is() { screen_rows_match 40 "$1"; }
prompt_wait() { wait_until "the prompt /$1/ on the last row" 5 last_row_is "$1"; }
edit() {
    tmux_keys Enter
    prompt_wait '^[a-z_]+:( |$)'
    tmux_keys C-u
    tmux_keys -l "$1"
    tmux_keys Enter
    prompt_wait "$FOOTER"
}
add() {
    tmux_keys a
    prompt_wait '^add \(hp\.'
    tmux_keys -l "$1"
    tmux_keys Enter
    prompt_wait "$FOOTER"
}
