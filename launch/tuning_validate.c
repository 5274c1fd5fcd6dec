/* tuning_validate.c: every check AWS makes on a CreateHyperParameterTuningJob request, one
 * issue per field, in words a user can act on: the shapes and limits of botocore's model
 * (sagemaker 2017-07-24, botocore 1.43.11) and the service's own rules on ranges, limits,
 * strategies and the objective (the "Define Hyperparameter Ranges" and "Tuning limits" pages
 * of the developer guide).
 *
 * Owns: the issue field names of a tuning launch ("name", "strategy", "objective", "max_jobs",
 * "parallel", "tune.NAME", "warm_start", "static.KEY"). Must not: change a request, do I/O or
 * print. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/tuning.h"

/* [a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}: letters, digits and hyphens, no hyphen at either end. */
static bool name_ok(const char *n)
{
    size_t len = strlen(n);

    if (len == 0 || len > TUNING_NAME_MAX || !isalnum((unsigned char)n[0]) ||
        !isalnum((unsigned char)n[len - 1]))
        return false;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)n[i]) && n[i] != '-')
            return false;
    return true;
}

static void check_name(struct estimator_issues *is, const char *field, const char *n)
{
    if (n == NULL)
        estimator_issue_add(is, field, "a tuning job name is required");
    else if (!name_ok(n))
        estimator_issue_add(is, field, "'%s': 1 to %d letters, digits and hyphens, starting "
                            "and ending with a letter or digit", n, TUNING_NAME_MAX);
}

static bool one_of(const char *s, const char *const *set)
{
    for (; s && *set; set++)
        if (strcmp(s, *set) == 0)
            return true;
    return false;
}

/* ---- Ranges --------------------------------------------------------------------------------- */

static bool number(const char *s, double *out)
{
    char *end;

    if (s == NULL || s[0] == '\0')
        return false;
    errno = 0;
    *out = strtod(s, &end);
    return *end == '\0' && errno != ERANGE && *out == *out;
}

static bool integer_text(const char *s)
{
    size_t i = s && (s[0] == '-' || s[0] == '+') ? 1 : 0;

    return s && s[i] && strspn(s + i, "0123456789") == strlen(s + i);
}

/* MinValue/MaxValue/ScalingType of a continuous or integer range. */
static void check_bounds(struct estimator_issues *is, const char *field, const json_t *r,
                         bool integer)
{
    static const char *const scalings[] = { "Auto", "Linear", "Logarithmic",
                                            "ReverseLogarithmic", NULL };
    const char *lo_s = json_string_value(json_object_get(r, "MinValue"));
    const char *hi_s = json_string_value(json_object_get(r, "MaxValue"));
    const char *scaling = json_string_value(json_object_get(r, "ScalingType"));
    double lo, hi;

    if (!number(lo_s, &lo) || !number(hi_s, &hi)) {
        estimator_issue_add(is, field, "MinValue '%s' and MaxValue '%s' must be numbers",
                            lo_s ? lo_s : "", hi_s ? hi_s : "");
        return;
    }
    if (integer && (!integer_text(lo_s) || !integer_text(hi_s))) {
        estimator_issue_add(is, field, "an integer range needs whole numbers (%s:%s)", lo_s, hi_s);
        return;
    }
    if (lo >= hi) {
        estimator_issue_add(is, field, "MinValue %s must be less than MaxValue %s", lo_s, hi_s);
        return;
    }
    if (scaling && !one_of(scaling, scalings))
        estimator_issue_add(is, field, "ScalingType '%s': expected Auto, Linear, Logarithmic or "
                            "ReverseLogarithmic", scaling);
    else if (scaling && strcmp(scaling, "Logarithmic") == 0 && lo <= 0)
        estimator_issue_add(is, field, "logarithmic scaling needs MinValue > 0 (got %s)", lo_s);
    else if (scaling && strcmp(scaling, "ReverseLogarithmic") == 0 && integer)
        estimator_issue_add(is, field, "reverse logarithmic scaling is for continuous ranges "
                            "only");
    else if (scaling && strcmp(scaling, "ReverseLogarithmic") == 0 && (lo < 0 || hi >= 1))
        estimator_issue_add(is, field, "reverse logarithmic scaling needs 0 <= MinValue < "
                            "MaxValue < 1 (got %s:%s)", lo_s, hi_s);
}

static void check_values(struct estimator_issues *is, const char *field, const json_t *r)
{
    const json_t *vals = json_object_get(r, "Values");
    size_t i, n = json_array_size(vals);
    const json_t *v;

    if (n < 1 || n > TUNING_VALUES_MAX)
        estimator_issue_add(is, field, "%zu categorical values; 1 to %d are allowed", n,
                            TUNING_VALUES_MAX);
    json_array_foreach(vals, i, v) {
        if (!json_is_string(v) || json_string_length(v) > 256) {
            estimator_issue_add(is, field, "value %zu: a string of at most 256 characters",
                                i + 1);
            return;
        }
    }
}

/* Each range: kind-specific checks; names unique across the kinds. Returns how many ranges
 * there are, and via *categorical_only whether every one is categorical. */
static size_t check_ranges(struct estimator_issues *is, const json_t *pr, bool *categorical_only)
{
    static const char *const keys[] = { "ContinuousParameterRanges", "IntegerParameterRanges",
                                        "CategoricalParameterRanges" };
    const char *seen[3 * TUNING_RANGES_MAX + 3];
    size_t n_seen = 0, total = 0;

    *categorical_only = true;
    for (size_t k = 0; k < 3; k++) {
        const json_t *list = json_object_get(pr, keys[k]), *r;
        size_t i;

        json_array_foreach(list, i, r) {
            const char *name = json_string_value(json_object_get(r, "Name"));
            char field[48];

            total++;
            if (k < 2)
                *categorical_only = false;
            snprintf(field, sizeof(field), "tune.%.40s", name ? name : "?");
            if (name == NULL || name[0] == '\0' || strlen(name) > 256) {
                estimator_issue_add(is, "tune", "a range needs a name of 1 to 256 characters");
                continue;
            }
            for (size_t j = 0; j < n_seen; j++)
                if (strcmp(seen[j], name) == 0)
                    estimator_issue_add(is, field, "tuned twice: one range per hyperparameter");
            if (n_seen < sizeof(seen) / sizeof(seen[0]))
                seen[n_seen++] = name;
            if (k < 2)
                check_bounds(is, field, r, k == 1);
            else
                check_values(is, field, r);
        }
    }
    if (total > TUNING_RANGES_MAX)
        estimator_issue_add(is, "tune", "%zu hyperparameters tuned; at most %d", total,
                            TUNING_RANGES_MAX);
    return total;
}

/* ---- The configuration ---------------------------------------------------------------------- */

static void check_limits(struct estimator_issues *is, const json_t *limits, bool grid)
{
    const json_t *max = json_object_get(limits, "MaxNumberOfTrainingJobs");
    const json_t *par = json_object_get(limits, "MaxParallelTrainingJobs");
    const json_t *run = json_object_get(limits, "MaxRuntimeInSeconds");

    if (max == NULL && !grid)
        estimator_issue_add(is, "max_jobs", "the number of training jobs is required (only "
                            "the Grid strategy works it out)");
    else if (max && (!json_is_integer(max) || json_integer_value(max) < 1))
        estimator_issue_add(is, "max_jobs", "at least 1 training job");
    if (!json_is_integer(par) || json_integer_value(par) < 1)
        estimator_issue_add(is, "parallel", "at least 1 parallel training job");
    else if (json_is_integer(max) && json_integer_value(par) > json_integer_value(max))
        estimator_issue_add(is, "parallel", "%lld parallel jobs is more than the %lld training "
                            "jobs in all", (long long)json_integer_value(par),
                            (long long)json_integer_value(max));
    if (run && (!json_is_integer(run) || json_integer_value(run) < 120 ||
                json_integer_value(run) > 15768000))
        estimator_issue_add(is, "max_runtime", "120 to 15768000 seconds");
}

/* The objective's metric must be one the algorithm reports: for an image of one's own, one of
 * its metric definitions. */
static void check_objective(struct estimator_issues *is, const json_t *obj, const json_t *def)
{
    static const char *const types[] = { "Minimize", "Maximize", NULL };
    const char *type = json_string_value(json_object_get(obj, "Type"));
    const char *metric = json_string_value(json_object_get(obj, "MetricName"));
    const json_t *algo = json_object_get(def, "AlgorithmSpecification");
    const json_t *defs = json_object_get(algo, "MetricDefinitions"), *d;
    char names[512] = "";
    size_t i;

    if (!one_of(type, types))
        estimator_issue_add(is, "objective", "type '%s': expected Minimize or Maximize",
                            type ? type : "");
    if (metric == NULL || metric[0] == '\0' || strlen(metric) > 255) {
        estimator_issue_add(is, "objective", "an objective metric name (1 to 255 characters) "
                            "is required: --objective METRIC:min|max");
        return;
    }
    if (json_object_get(algo, "AlgorithmName") != NULL)
        return;     /* a marketplace algorithm declares its own metrics */
    json_array_foreach(defs, i, d) {
        const char *n = json_string_value(json_object_get(d, "Name"));

        if (n && strcmp(n, metric) == 0)
            return;
        snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s", i ? ", " : "",
                 n ? n : "?");
    }
    estimator_issue_add(is, "objective", "'%s' is not among the metric definitions of the "
                        "training job definition (%s); add it with --set metric.%s=REGEX",
                        metric, names[0] ? names : "none", metric);
}

static void check_config(struct estimator_issues *is, const json_t *c, const json_t *def)
{
    static const char *const strategies[] = { "Bayesian", "Random", "Hyperband", "Grid", NULL };
    static const char *const stops[] = { "Off", "Auto", NULL };
    const char *strategy = json_string_value(json_object_get(c, "Strategy"));
    const char *early = json_string_value(json_object_get(c, "TrainingJobEarlyStoppingType"));
    bool grid = strategy && strcmp(strategy, "Grid") == 0, categorical_only;
    size_t n;

    if (!one_of(strategy, strategies))
        estimator_issue_add(is, "strategy", "'%s': expected Bayesian, Random, Hyperband or Grid",
                            strategy ? strategy : "");
    if (early && !one_of(early, stops))
        estimator_issue_add(is, "early_stopping", "'%s': expected Off or Auto", early);
    else if (early && strcmp(early, "Auto") == 0 && strategy && strcmp(strategy, "Hyperband") == 0)
        estimator_issue_add(is, "early_stopping", "Hyperband stops trials itself: early "
                            "stopping must be Off");
    check_limits(is, json_object_get(c, "ResourceLimits"), grid);
    check_objective(is, json_object_get(c, "HyperParameterTuningJobObjective"), def);
    n = check_ranges(is, json_object_get(c, "ParameterRanges"), &categorical_only);
    if (n == 0)
        estimator_issue_add(is, "tune", "no hyperparameter to tune: --tune hp.NAME=...");
    else if (grid && !categorical_only)
        estimator_issue_add(is, "strategy", "Grid search takes categorical ranges only");
}

/* ---- The rest ------------------------------------------------------------------------------- */

static void check_static(struct estimator_issues *is, const json_t *def, const json_t *pr)
{
    static const char *const keys[] = { "ContinuousParameterRanges", "IntegerParameterRanges",
                                        "CategoricalParameterRanges" };
    const json_t *hps = json_object_get(def, "StaticHyperParameters");
    const char *k;
    const json_t *v;

    if (json_object_size(hps) > 100)
        estimator_issue_add(is, "static", "%zu static hyperparameters; at most 100",
                            json_object_size(hps));
    json_object_foreach((json_t *)hps, k, v) {
        char field[48];

        snprintf(field, sizeof(field), "static.%.40s", k);
        if (strlen(k) > 256 || !json_is_string(v) || json_string_length(v) > 2500)
            estimator_issue_add(is, field, "a key of at most 256 characters and a value of at "
                                "most 2500");
        for (size_t t = 0; t < 3; t++) {
            const json_t *r;
            size_t i;

            json_array_foreach(json_object_get(pr, keys[t]), i, r) {
                const char *n = json_string_value(json_object_get(r, "Name"));

                if (n && strcmp(n, k) == 0)
                    estimator_issue_add(is, field, "is both static and tuned");
            }
        }
    }
}

static void check_warm_start(struct estimator_issues *is, const json_t *ws)
{
    static const char *const types[] = { "IdenticalDataAndAlgorithm", "TransferLearning",
                                         NULL };
    const json_t *parents = json_object_get(ws, "ParentHyperParameterTuningJobs"), *p;
    const char *type = json_string_value(json_object_get(ws, "WarmStartType"));
    size_t i, n = json_array_size(parents);

    if (ws == NULL)
        return;
    if (!one_of(type, types))
        estimator_issue_add(is, "warm_start_type", "'%s': expected IdenticalDataAndAlgorithm or "
                            "TransferLearning", type ? type : "");
    if (n < 1 || n > TUNING_PARENTS_MAX)
        estimator_issue_add(is, "warm_start", "%zu parent tuning jobs; 1 to %d", n,
                            TUNING_PARENTS_MAX);
    json_array_foreach(parents, i, p)
        check_name(is, "warm_start",
                   json_string_value(json_object_get(p, "HyperParameterTuningJobName")));
}

void tuning_check_request(const json_t *req, struct estimator_issues *is)
{
    const json_t *c = json_object_get(req, "HyperParameterTuningJobConfig");
    const json_t *def = json_object_get(req, "TrainingJobDefinition");
    const json_t *algo = json_object_get(def, "AlgorithmSpecification");

    check_name(is, "name", json_string_value(json_object_get(req,
                                                             "HyperParameterTuningJobName")));
    if (!json_is_object(c)) {
        estimator_issue_add(is, "config", "HyperParameterTuningJobConfig is required");
        return;
    }
    check_config(is, c, def);
    if (!json_is_object(def)) {
        estimator_issue_add(is, "definition", "TrainingJobDefinition is required");
        return;
    }
    if (!json_is_string(json_object_get(def, "RoleArn")))
        estimator_issue_add(is, "role", "the training job definition needs a RoleArn");
    if (!json_is_string(json_object_get(algo, "TrainingImage")) &&
        !json_is_string(json_object_get(algo, "AlgorithmName")))
        estimator_issue_add(is, "image_uri", "the training job definition needs a TrainingImage");
    if (json_array_size(json_object_get(algo, "MetricDefinitions")) > 40)
        estimator_issue_add(is, "metric", "at most 40 metric definitions");
    check_static(is, def, json_object_get(c, "ParameterRanges"));
    check_warm_start(is, json_object_get(req, "WarmStartConfig"));
    if (json_array_size(json_object_get(req, "Tags")) > 50)
        estimator_issue_add(is, "tag", "at most 50 tags");
}
