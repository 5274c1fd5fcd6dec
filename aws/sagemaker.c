/* sagemaker.c: SageMaker requests built from plain structs, and the calls that send them.
 *
 * Owns the request shapes and the paging over ListTrainingJobs and ListTags; the responses are
 * parsed by sagemaker_parse.c, and signing, retries and error mapping belong to client.c. Must
 * not parse response members itself, print, exit or keep references to inputs. */
#include "aws/sagemaker.h"

#include <stdlib.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/paging.h"
#include "aws/sagemaker_internal.h"

/* ---- requests ---------------------------------------------------------------------------- */

/* Adds key: value when value is set. json_object_set_new failures only happen out of memory;
 * the caller checks the result object as a whole. */
static void put_str(json_t *o, const char *key, const char *value)
{
    if (value != NULL && value[0] != '\0')
        json_object_set_new(o, key, json_string(value));
}

static void put_time(json_t *o, const char *key, double t)
{
    if (t != 0) {
        /* whole seconds go as integers, as botocore sends them */
        if (t == (double)(long long)t)
            json_object_set_new(o, key, json_integer((json_int_t)t));
        else
            json_object_set_new(o, key, json_real(t));
    }
}

static void put_int(json_t *o, const char *key, long v)
{
    if (v > 0)
        json_object_set_new(o, key, json_integer(v));
}

json_t *sagemaker_list_request(const struct sagemaker_list_query *q)
{
    json_t *o = json_object();

    if (o == NULL || q == NULL)
        return o;
    put_str(o, "NameContains", q->name_contains);
    put_str(o, "StatusEquals", q->status_equals);
    put_time(o, "CreationTimeAfter", q->creation_time_after);
    put_time(o, "CreationTimeBefore", q->creation_time_before);
    put_time(o, "LastModifiedTimeAfter", q->last_modified_time_after);
    put_time(o, "LastModifiedTimeBefore", q->last_modified_time_before);
    put_str(o, "SortBy", q->sort_by);
    put_str(o, "SortOrder", q->sort_order);
    put_str(o, "WarmPoolStatusEquals", q->warm_pool_status_equals);
    put_int(o, "MaxResults", q->max_results);
    put_str(o, "NextToken", q->next_token);
    return o;
}

/* One JSON call with a request we own; takes ownership of req. */
static int call(struct aws_client *c, const char *op, json_t *req, json_t **out, struct err *e)
{
    int rc;

    if (req == NULL)
        return err_set(e, ERR_NOMEM, "SageMaker %s: out of memory building the request", op);
    rc = aws_json_call(c, AWS_SAGEMAKER, op, req, out, e);
    json_decref(req);
    return rc;
}

/* The same for a page of a paginated operation: a page that still fails with a retryable
 * error after the client's attempts is asked again (paging.h). */
static int call_page(struct aws_client *c, const char *op, json_t *req, json_t **out,
                     struct err *e)
{
    int rc;

    if (req == NULL)
        return err_set(e, ERR_NOMEM, "SageMaker %s: out of memory building the request", op);
    rc = paging_json_call(c, AWS_SAGEMAKER, op, req, out, e);
    json_decref(req);
    return rc;
}

/* Prefixes a parse failure of a live response with the operation. */
static int parsed(int rc, const char *op, struct err *e)
{
    if (rc != 0 && rc != ERR_NOMEM)
        err_prefix(e, "SageMaker %s response", op);
    return rc;
}

int sagemaker_list_training_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                                 struct sagemaker_job_list *out, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_page(c, "ListTrainingJobs", sagemaker_list_request(q), &resp, e);

    if (rc != 0)
        return rc;
    rc = parsed(sagemaker_parse_list_json(resp, out, e), "ListTrainingJobs", e);
    json_decref(resp);
    return rc;
}

int sagemaker_list_training_jobs_each(struct aws_client *c, const struct sagemaker_list_query *q,
                                      sagemaker_page_fn fn, void *ctx, struct err *e)
{
    struct sagemaker_list_query pq = { 0 };
    struct sagemaker_job_list page = { 0 };
    char *token = NULL;
    size_t pages = 0;
    int rc = 0;

    if (q != NULL)
        pq = *q;
    if (pq.max_results <= 0)
        pq.max_results = SAGEMAKER_PAGE_MAX;
    for (;;) {
        rc = sagemaker_list_training_jobs(c, &pq, &page, e);
        if (rc != 0)
            break;
        if (fn(ctx, page.items, page.count) != 0)
            break;
        if (page.next_token == NULL || page.next_token[0] == '\0')
            break;
        /* a service that hands back the token it was given would loop for ever */
        if (token != NULL && strcmp(token, page.next_token) == 0) {
            rc = err_set(e, ERR_AWS, "SageMaker ListTrainingJobs: the same NextToken came "
                         "back twice; stopping after %zu pages", pages + 1);
            break;
        }
        free(token);
        token = page.next_token;
        page.next_token = NULL;
        pq.next_token = token;
        sagemaker_job_list_clean(&page);
        pages++;
    }
    sagemaker_job_list_clean(&page);
    free(token);
    return rc;
}

struct collect_ctx {
    struct sagemaker_job_list *l;
    size_t limit;
    int rc;
    struct err *e;
};

static int collect_page(void *ctx, const struct sagemaker_job_summary *items, size_t count)
{
    struct collect_ctx *cc = ctx;
    struct sagemaker_job_list *l = cc->l;

    if (cc->limit > 0 && l->count + count > cc->limit)
        count = cc->limit - l->count;
    if (vec_grow((void **)&l->items, &l->cap, l->count + count, sizeof(*l->items)) != 0) {
        cc->rc = err_set(cc->e, ERR_NOMEM, "out of memory");
        return 1;
    }
    if (count > 0)   /* an empty page may come with no array at all */
        memcpy(l->items + l->count, items, count * sizeof(*items));
    l->count += count;
    return cc->limit > 0 && l->count >= cc->limit;
}

int sagemaker_list_training_jobs_all(struct aws_client *c, const struct sagemaker_list_query *q,
                                     size_t limit, struct sagemaker_job_list *out,
                                     struct err *e)
{
    struct sagemaker_job_list l = { 0 };
    struct collect_ctx cc = { &l, limit, 0, e };
    int rc = sagemaker_list_training_jobs_each(c, q, collect_page, &cc, e);

    if (rc == 0)
        rc = cc.rc;
    if (rc != 0) {
        sagemaker_job_list_clean(&l);
        return rc;
    }
    *out = l;
    return 0;
}

/* ---- DescribeTrainingJob --------------------------------------------------------------- */

static json_t *name_request(const char *key, const char *name)
{
    json_t *o = json_object();

    if (o != NULL && json_object_set_new(o, key, json_string(name != NULL ? name : "")) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int sagemaker_describe_training_job(struct aws_client *c, const char *name, bool with_tags,
                                    struct sagemaker_job *out, struct err *e)
{
    struct sagemaker_job j;
    json_t *resp = NULL;
    int rc;

    rc = call(c, "DescribeTrainingJob", name_request("TrainingJobName", name), &resp, e);
    if (rc != 0) {
        /* SageMaker says ValidationException "Requested resource not found." for a missing
         * job, not the modeled ResourceNotFound */
        if (rc != ERR_NOTFOUND && strstr(aws_client_last_error_code(c), "ValidationException") &&
            e != NULL && strstr(e->msg, "not found") != NULL)
            rc = e->code = ERR_NOTFOUND;
        return rc;
    }
    rc = parsed(sagemaker_parse_job_json(resp, &j, e), "DescribeTrainingJob", e);
    json_decref(resp);
    if (rc != 0)
        return rc;
    if (with_tags && (rc = sagemaker_list_tags(c, j.arn, &j.tags, &j.n_tags, e)) != 0) {
        sagemaker_job_clean(&j);
        return rc;
    }
    *out = j;
    return 0;
}

/* ---- ListTags ---------------------------------------------------------------------------- */

int sagemaker_list_tags(struct aws_client *c, const char *arn, struct sagemaker_kv **out,
                        size_t *n_out, struct err *e)
{
    struct sagemaker_kv *all = NULL;
    struct sagemaker_tags_out page;
    size_t n_all = 0, cap = 0;
    char *token = NULL;
    json_t *req, *resp;
    int rc;

    do {
        req = name_request("ResourceArn", arn);
        if (req != NULL && token != NULL)
            json_object_set_new(req, "NextToken", json_string(token));
        resp = NULL;
        if ((rc = call_page(c, "ListTags", req, &resp, e)) != 0)
            goto fail;
        free(token);
        token = NULL;
        rc = parsed(sagemaker_parse_tags_json(resp, &page, e), "ListTags", e);
        json_decref(resp);
        if (rc != 0)
            goto fail;
        token = page.next_token;
        if (page.n > 0 &&
            vec_grow((void **)&all, &cap, n_all + page.n, sizeof(*all)) != 0) {
            sagemaker_kv_free(page.kv, page.n);
            rc = err_set(e, ERR_NOMEM, "out of memory");
            goto fail;
        }
        if (page.n > 0)
            memcpy(all + n_all, page.kv, page.n * sizeof(*page.kv));
        n_all += page.n;
        free(page.kv);
    } while (token != NULL && token[0] != '\0');
    free(token);
    *out = all;
    *n_out = n_all;
    return 0;
fail:
    free(token);
    sagemaker_kv_free(all, n_all);
    return rc;
}


/* ---- CreateTrainingJob / StopTrainingJob ----------------------------------------------- */

int sagemaker_create_training_job(struct aws_client *c, const json_t *request, char *arn_out,
                                  size_t arn_len, struct err *e)
{
    struct sagemaker_arn_out a = { arn_out, arn_len };
    json_t *resp = NULL;
    int rc;

    if (!json_is_object(request))
        return err_set(e, ERR_INVAL, "SageMaker CreateTrainingJob: the request is not an "
                       "object");
    /* the message of a ValidationException is the user's only clue: pass it through as is */
    rc = aws_json_call(c, AWS_SAGEMAKER, "CreateTrainingJob", request, &resp, e);
    if (rc != 0)
        return rc;
    rc = parsed(sagemaker_parse_arn_json(resp, &a, e), "CreateTrainingJob", e);
    json_decref(resp);
    return rc;
}

int sagemaker_stop_training_job(struct aws_client *c, const char *name, struct err *e)
{
    json_t *resp = NULL;
    int rc = call(c, "StopTrainingJob", name_request("TrainingJobName", name), &resp, e);

    if (rc == 0)
        json_decref(resp);
    else if (rc != ERR_NOTFOUND && strstr(aws_client_last_error_code(c), "ValidationException")
             && e != NULL && strstr(e->msg, "not found") != NULL)
        rc = e->code = ERR_NOTFOUND;
    return rc;
}

/* ---- Search ------------------------------------------------------------------------------ */

json_t *sagemaker_search_request(const struct sagemaker_search_query *q)
{
    json_t *o = json_object(), *expr, *filters, *f;
    size_t i;

    if (o == NULL)
        return NULL;
    json_object_set_new(o, "Resource", json_string("TrainingJob"));
    if (q == NULL)
        return o;
    if (q->n_filters > 0) {
        expr = json_object();
        filters = json_array();
        if (expr == NULL || filters == NULL) {
            json_decref(expr);
            json_decref(filters);
            json_decref(o);
            return NULL;
        }
        for (i = 0; i < q->n_filters; i++) {
            f = json_object();
            put_str(f, "Name", q->filters[i].name);
            put_str(f, "Operator", q->filters[i].op);
            if (q->filters[i].value != NULL)
                json_object_set_new(f, "Value", json_string(q->filters[i].value));
            json_array_append_new(filters, f);
        }
        json_object_set_new(expr, "Filters", filters);
        put_str(expr, "Operator", q->boolean_operator);
        json_object_set_new(o, "SearchExpression", expr);
    }
    put_str(o, "SortBy", q->sort_by);
    put_str(o, "SortOrder", q->sort_order);
    put_int(o, "MaxResults", q->max_results);
    put_str(o, "NextToken", q->next_token);
    return o;
}

int sagemaker_search(struct aws_client *c, const struct sagemaker_search_query *q,
                     struct sagemaker_search_page *out, struct err *e)
{
    json_t *resp = NULL;
    int rc = call_page(c, "Search", sagemaker_search_request(q), &resp, e);

    if (rc != 0)
        return rc;
    rc = parsed(sagemaker_parse_search_json(resp, out, e), "Search", e);
    json_decref(resp);
    return rc;
}

/* ---- Hyperparameter tuning -------------------------------------------------------------- */

int sagemaker_list_tuning_jobs(struct aws_client *c, const struct sagemaker_list_query *q,
                               struct sagemaker_tuning_list *out, struct err *e)
{
    json_t *req = sagemaker_list_request(q), *resp = NULL;
    int rc;

    /* no WarmPoolStatusEquals on this operation */
    if (req != NULL)
        json_object_del(req, "WarmPoolStatusEquals");
    if ((rc = call_page(c, "ListHyperParameterTuningJobs", req, &resp, e)) != 0)
        return rc;
    rc = parsed(sagemaker_parse_tuning_json(resp, out, e), "ListHyperParameterTuningJobs", e);
    json_decref(resp);
    return rc;
}

int sagemaker_list_training_jobs_for_tuning_job(struct aws_client *c, const char *tuning_job,
                                                const struct sagemaker_list_query *q,
                                                struct sagemaker_trial_list *out, struct err *e)
{
    json_t *req = name_request("HyperParameterTuningJobName", tuning_job), *resp = NULL;
    int rc;

    if (req != NULL && q != NULL) {
        put_str(req, "StatusEquals", q->status_equals);
        put_str(req, "SortBy", q->sort_by);
        put_str(req, "SortOrder", q->sort_order);
        put_int(req, "MaxResults", q->max_results);
        put_str(req, "NextToken", q->next_token);
    }
    if ((rc = call_page(c, "ListTrainingJobsForHyperParameterTuningJob", req, &resp, e)) != 0)
        return rc;
    rc = parsed(sagemaker_parse_trials_json(resp, out, e),
                "ListTrainingJobsForHyperParameterTuningJob", e);
    json_decref(resp);
    return rc;
}

/* ---- for sagemaker_tuning.c ------------------------------------------------------------ */

json_t *sagemaker_name_request(const char *key, const char *name)
{
    return name_request(key, name);
}

int sagemaker_call(struct aws_client *c, const char *op, json_t *req, json_t **out,
                   struct err *e)
{
    return call(c, op, req, out, e);
}

int sagemaker_call_page(struct aws_client *c, const char *op, json_t *req, json_t **out,
                        struct err *e)
{
    return call_page(c, op, req, out, e);
}

int sagemaker_parsed(int rc, const char *op, struct err *e)
{
    return parsed(rc, op, e);
}
