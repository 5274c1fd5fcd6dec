/* estimator.c: the Hugging Face estimator and the CreateTrainingJob request the SageMaker Python
 * SDK would send for it (HuggingFace.__init__, Framework._prepare_for_training and
 * _script_mode_hyperparam_update, _json_encode_hyperparameters, _distribution_configuration,
 * Session._get_train_request; AWS_NOTES §4). Also the re-launch of a described job and the
 * checks AWS makes on a request, one message per field.
 *
 * Owns: the field table (one place that names every field for --set, spec files and the form),
 * Python-compatible JSON encoding, request building, checking, diffing. Must not: do I/O, read
 * the clock, print. Regexes are compiled with PCRE2 directly (metrics/ is a sibling module). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "aws/estimator.h"

/* ---- Lists ---------------------------------------------------------------------------------- */

static void kvs_clean(struct estimator_kvs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Sets key to value (keeps the position of an existing key); value NULL or "" removes. */
static int kvs_set(struct estimator_kvs *l, const char *key, const char *value)
{
    for (size_t i = 0; i < l->n; i++) {
        if (strcmp(l->v[i].key, key) != 0)
            continue;
        if (value == NULL || value[0] == '\0') {
            free(l->v[i].key);
            free(l->v[i].value);
            memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
            l->n--;
            return 0;
        }
        char *v = strdup(value);

        if (v == NULL)
            return ERR_NOMEM;
        free(l->v[i].value);
        l->v[i].value = v;
        return 0;
    }
    if (value == NULL || value[0] == '\0')
        return 0;
    struct estimator_kv *nv = realloc(l->v, (l->n + 1) * sizeof(*nv));

    if (nv == NULL)
        return ERR_NOMEM;
    l->v = nv;
    nv[l->n].key = strdup(key);
    nv[l->n].value = strdup(value);
    if (nv[l->n].key == NULL || nv[l->n].value == NULL) {
        free(nv[l->n].key);
        free(nv[l->n].value);
        return ERR_NOMEM;
    }
    l->n++;
    return 0;
}

static const char *kvs_get(const struct estimator_kvs *l, const char *key)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].key, key) == 0)
            return l->v[i].value;
    return NULL;
}

/* ---- The field table ------------------------------------------------------------------------ */

enum field_type { F_STR, F_LONG, F_BOOL };

struct field_def {
    const char *key;
    enum field_type type;
    size_t offset;
};

#define FSTR(k, m) { k, F_STR, offsetof(struct estimator, m) }
#define FLONG(k, m) { k, F_LONG, offsetof(struct estimator, m) }

static const struct field_def field_defs[] = {
    FSTR("name", name),
    FSTR("base_job_name", base_job_name),
    FSTR("entry_point", entry_point),
    FSTR("source_dir", source_dir),
    FSTR("git_repo", git_repo),
    FSTR("git_branch", git_branch),
    FSTR("git_commit", git_commit),
    FSTR("submit_directory", submit_directory),
    FSTR("code_bucket", code_bucket),
    FSTR("transformers_version", transformers_version),
    FSTR("pytorch_version", pytorch_version),
    FSTR("tensorflow_version", tensorflow_version),
    FSTR("py_version", py_version),
    FSTR("image_uri", image_uri),
    FSTR("instance_type", instance_type),
    FLONG("instance_count", instance_count),
    FLONG("volume_size", volume_size_gb),
    FSTR("role", role),
    FSTR("output_path", output_path),
    FLONG("max_run", max_run_s),
    { "spot", F_BOOL, offsetof(struct estimator, spot) },
    FLONG("max_wait", max_wait_s),
    FSTR("checkpoint_s3_uri", checkpoint_s3_uri),
    FSTR("checkpoint_local_path", checkpoint_local_path),
    FSTR("distribution", distribution),
    FLONG("processes_per_host", processes_per_host),
    FSTR("custom_mpi_options", custom_mpi_options),
    FSTR("mp_parameters", mp_parameters),
    FLONG("container_log_level", container_log_level),
};
#define N_FIELD_DEFS (sizeof(field_defs) / sizeof(field_defs[0]))

const struct estimator_field estimator_fields[] = {
    { "name", "Job", "TrainingJobName (empty: <base>-<timestamp>, like the SDK)" },
    { "base_job_name", "Job", "prefix of the generated name (empty: the image's repository)" },
    { "entry_point", "Source", "the script the container runs, e.g. train.py" },
    { "source_dir", "Source", "local directory packed into sourcedir.tar.gz (or a path in git)" },
    { "git_repo", "Source", "git repository cloned first (then source_dir is inside it)" },
    { "git_branch", "Source", "git branch" },
    { "git_commit", "Source", "git commit" },
    { "submit_directory", "Source", "s3://.../sourcedir.tar.gz already uploaded (no upload)" },
    { "code_bucket", "Source", "bucket for the source (empty: sagemaker-<region>-<account>)" },
    { "transformers_version", "Framework", "e.g. 4.26 or 4.26.0" },
    { "pytorch_version", "Framework", "e.g. 1.13 or 1.13.1 (or tensorflow_version)" },
    { "tensorflow_version", "Framework", "e.g. 2.4.1 (or pytorch_version)" },
    { "py_version", "Framework", "e.g. py39" },
    { "image_uri", "Framework", "explicit training image (skips the version table)" },
    { "instance_type", "Resources", "e.g. ml.p3.2xlarge" },
    { "instance_count", "Resources", "number of instances (default 1)" },
    { "volume_size", "Resources", "EBS volume in GB (default 30)" },
    { "role", "Resources", "IAM role ARN SageMaker assumes" },
    { "output_path", "Resources", "s3:// prefix for model artifacts (default: the default bucket)" },
    { "max_run", "Stopping and spot", "MaxRuntimeInSeconds (default 86400)" },
    { "spot", "Stopping and spot", "managed spot training (true/false)" },
    { "max_wait", "Stopping and spot", "MaxWaitTimeInSeconds, >= max_run (spot only)" },
    { "checkpoint_s3_uri", "Stopping and spot", "s3:// prefix for checkpoints" },
    { "checkpoint_local_path", "Stopping and spot", "checkpoint directory in the container" },
    { "distribution", "Distribution",
      "none, smdistributed_dataparallel, smdistributed_modelparallel, pytorchddp, "
      "torch_distributed" },
    { "processes_per_host", "Distribution", "model parallel: MPI processes per host" },
    { "custom_mpi_options", "Distribution", "extra mpirun options" },
    { "mp_parameters", "Distribution", "model parallel parameters, a JSON object" },
    { "container_log_level", "Advanced", "sagemaker_container_log_level (default 20)" },
};
const size_t estimator_n_fields = sizeof(estimator_fields) / sizeof(estimator_fields[0]);

static const struct field_def *field_find(const char *key)
{
    if (strcmp(key, "use_spot_instances") == 0)
        key = "spot";
    else if (strcmp(key, "job_name") == 0)
        key = "name";
    else if (strcmp(key, "volume_size_gb") == 0)
        key = "volume_size";
    for (size_t i = 0; i < N_FIELD_DEFS; i++)
        if (strcmp(field_defs[i].key, key) == 0)
            return &field_defs[i];
    return NULL;
}

void estimator_init(struct estimator *est)
{
    memset(est, 0, sizeof(*est));
}

void estimator_clean(struct estimator *est)
{
    for (size_t i = 0; i < N_FIELD_DEFS; i++)
        if (field_defs[i].type == F_STR)
            free(*(char **)((char *)est + field_defs[i].offset));
    kvs_clean(&est->hyperparameters);
    kvs_clean(&est->inputs);
    kvs_clean(&est->environment);
    kvs_clean(&est->tags);
    kvs_clean(&est->metric_definitions);
    memset(est, 0, sizeof(*est));
}

static int parse_bool(const char *s, bool *out)
{
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "yes") == 0 ||
        strcmp(s, "1") == 0 || strcmp(s, "on") == 0)
        *out = true;
    else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "no") == 0 ||
             strcmp(s, "0") == 0 || strcmp(s, "off") == 0 || s[0] == '\0')
        *out = false;
    else
        return ERR_INVAL;
    return 0;
}

static int parse_long(const char *s, long *out)
{
    char *end;
    long v;

    if (s[0] == '\0') {
        *out = 0;
        return 0;
    }
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || end == s)
        return ERR_INVAL;
    *out = v;
    return 0;
}

static struct estimator_kvs *list_for(struct estimator *est, const char *key, const char **sub)
{
    static const struct {
        const char *prefix;
        size_t offset;
    } lists[] = {
        { "hp.", offsetof(struct estimator, hyperparameters) },
        { "input.", offsetof(struct estimator, inputs) },
        { "channel.", offsetof(struct estimator, inputs) },
        { "env.", offsetof(struct estimator, environment) },
        { "tag.", offsetof(struct estimator, tags) },
        { "metric.", offsetof(struct estimator, metric_definitions) },
    };
    for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
        size_t n = strlen(lists[i].prefix);

        if (strncmp(key, lists[i].prefix, n) == 0) {
            *sub = key + n;
            return (struct estimator_kvs *)((char *)est + lists[i].offset);
        }
    }
    return NULL;
}

int estimator_set(struct estimator *est, const char *key, const char *value, struct err *e)
{
    const struct field_def *f = field_find(key);
    const char *sub;
    struct estimator_kvs *l;

    if (f == NULL) {
        l = list_for(est, key, &sub);
        if (l == NULL)
            return err_set(e, ERR_INVAL, "%s: unknown field; fields: name, entry_point, "
                           "source_dir, git_repo, transformers_version, pytorch_version, "
                           "py_version, instance_type, instance_count, role, max_run, spot, "
                           "max_wait, distribution, ... and hp.KEY, input.NAME, env.KEY, "
                           "tag.KEY, metric.NAME", key);
        if (sub[0] == '\0')
            return err_set(e, ERR_INVAL, "%s: a name is needed after the dot", key);
        if (kvs_set(l, sub, value) != 0)
            return err_set(e, ERR_NOMEM, "out of memory");
        return 0;
    }
    void *p = (char *)est + f->offset;

    switch (f->type) {
    case F_STR: {
        char *v = value[0] ? strdup(value) : NULL;

        if (value[0] && v == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        free(*(char **)p);
        *(char **)p = v;
        return 0;
    }
    case F_LONG:
    {
        long v;

        if (parse_long(value, &v) != 0)
            return err_set(e, ERR_INVAL, "%s: '%s' is not a whole number", f->key, value);
        /* 0 is "unset" (the default applies), so an explicit 0 or less is refused here */
        if (value[0] != '\0' && v < 1)
            return err_set(e, ERR_INVAL, "%s: must be 1 or more", f->key);
        *(long *)p = v;
        return 0;
    }
    case F_BOOL:
        if (parse_bool(value, (bool *)p) != 0)
            return err_set(e, ERR_INVAL, "%s: '%s' is not true or false", f->key, value);
        return 0;
    }
    return 0;
}

void estimator_get(const struct estimator *est, const char *key, char *buf, size_t size)
{
    const struct field_def *f = field_find(key);
    const char *sub;

    buf[0] = '\0';
    if (f == NULL) {
        struct estimator_kvs *l = list_for((struct estimator *)est, key, &sub);
        const char *v = l ? kvs_get(l, sub) : NULL;

        snprintf(buf, size, "%s", v ? v : "");
        return;
    }
    const void *p = (const char *)est + f->offset;

    switch (f->type) {
    case F_STR:
        snprintf(buf, size, "%s", *(char *const *)p ? *(char *const *)p : "");
        break;
    case F_LONG:
        if (*(const long *)p != 0)
            snprintf(buf, size, "%ld", *(const long *)p);
        break;
    case F_BOOL:
        snprintf(buf, size, "%s", *(const bool *)p ? "true" : "false");
        break;
    }
}

/* ---- Spec files ----------------------------------------------------------------------------- */

/* Scalar JSON as the text estimator_set() takes; JSON text for hyperparameter values. */
static char *value_text(const json_t *v, bool as_json)
{
    if (!as_json && json_is_string(v))
        return strdup(json_string_value(v));
    if (!as_json && json_is_true(v))
        return strdup("true");
    if (!as_json && json_is_false(v))
        return strdup("false");
    return json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
}

static int spec_list(struct estimator *est, const char *prefix, const json_t *obj, bool as_json,
                     struct err *e)
{
    const char *k;
    json_t *v;
    char key[320];

    if (json_is_array(obj) && strcmp(prefix, "metric.") == 0) {
        size_t i;

        json_array_foreach(obj, i, v) {
            const char *n = json_string_value(json_object_get(v, "Name"));
            const char *r = json_string_value(json_object_get(v, "Regex"));

            if (n == NULL || r == NULL)
                return err_set(e, ERR_INVAL, "metric_definitions[%zu]: needs \"Name\" and "
                               "\"Regex\" strings", i);
            snprintf(key, sizeof(key), "metric.%s", n);
            if (estimator_set(est, key, r, e) != 0)
                return e ? e->code : ERR_INVAL;
        }
        return 0;
    }
    if (!json_is_object(obj))
        return err_set(e, ERR_INVAL, "%.*s: must be a JSON object", (int)strlen(prefix) - 1,
                       prefix);
    json_object_foreach((json_t *)obj, k, v) {
        char *t = value_text(v, as_json);
        int rc;

        if (t == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        snprintf(key, sizeof(key), "%s%s", prefix, k);
        /* an empty string hyperparameter is a value, not a removal */
        rc = estimator_set(est, key, t[0] ? t : "\"\"", e);
        free(t);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The SDK's distribution dict → our field values. */
static int spec_distribution(struct estimator *est, const json_t *d, struct err *e)
{
    const json_t *smd = json_object_get(d, "smdistributed");
    const json_t *mpi = json_object_get(d, "mpi");
    const char *kind = NULL;
    const json_t *opts = NULL;

    if (json_is_string(d))
        return estimator_set(est, "distribution", json_string_value(d), e);
    if (!json_is_object(d))
        return err_set(e, ERR_INVAL, "distribution: a name or the SDK's dict");
    if (smd && json_is_true(json_object_get(json_object_get(smd, "dataparallel"), "enabled"))) {
        kind = ESTIMATOR_DIST_SMDDP;
        opts = json_object_get(smd, "dataparallel");
    } else if (smd && json_object_get(smd, "modelparallel")) {
        const json_t *mp = json_object_get(smd, "modelparallel");
        const json_t *params = json_object_get(mp, "parameters");

        kind = ESTIMATOR_DIST_SMMP;
        if (params) {
            char *t = json_dumps(params, JSON_COMPACT);

            if (t == NULL || estimator_set(est, "mp_parameters", t, e) != 0) {
                free(t);
                return err_set(e, ERR_INVAL, "distribution: bad modelparallel parameters");
            }
            free(t);
        }
        opts = mpi;
        if (json_integer_value(json_object_get(mpi, "processes_per_host")) > 0)
            est->processes_per_host =
                (long)json_integer_value(json_object_get(mpi, "processes_per_host"));
    } else if (json_is_true(json_object_get(json_object_get(d, "pytorchddp"), "enabled"))) {
        kind = ESTIMATOR_DIST_PYTORCHDDP;
    } else if (json_is_true(json_object_get(json_object_get(d, "torch_distributed"),
                                            "enabled"))) {
        kind = ESTIMATOR_DIST_TORCH;
    } else if (json_object_size(d) == 0) {
        kind = ESTIMATOR_DIST_NONE;
    } else {
        return err_set(e, ERR_INVAL, "distribution: unsupported; use smdistributed dataparallel "
                       "or modelparallel (with mpi), pytorchddp or torch_distributed");
    }
    if (opts && json_is_string(json_object_get(opts, "custom_mpi_options")) &&
        estimator_set(est, "custom_mpi_options",
                      json_string_value(json_object_get(opts, "custom_mpi_options")), e) != 0)
        return e ? e->code : ERR_INVAL;
    return estimator_set(est, "distribution", kind, e);
}

int estimator_from_spec(struct estimator *est, const char *json, size_t len, struct err *e)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, 0, &je);
    const char *k;
    json_t *v;
    int rc = 0;

    if (root == NULL)
        return err_set(e, ERR_PARSE, "spec: %s at line %d, column %d", je.text, je.line,
                       je.column);
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(e, ERR_PARSE, "spec: must be a JSON object of estimator fields");
    }
    json_object_foreach(root, k, v) {
        if (strcmp(k, "hyperparameters") == 0)
            rc = spec_list(est, "hp.", v, true, e);
        else if (strcmp(k, "inputs") == 0 || strcmp(k, "channels") == 0)
            rc = spec_list(est, "input.", v, false, e);
        else if (strcmp(k, "environment") == 0)
            rc = spec_list(est, "env.", v, false, e);
        else if (strcmp(k, "tags") == 0)
            rc = spec_list(est, "tag.", v, false, e);
        else if (strcmp(k, "metric_definitions") == 0)
            rc = spec_list(est, "metric.", v, false, e);
        else if (strcmp(k, "distribution") == 0)
            rc = spec_distribution(est, v, e);
        else if (strcmp(k, "mp_parameters") == 0 && json_is_object(v)) {
            char *t = json_dumps(v, JSON_COMPACT);

            rc = t ? estimator_set(est, k, t, e) : err_set(e, ERR_NOMEM, "out of memory");
            free(t);
        } else if (json_is_object(v) || json_is_array(v)) {
            rc = err_set(e, ERR_INVAL, "spec: %s: expected a single value", k);
        } else if (json_is_null(v)) {
            rc = estimator_set(est, k, "", e);
        } else {
            char *t = value_text(v, false);

            rc = t ? estimator_set(est, k, t, e) : err_set(e, ERR_NOMEM, "out of memory");
            free(t);
        }
        if (rc != 0)
            break;
    }
    json_decref(root);
    return rc;
}

/* ---- Python-compatible JSON ----------------------------------------------------------------- */

struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
    if (b->oom)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        char *np;

        while (cap < b->len + n + 1)
            cap *= 2;
        np = realloc(b->p, cap);
        if (np == NULL) {
            b->oom = true;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

/* repr(float): the shortest digits that read back, fixed notation for 1e-4 <= |d| < 1e16. */
static void py_float(double d, char *out, size_t size)
{
    char tmp[40], digits[24];
    int prec, exp10, nd = 0;
    const char *p;
    size_t o = 0;

    if (isnan(d)) {
        snprintf(out, size, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, size, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (prec = 1; prec <= 17; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    p = tmp;
    if (*p == '-') {
        out[o++] = '-';
        p++;
    }
    for (; *p && *p != 'e'; p++)
        if (isdigit((unsigned char)*p))
            digits[nd++] = *p;
    digits[nd] = '\0';
    exp10 = atoi(p + 1);
    while (nd > 1 && digits[nd - 1] == '0')
        digits[--nd] = '\0';
    if (exp10 >= -4 && exp10 < 16) {
        if (exp10 >= 0) {
            for (int i = 0; i <= exp10; i++)
                out[o++] = i < nd ? digits[i] : '0';
            out[o++] = '.';
            if (nd > exp10 + 1)
                for (int i = exp10 + 1; i < nd; i++)
                    out[o++] = digits[i];
            else
                out[o++] = '0';
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -exp10 - 1; i++)
                out[o++] = '0';
            for (int i = 0; i < nd; i++)
                out[o++] = digits[i];
        }
        out[o] = '\0';
    } else {
        out[o++] = digits[0];
        if (nd > 1) {
            out[o++] = '.';
            for (int i = 1; i < nd; i++)
                out[o++] = digits[i];
        }
        snprintf(out + o, size - o, "e%c%02d", exp10 < 0 ? '-' : '+', abs(exp10));
    }
}

static void py_string(struct sbuf *b, const char *s, size_t len)
{
    char u[16];

    sb_putn(b, "\"", 1);
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp;
        size_t n;

        if (c < 0x80) {
            i++;
            switch (c) {
            case '"': sb_puts(b, "\\\""); break;
            case '\\': sb_puts(b, "\\\\"); break;
            case '\n': sb_puts(b, "\\n"); break;
            case '\r': sb_puts(b, "\\r"); break;
            case '\t': sb_puts(b, "\\t"); break;
            case '\b': sb_puts(b, "\\b"); break;
            case '\f': sb_puts(b, "\\f"); break;
            default:
                if (c < 0x20) {
                    snprintf(u, sizeof(u), "\\u%04x", c);
                    sb_puts(b, u);
                } else {
                    sb_putn(b, (const char *)&c, 1);
                }
            }
            continue;
        }
        /* jansson strings are valid UTF-8 */
        n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
        cp = c & (n == 4 ? 0x07 : n == 3 ? 0x0f : 0x1f);
        for (size_t k = 1; k < n && i + k < len; k++)
            cp = (cp << 6) | ((unsigned char)s[i + k] & 0x3f);
        i += n;
        if (cp >= 0x10000) {
            cp -= 0x10000;
            snprintf(u, sizeof(u), "\\u%04x\\u%04x", 0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
        } else {
            snprintf(u, sizeof(u), "\\u%04x", cp);
        }
        sb_puts(b, u);
    }
    sb_putn(b, "\"", 1);
}

static void py_value(struct sbuf *b, const json_t *v)
{
    char num[64];

    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        const char *k;
        json_t *x;
        bool first = true;

        sb_puts(b, "{");
        json_object_foreach((json_t *)v, k, x) {
            if (!first)
                sb_puts(b, ", ");
            first = false;
            py_string(b, k, strlen(k));
            sb_puts(b, ": ");
            py_value(b, x);
        }
        sb_puts(b, "}");
        break;
    }
    case JSON_ARRAY: {
        size_t i;
        json_t *x;

        sb_puts(b, "[");
        json_array_foreach(v, i, x) {
            if (i > 0)
                sb_puts(b, ", ");
            py_value(b, x);
        }
        sb_puts(b, "]");
        break;
    }
    case JSON_STRING:
        py_string(b, json_string_value(v), json_string_length(v));
        break;
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        sb_puts(b, num);
        break;
    case JSON_REAL:
        py_float(json_real_value(v), num, sizeof(num));
        sb_puts(b, num);
        break;
    case JSON_TRUE:
        sb_puts(b, "true");
        break;
    case JSON_FALSE:
        sb_puts(b, "false");
        break;
    case JSON_NULL:
        sb_puts(b, "null");
        break;
    }
}

char *estimator_py_json(const json_t *value)
{
    struct sbuf b = { 0 };

    py_value(&b, value);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

char *estimator_hp_encode(const char *text)
{
    json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
    char *out;

    if (v == NULL)
        v = json_string(text);
    if (v == NULL)
        return NULL;
    out = estimator_py_json(v);
    json_decref(v);
    return out;
}

/* ---- Names ---------------------------------------------------------------------------------- */

void estimator_base_from_image(const char *image, char *out, size_t size)
{
    /* ^(.+/)?([^:/]+)(:[^:]+)?$ -> group 2 */
    const char *slash = strrchr(image, '/');
    const char *start = slash ? slash + 1 : image;
    const char *colon = strchr(start, ':');
    size_t n = colon ? (size_t)(colon - start) : strlen(start);

    snprintf(out, size, "%.*s", (int)n, start);
}

/* sagemaker_timestamp(): "%Y-%m-%d-%H-%M-%S-" + the first three decimals of repr(time). */
static void sdk_timestamp(double now, char *out, size_t size)
{
    char rep[64], ms[4] = "0";
    time_t t = (time_t)floor(now);
    struct tm tm;
    const char *dot;

    py_float(now, rep, sizeof(rep));
    dot = strchr(rep, '.');
    if (dot != NULL)
        snprintf(ms, sizeof(ms), "%.3s", dot + 1);
    gmtime_r(&t, &tm);
    snprintf(out, size, "%04d-%02d-%02d-%02d-%02d-%02d-%s", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void estimator_default_name(const char *base, double now, char *out, size_t size)
{
    char ts[48];
    size_t keep;

    sdk_timestamp(now, ts, sizeof(ts));
    keep = strlen(ts) + 1 < 63 ? 63 - strlen(ts) - 1 : 0;
    snprintf(out, size, "%.*s-%s", (int)(strlen(base) < keep ? strlen(base) : keep), base, ts);
}

/* True when s ends with "-YYYY-MM-DD-HH-MM-SS-mmm" (1 to 3 digits of ms); n is its length. */
static bool ends_with_timestamp(const char *s, size_t *n)
{
    static const char shape[] = "-dddd-dd-dd-dd-dd-dd-";
    size_t len = strlen(s), ms = 0;

    while (ms < 3 && ms < len && isdigit((unsigned char)s[len - 1 - ms]))
        ms++;
    if (ms == 0 || len < ms + sizeof(shape) - 1)
        return false;
    const char *p = s + len - ms - (sizeof(shape) - 1);

    for (size_t i = 0; i < sizeof(shape) - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)p[i]) : p[i] != '-')
            return false;
    *n = ms + sizeof(shape) - 1;
    return true;
}

void estimator_relaunch_name(const char *source, double now, char *out, size_t size)
{
    char base[64];
    size_t cut;

    snprintf(base, sizeof(base), "%s", source);
    if (ends_with_timestamp(base, &cut))
        base[strlen(base) - cut] = '\0';
    estimator_default_name(base, now, out, size);
}

/* ---- Instance types ------------------------------------------------------------------------- */

/* botocore 1.43.11 sagemaker TrainingInstanceType. */
const char *const estimator_instance_types[] = {
    "ml.m4.xlarge", "ml.m4.2xlarge", "ml.m4.4xlarge", "ml.m4.10xlarge", "ml.m4.16xlarge",
    "ml.g4dn.xlarge", "ml.g4dn.2xlarge", "ml.g4dn.4xlarge", "ml.g4dn.8xlarge", "ml.g4dn.12xlarge",
    "ml.g4dn.16xlarge", "ml.m5.large", "ml.m5.xlarge", "ml.m5.2xlarge", "ml.m5.4xlarge",
    "ml.m5.12xlarge", "ml.m5.24xlarge", "ml.c4.xlarge", "ml.c4.2xlarge", "ml.c4.4xlarge",
    "ml.c4.8xlarge", "ml.p2.xlarge", "ml.p2.8xlarge", "ml.p2.16xlarge", "ml.p3.2xlarge",
    "ml.p3.8xlarge", "ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge",
    "ml.p5.48xlarge", "ml.p5e.48xlarge", "ml.p5en.48xlarge", "ml.c5.xlarge", "ml.c5.2xlarge",
    "ml.c5.4xlarge", "ml.c5.9xlarge", "ml.c5.18xlarge", "ml.c5n.xlarge", "ml.c5n.2xlarge",
    "ml.c5n.4xlarge", "ml.c5n.9xlarge", "ml.c5n.18xlarge", "ml.g5.xlarge", "ml.g5.2xlarge",
    "ml.g5.4xlarge", "ml.g5.8xlarge", "ml.g5.16xlarge", "ml.g5.12xlarge", "ml.g5.24xlarge",
    "ml.g5.48xlarge", "ml.g6.xlarge", "ml.g6.2xlarge", "ml.g6.4xlarge", "ml.g6.8xlarge",
    "ml.g6.16xlarge", "ml.g6.12xlarge", "ml.g6.24xlarge", "ml.g6.48xlarge", "ml.g6e.xlarge",
    "ml.g6e.2xlarge", "ml.g6e.4xlarge", "ml.g6e.8xlarge", "ml.g6e.16xlarge", "ml.g6e.12xlarge",
    "ml.g6e.24xlarge", "ml.g6e.48xlarge", "ml.trn1.2xlarge", "ml.trn1.32xlarge",
    "ml.trn1n.32xlarge", "ml.trn2.48xlarge", "ml.m6i.large", "ml.m6i.xlarge", "ml.m6i.2xlarge",
    "ml.m6i.4xlarge", "ml.m6i.8xlarge", "ml.m6i.12xlarge", "ml.m6i.16xlarge", "ml.m6i.24xlarge",
    "ml.m6i.32xlarge", "ml.c6i.xlarge", "ml.c6i.2xlarge", "ml.c6i.8xlarge", "ml.c6i.4xlarge",
    "ml.c6i.12xlarge", "ml.c6i.16xlarge", "ml.c6i.24xlarge", "ml.c6i.32xlarge", "ml.r5d.large",
    "ml.r5d.xlarge", "ml.r5d.2xlarge", "ml.r5d.4xlarge", "ml.r5d.8xlarge", "ml.r5d.12xlarge",
    "ml.r5d.16xlarge", "ml.r5d.24xlarge", "ml.t3.medium", "ml.t3.large", "ml.t3.xlarge",
    "ml.t3.2xlarge", "ml.r5.large", "ml.r5.xlarge", "ml.r5.2xlarge", "ml.r5.4xlarge",
    "ml.r5.8xlarge", "ml.r5.12xlarge", "ml.r5.16xlarge", "ml.r5.24xlarge", "ml.p6-b200.48xlarge",
    "ml.m7i.large", "ml.m7i.xlarge", "ml.m7i.2xlarge", "ml.m7i.4xlarge", "ml.m7i.8xlarge",
    "ml.m7i.12xlarge", "ml.m7i.16xlarge", "ml.m7i.24xlarge", "ml.m7i.48xlarge", "ml.c7i.large",
    "ml.c7i.xlarge", "ml.c7i.2xlarge", "ml.c7i.4xlarge", "ml.c7i.8xlarge", "ml.c7i.12xlarge",
    "ml.c7i.16xlarge", "ml.c7i.24xlarge", "ml.c7i.48xlarge", "ml.r7i.large", "ml.r7i.xlarge",
    "ml.r7i.2xlarge", "ml.r7i.4xlarge", "ml.r7i.8xlarge", "ml.r7i.12xlarge", "ml.r7i.16xlarge",
    "ml.r7i.24xlarge", "ml.r7i.48xlarge", "ml.p6e-gb200.36xlarge", "ml.p5.4xlarge",
    "ml.p6-b300.48xlarge", "ml.g7e.2xlarge", "ml.g7e.4xlarge", "ml.g7e.8xlarge",
    "ml.g7e.12xlarge", "ml.g7e.24xlarge", "ml.g7e.48xlarge", NULL,
};

bool estimator_known_instance_type(const char *type)
{
    for (size_t i = 0; estimator_instance_types[i]; i++)
        if (strcmp(estimator_instance_types[i], type) == 0)
            return true;
    return false;
}

/* The SDK's SMDDP list (fw_utils.SM_DATAPARALLEL_SUPPORTED_INSTANCE_TYPES). */
static const char *const smddp_types[] = {
    "ml.p3.16xlarge", "ml.p3dn.24xlarge", "ml.p4d.24xlarge", "ml.p4de.24xlarge", NULL,
};

static bool in_list(const char *const *l, const char *s)
{
    for (size_t i = 0; l[i]; i++)
        if (strcmp(l[i], s) == 0)
            return true;
    return false;
}

static bool gpu_type(const char *t)
{
    return strncmp(t, "ml.g", 4) == 0 || strncmp(t, "ml.p", 4) == 0;
}

/* ---- Issues --------------------------------------------------------------------------------- */

void estimator_issue_add(struct estimator_issues *is, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (is == NULL || is->n >= ESTIMATOR_ISSUES_MAX)
        return;
    snprintf(is->v[is->n].field, sizeof(is->v[is->n].field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(is->v[is->n].msg, sizeof(is->v[is->n].msg), fmt, ap);
    va_end(ap);
    is->n++;
}

const struct estimator_issue *estimator_issue_find(const struct estimator_issues *is,
                                                   const char *field)
{
    for (size_t i = 0; i < is->n; i++)
        if (strcmp(is->v[i].field, field) == 0)
            return &is->v[i];
    return NULL;
}

/* ---- Checks --------------------------------------------------------------------------------- */

/* Whole-string match of pattern against s. */
static bool full_match(const char *pattern, const char *s)
{
    int ec;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED, PCRE2_ANCHORED |
                                   PCRE2_ENDANCHORED, &ec, &off, NULL);
    pcre2_match_data *md;
    int rc;

    if (re == NULL)
        return false;
    md = pcre2_match_data_create_from_pattern(re, NULL);
    rc = md ? pcre2_match(re, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) : -1;
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return rc >= 0;
}

static void check_s3_uri(struct estimator_issues *is, const char *field, const char *uri,
                         bool required)
{
    const char *b, *slash;
    size_t blen;

    if (uri == NULL || uri[0] == '\0') {
        if (required)
            estimator_issue_add(is, field, "required: an s3://bucket/prefix URI");
        return;
    }
    if (strlen(uri) > 1024) {
        estimator_issue_add(is, field, "%zu characters; at most 1024", strlen(uri));
        return;
    }
    if (strncmp(uri, "s3://", 5) != 0) {
        estimator_issue_add(is, field, "'%.120s' is not an S3 URI (s3://bucket/prefix)", uri);
        return;
    }
    b = uri + 5;
    slash = strchr(b, '/');
    blen = slash ? (size_t)(slash - b) : strlen(b);
    bool ok = blen >= 3 && blen <= 63 && isalnum((unsigned char)b[0]) &&
              isalnum((unsigned char)b[blen - 1]);

    for (size_t i = 0; ok && i < blen; i++)
        ok = islower((unsigned char)b[i]) || isdigit((unsigned char)b[i]) || b[i] == '-' ||
             b[i] == '.';
    if (!ok)
        estimator_issue_add(is, field, "'%.*s' is not a valid bucket name in '%.100s' (3-63 "
                            "lower-case letters, digits, dots, hyphens)", (int)blen, b, uri);
}

static const char *str_at(const json_t *o, const char *k1, const char *k2)
{
    const json_t *v = json_object_get(o, k1);

    if (k2)
        v = json_object_get(v, k2);
    return json_string_value(v);
}

static bool int_at(const json_t *o, const char *k1, const char *k2, long long *out)
{
    const json_t *v = json_object_get(json_object_get(o, k1), k2);

    if (!json_is_integer(v))
        return false;
    *out = json_integer_value(v);
    return true;
}

static void check_name(struct estimator_issues *is, const char *name)
{
    bool ok;
    size_t len;

    if (name == NULL || name[0] == '\0') {
        estimator_issue_add(is, "name", "required");
        return;
    }
    len = strlen(name);
    if (len > 63) {
        estimator_issue_add(is, "name", "%zu characters; at most 63", len);
        return;
    }
    ok = isalnum((unsigned char)name[0]) && isalnum((unsigned char)name[len - 1]);
    for (size_t i = 0; ok && i < len; i++)
        ok = isalnum((unsigned char)name[i]) || name[i] == '-';
    if (!ok)
        estimator_issue_add(is, "name", "'%s' must match ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}: "
                            "letters, digits and hyphens, starting and ending with a letter "
                            "or digit", name);
}

static void check_metrics(struct estimator_issues *is, const json_t *defs)
{
    size_t i;
    json_t *d;
    char field[48];

    if (defs == NULL)
        return;
    if (!json_is_array(defs)) {
        estimator_issue_add(is, "metric_definitions", "must be a list of {Name, Regex}");
        return;
    }
    if (json_array_size(defs) > 40)
        estimator_issue_add(is, "metric_definitions", "%zu definitions; at most 40",
                            json_array_size(defs));
    json_array_foreach(defs, i, d) {
        const char *n = json_string_value(json_object_get(d, "Name"));
        const char *r = json_string_value(json_object_get(d, "Regex"));
        int ec;
        PCRE2_SIZE off;
        pcre2_code *re;

        snprintf(field, sizeof(field), "metric.%.40s", n ? n : "?");
        if (n == NULL || n[0] == '\0' || strlen(n) > 255) {
            estimator_issue_add(is, field, "Name must be 1 to 255 characters");
            continue;
        }
        if (r == NULL || r[0] == '\0' || strlen(r) > 500) {
            estimator_issue_add(is, field, "Regex must be 1 to 500 characters (has %zu)",
                                r ? strlen(r) : (size_t)0);
            continue;
        }
        re = pcre2_compile((PCRE2_SPTR)r, PCRE2_ZERO_TERMINATED, 0, &ec, &off, NULL);
        if (re == NULL) {
            char msg[160];

            if (pcre2_get_error_message(ec, (PCRE2_UCHAR *)msg, sizeof(msg)) < 0)
                snprintf(msg, sizeof(msg), "PCRE2 error %d", ec);
            estimator_issue_add(is, field, "regex does not compile: %s at offset %zu", msg,
                                (size_t)off);
        }
        pcre2_code_free(re);
    }
}

/* Distribution from the keys the SDK adds to the hyperparameters. */
static void check_distribution(struct estimator_issues *is, const json_t *hps,
                               const char *type, long long count)
{
    const char *ddp = json_string_value(
        json_object_get(hps, "sagemaker_distributed_dataparallel_enabled"));
    const char *mpi = json_string_value(json_object_get(hps, "sagemaker_mpi_enabled"));
    const char *pddp = json_string_value(json_object_get(hps, "sagemaker_pytorch_ddp_enabled"));
    const char *torch = json_string_value(
        json_object_get(hps, "sagemaker_torch_distributed_enabled"));
    const char *mp = json_string_value(json_object_get(hps, "mp_parameters"));

    if (type == NULL)
        return;
    if (ddp && strcmp(ddp, "true") == 0 && !in_list(smddp_types, type))
        estimator_issue_add(is, "distribution", "smdistributed data parallel needs "
                            "ml.p3.16xlarge, ml.p3dn.24xlarge, ml.p4d.24xlarge or "
                            "ml.p4de.24xlarge, not %s", type);
    if (((mpi && strcmp(mpi, "true") == 0) || (pddp && strcmp(pddp, "true") == 0)) &&
        !gpu_type(type))
        estimator_issue_add(is, "distribution", "%s needs a GPU instance type (ml.g*, ml.p*), "
                            "not %s", mp ? "smdistributed model parallel" : "this distribution",
                            type);
    if (torch && strcmp(torch, "true") == 0 && !gpu_type(type) && strncmp(type, "ml.trn", 6))
        estimator_issue_add(is, "distribution", "torch_distributed needs a GPU or Trainium "
                            "instance type, not %s", type);
    if (mp != NULL) {
        json_t *params = json_loads(mp, 0, NULL);
        json_t *p = json_object_get(params, "partitions");
        const char *pph = json_string_value(
            json_object_get(hps, "sagemaker_mpi_num_of_processes_per_host"));
        long long procs = pph ? atoll(pph) : 0;

        if (params == NULL)
            estimator_issue_add(is, "mp_parameters", "not a JSON object");
        else if (mpi == NULL || strcmp(mpi, "true") != 0)
            estimator_issue_add(is, "distribution", "model parallel needs MPI enabled");
        else if (procs < 1)
            estimator_issue_add(is, "processes_per_host", "model parallel needs MPI processes "
                                "per host (1 or more)");
        else if (json_is_integer(p) && json_integer_value(p) > 0 &&
                 (procs * count) % json_integer_value(p) != 0)
            estimator_issue_add(is, "distribution", "model parallel with %lld partitions needs "
                                "a multiple of %lld processes; processes_per_host x "
                                "instance_count = %lld", (long long)json_integer_value(p),
                                (long long)json_integer_value(p), procs * count);
        json_decref(params);
    }
}

void estimator_check_request(const json_t *req, struct estimator_issues *is)
{
    const json_t *algo = json_object_get(req, "AlgorithmSpecification");
    const json_t *hps = json_object_get(req, "HyperParameters");
    const json_t *env = json_object_get(req, "Environment");
    const json_t *chans = json_object_get(req, "InputDataConfig");
    const json_t *tags = json_object_get(req, "Tags");
    const char *role = str_at(req, "RoleArn", NULL);
    const char *type = str_at(req, "ResourceConfig", "InstanceType");
    const char *image = str_at(algo, "TrainingImage", NULL);
    long long count = 0, vol = 0, run = 0, wait = 0;
    bool has_wait, spot = json_is_true(json_object_get(req, "EnableManagedSpotTraining"));
    const char *k;
    json_t *v;
    char field[48];

    check_name(is, str_at(req, "TrainingJobName", NULL));

    if (role == NULL || role[0] == '\0')
        estimator_issue_add(is, "role", "required: an IAM role ARN "
                            "(arn:aws:iam::123456789012:role/NAME)");
    else if (strlen(role) < 20 || strlen(role) > 2048 ||
             !full_match("arn:aws[a-z\\-]*:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+", role))
        estimator_issue_add(is, "role", "'%.120s' is not an IAM role ARN "
                            "(arn:aws:iam::<12-digit account>:role/NAME)", role);

    if (image == NULL && str_at(algo, "AlgorithmName", NULL) == NULL)
        estimator_issue_add(is, "image_uri", "required: a training image");
    else if (image != NULL && (strlen(image) > 255 || image[0] == '\0' ||
                               strpbrk(image, " \t\n") != NULL))
        estimator_issue_add(is, "image_uri", "'%.120s' is not an image URI (no spaces, at "
                            "most 255 characters)", image);
    if (algo != NULL) {
        const char *mode = str_at(algo, "TrainingInputMode", NULL);

        if (mode && strcmp(mode, "File") && strcmp(mode, "Pipe") && strcmp(mode, "FastFile"))
            estimator_issue_add(is, "input_mode", "'%s' is not File, Pipe or FastFile", mode);
        check_metrics(is, json_object_get(algo, "MetricDefinitions"));
    }

    if (type == NULL || type[0] == '\0')
        estimator_issue_add(is, "instance_type", "required, e.g. ml.p3.2xlarge");
    else if (!estimator_known_instance_type(type))
        estimator_issue_add(is, "instance_type", "'%s' is not a SageMaker training instance "
                            "type (e.g. ml.p3.2xlarge, ml.g5.2xlarge, ml.p4d.24xlarge)", type);
    if (!int_at(req, "ResourceConfig", "InstanceCount", &count) || count < 1)
        estimator_issue_add(is, "instance_count", "must be 1 or more");
    if (!int_at(req, "ResourceConfig", "VolumeSizeInGB", &vol) || vol < 1)
        estimator_issue_add(is, "volume_size", "must be 1 GB or more");

    if (!int_at(req, "StoppingCondition", "MaxRuntimeInSeconds", &run) || run < 1)
        estimator_issue_add(is, "max_run", "must be 1 second or more");
    has_wait = int_at(req, "StoppingCondition", "MaxWaitTimeInSeconds", &wait);
    if (spot && !has_wait)
        estimator_issue_add(is, "max_wait", "required with spot: at least max_run (%lld)", run);
    else if (spot && wait < run)
        estimator_issue_add(is, "max_wait", "%lld is less than max_run (%lld); with spot "
                            "max_wait must be at least max_run", wait, run);
    else if (!spot && has_wait)
        estimator_issue_add(is, "max_wait", "only allowed with spot (set spot=true or clear "
                            "max_wait)");

    check_s3_uri(is, "output_path", str_at(req, "OutputDataConfig", "S3OutputPath"), true);
    if (json_object_get(req, "CheckpointConfig"))
        check_s3_uri(is, "checkpoint_s3_uri", str_at(req, "CheckpointConfig", "S3Uri"), true);

    if (chans != NULL) {
        size_t i;

        if (json_array_size(chans) > 20)
            estimator_issue_add(is, "inputs", "%zu channels; at most 20",
                                json_array_size(chans));
        json_array_foreach(chans, i, v) {
            const char *n = str_at(v, "ChannelName", NULL);
            const json_t *s3 = json_object_get(json_object_get(v, "DataSource"),
                                               "S3DataSource");

            snprintf(field, sizeof(field), "input.%.40s", n ? n : "?");
            if (n == NULL || n[0] == '\0' || strlen(n) > 64 ||
                !full_match("[A-Za-z0-9\\.\\-_]+", n))
                estimator_issue_add(is, field, "channel name must be 1 to 64 letters, digits, "
                                    "dots, hyphens or underscores");
            for (size_t j = 0; j < i && n; j++)
                if (strcmp(n, str_at(json_array_get(chans, j), "ChannelName", NULL)
                                  ? str_at(json_array_get(chans, j), "ChannelName", NULL)
                                  : "") == 0)
                    estimator_issue_add(is, field, "channel '%s' given twice", n);
            if (s3 != NULL)
                check_s3_uri(is, field, str_at(s3, "S3Uri", NULL), true);
        }
    }

    if (hps != NULL) {
        if (json_object_size(hps) > 100)
            estimator_issue_add(is, "hyperparameters", "%zu hyperparameters; at most 100",
                                json_object_size(hps));
        json_object_foreach((json_t *)hps, k, v) {
            snprintf(field, sizeof(field), "hp.%.40s", k);
            if (strlen(k) > 256)
                estimator_issue_add(is, field, "key longer than 256 characters");
            else if (!json_is_string(v))
                estimator_issue_add(is, field, "value must be a string");
            else if (json_string_length(v) > 2500)
                estimator_issue_add(is, field, "value has %zu characters; at most 2500",
                                    json_string_length(v));
        }
        check_distribution(is, hps, type, count);
    }
    if (env != NULL) {
        if (json_object_size(env) > 48)
            estimator_issue_add(is, "environment", "%zu variables; at most 48",
                                json_object_size(env));
        json_object_foreach((json_t *)env, k, v) {
            snprintf(field, sizeof(field), "env.%.40s", k);
            if (strlen(k) > 512 || !full_match("[a-zA-Z_][a-zA-Z0-9_]*", k))
                estimator_issue_add(is, field, "not a variable name ([a-zA-Z_][a-zA-Z0-9_]*)");
            else if (!json_is_string(v) || json_string_length(v) > 512)
                estimator_issue_add(is, field, "value must be a string of at most 512 "
                                    "characters");
        }
    }
    if (tags != NULL) {
        size_t i;

        if (json_array_size(tags) > 50)
            estimator_issue_add(is, "tags", "%zu tags; at most 50", json_array_size(tags));
        json_array_foreach(tags, i, v) {
            const char *tk = str_at(v, "Key", NULL), *tv = str_at(v, "Value", NULL);

            snprintf(field, sizeof(field), "tag.%.40s", tk ? tk : "?");
            if (tk == NULL || tk[0] == '\0' || strlen(tk) > 128)
                estimator_issue_add(is, field, "key must be 1 to 128 characters");
            else if (tv == NULL || strlen(tv) > 256)
                estimator_issue_add(is, field, "value must be at most 256 characters");
        }
    }
}

/* ---- Building ------------------------------------------------------------------------------- */

static int set_new(json_t *o, const char *k, json_t *v)
{
    return v == NULL ? ERR_NOMEM : json_object_set_new(o, k, v) == 0 ? 0 : ERR_NOMEM;
}

static int set_hp(json_t *hps, const char *k, const char *text)
{
    char *enc = estimator_hp_encode(text);
    int rc;

    if (enc == NULL)
        return ERR_NOMEM;
    rc = set_new(hps, k, json_string(enc));
    free(enc);
    return rc;
}

/* A Python value as the SDK would write it into a hyperparameter: a string gets quoted. */
static int set_hp_string(json_t *hps, const char *k, const char *s)
{
    json_t *v = json_string(s);
    char *enc = v ? estimator_py_json(v) : NULL;
    int rc = enc ? set_new(hps, k, json_string(enc)) : ERR_NOMEM;

    json_decref(v);
    free(enc);
    return rc;
}

static bool full_version(const char *v)
{
    int dots = 0;

    for (; *v; v++)
        dots += *v == '.';
    return dots >= 2;
}

/* The estimator's own checks (the SDK's constructor and fit-time validation). */
static void check_estimator(const struct estimator *est, struct estimator_issues *is)
{
    const char *d = est->distribution;

    if (est->name && strlen(est->name) > 63)
        estimator_issue_add(is, "name", "%zu characters; at most 63", strlen(est->name));
    if (est->entry_point == NULL)
        estimator_issue_add(is, "entry_point", "required: the script to run, e.g. train.py");
    if (est->submit_directory != NULL && (est->source_dir || est->git_repo))
        estimator_issue_add(is, "submit_directory", "give either submit_directory or a source "
                            "(source_dir / git_repo), not both");
    if (est->submit_directory)
        check_s3_uri(is, "submit_directory", est->submit_directory, true);
    if ((est->git_branch || est->git_commit) && est->git_repo == NULL)
        estimator_issue_add(is, "git_repo", "required with git_branch / git_commit");
    if (est->code_bucket) {
        char uri[128];

        snprintf(uri, sizeof(uri), "s3://%s/", est->code_bucket);
        check_s3_uri(is, "code_bucket", uri, true);
    }
    if (est->image_uri == NULL) {
        if (est->transformers_version == NULL)
            estimator_issue_add(is, "transformers_version", "required (or image_uri)");
        if ((est->pytorch_version == NULL) == (est->tensorflow_version == NULL))
            estimator_issue_add(is, est->pytorch_version ? "tensorflow_version"
                                                         : "pytorch_version",
                                "exactly one of pytorch_version or tensorflow_version is "
                                "required (or image_uri)");
        if (est->py_version == NULL)
            estimator_issue_add(is, "py_version", "required (or image_uri), e.g. py39");
        if (est->transformers_version && est->pytorch_version &&
            full_version(est->transformers_version) != full_version(est->pytorch_version))
            estimator_issue_add(is, "pytorch_version", "use either full versions or short "
                                "versions for both transformers_version and pytorch_version");
    }
    if (est->instance_count < 0)
        estimator_issue_add(is, "instance_count", "must be 1 or more");
    if (est->volume_size_gb < 0)
        estimator_issue_add(is, "volume_size", "must be 1 GB or more");
    if (est->max_run_s < 0)
        estimator_issue_add(is, "max_run", "must be 1 second or more");
    if (d != NULL && strcmp(d, ESTIMATOR_DIST_NONE) && strcmp(d, ESTIMATOR_DIST_SMDDP) &&
        strcmp(d, ESTIMATOR_DIST_SMMP) && strcmp(d, ESTIMATOR_DIST_PYTORCHDDP) &&
        strcmp(d, ESTIMATOR_DIST_TORCH))
        estimator_issue_add(is, "distribution", "'%s' is not one of none, "
                            "smdistributed_dataparallel, smdistributed_modelparallel, "
                            "pytorchddp, torch_distributed", d);
    if (d && strcmp(d, ESTIMATOR_DIST_SMDDP) == 0 && est->pytorch_version &&
        !full_version(est->pytorch_version))
        estimator_issue_add(is, "pytorch_version", "smdistributed data parallel needs a full "
                            "PyTorch version (e.g. 1.13.1), not %s", est->pytorch_version);
    if (d && strcmp(d, ESTIMATOR_DIST_SMMP) == 0) {
        json_t *mp = est->mp_parameters ? json_loads(est->mp_parameters, 0, NULL) : NULL;

        if (est->mp_parameters && !json_is_object(mp))
            estimator_issue_add(is, "mp_parameters", "must be a JSON object, e.g. "
                                "{\"partitions\": 2, \"microbatches\": 4}");
        if (est->processes_per_host < 1)
            estimator_issue_add(is, "processes_per_host", "model parallel needs MPI processes "
                                "per host (1 or more)");
        json_decref(mp);
    }
    for (size_t i = 0; i < est->inputs.n; i++) {
        char field[48];

        snprintf(field, sizeof(field), "input.%.40s", est->inputs.v[i].key);
        check_s3_uri(is, field, est->inputs.v[i].value, true);
    }
}

static const char *image_issue_field(const struct err *ie, const struct estimator *est)
{
    if (strstr(ie->msg, "transformers version") || strstr(ie->msg, "not published"))
        return "transformers_version";
    if (strstr(ie->msg, "py_version"))
        return "py_version";
    if (strstr(ie->msg, "GPU"))
        return "instance_type";
    return est->pytorch_version ? "pytorch_version" : "tensorflow_version";
}

static int add_distribution(json_t *hps, const struct estimator *est)
{
    const char *d = est->distribution;
    const char *mpi_opts = est->custom_mpi_options ? est->custom_mpi_options : "";
    char num[32];
    int rc = 0;

    if (d == NULL || strcmp(d, ESTIMATOR_DIST_NONE) == 0)
        return 0;
    if (strcmp(d, ESTIMATOR_DIST_PYTORCHDDP) == 0) {
        rc |= set_hp(hps, "sagemaker_pytorch_ddp_enabled", "true");
        rc |= set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    } else if (strcmp(d, ESTIMATOR_DIST_TORCH) == 0) {
        rc |= set_hp(hps, "sagemaker_torch_distributed_enabled", "true");
        rc |= set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    } else if (strcmp(d, ESTIMATOR_DIST_SMDDP) == 0) {
        rc |= set_hp(hps, "sagemaker_distributed_dataparallel_enabled", "true");
        rc |= set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
        rc |= set_hp_string(hps, "sagemaker_distributed_dataparallel_custom_mpi_options",
                            mpi_opts);
    } else if (strcmp(d, ESTIMATOR_DIST_SMMP) == 0) {
        /* _distribution_configuration: the mpi block first, then the smdistributed one */
        rc |= set_hp(hps, "sagemaker_mpi_enabled", "true");
        snprintf(num, sizeof(num), "%ld", est->processes_per_host);
        rc |= set_hp(hps, "sagemaker_mpi_num_of_processes_per_host", num);
        rc |= set_hp_string(hps, "sagemaker_mpi_custom_mpi_options", mpi_opts);
        if (est->mp_parameters)
            rc |= set_hp(hps, "mp_parameters", est->mp_parameters);
        rc |= set_hp(hps, "sagemaker_distributed_dataparallel_enabled", "false");
        rc |= set_hp_string(hps, "sagemaker_instance_type", est->instance_type);
    }
    return rc ? ERR_NOMEM : 0;
}

static json_t *s3_channel(const char *name, const char *uri)
{
    return json_pack("{s:{s:{s:s,s:s,s:s}},s:s}", "DataSource", "S3DataSource", "S3DataType",
                     "S3Prefix", "S3Uri", uri, "S3DataDistributionType", "FullyReplicated",
                     "ChannelName", name);
}

static const char *basename_of(const char *path)
{
    const char *s = strrchr(path, '/');

    return s ? s + 1 : path;
}

int estimator_build(const struct estimator *est, const struct estimator_context *ctx,
                    json_t **out, struct estimator_plan *plan, struct estimator_issues *issues,
                    struct err *e)
{
    struct estimator_issues local = { .n = 0 };
    struct estimator_issues *is = issues ? issues : &local;
    struct estimator_plan p;
    /* an S3 bucket name is at most 63 characters: default_bucket matches p.bucket */
    char image[512] = "", base[128], default_bucket[64] = "", output[1100], num[32];
    const char *region = ctx->region;
    json_t *req = NULL, *algo, *hps, *sc, *rc_, *defs;
    long count = est->instance_count ? est->instance_count : 1;
    long vol = est->volume_size_gb ? est->volume_size_gb : 30;
    long run = est->max_run_s ? est->max_run_s : 86400;
    long level = est->container_log_level ? est->container_log_level : 20;
    bool need_account;
    int rc = ERR_NOMEM;

    is->n = 0;
    memset(&p, 0, sizeof(p));
    check_estimator(est, is);
    if (region == NULL || region[0] == '\0')
        estimator_issue_add(is, "region", "no region: set AWS_REGION or pass --region");

    if (est->image_uri) {
        snprintf(image, sizeof(image), "%s", est->image_uri);
    } else if (est->transformers_version && est->py_version && region &&
               (est->pytorch_version != NULL) != (est->tensorflow_version != NULL)) {
        struct err ie = { 0 };

        /* without an instance type (reported on its own) resolve as for a GPU one */
        if (hf_images_uri(est->transformers_version,
                          est->pytorch_version ? "pytorch" : "tensorflow",
                          est->pytorch_version ? est->pytorch_version : est->tensorflow_version,
                          est->py_version, est->instance_type ? est->instance_type
                                                              : "ml.p3.2xlarge",
                          region, image, sizeof(image), &ie) != 0)
            estimator_issue_add(is, image_issue_field(&ie, est), "%s", ie.msg);
    }

    need_account = est->output_path == NULL ||
                   (est->submit_directory == NULL && est->code_bucket == NULL);
    if (need_account && (ctx->account == NULL || ctx->account[0] == '\0'))
        estimator_issue_add(is, "output_path", "the default bucket needs the account id "
                            "(STS GetCallerIdentity failed); give output_path and code_bucket");
    else if (need_account)
        snprintf(default_bucket, sizeof(default_bucket), "sagemaker-%s-%s", region ? region : "",
                 ctx->account);

    if (is->n > 0 && image[0] == '\0')
        goto issues;

    /* name: the given one, else base_job_name or the image's repository + timestamp */
    if (est->name) {
        snprintf(p.job_name, sizeof(p.job_name), "%s", est->name);
    } else {
        if (est->base_job_name)
            snprintf(base, sizeof(base), "%s", est->base_job_name);
        else
            estimator_base_from_image(image, base, sizeof(base));
        estimator_default_name(base, ctx->now, p.job_name, sizeof(p.job_name));
    }
    if (est->submit_directory) {
        snprintf(p.submit_uri, sizeof(p.submit_uri), "%s", est->submit_directory);
    } else {
        snprintf(p.bucket, sizeof(p.bucket), "%s",
                 est->code_bucket ? est->code_bucket : default_bucket);
        snprintf(p.key, sizeof(p.key), "%s/source/sourcedir.tar.gz", p.job_name);
        snprintf(p.submit_uri, sizeof(p.submit_uri), "s3://%s/%s", p.bucket, p.key);
        p.upload = true;
        p.default_bucket = est->code_bucket == NULL;
    }
    if (est->output_path)
        snprintf(output, sizeof(output), "%s", est->output_path);
    else
        snprintf(output, sizeof(output), "s3://%s/", default_bucket);

    req = json_object();
    algo = json_object();
    hps = json_object();
    sc = json_object();
    rc_ = json_object();
    if (!req || !algo || !hps || !sc || !rc_) {
        json_decref(algo);
        json_decref(hps);
        json_decref(sc);
        json_decref(rc_);
        goto fail;
    }
    if (set_new(req, "AlgorithmSpecification", algo) != 0)
        goto fail_parts;
    if (set_new(algo, "TrainingInputMode", json_string("File")) ||
        set_new(algo, "TrainingImage", json_string(image)))
        goto fail_parts;
    if (est->metric_definitions.n > 0) {
        defs = json_array();
        if (set_new(algo, "MetricDefinitions", defs))
            goto fail_parts;
        for (size_t i = 0; i < est->metric_definitions.n; i++)
            if (json_array_append_new(defs, json_pack("{s:s,s:s}", "Name",
                                                      est->metric_definitions.v[i].key, "Regex",
                                                      est->metric_definitions.v[i].value)))
                goto fail_parts;
    }
    if (set_new(algo, "EnableSageMakerMetricsTimeSeries", json_true()) ||
        set_new(req, "OutputDataConfig", json_pack("{s:s}", "S3OutputPath", output)) ||
        set_new(req, "TrainingJobName", json_string(p.job_name)))
        goto fail_parts;
    if (set_new(req, "StoppingCondition", sc) ||
        set_new(sc, "MaxRuntimeInSeconds", json_integer(run)))
        goto fail_parts;
    if (est->spot || est->max_wait_s)
        if (set_new(sc, "MaxWaitTimeInSeconds",
                    json_integer(est->max_wait_s ? est->max_wait_s : run)))
            goto fail_parts;
    if (set_new(req, "ResourceConfig", rc_) ||
        set_new(rc_, "VolumeSizeInGB", json_integer(vol)) ||
        set_new(rc_, "InstanceCount", json_integer(count)) ||
        set_new(rc_, "InstanceType", json_string(est->instance_type ? est->instance_type : "")))
        goto fail_parts;
    if (est->role && set_new(req, "RoleArn", json_string(est->role)))
        goto fail_parts;
    if (est->inputs.n > 0) {
        json_t *chans = json_array();

        if (set_new(req, "InputDataConfig", chans))
            goto fail_parts;
        for (size_t i = 0; i < est->inputs.n; i++)
            if (json_array_append_new(chans, s3_channel(est->inputs.v[i].key,
                                                        est->inputs.v[i].value)))
                goto fail_parts;
    }

    if (set_new(req, "HyperParameters", hps))
        goto fail_parts;
    for (size_t i = 0; i < est->hyperparameters.n; i++)
        if (set_hp(hps, est->hyperparameters.v[i].key, est->hyperparameters.v[i].value))
            goto fail_parts;
    snprintf(num, sizeof(num), "%ld", level);
    if (set_hp_string(hps, "sagemaker_submit_directory", p.submit_uri) ||
        set_hp_string(hps, "sagemaker_program",
                      est->entry_point ? basename_of(est->entry_point) : "") ||
        set_hp(hps, "sagemaker_container_log_level", num) ||
        set_hp_string(hps, "sagemaker_job_name", p.job_name) ||
        set_hp_string(hps, "sagemaker_region", region ? region : "") ||
        add_distribution(hps, est))
        goto fail_parts;

    if (est->tags.n > 0) {
        json_t *tags = json_array();

        if (set_new(req, "Tags", tags))
            goto fail_parts;
        for (size_t i = 0; i < est->tags.n; i++)
            if (json_array_append_new(tags, json_pack("{s:s,s:s}", "Key", est->tags.v[i].key,
                                                      "Value", est->tags.v[i].value)))
                goto fail_parts;
    }
    if (est->spot && set_new(req, "EnableManagedSpotTraining", json_true()))
        goto fail_parts;
    if (est->checkpoint_s3_uri) {
        json_t *cc = json_pack("{s:s}", "S3Uri", est->checkpoint_s3_uri);

        if (set_new(req, "CheckpointConfig", cc) ||
            (est->checkpoint_local_path &&
             set_new(cc, "LocalPath", json_string(est->checkpoint_local_path))))
            goto fail_parts;
    }
    if (est->environment.n > 0) {
        json_t *env = json_object();

        if (set_new(req, "Environment", env))
            goto fail_parts;
        for (size_t i = 0; i < est->environment.n; i++)
            if (set_new(env, est->environment.v[i].key,
                        json_string(est->environment.v[i].value)))
                goto fail_parts;
    }
    /* the SDK's default debugger and profiler configuration */
    if (set_new(req, "DebugHookConfig", json_pack("{s:s,s:[]}", "S3OutputPath", output,
                                                  "CollectionConfigurations")) ||
        set_new(req, "ProfilerConfig", json_pack("{s:s,s:b}", "S3OutputPath", output,
                                                 "DisableProfiler", 0)))
        goto fail_parts;

    estimator_check_request(req, is);
    /* the estimator knows its fields by their own names; drop request-level duplicates */
    if (is->n > 0)
        goto issues;
    *out = req;
    if (plan)
        *plan = p;
    return 0;

issues:
    json_decref(req);
    return err_set(e, ERR_INVAL, "%zu problem%s: %s: %s", is->n, is->n == 1 ? "" : "s",
                   is->v[0].field, is->v[0].msg);
fail_parts:
fail:
    json_decref(req);
    return err_set(e, rc, "out of memory building the request");
}

/* ---- Re-launch ------------------------------------------------------------------------------ */

/* CreateTrainingJob's input members (botocore 1.43.11); everything else in a describe
 * document is output only. */
static const char *const create_members[] = {
    "TrainingJobName", "HyperParameters", "AlgorithmSpecification", "RoleArn",
    "InputDataConfig", "OutputDataConfig", "ResourceConfig", "VpcConfig", "StoppingCondition",
    "Tags", "EnableNetworkIsolation", "EnableInterContainerTrafficEncryption",
    "EnableManagedSpotTraining", "CheckpointConfig", "DebugHookConfig",
    "DebugRuleConfigurations", "TensorBoardOutputConfig", "ExperimentConfig", "ProfilerConfig",
    "ProfilerRuleConfigurations", "Environment", "RetryStrategy", "RemoteDebugConfig",
    "InfraCheckConfig", "SessionChainingConfig", NULL,
};

static int set_name(json_t *req, const char *name)
{
    json_t *hps = json_object_get(req, "HyperParameters");

    if (set_new(req, "TrainingJobName", json_string(name)))
        return ERR_NOMEM;
    if (hps && json_object_get(hps, "sagemaker_job_name"))
        return set_hp_string(hps, "sagemaker_job_name", name);
    return 0;
}

int estimator_relaunch(const char *json, size_t len, const char *new_name, json_t **out,
                       struct err *e)
{
    json_error_t je;
    json_t *doc = json_loadb(json, len, 0, &je);
    json_t *req, *odc, *rcfg;

    if (doc == NULL)
        return err_set(e, ERR_PARSE, "describe document: %s at byte %d", je.text, je.position);
    if (!json_is_object(doc) || !json_is_string(json_object_get(doc, "TrainingJobName"))) {
        json_decref(doc);
        return err_set(e, ERR_PARSE, "not a DescribeTrainingJob document (no TrainingJobName)");
    }
    req = json_object();
    for (size_t i = 0; req && create_members[i]; i++) {
        json_t *v = json_object_get(doc, create_members[i]);

        if (v && json_object_set(req, create_members[i], v) != 0) {
            json_decref(req);
            req = NULL;
        }
    }
    json_decref(doc);
    if (req == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    /* the describe echoes empty KMS keys; the SDK never sends them */
    odc = json_object_get(req, "OutputDataConfig");
    if (json_is_string(json_object_get(odc, "KmsKeyId")) &&
        json_string_length(json_object_get(odc, "KmsKeyId")) == 0)
        json_object_del(odc, "KmsKeyId");
    rcfg = json_object_get(req, "ResourceConfig");
    if (json_is_string(json_object_get(rcfg, "VolumeKmsKeyId")) &&
        json_string_length(json_object_get(rcfg, "VolumeKmsKeyId")) == 0)
        json_object_del(rcfg, "VolumeKmsKeyId");
    if (set_name(req, new_name) != 0) {
        json_decref(req);
        return err_set(e, ERR_NOMEM, "out of memory");
    }
    *out = req;
    return 0;
}

const char *const estimator_request_keys[] = {
    "name", "hp.KEY", "instance_type", "instance_count", "volume_size", "max_run", "max_wait",
    "spot", "checkpoint_s3_uri", "checkpoint_local_path", "role", "output_path", "image_uri",
    "entry_point", "input.NAME", "env.KEY", "tag.KEY", "metric.NAME", NULL,
};

static json_t *ensure_object(json_t *req, const char *k)
{
    json_t *o = json_object_get(req, k);

    if (json_is_object(o))
        return o;
    o = json_object();
    if (o == NULL || json_object_set_new(req, k, o) != 0)
        return NULL;
    return o;
}

static int set_int_member(json_t *req, const char *obj, const char *k, const char *key,
                          const char *value, struct err *e)
{
    long v;
    json_t *o;

    if (parse_long(value, &v) != 0 || value[0] == '\0')
        return err_set(e, ERR_INVAL, "%s: '%s' is not a whole number", key, value);
    o = ensure_object(req, obj);
    if (o == NULL || set_new(o, k, json_integer(v)))
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* Sets (or with "" removes) the entry named name of an array of objects keyed by id_key. */
static int set_array_entry(json_t *req, const char *arr_key, const char *id_key,
                           const char *name, json_t *entry)
{
    json_t *arr = json_object_get(req, arr_key);
    size_t i;
    json_t *x;

    if (arr == NULL && entry != NULL) {
        arr = json_array();
        if (arr == NULL || json_object_set_new(req, arr_key, arr) != 0)
            return ERR_NOMEM;
    }
    json_array_foreach(arr, i, x) {
        const char *n = json_string_value(json_object_get(x, id_key));

        if (n && strcmp(n, name) == 0) {
            if (entry == NULL)
                return json_array_remove(arr, i) == 0 ? 0 : ERR_NOMEM;
            return json_array_set_new(arr, i, entry) == 0 ? 0 : ERR_NOMEM;
        }
    }
    if (entry == NULL)
        return 0;
    return json_array_append_new(arr, entry) == 0 ? 0 : ERR_NOMEM;
}

int estimator_request_set(json_t *req, const char *key, const char *value, struct err *e)
{
    json_t *hps = json_object_get(req, "HyperParameters");
    int rc = 0;

    if (strncmp(key, "hp.", 3) == 0 && key[3]) {
        if (hps == NULL && (hps = ensure_object(req, "HyperParameters")) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        if (value[0] == '\0') {
            json_object_del(hps, key + 3);
            return 0;
        }
        rc = set_hp(hps, key + 3, value);
    } else if (strcmp(key, "name") == 0 || strcmp(key, "job_name") == 0) {
        rc = set_name(req, value);
    } else if (strcmp(key, "instance_type") == 0) {
        json_t *o = ensure_object(req, "ResourceConfig");

        rc = o ? set_new(o, "InstanceType", json_string(value)) : ERR_NOMEM;
        if (rc == 0 && hps && json_object_get(hps, "sagemaker_instance_type"))
            rc = set_hp_string(hps, "sagemaker_instance_type", value);
    } else if (strcmp(key, "instance_count") == 0) {
        return set_int_member(req, "ResourceConfig", "InstanceCount", key, value, e);
    } else if (strcmp(key, "volume_size") == 0) {
        return set_int_member(req, "ResourceConfig", "VolumeSizeInGB", key, value, e);
    } else if (strcmp(key, "max_run") == 0) {
        return set_int_member(req, "StoppingCondition", "MaxRuntimeInSeconds", key, value, e);
    } else if (strcmp(key, "max_wait") == 0) {
        if (value[0] == '\0') {
            json_object_del(json_object_get(req, "StoppingCondition"), "MaxWaitTimeInSeconds");
            return 0;
        }
        return set_int_member(req, "StoppingCondition", "MaxWaitTimeInSeconds", key, value, e);
    } else if (strcmp(key, "spot") == 0 || strcmp(key, "use_spot_instances") == 0) {
        bool on;
        json_t *sc = ensure_object(req, "StoppingCondition");

        if (parse_bool(value, &on) != 0)
            return err_set(e, ERR_INVAL, "spot: '%s' is not true or false", value);
        if (sc == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        if (on) {
            rc = set_new(req, "EnableManagedSpotTraining", json_true());
            if (rc == 0 && json_object_get(sc, "MaxWaitTimeInSeconds") == NULL) {
                json_t *run = json_object_get(sc, "MaxRuntimeInSeconds");

                rc = set_new(sc, "MaxWaitTimeInSeconds",
                             json_integer(run ? json_integer_value(run) : 86400));
            }
        } else {
            rc = set_new(req, "EnableManagedSpotTraining", json_false());
            json_object_del(sc, "MaxWaitTimeInSeconds");
        }
    } else if (strcmp(key, "checkpoint_s3_uri") == 0 ||
               strcmp(key, "checkpoint_local_path") == 0) {
        const char *member = key[11] == 's' ? "S3Uri" : "LocalPath";

        if (value[0] == '\0' && member[0] == 'S') {
            json_object_del(req, "CheckpointConfig");
            return 0;
        }
        json_t *o = ensure_object(req, "CheckpointConfig");

        rc = o ? set_new(o, member, json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "role") == 0) {
        rc = set_new(req, "RoleArn", json_string(value));
    } else if (strcmp(key, "output_path") == 0) {
        json_t *o = ensure_object(req, "OutputDataConfig");

        rc = o ? set_new(o, "S3OutputPath", json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "image_uri") == 0) {
        json_t *o = ensure_object(req, "AlgorithmSpecification");

        rc = o ? set_new(o, "TrainingImage", json_string(value)) : ERR_NOMEM;
    } else if (strcmp(key, "entry_point") == 0) {
        if (hps == NULL && (hps = ensure_object(req, "HyperParameters")) == NULL)
            return err_set(e, ERR_NOMEM, "out of memory");
        rc = set_hp_string(hps, "sagemaker_program", basename_of(value));
    } else if (strncmp(key, "input.", 6) == 0 && key[6]) {
        rc = set_array_entry(req, "InputDataConfig", "ChannelName", key + 6,
                             value[0] ? s3_channel(key + 6, value) : NULL);
    } else if (strncmp(key, "env.", 4) == 0 && key[4]) {
        json_t *o = ensure_object(req, "Environment");

        if (o && value[0] == '\0')
            json_object_del(o, key + 4);
        else
            rc = o ? set_new(o, key + 4, json_string(value)) : ERR_NOMEM;
    } else if (strncmp(key, "tag.", 4) == 0 && key[4]) {
        rc = set_array_entry(req, "Tags", "Key", key + 4,
                             value[0] ? json_pack("{s:s,s:s}", "Key", key + 4, "Value", value)
                                      : NULL);
    } else if (strncmp(key, "metric.", 7) == 0 && key[7]) {
        json_t *o = ensure_object(req, "AlgorithmSpecification");
        json_t *holder = json_object();

        /* reuse the array helper on a holder object that shares the array */
        if (o == NULL || holder == NULL) {
            json_decref(holder);
            return err_set(e, ERR_NOMEM, "out of memory");
        }
        if (json_object_get(o, "MetricDefinitions"))
            json_object_set(holder, "MetricDefinitions", json_object_get(o, "MetricDefinitions"));
        rc = set_array_entry(holder, "MetricDefinitions", "Name", key + 7,
                             value[0] ? json_pack("{s:s,s:s}", "Name", key + 7, "Regex", value)
                                      : NULL);
        if (rc == 0 && json_object_get(holder, "MetricDefinitions"))
            rc = json_object_set(o, "MetricDefinitions",
                                 json_object_get(holder, "MetricDefinitions")) ? ERR_NOMEM : 0;
        json_decref(holder);
    } else {
        char known[512] = "";

        for (size_t i = 0; estimator_request_keys[i]; i++)
            snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s",
                     i ? ", " : "", estimator_request_keys[i]);
        return err_set(e, ERR_INVAL, "%s: cannot be changed on a re-launch; known: %s", key,
                       known);
    }
    if (rc != 0)
        return err_set(e, ERR_NOMEM, "out of memory");
    return 0;
}

/* ---- Diff ----------------------------------------------------------------------------------- */

struct flat {
    char **path;
    char **value;
    size_t n, cap;
};

static void flat_add(struct flat *f, const char *path, const json_t *v)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 32;
        char **np = realloc(f->path, cap * sizeof(*np));
        char **nv;

        if (np == NULL)
            return;
        f->path = np;
        nv = realloc(f->value, cap * sizeof(*nv));
        if (nv == NULL)
            return;
        f->value = nv;
        f->cap = cap;
    }
    f->path[f->n] = strdup(path);
    f->value[f->n] = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    if (f->path[f->n] == NULL || f->value[f->n] == NULL) {
        free(f->path[f->n]);
        free(f->value[f->n]);
        return;
    }
    f->n++;
}

static void flatten(struct flat *f, const char *prefix, const json_t *v)
{
    char path[512];

    if (json_is_object(v) && json_object_size(v) > 0) {
        const char *k;
        json_t *x;

        json_object_foreach((json_t *)v, k, x) {
            snprintf(path, sizeof(path), "%s%s%s", prefix, prefix[0] ? "." : "", k);
            flatten(f, path, x);
        }
    } else if (json_is_array(v) && json_array_size(v) > 0) {
        size_t i;
        json_t *x;

        json_array_foreach(v, i, x) {
            /* channels, tags and metric definitions are named by their key member */
            const char *id = json_string_value(json_object_get(x, "ChannelName"));

            if (id == NULL)
                id = json_string_value(json_object_get(x, "Name"));
            if (id == NULL)
                id = json_string_value(json_object_get(x, "Key"));
            if (id)
                snprintf(path, sizeof(path), "%s[%s]", prefix, id);
            else
                snprintf(path, sizeof(path), "%s[%zu]", prefix, i);
            flatten(f, path, x);
        }
    } else {
        flat_add(f, prefix, v);
    }
}

static void flat_clean(struct flat *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->path[i]);
        free(f->value[i]);
    }
    free(f->path);
    free(f->value);
}

static const char *flat_get(const struct flat *f, const char *path)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->path[i], path) == 0)
            return f->value[i];
    return NULL;
}

static void out_line(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void out_line(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= size - *len) {
        if (size >= 5)
            memcpy(buf + size - 5, "...\n", 5);
        *len = size;
        return;
    }
    *len += (size_t)n;
}

size_t estimator_request_diff(const json_t *old_req, const json_t *new_req, char *buf,
                              size_t size)
{
    struct flat a = { 0 }, b = { 0 };
    size_t changed = 0, len = 0;

    if (size > 0)
        buf[0] = '\0';
    flatten(&a, "", old_req);
    flatten(&b, "", new_req);
    for (size_t i = 0; i < b.n; i++) {
        const char *ov = flat_get(&a, b.path[i]);

        if (ov && strcmp(ov, b.value[i]) == 0)
            continue;
        changed++;
        out_line(buf, size, &len, "%s: %s -> %s\n", b.path[i], ov ? ov : "(absent)",
                 b.value[i]);
    }
    for (size_t i = 0; i < a.n; i++) {
        if (flat_get(&b, a.path[i]))
            continue;
        changed++;
        out_line(buf, size, &len, "%s: %s -> (absent)\n", a.path[i], a.value[i]);
    }
    flat_clean(&a);
    flat_clean(&b);
    return changed;
}
