/* cmd_jobs.c: `sagetop jobs`, the training jobs as a table, JSON or CSV, from the cache.
 *
 * Steps, so the source can change without touching the rest: options -> a struct jobs_opts;
 * online, jobs_refresh() asks ListTrainingJobs with the user's own filters (every page) and
 * stores each summary in the cache in one transaction; jobs_read() then reads the cache
 * (cache_jobs_window) and keeps exactly what the listing returned, applying the filters the
 * cache does not express the way AWS does (NameContains is case-insensitive, CreationTimeAfter
 * strict). With a warm cache (a complete listing's mark: cache_jobs_changed_since(), the
 * server's time it began, measured from the answers' Date, less 5 s), the refresh is
 * incremental: ListTrainingJobs with LastModifiedTimeAfter that time returns every job
 * created or changed since, whatever its age (a status change moves LastModifiedTime), so
 * the cache is exact again in one request
 * and is read with the user's filters as offline. --offline skips the refresh: the cache
 * alone, no network. jobs_print_*() format
 * the list for stdout. JSON keeps the field names and the ISO 8601 form `aws sagemaker
 * list-training-jobs` prints, so jq scripts carry over.
 *
 * Why not sync_run(): its jobs pass also describes every job never described (1,234
 * DescribeTrainingJob calls at 10/s on a first run) and stops listing at the first page with
 * nothing new, which a filtered or exact listing cannot rely on. `sagetop sync` does that.
 * No curses; errors are one line on stderr (cli_fail / cli_usage_error). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aws/json.h"
#include "aws/sagemaker.h"
#include "cache/cache.h"
#include "cache/logstore.h"
#include "cache/session.h"
#include "cache/tuning.h"
#include "aws/dynbuf.h"
#include "cli/cli.h"

enum jobs_format { JOBS_TABLE, JOBS_JSON, JOBS_CSV };
/* JOBS_SORT_CACHE: any other key of the cache's job list (cache.h), in the cache's order */
enum jobs_sort { JOBS_SORT_CREATED, JOBS_SORT_NAME, JOBS_SORT_STATUS, JOBS_SORT_CACHE };

struct jobs_opts {
    const char *status;             /* canonical TrainingJobStatus or NULL */
    const char *name_contains;
    double since;                   /* CreationTimeAfter, 0: none */
    size_t limit;                   /* 0: all */
    enum jobs_sort sort;
    const char *sort_key;           /* JOBS_SORT_CACHE's key: hp.lr, m.eval_loss, duration ... */
    bool desc;                      /* --desc: largest first (created is newest first anyway) */
    struct cache_cond conds[CACHE_MAX_CONDS];   /* --filter, read from the cache */
    size_t n_conds;
    enum jobs_format format;
};

/* The list read from the cache, and which rows are pending (cache_job.pending). */
struct jobs_rows {
    struct sagemaker_job_list l;
    bool *pending;
    size_t pending_cap;
    bool marks;                     /* the query reads the description: say which rows wait */
    bool ordered;                   /* in the cache's order already (a key of the cache, or
                                       marks: pending rows after the known ones) */
};

static void jobs_rows_clean(struct jobs_rows *r)
{
    sagemaker_job_list_clean(&r->l);
    free(r->pending);
    memset(r, 0, sizeof(*r));
}

static const char *const statuses[] = {
    "InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting",
};

static void jobs_help(FILE *f)
{
    fprintf(f,
        "usage: sagetop jobs [--status S] [--name-contains T] [--since WHEN] [--limit N]\n"
        "                    [--sort KEY [--desc]] [--filter COND]... [--format table|json|csv]\n"
        "                    [--offline]\n"
        "\n"
        "Lists training jobs, newest first: refreshed from SageMaker into the local cache,\n"
        "then read from it (with the global --offline: the cache alone, no network).\n"
        "  --status S          InProgress, Completed, Failed, Stopping, Stopped or Deleting\n"
        "  --name-contains T   only jobs whose name contains T\n"
        "  --since WHEN        created after WHEN: 30m, 12h, 2d, 1w or an ISO 8601 date\n"
        "  --limit N           at most N jobs\n"
        "  --sort KEY          created (newest first, the default), name, status, or a key of\n"
        "                      the cache: started ended modified duration instance_type\n"
        "                      instance_count billable spot_savings hp.KEY m.METRIC\n"
        "  --desc              largest first\n"
        "  --filter COND       hp.KEY:VALUE, hp.KEY!=V, m.METRIC<V (<= > >= = !=), status:S;\n"
        "                      repeat for more (all must hold)\n"
        "  A job not described yet has no start, resources, billing, hyperparameters or final\n"
        "  metrics: sorted or filtered on one of these it is kept, after the known rows, and\n"
        "  marked pending until `sagetop sync` describes it.\n"
        "  --format F          table (default), json (as aws sagemaker list-training-jobs) or csv\n"
        "  --offline           the cache only, no network (a global option: anywhere)\n");
}

/* "30m", "12h", "2d", "1w", "90s" -> seconds; ISO 8601 -> absolute. */
static int parse_since(const char *s, double now, double *out)
{
    char *end;
    double v;

    if (json_parse_iso8601(s, out, NULL) == 0)
        return 0;
    errno = 0;
    v = strtod(s, &end);
    if (end == s || errno != 0 || v < 0 || end[0] == '\0' || end[1] != '\0')
        return -1;
    switch (end[0]) {
    case 's': break;
    case 'm': v *= 60; break;
    case 'h': v *= 3600; break;
    case 'd': v *= 86400; break;
    case 'w': v *= 7 * 86400; break;
    default: return -1;
    }
    *out = now - v;
    return 0;
}

/* jobs_parse_args: --help was printed; exit 0. */
enum { JOBS_HELP_SHOWN = -1 };

/* Returns 0, JOBS_HELP_SHOWN, or EXIT_USAGE after printing why. */
static int jobs_parse_args(int argc, char **argv, double now, struct jobs_opts *o)
{
    int i;
    size_t k;

    memset(o, 0, sizeof(*o));
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        const char *eq = strchr(a, '=');
        char name[32];
        size_t n = eq != NULL ? (size_t)(eq - a) : strlen(a);

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            jobs_help(stdout);
            return JOBS_HELP_SHOWN;
        }
        if (n >= sizeof(name) || strncmp(a, "--", 2) != 0)
            return cli_usage_error("jobs", "unexpected argument '%s'", a);
        memcpy(name, a, n);
        name[n] = '\0';
        /* an unknown name is that, whether a value follows or not */
        if (cli_opt_find(cli_command_options("jobs"), name) == NULL)
            return cli_usage_error("jobs", "unknown option '%s'", name);
        if (strcmp(name, "--desc") == 0) {
            if (eq != NULL)
                return cli_usage_error("jobs", "--desc takes no value");
            o->desc = true;
            continue;
        }
        if (eq != NULL)
            v = eq + 1;
        else if (i + 1 < argc)
            v = argv[++i];
        else
            return cli_usage_error("jobs", "%s needs a value", name);
        if (strcmp(name, "--status") == 0) {
            o->status = NULL;
            for (k = 0; k < sizeof(statuses) / sizeof(statuses[0]); k++)
                if (strcasecmp(v, statuses[k]) == 0)
                    o->status = statuses[k];
            if (o->status == NULL)
                return cli_usage_error("jobs", "unknown status '%s' (InProgress, Completed, "
                                       "Failed, Stopping, Stopped, Deleting)", v);
        } else if (strcmp(name, "--name-contains") == 0) {
            if (v[0] == '\0' || strlen(v) > 63)
                return cli_usage_error("jobs", "--name-contains takes 1 to 63 characters");
            for (k = 0; v[k] != '\0'; k++)
                if (!isalnum((unsigned char)v[k]) && v[k] != '-')
                    return cli_usage_error("jobs", "--name-contains: job names only hold "
                                           "letters, digits and '-'");
            o->name_contains = v;
        } else if (strcmp(name, "--since") == 0) {
            if (parse_since(v, now, &o->since) != 0)
                return cli_usage_error("jobs", "--since '%s': use 30m, 12h, 2d, 1w or a date "
                                       "like 2026-11-20 or 2026-11-20T10:00:00Z", v);
        } else if (strcmp(name, "--limit") == 0) {
            char *end;
            long l;

            errno = 0;
            l = strtol(v, &end, 10);
            if (end == v || *end != '\0' || errno != 0 || l < 1)
                return cli_usage_error("jobs", "--limit takes a positive number, not '%s'", v);
            o->limit = (size_t)l;
        } else if (strcmp(name, "--sort") == 0) {
            if (strcmp(v, "created") == 0)
                o->sort = JOBS_SORT_CREATED;
            else if (strcmp(v, "name") == 0)
                o->sort = JOBS_SORT_NAME;
            else if (strcmp(v, "status") == 0)
                o->sort = JOBS_SORT_STATUS;
            else if (cache_job_sort_key_own(v))
                o->sort = JOBS_SORT_CACHE;
            else
                return cli_usage_error("jobs", "--sort takes name, created, status, started, "
                                       "ended, modified, duration, instance_type, "
                                       "instance_count, billable, spot_savings, hp.KEY or "
                                       "m.METRIC");
            o->sort_key = v;
        } else if (strcmp(name, "--filter") == 0) {
            struct err fe = { 0 };

            if (o->n_conds == CACHE_MAX_CONDS)
                return cli_usage_error("jobs", "at most %d --filter", CACHE_MAX_CONDS);
            if (cache_cond_parse(v, &o->conds[o->n_conds], &fe) != 0)
                return cli_usage_error("jobs", "%s", fe.msg);
            o->n_conds++;
        } else if (strcmp(name, "--format") == 0) {
            if (strcmp(v, "table") == 0)
                o->format = JOBS_TABLE;
            else if (strcmp(v, "json") == 0)
                o->format = JOBS_JSON;
            else if (strcmp(v, "csv") == 0)
                o->format = JOBS_CSV;
            else
                return cli_usage_error("jobs", "--format takes table, json or csv");
        }
    }
    return 0;
}

/* ---- the source ---------------------------------------------------------------------- */

/* How many jobs the listing needs: o->limit, unless the cache orders or filters them. */
static size_t jobs_list_limit(const struct jobs_opts *o)
{
    return o->sort == JOBS_SORT_CACHE || o->n_conds > 0 ? 0 : o->limit;
}

/* Every job matching o, from SageMaker, in o->sort order (at most jobs_list_limit(o)). */
static int jobs_fetch(struct aws_client *c, const struct jobs_opts *o,
                      struct sagemaker_job_list *out, struct err *e)
{
    struct sagemaker_list_query q = { 0 };

    q.status_equals = o->status;
    q.name_contains = o->name_contains;
    q.creation_time_after = o->since;
    q.max_results = SAGEMAKER_PAGE_MAX;
    switch (o->sort) {
    case JOBS_SORT_CREATED:
    case JOBS_SORT_CACHE:
        q.sort_by = "CreationTime";
        q.sort_order = "Descending";
        break;
    case JOBS_SORT_NAME:
        q.sort_by = "Name";
        q.sort_order = "Ascending";
        break;
    case JOBS_SORT_STATUS:
        q.sort_by = "Status";
        q.sort_order = "Ascending";
        break;
    }
    return sagemaker_list_training_jobs_all(c, &q, jobs_list_limit(o), out, e);
}

/* Stores the listed summaries in the cache, all or nothing. */
static int jobs_store(struct cache *c, const struct sagemaker_job_list *l, struct err *e)
{
    size_t i;
    int rc;

    if ((rc = cache_tx_begin(c, e)) != 0)
        return rc;
    for (i = 0; i < l->count && rc == 0; i++) {
        const struct sagemaker_job_summary *j = &l->items[i];
        struct cache_job_summary s = {
            j->name, j->arn, j->status, j->secondary_status,
            j->creation_time, j->training_end_time, j->last_modified_time,
        };

        rc = cache_job_upsert_summary(c, &s, e);
    }
    if (rc == 0)
        rc = cache_tx_commit(c, e);
    else
        cache_tx_rollback(c);
    if (rc == 0) {
        char buf[32];

        snprintf(buf, sizeof(buf), "%.3f", (double)time(NULL));
        cache_state_set(c, "jobs.listed_at", buf, NULL);
    }
    return rc;
}

static int cmp_summary_name(const void *a, const void *b)
{
    return strcmp(((const struct sagemaker_job_summary *)a)->name,
                  ((const struct sagemaker_job_summary *)b)->name);
}

/* ASCII case-insensitive substring (AWS's NameContains). */
static bool contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle), i;

    for (; *hay != '\0'; hay++) {
        for (i = 0; i < n && hay[i] != '\0' &&
                    tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]); i++)
            ;
        if (i == n)
            return true;
    }
    return n == 0;
}

/* WarmPoolStatus.Status of a described job (offline: the summary's is not cached). */
static void warm_pool_from_describe(struct cache *c, const char *name, char *out, size_t n)
{
    char *doc = NULL;
    json_t *root;
    const char *v;

    if (cache_job_describe_json(c, name, &doc, NULL) != 0)
        return;
    if (strstr(doc, "\"WarmPoolStatus\"") != NULL &&
        (root = json_loads(doc, 0, NULL)) != NULL) {
        v = json_string_value(json_object_get(json_object_get(root, "WarmPoolStatus"),
                                              "Status"));
        if (v != NULL)
            snprintf(out, n, "%s", v);
        json_decref(root);
    }
    free(doc);
}

/* Appends the cache's row r to out (hit: the listing's summary, for its WarmPoolStatus). */
static int jobs_rows_add(struct cache *c, const struct cache_job *r,
                         const struct sagemaker_job_summary *hit, struct jobs_rows *out)
{
    struct sagemaker_job_list *l = &out->l;
    struct sagemaker_job_summary *s;

    if (vec_grow((void **)&l->items, &l->cap, l->count + 1, sizeof(*l->items)) != 0 ||
        vec_grow((void **)&out->pending, &out->pending_cap, l->count + 1,
                 sizeof(*out->pending)) != 0)
        return ERR_NOMEM;
    out->pending[l->count] = r->pending;
    s = &l->items[l->count++];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", r->name);
    snprintf(s->arn, sizeof(s->arn), "%s", r->arn);
    snprintf(s->status, sizeof(s->status), "%s", r->status);
    snprintf(s->secondary_status, sizeof(s->secondary_status), "%s", r->secondary_status);
    s->creation_time = r->creation_time;
    s->training_start_time = r->start_time;
    s->training_end_time = r->end_time;
    s->last_modified_time = r->last_modified_time;
    if (hit != NULL)
        snprintf(s->warm_pool_status, sizeof(s->warm_pool_status), "%s", hit->warm_pool_status);
    else if (r->described)
        warm_pool_from_describe(c, r->name, s->warm_pool_status, sizeof(s->warm_pool_status));
    return 0;
}

/* Reads the matching jobs from the cache into out, in the cache's order (newest first unless
 * o sorts by a key of the cache). listed (sorted by name; NULL offline): only the jobs the
 * listing returned, with its WarmPoolStatus. */
static int jobs_read(struct cache *c, const struct jobs_opts *o,
                     const struct sagemaker_job_list *listed, struct jobs_rows *out,
                     struct err *e)
{
    enum { WINDOW = 512 };
    struct cache_job_query q = { 0 };
    struct jobs_rows l = { 0 };
    struct cache_job *rows;
    char regex[80];
    size_t off = 0, n = 0, i, k;
    int rc = 0;

    rows = malloc(WINDOW * sizeof(*rows));
    if (rows == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    q.sort = o->sort == JOBS_SORT_CACHE ? o->sort_key
             : o->sort == JOBS_SORT_NAME ? "name" : o->sort == JOBS_SORT_STATUS ? "status"
             : "created";
    q.descending = o->sort == JOBS_SORT_CREATED || o->desc;
    memcpy(q.conds, o->conds, sizeof(q.conds));
    q.n_conds = o->n_conds;
    l.marks = cache_job_query_reads_description(&q);
    l.ordered = l.marks || o->sort == JOBS_SORT_CACHE;
    if (!l.ordered) {
        /* sorted below as the listing is (jobs_sort) */
        q.sort = "created";
        q.descending = true;
    }
    q.status = o->status;
    q.created_after = o->since;
    if (o->name_contains != NULL) {
        /* letters, digits and '-' only (checked): literal as a regex; all lower case makes
         * the cache match case-insensitively, as AWS does */
        for (k = 0; o->name_contains[k] != '\0' && k + 1 < sizeof(regex); k++)
            regex[k] = (char)tolower((unsigned char)o->name_contains[k]);
        regex[k] = '\0';
        q.name_regex = regex;
    }
    for (;;) {
        if ((rc = cache_jobs_window(c, &q, off, WINDOW, rows, &n, e)) != 0)
            break;
        for (i = 0; i < n; i++) {
            const struct cache_job *r = &rows[i];
            const struct sagemaker_job_summary *hit = NULL;

            /* exactly AWS's filters: a strict CreationTimeAfter, the exact status */
            if ((o->status != NULL && strcmp(r->status, o->status) != 0) ||
                (o->since > 0 && !(r->creation_time > o->since)) ||
                (o->name_contains != NULL && !contains_nocase(r->name, o->name_contains)))
                continue;
            if (listed != NULL) {
                struct sagemaker_job_summary key;

                snprintf(key.name, sizeof(key.name), "%s", r->name);
                hit = bsearch(&key, listed->items, listed->count, sizeof(key),
                              cmp_summary_name);
                if (hit == NULL)
                    continue;
            }
            if (jobs_rows_add(c, r, hit, &l) != 0) {
                rc = err_set(e, ERR_NOMEM, "out of memory");
                goto out;
            }
        }
        if (n < WINDOW)
            break;
        off += n;
    }
out:
    free(rows);
    if (rc != 0) {
        jobs_rows_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- ordering (the server sorts too; this makes the output independent of it) ---------- */

static int cmp_name(const void *a, const void *b)
{
    return strcmp(((const struct sagemaker_job_summary *)a)->name,
                  ((const struct sagemaker_job_summary *)b)->name);
}

static int cmp_created(const void *a, const void *b)
{
    const struct sagemaker_job_summary *x = a, *y = b;

    if (x->creation_time != y->creation_time)
        return x->creation_time < y->creation_time ? 1 : -1;
    return cmp_name(a, b);
}

static int cmp_status(const void *a, const void *b)
{
    int c = strcmp(((const struct sagemaker_job_summary *)a)->status,
                   ((const struct sagemaker_job_summary *)b)->status);

    return c != 0 ? c : cmp_created(a, b);
}

static void jobs_sort(struct sagemaker_job_summary *items, size_t n, enum jobs_sort sort,
                      bool desc)
{
    size_t i;

    if (n > 1)
        qsort(items, n, sizeof(*items),
              sort == JOBS_SORT_NAME ? cmp_name : sort == JOBS_SORT_STATUS ? cmp_status
                                                                            : cmp_created);
    for (i = 0; desc && sort != JOBS_SORT_CREATED && i < n / 2; i++) {
        struct sagemaker_job_summary t = items[i];

        items[i] = items[n - 1 - i];
        items[n - 1 - i] = t;
    }
}

/* ---- formatting ------------------------------------------------------------------------ */

/* "45s", "12m", "3h05m", "2d04h". */
/* DURATION is the training time, the same everywhere (this table, the TUI's column, `show`):
 * TrainingStartTime to TrainingEndTime (SageMaker's TrainingTimeInSeconds), to now while the
 * job runs, to LastModifiedTime for a final job without an end. -1 when the start is unknown
 * (the job never started, or only the listing, which has no start time, was fetched). */
static double job_duration(const struct sagemaker_job_summary *j, double now)
{
    double end = j->training_end_time;

    if (j->training_start_time <= 0)
        return -1;
    if (end <= 0)
        end = cache_status_final(j->status) ? j->last_modified_time : now;
    return end > j->training_start_time ? end - j->training_start_time : 0;
}

static int cmp_kv_key(const void *a, const void *b)
{
    return strcmp(((const struct cache_kv *)a)->key, ((const struct cache_kv *)b)->key);
}

/* The tuning job of a listed job ("-" when it is not a trial); trials sorted by key. */
static const char *tuning_of(const struct cache_kv_list *trials, const char *job)
{
    struct cache_kv key = { (char *)job, NULL }, *hit;

    hit = trials->n > 0 ? bsearch(&key, trials->items, trials->n, sizeof(key), cmp_kv_key)
                        : NULL;
    return hit != NULL ? hit->value : "-";
}

/* pending (NULL: none): a NOTE column says which rows wait for their description */
static void jobs_print_table(FILE *f, const struct sagemaker_job_summary *items, size_t n,
                             const bool *pending, const struct cache_kv_list *trials,
                             double now)
{
    int wname = 4, wstatus = 6, wsec = 9, wtuning = 0;
    char age[32], dur[32];
    size_t i;

    /* a TUNING column when a listed job is a trial of a tuning job */
    for (i = 0; i < n; i++)
        if (strcmp(tuning_of(trials, items[i].name), "-") != 0 &&
            (int)strlen(tuning_of(trials, items[i].name)) > wtuning)
            wtuning = (int)strlen(tuning_of(trials, items[i].name));

    for (i = 0; i < n; i++) {
        int l = (int)strlen(items[i].name);

        if (l > wname)
            wname = l;
        if ((l = (int)strlen(items[i].status)) > wstatus)
            wstatus = l;
        if ((l = (int)strlen(items[i].secondary_status)) > wsec)
            wsec = l;
    }
    fprintf(f, "%-*s  %-*s  %-*s  %10s  %8s", wname, "NAME", wstatus, "STATUS", wsec,
            "SECONDARY", "CREATED", "DURATION");
    if (wtuning > 0)
        fprintf(f, "  %-*s", pending != NULL ? wtuning : 0, "TUNING");
    fprintf(f, pending != NULL ? "  NOTE\n" : "\n");
    for (i = 0; i < n; i++) {
        const struct sagemaker_job_summary *j = &items[i];

        cli_fmt_span(now - j->creation_time, age, sizeof(age));
        strncat(age, " ago", sizeof(age) - strlen(age) - 1);
        if (job_duration(j, now) >= 0)
            cli_fmt_span(job_duration(j, now), dur, sizeof(dur));
        else
            snprintf(dur, sizeof(dur), "-");
        fprintf(f, "%-*s  %-*s  %-*s  %10s  %8s", wname, j->name, wstatus, j->status, wsec,
                j->secondary_status[0] ? j->secondary_status : "-", age, dur);
        if (wtuning > 0)
            fprintf(f, "  %-*s", pending != NULL ? wtuning : 0, tuning_of(trials, j->name));
        if (pending != NULL)
            fprintf(f, "  %s", pending[i] ? "pending" : "-");
        fputc('\n', f);
    }
}

static void put_iso(json_t *o, const char *key, double t)
{
    char buf[JSON_ISO8601_MAX];

    if (t != 0)
        json_object_set_new(o, key, json_string(json_iso8601(t, buf, sizeof(buf))));
}

/* The AWS CLI's document: members in the model's order, timestamps as ISO 8601. */
static int jobs_print_json(FILE *f, const struct sagemaker_job_summary *items, size_t n,
                           const bool *pending, struct err *e)
{
    json_t *root = json_object(), *arr = json_array(), *o;
    size_t i;
    int rc = 0;

    if (root == NULL || arr == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    for (i = 0; i < n; i++) {
        const struct sagemaker_job_summary *j = &items[i];

        o = json_object();
        if (o == NULL || json_array_append_new(arr, o) != 0) {
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto out;
        }
        json_object_set_new(o, "TrainingJobName", json_string(j->name));
        json_object_set_new(o, "TrainingJobArn", json_string(j->arn));
        put_iso(o, "CreationTime", j->creation_time);
        put_iso(o, "TrainingEndTime", j->training_end_time);
        put_iso(o, "LastModifiedTime", j->last_modified_time);
        json_object_set_new(o, "TrainingJobStatus", json_string(j->status));
        if (j->secondary_status[0] != '\0')
            json_object_set_new(o, "SecondaryStatus", json_string(j->secondary_status));
        if (j->warm_pool_status[0] != '\0')
            json_object_set_new(o, "WarmPoolStatus",
                                json_pack("{s:s}", "Status", j->warm_pool_status));
        /* not AWS's: the job's place or match waits for its description */
        if (pending != NULL && pending[i])
            json_object_set_new(o, "Pending", json_true());
    }
    json_object_set(root, "TrainingJobSummaries", arr);
    if (json_dumpf(root, f, JSON_INDENT(4) | JSON_PRESERVE_ORDER) != 0 || fputc('\n', f) == EOF)
        rc = err_set(e, ERR_IO, "cannot write the JSON output");
out:
    json_decref(arr);
    json_decref(root);
    return rc;
}

static void jobs_print_csv(FILE *f, const struct sagemaker_job_summary *items, size_t n,
                           const bool *pending, double now)
{
    char t1[JSON_ISO8601_MAX], t2[JSON_ISO8601_MAX], t3[JSON_ISO8601_MAX];
    size_t i;

    fputs("name,status,secondary_status,creation_time,training_end_time,last_modified_time,"
          "duration_s,arn", f);
    fputs(pending != NULL ? ",pending\n" : "\n", f);
    for (i = 0; i < n; i++) {
        const struct sagemaker_job_summary *j = &items[i];

        cli_csv_field(f, j->name);
        fputc(',', f);
        cli_csv_field(f, j->status);
        fputc(',', f);
        cli_csv_field(f, j->secondary_status);
        fprintf(f, ",%s,%s,%s,", json_iso8601(j->creation_time, t1, sizeof(t1)),
                j->training_end_time ? json_iso8601(j->training_end_time, t2, sizeof(t2)) : "",
                j->last_modified_time ? json_iso8601(j->last_modified_time, t3, sizeof(t3))
                                      : "");
        if (job_duration(j, now) >= 0)
            fprintf(f, "%.0f", job_duration(j, now));
        fputc(',', f);
        cli_csv_field(f, j->arn);
        if (pending != NULL)
            fputs(pending[i] ? ",1" : ",0", f);
        fputc('\n', f);
    }
}

/* Our clock, to the microsecond. */
static double jobs_wall_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Every job created or changed since the last complete listing (cache_jobs_changed_since:
 * the server's time it began, measured, less a few seconds). */
static int jobs_fetch_changed(struct aws_client *c, double since,
                              struct sagemaker_job_list *out, struct err *e)
{
    struct sagemaker_list_query q = { 0 };

    q.last_modified_time_after = since;
    q.sort_by = "CreationTime";
    q.sort_order = "Descending";
    q.max_results = SAGEMAKER_PAGE_MAX;
    return sagemaker_list_training_jobs_all(c, &q, 0, out, e);
}

/* Refreshes the cache from SageMaker (unless offline) and reads the list back from it. */
static int jobs_load(const struct globals *g, const struct jobs_opts *o,
                     struct jobs_rows *out, struct cache_kv_list *trials, struct err *e)
{
    struct cli_aws a;
    struct cache *c = NULL;
    struct sagemaker_job_list live = { 0 };
    char moved[4200] = "";
    double since = 0, t0 = jobs_wall_s(), offset;
    bool whole = o->status == NULL && o->name_contains == NULL && o->since <= 0 &&
                 jobs_list_limit(o) == 0;
    int rc;

    if ((rc = cli_aws_open(g, &a, e)) != 0)
        return rc;
    /* the session first (an STS failure is not one: the remembered account is used), so
     * the listing knows what the cache already holds; an AWS failure of the listing is then
     * reported as such, before the cache changes */
    rc = cache_session_open(a.cfg, g->offline ? NULL : a.client, g->cache_path,
                            g->reset_cache ? CACHE_RESET : 0, &c, moved, sizeof(moved), e);
    if (rc != 0)
        goto out;
    if (moved[0] != '\0')
        fprintf(stderr, "sagetop: the old cache was moved to %s\n", moved);
    if (!g->offline) {
        since = cache_jobs_changed_since(c);
        rc = since > 0 ? jobs_fetch_changed(a.client, since, &live, e)
                       : jobs_fetch(a.client, o, &live, e);
        if (rc != 0 || (rc = jobs_store(c, &live, e)) != 0)
            goto out;
        if (live.count > 1)
            qsort(live.items, live.count, sizeof(*live.items), cmp_summary_name);
        if (since > 0 || whole)
            cache_jobs_mark_complete(c, t0, aws_client_server_offset(a.client, &offset)
                                                ? &offset : NULL, NULL);
    }
    /* incremental: the cache holds every job, exact again: read it as offline */
    rc = jobs_read(c, o, g->offline || since > 0 ? NULL : &live, out, e);
    /* which jobs are trials of a tuning job (none known: no TUNING column) */
    if (rc == 0 && cache_tuning_trial_names(c, trials, NULL) != 0)
        memset(trials, 0, sizeof(*trials));
out:
    sagemaker_job_list_clean(&live);
    cache_close(c);
    cli_aws_close(&a);
    return rc;
}

int cmd_jobs(const struct globals *g, int argc, char **argv)
{
    struct jobs_opts o;
    struct jobs_rows r = { 0 };
    struct cache_kv_list trials = { 0 };
    struct err e = { 0 };
    double now = (double)time(NULL);
    const bool *pending;
    size_t n, i, waiting = 0;
    int rc;

    rc = jobs_parse_args(argc, argv, now, &o);
    if (rc == JOBS_HELP_SHOWN)
        return EXIT_OK;
    if (rc != 0)
        return rc;
    rc = jobs_load(g, &o, &r, &trials, &e);
    if (rc != 0)
        return cli_fail(&e);
    if (!r.ordered)
        jobs_sort(r.l.items, r.l.count, o.sort, o.desc);
    n = o.limit > 0 && r.l.count > o.limit ? o.limit : r.l.count;
    pending = r.marks ? r.pending : NULL;
    for (i = 0; pending != NULL && i < n; i++)
        waiting += pending[i];
    if (waiting > 0)
        fprintf(stderr, "sagetop jobs: %zu job%s not described yet: kept, marked pending, after "
                "the others when sorted by what the description gives (`sagetop sync` "
                "describes them)\n", waiting, waiting == 1 ? "" : "s");
    switch (o.format) {
    case JOBS_TABLE:
        jobs_print_table(stdout, r.l.items, n, pending, &trials, now);
        break;
    case JOBS_CSV:
        jobs_print_csv(stdout, r.l.items, n, pending, now);
        break;
    case JOBS_JSON:
        rc = jobs_print_json(stdout, r.l.items, n, pending, &e);
        break;
    }
    jobs_rows_clean(&r);
    cache_kv_list_clean(&trials);
    return cli_stdout_finish(rc, &e);
}
