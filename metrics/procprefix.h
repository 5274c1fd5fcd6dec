/* procprefix.h: the launcher prefixes at the start of a log line, and which process they name.
 *
 * A distributed SageMaker job runs mpirun or torchrun on the first host; every process's output,
 * from every host, lands in algo-1's CloudWatch stream behind a prefix the launcher adds:
 *     [1,0]<stdout>:               Open MPI --tag-output: jobid, GLOBAL rank, stream
 *     [1,15]<stderr>:
 *     [1,mpirank:3,algo-1]<stdout>:  SageMaker model parallel: global rank and host
 *     [default0]:                  torchrun --tee: role "default", LOCAL rank (host = the stream's)
 *     [rank3]:                     torchrun --log-line-prefix-template "[${rank}]:"-like: GLOBAL
 * procprefix_parse() recognises them after optional leading blanks and one optional leading
 * timestamp ("2026-12-07T01:02:03.123Z ", "2026-12-07 01:02:03,123 "), as lines re-exported from
 * other tools carry. It reads only the bytes it needs, allocates nothing, and costs one byte test
 * on a line that starts with neither '[', a blank nor a digit. Text that looks like a prefix later
 * in the line is left alone.
 *
 * procprefix_host_of_rank() maps a global rank to its host ("algo-K") from the job's shape (the
 * instance count and processes per host); instance_types_gpus() (aws/instance_types.h) gives
 * the GPU count of an ml.* instance type, the processes-per-host default when sagemaker_mpi_num_of_processes_per_host
 * is absent. Pure and thread-safe. */
#ifndef SAGETOP_METRICS_PROCPREFIX_H
#define SAGETOP_METRICS_PROCPREFIX_H

#include <stdbool.h>
#include <stddef.h>

enum procprefix_kind {
    PROCPREFIX_NONE = 0,
    PROCPREFIX_OMPI,     /* [J,R]<stream>: */
    PROCPREFIX_SMP,      /* [J,mpirank:R,HOST]<stream>: */
    PROCPREFIX_TORCH_LOCAL, /* [defaultN]: */
    PROCPREFIX_TORCH_RANK,  /* [rankN]: */
};

enum procprefix_stream {
    PROCPREFIX_STREAM_NONE = 0, /* the prefix does not say */
    PROCPREFIX_STDOUT,
    PROCPREFIX_STDERR,
};

enum { PROCPREFIX_RANK_MAX = 1000000 }; /* ranks at or above are not a prefix */

/* What procprefix_parse() found. host points into the parsed line (a borrow). */
struct procprefix {
    size_t len;          /* bytes to skip: leading blanks/timestamp + prefix (and one blank) */
    enum procprefix_kind kind;
    int rank;            /* -1 when none */
    bool rank_global;    /* rank is global (OMPI, SMP, [rankN]); false: local ([defaultN]) */
    int jobid;           /* Open MPI's job id, -1 when none */
    const char *host;    /* "algo-1" for SMP, else NULL */
    size_t host_len;
    enum procprefix_stream stream;
};

/* The one-byte test procprefix_parse() starts with, for callers' hot loops: false means no
 * prefix can start here. */
static inline bool procprefix_maybe(const char *line, size_t len)
{
    char c = len >= 4 ? line[0] : 'x';

    return c == '[' || c == ' ' || c == '\t' || (c >= '0' && c <= '9');
}

/* Parses the prefix at the start of line (len bytes, no NUL needed). Returns true and fills *out
 * when a launcher prefix is there; false (out untouched) otherwise. */
bool procprefix_parse(const char *line, size_t len, struct procprefix *out);

/* The host of global rank, "algo-K" with K = rank / per_host + 1, into out (size bytes).
 * Returns 0, or -1 when rank < 0, per_host <= 0, K > instances (when instances > 0) or out is too
 * small. */
int procprefix_host_of_rank(int rank, int per_host, int instances, char *out, size_t size);

/* Processes per host of a job: its sagemaker_mpi_num_of_processes_per_host hyperparameter (hp,
 * may be NULL; the value may be JSON-quoted: "\"8\""), else the GPUs of instance_type; 0 when
 * neither says (a CPU instance without the hyperparameter: global ranks map to no host). */
int procprefix_per_host(const char *hp, const char *instance_type);

/* Which processes a series holds (sagetop metrics/regex-test --rank, --instance).
 * rank: PROCSEL_FIRST (the default: each selected host's first process, i.e. its lines without
 * prefix and its local rank 0; on algo-1 that is global rank 0), PROCSEL_ALL, or a global rank.
 * host: NULL for every host, else "algo-K". per_host: from procprefix_per_host(). In the
 * launcher's stream (algo-1, where mpirun gathers every host's output) a global rank R is on
 * algo-(R / per_host + 1) when per_host is known; in another host's stream, and for torchrun's
 * local ranks (SageMaker's torch_distributed starts one torchrun per host, each writing its own
 * stream), the stream's host is the process's host. */
enum { PROCSEL_FIRST = -1, PROCSEL_ALL = -2 };
struct procsel {
    int rank;
    const char *host;
    int per_host;
};
/* Whether a point of (rank, local) from the stream of host stream_host (may be "") is selected. */
bool procsel_match(const struct procsel *s, int rank, bool local, const char *stream_host);

/* The --rank argument: "all" → PROCSEL_ALL, a decimal rank → it, else PROCSEL_FIRST
 * (invalid). */
int procsel_parse_rank(const char *s);

/* A series label for a point's process: "algo-2/rank8", "algo-2/local3" (torchrun), or the
 * host alone for lines without prefix and under PROCSEL_FIRST (one process per host). */
void procsel_label(const struct procsel *s, int rank, bool local, const char *stream_host,
                   char *out, size_t size);

#endif
