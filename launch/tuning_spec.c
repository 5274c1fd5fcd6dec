/* tuning_spec.c: what a tuning launch asks for, from the words the CLI and the form take
 * ("hp.learning_rate=1e-5:1e-4:log", "eval_loss:min", "Bayesian", ...), into struct
 * tuning_spec, with the numbers written as the SDK's ParameterRange.as_tuning_range() writes
 * them (str() of the Python value: 1e-5 -> "1e-05", 4 -> "4").
 *
 * Owns: the spec's vocabulary (kinds, scaling words, objective suffixes). Must not: judge the
 * ranges the way AWS does (tuning_validate.c), build requests, do I/O or print. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "launch/estimator_internal.h"
#include "launch/tuning.h"

void tuning_spec_init(struct tuning_spec *s)
{
    memset(s, 0, sizeof(*s));
}

/* One word of a closed set, any case: its canonical spelling, or NULL. */
struct word {
    const char *in;
    const char *out;
};

static const char *lookup(const struct word *w, const char *s, size_t n)
{
    for (; w->in; w++)
        if (strlen(w->in) == n && strncasecmp(w->in, s, n) == 0)
            return w->out;
    return NULL;
}

static const struct word scalings[] = {
    { "auto", "Auto" }, { "linear", "Linear" }, { "log", "Logarithmic" },
    { "logarithmic", "Logarithmic" }, { "reverselog", "ReverseLogarithmic" },
    { "revlog", "ReverseLogarithmic" }, { "reverselogarithmic", "ReverseLogarithmic" },
    { NULL, NULL },
};

static const struct word kinds[] = {
    { "cont", "c" }, { "continuous", "c" }, { "int", "i" }, { "integer", "i" },
    { "cat", "k" }, { "categorical", "k" }, { NULL, NULL },
};

static const struct word objective_types[] = {
    { "min", "Minimize" }, { "minimize", "Minimize" }, { "max", "Maximize" },
    { "maximize", "Maximize" }, { NULL, NULL },
};

static const struct word strategies[] = {
    { "bayesian", "Bayesian" }, { "random", "Random" }, { "hyperband", "Hyperband" },
    { "grid", "Grid" }, { NULL, NULL },
};

static const struct word early_stoppings[] = {
    { "off", "Off" }, { "auto", "Auto" }, { NULL, NULL },
};

static const struct word warm_start_types[] = {
    { "identicaldataandalgorithm", "IdenticalDataAndAlgorithm" },
    { "identical", "IdenticalDataAndAlgorithm" },
    { "transferlearning", "TransferLearning" }, { "transfer", "TransferLearning" },
    { NULL, NULL },
};

/* A number as str() of the Python value the user wrote: an integer keeps its digits, anything
 * else is a float (repr). -1 when s is not a number. */
static int sdk_number(const char *s, size_t n, char *out, size_t size)
{
    char buf[64], *end;
    size_t i = 0;
    double d;

    if (n == 0 || n >= sizeof(buf))
        return -1;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (buf[0] == '+' || buf[0] == '-')
        i = 1;
    if (buf[i] != '\0' && strspn(buf + i, "0123456789") == n - i) {
        /* Python's int(): no leading zeros kept, no plus sign */
        const char *digits = buf + i;

        while (digits[0] == '0' && digits[1] != '\0')
            digits++;
        snprintf(out, size, "%s%s", buf[0] == '-' && strcmp(digits, "0") != 0 ? "-" : "",
                 digits);
        return 0;
    }
    errno = 0;
    d = strtod(buf, &end);
    if (end == buf || *end != '\0' || errno == ERANGE || d != d)
        return -1;
    estimator_py_float(d, out, size);
    return 0;
}

static struct tuning_range *range_slot(struct tuning_spec *s, const char *name, size_t n)
{
    for (size_t i = 0; i < s->n_ranges; i++)
        if (strlen(s->ranges[i].name) == n && strncmp(s->ranges[i].name, name, n) == 0)
            return &s->ranges[i];
    if (s->n_ranges == TUNING_RANGES_MAX)
        return NULL;
    return &s->ranges[s->n_ranges++];
}

static int parse_values(struct tuning_range *r, const char *v, const char *spec, struct err *e)
{
    r->n_values = 0;
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");

        if (n == 0 || n >= sizeof(r->values[0]))
            return err_set(e, ERR_INVAL, "tune %s: every categorical value has 1 to %zu "
                           "characters", spec, sizeof(r->values[0]) - 1);
        if (r->n_values == TUNING_VALUES_MAX)
            return err_set(e, ERR_INVAL, "tune %s: at most %d categorical values", spec,
                           TUNING_VALUES_MAX);
        snprintf(r->values[r->n_values++], sizeof(r->values[0]), "%.*s", (int)n, p);
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

/* "MIN:MAX[:SCALING]" into r. */
static int parse_bounds(struct tuning_range *r, const char *v, const char *spec, struct err *e)
{
    size_t n1 = strcspn(v, ":");
    const char *v2 = v[n1] ? v + n1 + 1 : NULL;
    size_t n2 = v2 ? strcspn(v2, ":") : 0;
    const char *v3 = v2 && v2[n2] ? v2 + n2 + 1 : NULL;
    const char *scaling = v3 ? lookup(scalings, v3, strlen(v3)) : "Auto";

    if (v2 == NULL)
        return err_set(e, ERR_INVAL, "tune %s: expected MIN:MAX[:SCALING]", spec);
    if (sdk_number(v, n1, r->min, sizeof(r->min)) != 0)
        return err_set(e, ERR_INVAL, "tune %s: '%.*s' is not a number", spec, (int)n1, v);
    if (sdk_number(v2, n2, r->max, sizeof(r->max)) != 0)
        return err_set(e, ERR_INVAL, "tune %s: '%.*s' is not a number", spec, (int)n2, v2);
    if (scaling == NULL)
        return err_set(e, ERR_INVAL, "tune %s: scaling '%s': expected auto, linear, log or "
                       "reverselog", spec, v3);
    snprintf(r->scaling, sizeof(r->scaling), "%s", scaling);
    return 0;
}

/* "hp.NAME=[KIND:]..." */
static int set_range(struct tuning_spec *s, const char *spec, struct err *e)
{
    const char *name = strncmp(spec, "hp.", 3) == 0 ? spec + 3 : spec;
    const char *eq = strchr(name, '=');
    const char *v, *colon, *kind = "c";
    struct tuning_range r, *slot;
    int rc;

    if (eq == NULL || eq == name || (size_t)(eq - name) >= sizeof(r.name))
        return err_set(e, ERR_INVAL, "tune %s: expected hp.NAME=MIN:MAX[:SCALING], "
                       "hp.NAME=int:MIN:MAX[:SCALING] or hp.NAME=cat:A,B,...", spec);
    memset(&r, 0, sizeof(r));
    snprintf(r.name, sizeof(r.name), "%.*s", (int)(eq - name), name);
    v = eq + 1;
    colon = strchr(v, ':');
    if (colon && lookup(kinds, v, (size_t)(colon - v))) {
        kind = lookup(kinds, v, (size_t)(colon - v));
        v = colon + 1;
    } else if (colon == NULL) {
        return err_set(e, ERR_INVAL, "tune %s: expected MIN:MAX, int:MIN:MAX or cat:A,B,...",
                       spec);
    }
    r.kind = kind[0] == 'c' ? TUNING_CONTINUOUS : kind[0] == 'i' ? TUNING_INTEGER
                                                                 : TUNING_CATEGORICAL;
    rc = r.kind == TUNING_CATEGORICAL ? parse_values(&r, v, spec, e)
                                      : parse_bounds(&r, v, spec, e);
    if (rc != 0)
        return rc;
    if ((slot = range_slot(s, r.name, strlen(r.name))) == NULL)
        return err_set(e, ERR_INVAL, "tune %s: at most %d hyperparameters are tuned", spec,
                       TUNING_RANGES_MAX);
    *slot = r;
    return 0;
}

static int set_objective(struct tuning_spec *s, const char *v, struct err *e)
{
    const char *colon = strrchr(v, ':');
    const char *type = colon ? lookup(objective_types, colon + 1, strlen(colon + 1)) : NULL;
    size_t n = type ? (size_t)(colon - v) : strlen(v);

    if (n == 0 || n >= sizeof(s->objective))
        return err_set(e, ERR_INVAL, "objective: expected METRIC[:min|:max] (a metric name of "
                       "1 to %zu characters)", sizeof(s->objective) - 1);
    snprintf(s->objective, sizeof(s->objective), "%.*s", (int)n, v);
    if (type)
        snprintf(s->objective_type, sizeof(s->objective_type), "%s", type);
    return 0;
}

static int set_word(char *out, size_t size, const struct word *w, const char *key,
                    const char *v, const char *choices, struct err *e)
{
    const char *c = lookup(w, v, strlen(v));

    if (c == NULL)
        return err_set(e, ERR_INVAL, "%s: '%s': expected %s", key, v, choices);
    snprintf(out, size, "%s", c);
    return 0;
}

static int set_count(long *out, const char *key, const char *v, struct err *e)
{
    long n;

    if (estimator_parse_long(v, &n) != 0 || v[0] == '\0' || n < 1)
        return err_set(e, ERR_INVAL, "%s: '%s' is not a whole number of at least 1", key, v);
    *out = n;
    return 0;
}

static int add_parents(struct tuning_spec *s, const char *v, struct err *e)
{
    for (const char *p = v;;) {
        size_t n = strcspn(p, ",");

        if (n == 0 || n > TUNING_NAME_MAX)
            return err_set(e, ERR_INVAL, "warm_start: a parent tuning job name has 1 to %d "
                           "characters", TUNING_NAME_MAX);
        if (s->n_parents == TUNING_PARENTS_MAX)
            return err_set(e, ERR_INVAL, "warm_start: at most %d parent tuning jobs",
                           TUNING_PARENTS_MAX);
        snprintf(s->parents[s->n_parents++], sizeof(s->parents[0]), "%.*s", (int)n, p);
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

int tuning_spec_set(struct tuning_spec *s, const char *key, const char *value, struct err *e)
{
    if (strcmp(key, "tune") == 0)
        return set_range(s, value, e);
    if (strcmp(key, "objective") == 0)
        return set_objective(s, value, e);
    if (strcmp(key, "objective_type") == 0)
        return set_word(s->objective_type, sizeof(s->objective_type), objective_types, key,
                        value, "Minimize or Maximize", e);
    if (strcmp(key, "strategy") == 0)
        return set_word(s->strategy, sizeof(s->strategy), strategies, key, value,
                        "Bayesian, Random, Hyperband or Grid", e);
    if (strcmp(key, "max_jobs") == 0)
        return set_count(&s->max_jobs, key, value, e);
    if (strcmp(key, "parallel") == 0)
        return set_count(&s->max_parallel, key, value, e);
    if (strcmp(key, "early_stopping") == 0)
        return set_word(s->early_stopping, sizeof(s->early_stopping), early_stoppings, key,
                        value, "Off or Auto", e);
    if (strcmp(key, "warm_start") == 0)
        return add_parents(s, value, e);
    if (strcmp(key, "warm_start_type") == 0)
        return set_word(s->warm_start_type, sizeof(s->warm_start_type), warm_start_types, key,
                        value, "IdenticalDataAndAlgorithm or TransferLearning", e);
    return err_set(e, ERR_INVAL, "%s: unknown; known: tune, objective, objective_type, "
                   "strategy, max_jobs, parallel, early_stopping, warm_start, warm_start_type",
                   key);
}

int tuning_spec_set_field(struct tuning_spec *s, const char *key, const char *value,
                          struct estimator_issues *is)
{
    struct err e = { 0 };
    char field[48];
    int rc;

    if (value == NULL || value[0] == '\0' || strcmp(key, "name") == 0)
        return 0;
    if (strncmp(key, "hp.", 3) == 0) {
        char *spec = malloc(strlen(key) + strlen(value) + 2);

        if (spec == NULL) {
            estimator_issue_add(is, key, "out of memory");
            return ERR_NOMEM;
        }
        sprintf(spec, "%s=%s", key, value);
        rc = tuning_spec_set(s, "tune", spec, &e);
        free(spec);
        snprintf(field, sizeof(field), "tune.%.40s", key + 3);
    } else {
        rc = tuning_spec_set(s, key, value, &e);
        snprintf(field, sizeof(field), "%s", key);
    }
    if (rc != 0)
        estimator_issue_add(is, field, "%s", e.msg);
    return rc;
}
