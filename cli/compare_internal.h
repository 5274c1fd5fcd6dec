/* compare_internal.h: what cmd_compare.c (arguments, loading) and compare_output.c (the four
 * formats) share inside cli/. Not for other files. */
#ifndef SAGETOP_CLI_COMPARE_INTERNAL_H
#define SAGETOP_CLI_COMPARE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/session.h"
#include "metrics/compare.h"

enum cmp_format { CMP_TABLE, CMP_MD, CMP_CSV, CMP_JSON };

/* One job as loaded from the cache. */
struct cmp_job {
    struct cache_job cj;
    struct cache_kv_list hp;
    struct compare_kv *kv;            /* views into hp */
    struct compare_metric_in *mi;     /* one per metric; series owned here */
    bool *mi_step;                    /* per metric: x is the step (else elapsed seconds) */
    size_t n_mi;
    struct compare_resources res;
};

struct cmp_run {
    struct cmp_job *jobs;
    size_t n;
    const char **names;
    struct compare_hp_table hp;
    struct compare_metric_table mt;
};

/* Prints run to stdout as fmt; 0, or ERR_NOMEM (nothing is printed for the failed part). */
int compare_output_write(const struct cmp_run *run, enum cmp_format fmt);

#endif
