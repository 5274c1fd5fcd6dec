/* sagemaker_internal.h: what sagemaker.c (requests, calls) and sagemaker_parse.c (responses)
 * share inside the module. Not for other modules: they use sagemaker.h.
 *
 * Each *_json() reads the root object of one response (borrowed) into the struct behind out
 * (the json_doc_fn shape of json.h), filling it only on success. */
#ifndef SAGETOP_AWS_SAGEMAKER_INTERNAL_H
#define SAGETOP_AWS_SAGEMAKER_INTERNAL_H

#include "aws/json.h"
#include "aws/sagemaker.h"

/* ListTags: the tags and the next page's token (NULL when there is none). */
struct sagemaker_tags_out {
    struct sagemaker_kv *kv;
    size_t n;
    char *next_token;
};
/* CreateTrainingJob: the ARN into the caller's buffer. */
struct sagemaker_arn_out {
    char *arn;
    size_t len;
};

int sagemaker_parse_list_json(const json_t *root, void *out, struct err *e);   /* job_list */
int sagemaker_parse_job_json(const json_t *root, void *out, struct err *e);    /* job */
int sagemaker_parse_tags_json(const json_t *root, void *out, struct err *e);   /* tags_out */
int sagemaker_parse_arn_json(const json_t *root, void *out, struct err *e);    /* arn_out */
int sagemaker_parse_search_json(const json_t *root, void *out, struct err *e); /* search_page */
int sagemaker_parse_tuning_json(const json_t *root, void *out, struct err *e); /* tuning_list */
int sagemaker_parse_trials_json(const json_t *root, void *out, struct err *e); /* trial_list */

/* For sagemaker_tuning.c: the array loop over an optional member (items calloc'ed, *count set
 * even on failure so the caller's cleanup frees what was read), one trial summary, one metric
 * definition, a string map, and one trial's cleanup. */
typedef int (*sagemaker_item_fn)(const json_t *o, void *item, struct err *e);
int sagemaker_parse_opt_items(const json_t *o, const char *key, size_t elem, sagemaker_item_fn fn,
                              void **items, size_t *count, struct err *e);
int sagemaker_parse_trial_item(const json_t *o, void *item, struct err *e);
int sagemaker_parse_metric_definition_item(const json_t *o, void *item, struct err *e);
int sagemaker_parse_kv_map(const json_t *o, const char *key, struct sagemaker_kv **out,
                           size_t *n_out, struct err *e);
void sagemaker_trial_clean(struct sagemaker_tuning_trial *t);

/* For sagemaker_tuning.c: sagemaker.c's request helpers. call/call_page take ownership of req
 * (NULL: out of memory); parsed prefixes a parse failure with the operation. */
json_t *sagemaker_name_request(const char *key, const char *name);
int sagemaker_call(struct aws_client *c, const char *op, json_t *req, json_t **out,
                   struct err *e);
int sagemaker_call_page(struct aws_client *c, const char *op, json_t *req, json_t **out,
                        struct err *e);
int sagemaker_parsed(int rc, const char *op, struct err *e);

#endif
