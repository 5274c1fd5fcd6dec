/* alerts.c: the alert rules (alerts.h): config text to rules, rules to the alerts a job's
 * state raises. Pure: no I/O, no clock, no globals; must not remember what already fired
 * (cache/alerts.c does). */
#include "metrics/alerts.h"

#include <ctype.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *alerts_rule_name(enum alerts_rule r)
{
    static const char *const names[] = {"ended", "stalled", "nonfinite", "threshold", "spot"};

    return (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}

/* ---- parsing ---------------------------------------------------------------------------- */

/* "90s" "10m" "1h" "15" (minutes) into seconds; -1 when not a duration. */
static int parse_duration(const char *s, bool bare_minutes)
{
    char *end;
    double v = strtod(s, &end);

    if (end == s || v < 0 || v > 1e6)
        return -1;
    if (*end == '\0')
        return bare_minutes ? (int)(v * 60) : -1;
    if (end[1] != '\0')
        return -1;
    switch (*end) {
    case 's': return (int)v;
    case 'm': return (int)(v * 60);
    case 'h': return (int)(v * 3600);
    default: return -1;
    }
}

int alerts_threshold_parse(const char *text, struct alerts_threshold *out, struct err *e)
{
    struct alerts_threshold t = {0};
    const char *p = text, *name, *ops;
    char *end;
    size_t n;

    while (isspace((unsigned char)*p))
        p++;
    snprintf(t.text, sizeof(t.text), "%s", p);
    n = strlen(t.text);
    while (n > 0 && isspace((unsigned char)t.text[n - 1]))
        t.text[--n] = '\0';
    if (strncmp(p, "m.", 2) == 0) {
        name = p + 2;
    } else if (strncmp(p, "sys.", 4) == 0) {
        t.sys = true;
        name = p + 4;
    } else {
        return err_set(e, ERR_INVAL, "alert '%s': start with m.METRIC or sys.METRIC", t.text);
    }
    ops = name + strcspn(name, "<>");
    if (*ops == '\0' || ops == name || (size_t)(ops - name) >= sizeof(t.name))
        return err_set(e, ERR_INVAL, "alert '%s': write NAME<VALUE, <=, > or >=", t.text);
    memcpy(t.name, name, (size_t)(ops - name));
    t.op = ops[0] == '<' ? (ops[1] == '=' ? ALERTS_LE : ALERTS_LT)
                         : (ops[1] == '=' ? ALERTS_GE : ALERTS_GT);
    ops += ops[1] == '=' ? 2 : 1;
    t.value = strtod(ops, &end);
    if (end == ops || !isfinite(t.value))
        return err_set(e, ERR_INVAL, "alert '%s': the threshold is not a number", t.text);
    while (isspace((unsigned char)*end))
        end++;
    if (strncmp(end, "for ", 4) == 0) {
        char dur[32];

        snprintf(dur, sizeof(dur), "%s", end + 4);
        dur[strcspn(dur, " \t")] = '\0';
        if ((t.for_s = parse_duration(dur, false)) <= 0)
            return err_set(e, ERR_INVAL, "alert '%s': 'for' takes a duration (90s, 10m, 1h)",
                           t.text);
        end += 4 + strlen(dur);
        while (isspace((unsigned char)*end))
            end++;
    }
    if (*end != '\0')
        return err_set(e, ERR_INVAL, "alert '%s': unexpected '%s'", t.text, end);
    *out = t;
    return 0;
}

void alerts_rules_default(struct alerts_rules *r)
{
    memset(r, 0, sizeof(*r));
    r->ended = r->nonfinite = r->spot = true;
    r->stall_s = ALERTS_STALL_DEFAULT_S;
}

static int parse_switch(const char *v)
{
    if (strcmp(v, "on") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0)
        return 1;
    if (strcmp(v, "off") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0)
        return 0;
    return -1;
}

/* One "key value" line of an alerts section. */
static int section_line(struct alerts_config *c, struct alerts_section *s, const char *key,
                        const char *val, struct err *e)
{
    int sw = parse_switch(val);

    if (strcmp(key, "ended") == 0 || strcmp(key, "nonfinite") == 0 || strcmp(key, "spot") == 0) {
        if (sw < 0)
            return err_set(e, ERR_INVAL, "%s takes on or off, not '%s'", key, val);
        *(key[0] == 'e' ? &s->ended : key[0] == 'n' ? &s->nonfinite : &s->spot) =
            (signed char)sw;
    } else if (strcmp(key, "stalled") == 0) {
        s->stall_s = sw == 1 ? ALERTS_STALL_DEFAULT_S : sw == 0 ? 0 : parse_duration(val, true);
        if (s->stall_s < 0)
            return err_set(e, ERR_INVAL, "stalled takes on, off or minutes (15m), not '%s'",
                           val);
    } else if (strcmp(key, "alert") == 0) {
        if (s->n_th >= ALERTS_MAX_THRESHOLDS)
            return err_set(e, ERR_INVAL, "more than %d alert lines", ALERTS_MAX_THRESHOLDS);
        return alerts_threshold_parse(val, &s->th[s->n_th++], e);
    } else if (strcmp(key, "notify-command") == 0) {
        snprintf(c->notify_command, sizeof(c->notify_command), "%s", val);
    } else {
        return err_set(e, ERR_INVAL, "unknown alerts setting '%s'", key);
    }
    return 0;
}

/* A "[alerts ...]" header: the new section, or NULL when the header is not an alerts one. */
static struct alerts_section *open_section(struct alerts_config *c, const char *hdr, int *rc,
                                           struct err *e)
{
    struct alerts_section *s;
    const char *pat;

    if (strncmp(hdr, "alerts", 6) != 0 || (hdr[6] != '\0' && hdr[6] != ' '))
        return NULL;
    if (c->n_sec >= ALERTS_MAX_SECTIONS) {
        *rc = err_set(e, ERR_INVAL, "more than %d [alerts] sections", ALERTS_MAX_SECTIONS);
        return NULL;
    }
    pat = hdr + 6;
    while (*pat == ' ')
        pat++;
    s = &c->sec[c->n_sec++];
    memset(s, 0, sizeof(*s));
    snprintf(s->pattern, sizeof(s->pattern), "%s", pat);
    if (s->pattern[0] == '"' && strlen(s->pattern) > 1 &&
        s->pattern[strlen(s->pattern) - 1] == '"') {
        memmove(s->pattern, s->pattern + 1, strlen(s->pattern));
        s->pattern[strlen(s->pattern) - 1] = '\0';
    }
    s->ended = s->nonfinite = s->spot = -1;
    s->stall_s = -1;
    return s;
}

/* Splits a trimmed line into key and value ("key value" or "key = value"). */
static void split_kv(char *line, char **key, char **val)
{
    char *p = line + strcspn(line, " \t=");

    *key = line;
    if (*p != '\0')
        *p++ = '\0';
    while (*p == ' ' || *p == '\t' || *p == '=')
        p++;
    *val = p;
}

int alerts_config_parse(const char *text, size_t len, struct alerts_config *out, struct err *e)
{
    struct alerts_config *c = calloc(1, sizeof(*c));
    struct alerts_section *cur = NULL;
    size_t pos = 0;
    int lineno = 0, rc = 0;

    if (c == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    while (rc == 0 && pos < len) {
        char line[1024], *l = line, *key, *val;
        size_t n = 0;

        lineno++;
        while (pos < len && text[pos] != '\n') {
            if (n + 1 < sizeof(line))
                line[n++] = text[pos];
            pos++;
        }
        pos++;
        line[n] = '\0';
        while (n > 0 && isspace((unsigned char)line[n - 1]))
            line[--n] = '\0';
        while (isspace((unsigned char)*l))
            l++;
        if (*l == '\0' || *l == '#' || *l == ';')
            continue;
        if (*l == '[') {
            l[strcspn(l, "]")] = '\0';
            cur = open_section(c, l + 1, &rc, e);
            continue;
        }
        if (cur == NULL)
            continue;
        split_kv(l, &key, &val);
        rc = section_line(c, cur, key, val, e);
    }
    if (rc != 0) {
        err_prefix(e, "config line %d", lineno);
        free(c);
        return rc;
    }
    *out = *c;
    free(c);
    return 0;
}

void alerts_rules_for(const struct alerts_config *c, const char *job, struct alerts_rules *out)
{
    alerts_rules_default(out);
    for (size_t i = 0; c != NULL && i < c->n_sec; i++) {
        const struct alerts_section *s = &c->sec[i];

        if (s->pattern[0] != '\0' && fnmatch(s->pattern, job, 0) != 0)
            continue;
        if (s->ended >= 0)
            out->ended = s->ended;
        if (s->nonfinite >= 0)
            out->nonfinite = s->nonfinite;
        if (s->spot >= 0)
            out->spot = s->spot;
        if (s->stall_s >= 0)
            out->stall_s = s->stall_s;
        for (size_t k = 0; k < s->n_th && out->n_th < ALERTS_MAX_THRESHOLDS; k++)
            out->th[out->n_th++] = s->th[k];
    }
}

/* ---- evaluation ------------------------------------------------------------------------- */

struct raise {
    struct alerts_alert *out;
    size_t cap, n;
};

static void raise_alert(struct raise *r, enum alerts_rule rule, const char *key,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void raise_alert(struct raise *r, enum alerts_rule rule, const char *key,
                        const char *fmt, ...)
{
    if (r->n < r->cap) {
        struct alerts_alert *a = &r->out[r->n];
        va_list ap;

        a->rule = rule;
        snprintf(a->key, sizeof(a->key), "%s", key);
        va_start(ap, fmt);
        vsnprintf(a->message, sizeof(a->message), fmt, ap);
        va_end(ap);
    }
    r->n++;
}

static bool crosses(enum alerts_op op, double v, double limit)
{
    switch (op) {
    case ALERTS_LT: return v < limit;
    case ALERTS_LE: return v <= limit;
    case ALERTS_GT: return v > limit;
    case ALERTS_GE: return v >= limit;
    }
    return false;
}

static const struct alerts_series *find_series(const struct alerts_series *v, size_t n,
                                               const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (v[i].name != NULL && strcmp(v[i].name, name) == 0)
            return &v[i];
    return NULL;
}

/* Whether the threshold holds now: the last finite value crosses it, and with "for D" every
 * finite value of the last D does, and the series reaches back past the start of the window
 * (a job watched for less than D does not fire yet). */
static bool threshold_holds(const struct alerts_threshold *t, const struct alerts_series *s,
                            double now_s, double *last)
{
    size_t i = s->n;
    bool seen = false;

    while (i > 0 && !isfinite(s->values[i - 1]))
        i--;
    if (i == 0 || !crosses(t->op, s->values[i - 1], t->value))
        return false;
    *last = s->values[i - 1];
    if (t->for_s <= 0)
        return true;
    for (; i > 0; i--) {
        double v = s->values[i - 1];

        if (s->ts_s[i - 1] < now_s - t->for_s) {
            seen = true;            /* the window is covered: this point is older than it */
            break;
        }
        if (isfinite(v) && !crosses(t->op, v, t->value))
            return false;
    }
    return seen;
}

static void eval_series_rules(const struct alerts_rules *r, const struct alerts_input *in,
                              struct raise *out)
{
    for (size_t i = 0; r->nonfinite && i < in->n_metrics; i++) {
        const struct alerts_series *s = &in->metrics[i];

        for (size_t k = 0; k < s->n; k++) {
            if (!isfinite(s->values[k])) {
                raise_alert(out, ALERT_NONFINITE, s->name, "%s: %s became %s", in->job, s->name,
                            isnan(s->values[k]) ? "NaN" : "inf");
                break;
            }
        }
    }
    for (size_t i = 0; i < r->n_th; i++) {
        const struct alerts_threshold *t = &r->th[i];
        const struct alerts_series *s =
            t->sys ? find_series(in->sys, in->n_sys, t->name)
                   : find_series(in->metrics, in->n_metrics, t->name);
        double last = NAN;

        if (s != NULL && threshold_holds(t, s, in->now_s, &last))
            raise_alert(out, ALERT_THRESHOLD, t->text, "%s: %s (now %g)", in->job, t->text,
                        last);
    }
}

size_t alerts_evaluate(const struct alerts_rules *r, const struct alerts_input *in,
                       struct alerts_alert *out, size_t cap)
{
    struct raise ra = {out, cap, 0};
    const char *st = in->status != NULL ? in->status : "";
    const char *sec = in->secondary_status != NULL ? in->secondary_status : "";
    bool final = strcmp(st, "Completed") == 0 || strcmp(st, "Failed") == 0 ||
                 strcmp(st, "Stopped") == 0;

    if (r->ended && final)
        raise_alert(&ra, ALERT_ENDED, st, "%s: %s", in->job, st);
    if (r->spot && strcmp(sec, "Interrupted") == 0)
        raise_alert(&ra, ALERT_SPOT, "", "%s: spot capacity interrupted the job", in->job);
    if (r->stall_s > 0 && strcmp(st, "InProgress") == 0) {
        double since = in->last_log_s > 0 ? in->last_log_s : in->start_s;
        int quiet_s = (int)(in->now_s - since);

        /* a stall rule under a minute ("stalled 45s") fires before a whole minute has passed */
        if (since > 0 && in->now_s - since >= r->stall_s)
            raise_alert(&ra, ALERT_STALLED, "", "%s: no new log line for %d %s", in->job,
                        quiet_s < 60 ? quiet_s : quiet_s / 60, quiet_s < 60 ? "s" : "min");
    }
    eval_series_rules(r, in, &ra);
    return ra.n;
}
