/* alerts.h: the alert rules, pure: the [alerts] part of the user's config parsed into rules,
 * the rules that apply to a job (per job-name pattern), and which alerts a job's current state
 * raises. No I/O, no clock (now is an input), no memory kept between calls: firing each alert
 * once is the caller's business (cache/alerts.h stores what fired).
 *
 * Config ($XDG_CONFIG_HOME/sagetop/config, read by the caller through aws/userconfig.h):
 *     [alerts]                    defaults for every job
 *     ended on                    Completed, Failed or Stopped            (default on)
 *     stalled 15m                 no new log line for N minutes while InProgress; "off",
 *                                 "on" (= 15m), or a duration "20m", "1h"  (default 15m)
 *     nonfinite on                a metric value becomes NaN or inf        (default on)
 *     spot on                     secondary status Interrupted            (default on)
 *     alert m.eval_loss<0.2       a threshold (m.NAME: a log metric; sys.NAME: a host metric,
 *     alert sys.gpu<10 for 10m      GPU figures as a share of the instance); "for D": the
 *                                   condition held for the whole last D
 *     notify-command CMD ARG...   (the front end's; parsed here as text only)
 *     [alerts bert-*]             then, for jobs whose name matches the glob (fnmatch), in
 *     stalled off                 file order: switches override, alert lines add thresholds
 * Every rule of a job can be switched off by pattern; the threshold lines add up.
 *
 * Identity: an alert is (job, rule, key): ended -> key the final status; stalled, spot -> "";
 * nonfinite -> the metric; threshold -> the rule's text. The caller fires each identity once. */
#ifndef SAGETOP_ALERTS_H
#define SAGETOP_ALERTS_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

#define ALERTS_NAME_MAX 128
#define ALERTS_TEXT_MAX 160
#define ALERTS_MAX_THRESHOLDS 16
#define ALERTS_MAX_SECTIONS 32
#define ALERTS_MSG_MAX 256
#define ALERTS_COMMAND_MAX 1024
#define ALERTS_STALL_DEFAULT_S (15 * 60)

enum alerts_rule { ALERT_ENDED, ALERT_STALLED, ALERT_NONFINITE, ALERT_THRESHOLD, ALERT_SPOT };
/* "ended", "stalled", "nonfinite", "threshold", "spot" */
const char *alerts_rule_name(enum alerts_rule r);

enum alerts_op { ALERTS_LT, ALERTS_LE, ALERTS_GT, ALERTS_GE };

struct alerts_threshold {
    char text[ALERTS_TEXT_MAX];         /* as written, trimmed: "sys.gpu<10 for 10m" */
    bool sys;                           /* sys.NAME (host metric) or m.NAME (log metric) */
    char name[ALERTS_NAME_MAX];         /* "eval_loss", "gpu" (the caller resolves sys names) */
    enum alerts_op op;
    double value;
    int for_s;                          /* 0: as soon as the last value crosses */
};
/* Parses "m.eval_loss<0.2", "sys.gpu<10 for 10m" (ops < <= > >=; durations 90s 10m 1h).
 * ERR_INVAL saying what is wrong. */
int alerts_threshold_parse(const char *text, struct alerts_threshold *out, struct err *e);

/* The rules that apply to one job. */
struct alerts_rules {
    bool ended, nonfinite, spot;
    int stall_s;                        /* 0: off */
    struct alerts_threshold th[ALERTS_MAX_THRESHOLDS];
    size_t n_th;
};
void alerts_rules_default(struct alerts_rules *r);

/* The parsed [alerts] sections, in file order (the first is the defaults' "" pattern). */
struct alerts_section {
    char pattern[ALERTS_NAME_MAX];      /* "" for [alerts] */
    signed char ended, nonfinite, spot; /* -1 unset, 0 off, 1 on */
    int stall_s;                        /* -1 unset, 0 off */
    struct alerts_threshold th[ALERTS_MAX_THRESHOLDS];
    size_t n_th;
};
struct alerts_config {
    struct alerts_section sec[ALERTS_MAX_SECTIONS];
    size_t n_sec;
    char notify_command[ALERTS_COMMAND_MAX];    /* "" when none */
};
/* Parses the [alerts] and [alerts PATTERN] sections of config text (len bytes, no NUL
 * needed); other sections are ignored. ERR_INVAL naming the line ("config line 7: ..."). */
int alerts_config_parse(const char *text, size_t len, struct alerts_config *out, struct err *e);
/* The rules for job: the defaults, then each matching section in order. */
void alerts_rules_for(const struct alerts_config *c, const char *job, struct alerts_rules *out);

/* A job's state as the rules see it. Series are borrowed, oldest first. */
struct alerts_series {
    const char *name;                   /* m.: the metric; sys.: the name as in the rule */
    const double *ts_s;
    const double *values;               /* sys.: GPU figures already a share of the instance */
    size_t n;
};
struct alerts_input {
    const char *job;
    const char *status;                 /* InProgress, Completed, ... */
    const char *secondary_status;       /* Training, Interrupted, ... */
    double now_s;
    double last_log_s;                  /* newest log line's time; 0: none seen */
    double start_s;                     /* training start (a stall counts from here at most) */
    const struct alerts_series *metrics;
    size_t n_metrics;
    const struct alerts_series *sys;
    size_t n_sys;
};

struct alerts_alert {
    enum alerts_rule rule;
    char key[ALERTS_TEXT_MAX];
    char message[ALERTS_MSG_MAX];       /* one line for a human */
};
/* The alerts the state raises now (at most cap written to out); returns how many were raised
 * (may exceed cap). */
size_t alerts_evaluate(const struct alerts_rules *r, const struct alerts_input *in,
                       struct alerts_alert *out, size_t cap);

#endif
