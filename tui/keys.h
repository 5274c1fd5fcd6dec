/* keys.h: key → action tables. Each view declares its own table (struct key_binding, view.h)
 * next to its actions; this module holds the frame's global table, the lookup that runs an
 * action (refusing KB_MUTATING ones under --read-only), and key names for help and footer. */
#ifndef SAGETOP_TUI_KEYS_H
#define SAGETOP_TUI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "tui/view.h"

/* j/Down and k/Up bound to a view's line scroll actions, listed in the help as "j/Down" and
 * "k/Up" (the arrow keys are hidden aliases). Expands to four table entries; the file using it
 * includes curses (KEY_DOWN, KEY_UP). */
#define KEYS_SCROLL_LINES(down, up)                              \
    { 'j', "j/Down", "scroll down", (down), 0 },                 \
    { KEY_DOWN, "Down", "scroll down", (down), KB_HIDDEN },      \
    { 'k', "k/Up", "scroll up", (up), 0 },                       \
    { KEY_UP, "Up", "scroll up", (up), KB_HIDDEN }

/* The list widget's navigation keys (tui/list.h), all bound to one action that passes the key
 * (app_key()) to list_key(): j/Down, k/Up, PgDn/^F, PgUp/^B, g/Home, G/End, and the mouse
 * (KEY_MOUSE: wheel and click). next/prev/first/last are the help texts ("next job"). */
#define KEYS_LIST_NAV(fn, next, prev, first, last)                  \
    { 'j', "j/Down", next, (fn), 0 },                               \
    { KEY_DOWN, "Down", next, (fn), KB_HIDDEN },                    \
    { 'k', "k/Up", prev, (fn), 0 },                                 \
    { KEY_UP, "Up", prev, (fn), KB_HIDDEN },                        \
    { KEY_NPAGE, "PgDn/^F", "page down", (fn), 0 },                 \
    { 6, "^F", "page down", (fn), KB_HIDDEN },                      \
    { KEY_PPAGE, "PgUp/^B", "page up", (fn), 0 },                   \
    { 2, "^B", "page up", (fn), KB_HIDDEN },                        \
    { 'g', "g/Home", first, (fn), 0 },                              \
    { KEY_HOME, "Home", first, (fn), KB_HIDDEN },                   \
    { 'G', "G/End", last, (fn), 0 },                                \
    { KEY_END, "End", last, (fn), KB_HIDDEN },                      \
    { KEY_MOUSE, "mouse", "wheel scrolls, click selects", (fn), KB_HIDDEN }
/* Left/Right scroll sideways (one action, the key through app_key()). */
#define KEYS_LIST_SIDEWAYS(fn)                                      \
    { KEY_RIGHT, "Right/Left", "scroll sideways", (fn), 0 },        \
    { KEY_LEFT, "Left", "scroll sideways", (fn), KB_HIDDEN }

/* 1..9 and 0 bound to one action that reads the digit through app_key() (hosts, runs); help
 * says what N does and what 0 does. */
#define KEYS_DIGITS(fn, help, help0)                                \
    { '1', "1..9", (help), (fn), 0 },                               \
    { '2', "2", (help), (fn), KB_HIDDEN },                          \
    { '3', "3", (help), (fn), KB_HIDDEN },                          \
    { '4', "4", (help), (fn), KB_HIDDEN },                          \
    { '5', "5", (help), (fn), KB_HIDDEN },                          \
    { '6', "6", (help), (fn), KB_HIDDEN },                          \
    { '7', "7", (help), (fn), KB_HIDDEN },                          \
    { '8', "8", (help), (fn), KB_HIDDEN },                          \
    { '9', "9", (help), (fn), KB_HIDDEN },                          \
    { '0', "0", (help0), (fn), KB_HIDDEN }

/* Keys every view has (help, back, quit, command line, redraw). */
extern const struct key_binding keys_global[];

/* The binding for key in table (NULL-terminated by key 0), or NULL. Mutating bindings are
 * invisible when read_only. */
const struct key_binding *keys_find(const struct key_binding *table, int key, bool read_only);
/* Runs the binding's action; R_UNHANDLED when no binding matched. */
int keys_dispatch(const struct key_binding *table, struct view *v, struct app *a, int key);
/* A key's printable name ("Enter", "PgDn", "^L", "x"). */
const char *keys_name(int key, char *buf, size_t size);

#endif
