/* fuzz_extract.c: libFuzzer target for metric extraction. The input's first line is a regex
 * (a definition that may not compile), the rest is a log fed line by line through one set with
 * the Hugging Face preset on, so the dict parser, block state, repairs, separators ('\r', "#015")
 * and the literal prefilters all see hostile bytes. Every point must be well formed. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "metrics/metrics.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_point(const struct mpoint *p, void *ctx)
{
    (void)ctx;
    if (p->name == NULL || p->name[0] == '\0' || strlen(p->name) >= MPOINT_NAME_MAX)
        abort();
    if ((p->flags & MPOINT_UNPARSED) && !isnan(p->value))
        abort();
    if (p->raw == NULL && p->raw_len > 0)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data, *nl = memchr(s, '\n', size);
    size_t rl = nl != NULL ? (size_t)(nl - s) : size, pos;
    char *regex = malloc(rl + 1);
    struct mdef_list l;
    struct mset *ms;
    struct mextract_state st;

    if (regex == NULL)
        return 0;
    memcpy(regex, s, rl);
    regex[rl] = '\0';
    mdef_list_init(&l);
    mdef_list_add(&l, "fuzz", regex, MDEF_JOB, NULL);
    mdef_list_add(&l, "loss", "'loss': ([0-9]+(.|e\\-)[0-9]+),?", MDEF_USER, NULL);
    mdef_list_add(&l, "eval_loss", "eval_loss.*=\\D*(.*?)$", MDEF_CLI, NULL);
    ms = mset_new(&l, NULL);
    mdef_list_clean(&l);
    free(regex);
    if (ms == NULL)
        return 0;
    mextract_state_init(&st, "algo-1");
    pos = nl != NULL ? rl + 1 : size;
    while (pos < size) {
        const char *e = memchr(s + pos, '\n', size - pos);
        size_t n = e != NULL ? (size_t)(e - (s + pos)) : size - pos;
        mset_extract(ms, &st, s + pos, n, 0, check_point, NULL);
        pos += n + 1;
    }
    /* the whole input as one event too: multi-line events are split inside */
    mset_extract(ms, &st, s, size, 0, check_point, NULL);
    mset_free(ms);
    return 0;
}
