/* pager.h: `|` and `e`: text handed to the user's own programs ($PAGER, $EDITOR), never through
 * a shell. A view writes its text line by line into a pager (a temporary file, mode 0600, that
 * pager_show() removes); every line is sanitized on the way in, so no escape sequence from a log
 * reaches the pager. pager_show() suspends curses, runs the pager at the line asked for and
 * resumes. The command is argv built from the variable's words and the file's path: no string
 * built from log text is ever run.
 *
 * pager_argv() is pure (unit tested); the rest is UI thread only. The caller owns struct pager. */
#ifndef SAGETOP_TUI_PAGER_H
#define SAGETOP_TUI_PAGER_H

#include <stdio.h>

struct app;
struct err;

#define PAGER_ARGV_MAX 16

struct pager {
    FILE *f;
    char path[64];
    long lines;             /* lines written so far */
};

/* Opens a new temporary file. 0, or a negative ERR_* with e saying why. */
int pager_open(struct pager *p, struct err *e);
/* One line of untrusted text (len bytes, no NUL needed): sanitized, then a newline. */
void pager_line(struct pager *p, const char *s, size_t len);
/* Closes the file, shows it in $PAGER (default less) starting at line (1-based; 0: the top),
 * then removes it. Returns the pager's exit status, or -1 (flashed) when it could not run. */
int pager_show(struct app *a, struct pager *p, long line);
/* A text as lines: writes line i (0-based) of the caller's text into out (emptied first). */
struct dynbuf;
typedef void (*pager_text_fn)(void *ctx, size_t i, struct dynbuf *out);
/* `|` for a view's own text (detail, compare): its n lines, line_fn giving each, into a pager
 * shown at line at (1-based; 0: the top). A file that cannot be made is flashed and the UI
 * stays as it was. Returns what pager_show() returns, -1 when nothing was shown. */
int pager_show_text(struct app *a, size_t n, pager_text_fn line_fn, void *ctx, long at);
/* Closes and removes the file without showing it (pager_show() does this itself). */
void pager_discard(struct pager *p);

/* Suspends curses, runs argv[0] (found in $PATH) with argv, no shell, waits for it, resumes
 * (the caller's action returns R_REDRAW). SIGINT and SIGQUIT are the program's while it runs
 * (the UI ignores them meanwhile). Returns its exit status, or -1 (flashed) when it could not
 * start or died of a signal. */
int pager_run(struct app *a, char *const argv[]);

/* argv for running cmd (a $PAGER / $EDITOR value: words split on blanks, no shell syntax) on
 * path, with +line first when line > 0 and the program is known to take it (less, more, most,
 * vi, vim, nvim, view, nano). The words are copied into buf (size bytes); argv gets at most
 * PAGER_ARGV_MAX pointers, NULL-terminated. Returns the number of words, 0 when cmd has none
 * or they do not fit. */
int pager_argv(const char *cmd, const char *path, long line, char *buf, size_t size,
               char *argv[PAGER_ARGV_MAX]);

#endif
