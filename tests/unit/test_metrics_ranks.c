/* test_metrics_ranks.c: extraction over streams where a launcher prefixes every line with its
 * process (Open MPI two hosts x eight GPUs, model parallel, torchrun): the prefix is stripped
 * and becomes the point's rank, each rank keeps its own context, and a line printed on stdout and
 * again on stderr by the same rank counts once. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "metrics/metrics.h"

#define MAXP 512

struct got {
    char name[64];
    double value;
    int64_t step;
    int rank;
    bool local;
};

struct sink {
    struct got p[MAXP];
    size_t n;
};

static int collect(const struct mpoint *pt, void *ctx)
{
    struct sink *k = ctx;
    struct got *g;

    cr_assert(k->n < MAXP);
    g = &k->p[k->n++];
    snprintf(g->name, sizeof(g->name), "%s", pt->name);
    g->value = pt->value;
    g->step = pt->step;
    g->rank = pt->rank;
    g->local = pt->rank_local;
    return 0;
}

static struct mset *set_of(bool preset, const char *name, const char *re)
{
    struct mdef_list l;
    struct mset *s;
    struct err e = { 0 };

    mdef_list_init(&l);
    l.preset_hf = preset;
    if (name != NULL)
        cr_assert_eq(mdef_list_add(&l, name, re, MDEF_JOB, &e), 0, "%s", e.msg);
    s = mset_new(&l, &e);
    cr_assert_not_null(s, "%s", e.msg);
    mdef_list_clean(&l);
    return s;
}

static void feed(struct mset *s, struct mextract_state *st, struct sink *k, const char *line)
{
    cr_assert_geq(mset_extract(s, st, line, strlen(line), 1000, collect, k), 0);
}

static size_t count_rank(const struct sink *k, const char *name, int rank)
{
    size_t c = 0;

    for (size_t i = 0; i < k->n; i++)
        c += strcmp(k->p[i].name, name) == 0 && k->p[i].rank == rank;
    return c;
}

Test(metrics_ranks, ompi_sixteen_ranks_each_own_point)
{
    struct mset *s = set_of(false, "eval_loss", "eval_loss = ([0-9.]+)");
    struct mextract_state st;
    struct sink k = { 0 };
    char line[128];

    mextract_state_init(&st, "algo-1");
    for (int r = 0; r < 16; r++) {
        snprintf(line, sizeof(line), "[1,%d]<stdout>:  eval_loss = 0.%d\n", r, 10 + r);
        feed(s, &st, &k, line);
    }
    cr_assert_eq(k.n, 16);
    for (int r = 0; r < 16; r++) {
        cr_assert_eq(k.p[r].rank, r);
        cr_assert_not(k.p[r].local);
        cr_assert_float_eq(k.p[r].value, (10 + r) / 100.0, 1e-12);
    }
    /* a line without prefix belongs to no rank */
    feed(s, &st, &k, "eval_loss = 0.5");
    cr_assert_eq(k.p[16].rank, -1);
    mset_free(s);
}

Test(metrics_ranks, prefix_stripped_before_matching)
{
    /* an anchored definition matches the process's own text, not the launcher's */
    struct mset *s = set_of(false, "loss", "^loss=([0-9.]+)");
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, "algo-1");
    feed(s, &st, &k, "[1,mpirank:3,algo-1]<stdout>:loss=0.25");
    feed(s, &st, &k, "[default2]:loss=0.5");
    feed(s, &st, &k, "[rank9]: loss=0.75");
    feed(s, &st, &k, "Epoch 1 [default0]:loss=9");
    cr_assert_eq(k.n, 3);
    cr_assert_eq(k.p[0].rank, 3);
    cr_assert_eq(k.p[1].rank, 2);
    cr_assert(k.p[1].local);
    cr_assert_eq(k.p[2].rank, 9);
    cr_assert_not(k.p[2].local);
    mset_free(s);
}

Test(metrics_ranks, stdout_and_stderr_copies_count_once)
{
    struct mset *s = set_of(true, "eval_loss", "eval_loss\\s*=\\s*([0-9.]+)");
    struct mextract_state st;
    struct sink k = { 0 };
    const char *block[] = { "***** eval metrics *****", "  epoch                   =        1.0",
                            "  eval_loss               =     0.4125" };

    mextract_state_init(&st, "algo-1");
    /* rank 0 and rank 8 print the block on stdout, then their logger prints it on stderr,
     * interleaved with another rank's progress */
    for (int copy = 0; copy < 2; copy++) {
        for (size_t i = 0; i < 3; i++) {
            char line[160];
            for (int r = 0; r <= 8; r += 8) {
                snprintf(line, sizeof(line), "[1,%d]<%s>:%s\n", r, copy ? "stderr" : "stdout",
                         block[i]);
                feed(s, &st, &k, line);
            }
            feed(s, &st, &k, "[1,3]<stderr>: 10%|#         | 5/50 [00:01<00:09]#015"
                             "[1,3]<stderr>: 12%|#         | 6/50 [00:01<00:09]");
        }
    }
    cr_assert_eq(count_rank(&k, "eval_loss", 0), 1);
    cr_assert_eq(count_rank(&k, "eval_loss", 8), 1);
    cr_assert_eq(st.dup_lines, 6);
    /* the same line twice on the same stream is two lines */
    feed(s, &st, &k, "[1,0]<stdout>:eval_loss = 0.3");
    feed(s, &st, &k, "[1,0]<stdout>:eval_loss = 0.3");
    cr_assert_eq(count_rank(&k, "eval_loss", 0), 3);
    mset_free(s);
}

Test(metrics_ranks, each_rank_keeps_its_step)
{
    struct mset *s = set_of(true, NULL, NULL);
    struct mextract_state st;
    struct sink k = { 0 };

    mextract_state_init(&st, "algo-1");
    feed(s, &st, &k, "[1,0]<stdout>:{'loss': 1.5, 'learning_rate': 5e-05, 'epoch': 0.1}");
    feed(s, &st, &k, "[1,0]<stdout>:{'loss': 1.25, 'learning_rate': 5e-05, 'epoch': 0.2}");
    feed(s, &st, &k, "[1,8]<stdout>:{'loss': 1.75, 'learning_rate': 5e-05, 'epoch': 0.1}");
    feed(s, &st, &k, "[1,0]<stdout>:{'loss': 1.0, 'learning_rate': 5e-05, 'epoch': 0.3}");
    cr_assert_eq(count_rank(&k, "loss", 0), 3);
    cr_assert_eq(count_rank(&k, "loss", 8), 1);
    for (size_t i = 0; i < k.n; i++) {
        if (strcmp(k.p[i].name, "loss") != 0)
            continue;
        if (k.p[i].rank == 8)
            cr_assert_eq(k.p[i].step, 1, "rank 8 counts its own lines");
        if (k.p[i].rank == 0 && k.p[i].value == 1.0)
            cr_assert_eq(k.p[i].step, 3, "rank 0's third line");
    }
    mset_free(s);
}
