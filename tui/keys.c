/* keys.c: the global key table, key lookup and dispatch, key names. Owns no state; must not
 * draw. A view's own table lives in its view_*.c beside the actions it names. */
#include "tui/keys.h"

#include <curses.h>
#include <stdio.h>

#include "tui/app.h"

const struct key_binding keys_global[] = {
    { '?', "?/F1", "help: every key of this view", app_act_help, KB_FOOTER },
    { KEY_F(1), "F1", "", app_act_help, KB_HIDDEN },
    { ':', ":", "command line (:q :sort :cols :jobs :tuning :profile :region)", app_act_command, KB_FOOTER },
    { 'q', "q", "back; quit from the job list", app_act_back, KB_FOOTER },
    { KEY_ESCAPE, "Esc", "back", app_act_back, 0 },
    { 'Q', "Q/F10", "quit", app_act_quit, 0 },
    { KEY_F(10), "F10", "", app_act_quit, KB_HIDDEN },
    { KEY_CTRL_C, "^C", "quit", app_act_quit, KB_HIDDEN },
    { KEY_CTRL_L, "^L", "redraw the screen", app_act_redraw, 0 },
    { 'R', "R", "refresh from AWS now", app_act_refresh, 0 },
    { 'P', "P", "pick a profile", app_act_profile, 0 },
    { 'E', "E", "pick a region", app_act_region, 0 },
    { '!', "!", "alerts: every alert that fired", app_act_alerts, 0 },
    { 0, NULL, NULL, NULL, 0 },
};

const struct key_binding *keys_find(const struct key_binding *t, int key, bool read_only)
{
    for (; t && t->label; t++) {
        if (t->key != key || !t->fn)
            continue;
        if (read_only && (t->flags & KB_MUTATING))
            return NULL;
        return t;
    }
    return NULL;
}

int keys_dispatch(const struct key_binding *t, struct view *v, struct app *a, int key)
{
    const struct key_binding *b = keys_find(t, key, app_read_only(a));

    if (!b)
        return R_UNHANDLED;
    return b->fn(v, a);
}

const char *keys_name(int key, char *buf, size_t size)
{
    switch (key) {
    case '\n':
    case KEY_ENTER:
        return "Enter";
    case ' ':
        return "space";
    case KEY_ESCAPE:
        return "Esc";
    case KEY_UP:
        return "Up";
    case KEY_DOWN:
        return "Down";
    case KEY_LEFT:
        return "Left";
    case KEY_RIGHT:
        return "Right";
    case KEY_NPAGE:
        return "PgDn";
    case KEY_PPAGE:
        return "PgUp";
    case KEY_HOME:
        return "Home";
    case KEY_END:
        return "End";
    case '\t':
        return "Tab";
    default:
        break;
    }
    if (key >= KEY_F(1) && key <= KEY_F(12)) {
        snprintf(buf, size, "F%d", key - KEY_F0);
        return buf;
    }
    if (key > 0 && key < 32)
        snprintf(buf, size, "^%c", key + 64);
    else if (key >= 32 && key < 127)
        snprintf(buf, size, "%c", key);
    else
        snprintf(buf, size, "#%d", key);
    return buf;
}
