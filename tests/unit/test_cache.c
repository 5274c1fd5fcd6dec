/* test_cache.c: the cache: schema and migrations, refusal of newer/foreign files, reset, jobs
 * and their query, the log page store (round trip, interleaving, next/previous screenful,
 * search), transactional cursors and the statements a handle keeps prepared. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/internal.h"
#include "cache/logstore.h"
#include "support/tmp_cache.h"

static void setup(void)
{
    cr_assert_eq(tmp_cache_make("cache", "sub/cache.db"), 0);
}

static void teardown(void)
{
    cr_assert_eq(tmp_cache_remove(), 0);
}

static struct cache *open_rw(void)
{
    struct err e = { 0 };
    struct cache *c = tmp_cache_open(&e);

    cr_assert_not_null(c, "%s", e.msg);
    return c;
}

static const char describe_fmt[] =
    "{\"TrainingJobName\":\"%s\",\"TrainingJobArn\":\"arn:aws:sagemaker:us-east-1:1:training-job/%s\","
    "\"TrainingJobStatus\":\"%s\",\"SecondaryStatus\":\"%s\",\"CreationTime\":%d,"
    "\"TrainingStartTime\":%d,\"LastModifiedTime\":%d,%s"
    "\"HyperParameters\":{\"epochs\":\"%d\",\"sagemaker_program\":\"\\\"train.py\\\"\","
    "\"model\":\"\\\"%s\\\"\"},"
    "\"AlgorithmSpecification\":{\"TrainingImage\":\"img\",\"TrainingInputMode\":\"File\","
    "\"MetricDefinitions\":[{\"Name\":\"loss\",\"Regex\":\"loss=([0-9.]+)\"}]},"
    "\"ResourceConfig\":{\"InstanceType\":\"ml.g5.xlarge\",\"InstanceCount\":2,\"VolumeSizeInGB\":30},"
    "\"SecondaryStatusTransitions\":[{\"Status\":\"Starting\",\"StartTime\":%d,\"EndTime\":%d,"
    "\"StatusMessage\":\"Preparing\"},{\"Status\":\"Training\",\"StartTime\":%d}],"
    "\"FinalMetricDataList\":[{\"MetricName\":\"acc\",\"Value\":%g,\"Timestamp\":%d}]}";

static void store_job(struct cache *c, const char *name, const char *status, int created,
                      int epochs, const char *model, double acc)
{
    char doc[4096];
    struct err e = { 0 };
    const char *fail = strcmp(status, "Failed") == 0 ? "\"FailureReason\":\"AlgorithmError: boom\"," : "";

    snprintf(doc, sizeof(doc), describe_fmt, name, name, status, status, created, created + 60,
             created + 100, fail, epochs, model, created, created + 60, created + 60, acc,
             created + 90);
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
}

TestSuite(cache, .init = setup, .fini = teardown);

Test(cache, creates_file_0600_with_wal_and_schema)
{
    struct cache *c = open_rw();
    struct stat sb;
    sqlite3 *db;
    sqlite3_stmt *st;

    cr_assert_eq(stat(tmp_cache.path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600, "mode %o", sb.st_mode & 0777);
    cache_close(c);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), CACHE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
}

Test(cache, newer_schema_is_refused_and_untouched)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct stat before, after;
    sqlite3 *db;

    cache_close(c);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "PRAGMA user_version=99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    stat(tmp_cache.path, &before);
    c = NULL;
    cr_assert_eq(cache_open(tmp_cache.path, 0, &c, NULL, 0, &e), ERR_CACHE);
    cr_assert_null(c);
    cr_assert(strstr(e.msg, "newer sagetop") != NULL, "%s", e.msg);
    cr_assert_eq(cache_open(tmp_cache.path, CACHE_READ_ONLY, &c, NULL, 0, &e), ERR_CACHE);
    stat(tmp_cache.path, &after);
    cr_assert_eq(before.st_size, after.st_size);
    cr_assert_eq(before.st_mtime, after.st_mtime);
}

Test(cache, foreign_files_are_refused)
{
    struct cache *c = NULL;
    struct err e = { 0 };
    sqlite3 *db;
    FILE *f;
    char other[320];

    mkdir(tmp_cache.dir, 0700);
    snprintf(other, sizeof(other), "%s/notes.txt", tmp_cache.dir);
    f = fopen(other, "w");
    cr_assert_not_null(f);
    fputs("these are my notes, not a database, and they are long enough\n", f);
    fclose(f);
    cr_assert_eq(cache_open(other, 0, &c, NULL, 0, &e), ERR_CACHE);
    cr_assert(strstr(e.msg, "not a sagetop cache") != NULL, "%s", e.msg);

    snprintf(other, sizeof(other), "%s/app.db", tmp_cache.dir);
    cr_assert_eq(sqlite3_open(other, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "CREATE TABLE users(id, name)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    cr_assert_eq(cache_open(other, 0, &c, NULL, 0, &e), ERR_CACHE);
    cr_assert(strstr(e.msg, "not a sagetop cache") != NULL, "%s", e.msg);
    cr_assert_eq(sqlite3_open(other, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "SELECT * FROM users", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

Test(cache, reset_moves_the_old_file_aside)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    char moved[4200];
    size_t n = 0;
    struct stat sb;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    cache_close(c);
    cr_assert_eq(cache_open(tmp_cache.path, CACHE_RESET, &c, moved, sizeof(moved), &e), 0, "%s", e.msg);
    cr_assert(strstr(moved, "cache.db.old-") != NULL, "%s", moved);
    cr_assert_eq(stat(moved, &sb), 0);
    cache_scope_use(c, "111122223333", "us-east-1", &e);
    cr_assert_eq(cache_jobs_count(c, NULL, &n, &e), 0);
    cr_assert_eq(n, 0);
    cache_close(c);
    /* the moved file still holds the job */
    cr_assert_eq(cache_open(moved, 0, &c, NULL, 0, &e), 0, "%s", e.msg);
    cache_scope_use(c, "111122223333", "us-east-1", &e);
    cr_assert_eq(cache_jobs_count(c, NULL, &n, &e), 0);
    cr_assert_eq(n, 1);
    cache_close(c);
}

Test(cache, scopes_are_separate)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    size_t n = 9;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    cr_assert_eq(cache_scope_use(c, "111122223333", "eu-west-1", &e), 0);
    cr_assert_eq(cache_jobs_count(c, NULL, &n, &e), 0);
    cr_assert_eq(n, 0);
    cr_assert_eq(cache_scope_pick(c, "default@emu", "us-east-1", "111122223333", &e), 0);
    cr_assert_eq(cache_scope_pick(c, "default@emu", "us-east-1", NULL, &e), 0);
    cr_assert_str_eq(cache_scope_account(c), "111122223333");
    cr_assert_eq(cache_jobs_count(c, NULL, &n, &e), 0);
    cr_assert_eq(n, 1);
    cache_close(c);
}

Test(cache, describe_fills_details)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_job j;
    struct cache_kv_list hp = { 0 };
    struct cache_transition_list tr = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    char *json = NULL;

    store_job(c, "job-f", "Failed", 1000, 3, "bert", 0.5);
    cr_assert_eq(cache_job_get(c, "job-f", &j, &e), 0, "%s", e.msg);
    cr_assert_str_eq(j.status, "Failed");
    cr_assert_str_eq(j.failure_reason, "AlgorithmError: boom");
    cr_assert_str_eq(j.instance_type, "ml.g5.xlarge");
    cr_assert_eq(j.instance_count, 2);
    cr_assert(j.described);
    cr_assert_eq(cache_job_hyperparameters(c, "job-f", &hp, &e), 0);
    cr_assert_eq(hp.n, 3);
    cr_assert_str_eq(hp.items[2].key, "sagemaker_program");
    cr_assert_str_eq(hp.items[2].value, "train.py");
    cr_assert_eq(cache_job_transitions(c, "job-f", &tr, &e), 0);
    cr_assert_eq(tr.n, 2);
    cr_assert_str_eq(tr.items[1].status, "Training");
    cr_assert_eq(cache_job_metric_stats(c, "job-f", &ms, &e), 0);
    cr_assert_eq(ms.n, 1);
    cr_assert_str_eq(ms.items[0].name, "acc");
    cr_assert(ms.items[0].has_final);
    cr_assert_float_eq(ms.items[0].final_value, 0.5, 1e-9);
    cr_assert_eq(cache_job_describe_json(c, "job-f", &json, &e), 0);
    cr_assert(strstr(json, "\"TrainingJobName\":\"job-f\"") != NULL);
    free(json);
    cr_assert_eq(cache_job_get(c, "nope", &j, &e), ERR_NOTFOUND);
    cache_kv_list_clean(&hp);
    cache_transition_list_clean(&tr);
    cache_metric_stat_list_clean(&ms);
    cache_close(c);
}

/* A Search record marks the job's document partial; a DescribeTrainingJob response clears the
 * mark, per job, and a summary upsert leaves it as it is. */
Test(cache, search_document_is_partial_until_described)
{
    struct cache *c = open_rw();
    struct cache_job_summary sum = { .name = "job-s", .arn = "arn", .status = "Completed",
                                     .creation_time = 1000, .last_modified_time = 1100 };
    char doc[4096];
    struct err e = { 0 };

    snprintf(doc, sizeof(doc), describe_fmt, "job-s", "job-s", "Completed", "Completed", 1000,
             1060, 1100, "", 3, "bert", 1000, 1060, 1060, 0.5, 1090);
    cr_assert_not(cache_job_doc_partial(c, "job-s"));
    cr_assert_eq(cache_job_store_search(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    store_job(c, "job-d", "Completed", 2000, 3, "bert", 0.5);
    cr_assert(cache_job_doc_partial(c, "job-s"));
    cr_assert_not(cache_job_doc_partial(c, "job-d"));
    cr_assert_eq(cache_job_upsert_summary(c, &sum, &e), 0, "%s", e.msg);
    cr_assert(cache_job_doc_partial(c, "job-s"));
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    cr_assert_not(cache_job_doc_partial(c, "job-s"));
    cr_assert_eq(cache_job_store_search(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    cr_assert(cache_job_doc_partial(c, "job-s"));
    cache_close(c);
}

Test(cache, summary_does_not_downgrade_a_newer_describe)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_job j;
    struct cache_job_summary s = { "job-a", "arn", "InProgress", "Training", 1000, 0, 50 };

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);   /* last modified 1100 */
    cr_assert_eq(cache_job_upsert_summary(c, &s, &e), 0, "%s", e.msg);
    cache_job_get(c, "job-a", &j, &e);
    cr_assert_str_eq(j.status, "Completed");
    s.last_modified_time = 2000;
    s.status = "Failed";
    cache_job_upsert_summary(c, &s, &e);
    cache_job_get(c, "job-a", &j, &e);
    cr_assert_str_eq(j.status, "Failed");
    cache_close(c);
}

Test(cache, job_query_sorts_and_filters)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_job_query q = { 0 };
    struct cache_job rows[10];
    size_t n = 0;

    store_job(c, "bert-1", "Completed", 1000, 3, "bert", 0.90);
    store_job(c, "bert-2", "Failed", 2000, 10, "bert", 0.50);
    store_job(c, "gpt-1", "Completed", 3000, 1, "gpt2", 0.70);
    store_job(c, "gpt-2", "InProgress", 4000, 20, "gpt2", 0.95);

    cr_assert_eq(cache_jobs_window(c, NULL, 0, 10, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(rows[0].name, "bert-1");      /* created ascending by default */

    q.sort = "hp.epochs";                            /* numeric, not text: 1 3 10 20 */
    cr_assert_eq(cache_jobs_window(c, &q, 0, 10, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_str_eq(rows[0].name, "gpt-1");
    cr_assert_str_eq(rows[2].name, "bert-2");
    cr_assert_str_eq(rows[3].name, "gpt-2");

    q.sort = "m.acc";
    q.descending = true;
    cr_assert_eq(cache_jobs_window(c, &q, 1, 2, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(rows[0].name, "bert-1");
    cr_assert_str_eq(rows[1].name, "gpt-1");

    memset(&q, 0, sizeof(q));
    q.name_regex = "^BERT";                          /* upper case: case-sensitive */
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), 0);
    cr_assert_eq(n, 0);
    q.name_regex = "^bert";
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), 0);
    cr_assert_eq(n, 2);
    q.name_invert = true;
    q.status = "Completed,InProgress";
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), 0);
    cr_assert_eq(n, 2);

    memset(&q, 0, sizeof(q));
    cr_assert_eq(cache_cond_parse("hp.model:gpt2", &q.conds[0], &e), 0);
    cr_assert_eq(cache_cond_parse("m.acc<0.9", &q.conds[1], &e), 0);
    q.n_conds = 2;
    cr_assert_eq(cache_jobs_window(c, &q, 0, 10, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(rows[0].name, "gpt-1");
    cr_assert_eq(cache_cond_parse("hp.epochs>=10", &q.conds[0], &e), 0);
    q.n_conds = 1;
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), 0);
    cr_assert_eq(n, 2);

    cr_assert_eq(cache_cond_parse("bogus", &q.conds[0], &e), ERR_INVAL);
    q.name_regex = "(";
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "offset") != NULL, "%s", e.msg);
    memset(&q, 0, sizeof(q));
    q.sort = "nonsense";
    cr_assert_eq(cache_jobs_window(c, &q, 0, 10, rows, &n, &e), ERR_INVAL);
    cache_close(c);
}

/* The names of rows[0..n) joined by spaces, a '?' after each pending one. */
static const char *names_of(const struct cache_job *rows, size_t n)
{
    static char buf[512];
    size_t i, len = 0;

    buf[0] = '\0';
    for (i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s", i ? " " : "",
                                rows[i].name, rows[i].pending ? "?" : "");
    return buf;
}

static void list_only(struct cache *c, const char *name, int created)
{
    struct cache_job_summary s = { name, "arn", "Completed", "Completed", created,
                                   created + 50, created + 60 };
    struct err e = { 0 };

    cr_assert_eq(cache_job_upsert_summary(c, &s, &e), 0, "%s", e.msg);
}

static const char *window_of(struct cache *c, const struct cache_job_query *q)
{
    struct cache_job rows[16];
    struct err e = { 0 };
    size_t n = 0, count = 0;

    cr_assert_eq(cache_jobs_window(c, q, 0, 16, rows, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_jobs_count(c, q, &count, &e), 0, "%s", e.msg);
    cr_assert_eq(count, n, "the count agrees with the rows");
    return names_of(rows, n);
}

/* A first sync in progress: some jobs described, some only listed (no resources, start,
 * hyperparameters or final metrics yet). A sort or a filter on such a field never misplaces
 * or drops them: they come after the known rows, newest first, marked pending. */
Test(cache, job_query_keeps_listed_only_jobs_pending)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_job_query q = { 0 };

    store_job(c, "bert-1", "Completed", 1000, 3, "bert", 0.90);
    store_job(c, "bert-2", "Failed", 2000, 10, "bert", 0.50);
    store_job(c, "gpt-1", "Completed", 3000, 1, "gpt2", 0.70);
    store_job(c, "gpt-2", "InProgress", 4000, 20, "gpt2", 0.95);
    list_only(c, "old-0", 500);
    list_only(c, "new-1", 5000);
    list_only(c, "new-2", 6000);

    cr_assert_str_eq(window_of(c, &q), "old-0 bert-1 bert-2 gpt-1 gpt-2 new-1 new-2",
                     "the creation time is listed: nothing pending");
    cr_assert(!cache_job_query_reads_description(&q));
    q.sort = "hp.epochs";
    cr_assert(cache_job_query_reads_description(&q));
    cr_assert_str_eq(window_of(c, &q), "gpt-1 bert-1 bert-2 gpt-2 new-2? new-1? old-0?");
    q.descending = true;
    cr_assert_str_eq(window_of(c, &q), "gpt-2 bert-2 bert-1 gpt-1 new-2? new-1? old-0?",
                     "pending last in either direction");
    q.sort = "hp.nothere";      /* known absent (described) before unknown */
    cr_assert_str_eq(window_of(c, &q), "gpt-2 gpt-1 bert-2 bert-1 new-2? new-1? old-0?");
    q.sort = "instance_type";
    q.descending = false;
    cr_assert_str_eq(window_of(c, &q), "gpt-2 gpt-1 bert-2 bert-1 new-2? new-1? old-0?");
    q.sort = "duration";
    cr_assert_str_eq(window_of(c, &q), "gpt-2 gpt-1 bert-2 bert-1 new-2? new-1? old-0?");
    q.sort = "m.acc";
    cr_assert_str_eq(window_of(c, &q), "bert-2 gpt-1 bert-1 gpt-2 new-2? new-1? old-0?");
    q.sort = "ended";           /* the listing gives the end time */
    cr_assert(!cache_job_query_reads_description(&q));
    cr_assert_str_eq(window_of(c, &q), "gpt-2 gpt-1 bert-2 bert-1 old-0 new-1 new-2");

    /* a filter on a pending field keeps the job, marked: never a false negative */
    memset(&q, 0, sizeof(q));
    cr_assert_eq(cache_cond_parse("hp.epochs>=10", &q.conds[0], &e), 0);
    q.n_conds = 1;
    cr_assert(cache_job_query_reads_description(&q));
    cr_assert_str_eq(window_of(c, &q), "old-0? bert-2 gpt-2 new-1? new-2?",
                     "the sort key is known: created order, pending marked");
    q.sort = "hp.epochs";
    cr_assert_str_eq(window_of(c, &q), "bert-2 gpt-2 new-2? new-1? old-0?");
    cr_assert_eq(cache_cond_parse("hp.model!=bert", &q.conds[0], &e), 0);
    cr_assert_str_eq(window_of(c, &q), "gpt-1 gpt-2 new-2? new-1? old-0?");
    cr_assert_eq(cache_cond_parse("m.acc<0.9", &q.conds[0], &e), 0);
    q.sort = "name";
    cr_assert_str_eq(window_of(c, &q), "bert-2 gpt-1 new-1? new-2? old-0?");
    cr_assert_eq(cache_cond_parse("status:Completed", &q.conds[0], &e), 0);
    cr_assert(!cache_job_query_reads_description(&q));
    cr_assert_str_eq(window_of(c, &q), "bert-1 gpt-1 new-1 new-2 old-0",
                     "the status is listed: exact, nothing pending");

    /* described now: in its place, and filtered for real */
    store_job(c, "new-1", "Completed", 5000, 5, "gpt2", 0.80);
    cr_assert_eq(cache_cond_parse("hp.epochs>=5", &q.conds[0], &e), 0);
    q.sort = "hp.epochs";
    cr_assert_str_eq(window_of(c, &q), "new-1 bert-2 gpt-2 new-2? old-0?");
    cr_assert_eq(cache_cond_parse("hp.epochs>5", &q.conds[0], &e), 0);
    cr_assert_str_eq(window_of(c, &q), "bert-2 gpt-2 new-2? old-0?");
    cache_close(c);
}

/* ---- log store ------------------------------------------------------------------------- */

static int64_t add_stream(struct cache *c, const char *job, const char *name)
{
    int64_t id = 0;
    struct err e = { 0 };

    cr_assert_eq(cache_stream_ensure(c, job, name, &id, &e), 0, "%s", e.msg);
    return id;
}

/* Appends events "<prefix> <i>" with timestamps t0 + i * step, batch at a time. */
static void append_lines(struct cache *c, int64_t sid, const char *prefix, int from, int count,
                         int64_t t0, int64_t step, int batch)
{
    struct cache_event *ev = calloc((size_t)batch, sizeof(*ev));
    char (*buf)[64] = calloc((size_t)batch, sizeof(*buf));
    struct err e = { 0 };
    int i = from;

    while (i < from + count) {
        int k = 0;
        char tok[32];

        for (; k < batch && i < from + count; k++, i++) {
            snprintf(buf[k], sizeof(buf[k]), "%s %d", prefix, i);
            ev[k].ts_ms = t0 + i * step;
            ev[k].msg = buf[k];
            ev[k].len = strlen(buf[k]);
        }
        snprintf(tok, sizeof(tok), "f/%d", i);
        cr_assert_eq(cache_stream_append(c, sid, ev, (size_t)k, tok, &e), 0, "%s", e.msg);
    }
    free(ev);
    free(buf);
}

Test(cache, page_store_round_trip)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_log_batch b = { 0 };
    struct cache_stream s;
    struct cache_log_info info;
    int64_t sid;
    int i;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    /* small appends (follow mode: the open page is rewritten) then a big one */
    for (i = 0; i < 10; i++)
        append_lines(c, sid, "line", i * 3, 3, 1000, 10, 3);
    append_lines(c, sid, "line", 30, 1000, 1000, 10, 1000);
    cr_assert_eq(cache_stream_get(c, sid, &s, &e), 0);
    cr_assert_eq(s.n_events, 1030);
    cr_assert_str_eq(s.token, "f/1030");
    cr_assert_str_eq(s.instance, "algo-1");
    cr_assert_eq(cache_logs_after(c, "job-a", NULL, 2000, NULL, &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b.n, 1030);
    cr_assert(b.at_end);
    for (i = 0; i < 1030; i++) {
        char want[32];

        snprintf(want, sizeof(want), "line %d", i);
        cr_assert_eq(b.lines[i].len, strlen(want));
        cr_assert(memcmp(b.lines[i].text, want, b.lines[i].len) == 0, "line %d", i);
        cr_assert_eq(b.lines[i].pos.seq, i);
        cr_assert_str_eq(b.lines[i].instance, "algo-1");
    }
    cr_assert_eq(cache_logs_info(c, "job-a", &info, &e), 0);
    cr_assert_eq(info.lines, 1030);
    cr_assert_eq(info.streams, 1);
    cr_assert(info.stored_bytes > 0 && info.stored_bytes < info.raw_bytes,
              "stored %lld raw %lld", (long long)info.stored_bytes, (long long)info.raw_bytes);
    cache_log_batch_clean(&b);
    cache_close(c);
}

Test(cache, streams_interleave_by_time_and_page_both_ways)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_log_batch b = { 0 }, b2 = { 0 };
    struct cache_log_filter f = { 0 };
    int64_t s1, s2;
    size_t i;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    s1 = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    s2 = add_stream(c, "job-a", "job-a/algo-2-1700000000");
    append_lines(c, s1, "a", 0, 600, 0, 2, 100);    /* ts 0 2 4 ... */
    append_lines(c, s2, "b", 0, 600, 1, 2, 600);    /* ts 1 3 5 ... */

    cr_assert_eq(cache_logs_after(c, "job-a", NULL, 10, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 10);
    for (i = 0; i < 10; i++) {
        cr_assert_eq(b.lines[i].pos.ts_ms, (int64_t)i);
        cr_assert_str_eq(b.lines[i].instance, i % 2 ? "algo-2" : "algo-1");
    }
    /* next screenful continues exactly after the last line */
    cr_assert_eq(cache_logs_after(c, "job-a", &b.lines[9].pos, 5, NULL, &b2, &e), 0);
    cr_assert_eq(b2.lines[0].pos.ts_ms, 10);
    cr_assert_eq(b2.lines[4].pos.ts_ms, 14);
    /* and the screenful before goes back without overlap, in time order */
    cr_assert_eq(cache_logs_before(c, "job-a", &b2.lines[0].pos, 4, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 4);
    cr_assert_eq(b.lines[0].pos.ts_ms, 6);
    cr_assert_eq(b.lines[3].pos.ts_ms, 9);
    /* the tail */
    cr_assert_eq(cache_logs_before(c, "job-a", NULL, 3, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 3);
    cr_assert_eq(b.lines[2].pos.ts_ms, 1199);
    cr_assert(memcmp(b.lines[2].text, "b 599", 5) == 0);
    /* walk the whole log one line at a time backwards and forwards: every line once */
    {
        struct cache_log_pos p = b.lines[2].pos;
        size_t count = 1;

        for (;;) {
            cr_assert_eq(cache_logs_before(c, "job-a", &p, 1, NULL, &b2, &e), 0);
            if (b2.n == 0)
                break;
            cr_assert(b2.lines[0].pos.ts_ms == p.ts_ms - 1, "%lld after %lld",
                      (long long)b2.lines[0].pos.ts_ms, (long long)p.ts_ms);
            p = b2.lines[0].pos;
            count++;
        }
        cr_assert_eq(count, 1200);
    }
    /* one instance, time window */
    f.instance = "algo-2";
    f.since_ms = 100;
    f.until_ms = 111;
    cr_assert_eq(cache_logs_after(c, "job-a", NULL, 100, &f, &b, &e), 0);
    cr_assert_eq(b.n, 5);
    cr_assert_eq(b.lines[0].pos.ts_ms, 101);
    cr_assert_eq(b.lines[4].pos.ts_ms, 109);
    cr_assert(b.at_end);
    cache_log_batch_clean(&b);
    cache_log_batch_clean(&b2);
    cache_close(c);
}

Test(cache, equal_timestamps_keep_a_total_order)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_log_batch b = { 0 };
    struct cache_log_pos p;
    int64_t s1, s2;
    size_t got = 0;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    s1 = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    s2 = add_stream(c, "job-a", "job-a/algo-2-1700000000");
    append_lines(c, s1, "a", 0, 700, 5000, 0, 700);   /* all at the same millisecond */
    append_lines(c, s2, "b", 0, 300, 5000, 0, 300);
    cr_assert_eq(cache_logs_after(c, "job-a", NULL, 7, NULL, &b, &e), 0);
    p = b.lines[6].pos;
    got = 7;
    for (;;) {
        cr_assert_eq(cache_logs_after(c, "job-a", &p, 7, NULL, &b, &e), 0);
        got += b.n;
        if (b.n == 0)
            break;
        p = b.lines[b.n - 1].pos;
    }
    cr_assert_eq(got, 1000);
    cache_log_batch_clean(&b);
    cache_close(c);
}

Test(cache, search_finds_matches_with_positions)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_log_batch b = { 0 };
    int64_t s1;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    s1 = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    append_lines(c, s1, "step", 0, 2000, 0, 1, 500);
    cr_assert_eq(cache_logs_search(c, "job-a", "step 1[0-9]{3}$", false, NULL, 5000, NULL, &b,
                                   &e), 0, "%s", e.msg);
    cr_assert_eq(b.n, 1000);
    cr_assert_eq(b.lines[0].pos.seq, 1000);
    cr_assert_eq(b.lines[0].match_start, 0);
    cr_assert_eq(b.lines[0].match_len, 9);
    cr_assert_eq(cache_logs_search(c, "job-a", "1999", true, NULL, 1, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 1);
    cr_assert_eq(b.lines[0].match_start, 5);
    /* previous match before a position */
    cr_assert_eq(cache_logs_search(c, "job-a", "step 5\\d$", true, &b.lines[0].pos, 2, NULL,
                                   &b, &e), 0);
    cr_assert_eq(b.n, 2);
    cr_assert_eq(b.lines[0].pos.seq, 58);
    cr_assert_eq(b.lines[1].pos.seq, 59);
    cr_assert_eq(cache_logs_search(c, "job-a", "(", false, NULL, 1, NULL, &b, &e), ERR_INVAL);
    cache_log_batch_clean(&b);
    cache_close(c);
}

Test(cache, killed_transaction_resumes_without_duplicates_or_gaps)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_stream s;
    struct cache_log_batch b = { 0 };
    struct cache_event ev = { 10, "lost line", 9 };
    int64_t sid;
    int i;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    append_lines(c, sid, "line", 0, 100, 0, 1, 50);
    /* a page stored inside a transaction that never commits (the process dies) */
    cr_assert_eq(cache_tx_begin(c, &e), 0);
    cr_assert_eq(cache_stream_append(c, sid, &ev, 1, "f/lost", &e), 0);
    cache_close(c);                  /* closing without COMMIT: SQLite rolls back */
    c = open_rw();
    cr_assert_eq(cache_stream_get(c, sid, &s, &e), 0);
    cr_assert_eq(s.n_events, 100);
    cr_assert_str_eq(s.token, "f/100");      /* the cursor matches the stored events */
    append_lines(c, sid, "line", 100, 50, 0, 1, 50);
    cr_assert_eq(cache_logs_after(c, "job-a", NULL, 1000, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 150);
    for (i = 0; i < 150; i++)
        cr_assert_eq(b.lines[i].pos.seq, i);
    cache_log_batch_clean(&b);
    cache_close(c);
}

/* Two writers (two syncs of one job, e.g. two processes) fetched the same page from the same
 * cursor: only the first one's append lands, the second is told and writes nothing. */
Test(cache, append_at_a_stale_cursor_is_refused)
{
    struct cache *a = open_rw(), *b2 = open_rw();
    struct err e = { 0 };
    struct cache_stream s;
    struct cache_log_batch b = { 0 };
    struct cache_event ev[2] = { { 10, "one", 3 }, { 11, "two", 3 } };
    struct cache_cursor at = { 0, "" };
    bool applied = false;
    int64_t sid;

    store_job(a, "job-a", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(a, "job-a", "job-a/algo-1-1700000000");
    cr_assert_eq(cache_tx_begin(a, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_stream_append_at(a, sid, &at, ev, 2, "f/2", &applied, &e), 0, "%s", e.msg);
    cr_assert(applied);
    cr_assert_eq(cache_tx_commit(a, &e), 0, "%s", e.msg);
    /* the other handle read the cursor before that commit */
    cr_assert_eq(cache_tx_begin(b2, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_stream_append_at(b2, sid, &at, ev, 2, "f/2", &applied, &e), 0, "%s",
                 e.msg);
    cr_assert_not(applied);
    cache_tx_rollback(b2);
    /* the same count with another token is stale too */
    at.n_events = 2;
    at.token = "f/other";
    cr_assert_eq(cache_stream_append_at(b2, sid, &at, ev, 1, "f/3", &applied, &e), 0);
    cr_assert_not(applied);
    at.token = "f/2";
    cr_assert_eq(cache_stream_append_at(b2, sid, &at, ev + 1, 1, "f/3", &applied, &e), 0);
    cr_assert(applied);
    cr_assert_eq(cache_stream_get(a, sid, &s, &e), 0);
    cr_assert_eq(s.n_events, 3);
    cr_assert_str_eq(s.token, "f/3");
    cr_assert_eq(cache_logs_after(a, "job-a", NULL, 1000, NULL, &b, &e), 0);
    cr_assert_eq(b.n, 3);
    cache_log_batch_clean(&b);
    cache_close(b2);
    cache_close(a);
}

/* A kept statement comes back the same, reset and unbound, for the next call; a nested use of
 * the same SQL and a full table get fresh statements that cache_kept_done() finalizes; a
 * kept statement sees what another handle committed since its last use. */
Test(cache, kept_statements_are_reused_reset_and_nested_safe)
{
    struct cache *c = open_rw(), *other = open_rw();
    struct err e = { 0 };
    sqlite3_stmt *a, *b, *n, *extra[CACHE_KEPT_MAX + 1];
    char sql[CACHE_KEPT_MAX + 1][64];
    const char *q = "SELECT count(*), ?1 FROM jobs";
    int i;

    cr_assert_eq(cache_prepare_kept(c, q, &a, &e), 0, "%s", e.msg);
    sqlite3_bind_int(a, 1, 7);
    cr_assert_eq(sqlite3_step(a), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(a, 0), 0);
    cr_assert_eq(cache_prepare_kept(c, q, &n, &e), 0, "%s", e.msg);
    cr_assert_neq(n, a, "a held statement is not handed out twice");
    cache_kept_done(c, n);
    cache_kept_done(c, a);
    store_job(other, "job-k", "Completed", 1000, 3, "bert", 0.9);
    cr_assert_eq(cache_prepare_kept(c, q, &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b, a, "the same statement is kept for the next call");
    cr_assert_eq(sqlite3_step(b), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(b, 0), 1, "it sees the other handle's commit");
    cr_assert_eq(sqlite3_column_type(b, 1), SQLITE_NULL, "its bindings were cleared");
    cache_kept_done(c, b);
    for (i = 0; i <= CACHE_KEPT_MAX; i++) {
        snprintf(sql[i], sizeof(sql[i]), "SELECT %d", i);
        cr_assert_eq(cache_prepare_kept(c, sql[i], &extra[i], &e), 0, "%s", e.msg);
    }
    cr_assert_eq(c->n_kept, CACHE_KEPT_MAX);
    for (i = 0; i <= CACHE_KEPT_MAX; i++) {
        cr_assert_eq(sqlite3_step(extra[i]), SQLITE_ROW);
        cache_kept_done(c, extra[i]);
    }
    cache_close(other);
    cache_close(c);     /* finalizes the kept ones (ASan: no leak) */
}

static int insert_page(sqlite3 *db, const char *verb, int64_t sid, int first_seq)
{
    char q[300];

    snprintf(q, sizeof(q), "%s INTO log_pages(stream_id, first_seq, n_events, first_ts,"
             " last_ts, raw_bytes, data) VALUES(%lld, %d, 10, 0, 0, 1, x'00')", verb,
             (long long)sid, first_seq);
    return sqlite3_exec(db, q, NULL, NULL, NULL);
}

/* The schema itself refuses a page that would overlap or leave a gap in a stream. */
Test(cache, schema_refuses_out_of_sequence_pages)
{
    static const int bad[] = { 0, 100, 256, 300, 601, 700 };
    struct cache *c = open_rw();
    sqlite3 *db;
    int64_t sid;
    size_t i;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    append_lines(c, sid, "line", 0, 600, 0, 1, 600);     /* pages at 0, 256, 512 (open) */
    cache_close(c);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    /* 0 and 256 exist; the others overlap a page or leave a gap after the last */
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        cr_assert_neq(insert_page(db, "INSERT OR REPLACE", sid, bad[i]), SQLITE_OK,
                      "first_seq %d", bad[i]);
    /* the open last page is rewritten in place, and the next page follows it */
    cr_assert_eq(sqlite3_exec(db, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
    cr_assert_eq(insert_page(db, "INSERT OR REPLACE", sid, 512), SQLITE_OK, "%s",
                 sqlite3_errmsg(db));
    cr_assert_eq(insert_page(db, "INSERT", sid, 522), SQLITE_OK, "%s", sqlite3_errmsg(db));
    cr_assert_eq(sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

Test(cache, points_are_idempotent_and_summarised)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_point_in p[] = {
        { "loss", 0, 0, 100, 2.0, 10, 0.5, 0, 2.0, 0 },
        { "loss", 1, 0, 200, 1.0, 20, 1.0, 0, 1.0, 0 },
        { "loss", 2, 0, 300, 1.5, -1, NAN, 0, 1.5, 0 }, { "lr", 1, 0, 200, 2.8732e-05, 20, 1.0,
        CACHE_POINT_REPAIRED, 2.8732, 0 }, { "loss", 3, 0, 400, NAN, -1, NAN, 0, NAN, 0 },
        { "loss", 4, 0, 500, NAN, 30, 1.5, CACHE_POINT_UNPARSED, NAN, 0 },
    };
    struct cache_metric_stat_list ms = { 0 };
    struct cache_point_list pl = { 0 };
    struct cache_job_query q = { 0 };
    size_t n;
    int64_t sid;

    store_job(c, "job-a", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(c, "job-a", "job-a/algo-1-1700000000");
    cr_assert_eq(cache_points_add(c, sid, p, 6, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_points_add(c, sid, p, 6, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_job_metric_stats(c, "job-a", &ms, &e), 0);
    cr_assert_eq(ms.n, 3);                     /* acc (final only), loss, lr */
    cr_assert_str_eq(ms.items[1].name, "loss");
    cr_assert_eq(ms.items[1].count, 3);
    cr_assert_eq(ms.items[1].unparsed, 1);     /* counted once although stored twice */
    cr_assert_eq(ms.items[1].repaired, 0);
    cr_assert_eq(ms.items[2].repaired, 1);
    cr_assert_float_eq(ms.items[1].last, 1.5, 1e-12);
    cr_assert_float_eq(ms.items[1].min, 1.0, 1e-12);
    cr_assert_float_eq(ms.items[1].max, 2.0, 1e-12);
    cr_assert_eq(cache_job_metric_points(c, "job-a", "loss", NULL, &pl, &e), 0);
    cr_assert_eq(pl.n, 4);                     /* the genuine NaN is stored (issue 17) */
    cr_assert_eq(pl.n_instances, 1);
    cr_assert_str_eq(pl.instances[0], "algo-1");
    cr_assert_eq(pl.items[0].step, 10);
    cr_assert_float_eq(pl.items[0].epoch, 0.5, 1e-12);
    cr_assert_eq(pl.items[1].seq, 1);
    cr_assert_eq(pl.items[1].stream, sid);
    cr_assert_eq(pl.items[2].step, -1);        /* unknown stays unknown */
    cr_assert(isnan(pl.items[2].epoch));
    cr_assert_eq(pl.items[3].ts_ms, 400);      /* NaN round-trips the packed codec */
    cr_assert(isnan(pl.items[3].value));
    cr_assert(isnan(pl.items[3].sagemaker_value));
    cr_assert_eq(pl.items[3].flags, 0, "a NaN value is not an unparsed capture");
    cr_assert_eq(pl.items[3].step, -1);
    cache_point_list_clean(&pl);
    cr_assert_eq(cache_job_metric_points(c, "job-a", "lr", "algo-1", &pl, &e), 0);
    cr_assert_eq(pl.n, 1);
    cr_assert_float_eq(pl.items[0].value, 2.8732e-05, 1e-15);
    cr_assert_float_eq(pl.items[0].sagemaker_value, 2.8732, 1e-12);
    cr_assert_eq(pl.items[0].flags, CACHE_POINT_REPAIRED);
    cache_point_list_clean(&pl);
    cr_assert_eq(cache_job_metric_points(c, "job-a", "lr", "algo-2", &pl, &e), 0);
    cr_assert_eq(pl.n, 0);
    cache_point_list_clean(&pl);
    {
        struct cache_point_query pq = { NULL, true, 200, 0, NULL };

        cr_assert_eq(cache_job_metric_points_query(c, "job-a", "loss", &pq, &pl, &e), 0);
        cr_assert_eq(pl.n, 4);                 /* 200, 300, NaN at 400, the unparsed at 500 */
        cr_assert_eq(pl.items[3].ts_ms, 500);
        cr_assert(isnan(pl.items[3].value));
        cr_assert_eq(pl.items[3].flags, CACHE_POINT_UNPARSED);
        cr_assert_eq(pl.items[3].step, 30);
    }
    cr_assert(cache_cond_parse("m.loss<=1.5", &q.conds[0], &e) == 0);
    q.n_conds = 1;
    cr_assert_eq(cache_jobs_count(c, &q, &n, &e), 0, "%s", e.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(cache_points_clear(c, "job-a", &e), 0);
    cache_point_list_clean(&pl);
    cr_assert_eq(cache_job_metric_points(c, "job-a", "loss", NULL, &pl, &e), 0);
    cr_assert_eq(pl.n, 0);
    cache_metric_stat_list_clean(&ms);
    cache_point_list_clean(&pl);
    cache_close(c);
}

/* Points are stored packed, 1,024 to a row: appends across row boundaries, repeats of what is
 * stored, two streams merged by time, and a time window that cuts rows. */
Test(cache, points_span_packed_rows_in_order)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_point_in *p = calloc(5000, sizeof(*p));
    struct cache_point_list pl = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    int64_t s1, s2;
    size_t i, from;

    cr_assert_not_null(p);
    store_job(c, "job-p", "Completed", 1000, 3, "bert", 0.9);
    s1 = add_stream(c, "job-p", "job-p/algo-1-1700000000");
    s2 = add_stream(c, "job-p", "job-p/algo-2-1700000000");
    for (i = 0; i < 5000; i++) {
        p[i].metric = i % 2 ? "loss" : "acc";
        p[i].seq = (int64_t)(i / 2);
        p[i].index = 0;
        p[i].ts_ms = 1000 + 10 * (int64_t)(i / 2);
        p[i].value = (double)i;
        p[i].step = (int64_t)i;
        p[i].epoch = NAN;
        p[i].sagemaker_value = NAN;
    }
    /* stream 1 in uneven batches, each overlapping the previous one */
    for (from = 0; from < 5000; from += 700) {
        size_t start = from >= 100 ? from - 100 : 0, n = from + 700 > 5000 ? 5000 - start
                                                                            : from + 700 - start;
        cr_assert_eq(cache_points_add(c, s1, p + start, n, &e), 0, "%s", e.msg);
    }
    cr_assert_eq(cache_points_add(c, s1, p, 5000, &e), 0, "%s", e.msg);  /* all again */
    /* stream 2: the same points 5 ms later */
    for (i = 0; i < 5000; i++)
        p[i].ts_ms += 5;
    cr_assert_eq(cache_points_add(c, s2, p, 5000, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_job_metric_stats(c, "job-p", &ms, &e), 0);
    cr_assert_eq(ms.n, 2);
    cr_assert_eq(ms.items[1].count, 5000);                 /* loss: 2,500 per stream, once */
    cr_assert_float_eq(ms.items[1].max, 4999.0, 1e-12);
    cache_metric_stat_list_clean(&ms);
    cr_assert_eq(cache_job_metric_points(c, "job-p", "loss", NULL, &pl, &e), 0, "%s", e.msg);
    cr_assert_eq(pl.n, 5000);
    for (i = 0; i < pl.n; i++) {
        cr_assert_eq(pl.items[i].seq, (int64_t)(i / 2), "point %zu", i);
        cr_assert_eq(pl.items[i].stream, i % 2 ? s2 : s1, "point %zu", i);
        cr_assert_eq(pl.items[i].step, (int64_t)(i / 2 * 2 + 1));
        cr_assert(isnan(pl.items[i].epoch));
    }
    cr_assert_eq(pl.n_instances, 2);
    cache_point_list_clean(&pl);
    cr_assert_eq(cache_job_metric_points(c, "job-p", "loss", "algo-2", &pl, &e), 0);
    cr_assert_eq(pl.n, 2500);
    cr_assert_eq(pl.items[2499].ts_ms, 1000 + 10 * 2499 + 5);
    cache_point_list_clean(&pl);
    {
        struct cache_point_query pq = { "algo-1", false, 1000 + 10 * 1500, 1000 + 10 * 1600,
                                          NULL };

        cr_assert_eq(cache_job_metric_points_query(c, "job-p", "acc", &pq, &pl, &e), 0);
        cr_assert_eq(pl.n, 100);
        cr_assert_eq(pl.items[0].seq, 1500);
        cr_assert_float_eq(pl.items[99].value, 2.0 * 1599, 1e-12);
    }
    cache_point_list_clean(&pl);
    free(p);
    cache_close(c);
}

/* A damaged packed row (cut short) is a clear error when read and when appended to; the rows
 * around it, and everything else in the cache, are untouched. */
Test(cache, damaged_points_row_is_an_error)
{
    struct cache *c = open_rw();
    struct err e = { 0 };
    struct cache_point_in p[3] = {
        { "loss", 0, 0, 100, 2.0, 10, 0.5, 0, 2.0, 0 }, { "loss", 1, 0, 200, 1.0, 20, 1.0, 0, 1.0, 0 },
        { "loss", 2, 0, 300, 0.5, 30, 1.5, 0, 0.5, 0 },
    };
    struct cache_point_list pl = { 0 };
    sqlite3 *db;
    int64_t sid;

    store_job(c, "job-d", "Completed", 1000, 3, "bert", 0.9);
    sid = add_stream(c, "job-d", "job-d/algo-1-1700000000");
    cr_assert_eq(cache_points_add(c, sid, p, 2, &e), 0, "%s", e.msg);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, "UPDATE metric_chunks SET data=substr(data, 1, 5)", NULL, NULL,
                              NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
    sqlite3_close(db);
    cr_assert_eq(cache_job_metric_points(c, "job-d", "loss", NULL, &pl, &e), ERR_CACHE);
    cr_assert(strstr(e.msg, "damaged") != NULL, "%s", e.msg);
    cr_assert_eq(pl.n, 0);
    memset(&e, 0, sizeof(e));
    cr_assert_eq(cache_points_add(c, sid, p + 2, 1, &e), ERR_CACHE);
    cr_assert(strstr(e.msg, "damaged") != NULL, "%s", e.msg);
    cr_assert_eq(cache_job_get(c, "job-d", &(struct cache_job){ 0 }, &e), 0, "%s", e.msg);
    cache_close(c);
}

Test(cache, read_only_handle_sees_writes_through_data_version)
{
    struct cache *w = open_rw();
    struct cache *r = NULL;
    struct err e = { 0 };
    uint64_t v0, v1;
    size_t n;

    cr_assert_eq(cache_open(tmp_cache.path, CACHE_READ_ONLY, &r, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(r, "111122223333", "us-east-1", &e), 0);
    v0 = cache_data_version(r);
    store_job(w, "job-a", "Completed", 1000, 3, "bert", 0.9);
    v1 = cache_data_version(r);
    cr_assert_neq(v0, v1);
    cr_assert_eq(cache_jobs_count(r, NULL, &n, &e), 0);
    cr_assert_eq(n, 1);
    cr_assert_neq(cache_state_set(r, "k", "v", &e), 0);
    cache_close(r);
    cache_close(w);
}

/* The schema shipped as version 1, verbatim: a cache written by the first release. A deliberate
 * copy of migration 1 in cache/db.c, not a use of it: this fixture is what the first release
 * wrote, and it must stay that even if someone edits the shipped migration by mistake (which
 * this test would then catch). */
static const char schema_v1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "INSERT INTO meta VALUES('app','sagetop-cache');"
    "CREATE TABLE scopes(id INTEGER PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL,"
    "  UNIQUE(account, region));"
    "CREATE TABLE identities(key TEXT PRIMARY KEY, account TEXT NOT NULL, seen_at REAL);"
    "CREATE TABLE state(scope_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT NOT NULL, updated_at REAL, PRIMARY KEY(scope_id, key));"
    "CREATE TABLE jobs(id INTEGER PRIMARY KEY,"
    "  scope_id INTEGER NOT NULL REFERENCES scopes(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, arn TEXT, status TEXT, secondary_status TEXT,"
    "  creation_time REAL, start_time REAL, end_time REAL, last_modified REAL,"
    "  instance_type TEXT, instance_count INTEGER, training_seconds INTEGER,"
    "  billable_seconds INTEGER, spot INTEGER, failure_reason TEXT,"
    "  describe_json TEXT, described_at REAL, listed_at REAL,"
    "  UNIQUE(scope_id, name));"
    "CREATE INDEX jobs_created ON jobs(scope_id, creation_time);"
    "CREATE TABLE hyperparameters(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, key TEXT NOT NULL, value TEXT, num REAL,"
    "  PRIMARY KEY(job_id, key));"
    "CREATE INDEX hyperparameters_key ON hyperparameters(key, num);"
    "CREATE TABLE metric_definitions(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, name TEXT NOT NULL, regex TEXT NOT NULL, PRIMARY KEY(job_id, idx));"
    "CREATE TABLE tags(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  key TEXT NOT NULL, value TEXT, PRIMARY KEY(job_id, key));"
    "CREATE TABLE transitions(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  idx INTEGER NOT NULL, status TEXT, start_time REAL, end_time REAL, message TEXT,"
    "  PRIMARY KEY(job_id, idx));"
    "CREATE TABLE final_metrics(job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, value REAL, ts REAL, PRIMARY KEY(job_id, name));"
    "CREATE TABLE log_streams(id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, instance TEXT NOT NULL, token TEXT NOT NULL DEFAULT '',"
    "  n_events INTEGER NOT NULL DEFAULT 0, last_ts INTEGER NOT NULL DEFAULT 0,"
    "  raw_bytes INTEGER NOT NULL DEFAULT 0, stored_bytes INTEGER NOT NULL DEFAULT 0,"
    "  extract_state BLOB,"
    "  done INTEGER NOT NULL DEFAULT 0, synced_at REAL,"
    "  UNIQUE(job_id, name));"
    "CREATE TABLE log_pages(id INTEGER PRIMARY KEY,"
    "  stream_id INTEGER NOT NULL REFERENCES log_streams(id) ON DELETE CASCADE,"
    "  first_seq INTEGER NOT NULL, n_events INTEGER NOT NULL,"
    "  first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL, raw_bytes INTEGER NOT NULL,"
    "  data BLOB NOT NULL, UNIQUE(stream_id, first_seq));"
    "CREATE INDEX log_pages_last_ts ON log_pages(stream_id, last_ts);"
    "CREATE INDEX log_pages_first_ts ON log_pages(stream_id, first_ts);"
    "CREATE TABLE metrics(id INTEGER PRIMARY KEY,"
    "  job_id INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE, name TEXT NOT NULL,"
    "  last REAL, min REAL, max REAL, last_ts INTEGER, count INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE(job_id, name));"
    "CREATE TABLE metric_points(metric_id INTEGER NOT NULL REFERENCES metrics(id) ON DELETE CASCADE,"
    "  stream_id INTEGER NOT NULL, seq INTEGER NOT NULL, k INTEGER NOT NULL,"
    "  ts_ms INTEGER NOT NULL, value REAL,"
    "  PRIMARY KEY(metric_id, stream_id, seq, k)) WITHOUT ROWID;"
    "INSERT INTO scopes VALUES(1,'111122223333','us-east-1');"
    "INSERT INTO jobs(id, scope_id, name, status, creation_time) VALUES(7,1,'old-job','Completed',"
    "  1000);"
    "INSERT INTO log_streams(id, job_id, name, instance, n_events) VALUES(3,7,"
    "  'old-job/algo-1-1700000000','algo-1',2);"
    "INSERT INTO metrics VALUES(5,7,'loss',0.5,0.5,0.9,200,2);"
    "INSERT INTO metric_points VALUES(5,3,0,0,100,0.9),(5,3,1,0,200,0.5);"
    "PRAGMA user_version=1;";

Test(cache, migrates_a_version_1_cache_forward)
{
    struct cache *c = NULL;
    struct err e = { 0 };
    struct cache_point_list pl = { 0 };
    struct cache_metric_stat_list ms = { 0 };
    struct cache_point_in np = { "loss", 2, 0, 300, 0.25, 40, 2.0, 0, 0.25, 0 };
    sqlite3 *db;
    sqlite3_stmt *st;
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "mkdir -p '%s/sub'", tmp_cache.dir);
    cr_assert_eq(system(cmd), 0);
    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, schema_v1, NULL, NULL, NULL), SQLITE_OK, "%s",
                 sqlite3_errmsg(db));
    sqlite3_close(db);

    c = open_rw();
    /* the old points are still there, with step/epoch unknown */
    cr_assert_eq(cache_job_metric_points(c, "old-job", "loss", NULL, &pl, &e), 0, "%s", e.msg);
    cr_assert_eq(pl.n, 2);
    cr_assert_float_eq(pl.items[1].value, 0.5, 1e-12);
    cr_assert_eq(pl.items[0].step, -1);
    cr_assert(isnan(pl.items[0].epoch));
    cr_assert_eq(pl.items[0].flags, 0);
    cache_point_list_clean(&pl);
    /* and new ones carry what the extractor knows */
    cr_assert_eq(cache_points_add(c, 3, &np, 1, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_job_metric_points(c, "old-job", "loss", NULL, &pl, &e), 0, "%s", e.msg);
    cr_assert_eq(pl.n, 3);
    cr_assert_eq(pl.items[2].step, 40);
    cr_assert_float_eq(pl.items[2].epoch, 2.0, 1e-12);
    cache_point_list_clean(&pl);
    cr_assert_eq(cache_job_metric_stats(c, "old-job", &ms, &e), 0);
    cr_assert_eq(ms.n, 1);
    cr_assert_eq(ms.items[0].count, 3);
    cr_assert_float_eq(ms.items[0].min, 0.25, 1e-12);
    cr_assert_eq(ms.items[0].unparsed, 0);
    cache_metric_stat_list_clean(&ms);
    cache_close(c);

    cr_assert_eq(sqlite3_open(tmp_cache.path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), CACHE_SCHEMA_VERSION);
    sqlite3_finalize(st);
    cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    /* schema 6 packed the old rows and dropped their table */
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE"
                                    " name='metric_points'), (SELECT sum(n) FROM metric_chunks)",
                                    -1, &st, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
    cr_assert_eq(sqlite3_column_int(st, 0), 0);
    cr_assert_eq(sqlite3_column_int(st, 1), 3);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* `sagetop jobs --sort` takes the keys the job list sorts by, from the one table (joblist.c) */
Test(cache, job_sort_keys_of_the_job_own_record)
{
    static const char *const own[] = { "name", "status", "secondary", "created", "started",
        "ended", "modified", "duration", "instance_type", "instance_count", "billable",
        "spot_savings", "hp.lr", "m.eval_loss" };
    static const char *const other[] = { "", "hp.", "m.", "sys.gpu", "bogus", "Name" };
    size_t i;

    for (i = 0; i < sizeof(own) / sizeof(own[0]); i++)
        cr_assert(cache_job_sort_key_own(own[i]), "%s", own[i]);
    for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
        cr_assert(!cache_job_sort_key_own(other[i]), "%s", other[i]);
}
