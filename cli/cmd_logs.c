/* cmd_logs.c: `sagetop logs JOB`: a job's log from the cache, every instance interleaved by
 * time, after fetching what the cache lacks (unless --offline). --follow keeps printing new
 * lines while the sync engine follows the job, and exits when the job has ended and its log
 * is drained. Log bytes are untrusted: every line goes through sanitize_text(), so no control
 * character or escape sequence from a log ever reaches the terminal. */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cache/session.h"
#include "cache/sync.h"
#include "aws/dynbuf.h"
#include "cli/cli.h"
#include "tui/sanitize.h"

struct logs_opts {
    const char *job;
    bool follow, timestamps, json, color;
    const char *grep;
    struct cache_log_filter f;
};

static void usage(FILE *f)
{
    fprintf(f,
        "usage: sagetop logs JOB [--follow] [--since T] [--until T] [--grep REGEX]\n"
        "                        [--instance algo-N] [--timestamps] [--format text|json]\n"
        "  Prints the job's log, all instances interleaved by time (from the cache; what the\n"
        "  cache lacks is fetched first unless --offline).\n");
}

struct out_buf {
    char *p;
    size_t cap;
};

static void print_line(const struct logs_opts *o, const struct cache_log_line *ln,
                       struct out_buf *ob)
{
    const char *p = ln->text, *end = ln->text + ln->len;
    char ts[40] = "";

    if (o->json) {
        json_t *j = json_pack("{s:I,s:s,s:s%}", "timestamp", (json_int_t)ln->pos.ts_ms,
                              "instance", ln->instance, "message", ln->text, ln->len);
        char *s = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII) : NULL;

        if (s != NULL)
            printf("%s\n", s);
        free(s);
        json_decref(j);
        return;
    }
    if (o->timestamps) {
        time_t t = (time_t)(ln->pos.ts_ms / 1000);
        struct tm tm;

        gmtime_r(&t, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%03dZ ",
                 (int)(ln->pos.ts_ms % 1000));
    }
    /* a multi-line event prints as several lines with the same prefix */
    do {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
        size_t need = len * 8 + 16;
        int color = 0;

        if (nl == NULL && len == 0 && p != ln->text)
            break;     /* trailing newline */
        if (vec_grow((void **)&ob->p, &ob->cap, need, 1) != 0)
            return;
        sanitize_text(p, len, ob->p, ob->cap, 0);
        if (o->color) {
            const char *d = ln->instance;

            while (*d && (*d < '0' || *d > '9'))
                d++;
            color = 31 + (atoi(d) + 1) % 6;
            printf("%s\033[%dm%s\033[0m %s\n", ts, color, ln->instance, ob->p);
        } else {
            printf("%s%s %s\n", ts, ln->instance, ob->p);
        }
        p = nl != NULL ? nl + 1 : end;
    } while (p < end);
}

/* Prints everything after *pos (NULL = from the start); advances *pos. */
static int print_after(struct cache *c, const struct logs_opts *o, struct cache_log_pos *pos,
                       bool *have_pos, struct out_buf *ob, struct err *e)
{
    struct cache_log_batch b = { 0 };
    size_t i;
    int rc;

    for (;;) {
        if (o->grep != NULL)
            rc = cache_logs_search(c, o->job, o->grep, false, *have_pos ? pos : NULL, 1000,
                                   &o->f, &b, e);
        else
            rc = cache_logs_after(c, o->job, *have_pos ? pos : NULL, 1000, &o->f, &b, e);
        if (rc != 0)
            break;
        for (i = 0; i < b.n; i++)
            print_line(o, &b.lines[i], ob);
        if (b.n > 0) {
            *pos = b.lines[b.n - 1].pos;
            *have_pos = true;
        }
        if (b.n < 1000 || cli_interrupted)
            break;
    }
    cache_log_batch_clean(&b);
    fflush(stdout);
    return rc;
}

struct follow_thread {
    struct sync *s;
    struct sync_plan plan;
    struct err e;
    int rc;
    volatile int done;
};

static void *follow_main(void *arg)
{
    struct follow_thread *ft = arg;

    ft->rc = sync_run(ft->s, &ft->plan, &ft->e);
    ft->done = 1;
    return NULL;
}

static void on_notice(void *ctx, const struct sync_notice *n)
{
    (void)ctx;
    if (n->state == SYNC_THROTTLED || n->state == SYNC_OFFLINE || n->state == SYNC_ERROR)
        fprintf(stderr, "sagetop logs: %s\n", n->text);
}

/* parse_args: --help was printed; exit 0. */
enum { LOGS_HELP_SHOWN = -1 };

/* The options into *o (zeroed first). Returns 0, LOGS_HELP_SHOWN, or EXIT_USAGE after printing
 * why. */
static int parse_args(int argc, char **argv, double now, struct logs_opts *o)
{
    struct err e = { 0 };
    double t;
    int i;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool more = i + 1 < argc;

        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return LOGS_HELP_SHOWN;
        } else if (strcmp(arg, "--follow") == 0 || strcmp(arg, "-f") == 0) {
            o->follow = true;
        } else if (strcmp(arg, "--timestamps") == 0 || strcmp(arg, "-t") == 0) {
            o->timestamps = true;
        } else if (strcmp(arg, "--grep") == 0 && more) {
            o->grep = argv[++i];
        } else if (strcmp(arg, "--instance") == 0 && more) {
            o->f.instance = argv[++i];
        } else if ((strcmp(arg, "--since") == 0 || strcmp(arg, "--until") == 0) && more) {
            if (cache_parse_time(argv[++i], now, &t, &e) != 0)
                return cli_usage_error("logs", "%s", e.msg);
            if (arg[2] == 's')
                o->f.since_ms = (int64_t)(t * 1000);
            else
                o->f.until_ms = (int64_t)(t * 1000);
        } else if (strcmp(arg, "--format") == 0 && more) {
            const char *fmt = argv[++i];

            if (strcmp(fmt, "json") == 0)
                o->json = true;
            else if (strcmp(fmt, "text") != 0)
                return cli_usage_error("logs", "--format is text or json");
        } else if (arg[0] == '-') {
            return cli_usage_error("logs", "unknown option '%s'", arg);
        } else if (o->job == NULL) {
            o->job = arg;
        } else {
            return cli_usage_error("logs", "one job at a time");
        }
    }
    return 0;
}

/* --follow on a job the cache does not know (launched from another tool): one describe fetches
 * it and *s, the engine that did, follows next (it remembers the tags it fetched). A name AWS
 * does not know fails here with AWS's answer. */
static int fetch_job(const struct sync_options *so, const char *job, struct sync **s,
                     struct err *e)
{
    const char *names[1] = { job };
    struct sync_plan plan = { false, names, 1, SYNC_LOGS_NONE, 0, false };

    if ((*s = sync_new(so, e)) == NULL || sync_run(*s, &plan, e) != 0)
        return e->code != 0 ? e->code : ERR_AWS;
    return 0;
}

/* Fetches what the cache lacks of the job's log. A failure only warns (stale beats nothing:
 * the cache is printed). False when cancelled (^C). */
static bool sync_log(const struct sync_options *so, const char *job)
{
    const char *names[1] = { job };
    struct sync_plan plan = { false, names, 1, SYNC_LOGS_NAMED, 0, false };
    struct err se = { 0 };
    struct sync *s;
    bool cancelled = false;

    if ((s = sync_new(so, &se)) == NULL || sync_run(s, &plan, &se) != 0) {
        cancelled = se.code == ERR_CANCELLED;
        if (!cancelled)
            fprintf(stderr, "sagetop logs: could not sync %s (%s); showing the cache\n", job,
                    se.msg);
    }
    sync_free(s);
    return !cancelled;
}

/* --follow: the sync engine (s when not NULL, taken over, else a new one) follows the job on a
 * thread while this one prints each line the cache stores, until the job has ended and its log
 * is drained, or ^C. */
static int follow_log(struct cache *c, const struct logs_opts *o, struct sync *s,
                      const struct sync_options *so, struct out_buf *ob, struct err *e)
{
    const char *names[1] = { o->job };
    struct cache_log_pos pos = { 0, 0, 0 };
    bool have_pos = false;
    struct follow_thread ft;
    pthread_t th;
    uint64_t seen = 0;
    int rc = 0;

    memset(&ft, 0, sizeof(ft));
    ft.plan = (struct sync_plan){ false, names, 1, SYNC_LOGS_NAMED, 0, true };
    ft.s = s != NULL ? s : sync_new(so, e);
    if (ft.s == NULL)
        return e->code;
    if (pthread_create(&th, NULL, follow_main, &ft) != 0) {
        sync_free(ft.s);
        return err_set(e, ERR_NOMEM, "cannot start the follower");
    }
    for (;;) {
        bool done = ft.done;
        uint64_t v = cache_data_version(c);

        if (v != seen || done) {
            seen = v;
            if ((rc = print_after(c, o, &pos, &have_pos, ob, e)) != 0)
                break;
        }
        if (done || cli_interrupted)
            break;
        usleep(100 * 1000);     /* a new line shows within 0.1 s of its storing */
    }
    pthread_join(th, NULL);
    sync_free(ft.s);
    if (rc == 0 && ft.rc != 0 && ft.rc != ERR_CANCELLED) {
        rc = ft.rc;
        *e = ft.e;
    }
    return rc;
}

int cmd_logs(const struct globals *g, int argc, char **argv)
{
    struct logs_opts o;
    struct cli_aws a;
    struct err e = { 0 };
    struct cache *c = NULL;
    struct cache_job j;
    struct sync *s = NULL;
    struct sync_options so = { 0 };
    struct cache_log_pos pos = { 0, 0, 0 };
    struct out_buf ob = { NULL, 0 };
    bool have_pos = false;
    int rc = 0;

    memset(&a, 0, sizeof(a));
    rc = parse_args(argc, argv, (double)time(NULL), &o);
    if (rc != 0)
        return rc == LOGS_HELP_SHOWN ? EXIT_OK : rc;
    if (o.job == NULL)
        return cli_usage_error("logs", "which job? sagetop logs JOB");
    if (o.follow && g->offline)
        return cli_usage_error("logs", "--follow needs the network (drop --offline)");
    o.color = !g->no_color && !o.json && isatty(1);
    if (cli_aws_open(g, &a, &e) != 0)
        return cli_fail(&e);
    rc = cache_session_open(a.cfg, g->offline ? NULL : a.client, g->cache_path,
                            g->reset_cache ? CACHE_RESET : 0, &c, NULL, 0, &e);
    if (rc != 0)
        goto out;
    cli_sync_options(&so, &a, c, 2);
    so.notice = on_notice;
    if (!g->offline && o.follow && cache_job_get(c, o.job, &(struct cache_job){ 0 }, NULL) != 0 &&
        (rc = fetch_job(&so, o.job, &s, &e)) != 0)
        goto out;
    if (!g->offline && !o.follow && !sync_log(&so, o.job))
        goto out;
    if (cache_job_get(c, o.job, &j, &e) != 0) {
        rc = e.code;
        goto out;
    }
    if (o.follow) {
        rc = follow_log(c, &o, s, &so, &ob, &e);
        s = NULL;   /* follow_log took it over */
    } else {
        rc = print_after(c, &o, &pos, &have_pos, &ob, &e);
    }
out:
    free(ob.p);
    sync_free(s);
    cache_close(c);
    cli_aws_close(&a);
    if (cli_interrupted)
        return 130;
    return rc != 0 ? cli_fail(&e) : EXIT_OK;
}
