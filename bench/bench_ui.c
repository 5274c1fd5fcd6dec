/* bench_ui.c: the full-screen UI at scale, measured on the real binary in a pseudo-terminal.
 *
 * Usage: bench_ui SAGETOP CACHE_DB [RAW_LOG]
 * CACHE_DB is a cache built by bench_cache (100,000 jobs in scope 111122223333/us-east-1 and
 * "big-job" with 10,000,000 log lines); RAW_LOG the same lines as text (bench_cache's raw.log),
 * for the `less` peer. This program adds what the list shows for finished jobs (a describe
 * document with resources, spot times, hyperparameters and final metrics for the newest
 * DESCRIBED jobs, through cache_job_store_describe, the sync engine's own writer), remembers
 * the account for the offline identity, then runs `SAGETOP --offline --cache CACHE_DB` in a
 * 120x40 pty and prints one "key=value" line per figure for bench/run.sh:
 *   first     wall time from exec to the first frame showing the list ("jobs (100000)")
 *   list      CPU (user+sys, /proc/PID/stat) per keypress over KEYS presses of j (one row
 *             down, the window scrolls after the first screenful) and of PgDn; each key is
 *             sent after the previous redraw has arrived
 *   logfirst  wall time from `l` on big-job to its first screen of lines
 *   log       CPU per keypress over KEYS presses of k (one line up) and of PgUp in the log,
 *             and the wall time of g (first line) and G (last line)
 *   tuning    (a tuning job with TRIALS trials stored first, through cache_tuning_store and
 *             cache_tuning_store_trials) wall time from Enter on it in the tuning list (`T`)
 *             to the detail's first frame; CPU per keypress over TRIAL_KEYS presses of j in
 *             its trials table (every one moves), and over ORDERS presses of o (a re-sort in
 *             memory: objective, completion, creation) and of I (invert)
 *   rss       peak RSS of sagetop (VmHWM) at the end
 *   less_*    the peer: less on RAW_LOG in the same pty: time to first screen, CPU per j and
 *             per PgDn keypress, G (it reads the whole file), peak RSS
 * Deterministic (no randomness); the figures depend on the machine. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aws/config.h"
#include "cache/cache.h"
#include "cache/logstore.h"
#include "cache/tuning.h"

#define KEYS 1000
#define PAGES 200
#define DESCRIBED 2000
#define TRIALS 500
#define ORDERS 100
#define TRIAL_KEYS 400       /* j presses that all move (a press at the end draws nothing) */
#define TUNING "bench-hpo-bayes"
#define ACCOUNT "111122223333"
#define REGION "us-east-1"

struct term {
    pid_t pid;
    int fd;
    char *seen;                  /* everything read since the last term_clear */
    size_t len, cap;
};

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what, const struct err *e)
{
    fprintf(stderr, "bench_ui: %s%s%s\n", what, e != NULL ? ": " : "", e != NULL ? e->msg : "");
    return 1;
}

/* ---- the cache: describe documents for the newest jobs, the offline identity -------------- */

static int describe_jobs(const char *db, struct err *e)
{
    struct cache_job_query q = { .sort = "created", .descending = true };
    struct cache_job *rows = calloc(DESCRIBED, sizeof(*rows));
    struct cache *c = NULL;
    char *doc = malloc(8192);
    size_t n = 0, i;
    int rc;

    if (rows == NULL || doc == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    if ((rc = cache_open(db, 0, &c, NULL, 0, e)) != 0 ||
        (rc = cache_scope_use(c, ACCOUNT, REGION, e)) != 0 ||
        (rc = cache_jobs_window(c, &q, 0, DESCRIBED, rows, &n, e)) != 0)
        goto out;
    if ((rc = cache_tx_begin(c, e)) != 0)
        goto out;
    for (i = 0; i < n && rc == 0; i++) {
        const struct cache_job *j = &rows[i];
        bool spot = i % 5 == 0;
        int len = snprintf(doc, 8192,
            "{\"TrainingJobName\":\"%s\",\"TrainingJobArn\":\"%s\",\"TrainingJobStatus\":\"%s\","
            "\"SecondaryStatus\":\"%s\",\"CreationTime\":%.3f,\"TrainingStartTime\":%.3f,"
            "\"TrainingEndTime\":%.3f,\"LastModifiedTime\":%.3f,"
            "\"ResourceConfig\":{\"InstanceType\":\"%s\",\"InstanceCount\":%d,"
            "\"VolumeSizeInGB\":30},\"TrainingTimeInSeconds\":3300,"
            "\"BillableTimeInSeconds\":%d,\"EnableManagedSpotTraining\":%s,"
            "\"HyperParameters\":{\"epochs\":\"%d\",\"learning_rate\":\"%g\","
            "\"model_name_or_path\":\"\\\"distilbert-base-uncased\\\"\"},"
            "\"AlgorithmSpecification\":{\"TrainingImage\":\"763104351884.dkr.ecr.us-east-1."
            "amazonaws.com/huggingface-pytorch-training:2.1.0\",\"TrainingInputMode\":\"File\","
            "\"MetricDefinitions\":[{\"Name\":\"eval_loss\",\"Regex\":\"'eval_loss': ([0-9.]+)\"},"
            "{\"Name\":\"eval_accuracy\",\"Regex\":\"'eval_accuracy': ([0-9.]+)\"}]},"
            "\"FinalMetricDataList\":[{\"MetricName\":\"eval_loss\",\"Value\":%.4f,"
            "\"Timestamp\":%.3f},{\"MetricName\":\"eval_accuracy\",\"Value\":%.4f,"
            "\"Timestamp\":%.3f}]}",
            j->name, j->arn, j->status, j->status, j->creation_time, j->creation_time + 120,
            j->creation_time + 3420, j->creation_time + 3600,
            i % 3 == 0 ? "ml.g5.xlarge" : "ml.p3.16xlarge", 1 + (int)(i % 4),
            spot ? 1300 + (int)(i % 900) : 3300, spot ? "true" : "false", 1 + (int)(i % 5),
            1e-5 * (double)(1 + i % 7), 0.15 + (double)(i % 97) / 1000.0,
            j->creation_time + 3400, 0.85 + (double)(i % 89) / 1000.0, j->creation_time + 3400);

        if (len <= 0 || len >= 8192)
            rc = err_set(e, ERR_TOOBIG, "describe document too long");
        else
            rc = cache_job_store_describe(c, doc, (size_t)len, e);
    }
    if (rc == 0)
        rc = cache_tx_commit(c, e);
    else
        cache_tx_rollback(c);
out:
    cache_close(c);
    free(rows);
    free(doc);
    return rc;
}

/* A finished Bayesian tuning job with TRIALS trials (three tuned hyperparameters each, one in
 * ten without an objective), as the tuning sync stores them. */
static int store_tuning(const char *db, struct err *e)
{
    /* writable strings: the aws structs hold char *, the store only reads them */
    static char ep[] = "epochs", lr[] = "learning_rate", bs[] = "train_batch_size";
    static char one[] = "1", five[] = "5", lo[] = "1e-06", hi[] = "0.001";
    static char b16[] = "16", b32[] = "32", b64[] = "64";
    static char *range_names[3] = { ep, lr, bs };
    static char *batch[3] = { b16, b32, b64 };
    struct sagemaker_param_range ranges[3] = {
        { SAGEMAKER_RANGE_INTEGER, ep, one, five, "Auto", NULL, 0 },
        { SAGEMAKER_RANGE_CONTINUOUS, lr, lo, hi, "Logarithmic", NULL, 0 },
        { SAGEMAKER_RANGE_CATEGORICAL, bs, NULL, NULL, "", batch, 3 },
    };
    struct sagemaker_tuning_job t;
    struct sagemaker_tuning_trial *tr = calloc(TRIALS, sizeof(*tr));
    struct sagemaker_kv *kv = calloc(TRIALS * 3, sizeof(*kv));
    char (*vals)[2][32] = calloc(TRIALS, sizeof(*vals));
    struct cache *c = NULL;
    char objective[] = "eval_loss";
    int rc, i;

    if (tr == NULL || kv == NULL || vals == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory");
        goto out;
    }
    memset(&t, 0, sizeof(t));
    snprintf(t.name, sizeof(t.name), TUNING);
    snprintf(t.arn, sizeof(t.arn), "arn:aws:sagemaker:" REGION ":" ACCOUNT
             ":hyper-parameter-tuning-job/" TUNING);
    snprintf(t.status, sizeof(t.status), "Completed");
    snprintf(t.strategy, sizeof(t.strategy), "Bayesian");
    snprintf(t.objective_type, sizeof(t.objective_type), "Minimize");
    snprintf(t.early_stopping, sizeof(t.early_stopping), "Off");
    t.objective_metric = objective;
    t.creation_time = 1763000000;
    t.end_time = t.last_modified_time = t.creation_time + 86400;
    t.max_jobs = TRIALS;
    t.max_parallel_jobs = 10;
    t.completed = TRIALS - TRIALS / 10;
    t.non_retryable_error = TRIALS / 10;
    t.ranges = ranges;
    t.n_ranges = 3;
    for (i = 0; i < TRIALS; i++) {
        struct sagemaker_tuning_trial *x = &tr[i];

        snprintf(x->job.name, sizeof(x->job.name), TUNING "-%03d-%08x", i + 1,
                 (unsigned)(i * 2654435761u));
        snprintf(x->job.status, sizeof(x->job.status), i % 10 == 9 ? "Failed" : "Completed");
        x->job.creation_time = t.creation_time + 150.0 * i;
        x->job.training_start_time = x->job.creation_time + 60;
        x->job.training_end_time = x->job.creation_time + 900 + (i * 37) % 600;
        snprintf(vals[i][0], sizeof(vals[i][0]), "%d", 1 + i % 5);
        snprintf(vals[i][1], sizeof(vals[i][1]), "%.10g", 1e-6 * (1 + (i * 7919) % 999));
        kv[3 * i] = (struct sagemaker_kv){ range_names[0], vals[i][0] };
        kv[3 * i + 1] = (struct sagemaker_kv){ range_names[1], vals[i][1] };
        kv[3 * i + 2] = (struct sagemaker_kv){ range_names[2], batch[i % 3] };
        x->tuned_hyper_parameters = &kv[3 * i];
        x->n_tuned_hyper_parameters = 3;
        x->has_objective = i % 10 != 9;
        x->objective_value = 0.15 + (double)((i * 7907) % 1000) / 10000.0;
        snprintf(x->objective_status, sizeof(x->objective_status),
                 x->has_objective ? "Succeeded" : "Failed");
    }
    if ((rc = cache_open(db, 0, &c, NULL, 0, e)) == 0 &&
        (rc = cache_scope_use(c, ACCOUNT, REGION, e)) == 0 &&
        (rc = cache_tuning_store(c, &t, e)) == 0)
        rc = cache_tuning_store_trials(c, TUNING, tr, TRIALS, t.end_time, e);
out:
    cache_close(c);
    free(tr);
    free(kv);
    free(vals);
    return rc;
}

/* What cache/session.c does offline: the account remembered for "<profile>@<endpoint host>". */
static int remember_identity(const char *db, struct err *e)
{
    struct aws_options ao = { NULL, REGION, NULL };
    struct aws_config *cfg = aws_config_load(&ao, e);
    struct aws_endpoint ep;
    struct cache *c = NULL;
    char key[400];
    int rc;

    if (cfg == NULL)
        return -1;
    memset(&ep, 0, sizeof(ep));
    if (aws_config_endpoint(cfg, AWS_SAGEMAKER, &ep, NULL) != 0)
        snprintf(ep.host, sizeof(ep.host), "default");
    snprintf(key, sizeof(key), "%s@%s", aws_config_profile(cfg), ep.host);
    rc = cache_open(db, 0, &c, NULL, 0, e);
    if (rc == 0)
        rc = cache_scope_pick(c, key, REGION, ACCOUNT, e);
    if (rc == 0)
        rc = cache_checkpoint(c, e);
    cache_close(c);
    aws_config_free(cfg);
    return rc;
}

/* ---- the pty driver ---------------------------------------------------------------------- */

static int term_start(struct term *t, char *const argv[])
{
    struct winsize ws = { .ws_row = 40, .ws_col = 120 };

    memset(t, 0, sizeof(*t));
    t->pid = forkpty(&t->fd, NULL, NULL, &ws);
    if (t->pid < 0)
        return -1;
    if (t->pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("LANG", "C.UTF-8", 1);
        setenv("LC_ALL", "C.UTF-8", 1);
        setenv("LESS", "", 1);
        setenv("AWS_REGION", REGION, 1);
        execvp(argv[0], argv);
        _exit(127);
    }
    return 0;
}

static void term_clear(struct term *t)
{
    t->len = 0;
}

/* Reads what is there within wait_ms; returns bytes read (0 on timeout, -1 on EOF/error). */
static ssize_t term_read(struct term *t, int wait_ms)
{
    struct pollfd p = { .fd = t->fd, .events = POLLIN };
    char buf[65536];
    ssize_t n;

    if (poll(&p, 1, wait_ms) <= 0)
        return 0;
    n = read(t->fd, buf, sizeof(buf));
    if (n <= 0)
        return -1;
    if (t->len + (size_t)n + 1 > t->cap) {
        size_t nc = (t->len + (size_t)n + 1) * 2;
        char *s = realloc(t->seen, nc);

        if (s == NULL)
            return -1;
        t->seen = s;
        t->cap = nc;
    }
    memcpy(t->seen + t->len, buf, (size_t)n);
    t->len += (size_t)n;
    t->seen[t->len] = '\0';
    return n;
}

/* Waits until text has been output (since the last term_clear); false after timeout_s. */
static bool term_wait(struct term *t, const char *text, double timeout_s)
{
    double end = now_s() + timeout_s;

    while (now_s() < end) {
        if (t->len > 0 && memmem(t->seen, t->len, text, strlen(text)) != NULL)
            return true;
        if (term_read(t, 5) < 0)
            return false;
    }
    return t->len > 0 && memmem(t->seen, t->len, text, strlen(text)) != NULL;
}

/* Sends one key and waits for the redraw it causes: the first output, then until the
 * terminal is quiet for 3 ms (a frame is written in one burst). */
static void term_key(struct term *t, const char *key)
{
    if (write(t->fd, key, strlen(key)) < 0)
        return;
    if (term_read(t, 1000) <= 0)
        return;
    while (term_read(t, 3) > 0)
        ;
}

static void term_drain(struct term *t, int quiet_ms)
{
    while (term_read(t, quiet_ms) > 0)
        ;
    term_clear(t);
}

/* user+sys CPU seconds of a process (all threads). */
static double proc_cpu_s(pid_t pid)
{
    char path[64], buf[2048], *p;
    unsigned long ut = 0, st = 0;
    FILE *f;
    size_t n;

    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* fields after the command name in parentheses: state is field 3, utime 14, stime 15 */
    if ((p = strrchr(buf, ')')) == NULL ||
        sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return 0;
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long proc_hwm_kb(pid_t pid)
{
    char path[64], line[256];
    long kb = 0;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    fclose(f);
    return kb;
}

/* CPU milliseconds per press of key over n presses. */
static double cpu_per_key_ms(struct term *t, const char *key, int n)
{
    double c0, c1;
    int i;

    term_drain(t, 20);
    c0 = proc_cpu_s(t->pid);
    for (i = 0; i < n; i++) {
        term_key(t, key);
        term_clear(t);
    }
    c1 = proc_cpu_s(t->pid);
    return (c1 - c0) * 1000.0 / n;
}

static double timed_key(struct term *t, const char *key, const char *expect, double timeout_s)
{
    double t0;

    term_drain(t, 20);
    t0 = now_s();
    if (write(t->fd, key, strlen(key)) < 0 || !term_wait(t, expect, timeout_s))
        return -1;
    return now_s() - t0;
}

static void term_stop(struct term *t, const char *quit)
{
    int i, st;

    if (write(t->fd, quit, strlen(quit)) < 0) {
        /* nothing: the kill below ends it */
    }
    for (i = 0; i < 200; i++) {
        term_read(t, 10);
        if (waitpid(t->pid, &st, WNOHANG) == t->pid)
            goto out;
    }
    kill(t->pid, SIGTERM);
    waitpid(t->pid, &st, 0);
out:
    close(t->fd);
    free(t->seen);
}

int main(int argc, char **argv)
{
    char opt_offline[] = "--offline", opt_cache[] = "--cache", prog_less[] = "less";
    char *sargv[] = { NULL, opt_offline, opt_cache, NULL, NULL };
    struct err e = { 0 };
    struct term t;
    double t0, first, logfirst, c_j, c_pg, c_k, c_pgu, g_s, bigg_s, tfirst, c_tj, c_to, c_ti;
    long hwm;
    char total[64];
    size_t jobs = 0;

    if (argc < 3) {
        fprintf(stderr, "usage: bench_ui SAGETOP CACHE_DB [RAW_LOG]\n");
        return 2;
    }
    sargv[0] = argv[1];
    sargv[3] = argv[2];
    /* first: its trials are jobs too, counted in the list's total */
    if (store_tuning(argv[2], &e) != 0)
        return die("storing the tuning job", &e);
    {
        struct cache *c = NULL;
        struct cache_job_query q = { 0 };

        if (cache_open(argv[2], CACHE_READ_ONLY, &c, NULL, 0, &e) != 0 ||
            cache_scope_use(c, ACCOUNT, REGION, &e) != 0 ||
            cache_jobs_count(c, &q, &jobs, &e) != 0)
            return die("the bench cache", &e);
        cache_close(c);
    }
    t0 = now_s();
    if (describe_jobs(argv[2], &e) != 0)
        return die("describing jobs", &e);
    printf("describe jobs=%d seconds=%.2f\n", DESCRIBED, now_s() - t0);
    if (remember_identity(argv[2], &e) != 0)
        return die("remembering the identity", &e);

    /* ---- sagetop: the list ---- */
    snprintf(total, sizeof(total), "jobs (%zu)", jobs);
    t0 = now_s();
    if (term_start(&t, sargv) != 0)
        return die("forkpty", NULL);
    if (!term_wait(&t, total, 10)) {
        fwrite(t.seen ? t.seen : "", 1, t.len, stderr);
        return die("no first frame with the job list within 10 s", NULL);
    }
    first = now_s() - t0;
    printf("first ms=%.1f jobs=%zu\n", first * 1000, jobs);
    c_j = cpu_per_key_ms(&t, "j", KEYS);
    c_pg = cpu_per_key_ms(&t, "\033[6~", PAGES);
    printf("list keys=%d j_cpu_ms=%.3f pages=%d pgdn_cpu_ms=%.3f\n", KEYS, c_j, PAGES, c_pg);

    /* ---- sagetop: the tuning detail with TRIALS trials ---- */
    term_drain(&t, 20);
    if (write(t.fd, "T", 1) < 0 || !term_wait(&t, "tuning (1)", 5))
        return die("T shows no tuning list", NULL);
    tfirst = timed_key(&t, "\r", "500 trials", 10);
    if (tfirst < 0)
        return die("the tuning detail shows no trials within 10 s", NULL);
    c_tj = cpu_per_key_ms(&t, "j", TRIAL_KEYS);
    c_to = cpu_per_key_ms(&t, "o", ORDERS);
    c_ti = cpu_per_key_ms(&t, "I", ORDERS);
    printf("tuning trials=%d first_ms=%.1f keys=%d j_cpu_ms=%.3f orders=%d o_cpu_ms=%.3f "
           "I_cpu_ms=%.3f\n", TRIALS, tfirst * 1000, TRIAL_KEYS, c_tj, ORDERS, c_to, c_ti);
    term_drain(&t, 20);
    if (write(t.fd, "qq", 2) < 0 || !term_wait(&t, total, 5))
        return die("q q does not come back to the job list", NULL);

    /* ---- sagetop: the 10,000,000-line log ---- */
    term_drain(&t, 20);
    if (write(t.fd, ":jobs name=^big-job$\r", 21) < 0 || !term_wait(&t, "big-job", 5))
        return die("cannot filter the list to big-job", NULL);
    logfirst = timed_key(&t, "l", "algo-", 10);
    if (logfirst < 0)
        return die("the log view shows no line within 10 s", NULL);
    c_k = cpu_per_key_ms(&t, "k", KEYS);
    c_pgu = cpu_per_key_ms(&t, "\033[5~", PAGES);
    /* g: the first line (the generator's first line of algo-1 starts the log) */
    g_s = timed_key(&t, "g", "algo-1", 10);
    bigg_s = timed_key(&t, "G", "algo-", 10);
    hwm = proc_hwm_kb(t.pid);
    printf("logfirst ms=%.1f\n", logfirst * 1000);
    printf("log keys=%d k_cpu_ms=%.3f pages=%d pgup_cpu_ms=%.3f g_ms=%.1f G_ms=%.1f\n", KEYS,
           c_k, PAGES, c_pgu, g_s * 1000, bigg_s * 1000);
    printf("rss peak_kb=%ld\n", hwm);
    term_stop(&t, "Q");

    /* ---- the peer: less on the same lines as text ---- */
    if (argc > 3) {
        char *largv[] = { prog_less, argv[3], NULL };
        char head[33];
        FILE *f = fopen(argv[3], "r");
        size_t n = f ? fread(head, 1, 32, f) : 0;
        double lj, lpg, lg;

        if (f)
            fclose(f);
        head[n] = '\0';
        head[strcspn(head, "\n")] = '\0';
        head[20] = '\0';
        t0 = now_s();
        if (term_start(&t, largv) != 0)
            return die("forkpty less", NULL);
        if (!term_wait(&t, head, 10))
            return die("less shows nothing within 10 s", NULL);
        first = now_s() - t0;
        lj = cpu_per_key_ms(&t, "j", KEYS);
        lpg = cpu_per_key_ms(&t, "\033[6~", PAGES);
        /* G: less reads the whole file to find its end; the prompt shows "(END)" */
        lg = timed_key(&t, "G", "(END)", 120);
        hwm = proc_hwm_kb(t.pid);
        printf("less first_ms=%.1f j_cpu_ms=%.3f pgdn_cpu_ms=%.3f G_ms=%.1f peak_kb=%ld\n",
               first * 1000, lj, lpg, lg * 1000, hwm);
        term_stop(&t, "q");
    }
    return 0;
}
