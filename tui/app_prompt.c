/* app_prompt.c: the frame's prompt line and what it opens: text prompts with a history per
 * name and Tab completion, yes/no questions, the profile and region pickers, and the `:`
 * commands the frame runs itself (the rest go to the views' on_command). Changes the frame's
 * state and returns R_* flags; must not draw (app_frame.c draws the prompt and the picker). */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aws/config.h"
#include "cache/cache.h"
#include "tui/app_internal.h"
#include "tui/views.h"

static const char *const commands[] = {
    "q", "quit", "help", "refresh", "profile", "region", "jobs", "sort", "cols", "filter",
    "mark", "unmark", "logs", "detail", "compare", "metrics", "launch", "stop", "time", "save",
    "wrap", "timestamps", "tuning", NULL
};


void app_prompt(struct app *a, const char *label, const char *initial, const char *history,
                prompt_submit_fn on_submit, prompt_complete_fn complete)
{
    a->prompt = PROMPT_TEXT;
    snprintf(a->prompt_label, sizeof(a->prompt_label), "%s", label);
    input_init(&a->input, initial, history_set_get(&a->hist, history));
    a->on_submit = on_submit;
    a->on_complete = complete;
    a->dirty = true;
}

void app_confirm(struct app *a, const char *question, action_fn on_yes)
{
    a->prompt = PROMPT_CONFIRM;
    snprintf(a->prompt_label, sizeof(a->prompt_label), "%s", question);
    a->on_yes = on_yes;
    a->dirty = true;
}

static void switch_scope(struct app *a, const char *profile, const char *region);

/* The items holding the picker's filter (any case), the selection kept on the same item when
 * it is still shown. */
static void filter_picker(struct app *a)
{
    size_t i, n = 0, keep = a->pick_list.count > 0 ? a->pick_shown[a->pick_list.cur] : 0;
    size_t cur = 0;

    for (i = 0; i < a->n_pick; i++) {
        if (a->pick_filter[0] && !strcasestr(a->pick_items[i], a->pick_filter))
            continue;
        if (i == keep)
            cur = n;
        a->pick_shown[n++] = i;
    }
    a->pick_list.count = n;
    a->pick_list.cursor = true;
    list_resize(&a->pick_list, n, a->pick_list.page > 0 ? a->pick_list.page : 1);
    list_goto(&a->pick_list, cur);
}

static void open_picker(struct app *a, int kind)
{
    size_t i, n = 0;

    free(a->pick_items);
    a->pick_items = calloc(PICK_MAX, sizeof(*a->pick_items));
    if (!a->pick_items)
        return;
    if (kind == 0) {
        n = aws_config_list_profiles(a->pick_items, PICK_MAX);
    } else {
        for (i = 0; aws_config_regions[i] && n < PICK_MAX; i++)
            snprintf(a->pick_items[n++], 128, "%s", aws_config_regions[i]);
    }
    a->n_pick = n;
    a->pick_filter[0] = '\0';
    memset(&a->pick_list, 0, sizeof(a->pick_list));
    for (i = 0; i < n; i++)
        if (strcmp(a->pick_items[i], kind == 0 ? a->profile : a->region) == 0)
            a->pick_shown[0] = i;         /* filter_picker() keeps it selected */
    a->pick_list.count = n > 0 ? 1 : 0;
    filter_picker(a);
    a->pick_kind = kind;
    a->prompt = PROMPT_PICK;
    a->dirty = true;
}

/* A key in a picker: the navigation keys move, a printable character or Backspace changes the
 * filter (k9s: typing narrows the list, it never falls through to the view below), Enter
 * picks, Esc clears the filter and then closes. */
static int picker_key(struct app *a, int key)
{
    size_t len = strlen(a->pick_filter);

    if (key == '\n' || key == '\r' || key == KEY_ENTER) {
        a->prompt = PROMPT_NONE;
        if (a->pick_list.count > 0) {
            const char *item = a->pick_items[a->pick_shown[a->pick_list.cur]];

            if (a->pick_kind == 0)
                switch_scope(a, item, NULL);
            else
                switch_scope(a, NULL, item);
        }
        return R_REDRAW;
    }
    if (key == 27) {
        if (len == 0)
            a->prompt = PROMPT_NONE;
        a->pick_filter[0] = '\0';
        filter_picker(a);
        return R_REDRAW;
    }
    if (key == KEY_BACKSPACE || key == 127 || key == 8) {
        if (len > 0) {
            a->pick_filter[len - 1] = '\0';
            filter_picker(a);
        }
        return R_REDRAW;
    }
    if (key >= 0x20 && key < 0x7f) {
        if (len + 1 < sizeof(a->pick_filter)) {
            a->pick_filter[len] = (char)key;
            a->pick_filter[len + 1] = '\0';
            filter_picker(a);
        }
        return R_REDRAW;
    }
    list_key(&a->pick_list, key, 0);
    return R_REDRAW;
}

int app_act_profile(struct view *v, struct app *a)
{
    (void)v;
    open_picker(a, 0);
    return R_REDRAW;
}

int app_act_region(struct view *v, struct app *a)
{
    (void)v;
    open_picker(a, 1);
    return R_REDRAW;
}

static void switch_scope(struct app *a, const char *profile, const char *region)
{
    struct wmsg *m = wmsg_new(WREQ_SWITCH, NULL);

    if (profile)
        snprintf(a->profile, sizeof(a->profile), "%s", profile);
    if (region)
        snprintf(a->region, sizeof(a->region), "%s", region);
    a->have_sync = false;
    a->synced_at = 0;
    snprintf(a->sync_text, sizeof(a->sync_text), "switching…");
    if (m) {
        snprintf(m->u.sw.profile, sizeof(m->u.sw.profile), "%s", profile ? profile : "");
        snprintf(m->u.sw.region, sizeof(m->u.sw.region), "%s", region ? region : "");
    }
    if (a->worker)
        worker_post(a->worker, m);
    else
        wmsg_free(m);
    app_flash(a, false, "switching to profile %s, region %s", a->profile, a->region);
}

static size_t complete_command(struct view *v, struct app *a, const char *line,
                               const char *word, char (*out)[128], size_t max)
{
    size_t n = 0, i, wl = strlen(word);
    const char *sp = strchr(line, ' ');

    if (!sp) {
        for (i = 0; commands[i] && n < max; i++)
            if (strncmp(commands[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", commands[i]);
        return n;
    }
    if (strncmp(line, "region ", 7) == 0) {
        for (i = 0; aws_config_regions[i] && n < max; i++)
            if (strncmp(aws_config_regions[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", aws_config_regions[i]);
        return n;
    }
    if (strncmp(line, "profile ", 8) == 0) {
        char profs[64][128];
        size_t np = aws_config_list_profiles(profs, 64);

        for (i = 0; i < np && n < max; i++)
            if (strncmp(profs[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", profs[i]);
        return n;
    }
    /* The rest belongs to the view: its own completion when it has commands of its own (the
     * tuning views' sort keys and filter fields), else the job list's columns and statuses. */
    if (v->ops->complete)
        return v->ops->complete(v, a, line, word, out, max);
    return view_jobs_complete(v, a, line, word, out, max);
}

/* A region from the known list, or a profile of the config files: an invalid scope would only
 * turn every request into an error, so it is refused before anything changes. */
static bool scope_known(bool profile, const char *name)
{
    char profs[64][128];
    size_t i, n;

    if (!profile) {
        for (i = 0; aws_config_regions[i]; i++)
            if (strcmp(aws_config_regions[i], name) == 0)
                return true;
        return false;
    }
    n = aws_config_list_profiles(profs, 64);
    for (i = 0; i < n; i++)
        if (strcmp(profs[i], name) == 0)
            return true;
    return false;
}

static int split_args(char *s, char **argv, int max)
{
    int n = 0;

    while (*s && n < max) {
        while (*s == ' ')
            *s++ = '\0';
        if (!*s)
            break;
        argv[n++] = s;
        while (*s && *s != ' ')
            s++;
    }
    return n;
}

static int run_command(struct view *v, struct app *a, const char *text)
{
    char buf[INPUT_MAX];
    char *argv[32];
    int argc, r;

    snprintf(buf, sizeof(buf), "%s", text);
    argc = split_args(buf, argv, 32);
    if (argc == 0)
        return R_NONE;
    if (strcmp(argv[0], "q") == 0 || strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "q!") == 0)
        return R_QUIT;
    if (strcmp(argv[0], "help") == 0)
        return app_act_help(v, a);
    if (strcmp(argv[0], "refresh") == 0)
        return app_act_refresh(v, a);
    if (strcmp(argv[0], "profile") == 0 || strcmp(argv[0], "region") == 0) {
        bool prof = argv[0][0] == 'p';

        if (argc < 2) {
            open_picker(a, prof ? 0 : 1);
            return R_REDRAW;
        }
        if (!scope_known(prof, argv[1])) {
            app_flash(a, true, "unknown %s '%s' (Tab completes, :%s alone lists them)",
                      argv[0], argv[1], argv[0]);
            return R_REDRAW;
        }
        switch_scope(a, prof ? argv[1] : NULL, prof ? NULL : argv[1]);
        return R_REDRAW;
    }
    r = R_UNHANDLED;
    if (v->ops->on_command)
        r = v->ops->on_command(v, a, argc, argv);
    if (r == R_UNHANDLED && a->depth > 1 && a->stack[0].ops->on_command) {
        /* list commands (:jobs, :sort, :cols) act on the list even from another view (a
         * view with a sort of its own, the tuning views, takes :sort itself) */
        if (strcmp(argv[0], "sort") == 0 && !view_jobs_sort_valid(a, argc, argv, NULL))
            return R_REDRAW;    /* refused: the view stays */
        r = a->stack[0].ops->on_command(&a->stack[0], a, argc, argv);
        if (r != R_UNHANDLED) {
            a->pending_pop = (int)a->depth - 1;
            r |= R_REDRAW;
        }
    }
    if (r == R_UNHANDLED) {
        app_flash(a, true, "unknown command '%s' (Tab completes, ? lists keys)", argv[0]);
        return R_REDRAW;
    }
    return r;
}

int app_act_command(struct view *v, struct app *a)
{
    (void)v;
    app_prompt(a, ":", "", "cmd", run_command, complete_command);
    return R_REDRAW;
}

/* ---- keys while a prompt is open ---------------------------------------------------------------------------------- */

int app_prompt_key(struct app *a, int key)
{
    struct view *v = app_top(a);
    enum input_result r;

    if (a->prompt == PROMPT_CONFIRM) {
        action_fn yes = a->on_yes;

        a->prompt = PROMPT_NONE;
        if (key == 'y' || key == 'Y')
            return yes(v, a) | R_REDRAW;
        app_flash(a, false, "cancelled");
        return R_REDRAW;
    }
    if (a->prompt == PROMPT_PICK)
        return picker_key(a, key);
    r = input_key(&a->input, key);
    switch (r) {
    case INPUT_SUBMIT: {
        char text[INPUT_MAX];
        prompt_submit_fn fn = a->on_submit;

        snprintf(text, sizeof(text), "%s", a->input.buf);
        if (a->input.hist)
            history_add(a->input.hist, text);
        a->prompt = PROMPT_NONE;
        return (fn ? fn(v, a, text) : R_NONE) | R_REDRAW;
    }
    case INPUT_CANCEL:
        a->prompt = PROMPT_NONE;
        return R_REDRAW;
    case INPUT_COMPLETE:
        if (a->on_complete) {
            char (*cands)[128] = calloc(64, sizeof(*cands));
            char word[128];
            char line[INPUT_MAX];
            size_t n;

            if (!cands)
                return R_NONE;
            memcpy(line, a->input.buf, a->input.cur);
            line[a->input.cur] = '\0';
            if (a->input.cycling)
                n = 0;
            else
                n = a->on_complete(v, a, line, input_word(&a->input, word, sizeof(word)), cands, 64);
            input_complete(&a->input, cands, n);
            free(cands);
        }
        return R_REDRAW;
    default:
        return R_REDRAW;
    }
}


void app_prompt_clean(struct app *a)
{
    free(a->pick_items);
    a->pick_items = NULL;
    history_set_clean(&a->hist);
}
