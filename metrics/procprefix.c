/* procprefix.c: recognising launcher prefixes (Open MPI, SageMaker model parallel, torchrun) at
 * the start of a log line, mapping global ranks to hosts, and a job's processes per host (GPU
 * counts come from aws/instance_types.h, the one table of them). Pure: no allocation, no I/O;
 * the line is read through (ptr, len) and never past it. The extractor calls procprefix_parse()
 * on every line, so the common case (a line that starts with a letter or '{') must leave after
 * one byte test. */
#include "metrics/procprefix.h"

#include <stdio.h>
#include <string.h>

#include "aws/instance_types.h"

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Reads a non-negative decimal below PROCPREFIX_RANK_MAX at p[*i]; advances *i. -1 when none. */
static int read_uint(const char *p, size_t n, size_t *i)
{
    long v = 0;
    size_t start = *i;

    while (*i < n && is_digit(p[*i])) {
        v = v * 10 + (p[*i] - '0');
        if (v >= PROCPREFIX_RANK_MAX)
            return -1;
        (*i)++;
    }
    return *i > start ? (int)v : -1;
}

static bool match_lit(const char *p, size_t n, size_t *i, const char *lit)
{
    size_t l = strlen(lit);

    if (n - *i < l || memcmp(p + *i, lit, l) != 0)
        return false;
    *i += l;
    return true;
}

/* Checks that exactly k digits stand at p[*i] and skips them. */
static bool skip_digits(const char *p, size_t n, size_t *i, size_t k)
{
    for (size_t j = 0; j < k; j++)
        if (*i + j >= n || !is_digit(p[*i + j]))
            return false;
    *i += k;
    return true;
}

/* Skips "YYYY-MM-DD[T ]HH:MM:SS[.,fraction][Z|+HH:MM|-HH:MM]" followed by blanks, when it is
 * there; leaves *i alone otherwise. */
static void skip_timestamp(const char *p, size_t n, size_t *i)
{
    size_t j = *i;

    if (!skip_digits(p, n, &j, 4) || !match_lit(p, n, &j, "-") || !skip_digits(p, n, &j, 2) ||
        !match_lit(p, n, &j, "-") || !skip_digits(p, n, &j, 2))
        return;
    if (j >= n || (p[j] != 'T' && p[j] != ' '))
        return;
    j++;
    if (!skip_digits(p, n, &j, 2) || !match_lit(p, n, &j, ":") || !skip_digits(p, n, &j, 2) ||
        !match_lit(p, n, &j, ":") || !skip_digits(p, n, &j, 2))
        return;
    if (j < n && (p[j] == '.' || p[j] == ',')) {
        j++;
        while (j < n && is_digit(p[j]))
            j++;
    }
    if (j < n && p[j] == 'Z') {
        j++;
    } else if (j < n && (p[j] == '+' || p[j] == '-')) {
        size_t k = j + 1;
        if (skip_digits(p, n, &k, 2) && match_lit(p, n, &k, ":") && skip_digits(p, n, &k, 2))
            j = k;
    }
    if (j >= n || (p[j] != ' ' && p[j] != '\t'))
        return;
    while (j < n && (p[j] == ' ' || p[j] == '\t'))
        j++;
    *i = j;
}

static bool is_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' ||
           c == '.' || c == '_';
}

/* "<stdout>:" or "<stderr>:" at p[*i]. */
static bool read_stream(const char *p, size_t n, size_t *i, enum procprefix_stream *s)
{
    if (match_lit(p, n, i, "<stdout>:")) {
        *s = PROCPREFIX_STDOUT;
        return true;
    }
    if (match_lit(p, n, i, "<stderr>:")) {
        *s = PROCPREFIX_STDERR;
        return true;
    }
    return false;
}

/* After '[' at p[*i - 1]: "J,R]<stream>:" or "J,mpirank:R,HOST]<stream>:". */
static bool parse_mpi(const char *p, size_t n, size_t *i, struct procprefix *r)
{
    r->jobid = read_uint(p, n, i);
    if (r->jobid < 0 || !match_lit(p, n, i, ","))
        return false;
    if (match_lit(p, n, i, "mpirank:")) {
        size_t h;
        r->kind = PROCPREFIX_SMP;
        r->rank = read_uint(p, n, i);
        if (r->rank < 0 || !match_lit(p, n, i, ","))
            return false;
        h = *i;
        while (*i < n && is_host_char(p[*i]))
            (*i)++;
        if (*i == h)
            return false;
        r->host = p + h;
        r->host_len = *i - h;
    } else {
        r->kind = PROCPREFIX_OMPI;
        r->rank = read_uint(p, n, i);
        if (r->rank < 0)
            return false;
    }
    r->rank_global = true;
    return match_lit(p, n, i, "]") && read_stream(p, n, i, &r->stream);
}

/* After '[': "defaultN]:" or "rankN]:". */
static bool parse_torch(const char *p, size_t n, size_t *i, struct procprefix *r)
{
    if (match_lit(p, n, i, "default")) {
        r->kind = PROCPREFIX_TORCH_LOCAL;
        r->rank_global = false;
    } else if (match_lit(p, n, i, "rank")) {
        r->kind = PROCPREFIX_TORCH_RANK;
        r->rank_global = true;
    } else {
        return false;
    }
    r->rank = read_uint(p, n, i);
    return r->rank >= 0 && match_lit(p, n, i, "]:");
}

bool procprefix_parse(const char *line, size_t len, struct procprefix *out)
{
    struct procprefix r = {.rank = -1, .jobid = -1};
    size_t i = 0;
    char c;

    if (len < 4)
        return false;
    c = line[0];
    /* the hot path: most lines start with a letter, '{', '*' or '#' */
    if (c != '[' && c != ' ' && c != '\t' && !is_digit(c))
        return false;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    if (i < len && is_digit(line[i]))
        skip_timestamp(line, len, &i);
    if (i >= len || line[i] != '[')
        return false;
    i++;
    if (i < len && is_digit(line[i])) {
        if (!parse_mpi(line, len, &i, &r))
            return false;
    } else if (!parse_torch(line, len, &i, &r)) {
        return false;
    }
    /* Open MPI 5 and some templates put one blank after the colon */
    if (i < len && line[i] == ' ')
        i++;
    r.len = i;
    *out = r;
    return true;
}

int procprefix_per_host(const char *hp, const char *instance_type)
{
    if (hp != NULL) {
        long v = 0;
        const char *q = hp;
        while (*q == ' ' || *q == '"')
            q++;
        while (is_digit(*q) && v < PROCPREFIX_RANK_MAX)
            v = v * 10 + (*q++ - '0');
        while (*q == ' ' || *q == '"')
            q++;
        if (*q == '\0' && v > 0 && v < PROCPREFIX_RANK_MAX)
            return (int)v;
    }
    return instance_types_gpus(instance_type);
}

/* K of "algo-K", 0 when the name is not of that form. */
static int host_index(const char *h)
{
    int k = 0;

    if (h == NULL || strncmp(h, "algo-", 5) != 0 || !is_digit(h[5]))
        return 0;
    for (h += 5; is_digit(*h) && k < PROCPREFIX_RANK_MAX; h++)
        k = k * 10 + (*h - '0');
    return *h == '\0' ? k : 0;
}

/* Where a point's process runs: *host_k (K of algo-K, 0 unknown), its global rank (-1 unknown)
 * and its local rank on that host (-1 unknown). A global rank names its host only in the
 * launcher's stream (algo-1, or a stream not named algo-K), where mpirun gathers every host's
 * output; in another host's stream the lines are that host's own. */
static void locate(const struct procsel *s, int rank, bool local, const char *stream_host,
                   int *host_k, int *global, int *local_rank)
{
    int k = host_index(stream_host);

    *host_k = k;
    *global = -1;
    *local_rank = -1;
    if (rank < 0)
        return;
    if (local) {
        *local_rank = rank;
        if (k <= 1)
            *global = rank;
        else if (s->per_host > 0)
            *global = (k - 1) * s->per_host + rank;
        return;
    }
    *global = rank;
    *local_rank = s->per_host > 0 ? rank % s->per_host : rank;
    if (k <= 1 && s->per_host > 0)
        *host_k = rank / s->per_host + 1;
}

bool procsel_match(const struct procsel *s, int rank, bool local, const char *stream_host)
{
    int host_k, global, local_rank;

    locate(s, rank, local, stream_host, &host_k, &global, &local_rank);
    if (s->host != NULL) {
        int want = host_index(s->host);
        if (want > 0 ? want != host_k : strcmp(s->host, stream_host ? stream_host : "") != 0)
            return false;
    }
    if (s->rank == PROCSEL_ALL)
        return true;
    if (s->rank >= 0)
        return global == s->rank;
    /* the host's first process: its lines without prefix and its local rank 0 */
    return rank < 0 || local_rank == 0;
}

int procsel_parse_rank(const char *s)
{
    size_t i = 0;
    int r;

    if (s == NULL)
        return PROCSEL_FIRST;
    if (strcmp(s, "all") == 0)
        return PROCSEL_ALL;
    r = read_uint(s, strlen(s), &i);
    return r >= 0 && s[i] == '\0' ? r : PROCSEL_FIRST;
}

void procsel_label(const struct procsel *s, int rank, bool local, const char *stream_host,
                   char *out, size_t size)
{
    int host_k, global, local_rank;
    char host[32];

    locate(s, rank, local, stream_host, &host_k, &global, &local_rank);
    if (host_k > 0)
        snprintf(host, sizeof(host), "algo-%d", host_k);
    else
        snprintf(host, sizeof(host), "%s", stream_host != NULL ? stream_host : "");
    /* one process per host (the default): the host names the series */
    if (rank < 0 || s->rank == PROCSEL_FIRST)
        snprintf(out, size, "%s", host);
    else
        snprintf(out, size, "%s%s%s%d", host, host[0] != '\0' ? "/" : "", local ? "local" : "rank",
                 rank);
}

int procprefix_host_of_rank(int rank, int per_host, int instances, char *out, size_t size)
{
    int k, w;

    if (rank < 0 || per_host <= 0)
        return -1;
    k = rank / per_host + 1;
    if (instances > 0 && k > instances)
        return -1;
    w = snprintf(out, size, "algo-%d", k);
    return w < 0 || (size_t)w >= size ? -1 : 0;
}
