/* test_procprefix.c: launcher prefixes over lines in the shapes distributed SageMaker jobs write
 * (two hosts x eight GPUs under Open MPI, model parallel's mpirank prefixes, torchrun), the rank
 * → host map and the GPU table. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "aws/instance_types.h"
#include "metrics/procprefix.h"

static struct procprefix parse_ok(const char *line)
{
    struct procprefix p;

    memset(&p, 0x5a, sizeof(p));
    cr_assert(procprefix_parse(line, strlen(line), &p), "no prefix found in '%s'", line);
    return p;
}

static void parse_none(const char *line)
{
    struct procprefix p = {.len = 777};

    cr_assert_not(procprefix_parse(line, strlen(line), &p), "prefix found in '%s'", line);
    cr_assert_eq(p.len, 777, "out written on failure for '%s'", line);
}

Test(procprefix, ompi_two_hosts_eight_gpus)
{
    char line[128];

    for (int rank = 0; rank < 16; rank++) {
        for (int err = 0; err < 2; err++) {
            struct procprefix p;
            snprintf(line, sizeof(line), "[1,%d]<%s>:{'loss': 0.25, 'epoch': 1.0}", rank,
                     err ? "stderr" : "stdout");
            p = parse_ok(line);
            cr_assert_eq(p.kind, PROCPREFIX_OMPI);
            cr_assert_eq(p.rank, rank);
            cr_assert(p.rank_global);
            cr_assert_eq(p.jobid, 1);
            cr_assert_null(p.host);
            cr_assert_eq(p.stream, err ? PROCPREFIX_STDERR : PROCPREFIX_STDOUT);
            cr_assert_str_eq(line + p.len, "{'loss': 0.25, 'epoch': 1.0}");
        }
    }
}

Test(procprefix, ompi_progress_line_with_cr)
{
    const char *l = "[1,8]<stderr>: 10%|█         | 50/500 [00:10<01:30,  4.9it/s]#015[1,8]<stderr>:";
    struct procprefix p = parse_ok(l);

    cr_assert_eq(p.rank, 8);
    cr_assert_eq(p.stream, PROCPREFIX_STDERR);
    /* one blank after the colon is part of the prefix */
    cr_assert_eq(strncmp(l + p.len, "10%", 3), 0);
}

Test(procprefix, smp_mpirank_host)
{
    const char *l = "[1,mpirank:3,algo-1]<stdout>:[2026-12-07 01:02:03.456: I smp] step 10";
    struct procprefix p = parse_ok(l);

    cr_assert_eq(p.kind, PROCPREFIX_SMP);
    cr_assert_eq(p.rank, 3);
    cr_assert(p.rank_global);
    cr_assert_eq(p.jobid, 1);
    cr_assert_eq(p.host_len, 6);
    cr_assert_eq(memcmp(p.host, "algo-1", 6), 0);
    cr_assert_eq(p.stream, PROCPREFIX_STDOUT);
    cr_assert_str_eq(l + p.len, "[2026-12-07 01:02:03.456: I smp] step 10");

    p = parse_ok("[1,mpirank:12,algo-2]<stderr>:eval_loss = 0.5");
    cr_assert_eq(p.rank, 12);
    cr_assert_eq(memcmp(p.host, "algo-2", 6), 0);
    cr_assert_eq(p.stream, PROCPREFIX_STDERR);
}

Test(procprefix, torchrun_local_and_global)
{
    struct procprefix p = parse_ok("[default0]:{'eval_loss': 0.41, 'epoch': 1.0}");

    cr_assert_eq(p.kind, PROCPREFIX_TORCH_LOCAL);
    cr_assert_eq(p.rank, 0);
    cr_assert_not(p.rank_global);
    cr_assert_eq(p.stream, PROCPREFIX_STREAM_NONE);
    cr_assert_eq(p.jobid, -1);
    cr_assert_eq(p.len, strlen("[default0]:"));

    p = parse_ok("[default7]:***** eval metrics *****");
    cr_assert_eq(p.rank, 7);

    p = parse_ok("[rank13]: eval_loss = 0.41");
    cr_assert_eq(p.kind, PROCPREFIX_TORCH_RANK);
    cr_assert_eq(p.rank, 13);
    cr_assert(p.rank_global);
    cr_assert_eq(p.len, strlen("[rank13]: "));
}

Test(procprefix, leading_timestamps_and_blanks)
{
    const char *l1 = "2026-12-07T01:02:03.123Z [1,4]<stdout>:loss=0.5";
    const char *l2 = "2026-12-07 01:02:03,123 [default1]:loss=0.5";
    const char *l3 = "   [rank2]:loss=0.5";
    const char *l4 = "2026-12-07T01:02:03+02:00\t[1,mpirank:0,algo-1]<stdout>:x";
    struct procprefix p;

    p = parse_ok(l1);
    cr_assert_eq(p.rank, 4);
    cr_assert_str_eq(l1 + p.len, "loss=0.5");
    p = parse_ok(l2);
    cr_assert_eq(p.rank, 1);
    cr_assert_str_eq(l2 + p.len, "loss=0.5");
    p = parse_ok(l3);
    cr_assert_eq(p.rank, 2);
    cr_assert_str_eq(l3 + p.len, "loss=0.5");
    p = parse_ok(l4);
    cr_assert_eq(p.kind, PROCPREFIX_SMP);
    cr_assert_str_eq(l4 + p.len, "x");
}

Test(procprefix, lines_without_prefix)
{
    parse_none("");
    parse_none("[");
    parse_none("{'loss': 0.25, 'learning_rate': 5e-05, 'epoch': 0.5}");
    parse_none("***** eval metrics *****");
    parse_none("  eval_loss               =     0.4125");
    parse_none("[2026-12-07 01:02:03,123] INFO - training started");
    parse_none("2026-12-07 01:02:03,123 - INFO - step 10 [1,0]<stdout>:loss=1");
    parse_none("12/07/2026 01:02:03 - INFO - __main__ - [rank0]: x");
    parse_none("[1,0]<stdin>:x");
    parse_none("[1,0]stdout:x");
    parse_none("[1,]<stdout>:x");
    parse_none("[1,mpirank:3,]<stdout>:x");
    parse_none("[1,mpirank:,algo-1]<stdout>:x");
    parse_none("[default]:x");
    parse_none("[defaultX]:x");
    parse_none("[rank0] x");
    parse_none("[rank99999999]:x");
    parse_none("[1,0]<stdout");
    parse_none("[INFO]: rank0 loss=1");
    parse_none("loss [1,0]<stdout>: 0.5");
    /* prefix text later in the line is not a prefix */
    parse_none("Epoch 1 [default0]: loss=1");
}

Test(procprefix, never_reads_past_len)
{
    const char *l = "[1,12]<stdout>:x";
    struct procprefix p;

    for (size_t n = 0; n < strlen("[1,12]<stdout>:"); n++) {
        char buf[32];
        memcpy(buf, l, n);
        cr_assert_not(procprefix_parse(buf, n, &p), "prefix in %zu bytes", n);
    }
    cr_assert(procprefix_parse(l, strlen("[1,12]<stdout>:"), &p));
    cr_assert_eq(p.len, strlen("[1,12]<stdout>:"));
}

Test(procprefix, host_of_rank)
{
    char h[16];

    cr_assert_eq(procprefix_host_of_rank(0, 8, 2, h, sizeof(h)), 0);
    cr_assert_str_eq(h, "algo-1");
    cr_assert_eq(procprefix_host_of_rank(7, 8, 2, h, sizeof(h)), 0);
    cr_assert_str_eq(h, "algo-1");
    cr_assert_eq(procprefix_host_of_rank(8, 8, 2, h, sizeof(h)), 0);
    cr_assert_str_eq(h, "algo-2");
    cr_assert_eq(procprefix_host_of_rank(15, 8, 2, h, sizeof(h)), 0);
    cr_assert_str_eq(h, "algo-2");
    cr_assert_eq(procprefix_host_of_rank(16, 8, 2, h, sizeof(h)), -1);
    cr_assert_eq(procprefix_host_of_rank(16, 8, 0, h, sizeof(h)), 0);
    cr_assert_str_eq(h, "algo-3");
    cr_assert_eq(procprefix_host_of_rank(3, 0, 2, h, sizeof(h)), -1);
    cr_assert_eq(procprefix_host_of_rank(-1, 8, 2, h, sizeof(h)), -1);
    cr_assert_eq(procprefix_host_of_rank(0, 8, 2, h, 6), -1);
}

Test(procprefix, gpus_per_instance)
{
    cr_assert_eq(instance_types_gpus("ml.p4d.24xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.p3.2xlarge"), 1);
    cr_assert_eq(instance_types_gpus("ml.p3.8xlarge"), 4);
    cr_assert_eq(instance_types_gpus("ml.p3.16xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.p3dn.24xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.p5.48xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.g5.xlarge"), 1);
    cr_assert_eq(instance_types_gpus("ml.g5.12xlarge"), 4);
    cr_assert_eq(instance_types_gpus("ml.g5.48xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.g4dn.12xlarge"), 4);
    cr_assert_eq(instance_types_gpus("ml.g4dn.2xlarge"), 1);
    cr_assert_eq(instance_types_gpus("ml.g6e.48xlarge"), 8);
    cr_assert_eq(instance_types_gpus("ml.m5.xlarge"), 0);
    cr_assert_eq(instance_types_gpus("ml.c5.18xlarge"), 0);
    cr_assert_eq(instance_types_gpus("ml.trn1.32xlarge"), 0);
    cr_assert_eq(instance_types_gpus("p4d.24xlarge"), 0);
    cr_assert_eq(instance_types_gpus("ml.p4d"), 0);
    cr_assert_eq(instance_types_gpus(NULL), 0);
}

Test(procprefix, per_host_from_hyperparameter_or_gpus)
{
    cr_assert_eq(procprefix_per_host("8", "ml.m5.xlarge"), 8);
    cr_assert_eq(procprefix_per_host("\"4\"", "ml.p4d.24xlarge"), 4);
    cr_assert_eq(procprefix_per_host(NULL, "ml.p4d.24xlarge"), 8);
    cr_assert_eq(procprefix_per_host("x", "ml.g5.12xlarge"), 4);
    cr_assert_eq(procprefix_per_host(NULL, "ml.m5.xlarge"), 0);
}

Test(procprefix, select_processes_two_hosts_eight_gpus)
{
    struct procsel def = { PROCSEL_FIRST, "algo-1", 8 };
    struct procsel h2 = { PROCSEL_FIRST, "algo-2", 8 };
    struct procsel r8 = { 8, NULL, 8 };
    struct procsel all = { PROCSEL_ALL, NULL, 8 };
    struct procsel hosts = { PROCSEL_FIRST, NULL, 8 };
    int n_def = 0, n_h2 = 0, n_r8 = 0, n_all = 0, n_hosts = 0;

    /* Open MPI: all sixteen ranks in algo-1's stream */
    for (int r = 0; r < 16; r++) {
        n_def += procsel_match(&def, r, false, "algo-1");
        n_h2 += procsel_match(&h2, r, false, "algo-1");
        n_r8 += procsel_match(&r8, r, false, "algo-1");
        n_all += procsel_match(&all, r, false, "algo-1");
        n_hosts += procsel_match(&hosts, r, false, "algo-1");
    }
    cr_assert_eq(n_def, 1);
    cr_assert(procsel_match(&def, 0, false, "algo-1"));
    cr_assert_eq(n_h2, 1);
    cr_assert(procsel_match(&h2, 8, false, "algo-1"));
    cr_assert_eq(n_r8, 1);
    cr_assert_eq(n_all, 16);
    cr_assert_eq(n_hosts, 2);
    /* lines without prefix: the stream's host */
    cr_assert(procsel_match(&def, -1, false, "algo-1"));
    cr_assert_not(procsel_match(&def, -1, false, "algo-2"));
    cr_assert(procsel_match(&h2, -1, false, "algo-2"));
    /* torchrun: one stream per host, local ranks */
    cr_assert(procsel_match(&def, 0, true, "algo-1"));
    cr_assert_not(procsel_match(&def, 1, true, "algo-1"));
    cr_assert_not(procsel_match(&def, 0, true, "algo-2"));
    cr_assert(procsel_match(&h2, 0, true, "algo-2"));
    cr_assert(procsel_match(&r8, 0, true, "algo-2"));
    cr_assert(procsel_match(&(struct procsel){ 9, NULL, 8 }, 1, true, "algo-2"));
    /* unknown processes per host: a global rank stays on its stream's host */
    cr_assert(procsel_match(&(struct procsel){ PROCSEL_FIRST, "algo-1", 0 }, 0, false, "algo-1"));
    cr_assert_not(procsel_match(&(struct procsel){ PROCSEL_FIRST, "algo-1", 0 }, 8, false,
                                "algo-1"));
    /* a prefixed line in another host's stream is that host's: the launcher was not there */
    cr_assert_not(procsel_match(&def, 0, false, "algo-2"));
    cr_assert(procsel_match(&h2, 0, false, "algo-2"));
    {
        char label[32];
        procsel_label(&hosts, 0, false, "algo-2", label, sizeof(label));
        cr_assert_str_eq(label, "algo-2");
        procsel_label(&all, 8, false, "algo-1", label, sizeof(label));
        cr_assert_str_eq(label, "algo-2/rank8");
        procsel_label(&all, 3, true, "algo-2", label, sizeof(label));
        cr_assert_str_eq(label, "algo-2/local3");
    }
    /* a single stream named otherwise */
    cr_assert(procsel_match(&(struct procsel){ PROCSEL_FIRST, NULL, 0 }, -1, false, ""));
}
