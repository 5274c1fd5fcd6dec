/* hf_images.c: the Hugging Face Deep Learning Container table for training images, and the
 * SDK's image URI resolution (image_uris.retrieve for framework "huggingface", scope
 * "training"): transformers version through the top-level aliases, "<framework><version>"
 * through the per-version aliases, registry account per region, GPU processor, the entry's
 * container_version, and the tag echoing the versions exactly as the user wrote them.
 *
 * Source of the data: the SageMaker Python SDK's src/sagemaker/image_uri_config/huggingface.json,
 * "training" section, transcribed in full (every version, per-version alias, py_versions,
 * repository, container_version and registry of every listed region) from the stored copy in
 * lareyes2/sagemaker-python-sdk (a fork of aws/sagemaker-python-sdk) at commit
 * 3017a39638b87adca52a5f7e34360b006a790504, read 2026-11-22. Of the stored copies it has the most
 * training versions (11: 4.4.2 .. 4.38.2); npinochet/sagemaker-python-sdk@755f10cb lists the
 * same versions, phall1/sagemaker-python-sdk@ce93a66d stops at 4.29.0 (a 4.29.0 / pytorch2.0.0
 * row that the newer copy no longer has, so it is not in this table) and
 * aws/sagemaker-python-sdk@5dd8b85d99a6 (2021) at 4.12.3.
 * The 4.26.0 and 4.28.1 rows agree with /work/shared/AWS_NOTES.md §4.1 (branch master-v2 at
 * fc582aaa, 2026-08-10, where the SDK's own code produced the URIs the unit tests check),
 * including their 31-region registry list.
 * Rows not listed here are refused like any unknown combination (the message lists what is
 * known); an explicit image_uri bypasses the table.
 * Entries without a container_version (4.4.2, 4.5.0) get the SDK's default "cu110-ubuntu18.04"
 * (get_training_image_uri). Pure data and lookups: no I/O. */
#include <stdio.h>
#include <string.h>

#include "launch/estimator.h"

const char hf_images_source[] =
    "sagemaker-python-sdk src/sagemaker/image_uri_config/huggingface.json "
    "(lareyes2/sagemaker-python-sdk@3017a39638b8, read 2026-11-22)";

struct region_account {
    const char *region;
    const char *account;
};

/* The 35 regions of the 4.4.2 .. 4.17.0 rows (the file's order). */
static const struct region_account regions_2021[] = {
    { "af-south-1", "626614931356" },     { "il-central-1", "780543022126" },
    { "ap-east-1", "871362719292" },      { "ap-northeast-1", "763104351884" },
    { "ap-northeast-2", "763104351884" }, { "ap-northeast-3", "364406365360" },
    { "ap-south-1", "763104351884" },     { "ap-south-2", "772153158452" },
    { "ap-southeast-1", "763104351884" }, { "ap-southeast-2", "763104351884" },
    { "ap-southeast-3", "907027046896" }, { "ap-southeast-4", "457447274322" },
    { "ca-central-1", "763104351884" },   { "cn-north-1", "727897471807" },
    { "cn-northwest-1", "727897471807" }, { "eu-central-1", "763104351884" },
    { "eu-central-2", "380420809688" },   { "eu-north-1", "763104351884" },
    { "eu-west-1", "763104351884" },      { "eu-west-2", "763104351884" },
    { "eu-west-3", "763104351884" },      { "eu-south-1", "692866216735" },
    { "eu-south-2", "503227376785" },     { "me-south-1", "217643126080" },
    { "me-central-1", "914824155844" },   { "sa-east-1", "763104351884" },
    { "us-east-1", "763104351884" },      { "us-east-2", "763104351884" },
    { "us-gov-east-1", "446045086412" },  { "us-gov-west-1", "442386744353" },
    { "us-iso-east-1", "886529160074" },  { "us-isob-east-1", "094389454867" },
    { "us-west-1", "763104351884" },      { "us-west-2", "763104351884" },
    { "ca-west-1", "204538143572" },      { NULL, NULL },
};

/* The 31 regions of the 4.26.0 .. 4.38.2 rows (as regions_2021 without ap-south-2,
 * ap-southeast-4, eu-central-2, eu-south-2; the list of AWS_NOTES §4.1). */
static const struct region_account regions_2023[] = {
    { "af-south-1", "626614931356" },     { "il-central-1", "780543022126" },
    { "ap-east-1", "871362719292" },      { "ap-northeast-1", "763104351884" },
    { "ap-northeast-2", "763104351884" }, { "ap-northeast-3", "364406365360" },
    { "ap-south-1", "763104351884" },     { "ap-southeast-1", "763104351884" },
    { "ap-southeast-2", "763104351884" }, { "ap-southeast-3", "907027046896" },
    { "ca-central-1", "763104351884" },   { "cn-north-1", "727897471807" },
    { "cn-northwest-1", "727897471807" }, { "eu-central-1", "763104351884" },
    { "eu-north-1", "763104351884" },     { "eu-west-1", "763104351884" },
    { "eu-west-2", "763104351884" },      { "eu-west-3", "763104351884" },
    { "eu-south-1", "692866216735" },     { "me-south-1", "217643126080" },
    { "me-central-1", "914824155844" },   { "sa-east-1", "763104351884" },
    { "us-east-1", "763104351884" },      { "us-east-2", "763104351884" },
    { "us-gov-east-1", "446045086412" },  { "us-gov-west-1", "442386744353" },
    { "us-iso-east-1", "886529160074" },  { "us-isob-east-1", "094389454867" },
    { "us-west-1", "763104351884" },      { "us-west-2", "763104351884" },
    { "ca-west-1", "204538143572" },      { NULL, NULL },
};

/* One "<framework><version>" entry of a transformers version. */
struct hf_image {
    const char *transformers;       /* full version, a key of "versions" */
    const char *framework;          /* "pytorch" | "tensorflow" */
    const char *fw_version;         /* full */
    const char *fw_alias;           /* short alias of fw_version in this transformers version */
    const char *py_versions[3];
    const char *repository;
    const char *container_version;  /* NULL: the SDK's default */
    const struct region_account *regions;
};

#define PT "huggingface-pytorch-training"
#define TF "huggingface-tensorflow-training"

static const struct hf_image images[] = {
    { "4.4.2", "pytorch", "1.6.0", "1.6", { "py36" }, PT, NULL, regions_2021 },
    { "4.4.2", "tensorflow", "2.4.1", "2.4", { "py37" }, TF, NULL, regions_2021 },
    { "4.5.0", "pytorch", "1.6.0", "1.6", { "py36" }, PT, NULL, regions_2021 },
    { "4.5.0", "tensorflow", "2.4.1", "2.4", { "py37" }, TF, NULL, regions_2021 },
    { "4.6.1", "pytorch", "1.6.0", "1.6", { "py36" }, PT, "cu110-ubuntu18.04", regions_2021 },
    { "4.6.1", "pytorch", "1.7.1", "1.7", { "py36" }, PT, "cu110-ubuntu18.04", regions_2021 },
    { "4.6.1", "pytorch", "1.8.1", "1.8", { "py36" }, PT, "cu111-ubuntu18.04", regions_2021 },
    { "4.6.1", "tensorflow", "2.4.1", "2.4", { "py37" }, TF, "cu110-ubuntu18.04", regions_2021 },
    { "4.10.2", "pytorch", "1.8.1", "1.8", { "py36" }, PT, "cu110-ubuntu18.04", regions_2021 },
    { "4.10.2", "pytorch", "1.9.0", "1.9", { "py38" }, PT, "cu111-ubuntu20.04", regions_2021 },
    { "4.10.2", "tensorflow", "2.4.1", "2.4", { "py37" }, TF, "cu110-ubuntu18.04", regions_2021 },
    { "4.10.2", "tensorflow", "2.5.1", "2.5", { "py37" }, TF, "cu112-ubuntu18.04", regions_2021 },
    { "4.11.0", "pytorch", "1.9.0", "1.9", { "py38" }, PT, "cu111-ubuntu20.04", regions_2021 },
    { "4.11.0", "tensorflow", "2.5.1", "2.5", { "py37" }, TF, "cu112-ubuntu18.04", regions_2021 },
    { "4.12.3", "pytorch", "1.9.1", "1.9", { "py38" }, PT, "cu111-ubuntu20.04", regions_2021 },
    { "4.12.3", "tensorflow", "2.5.1", "2.5", { "py37" }, TF, "cu112-ubuntu18.04", regions_2021 },
    { "4.17.0", "pytorch", "1.10.2", "1.10", { "py38" }, PT, "cu113-ubuntu20.04", regions_2021 },
    { "4.17.0", "tensorflow", "2.6.3", "2.6", { "py38" }, TF, "cu112-ubuntu20.04", regions_2021 },
    { "4.26.0", "pytorch", "1.13.1", "1.13", { "py39" }, PT, "cu117-ubuntu20.04", regions_2023 },
    { "4.28.1", "pytorch", "2.0.0", "2.0", { "py310" }, PT, "cu118-ubuntu20.04", regions_2023 },
    { "4.36.0", "pytorch", "2.1.0", "2.1", { "py310" }, PT, "cu121-ubuntu20.04", regions_2023 },
    { "4.38.2", "pytorch", "2.1.0", "2.1", { "py310" }, PT, "cu121-ubuntu20.04", regions_2023 },
    { "4.38.2", "pytorch", "2.2.1", "2.2", { "py310" }, PT, "cu121-ubuntu20.04", regions_2023 },
};
#define N_IMAGES (sizeof(images) / sizeof(images[0]))

#undef PT
#undef TF

/* The top-level version_aliases. */
static const struct {
    const char *alias, *version;
} tf_aliases[] = {
    { "4.4", "4.4.2" },   { "4.5", "4.5.0" },   { "4.6", "4.6.1" },   { "4.10", "4.10.2" },
    { "4.11", "4.11.0" }, { "4.12", "4.12.3" }, { "4.17", "4.17.0" }, { "4.26", "4.26.0" },
    { "4.28", "4.28.1" }, { "4.36", "4.36.0" }, { "4.38", "4.38.2" },
};
#define N_ALIASES (sizeof(tf_aliases) / sizeof(tf_aliases[0]))

static const char *full_transformers(const char *v)
{
    for (size_t i = 0; i < N_ALIASES; i++)
        if (strcmp(tf_aliases[i].alias, v) == 0)
            return tf_aliases[i].version;
    for (size_t i = 0; i < N_IMAGES; i++)
        if (strcmp(images[i].transformers, v) == 0)
            return images[i].transformers;
    return NULL;
}

/* Appends "a, b, c" of the distinct strings to buf. */
static void join_unique(char *buf, size_t size, const char *const *names, size_t n)
{
    size_t len = strlen(buf);

    for (size_t i = 0; i < n; i++) {
        bool dup = false;

        for (size_t j = 0; j < i && !dup; j++)
            dup = strcmp(names[i], names[j]) == 0;
        if (dup)
            continue;
        len += (size_t)snprintf(buf + len, len < size ? size - len : 0, "%s%s",
                                len > 0 && buf[len - 1] != ' ' ? ", " : "", names[i]);
        if (len >= size)
            return;
    }
}

size_t hf_images_list(const char *what, const char *transformers, const char *framework,
                      const char *fw_version, const char **out, size_t max)
{
    const char *full = transformers ? full_transformers(transformers) : NULL;
    size_t n = 0;

    if (transformers != NULL && full == NULL)
        return 0;
    for (size_t i = 0; i < N_IMAGES && n < max; i++) {
        const struct hf_image *im = &images[i];
        const char *cand[4] = { NULL };
        size_t nc = 0;

        if (full && strcmp(im->transformers, full) != 0)
            continue;
        if (strcmp(what, "transformers") == 0) {
            cand[nc++] = im->transformers;
            for (size_t a = 0; a < N_ALIASES; a++)
                if (strcmp(tf_aliases[a].version, im->transformers) == 0)
                    cand[nc++] = tf_aliases[a].alias;
        } else if (strcmp(what, "pytorch") == 0 || strcmp(what, "tensorflow") == 0) {
            if (strcmp(im->framework, what) != 0)
                continue;
            cand[nc++] = im->fw_version;
            cand[nc++] = im->fw_alias;
        } else if (strcmp(what, "py") == 0) {
            if (framework && strcmp(im->framework, framework) != 0)
                continue;
            if (fw_version && strcmp(im->fw_version, fw_version) != 0 &&
                strcmp(im->fw_alias, fw_version) != 0)
                continue;
            for (size_t p = 0; p < 3 && im->py_versions[p]; p++)
                cand[nc++] = im->py_versions[p];
        }
        for (size_t c = 0; c < nc && n < max; c++) {
            bool dup = false;

            for (size_t j = 0; j < n && !dup; j++)
                dup = strcmp(out[j], cand[c]) == 0;
            if (!dup)
                out[n++] = cand[c];
        }
    }
    return n;
}

static bool gpu_instance(const char *type)
{
    /* The SDK's _processor(): the family letter after "ml." decides (g*, p* are GPUs). */
    if (strncmp(type, "ml.", 3) == 0)
        type += 3;
    return type[0] == 'g' || type[0] == 'p';
}

int hf_images_uri(const char *transformers, const char *framework, const char *fw_version,
                  const char *py_version, const char *instance_type, const char *region,
                  char *out, size_t size, struct err *e)
{
    const char *names[64];
    char list[512] = "";
    const char *full;
    const struct hf_image *im = NULL;
    const char *account = NULL;

    full = transformers ? full_transformers(transformers) : NULL;
    if (full == NULL) {
        size_t n = hf_images_list("transformers", NULL, NULL, NULL, names, 64);

        join_unique(list, sizeof(list), names, n);
        return err_set(e, ERR_INVAL, "unsupported transformers version '%s'; valid: %s",
                       transformers ? transformers : "", list);
    }
    for (size_t i = 0; i < N_IMAGES && im == NULL; i++)
        if (strcmp(images[i].transformers, full) == 0 &&
            strcmp(images[i].framework, framework) == 0 &&
            (strcmp(images[i].fw_version, fw_version) == 0 ||
             strcmp(images[i].fw_alias, fw_version) == 0))
            im = &images[i];
    if (im == NULL) {
        size_t n = hf_images_list(framework, transformers, NULL, NULL, names, 64);

        join_unique(list, sizeof(list), names, n);
        return err_set(e, ERR_INVAL, "no %s %s image for transformers %s; valid: %s", framework,
                       fw_version, transformers, n ? list : "(none for this framework)");
    }
    if (py_version == NULL || !(
            (im->py_versions[0] && strcmp(im->py_versions[0], py_version) == 0) ||
            (im->py_versions[1] && strcmp(im->py_versions[1], py_version) == 0) ||
            (im->py_versions[2] && strcmp(im->py_versions[2], py_version) == 0))) {
        size_t n = 0;

        while (n < 3 && im->py_versions[n])
            n++;
        join_unique(list, sizeof(list), im->py_versions, n);
        return err_set(e, ERR_INVAL, "unsupported py_version '%s' for transformers %s %s %s; "
                       "valid: %s", py_version ? py_version : "", transformers, framework,
                       fw_version, list);
    }
    if (instance_type == NULL || !gpu_instance(instance_type))
        return err_set(e, ERR_INVAL, "%s is not a GPU instance type; Hugging Face training "
                       "images are GPU only (ml.g*, ml.p*)",
                       instance_type ? instance_type : "(none)");
    for (size_t i = 0; im->regions[i].region; i++)
        if (strcmp(im->regions[i].region, region) == 0)
            account = im->regions[i].account;
    if (account == NULL)
        return err_set(e, ERR_INVAL, "the transformers %s %s %s image is not published in %s",
                       transformers, framework, fw_version, region);
    if ((size_t)snprintf(out, size, "%s.dkr.ecr.%s.%s/%s:%s-transformers%s-gpu-%s-%s", account,
                         region, strncmp(region, "cn-", 3) == 0 ? "amazonaws.com.cn"
                                                                : "amazonaws.com",
                         im->repository, fw_version, transformers, py_version,
                         im->container_version ? im->container_version
                                               : "cu110-ubuntu18.04") >= size)
        return err_set(e, ERR_TOOBIG, "image URI too long");
    return 0;
}
