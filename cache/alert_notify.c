/* alert_notify.c: runs the user's notify-command for one alert (alert_notify.h): argv split
 * without a shell, the alert as SAGETOP_ALERT_* variables and as JSON on stdin, the child
 * started with posix_spawnp and reaped on the caller's schedule. Must not print, decide what is
 * an alert (metrics/alerts.c), or remember what fired (alerts.c); the front ends choose when
 * to run it and how to show its errors. */
#include "cache/alert_notify.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define NOTIFY_VARS 5
#define NOTIFY_VAR_MAX (ALERTS_MSG_MAX + 32)
/* the JSON goes into the pipe before the child starts: it must fit the smallest pipe buffer */
#define NOTIFY_JSON_MAX 4096

int alert_notify_split(const char *cmd, char *buf, size_t n, char **argv, int max)
{
    int argc = 0;
    size_t k = 0;

    while (*cmd != '\0' && argc < max - 1 && k + 1 < n) {
        char q = 0;

        while (*cmd == ' ' || *cmd == '\t')
            cmd++;
        if (*cmd == '\0')
            break;
        argv[argc++] = buf + k;
        for (; *cmd != '\0' && (q != 0 || (*cmd != ' ' && *cmd != '\t')); cmd++) {
            if (q == 0 && (*cmd == '\'' || *cmd == '"'))
                q = *cmd;
            else if (q != 0 && *cmd == q)
                q = 0;
            else if (k + 2 < n)
                buf[k++] = *cmd;
        }
        buf[k++] = '\0';
    }
    argv[argc] = NULL;
    return argc;
}

/* A JSON string of s; text that is not UTF-8 (a metric name from a log) with its non-ASCII
 * bytes as '?', so the alert is still told. */
static json_t *text_value(const char *s)
{
    json_t *v = json_string(s);
    char *copy;

    if (v != NULL || (copy = strdup(s)) == NULL)
        return v;
    for (char *p = copy; *p != '\0'; p++)
        if ((unsigned char)*p >= 0x80)
            *p = '?';
    v = json_string(copy);
    free(copy);
    return v;
}

char *alert_notify_json(const char *job, const struct alerts_alert *a, double now_s)
{
    json_t *o = json_object();
    char *s = NULL;

    if (o != NULL && json_object_set_new(o, "job", text_value(job)) == 0 &&
        json_object_set_new(o, "rule", json_string(alerts_rule_name(a->rule))) == 0 &&
        json_object_set_new(o, "key", text_value(a->key)) == 0 &&
        json_object_set_new(o, "message", text_value(a->message)) == 0 &&
        json_object_set_new(o, "time", json_real(now_s)) == 0)
        s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* environ without its SAGETOP_ALERT_* entries, plus the alert's (the strings live in vars). */
static char **alert_env(const char *job, const struct alerts_alert *a, double now_s,
                        char vars[NOTIFY_VARS][NOTIFY_VAR_MAX])
{
    size_t n = 0, k = 0;
    char **env;

    while (environ[n] != NULL)
        n++;
    env = calloc(n + NOTIFY_VARS + 1, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "SAGETOP_ALERT_", 14) != 0)
            env[k++] = environ[i];
    snprintf(vars[0], NOTIFY_VAR_MAX, "SAGETOP_ALERT_JOB=%s", job);
    snprintf(vars[1], NOTIFY_VAR_MAX, "SAGETOP_ALERT_RULE=%s", alerts_rule_name(a->rule));
    snprintf(vars[2], NOTIFY_VAR_MAX, "SAGETOP_ALERT_KEY=%s", a->key);
    snprintf(vars[3], NOTIFY_VAR_MAX, "SAGETOP_ALERT_MESSAGE=%s", a->message);
    snprintf(vars[4], NOTIFY_VAR_MAX, "SAGETOP_ALERT_TIME=%.0f", now_s);
    for (int i = 0; i < NOTIFY_VARS; i++)
        env[k++] = vars[i];
    env[k] = NULL;
    return env;
}

/* The JSON line into a new pipe; *read_fd is left for the child's stdin. */
static int json_pipe(const char *job, const struct alerts_alert *a, double now_s, int *read_fd,
                     struct err *e)
{
    char *json = alert_notify_json(job, a, now_s);
    int fds[2] = {-1, -1}, rc = 0;
    size_t len = json != NULL ? strlen(json) : 0, off = 0;

    if (json == NULL)
        return err_set(e, ERR_NOMEM, "notify-command: out of memory");
    if (len + 1 > NOTIFY_JSON_MAX) {
        rc = err_set(e, ERR_TOOBIG, "notify-command: the alert's JSON is over %d bytes",
                     NOTIFY_JSON_MAX);
        goto out;
    }
    json[len++] = '\n';         /* over the NUL: written by length */
    if (pipe2(fds, O_CLOEXEC) != 0) {
        rc = err_set(e, ERR_IO, "notify-command: no pipe: %s", strerror(errno));
        goto out;
    }
    while (off < len) {
        ssize_t w = write(fds[1], json + off, len - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            rc = err_set(e, ERR_IO, "notify-command: writing its stdin: %s", strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    *read_fd = fds[0];
    fds[0] = -1;
out:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    free(json);
    return rc;
}

/* The child's file actions and attributes: stdin from the pipe, output kept or quieted,
 * signals as a fresh process has them (the front ends ignore SIGPIPE, the worker thread
 * blocks some). */
static void child_setup(posix_spawn_file_actions_t *fa, posix_spawnattr_t *attr, int in_fd,
                        bool quiet)
{
    sigset_t dfl, none;

    posix_spawn_file_actions_init(fa);
    posix_spawn_file_actions_adddup2(fa, in_fd, STDIN_FILENO);
    if (quiet) {
        posix_spawn_file_actions_addopen(fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    }
    sigemptyset(&none);
    sigemptyset(&dfl);
    sigaddset(&dfl, SIGPIPE);
    sigaddset(&dfl, SIGINT);
    sigaddset(&dfl, SIGQUIT);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGHUP);
    sigaddset(&dfl, SIGWINCH);
    posix_spawnattr_init(attr);
    posix_spawnattr_setsigdefault(attr, &dfl);
    posix_spawnattr_setsigmask(attr, &none);
    posix_spawnattr_setflags(attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

int alert_notify_spawn(const char *command, const char *job, const struct alerts_alert *a,
                       double now_s, bool quiet, pid_t *pid, struct err *e)
{
    char buf[ALERTS_COMMAND_MAX + 2], *argv[ALERT_NOTIFY_MAX_ARGS];
    char vars[NOTIFY_VARS][NOTIFY_VAR_MAX];
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    char **env = NULL;
    int in_fd = -1, rc, sp;
    pid_t child;

    if (alert_notify_split(command, buf, sizeof(buf), argv, ALERT_NOTIFY_MAX_ARGS) == 0)
        return err_set(e, ERR_INVAL, "notify-command: empty command");
    if ((env = alert_env(job, a, now_s, vars)) == NULL)
        return err_set(e, ERR_NOMEM, "notify-command: out of memory");
    if ((rc = json_pipe(job, a, now_s, &in_fd, e)) != 0)
        goto out;
    child_setup(&fa, &attr, in_fd, quiet);
    sp = posix_spawnp(&child, argv[0], &fa, &attr, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (sp != 0) {
        rc = err_set(e, ERR_NOTFOUND, "notify-command '%.120s' cannot run: %s", argv[0],
                     strerror(sp));
        goto out;
    }
    *pid = child;
out:
    if (in_fd >= 0)
        close(in_fd);
    free(env);
    return rc;
}

int alert_notify_reap(pid_t pid, const char *command, bool wait, bool *done, struct err *e)
{
    char buf[ALERTS_COMMAND_MAX + 2], *argv[ALERT_NOTIFY_MAX_ARGS];
    const char *prog = "?";
    int status = 0;
    pid_t got;

    while ((got = waitpid(pid, &status, wait ? 0 : WNOHANG)) < 0 && errno == EINTR)
        ;
    if (got == 0) {
        *done = false;
        return 0;
    }
    *done = true;
    if (alert_notify_split(command != NULL ? command : "", buf, sizeof(buf), argv,
                           ALERT_NOTIFY_MAX_ARGS) > 0)
        prog = argv[0];
    if (got < 0)
        return err_set(e, ERR_IO, "notify-command '%.120s': %s", prog, strerror(errno));
    if (WIFSIGNALED(status))
        return err_set(e, ERR_IO, "notify-command '%.120s' was killed by signal %d", prog,
                       WTERMSIG(status));
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        return err_set(e, ERR_IO, "notify-command '%.120s' exited with status %d", prog,
                       WEXITSTATUS(status));
    return 0;
}

int alert_notify_run(const char *command, const char *job, const struct alerts_alert *a,
                     double now_s, bool quiet, struct err *e)
{
    pid_t pid;
    bool done = false;
    int rc = alert_notify_spawn(command, job, a, now_s, quiet, &pid, e);

    return rc != 0 ? rc : alert_notify_reap(pid, command, true, &done, e);
}
