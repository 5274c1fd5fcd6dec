/* alert_notify.h (cache): the user's `notify-command` (metrics/alerts.h: alerts_config), run for
 * one alert by both front ends (`sagetop watch` and the TUI's worker thread).
 *
 * The command line is split into argv by alert_notify_split() (blanks; '...' and "..." quote;
 * no expansion of any kind) and run with posix_spawnp: never through a shell, so nothing of an
 * alert (job and metric names, which may come from log text) is ever read by one. The alert
 * reaches the command as SAGETOP_ALERT_JOB, _RULE, _KEY, _MESSAGE and _TIME environment
 * variables (added to the caller's environment, replacing any SAGETOP_ALERT_* there) and as one
 * line of JSON on its stdin ({"job","rule","key","message","time"}), written into the pipe
 * before the command starts (it fits the pipe: no write can block or raise SIGPIPE).
 *
 * Threads: any thread; nothing is shared between calls. The child is the caller's to reap:
 * alert_notify_reap() with wait true (watch) or false (the TUI's worker, on each turn, so the
 * UI never waits); a child never reaped is a zombie until the process exits.
 * Errors: a struct err naming the command and what went wrong (cannot run it, it failed with a
 * status, it was killed); never printed here. */
#ifndef SAGETOP_CACHE_ALERT_NOTIFY_H
#define SAGETOP_CACHE_ALERT_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "aws/err.h"
#include "metrics/alerts.h"

#define ALERT_NOTIFY_MAX_ARGS 32

/* Splits cmd into argv (at most max-1 words, then a NULL); the words live in buf (n bytes,
 * ALERTS_COMMAND_MAX + 2 holds any configured command). Returns argc (0 when cmd is blank). */
int alert_notify_split(const char *cmd, char *buf, size_t n, char **argv, int max);

/* The alert as one line of compact JSON (no newline); the caller frees it. NULL: no memory. */
char *alert_notify_json(const char *job, const struct alerts_alert *a, double now_s);

/* Starts command for the alert. quiet: the command's stdout and stderr go to /dev/null (the
 * TUI's terminal belongs to curses); otherwise they are the caller's. *pid is written on
 * success. ERR_INVAL: a blank command; ERR_NOTFOUND: it cannot be run (not found, not
 * executable); ERR_IO / ERR_NOMEM: no pipe or memory. */
int alert_notify_spawn(const char *command, const char *job, const struct alerts_alert *a,
                       double now_s, bool quiet, pid_t *pid, struct err *e);

/* Reaps pid. wait false: returns at once, *done false while it runs. On its end *done is true
 * and a non-zero exit status or a signal is ERR_IO saying so ("notify-command 'PROG' exited
 * with status 3"); command is the configured line, whose first word names it there. */
int alert_notify_reap(pid_t pid, const char *command, bool wait, bool *done, struct err *e);

/* alert_notify_spawn() then alert_notify_reap(wait true): `sagetop watch`'s delivery. */
int alert_notify_run(const char *command, const char *job, const struct alerts_alert *a,
                     double now_s, bool quiet, struct err *e);

#endif
