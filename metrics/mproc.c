/* mproc.c: the processes inside one stream. A line with a launcher prefix (procprefix.h) is
 * stripped of it and switches the extractor state to that process's context (step, epoch, eval
 * block), so sixteen ranks interleaved in algo-1's stream each keep their own; and a line that
 * the same process just printed on its other standard stream (a Trainer block printed and
 * logged) is recognised as the copy it is. Called by mset_extract() for every line: a line
 * without prefix from the process already in force costs one byte test. No allocation. */
#include <math.h>
#include <string.h>

#include "metrics/mset_internal.h"
#include "metrics/procprefix.h"

static void save_current(struct mextract_state *st, struct mextract_proc *p)
{
    p->code = st->cur_code;
    p->step = st->step;
    p->log_lines = st->log_lines;
    p->step_counted = st->step_counted;
    p->epoch = st->epoch;
    p->block = st->block;
}

static struct mextract_proc *find_proc(struct mextract_state *st, int32_t code)
{
    for (uint32_t i = 0; i < st->nprocs; i++)
        if (st->procs[i].code == code)
            return &st->procs[i];
    return NULL;
}

/* Makes code's context the one in force. A process never seen starts fresh; past
 * MEXTRACT_PROCS processes the last slot is shared (more ranks than any job's stream holds). */
static void switch_to(struct mextract_state *st, int32_t code, int rank, bool local)
{
    struct mextract_proc *old = find_proc(st, st->cur_code), *p;

    if (old == NULL) {
        uint32_t k = st->nprocs < MEXTRACT_PROCS ? st->nprocs++ : MEXTRACT_PROCS - 1;
        old = &st->procs[k];
    }
    save_current(st, old);
    p = find_proc(st, code);
    if (p != NULL) {
        st->step = p->step;
        st->log_lines = p->log_lines;
        st->step_counted = p->step_counted;
        st->epoch = p->epoch;
        st->block = p->block;
    } else {
        st->step = -1;
        st->log_lines = 0;
        st->step_counted = 0;
        st->epoch = NAN;
        st->block = 0;
    }
    st->cur_code = code;
    st->cur_rank = rank;
    st->cur_local = local;
}

size_t mproc_enter(struct mextract_state *st, const char *line, size_t len,
                   struct procprefix *pp)
{
    if (!procprefix_parse(line, len, pp)) {
        pp->len = 0;
        pp->stream = PROCPREFIX_STREAM_NONE;
        if (st->cur_code != 0)
            switch_to(st, 0, -1, false);
        return 0;
    }
    if (pp->rank >= 0) {
        int32_t code = mextract_proc_code(pp->rank, !pp->rank_global);
        if (code != st->cur_code)
            switch_to(st, code, pp->rank, !pp->rank_global);
    }
    return pp->len;
}

/* FNV-1a over the line's text without its line ending. */
static uint64_t text_hash(const char *p, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;

    while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
        n--;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
    return h;
}

bool mproc_is_copy(struct mextract_state *st, const struct procprefix *pp, const char *text,
                   size_t len)
{
    struct mextract_recent *r;
    uint64_t h;

    if (pp->stream == PROCPREFIX_STREAM_NONE)
        return false;
    h = text_hash(text, len);
    for (size_t i = 0; i < MEXTRACT_RECENT; i++) {
        r = &st->recent[i];
        if (r->hash == h && !r->used && r->code == st->cur_code && r->stream != 0 &&
            r->stream != (uint8_t)pp->stream) {
            r->used = 1;
            st->dup_lines++;
            return true;
        }
    }
    r = &st->recent[st->recent_next++ % MEXTRACT_RECENT];
    r->hash = h;
    r->code = st->cur_code;
    r->stream = (uint8_t)pp->stream;
    r->used = 0;
    return false;
}
