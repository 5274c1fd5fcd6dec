/* estimator.c: the Hugging Face estimator as users write it: its field table (one place that
 * names every field for --set, spec files and the form), setting and reading fields by name, and
 * spec files (JSON objects of fields, the SDK's distribution dict included).
 *
 * Owns: struct estimator's strings and lists. Must not: build requests (request.c), check them
 * (validate.c), do I/O, read the clock or print. The rest of the estimator: hyperparams.c (the
 * SDK's JSON encoding), names.c, validate.c, request.c, relaunch.c, diff.c (AWS_NOTES §4). */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launch/estimator_internal.h"

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
    { "code_bucket", "Source", "bucket or s3://bucket/prefix for the source (empty: "
      "output_path's bucket)" },
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
      "torch_distributed, mpi" },
    { "processes_per_host", "Distribution", "model parallel, mpi: MPI processes per host" },
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
    else if (strcmp(key, "code_location") == 0)
        key = "code_bucket";
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

int estimator_parse_bool(const char *s, bool *out)
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

int estimator_parse_long(const char *s, long *out)
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

        if (estimator_parse_long(value, &v) != 0)
            return err_set(e, ERR_INVAL, "%s: '%s' is not a whole number", f->key, value);
        /* 0 is "unset" (the default applies), so an explicit 0 or less is refused here */
        if (value[0] != '\0' && v < 1)
            return err_set(e, ERR_INVAL, "%s: must be 1 or more", f->key);
        *(long *)p = v;
        return 0;
    }
    case F_BOOL:
        if (estimator_parse_bool(value, (bool *)p) != 0)
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
    if (estimator_json_big_integer(v))
        return strdup(estimator_json_big_integer(v));
    if (!as_json && json_is_string(v))
        return strdup(json_string_value(v));
    if (!as_json && json_is_true(v))
        return strdup("true");
    if (!as_json && json_is_false(v))
        return strdup("false");
    return estimator_json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(17));
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
            char *t = estimator_json_dumps(params, JSON_COMPACT);

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
    } else if (mpi && !smd) {
        /* Framework._distribution_configuration: "mpi" alone is MPI (Horovod, mpirun) */
        kind = json_is_true(json_object_get(mpi, "enabled")) ? ESTIMATOR_DIST_MPI
                                                              : ESTIMATOR_DIST_NONE;
        opts = mpi;
        if (json_integer_value(json_object_get(mpi, "processes_per_host")) > 0)
            est->processes_per_host =
                (long)json_integer_value(json_object_get(mpi, "processes_per_host"));
    } else if (json_object_size(d) == 0) {
        kind = ESTIMATOR_DIST_NONE;
    } else {
        return err_set(e, ERR_INVAL, "distribution: unsupported; use smdistributed dataparallel "
                       "or modelparallel (with mpi), pytorchddp, torch_distributed or mpi");
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
    json_t *root = estimator_json_loadb(json, len, 0, &je);
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
            char *t = estimator_json_dumps(v, JSON_COMPACT);

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

