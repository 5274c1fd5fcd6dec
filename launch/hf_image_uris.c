/* hf_image_uris.c: Hugging Face training image URIs, resolved the way the SageMaker Python SDK
 * resolves them (image_uris.retrieve(framework="huggingface", image_scope="training",
 * version=<transformers>, base_framework_version="pytorch<v>" | "tensorflow<v>", py_version,
 * instance_type, region), reached through get_training_image_uri), from the SDK's own table.
 *
 * NOTICE: the table is data/huggingface.json, the SageMaker Python SDK's
 * sagemaker-core/src/sagemaker/core/image_uri_config/huggingface.json (aws/sagemaker-python-sdk
 * at commit fef4571f7aa6265c187b3360a316e0f7d817d07a), Copyright Amazon.com, Inc. or its
 * affiliates, Apache License 2.0, kept byte for byte (data/README.md). The Makefile compiles it
 * into the binary ($(BUILD)/gen/hf_images_json.c); a user's copy at
 * $XDG_CONFIG_HOME/sagetop/huggingface.json is merged over it, the user's versions winning.
 *
 * The rules, from the SDK's image_uris.py:
 *  - the transformers version is a key of "versions" or of "version_aliases", an alias selecting
 *    its version (_validate_version_and_set_if_needed, _version_for_config);
 *  - "<framework><version>" goes through that version's own "version_aliases" and must then be
 *    one of its entries;
 *  - py_version is one of the entry's py_versions (the only one when none is given);
 *  - the processor comes from the instance family (g*, p* and local_gpu: "gpu"; the rest "cpu")
 *    and must be one of "processors": training images are GPU only (_processor);
 *  - the account is the entry's registry for the region; the host is ecr.<region>.<DNS suffix of
 *    the region's partition>, as botocore's endpoint data gives it;
 *  - the tag is "<framework version>-transformers<version>-<processor>-<py>-<container_version>",
 *    both versions echoed as the caller wrote them (the SDK's original_version), the
 *    container_version the entry's, else get_training_image_uri's "cu110-ubuntu18.04".
 * The table is loaded once, on first use (pthread_once); after that everything is lookups in a
 * table nobody modifies, so any thread may call. The only I/O is hf_image_uris_user_load().
 * Never prints. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"
#include "aws/dynbuf.h"
#include "launch/estimator.h"
#include "launch/hf_image_uris.h"

const char hf_images_source[] =
    "sagemaker-python-sdk sagemaker-core/src/sagemaker/core/image_uri_config/huggingface.json "
    "(aws/sagemaker-python-sdk@fef4571f7aa6, Apache-2.0)";

#define HF_DEFAULT_GPU_CONTAINER "cu110-ubuntu18.04"
#define HF_USER_MAX_BYTES ((size_t)16 << 20)
#define HF_LIST_CHARS 192 /* of a "valid: ..." list: an err message holds 256 */

/* ---- Shape of a table ------------------------------------------------------------------------ */

static bool is_string_array(const json_t *a)
{
    size_t i;
    json_t *v;

    if (!json_is_array(a) || json_array_size(a) == 0)
        return false;
    json_array_foreach(a, i, v)
        if (!json_is_string(v))
            return false;
    return true;
}

static bool is_string_object(const json_t *o)
{
    const char *k;
    json_t *v;

    if (!json_is_object(o))
        return false;
    json_object_foreach((json_t *)o, k, v)
        if (!json_is_string(v))
            return false;
    return true;
}

static bool array_has(const json_t *a, const char *s)
{
    size_t i;
    json_t *v;

    json_array_foreach(a, i, v)
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    return false;
}

/* The framework of an entry key ("pytorch2.1.0" -> "pytorch"), NULL for any other key. */
static const char *entry_framework(const char *key)
{
    static const char *const frameworks[] = { "pytorch", "tensorflow" };

    for (size_t i = 0; i < sizeof(frameworks) / sizeof(frameworks[0]); i++) {
        size_t n = strlen(frameworks[i]);

        if (strncmp(key, frameworks[i], n) == 0 && key[n] != '\0')
            return frameworks[i];
    }
    return NULL;
}

static int check_entry(const char *name, const char *ver, const char *key, const json_t *ent,
                       struct err *e)
{
    const json_t *regs = json_object_get(ent, "registries");
    const json_t *cv = json_object_get(ent, "container_version");
    const char *what = NULL;

    if (!json_is_object(ent))
        what = "is not an object";
    else if (!is_string_array(json_object_get(ent, "py_versions")))
        what = "needs \"py_versions\", a list of strings";
    else if (!is_string_object(regs) || json_object_size(regs) == 0)
        what = "needs \"registries\", region -> account";
    else if (!json_is_string(json_object_get(ent, "repository")))
        what = "needs a \"repository\" string";
    else if (cv != NULL && !is_string_object(cv))
        what = "has a \"container_version\" that is not processor -> string";
    if (what == NULL)
        return 0;
    return err_set(e, ERR_CONFIG, "%s: training version %s, %s %s", name, ver, key, what);
}

/* Entries are "pytorch<v>" / "tensorflow<v>"; other keys (none today) are left alone, so that
 * a newer SDK file still loads. */
static int check_version(const char *name, const char *ver, const json_t *vc, struct err *e)
{
    const json_t *aliases = json_object_get(vc, "version_aliases");
    const char *k;
    json_t *v;
    int rc;

    if (!json_is_object(vc))
        return err_set(e, ERR_CONFIG, "%s: training version %s is not an object", name, ver);
    if (aliases != NULL && !is_string_object(aliases))
        return err_set(e, ERR_CONFIG, "%s: training version %s: \"version_aliases\" must map "
                       "strings to strings", name, ver);
    json_object_foreach((json_t *)vc, k, v) {
        if (entry_framework(k) != NULL && (rc = check_entry(name, ver, k, v, e)) != 0)
            return rc;
    }
    json_object_foreach((json_t *)aliases, k, v) {
        if (!json_is_object(json_object_get(vc, json_string_value(v))))
            return err_set(e, ERR_CONFIG, "%s: training version %s: alias %s names %s, which "
                           "it does not have", name, ver, k, json_string_value(v));
    }
    return 0;
}

static int check_training(const char *name, const json_t *t, struct err *e)
{
    const json_t *versions = json_object_get(t, "versions");
    const json_t *aliases = json_object_get(t, "version_aliases");
    const char *k;
    json_t *v;
    int rc;

    if (!json_is_object(t))
        return err_set(e, ERR_CONFIG, "%s: no \"training\" object (expected the layout of the "
                       "SageMaker SDK's huggingface.json)", name);
    if (!is_string_array(json_object_get(t, "processors")))
        return err_set(e, ERR_CONFIG, "%s: training needs \"processors\", a list of strings",
                       name);
    if (!json_is_object(versions) || json_object_size(versions) == 0)
        return err_set(e, ERR_CONFIG, "%s: training needs \"versions\"", name);
    if (aliases != NULL && !is_string_object(aliases))
        return err_set(e, ERR_CONFIG, "%s: training \"version_aliases\" must map strings to "
                       "strings", name);
    json_object_foreach((json_t *)versions, k, v) {
        if ((rc = check_version(name, k, v, e)) != 0)
            return rc;
    }
    return 0;
}

/* A top-level alias may name a version of the other table, so this runs on the merged one. */
static int check_aliases(const char *name, const json_t *t, struct err *e)
{
    const json_t *versions = json_object_get(t, "versions");
    const char *k;
    json_t *v;

    json_object_foreach(json_object_get(t, "version_aliases"), k, v) {
        if (json_object_get(versions, json_string_value(v)) == NULL)
            return err_set(e, ERR_CONFIG, "%s: transformers alias %s names %s, which no table "
                           "has", name, k, json_string_value(v));
    }
    return 0;
}

int hf_image_uris_parse(const char *buf, size_t len, const char *name, json_t **training,
                        struct err *e)
{
    json_error_t je;
    json_t *root = json_loadb(buf, len, 0, &je); /* duplicate keys: the last wins, as in Python */
    json_t *t;
    int rc;

    if (root == NULL)
        return err_set(e, ERR_PARSE, "%s:%d:%d: %s", name, je.line, je.column, je.text);
    t = json_object_get(root, "training");
    rc = check_training(name, t, e);
    if (rc == 0)
        *training = json_incref(t);
    json_decref(root);
    return rc;
}

/* ---- The user's file: the only I/O ----------------------------------------------------------- */

int hf_image_uris_user_path(char *buf, size_t size, struct err *e)
{
    /* the XDG spec ignores a relative XDG_CONFIG_HOME */
    const char *base = getenv("XDG_CONFIG_HOME"), *sub = "";
    int n;

    if (base == NULL || base[0] != '/') {
        base = getenv("HOME");
        sub = "/.config";
    }
    if (base == NULL || base[0] == '\0')
        return err_set(e, ERR_CONFIG, "no config directory for huggingface.json: set "
                       "XDG_CONFIG_HOME or HOME");
    n = snprintf(buf, size, "%s%s/sagetop/huggingface.json", base, sub);
    if (n < 0 || (size_t)n >= size)
        return err_set(e, ERR_TOOBIG, "the path of huggingface.json is too long");
    return 0;
}

int hf_image_uris_user_load(const char *path, json_t **training, struct err *e)
{
    struct dynbuf b;
    char chunk[16384];
    size_t n;
    FILE *f = fopen(path, "rb");
    int rc;

    if (f == NULL && errno == ENOENT) {
        *training = NULL;
        return 0;
    }
    if (f == NULL)
        return err_set(e, ERR_IO, "%s: %s", path, strerror(errno));
    dynbuf_init(&b, HF_USER_MAX_BYTES);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && dynbuf_add(&b, chunk, n) == 0)
        ;
    if (ferror(f))
        rc = err_set(e, ERR_IO, "%s: read failed", path);
    else if (b.err != 0)
        rc = err_set(e, b.err, "%s: %s", path,
                     b.err == ERR_TOOBIG ? "larger than 16 MiB" : "out of memory");
    else
        rc = hf_image_uris_parse(dynbuf_str(&b), b.len, path, training, e);
    fclose(f);
    dynbuf_free(&b);
    return rc;
}

int hf_image_uris_merge(json_t *base, const json_t *user, const char *name, struct err *e)
{
    json_t *versions = json_object_get(base, "versions");
    json_t *aliases = json_object_get(base, "version_aliases");
    json_t *processors = json_object_get(user, "processors");
    const char *k;
    json_t *v;
    int rc = 0;

    json_object_foreach(json_object_get(user, "versions"), k, v)
        rc |= json_object_set(versions, k, v);
    if (aliases == NULL && json_object_get(user, "version_aliases") != NULL) {
        aliases = json_object();
        rc |= json_object_set_new(base, "version_aliases", aliases);
    }
    json_object_foreach(json_object_get(user, "version_aliases"), k, v)
        rc |= json_object_set(aliases, k, v);
    if (processors != NULL)
        rc |= json_object_set(base, "processors", processors);
    if (rc != 0)
        return err_set(e, ERR_NOMEM, "%s: out of memory merging the image table", name);
    return check_aliases(name, base, e);
}

/* ---- Lookups --------------------------------------------------------------------------------- */

/* The config of a transformers version (through the top-level aliases) and its full name. */
static const json_t *find_version(const json_t *training, const char *version, const char **full)
{
    const json_t *alias = json_object_get(json_object_get(training, "version_aliases"), version);
    const char *name = json_is_string(alias) ? json_string_value(alias) : version;
    const json_t *vc = json_object_get(json_object_get(training, "versions"), name);

    if (vc != NULL)
        *full = name;
    return vc;
}

/* The entry of framework + fw_version in a version's config, through its version_aliases. */
static const json_t *find_entry(const json_t *vc, const char *framework, const char *fw_version)
{
    char key[128];
    const json_t *alias;
    const char *name, *fw;
    int n = snprintf(key, sizeof(key), "%s%s", framework, fw_version);

    if (n < 0 || (size_t)n >= sizeof(key))
        return NULL;
    alias = json_object_get(json_object_get(vc, "version_aliases"), key);
    name = json_is_string(alias) ? json_string_value(alias) : key;
    fw = entry_framework(name);
    return fw != NULL && strcmp(fw, framework) == 0 ? json_object_get(vc, name) : NULL;
}

/* A list of distinct borrowed names, up to max. */
struct names {
    const char **v;
    size_t n, max;
};

static void names_add(struct names *ns, const char *s)
{
    for (size_t i = 0; i < ns->n; i++)
        if (strcmp(ns->v[i], s) == 0)
            return;
    if (ns->n < ns->max)
        ns->v[ns->n++] = s;
}

/* Adds every alias naming target that starts with prefix, the prefix cut. */
static void names_add_aliases(struct names *ns, const json_t *aliases, const char *target,
                              const char *prefix)
{
    const char *k;
    json_t *v;

    json_object_foreach((json_t *)aliases, k, v) {
        if (strcmp(json_string_value(v), target) == 0 &&
            strncmp(k, prefix, strlen(prefix)) == 0)
            names_add(ns, k + strlen(prefix));
    }
}

/* Framework versions of one transformers version: each entry's, then its aliases. */
static void list_framework(struct names *ns, const json_t *vc, const char *framework)
{
    const json_t *aliases = json_object_get(vc, "version_aliases");
    const char *k;
    json_t *ent;

    json_object_foreach((json_t *)vc, k, ent) {
        const char *fw = entry_framework(k);

        if (fw == NULL || strcmp(fw, framework) != 0)
            continue;
        names_add(ns, k + strlen(fw));
        names_add_aliases(ns, aliases, k, fw);
    }
}

static void list_py(struct names *ns, const json_t *vc, const char *framework,
                    const char *fw_version)
{
    const char *k;
    json_t *ent, *py;
    size_t i;

    json_object_foreach((json_t *)vc, k, ent) {
        const char *fw = entry_framework(k);

        if (fw == NULL || (framework != NULL && strcmp(fw, framework) != 0))
            continue;
        if (fw_version != NULL && find_entry(vc, fw, fw_version) != ent)
            continue;
        json_array_foreach(json_object_get(ent, "py_versions"), i, py)
            names_add(ns, json_string_value(py));
    }
}

size_t hf_image_uris_list(const json_t *training, const char *what, const char *transformers,
                          const char *framework, const char *fw_version, const char **out,
                          size_t max)
{
    struct names ns = { out, 0, max };
    const char *full = NULL, *ver;
    json_t *vc;

    if (transformers != NULL && find_version(training, transformers, &full) == NULL)
        return 0;
    json_object_foreach(json_object_get(training, "versions"), ver, vc) {
        if (full != NULL && strcmp(ver, full) != 0)
            continue;
        if (strcmp(what, "transformers") == 0) {
            names_add(&ns, ver);
            names_add_aliases(&ns, json_object_get(training, "version_aliases"), ver, "");
        } else if (strcmp(what, "pytorch") == 0 || strcmp(what, "tensorflow") == 0) {
            list_framework(&ns, vc, what);
        } else if (strcmp(what, "py") == 0) {
            list_py(&ns, vc, framework, fw_version);
        }
    }
    return ns.n;
}

/* ---- Resolving ------------------------------------------------------------------------------- */

/* Appends s to a ", "-separated list, ending it with "..." once the next name would not fit. */
static void join(char *buf, size_t size, const char *s)
{
    size_t len = strlen(buf);

    if (len >= 3 && strcmp(buf + len - 3, "...") == 0)
        return;
    /* room for ", s" and a later ", ..." */
    if (len + 2 + strlen(s) + 5 >= size)
        snprintf(buf + len, size - len, "%s...", len > 0 ? ", " : "");
    else
        snprintf(buf + len, size - len, "%s%s", len > 0 ? ", " : "", s);
}

static void join_names(char *buf, size_t size, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        join(buf, size, v[i]);
}

/* The full transformers versions (with every alias they would not fit in an err message), and
 * one alias to show that aliases work too. */
static int unknown_version(const json_t *training, const char *transformers, struct err *e)
{
    char valid[HF_LIST_CHARS] = "", example[80] = "";
    const char *ver, *k;
    json_t *v;

    json_object_foreach(json_object_get(training, "versions"), ver, v)
        join(valid, sizeof(valid), ver);
    json_object_foreach(json_object_get(training, "version_aliases"), k, v)
        snprintf(example, sizeof(example), " (or an alias: %s for %s)", k, json_string_value(v));
    return err_set(e, ERR_INVAL, "unsupported transformers version '%s'; valid: %s%s",
                   transformers ? transformers : "", valid, example);
}

/* _processor(): "gpu" for the g* and p* families and local_gpu, "cpu" for the others. */
static const char *instance_processor(const char *type)
{
    if (strncmp(type, "local", 5) == 0)
        return strcmp(type, "local") == 0 ? "cpu" : "gpu";
    if (strncmp(type, "ml.", 3) == 0 || strncmp(type, "ml_", 3) == 0)
        type += 3;
    return type[0] == 'g' || type[0] == 'p' ? "gpu" : "cpu";
}

/* The entry's py version: the one given, or the only one when none is; NULL if not listed. */
static const char *pick_py(const json_t *ent, const char *py_version)
{
    const json_t *pys = json_object_get(ent, "py_versions");

    if ((py_version == NULL || py_version[0] == '\0') && json_array_size(pys) == 1)
        return json_string_value(json_array_get(pys, 0));
    return py_version != NULL && array_has(pys, py_version) ? py_version : NULL;
}

/* The processor the instance type needs (the only one when no type is given) and the entry's
 * container version for it ("" for none). */
static int pick_processor(const json_t *training, const json_t *ent, const char *instance_type,
                          const char **processor, const char **cv, struct err *e)
{
    const json_t *procs = json_object_get(training, "processors");
    const json_t *cvs = json_object_get(ent, "container_version");
    const char *p = instance_type != NULL && instance_type[0] != '\0'
                        ? instance_processor(instance_type)
                        : json_string_value(json_array_get(procs, 0));
    const char *c;

    if (!array_has(procs, p))
        return err_set(e, ERR_INVAL, "%s is not a GPU instance type; Hugging Face training "
                       "images are GPU only (ml.g*, ml.p*)", instance_type);
    c = cvs != NULL ? json_string_value(json_object_get(cvs, p))
                    : strcmp(p, "gpu") == 0 ? HF_DEFAULT_GPU_CONTAINER : "";
    if (c == NULL)
        return err_set(e, ERR_CONFIG, "the image table has no %s container_version for %s", p,
                       json_string_value(json_object_get(ent, "repository")));
    *processor = p;
    *cv = c;
    return 0;
}

int hf_image_uris_resolve(const json_t *training, const char *transformers, const char *framework,
                          const char *fw_version, const char *py_version,
                          const char *instance_type, const char *region, char *out, size_t size,
                          struct err *e)
{
    const char *names[64], *full, *processor = "", *cv = "", *account, *py;
    char valid[HF_LIST_CHARS] = "";
    const json_t *vc, *ent;
    size_t n;
    int rc, len;

    if (transformers == NULL || transformers[0] == '\0' ||
        (vc = find_version(training, transformers, &full)) == NULL)
        return unknown_version(training, transformers, e);
    if (framework == NULL || fw_version == NULL ||
        (ent = find_entry(vc, framework, fw_version)) == NULL) {
        n = framework ? hf_image_uris_list(training, framework, transformers, NULL, NULL, names,
                                           64) : 0;
        join_names(valid, sizeof(valid), names, n);
        return err_set(e, ERR_INVAL, "no %s %s image for transformers %s; valid: %s",
                       framework ? framework : "(no framework)", fw_version ? fw_version : "",
                       transformers, n ? valid : "(none for this framework)");
    }
    if ((py = pick_py(ent, py_version)) == NULL) {
        n = hf_image_uris_list(training, "py", transformers, framework, fw_version, names, 64);
        join_names(valid, sizeof(valid), names, n);
        return err_set(e, ERR_INVAL, "unsupported py_version '%s' for transformers %s %s %s; "
                       "valid: %s", py_version ? py_version : "", transformers, framework,
                       fw_version, valid);
    }
    if ((rc = pick_processor(training, ent, instance_type, &processor, &cv, e)) != 0)
        return rc;
    account = json_string_value(json_object_get(json_object_get(ent, "registries"), region));
    if (region == NULL || account == NULL)
        return err_set(e, ERR_INVAL, "the transformers %s %s %s image is not published in %s",
                       transformers, framework, fw_version, region ? region : "(no region)");
    len = snprintf(out, size, "%s.dkr.ecr.%s.%s/%s:%s-transformers%s-%s-%s%s%s", account, region,
                   aws_config_dns_suffix(region),
                   json_string_value(json_object_get(ent, "repository")), fw_version,
                   transformers, processor, py, cv[0] ? "-" : "", cv);
    if (len < 0 || (size_t)len >= size)
        return err_set(e, ERR_TOOBIG, "image URI too long");
    return 0;
}

/* ---- The process-wide table ------------------------------------------------------------------ */

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static json_t *table;          /* the merged "training" section; NULL if the built-in failed */
static struct err table_err;   /* why the user's file was refused (code 0: it was not) */

static void table_load(void)
{
    char path[4096];
    json_t *user = NULL;
    struct err pe = { 0 };

    if (hf_image_uris_parse((const char *)hf_images_json, hf_images_json_size,
                            "the built-in huggingface.json", &table, &table_err) != 0)
        return;
    /* no HOME nor XDG_CONFIG_HOME: there is no user file to read */
    if (hf_image_uris_user_path(path, sizeof(path), &pe) != 0)
        return;
    if (hf_image_uris_user_load(path, &user, &table_err) == 0 && user != NULL) {
        json_t *merged = json_deep_copy(table);

        if (merged == NULL) {
            err_set(&table_err, ERR_NOMEM, "out of memory loading %s", path);
        } else if (hf_image_uris_merge(merged, user, path, &table_err) == 0) {
            json_decref(table);
            table = merged;
        } else {
            json_decref(merged);
        }
    }
    if (table_err.code != 0)
        err_prefix(&table_err, "Hugging Face image table (transformers versions)");
    json_decref(user);
}

/* The table, or NULL with e filled when the built-in or the user's file failed to load. */
static const json_t *table_get(struct err *e)
{
    pthread_once(&table_once, table_load);
    if (table_err.code != 0) {
        if (e != NULL)
            *e = table_err;
        return NULL;
    }
    return table;
}

int hf_images_uri(const char *transformers, const char *framework, const char *fw_version,
                  const char *py_version, const char *instance_type, const char *region,
                  char *out, size_t size, struct err *e)
{
    const json_t *t = table_get(e);

    if (t == NULL)
        return e != NULL ? e->code : ERR_CONFIG;
    return hf_image_uris_resolve(t, transformers, framework, fw_version, py_version,
                                 instance_type, region, out, size, e);
}

/* Completion keeps working on the built-in table when the user's file was refused. */
size_t hf_images_list(const char *what, const char *transformers, const char *framework,
                      const char *fw_version, const char **out, size_t max)
{
    pthread_once(&table_once, table_load);
    if (table == NULL)
        return 0;
    return hf_image_uris_list(table, what, transformers, framework, fw_version, out, max);
}
