/* test_alert_notify.c: the notify-command runner (cache/alert_notify.c): the argv split (no
 * expansion of any kind), the alert's JSON on stdin and SAGETOP_ALERT_* variables, shell
 * metacharacters in the alert kept literal, clear errors for a command that fails or does not
 * exist, and every child reaped (waiting or not). */
#include <criterion/criterion.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/alert_notify.h"

static char dir[] = "/tmp/sagetop-notify-test.XXXXXX";

static void setup(void)
{
    strcpy(dir, "/tmp/sagetop-notify-test.XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[200];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(alert_notify, .init = setup, .fini = teardown);

/* The whole of DIR/name ("" when missing). */
static char *slurp(const char *name)
{
    static char text[4096];
    char path[300];
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    text[0] = '\0';
    if ((f = fopen(path, "r")) == NULL)
        return text;
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

static bool exists(const char *name)
{
    char path[300];

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static const struct alerts_alert nan_alert = {
    ALERT_NONFINITE, "eval_$(touch pwned1);`touch pwned2`",
    "job-1: eval_$(touch pwned1);`touch pwned2` became NaN"};

Test(alert_notify, split_quotes_without_expansion)
{
    char buf[ALERTS_COMMAND_MAX + 2], *argv[8];

    cr_assert_eq(alert_notify_split("  /bin/tell 'a b' \"c 'd'\" $(x);`y` |z  ", buf,
                                    sizeof(buf), argv, 8), 5);
    cr_assert_str_eq(argv[0], "/bin/tell");
    cr_assert_str_eq(argv[1], "a b");
    cr_assert_str_eq(argv[2], "c 'd'");
    cr_assert_str_eq(argv[3], "$(x);`y`");
    cr_assert_str_eq(argv[4], "|z");
    cr_assert_null(argv[5]);
    cr_assert_eq(alert_notify_split(" \t ", buf, sizeof(buf), argv, 8), 0);
    cr_assert_null(argv[0]);
    cr_assert_eq(alert_notify_split("a b c d e", buf, sizeof(buf), argv, 3), 2, "max-1 words");
    cr_assert_null(argv[2]);
}

Test(alert_notify, json_has_every_field)
{
    struct alerts_alert bad = {ALERT_THRESHOLD, "m.\xff<1", "j: m.\xff<1 (now 0.5)"};
    char *s = alert_notify_json("job-1", &nan_alert, 1700000000);
    json_t *o = s != NULL ? json_loads(s, 0, NULL) : NULL;

    cr_assert_not_null(o, "%s", s);
    cr_assert_eq(json_object_size(o), 5);
    cr_assert_str_eq(json_string_value(json_object_get(o, "job")), "job-1");
    cr_assert_str_eq(json_string_value(json_object_get(o, "rule")), "nonfinite");
    cr_assert_str_eq(json_string_value(json_object_get(o, "key")), nan_alert.key);
    cr_assert_str_eq(json_string_value(json_object_get(o, "message")), nan_alert.message);
    cr_assert_eq(json_real_value(json_object_get(o, "time")), 1700000000.0);
    cr_assert_null(strchr(s, '\n'), "one line");
    json_decref(o);
    free(s);
    /* text that is not UTF-8 (a metric name from a log) is still told */
    s = alert_notify_json("job-1", &bad, 1);
    cr_assert_not_null(s);
    cr_assert_not_null(strstr(s, "\"key\":\"m.?<1\""), "%s", s);
    free(s);
}

/* The command gets the alert as variables (a stale SAGETOP_ALERT_* of the caller replaced) and
 * JSON on stdin; its arguments and the alert's text with $(...), ; and backticks stay literal:
 * no shell reads them. */
Test(alert_notify, env_stdin_and_literal_metacharacters)
{
    char cmd[1024];
    struct err e = {0};
    json_t *o;
    char *in;

    cr_assert_eq(chdir(dir), 0);
    setenv("SAGETOP_ALERT_RULE", "stale", 1);
    snprintf(cmd, sizeof(cmd),
             "/bin/sh -c 'env | grep ^SAGETOP_ALERT_ | sort >%s/env; cat >%s/stdin;"
             " printf %%s \"$1\" >%s/arg1' notify 'x $(touch pwned3); `touch pwned4` | cat'",
             dir, dir, dir);
    cr_assert_eq(alert_notify_run(cmd, "job-1", &nan_alert, 1700000000, true, &e), 0, "%s",
                 e.msg);
    unsetenv("SAGETOP_ALERT_RULE");
    cr_assert_str_eq(slurp("env"),
                     "SAGETOP_ALERT_JOB=job-1\n"
                     "SAGETOP_ALERT_KEY=eval_$(touch pwned1);`touch pwned2`\n"
                     "SAGETOP_ALERT_MESSAGE=job-1: eval_$(touch pwned1);`touch pwned2` became "
                     "NaN\n"
                     "SAGETOP_ALERT_RULE=nonfinite\n"
                     "SAGETOP_ALERT_TIME=1700000000\n");
    cr_assert_str_eq(slurp("arg1"), "x $(touch pwned3); `touch pwned4` | cat");
    in = slurp("stdin");
    cr_assert_eq(in[strlen(in) - 1], '\n', "one line of JSON");
    o = json_loads(in, 0, NULL);
    cr_assert_not_null(o, "%s", in);
    cr_assert_str_eq(json_string_value(json_object_get(o, "message")), nan_alert.message);
    json_decref(o);
    cr_assert(!exists("pwned1") && !exists("pwned2") && !exists("pwned3") &&
              !exists("pwned4"), "no shell ran the metacharacters");
}

Test(alert_notify, failures_are_clear_errors)
{
    struct err e = {0};

    cr_assert_eq(alert_notify_run("false --flag", "j", &nan_alert, 1, true, &e), ERR_IO);
    cr_assert_str_eq(e.msg, "notify-command 'false' exited with status 1");
    memset(&e, 0, sizeof(e));
    cr_assert_eq(alert_notify_run("/bin/sh -c 'kill -TERM $$'", "j", &nan_alert, 1, true, &e),
                 ERR_IO);
    cr_assert_str_eq(e.msg, "notify-command '/bin/sh' was killed by signal 15");
    memset(&e, 0, sizeof(e));
    cr_assert_eq(alert_notify_run("/nonexistent/notify-me now", "j", &nan_alert, 1, true, &e),
                 ERR_NOTFOUND);
    cr_assert_str_eq(e.msg,
                     "notify-command '/nonexistent/notify-me' cannot run: No such file or "
                     "directory");
    memset(&e, 0, sizeof(e));
    cr_assert_eq(alert_notify_run("no-such-notify-command-here", "j", &nan_alert, 1, true, &e),
                 ERR_NOTFOUND);
    cr_assert(strstr(e.msg, "'no-such-notify-command-here' cannot run") != NULL, "%s", e.msg);
    cr_assert_eq(alert_notify_run("   ", "j", &nan_alert, 1, true, &e), ERR_INVAL);
    cr_assert_str_eq(e.msg, "notify-command: empty command");
}

/* The TUI's way: spawn, then reap without waiting until it ended; no child is left. */
Test(alert_notify, reap_without_waiting_leaves_no_child)
{
    const char *cmd = "/bin/sh -c 'read line; exit 3'";
    struct err e = {0};
    bool done = true;
    pid_t pid = 0;
    int rc, tries = 0;

    cr_assert_eq(alert_notify_spawn("sleep 5", "j", &nan_alert, 1, true, &pid, &e), 0, "%s",
                 e.msg);
    cr_assert_eq(alert_notify_reap(pid, "sleep 5", false, &done, &e), 0);
    cr_assert(!done, "still running: the call returned at once");
    kill(pid, SIGKILL);
    cr_assert_eq(alert_notify_reap(pid, "sleep 5", true, &done, &e), ERR_IO);
    cr_assert(done);
    cr_assert_str_eq(e.msg, "notify-command 'sleep' was killed by signal 9");

    cr_assert_eq(alert_notify_spawn(cmd, "j", &nan_alert, 1, true, &pid, &e), 0, "%s", e.msg);
    do {
        rc = alert_notify_reap(pid, cmd, false, &done, &e);
        if (!done)
            usleep(10000);
    } while (!done && ++tries < 500);
    cr_assert(done);
    cr_assert_eq(rc, ERR_IO);
    cr_assert_str_eq(e.msg, "notify-command '/bin/sh' exited with status 3");
    cr_assert_eq(waitpid(-1, NULL, WNOHANG), -1, "no child left");
    cr_assert_eq(errno, ECHILD);
}
