/* test_alerts.c: the alert rules (metrics/alerts.c: thresholds, config sections per job-name
 * pattern, each rule on a job state) and the fired-alerts table (cache/alerts.c: once per
 * (job, rule, key), also after reopening the cache). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/alerts.h"
#include "cache/cache.h"
#include "cache/logstore.h"
#include "metrics/alerts.h"

Test(alerts, threshold_parse)
{
    struct alerts_threshold t;
    struct err e = {0};

    cr_assert_eq(alerts_threshold_parse("m.eval_loss<0.2", &t, &e), 0, "%s", e.msg);
    cr_assert(!t.sys);
    cr_assert_str_eq(t.name, "eval_loss");
    cr_assert_eq(t.op, ALERTS_LT);
    cr_assert_eq(t.value, 0.2);
    cr_assert_eq(t.for_s, 0);
    cr_assert_eq(alerts_threshold_parse("  sys.gpu<10 for 10m ", &t, &e), 0, "%s", e.msg);
    cr_assert(t.sys);
    cr_assert_str_eq(t.name, "gpu");
    cr_assert_eq(t.for_s, 600);
    cr_assert_str_eq(t.text, "sys.gpu<10 for 10m");
    cr_assert_eq(alerts_threshold_parse("m.acc>=0.9", &t, &e), 0);
    cr_assert_eq(t.op, ALERTS_GE);
    cr_assert_eq(alerts_threshold_parse("loss<1", &t, &e), ERR_INVAL);
    cr_assert_eq(alerts_threshold_parse("m.loss=1", &t, &e), ERR_INVAL);
    cr_assert_eq(alerts_threshold_parse("m.loss<x", &t, &e), ERR_INVAL);
    cr_assert_eq(alerts_threshold_parse("m.loss<1 for ever", &t, &e), ERR_INVAL);
    cr_assert_eq(alerts_threshold_parse("m.loss<1 now", &t, &e), ERR_INVAL);
}

static const char config[] =
    "metric loss loss=([0-9.]+)\n"
    "[ui]\ncolumns name status\n"
    "[alerts]\n"
    "alert m.eval_loss<0.2\n"
    "stalled = 20m\n"
    "notify-command /usr/local/bin/tell --to me\n"
    "[alerts bert-*]\n"
    "stalled off\n"
    "spot off\n"
    "alert sys.gpu<10 for 10m\n";

Test(alerts, config_sections_apply_by_pattern)
{
    struct alerts_config c;
    struct alerts_rules r;
    struct err e = {0};

    cr_assert_eq(alerts_config_parse(config, strlen(config), &c, &e), 0, "%s", e.msg);
    cr_assert_eq(c.n_sec, 2);
    cr_assert_str_eq(c.notify_command, "/usr/local/bin/tell --to me");
    alerts_rules_for(&c, "gpt2-run", &r);
    cr_assert(r.ended && r.nonfinite && r.spot);
    cr_assert_eq(r.stall_s, 1200);
    cr_assert_eq(r.n_th, 1);
    alerts_rules_for(&c, "bert-base-1", &r);
    cr_assert_eq(r.stall_s, 0);
    cr_assert(!r.spot);
    cr_assert(r.ended);
    cr_assert_eq(r.n_th, 2);
    cr_assert_str_eq(r.th[1].text, "sys.gpu<10 for 10m");
    alerts_rules_for(NULL, "x", &r);
    cr_assert_eq(r.stall_s, ALERTS_STALL_DEFAULT_S);
}

Test(alerts, config_errors_name_the_line)
{
    struct alerts_config c;
    struct err e = {0};
    const char *bad = "[alerts]\nended maybe\n";
    const char *bad2 = "[alerts]\n\nfrobnicate on\n";

    cr_assert_eq(alerts_config_parse(bad, strlen(bad), &c, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "config line 2") != NULL, "%s", e.msg);
    cr_assert_eq(alerts_config_parse(bad2, strlen(bad2), &c, &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "config line 3") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "frobnicate") != NULL, "%s", e.msg);
}

static size_t eval(const struct alerts_rules *r, const struct alerts_input *in,
                   struct alerts_alert *out)
{
    return alerts_evaluate(r, in, out, 8);
}

Test(alerts, ended_spot_and_stalled)
{
    struct alerts_rules r;
    struct alerts_alert a[8];
    struct alerts_input in = {.job = "j", .status = "InProgress", .secondary_status = "Training",
                              .now_s = 10000, .last_log_s = 9500, .start_s = 1000};

    alerts_rules_default(&r);
    cr_assert_eq(eval(&r, &in, a), 0, "a job logging 500 s ago is fine");
    in.last_log_s = 10000 - 15 * 60;
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_eq(a[0].rule, ALERT_STALLED);
    cr_assert_str_eq(a[0].message, "j: no new log line for 15 min");
    in.last_log_s = 0;
    cr_assert_eq(eval(&r, &in, a), 1, "no line at all since the start");
    cr_assert_str_eq(a[0].message, "j: no new log line for 150 min");
    r.stall_s = 0;
    cr_assert_eq(eval(&r, &in, a), 0, "switched off");
    in.secondary_status = "Interrupted";
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_eq(a[0].rule, ALERT_SPOT);
    in.status = "Failed";
    in.secondary_status = "Failed";
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_eq(a[0].rule, ALERT_ENDED);
    cr_assert_str_eq(a[0].key, "Failed");
    in.status = "Stopping";
    cr_assert_eq(eval(&r, &in, a), 0, "not final yet, and not InProgress: no stall either");
}

/* A stall rule under a minute says seconds, not "0 min"; from a minute on, whole minutes. */
Test(alerts, stall_under_a_minute_in_seconds)
{
    static const char text[] = "[alerts]\nstalled 45s\n";
    struct alerts_config c;
    struct alerts_rules r;
    struct alerts_alert a[8];
    struct alerts_input in = {.job = "j", .status = "InProgress", .now_s = 10000,
                              .last_log_s = 10000 - 44, .start_s = 1000};
    struct err e = {0};

    cr_assert_eq(alerts_config_parse(text, strlen(text), &c, &e), 0, "%s", e.msg);
    alerts_rules_for(&c, "j", &r);
    cr_assert_eq(r.stall_s, 45);
    cr_assert_eq(eval(&r, &in, a), 0, "quiet for 44 s under a 45 s rule");
    in.last_log_s = 10000 - 45;
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_eq(a[0].rule, ALERT_STALLED);
    cr_assert_str_eq(a[0].message, "j: no new log line for 45 s");
    in.last_log_s = 10000 - 59;
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_str_eq(a[0].message, "j: no new log line for 59 s");
    in.last_log_s = 10000 - 60;
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_str_eq(a[0].message, "j: no new log line for 1 min");
    in.last_log_s = 10000 - 119;
    cr_assert_eq(eval(&r, &in, a), 1);
    cr_assert_str_eq(a[0].message, "j: no new log line for 1 min");
}

Test(alerts, nonfinite_and_thresholds)
{
    struct alerts_rules r;
    struct alerts_alert a[8];
    double lt[4] = {100, 200, 300, 400};
    double lv[4] = {0.9, 0.5, 0.3, 0.15};
    double nv[3] = {0.5, INFINITY, 0.4};
    double gt[5] = {9000, 9300, 9500, 9700, 9940};
    double gv[5] = {80, 5, 3, 4, 2};
    struct alerts_series m[2] = {{"eval_loss", lt, lv, 4}, {"loss", lt, nv, 3}};
    struct alerts_series s[1] = {{"gpu", gt, gv, 5}};
    struct alerts_input in = {.job = "j", .status = "InProgress", .now_s = 10000,
                              .last_log_s = 9990, .metrics = m, .n_metrics = 2, .sys = s,
                              .n_sys = 1};
    struct err e = {0};

    alerts_rules_default(&r);
    cr_assert_eq(alerts_threshold_parse("m.eval_loss<0.2", &r.th[0], &e), 0);
    cr_assert_eq(alerts_threshold_parse("sys.gpu<10 for 10m", &r.th[1], &e), 0);
    r.n_th = 2;
    cr_assert_eq(eval(&r, &in, a), 3, "inf, eval_loss < 0.2, GPU < 10 for 10 min");
    cr_assert_eq(a[0].rule, ALERT_NONFINITE);
    cr_assert_str_eq(a[0].key, "loss");
    cr_assert_str_eq(a[0].message, "j: loss became inf");
    cr_assert_eq(a[1].rule, ALERT_THRESHOLD);
    cr_assert_str_eq(a[1].key, "m.eval_loss<0.2");
    cr_assert_str_eq(a[1].message, "j: m.eval_loss<0.2 (now 0.15)");
    cr_assert_str_eq(a[2].key, "sys.gpu<10 for 10m");
    /* 9000 s: 80 %, inside the window: the condition did not hold for 10 minutes */
    in.now_s = 9500;
    gv[0] = 80;
    cr_assert_eq(eval(&r, &in, a), 2);
    /* a series that does not reach back 10 minutes yet does not fire */
    in.now_s = 10000;
    s[0].ts_s = gt + 2;
    s[0].values = gv + 2;
    s[0].n = 3;
    cr_assert_eq(eval(&r, &in, a), 2);
    r.nonfinite = false;
    cr_assert_eq(eval(&r, &in, a), 1, "switched off");
}

Test(alerts, fired_once_across_reopen)
{
    char dir[] = "/tmp/sagetop-alerts-test.XXXXXX", path[300], cmd[400];
    const char *doc = "{\"TrainingJobName\":\"j1\",\"TrainingJobArn\":\"arn:j1\","
                      "\"TrainingJobStatus\":\"Completed\",\"CreationTime\":100}";
    struct cache *c = NULL;
    struct cache_alert_list l = {0};
    struct err e = {0};
    bool now = false;

    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/cache.db", dir);
    cr_assert_eq(cache_open(path, 0, &c, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(c, "1", "us-east-1", &e), 0);
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    cr_assert_eq(cache_alert_fire(c, "j1", "ended", "Completed", "j1: Completed", 5, &now, &e),
                 0, "%s", e.msg);
    cr_assert(now);
    cr_assert_eq(cache_alert_fire(c, "j1", "ended", "Completed", "j1: Completed", 6, &now, &e),
                 0);
    cr_assert(!now, "the same alert again is quiet");
    cr_assert_eq(cache_alert_fire(c, "j1", "threshold", "m.loss<1", "j1: m.loss<1", 7, &now,
                                  &e), 0);
    cr_assert(now, "another key fires");
    cr_assert_eq(cache_alert_fire(c, "nope", "ended", "", "", 7, &now, &e), ERR_NOTFOUND);
    cache_close(c);
    c = NULL;
    cr_assert_eq(cache_open(path, 0, &c, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(c, "1", "us-east-1", &e), 0);
    cr_assert_eq(cache_alert_fire(c, "j1", "ended", "Completed", "j1: Completed", 8, &now, &e),
                 0);
    cr_assert(!now, "a restart does not fire it again");
    cr_assert_eq(cache_alerts_list(c, 0, &l, &e), 0, "%s", e.msg);
    cr_assert_eq(l.n, 2);
    cr_assert_str_eq(l.items[0].rule, "threshold");
    cr_assert_str_eq(l.items[1].message, "j1: Completed");
    cr_assert_eq(l.items[1].fired_at, 5);
    cache_alert_list_clean(&l);
    cache_close(c);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* A metric whose every point is NaN has no summary (count 0: NaN stays out of min/max/last),
 * yet it is the one the nonfinite rule is for: it fires once, and not after a reopen. A
 * metric with finite points only fires nothing. */
Test(alerts, nan_from_the_first_point_fires_once_across_reopen)
{
    char dir[] = "/tmp/sagetop-alerts-nan.XXXXXX", path[300], cmd[400];
    const char *doc = "{\"TrainingJobName\":\"j-nan\",\"TrainingJobArn\":\"arn:j-nan\","
                      "\"TrainingJobStatus\":\"InProgress\",\"SecondaryStatus\":\"Training\","
                      "\"CreationTime\":100,\"TrainingStartTime\":110}";
    struct cache_point_in p[] = {
        {"eval_loss", 0, 0, 200000, NAN, -1, NAN, 0, NAN, 0},
        {"eval_loss", 1, 0, 260000, NAN, -1, NAN, 0, NAN, 0},
        {"loss", 1, 0, 260000, 0.5, -1, NAN, 0, NAN, 0},
    };
    struct alerts_config cfg;
    struct alerts_alert out[16];
    struct cache *c = NULL;
    struct err e = {0};
    size_t n = 99;
    bool final = true;
    int64_t sid = 0;

    cr_assert_eq(alerts_config_parse("", 0, &cfg, &e), 0);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/cache.db", dir);
    cr_assert_eq(cache_open(path, 0, &c, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(c, "1", "us-east-1", &e), 0);
    cr_assert_eq(cache_job_store_describe(c, doc, strlen(doc), &e), 0, "%s", e.msg);
    cr_assert_eq(cache_stream_ensure(c, "j-nan", "j-nan/algo-1-1", &sid, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_points_add(c, sid, p, 3, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_alerts_check(c, &cfg, "j-nan", 300, false, out, 16, &n, &final, &e), 0,
                 "%s", e.msg);
    cr_assert(!final);
    cr_assert_eq(n, 1, "the all-NaN metric fires, the finite one does not (%zu)", n);
    cr_assert_eq(out[0].rule, ALERT_NONFINITE);
    cr_assert_str_eq(out[0].key, "eval_loss");
    cr_assert_str_eq(out[0].message, "j-nan: eval_loss became NaN");
    cr_assert_eq(cache_alerts_check(c, &cfg, "j-nan", 310, false, out, 16, &n, &final, &e), 0);
    cr_assert_eq(n, 0, "a second check is quiet");
    cache_close(c);
    c = NULL;
    cr_assert_eq(cache_open(path, 0, &c, NULL, 0, &e), 0, "%s", e.msg);
    cr_assert_eq(cache_scope_use(c, "1", "us-east-1", &e), 0);
    cr_assert_eq(cache_alerts_check(c, &cfg, "j-nan", 320, false, out, 16, &n, &final, &e), 0);
    cr_assert_eq(n, 0, "a restart does not fire it again");
    cache_close(c);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

/* Each rule is switchable in the config and per job-name pattern, in file order. */
Test(alerts, every_rule_switches_by_pattern)
{
    static const char text[] = "[alerts]\nended off\nstalled off\nnonfinite off\nspot off\n"
                               "[alerts \"gpt2-*\"]\nended on\nstalled 20m\nnonfinite on\n"
                               "spot on\n[alerts gpt2-nan]\nnonfinite off\n";
    struct alerts_config c;
    struct alerts_rules r;
    struct err e = {0};

    cr_assert_eq(alerts_config_parse(text, strlen(text), &c, &e), 0, "%s", e.msg);
    alerts_rules_for(&c, "bert-1", &r);
    cr_assert(!r.ended && !r.nonfinite && !r.spot && r.stall_s == 0, "all off by default");
    alerts_rules_for(&c, "gpt2-run", &r);
    cr_assert(r.ended && r.nonfinite && r.spot && r.stall_s == 1200, "all on by pattern");
    alerts_rules_for(&c, "gpt2-nan", &r);
    cr_assert(r.ended && !r.nonfinite && r.spot, "a later section overrides one rule");
}
