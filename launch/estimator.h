/* estimator.h: a Hugging Face estimator (the SageMaker Python SDK's HuggingFace, as users write
 * it) and the CreateTrainingJob request it turns into, built exactly as the SDK builds it
 * (AWS_NOTES §4): image URI from the Deep Learning Containers table (hf_image_uris.c, data/huggingface.json), hyperparameters
 * JSON-encoded like Python's json.dumps, the script-mode and distribution keys, the SDK's defaults.
 *
 * Everything here is pure: no network, no files, no clock (the time is an input), any thread.
 * Packing and uploading the source is launch_run()'s business (launch.h, sourcedir.h); this
 * module says what to upload and where. The code: estimator.c (fields, spec files),
 * hyperparams.c, names.c, validate.c, request.c, relaunch.c, diff.c.
 *
 * Two ways to a request:
 *   - new:       struct estimator (fields set by name with estimator_set(), or from a spec file
 *                with estimator_from_spec()) -> estimator_build();
 *   - re-launch: a DescribeTrainingJob document -> estimator_relaunch() (read-only members
 *                dropped, names rewritten, the source tarball reused), then changed with
 *                estimator_request_set() ("hp.epochs", "instance_type", "spot", ...).
 * Either way estimator_check_request() makes every check AWS would make, one message per field.
 *
 * Ownership: an estimator owns its strings (estimator_clean() frees them). Requests are json_t
 * owned by the caller. Errors: 0 or a negative ERR_* with e filled; nothing prints. */
#ifndef SAGETOP_LAUNCH_ESTIMATOR_H
#define SAGETOP_LAUNCH_ESTIMATOR_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

/* One name → value pair of an estimator's lists. */
struct estimator_kv {
    char *key;
    char *value;
};

struct estimator_kvs {
    struct estimator_kv *v;
    size_t n;
};

/* Distribution strategies the HF estimator knows (estimator field "distribution"). */
#define ESTIMATOR_DIST_NONE "none"
#define ESTIMATOR_DIST_SMDDP "smdistributed_dataparallel"
#define ESTIMATOR_DIST_SMMP "smdistributed_modelparallel"
#define ESTIMATOR_DIST_PYTORCHDDP "pytorchddp"
#define ESTIMATOR_DIST_TORCH "torch_distributed"
#define ESTIMATOR_DIST_MPI "mpi"     /* {"mpi": {"enabled": true, ...}} alone: processes_per_host
                                       (optional) and custom_mpi_options */

/* Every string may be NULL (unset). Numbers are 0 when unset (defaults apply at build time). */
struct estimator {
    char *name;                     /* TrainingJobName; NULL: <base>-<timestamp> */
    char *base_job_name;            /* NULL: the image's repository name */
    char *entry_point;              /* "train.py" (required) */
    char *source_dir;               /* local directory, or a path inside the git repository */
    char *git_repo;                 /* git source: cloned first (sourcedir.h) */
    char *git_branch;
    char *git_commit;
    char *submit_directory;         /* s3://.../sourcedir.tar.gz already uploaded: no upload */
    char *code_bucket;              /* the SDK's code_location (also field "code_location"):
                                       "bucket" or "s3://bucket/prefix"; the source goes to
                                       <prefix>/<job>/source/. NULL: output_path's bucket
                                       (no prefix), else sagemaker-<region>-<account> */
    char *transformers_version;
    char *pytorch_version;          /* exactly one of pytorch_version / tensorflow_version */
    char *tensorflow_version;
    char *py_version;               /* "py39" */
    char *image_uri;                /* explicit image: the table is not consulted */
    char *instance_type;
    long instance_count;            /* default 1 */
    long volume_size_gb;            /* default 30 */
    char *role;                     /* RoleArn */
    char *output_path;              /* default s3://<default bucket>/ */
    long max_run_s;                 /* default 86400 */
    bool spot;                      /* use_spot_instances */
    long max_wait_s;
    char *checkpoint_s3_uri;
    char *checkpoint_local_path;
    char *distribution;             /* ESTIMATOR_DIST_*; NULL = none */
    char *custom_mpi_options;       /* smddp / model parallel / mpi: MPI options */
    long processes_per_host;        /* model parallel, mpi: MPI processes per host */
    char *mp_parameters;            /* model parallel parameters, a JSON object text */
    long container_log_level;       /* default 20 (logging.INFO) */
    struct estimator_kvs hyperparameters;   /* value: JSON text as written (5e-5, true, "x");
                                               text that is not JSON is a string */
    struct estimator_kvs inputs;            /* channel name -> s3 URI */
    struct estimator_kvs environment;
    struct estimator_kvs tags;
    struct estimator_kvs metric_definitions;  /* Name -> Regex */
};

void estimator_init(struct estimator *est);
void estimator_clean(struct estimator *est);

/* Sets one field by its name (the --set KEY=VALUE keys, the spec file's keys, the form's
 * fields): a scalar field ("instance_type", "max_run", "spot"...) or a list entry
 * ("hp.epochs", "input.train", "env.X", "tag.project", "metric.eval_loss"); an empty value
 * removes a list entry. ERR_INVAL "KEY: ..." for an unknown key or a value of the wrong kind. */
int estimator_set(struct estimator *est, const char *key, const char *value, struct err *e);
/* The field's current value as text ("" when unset); for the form and for error messages. */
void estimator_get(const struct estimator *est, const char *key, char *buf, size_t size);

/* The scalar fields, in the form's order, grouped. */
struct estimator_field {
    const char *key;                /* "instance_type" */
    const char *group;              /* "Source", "Framework", "Resources", ... */
    const char *help;               /* one line */
};
extern const struct estimator_field estimator_fields[];
extern const size_t estimator_n_fields;

/* A spec file: a JSON object whose members are field names; "hyperparameters", "inputs",
 * "environment", "tags" are objects and "metric_definitions" an object (Name: Regex) or a
 * list of {"Name","Regex"}; integers beyond int64 are read as Python reads them (their digits
 * kept); "distribution" may also be the SDK's dict
 * ({"smdistributed":{"dataparallel":{"enabled":true}}}, {"pytorchddp":{"enabled":true}},
 * {"mpi":{"enabled":true,"processes_per_host":8}}...). */
int estimator_from_spec(struct estimator *est, const char *json, size_t len, struct err *e);

/* Where the request goes and what the build needs from outside. */
struct estimator_context {
    const char *region;             /* required */
    const char *account;            /* for the default bucket; required unless output_path is
                                       given */
    double now;                     /* epoch seconds with fraction: the default job name */
};

/* What estimator_build() decided besides the request. */
struct estimator_plan {
    char job_name[64];
    char bucket[64];                /* upload target ("" when submit_directory is given) */
    char key[1024];                 /* "[<prefix>/]<job>/source/sourcedir.tar.gz" */
    char submit_uri[1100];          /* s3://bucket/key, or the given submit_directory */
    bool upload;                    /* the caller must pack and upload the source */
    bool default_bucket;            /* bucket is sagemaker-<region>-<account> (create if missing);
                                       false for code_bucket and output_path's bucket, which
                                       the SDK never creates */
};

/* The per-field problems found by the checks. */
#define ESTIMATOR_ISSUES_MAX 32
struct estimator_issue {
    char field[48];                 /* estimator field name: "instance_type", "hp.epochs" */
    char msg[256];
};
struct estimator_issues {
    struct estimator_issue v[ESTIMATOR_ISSUES_MAX];
    size_t n;
};
/* Adds one (silently drops past the cap). printf-style. */
void estimator_issue_add(struct estimator_issues *is, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The issue for field, or NULL. */
const struct estimator_issue *estimator_issue_find(const struct estimator_issues *is,
                                                   const char *field);

/* Checks the estimator's own fields (entry point, versions → image, distribution against
 * versions) into issues, then builds the request and checks it (estimator_check_request()).
 * On success (no issues) *out owns the request and plan is filled; with issues it returns
 * ERR_INVAL, *out untouched, e says how many. */
int estimator_build(const struct estimator *est, const struct estimator_context *ctx,
                    json_t **out, struct estimator_plan *plan, struct estimator_issues *issues,
                    struct err *e);

/* Every check AWS makes on a CreateTrainingJob request, per field: name pattern and length,
 * known instance type, instance count, volume, max_run/max_wait (spot needs max_wait >=
 * max_run), S3 URI and role ARN shapes, channels, metric definitions (count, lengths, and
 * that each regex compiles: PCRE2's message and offset), distribution keys against the
 * instance type and count, hyperparameter and environment limits. */
void estimator_check_request(const json_t *req, struct estimator_issues *issues);

/* A hyperparameter written as text (hp.KEY=text, key without "hp.") that the SDK would send as
 * a string where a number is expected: source_wire is the source job's wire value of KEY
 * ("5e-05"; a re-launch), or NULL for a new estimator (then the names the Hugging Face scripts
 * parse as numbers: learning_rate, epochs, ...). JSON text ("\"abc\"", 3, true) is taken as
 * meant. Adds an issue to "hp.KEY" saying what would be sent and why it is suspicious. */
void estimator_check_hp_text(struct estimator_issues *issues, const char *key, const char *text,
                             const char *source_wire);
/* A re-launch's change KEY=value checked against the source job's request (src_req, may be
 * NULL): estimator_check_hp_text() for "hp." keys; nothing for the others. */
void estimator_check_set(struct estimator_issues *issues, const json_t *src_req, const char *key,
                         const char *value);
/* The SDK's validate_source_dir, before anything is built: a local entry point must be a file
 * (inside source_dir when given) and source_dir a directory. Skipped for git and S3 sources and
 * submit_directory. The one check that touches the disk (stat() only). */
void estimator_check_source(const struct estimator *est, struct estimator_issues *issues);

/* A re-launch: the CreateTrainingJob request of a DescribeTrainingJob document (json, len):
 * only CreateTrainingJob's members kept, read-only and empty ones dropped, TrainingJobName and
 * sagemaker_job_name set to new_name. The source tarball (sagemaker_submit_directory) stays. */
int estimator_relaunch(const char *json, size_t len, const char *new_name, json_t **out,
                       struct err *e);
/* Changes a request as --set does: "name", "hp.KEY" (JSON-encoded like the SDK; empty
 * removes), "instance_type" (also sagemaker_instance_type), "instance_count", "volume_size",
 * "max_run", "max_wait", "spot" (true: max_wait defaults to max_run), "checkpoint_s3_uri",
 * "role", "output_path", "image_uri", "entry_point", "input.NAME", "env.KEY", "tag.KEY",
 * "metric.NAME". ERR_INVAL on an unknown key (listing the known ones). */
int estimator_request_set(json_t *req, const char *key, const char *value, struct err *e);
/* The keys estimator_request_set() knows, NULL-terminated. */
extern const char *const estimator_request_keys[];

/* What changed from old to new, one "Path: old -> new" line each (flattened paths such as
 * "HyperParameters.epochs", "ResourceConfig.InstanceType"), into buf (NUL-terminated,
 * truncated with "..." when full). Returns the number of changed paths. */
size_t estimator_request_diff(const json_t *old_req, const json_t *new_req, char *buf,
                              size_t size);

/* ---- Helpers, exposed for tests ----------------------------------------------------------- */

/* Python's json.dumps(value) for a JSON value (", " and ": " separators, ensure_ascii, floats
 * as repr()). Caller frees. NULL on out-of-memory. */
char *estimator_py_json(const json_t *value);
/* The SDK's wire value of a hyperparameter written as text: JSON text is encoded as its value,
 * anything else as a string ("5" -> "5", "5e-5" -> "5e-05", "true" -> "true", "bert" ->
 * "\"bert\""). Caller frees. */
char *estimator_hp_encode(const char *text);
/* name_from_base(base) at time now: "<base trimmed>-%Y-%m-%d-%H-%M-%S-<ms>", at most 63. */
void estimator_default_name(const char *base, double now, char *out, size_t size);
/* base_name_from_image: the repository part of an image URI. */
void estimator_base_from_image(const char *image, char *out, size_t size);
/* A re-launch's default name: the source name without its SDK timestamp, plus a new one. */
void estimator_relaunch_name(const char *source, double now, char *out, size_t size);
/* SageMaker's training instance types (botocore's TrainingInstanceType enum), NULL-terminated. */
extern const char *const estimator_instance_types[];
bool estimator_known_instance_type(const char *type);

/* ---- The Hugging Face DLC image table (hf_image_uris.c, data/huggingface.json) --------------------------------------- */

/* framework: "pytorch" or "tensorflow"; versions as the user writes them (short or full:
 * they are echoed into the tag as given). ERR_INVAL naming the valid choices on an unknown
 * transformers version, framework version, py version, a CPU instance type or a region the
 * image is not published in. */
int hf_images_uri(const char *transformers, const char *framework, const char *fw_version,
                  const char *py_version, const char *instance_type, const char *region,
                  char *out, size_t size, struct err *e);
/* For completion. what: "transformers" (every version and alias), "pytorch"/"tensorflow"
 * (versions for transformers, NULL = all), "py" (py versions for transformers+framework).
 * Writes up to max names; returns how many. */
size_t hf_images_list(const char *what, const char *transformers, const char *framework,
                      const char *fw_version, const char **out, size_t max);
/* Where the table comes from ("sagemaker-python-sdk ... huggingface.json, <date>"). */
extern const char hf_images_source[];

#endif
