/* test_hf_images.c: launch/hf_image_uris.c, the Hugging Face training image table kept as the SDK's
 * own huggingface.json (data/huggingface.json, compiled in) and resolved by the SDK's rules.
 * Every (version x framework version x py version x region) of the shipped "training" section is
 * resolved, short aliases too; a sample is compared with URIs published elsewhere; the user's
 * $XDG_CONFIG_HOME/sagetop/huggingface.json is merged over the built-in table (each Criterion test
 * runs in its own process, so the once-loaded table starts fresh in every test). */
#include <criterion/criterion.h>
#include <jansson.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "launch/estimator.h"
#include "launch/hf_image_uris.h"

static char cfg_dir[64];

/* Every test gets an empty config directory of its own: the developer's own
 * ~/.config/sagetop/huggingface.json must not change what the tests see. */
static void fresh_config(void)
{
    char path[128];

    snprintf(cfg_dir, sizeof(cfg_dir), "/tmp/test_hf_images.XXXXXX");
    cr_assert_not_null(mkdtemp(cfg_dir));
    snprintf(path, sizeof(path), "%s/sagetop", cfg_dir);
    cr_assert_eq(mkdir(path, 0700), 0);
    setenv("XDG_CONFIG_HOME", cfg_dir, 1);
}

static void drop_config(void)
{
    char cmd[160];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cfg_dir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(hf_images, .init = fresh_config, .fini = drop_config);

static void write_user_file(const char *text)
{
    char path[160];
    FILE *f;

    snprintf(path, sizeof(path), "%s/sagetop/huggingface.json", cfg_dir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    cr_assert_eq(fputs(text, f) >= 0, 1);
    cr_assert_eq(fclose(f), 0);
}

static void check(const char *tf, const char *fw, const char *ver, const char *py,
                  const char *type, const char *region, const char *want)
{
    char uri[512];
    struct err e = { 0 };

    cr_assert_eq(hf_images_uri(tf, fw, ver, py, type, region, uri, sizeof(uri), &e), 0, "%s",
                 e.msg);
    cr_assert_str_eq(uri, want);
}

/* ---- Every row of the shipped table ---------------------------------------------------------- */

struct row_counts {
    size_t versions, entries, rows, alias_rows;
};

static const char *dns_suffix(const char *region)
{
    if (strncmp(region, "cn-", 3) == 0)
        return "amazonaws.com.cn";
    if (strncmp(region, "us-iso-", 7) == 0)
        return "c2s.ic.gov";
    if (strncmp(region, "us-isob-", 8) == 0)
        return "sc2s.sgov.gov";
    return "amazonaws.com";
}

/* Resolves tf/fw_ver (as written) for one region and checks the URI piece by piece against
 * the JSON: the registry's account, the region's host, the repository, the tag. */
static void check_row(const regex_t *shape, const char *tf, const char *fw, const char *fw_ver,
                      const char *py, const char *region, const char *account,
                      const json_t *ent)
{
    char uri[512], want[512];
    struct err e = { 0 };
    const char *cv = json_string_value(
        json_object_get(json_object_get(ent, "container_version"), "gpu"));

    cr_assert_eq(hf_images_uri(tf, fw, fw_ver, py, "ml.p4d.24xlarge", region, uri, sizeof(uri),
                               &e), 0, "%s %s%s %s %s: %s", tf, fw, fw_ver, py, region, e.msg);
    cr_assert_eq(regexec(shape, uri, 0, NULL, 0), 0, "malformed: %s", uri);
    snprintf(want, sizeof(want), "%s.dkr.ecr.%s.%s/%s:%s-transformers%s-gpu-%s-%s", account,
             region, dns_suffix(region), json_string_value(json_object_get(ent, "repository")),
             fw_ver, tf, py, cv ? cv : "cu110-ubuntu18.04");
    cr_assert_str_eq(uri, want);
}

/* The aliases (in aliases) that name target. */
static size_t aliases_of(const json_t *aliases, const char *target, const char **out, size_t max)
{
    const char *k;
    json_t *v;
    size_t n = 0;

    json_object_foreach((json_t *)aliases, k, v)
        if (n < max && strcmp(json_string_value(v), target) == 0)
            out[n++] = k;
    return n;
}

static void check_entry_rows(const regex_t *shape, const json_t *training, const char *ver,
                             const json_t *vc, const char *key, const json_t *ent,
                             struct row_counts *c)
{
    const char *fw = strncmp(key, "pytorch", 7) == 0 ? "pytorch" : "tensorflow";
    const char *tf_alias[8], *fw_alias[8], *region;
    size_t ntf = aliases_of(json_object_get(training, "version_aliases"), ver, tf_alias, 8);
    size_t nfw = aliases_of(json_object_get(vc, "version_aliases"), key, fw_alias, 8);
    json_t *py, *account;
    size_t i;

    c->entries++;
    json_array_foreach(json_object_get(ent, "py_versions"), i, py) {
        json_object_foreach(json_object_get(ent, "registries"), region, account) {
            const char *p = json_string_value(py), *a = json_string_value(account);

            check_row(shape, ver, fw, key + strlen(fw), p, region, a, ent);
            c->rows++;
            /* the short forms, echoed into the tag as written */
            for (size_t t = 0; t < ntf; t++)
                for (size_t f = 0; f < nfw; f++, c->alias_rows++)
                    check_row(shape, tf_alias[t], fw, fw_alias[f] + strlen(fw), p, region, a,
                              ent);
        }
    }
}

Test(hf_images, every_row_of_the_shipped_table)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)hf_images_json, hf_images_json_size, 0, &je);
    json_t *training, *vc, *ent;
    const char *ver, *key;
    struct row_counts c = { 0 };
    regex_t shape;

    cr_assert_not_null(root, "data/huggingface.json:%d:%d: %s", je.line, je.column, je.text);
    training = json_object_get(root, "training");
    cr_assert_eq(regcomp(&shape, "^[0-9]{12}\\.dkr\\.ecr\\.[a-z]+(-[a-z]+)+-[0-9]\\."
                                 "(amazonaws\\.com|amazonaws\\.com\\.cn|c2s\\.ic\\.gov|"
                                 "sc2s\\.sgov\\.gov)/huggingface-(pytorch|tensorflow)-training:"
                                 "[0-9]+(\\.[0-9]+)+-transformers[0-9]+(\\.[0-9]+)+-gpu-py3[0-9]+-"
                                 "cu[0-9]+-ubuntu[0-9]+\\.[0-9]+$",
                         REG_EXTENDED | REG_NOSUB), 0);
    json_object_foreach(json_object_get(training, "versions"), ver, vc) {
        c.versions++;
        json_object_foreach(vc, key, ent) {
            if (strcmp(key, "version_aliases") != 0)
                check_entry_rows(&shape, training, ver, vc, key, ent, &c);
        }
    }
    cr_log_info("data/huggingface.json training: %zu versions, %zu framework entries, %zu rows "
                "resolved, %zu more through aliases", c.versions, c.entries, c.rows,
                c.alias_rows);
    /* floors from the copy this was written against (SDK commit fef4571f: 16 versions, 27
     * entries, 909 rows); a newer copy may only add */
    cr_assert_geq(c.versions, 16);
    cr_assert_geq(c.entries, 27);
    cr_assert_geq(c.rows, 909);
    cr_assert_geq(c.alias_rows, 909);
    regfree(&shape);
    json_decref(root);
}

Test(hf_images, shipped_table_parses_and_every_alias_names_a_version)
{
    json_t *t = NULL;
    struct err e = { 0 };
    const char *k;
    json_t *v;

    cr_assert_eq(hf_image_uris_parse((const char *)hf_images_json, hf_images_json_size,
                                     "data/huggingface.json", &t, &e), 0, "%s", e.msg);
    json_object_foreach(json_object_get(t, "version_aliases"), k, v)
        cr_assert_not_null(json_object_get(json_object_get(t, "versions"), json_string_value(v)),
                           "alias %s", k);
    json_decref(t);
}

/* ---- URIs published elsewhere ---------------------------------------------------------------- */

Test(hf_images, uris_the_sdk_and_aws_publish)
{
    /* The SageMaker SDK's own code, run from source for AWS_NOTES §4.1 (master-v2 at fc582aaa):
     * HuggingFace(transformers_version="4.26", pytorch_version="1.13", py_version="py39"). */
    check("4.26", "pytorch", "1.13", "py39", "ml.p3.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    check("4.28.1", "pytorch", "2.0.0", "py310", "ml.g5.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.0.0-transformers4.28.1-gpu-py310-cu118-ubuntu20.04");
    /* aws/deep-learning-containers available_images.md lists this tag, and its regions table
     * gives China's account and the .amazonaws.com.cn host. */
    check("4.26.0", "pytorch", "1.13.1", "py39", "ml.p3.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04");
    check("4.26", "pytorch", "1.13", "py39", "ml.p3.2xlarge", "cn-north-1",
          "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-training:"
          "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    /* Tags in public use with the SDK (a project pinning sagemaker 2.248.2 records this one as
     * EXPECTED_SDK_TRAINING_IMAGE_TAG; the 4.56.2 and 4.36.0 ones are pulled by public training
     * scripts and listed in a public DLC table). */
    check("4.49.0", "pytorch", "2.5.1", "py311", "ml.g5.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.5.1-transformers4.49.0-gpu-py311-cu124-ubuntu22.04");
    check("4.56.2", "pytorch", "2.8.0", "py312", "ml.g6e.xlarge", "us-east-2",
          "763104351884.dkr.ecr.us-east-2.amazonaws.com/huggingface-pytorch-training:"
          "2.8.0-transformers4.56.2-gpu-py312-cu129-ubuntu22.04");
    check("4.36.0", "pytorch", "2.1.0", "py310", "ml.g5.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.1.0-transformers4.36.0-gpu-py310-cu121-ubuntu20.04");
}

Test(hf_images, transformers_4_56_and_5_3_resolve)
{
    check("4.56", "pytorch", "2.8", "py312", "ml.g5.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.8-transformers4.56-gpu-py312-cu129-ubuntu22.04");
    check("4.55", "pytorch", "2.7", "py312", "ml.p5.48xlarge", "eu-west-1",
          "763104351884.dkr.ecr.eu-west-1.amazonaws.com/huggingface-pytorch-training:"
          "2.7-transformers4.55-gpu-py312-cu128-ubuntu22.04");
    check("4.46", "pytorch", "2.3", "py311", "ml.g5.2xlarge", "me-central-1",
          "914824155844.dkr.ecr.me-central-1.amazonaws.com/huggingface-pytorch-training:"
          "2.3-transformers4.46-gpu-py311-cu121-ubuntu20.04");
    check("5.3", "pytorch", "2.9", "py312", "ml.g6.xlarge", "us-west-2",
          "763104351884.dkr.ecr.us-west-2.amazonaws.com/huggingface-pytorch-training:"
          "2.9-transformers5.3-gpu-py312-cu130-ubuntu22.04");
    /* no py_version: the entry's only one, as the SDK defaults it */
    check("4.56", "pytorch", "2.8", NULL, "ml.g5.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.8-transformers4.56-gpu-py312-cu129-ubuntu22.04");
    /* local_gpu is a GPU, as in the SDK's _processor() */
    check("4.56", "pytorch", "2.8", "py312", "local_gpu", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.8-transformers4.56-gpu-py312-cu129-ubuntu22.04");
}

Test(hf_images, iso_partitions_use_their_own_hosts)
{
    check("4.56", "pytorch", "2.8", "py312", "ml.p4d.24xlarge", "us-iso-east-1",
          "886529160074.dkr.ecr.us-iso-east-1.c2s.ic.gov/huggingface-pytorch-training:"
          "2.8-transformers4.56-gpu-py312-cu129-ubuntu22.04");
    check("4.56", "pytorch", "2.8", "py312", "ml.p4d.24xlarge", "us-isob-east-1",
          "094389454867.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/huggingface-pytorch-training:"
          "2.8-transformers4.56-gpu-py312-cu129-ubuntu22.04");
    check("4.17", "tensorflow", "2.6", "py38", "ml.p3.2xlarge", "us-gov-west-1",
          "442386744353.dkr.ecr.us-gov-west-1.amazonaws.com/huggingface-tensorflow-training:"
          "2.6-transformers4.17-gpu-py38-cu112-ubuntu20.04");
}

/* ---- Refusals name the valid choices --------------------------------------------------------- */

static const char *refuse(const char *tf, const char *fw, const char *ver, const char *py,
                          const char *type, const char *region)
{
    static struct err e;
    char uri[512];

    memset(&e, 0, sizeof(e));
    cr_assert_eq(hf_images_uri(tf, fw, ver, py, type, region, uri, sizeof(uri), &e), ERR_INVAL,
                 "resolved %s", uri);
    return e.msg;
}

Test(hf_images, unknown_choices_list_the_valid_ones)
{
    const char *m;

    m = refuse("4.57", "pytorch", "2.8", "py312", "ml.g5.2xlarge", "us-east-1");
    cr_assert(strstr(m, "unsupported transformers version '4.57'; valid: 4.4.2, 4.5.0, 4.6.1, "
                        "4.10.2, 4.11.0, 4.12.3, 4.17.0, 4.26.0, 4.28.1, 4.36.0, 4.46.1, 4.48.0, "
                        "4.49.0, 4.55.0, 4.56.2, 5.3.0 (or an alias: 5.3 for 5.3.0)"), "%s", m);
    m = refuse("4.56", "pytorch", "2.7", "py312", "ml.g5.2xlarge", "us-east-1");
    cr_assert_str_eq(m, "no pytorch 2.7 image for transformers 4.56; valid: 2.8.0, 2.8");
    m = refuse("4.56", "tensorflow", "2.8", "py312", "ml.g5.2xlarge", "us-east-1");
    cr_assert_str_eq(m, "no tensorflow 2.8 image for transformers 4.56; valid: (none for this "
                        "framework)");
    m = refuse("4.56.2", "pytorch", "2.8.0", "py311", "ml.g5.2xlarge", "us-east-1");
    cr_assert_str_eq(m, "unsupported py_version 'py311' for transformers 4.56.2 pytorch 2.8.0; "
                        "valid: py312");
    m = refuse("4.56", "pytorch", "2.8", "py312", "ml.m5.xlarge", "us-east-1");
    cr_assert(strstr(m, "ml.m5.xlarge is not a GPU instance type"), "%s", m);
    m = refuse("4.56", "pytorch", "2.8", "py312", "local", "us-east-1");
    cr_assert(strstr(m, "local is not a GPU instance type"), "%s", m);
    /* the 4.26+ training images are not in ap-south-2; 4.17's are */
    m = refuse("4.56", "pytorch", "2.8", "py312", "ml.g5.2xlarge", "ap-south-2");
    cr_assert_str_eq(m, "the transformers 4.56 pytorch 2.8 image is not published in ap-south-2");
    check("4.17", "pytorch", "1.10", "py38", "ml.g5.2xlarge", "ap-south-2",
          "772153158452.dkr.ecr.ap-south-2.amazonaws.com/huggingface-pytorch-training:"
          "1.10-transformers4.17-gpu-py38-cu113-ubuntu20.04");
}

/* A long list ends in "..." rather than being cut mid-name by the message's size. */
Test(hf_images, a_long_valid_list_ends_with_an_ellipsis)
{
    json_t *t = NULL;
    struct err e = { 0 };
    char text[8192] = "{\"training\": {\"processors\": [\"gpu\"], \"versions\": {";
    char uri[256];

    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof(text) - strlen(text),
                 "%s\"4.%d.0\": {\"pytorch2.9.0\": {\"py_versions\": [\"py312\"], "
                 "\"registries\": {\"us-east-1\": \"763104351884\"}, "
                 "\"repository\": \"huggingface-pytorch-training\"}}", i ? ", " : "", 100 + i);
    strcat(text, "}}}");
    cr_assert_eq(hf_image_uris_parse(text, strlen(text), "big.json", &t, &e), 0, "%s", e.msg);
    cr_assert_eq(hf_image_uris_resolve(t, "9.9", "pytorch", "2.9", "py312", "ml.g5.xlarge",
                                       "us-east-1", uri, sizeof(uri), &e), ERR_INVAL);
    cr_assert(strstr(e.msg, "valid: 4.100.0, 4.101.0, "), "%s", e.msg);
    cr_assert(strstr(e.msg, ", ...") != NULL && strlen(e.msg) < ERR_MSG_MAX - 1, "%s", e.msg);
    json_decref(t);
}

/* ---- Completion ------------------------------------------------------------------------------ */

static bool listed(const char **v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i], s) == 0)
            return true;
    return false;
}

Test(hf_images, lists_for_completion)
{
    const char *v[160];
    size_t n;

    n = hf_images_list("transformers", NULL, NULL, NULL, v, 160);
    cr_assert_eq(n, 32, "16 versions and their 16 aliases, got %zu", n);
    cr_assert_str_eq(v[0], "4.4.2");
    cr_assert_str_eq(v[1], "4.4");
    cr_assert(listed(v, n, "4.56.2") && listed(v, n, "4.56") && listed(v, n, "5.3"));
    cr_assert(!listed(v, n, "4.38.2") && !listed(v, n, "4.38"));
    n = hf_images_list("pytorch", "4.56", NULL, NULL, v, 160);
    cr_assert_eq(n, 2);
    cr_assert_str_eq(v[0], "2.8.0");
    cr_assert_str_eq(v[1], "2.8");
    n = hf_images_list("tensorflow", "4.10", NULL, NULL, v, 160);
    cr_assert_eq(n, 4);
    cr_assert_str_eq(v[0], "2.4.1");
    cr_assert_str_eq(v[3], "2.5");
    n = hf_images_list("py", "4.10", "pytorch", "1.8", v, 160);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(v[0], "py36");
    cr_assert_eq(hf_images_list("py", "4.99", "pytorch", NULL, v, 160), 0);
    cr_assert_eq(hf_images_list("transformers", NULL, NULL, NULL, v, 3), 3);
}

/* ---- The user's file ------------------------------------------------------------------------- */

static const char user_table[] =
    "{\n"
    "  \"training\": {\n"
    "    \"processors\": [\"gpu\"],\n"
    "    \"version_aliases\": {\"4.60\": \"4.60.1\", \"4.56\": \"4.56.2\"},\n"
    "    \"versions\": {\n"
    "      \"4.60.1\": {\n"
    "        \"version_aliases\": {\"pytorch2.10\": \"pytorch2.10.0\"},\n"
    "        \"pytorch2.10.0\": {\n"
    "          \"py_versions\": [\"py312\", \"py313\"],\n"
    "          \"registries\": {\"us-east-1\": \"763104351884\", \"cn-north-1\": \"727897471807\"},\n"
    "          \"repository\": \"huggingface-pytorch-training\",\n"
    "          \"container_version\": {\"gpu\": \"cu130-ubuntu24.04\"}\n"
    "        }\n"
    "      },\n"
    "      \"4.56.2\": {\n"
    "        \"pytorch2.8.0\": {\n"
    "          \"py_versions\": [\"py312\"],\n"
    "          \"registries\": {\"us-east-1\": \"111122223333\"},\n"
    "          \"repository\": \"huggingface-pytorch-training\",\n"
    "          \"container_version\": {\"gpu\": \"cu129-ubuntu24.04\"}\n"
    "        }\n"
    "      }\n"
    "    }\n"
    "  }\n"
    "}\n";

Test(hf_images, the_user_file_adds_newer_versions_and_wins)
{
    const char *v[160];
    size_t n;

    write_user_file(user_table);
    check("4.60", "pytorch", "2.10", "py313", "ml.g6.xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.10-transformers4.60-gpu-py313-cu130-ubuntu24.04");
    check("4.60.1", "pytorch", "2.10.0", "py312", "ml.g6.xlarge", "cn-north-1",
          "727897471807.dkr.ecr.cn-north-1.amazonaws.com.cn/huggingface-pytorch-training:"
          "2.10.0-transformers4.60.1-gpu-py312-cu130-ubuntu24.04");
    /* the user's 4.56.2 replaces the built-in one whole (no "pytorch2.8" alias any more) */
    check("4.56", "pytorch", "2.8.0", "py312", "ml.g6.xlarge", "us-east-1",
          "111122223333.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "2.8.0-transformers4.56-gpu-py312-cu129-ubuntu24.04");
    cr_assert_str_eq(refuse("4.56", "pytorch", "2.8.0", "py312", "ml.g6.xlarge", "eu-west-1"),
                     "the transformers 4.56 pytorch 2.8.0 image is not published in eu-west-1");
    /* the rest of the built-in table is still there */
    check("4.26", "pytorch", "1.13", "py39", "ml.p3.2xlarge", "us-east-1",
          "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:"
          "1.13-transformers4.26-gpu-py39-cu117-ubuntu20.04");
    n = hf_images_list("transformers", NULL, NULL, NULL, v, 160);
    cr_assert_eq(n, 34, "%zu", n);
    cr_assert_str_eq(v[32], "4.60.1");
    cr_assert_str_eq(v[33], "4.60");
}

Test(hf_images, a_malformed_user_file_names_file_line_and_column)
{
    char uri[256], want[128];
    const char *v[160];
    struct err e = { 0 };

    write_user_file("{\n  \"training\": {\n    \"versions\": {,}\n  }\n}\n");
    cr_assert_eq(hf_images_uri("4.56", "pytorch", "2.8", "py312", "ml.g5.xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_PARSE);
    snprintf(want, sizeof(want), "%s/sagetop/huggingface.json:3:18: ", cfg_dir);
    cr_assert(strstr(e.msg, want) != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, "Hugging Face image table (transformers versions): ") == e.msg,
              "%s", e.msg);
    /* completion keeps the built-in table */
    cr_assert_eq(hf_images_list("transformers", NULL, NULL, NULL, v, 160), 32);
}

Test(hf_images, a_user_file_of_the_wrong_shape_is_refused)
{
    char uri[256];
    struct err e = { 0 };

    write_user_file("{\"inference\": {}}");
    cr_assert_eq(hf_images_uri("4.56", "pytorch", "2.8", "py312", "ml.g5.xlarge", "us-east-1",
                               uri, sizeof(uri), &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "sagetop/huggingface.json: no \"training\" object"), "%s", e.msg);
}

Test(hf_images, shape_errors_say_where)
{
    json_t *t = NULL;
    struct err e = { 0 };
    static const char no_repo[] =
        "{\"training\": {\"processors\": [\"gpu\"], \"versions\": {\"4.60.1\": "
        "{\"pytorch2.10.0\": {\"py_versions\": [\"py312\"], "
        "\"registries\": {\"us-east-1\": \"763104351884\"}}}}}}";
    static const char bad_alias[] =
        "{\"training\": {\"processors\": [\"gpu\"], \"versions\": {\"4.60.1\": "
        "{\"version_aliases\": {\"pytorch2.10\": \"pytorch2.1.0\"}, \"pytorch2.10.0\": "
        "{\"py_versions\": [\"py312\"], \"registries\": {\"us-east-1\": \"763104351884\"}, "
        "\"repository\": \"r\"}}}}}";

    cr_assert_eq(hf_image_uris_parse(no_repo, strlen(no_repo), "u.json", &t, &e), ERR_CONFIG);
    cr_assert_str_eq(e.msg, "u.json: training version 4.60.1, pytorch2.10.0 needs a "
                            "\"repository\" string");
    cr_assert_eq(hf_image_uris_parse(bad_alias, strlen(bad_alias), "u.json", &t, &e),
                 ERR_CONFIG);
    cr_assert_str_eq(e.msg, "u.json: training version 4.60.1: alias pytorch2.10 names "
                            "pytorch2.1.0, which it does not have");
    cr_assert_null(t);
}

Test(hf_images, merge_refuses_an_alias_to_no_version)
{
    json_t *base = NULL, *user = NULL;
    struct err e = { 0 };
    static const char text[] =
        "{\"training\": {\"processors\": [\"gpu\"], \"version_aliases\": {\"4.61\": \"4.61.0\"},"
        " \"versions\": {\"4.60.1\": {\"pytorch2.10.0\": {\"py_versions\": [\"py312\"], "
        "\"registries\": {\"us-east-1\": \"763104351884\"}, \"repository\": \"r\"}}}}}";

    cr_assert_eq(hf_image_uris_parse((const char *)hf_images_json, hf_images_json_size, "built-in",
                                     &base, &e), 0, "%s", e.msg);
    cr_assert_eq(hf_image_uris_parse(text, strlen(text), "u.json", &user, &e), 0, "%s", e.msg);
    cr_assert_eq(hf_image_uris_merge(base, user, "u.json", &e), ERR_CONFIG);
    cr_assert_str_eq(e.msg, "u.json: transformers alias 4.61 names 4.61.0, which no table has");
    json_decref(base);
    json_decref(user);
}

Test(hf_images, user_path_follows_xdg_then_home)
{
    char path[256];
    struct err e = { 0 };

    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    cr_assert_eq(hf_image_uris_user_path(path, sizeof(path), &e), 0);
    cr_assert_str_eq(path, "/x/cfg/sagetop/huggingface.json");
    setenv("XDG_CONFIG_HOME", "relative/cfg", 1); /* ignored, as the XDG spec says */
    setenv("HOME", "/home/u", 1);
    cr_assert_eq(hf_image_uris_user_path(path, sizeof(path), &e), 0);
    cr_assert_str_eq(path, "/home/u/.config/sagetop/huggingface.json");
    cr_assert_eq(hf_image_uris_user_path(path, 10, &e), ERR_TOOBIG);
    unsetenv("XDG_CONFIG_HOME");
    unsetenv("HOME");
    cr_assert_eq(hf_image_uris_user_path(path, sizeof(path), &e), ERR_CONFIG);
}

Test(hf_images, a_missing_user_file_is_no_error)
{
    json_t *t = (json_t *)1;
    struct err e = { 0 };

    cr_assert_eq(hf_image_uris_user_load("/nonexistent/sagetop/huggingface.json", &t, &e), 0);
    cr_assert_null(t);
    cr_assert_eq(hf_image_uris_user_load("/", &t, &e), ERR_IO);
    cr_assert(strstr(e.msg, "/: read failed"), "%s", e.msg);
}
