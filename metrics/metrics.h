/* metrics.h: metric definitions, compiled sets and the line → points extractor.
 *
 * The contract in one paragraph: gather definitions from every source into a struct mdef_list
 * (the job's own MetricDefinitions, the user's config file, --metric NAME=REGEX), compile them
 * once into a struct mset (PCRE2 JIT, literal prefilters, optional built-in Hugging Face Trainer
 * preset), then feed each log line of one (job, log stream) through mset_extract() with a
 * struct mextract_state that carries the step/epoch in force and the eval-block state. Points come
 * out through a callback; nothing is allocated per line.
 *
 * Semantics (SageMaker-compatible, see docs/metrics.md for every difference):
 *   - a line is split into segments on '\n', '\r' and the literal "#015" (CloudWatch's form of
 *     CR); each segment is matched on its own, as a separate line would be;
 *   - PCRE2 in byte mode (no UTF, so invalid UTF-8 is harmless), one match per definition per
 *     segment, capture group 1 (or the whole match when the regex has no group) is the value;
 *   - values: decimal and scientific floats, nan, inf (any case, optional sign), and
 *     "H:MM:SS(.ff)" / "N day(s), H:MM:SS(.ff)" durations → seconds (MPOINT_DURATION);
 *     anything else is reported with MPOINT_UNPARSED and value NaN, never 0;
 *   - a capture that is only the start of a longer number in the segment ("2.8732" of
 *     "2.8732e-05") is extended to the whole number (MPOINT_REPAIRED_NUMBER); a minus sign eaten
 *     by \D* just before the capture is restored (MPOINT_REPAIRED_SIGN); sagemaker_value keeps
 *     what SageMaker would have stored;
 *   - one segment yields at most one point per metric name: definitions are tried in source
 *     order MDEF_JOB, MDEF_CLI, MDEF_USER, MDEF_PRESET (within a source, in the order given); the
 *     first definition that produces a value wins; when only unparsed captures were found, one
 *     MPOINT_UNPARSED point is reported for the name.
 *
 * Threads: an mdef_list and an mset are used by one thread at a time (the mset holds the PCRE2
 * match data and JIT stack). Compile once per thread; a state belongs to one stream.
 * Errors: nothing here prints, exits or aborts; functions that can fail return 0 or a negative
 * ERR_* code and fill an optional struct err. */
#ifndef SAGETOP_METRICS_H
#define SAGETOP_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/err.h"

/* ---------------------------------------------------------------------------------------------
 * Definitions */

/* Where a definition came from; the order is the precedence (lower wins). */
enum mdef_source {
    MDEF_JOB = 0,    /* the job's AlgorithmSpecification.MetricDefinitions */
    MDEF_CLI = 1,    /* --metric NAME=REGEX */
    MDEF_USER = 2,   /* $XDG_CONFIG_HOME/sagetop/config */
    MDEF_PRESET = 3, /* built in (the Hugging Face Trainer preset) */
};
const char *mdef_source_name(enum mdef_source s); /* "job", "cli", "config", "preset" */

enum {
    MDEF_NAME_MAX = 255,   /* SageMaker's limit on a metric name */
    MDEF_REGEX_MAX = 4096, /* SageMaker allows 500; we accept more for local definitions */
};

/* One definition. In an mdef_list the strings are owned by the list. */
struct mdef {
    char *name;
    char *regex;
    enum mdef_source source;
    int config_line; /* line in the config file for MDEF_USER, else 0 (for error messages) */
};

/* A growable list of definitions that owns copies of its strings. Initialise with
 * mdef_list_init(); clean with mdef_list_clean(). preset_hf says whether mset_new() should add the
 * Hugging Face preset (default true; the config line "metric-preset none" turns it off). */
struct mdef_list {
    struct mdef *v;
    size_t n, cap;
    bool preset_hf;
};
void mdef_list_init(struct mdef_list *l);
void mdef_list_clean(struct mdef_list *l);
/* *dst (initialised here) becomes a copy of src; ERR_NOMEM leaves dst untouched. */
int mdef_list_copy(struct mdef_list *dst, const struct mdef_list *src, struct err *e);
/* The same definitions in the same order (name, regex, source, line) and preset: what
 * mset_new() compiles from them is the same. */
bool mdef_list_equal(const struct mdef_list *a, const struct mdef_list *b);
/* Copies name and regex. Fails (ERR_INVAL) on an empty or over-long name or regex. */
int mdef_list_add(struct mdef_list *l, const char *name, const char *regex, enum mdef_source src,
                  struct err *e);
/* Parses "NAME=REGEX" (the --metric argument; the first '=' splits) and adds it as MDEF_CLI. */
int mdef_list_add_cli(struct mdef_list *l, const char *arg, struct err *e);
/* Parses the metric part of a config file (text, len; no NUL needed) for job_name (NULL: only the
 * global part) and adds its definitions as MDEF_USER. Format (docs/metrics.md):
 *     # comment
 *     metric NAME REGEX          REGEX is the rest of the line, leading blanks removed
 *     metric-preset hf|none      turn the built-in Hugging Face preset on or off
 *     [job GLOB]                 following lines apply to jobs whose name matches GLOB (fnmatch)
 *     [metrics]                  back to lines that apply to every job
 *     [anything else]            a section owned by another module: its lines are skipped
 * Lines this parser does not know are ignored (other modules share the file). A malformed metric
 * line fails with ERR_PARSE naming the line; definitions added before it stay in the list. */
int mdef_list_parse_config(struct mdef_list *l, const char *text, size_t len,
                           const char *job_name, struct err *e);
/* The file itself ($XDG_CONFIG_HOME/sagetop/config) is found and read by aws/userconfig.h
 * (userconfig_read_text); this module only parses the text. */

/* ---------------------------------------------------------------------------------------------
 * Compiled sets */

struct mset; /* opaque */

/* A definition that did not compile. The other definitions of the set keep working. */
struct mdef_error {
    size_t def_index;        /* index into the list given to mset_new() */
    const char *name;        /* owned by the set */
    const char *regex;       /* owned by the set */
    enum mdef_source source;
    int config_line;
    size_t offset;           /* byte offset into regex where PCRE2 stopped */
    char msg[160];           /* PCRE2's message */
};

/* Compiles every definition of l (borrowed; the set keeps copies) plus the Hugging Face preset
 * when l->preset_hf. Returns NULL only on out-of-memory (ERR_NOMEM); definitions that do not
 * compile are listed by mset_error() and skipped. */
struct mset *mset_new(const struct mdef_list *l, struct err *e);
void mset_free(struct mset *s);
size_t mset_error_count(const struct mset *s);
const struct mdef_error *mset_error(const struct mset *s, size_t i);
/* "definition 'eval_loss' (job): missing closing parenthesis at offset 12" */
void mdef_error_format(const struct mdef_error *d, char *buf, size_t size);

/* The distinct metric names of the set's regex definitions (ids 0..count-1). Preset keys that no
 * definition names are not listed: they are open-ended (whatever the Trainer logs). */
size_t mset_name_count(const struct mset *s);
const char *mset_name(const struct mset *s, size_t id);
bool mset_has_preset(const struct mset *s);
/* Makes the preset leave the key name alone (neither converted nor emitted; definitions of that
 * name still run): re-extraction asks only for the metrics it rewrites. Up to 64 names; -1 past
 * that (the key is then still emitted, which is only slower). */
int mset_preset_skip(struct mset *s, const char *name);

/* ---------------------------------------------------------------------------------------------
 * Extraction */

enum mpoint_flags {
    MPOINT_UNPARSED = 1u << 0,       /* the capture is not a number: value is NaN */
    MPOINT_DURATION = 1u << 1,       /* parsed from H:MM:SS(.ff) into seconds */
    MPOINT_REPAIRED_NUMBER = 1u << 2, /* capture extended to the whole number (lost exponent) */
    MPOINT_REPAIRED_SIGN = 1u << 3,  /* a minus sign eaten before the capture was restored */
    MPOINT_PRESET = 1u << 4,         /* produced by the built-in Hugging Face preset */
    MPOINT_EVAL_BLOCK = 1u << 5,     /* from a "***** ... metrics *****" / "Eval results" block */
    MPOINT_STEP_COUNTED = 1u << 6,   /* step counted from training-log dict lines, not logged */
    MPOINT_UNIT = 1u << 7,           /* preset: "1234GF" / "56MB" scaled back (x2^30, x2^20) */
};

enum { MINSTANCE_MAX = 64, MPOINT_NAME_MAX = 256 };

/* One extracted value. Every pointer is borrowed and valid only during the callback. */
struct mpoint {
    const char *name;       /* NUL-terminated metric name */
    int name_id;            /* mset_name() id, or -1 for a preset key no definition names */
    double value;           /* NaN when MPOINT_UNPARSED */
    double sagemaker_value; /* what SageMaker would have stored; NaN when it stores nothing */
    int64_t ts_ms;          /* the log event's timestamp, as passed in */
    int64_t step;           /* -1 when unknown */
    double epoch;           /* NaN when unknown */
    unsigned flags;         /* enum mpoint_flags */
    enum mdef_source source;
    long def_index;         /* index into the mdef_list, -1 for the preset */
    const char *raw;        /* the captured text inside the line (not NUL-terminated) */
    size_t raw_len;
    const char *instance;   /* the state's instance ("algo-1"), "" when unknown */
    int rank;               /* the launcher prefix's rank (procprefix.h), -1 without prefix */
    bool rank_local;        /* rank is torchrun's local rank on the stream's host */
};

/* Called for each point; return nonzero to stop extracting this line. */
typedef int (*mpoint_fn)(const struct mpoint *p, void *ctx);

/* What is in force between the lines of one process (a launcher prefix's rank, or the lines
 * without prefix): the preset's context follows each process on its own. */
struct mextract_proc {
    int32_t code;        /* mextract_proc_code() of the process, 0 = lines without prefix */
    int step_counted;    /* step came from log_lines, not from a logged 'step' */
    int64_t step;        /* last explicit or counted step, -1 */
    int64_t log_lines;   /* training-log dict lines seen (the counted step) */
    double epoch;        /* epoch in force, NaN */
    int block;           /* inside a "*****" metrics block (0 no, 1 yes) */
};

/* A recent prefixed line, to recognise the other standard stream's copy of it. */
struct mextract_recent {
    uint64_t hash;       /* of the text after the prefix */
    int32_t code;        /* the process */
    uint8_t stream;      /* procprefix_stream */
    uint8_t used;        /* already paired with its copy */
};

enum { MEXTRACT_PROCS = 64, MEXTRACT_RECENT = 128 };

/* 0 for no prefix, else a positive code for (rank, local). */
static inline int32_t mextract_proc_code(int rank, bool local)
{
    return rank < 0 ? 0 : (int32_t)(((uint32_t)rank << 1 | (local ? 1u : 0u)) + 1u);
}

/* Per (job, log stream) state, caller-owned storage: what is in force between lines. The
 * fields step..block are the current process's context (procs[cur] holds the others'). */
struct mextract_state {
    char instance[MINSTANCE_MAX];
    int64_t step;        /* last explicit or counted step, -1 */
    int64_t log_lines;   /* training-log dict lines seen (the counted step) */
    int step_counted;    /* step came from log_lines, not from a logged 'step' */
    double epoch;        /* epoch in force, NaN */
    int block;           /* inside a "*****" metrics block (0 no, 1 yes) */
    int32_t cur_code;    /* the process whose context the fields above hold */
    int cur_rank;        /* its rank (-1 none) and kind, for the points */
    bool cur_local;
    uint32_t nprocs;     /* procs in use */
    struct mextract_proc procs[MEXTRACT_PROCS];
    uint32_t recent_next;
    struct mextract_recent recent[MEXTRACT_RECENT];
    uint64_t dup_lines;  /* other-stream copies skipped (see docs/metrics.md) */
    /* counters for the caller (never reset by the extractor) */
    uint64_t lines, segments, points, unparsed, match_errors;
    char name_buf[MPOINT_NAME_MAX]; /* scratch for preset key names */
};
/* instance may be NULL or "" (single stream). */
void mextract_state_init(struct mextract_state *st, const char *instance);

/* Extracts the points of one log line (line, len: no NUL needed, may hold '\n', '\r', "#015",
 * invalid UTF-8, any length). A launcher prefix at the line's start (procprefix.h) is stripped
 * and names the points' process (mpoint.rank); each process keeps its own step/epoch/block
 * context. A prefixed line whose text (after the prefix) the same process printed on its other
 * standard stream within the last MEXTRACT_RECENT prefixed lines is that line's copy (print and
 * a logger handler): it is skipped, so every line counts once. Returns the number of points
 * delivered (unparsed ones included), or a negative ERR_* code (ERR_CANCELLED when cb asked to
 * stop). */
int mset_extract(struct mset *s, struct mextract_state *st, const char *line, size_t len,
                 int64_t ts_ms, mpoint_fn cb, void *ctx);

/* ---------------------------------------------------------------------------------------------
 * Helpers */

/* Parses a captured value: surrounding blanks allowed; float, scientific, nan, inf, or a
 * duration (sets MPOINT_DURATION in *flags). 0 ok, ERR_PARSE when not a number (out untouched). */
int metrics_parse_value(const char *s, size_t len, double *out, unsigned *flags);
/* "<job>/algo-1-1656268442" → "algo-1"; a name without the "-<epoch seconds>" tail is copied
 * after its last '/'. ERR_INVAL on an empty result, ERR_TOOBIG when out is too small. */
int metrics_instance_from_stream(const char *stream, size_t len, char *out, size_t size);

#endif
