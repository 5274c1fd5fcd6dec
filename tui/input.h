/* input.h: a one-line text editor with history and tab completion (the `:` line, `/` filters,
 * searches, prompts). Pure state machine: keys in, results out; no curses calls, so it is unit
 * tested. Keys are curses codes; a non-ASCII character arrives as INPUT_KEY_CHAR(cp). */
#ifndef SAGETOP_TUI_INPUT_H
#define SAGETOP_TUI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INPUT_MAX 512
#define HISTORY_MAX 100
#define INPUT_KEY_UNICODE 0x1000000
static inline int input_key_char(int32_t cp)
{
    return cp < 0x80 ? (int)cp : INPUT_KEY_UNICODE + (int)cp;
}

/* A history list, newest last. Owned strings. */
struct history {
    char *items[HISTORY_MAX];
    size_t n;
};
void history_add(struct history *h, const char *line);   /* skips empty and repeated lines */
void history_clean(struct history *h);

/* One history per prompt kind ("cmd", "filter", "search", "save", "time", "launch", ...), kept
 * for the session. Each kind gets its own slot the first time it is asked for; a kind never
 * borrows another's slot, and there are more slots than the UI has kinds. */
#define HISTORY_KINDS_MAX 24
struct history_set {
    struct {
        char name[32];
        struct history h;
    } kinds[HISTORY_KINDS_MAX];
    size_t n;
};
/* The history of kind name (created empty on first use); NULL for a NULL or empty name, a name
 * too long for a slot, or when every slot is taken. Valid until history_set_clean(). */
struct history *history_set_get(struct history_set *set, const char *name);
void history_set_clean(struct history_set *set);

enum input_result {
    INPUT_NONE,         /* not an editing key */
    INPUT_CHANGED,      /* text or cursor moved */
    INPUT_SUBMIT,       /* Enter */
    INPUT_CANCEL,       /* Esc, Ctrl-C, or backspace on an empty line */
    INPUT_COMPLETE,     /* Tab: the caller runs completion then input_complete() */
};

struct input {
    char buf[INPUT_MAX];
    size_t len, cur;                 /* bytes; cur on a character boundary */
    struct history *hist;            /* borrowed, may be NULL */
    size_t hist_pos;                 /* == hist->n: editing a new line */
    char saved[INPUT_MAX];           /* the new line while browsing history */
    /* completion cycling */
    char cands[32][128];
    size_t n_cands, cand_pos;
    bool cycling;
    size_t word_start;
};

void input_init(struct input *in, const char *initial, struct history *hist);
enum input_result input_key(struct input *in, int key);
/* The word under completion: from its start to the cursor. */
const char *input_word(const struct input *in, char *buf, size_t size);
/* Applies candidates: one → completes it (plus a space); several → extends to the common
 * prefix, and each further Tab cycles through them. */
void input_complete(struct input *in, char (*cands)[128], size_t n);
/* Display column of the cursor (for drawing). */
int input_cursor_col(const struct input *in);

#endif
