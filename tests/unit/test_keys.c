/* test_keys.c: the key tables (tui/keys.c and each view's table): well formed, no key bound
 * twice in one table, hidden aliases doing what the binding that names them does, mutating
 * bindings refused under --read-only, and key names. No terminal is started. */
#include <criterion/criterion.h>
#include <curses.h>
#include <stdlib.h>
#include <string.h>

#include "tui/app_internal.h"
#include "tui/keys.h"
#include "tui/views.h"

struct table {
    const char *name;
    const struct key_binding *keys;
};

static const struct table *tables(size_t *n)
{
    static struct table t[10];

    t[0] = (struct table){ "global", keys_global };
    t[1] = (struct table){ "jobs", view_jobs_ops.keys };
    t[2] = (struct table){ "detail", view_detail_ops.keys };
    t[3] = (struct table){ "logs", view_logs_ops.keys };
    t[4] = (struct table){ "metrics", view_metrics_ops.keys };
    t[5] = (struct table){ "compare", view_compare_ops.keys };
    t[6] = (struct table){ "launch", view_launch_ops.keys };
    t[7] = (struct table){ "tuning launch", view_tuning_launch_ops.keys };
    t[8] = (struct table){ "tuning list", view_tuning_list_ops.keys };
    t[9] = (struct table){ "tuning detail", view_tuning_detail_ops.keys };
    *n = 10;
    return t;
}

Test(keys, every_table_is_well_formed)
{
    size_t n, i;
    const struct table *t = tables(&n);

    for (i = 0; i < n; i++) {
        const struct key_binding *b;
        size_t count = 0;

        cr_assert_not_null(t[i].keys, "%s has a table", t[i].name);
        for (b = t[i].keys; b->label; b++, count++) {
            cr_assert_neq(b->key, 0, "%s: '%s' has a key", t[i].name, b->label);
            cr_assert_not_null(b->fn, "%s: '%s' has an action", t[i].name, b->label);
            cr_assert_not_null(b->help, "%s: '%s' has a help text", t[i].name, b->label);
            cr_assert(b->label[0] != '\0', "%s: a binding without a label", t[i].name);
            if (!(b->flags & KB_HIDDEN))
                cr_assert(b->help[0] != '\0', "%s: the listed '%s' says what it does",
                          t[i].name, b->label);
        }
        cr_assert_gt(count, 0, "%s binds something", t[i].name);
        cr_assert_null(b->fn, "%s ends with a zeroed entry", t[i].name);
    }
}

Test(keys, no_key_is_bound_twice_in_a_table)
{
    size_t n, i;
    const struct table *t = tables(&n);

    for (i = 0; i < n; i++) {
        const struct key_binding *a, *b;

        for (a = t[i].keys; a->label; a++)
            for (b = a + 1; b->label; b++)
                cr_assert_neq(a->key, b->key, "%s: key %d bound to '%s' and '%s'", t[i].name,
                              a->key, a->label, b->label);
    }
}

/* The listed binding whose label ("g/Home", "PgDn/space") names key, or NULL. */
static const struct key_binding *listed_naming(const struct key_binding *t, int key)
{
    char name[16];
    const char *kn = keys_name(key, name, sizeof(name));
    size_t kl = strlen(kn);

    for (; t->label; t++) {
        const char *p = t->label;

        if (t->flags & KB_HIDDEN)
            continue;
        while (*p) {
            size_t len = strcspn(p, "/");

            if (len == kl && strncmp(p, kn, len) == 0)
                return t;
            p += len + (p[len] == '/');
        }
    }
    return NULL;
}

Test(keys, hidden_aliases_do_what_the_listed_binding_says)
{
    size_t n, i, checked = 0;
    const struct table *t = tables(&n);

    for (i = 0; i < n; i++) {
        const struct key_binding *b;

        for (b = t[i].keys; b->label; b++) {
            const struct key_binding *v;

            if (!(b->flags & KB_HIDDEN) || (v = listed_naming(t[i].keys, b->key)) == NULL)
                continue;
            /* an alias with its own help text ("N: previous match" under "n/N") may differ */
            if (b->help[0] != '\0' && strcmp(b->help, v->help) != 0)
                continue;
            cr_assert_eq(b->fn, v->fn, "%s: %s does not do what '%s: %s' says", t[i].name,
                         b->label, v->label, v->help);
            checked++;
        }
    }
    cr_assert_gt(checked, 10, "the aliases were found (%zu)", checked);
}

/* The binding for key in a table, or fails. */
static const struct key_binding *find(const struct key_binding *t, int key)
{
    const struct key_binding *b = keys_find(t, key, false);

    cr_assert_not_null(b, "key %d is bound", key);
    return b;
}

Test(keys, the_help_text_names_the_action_the_key_runs)
{
    /* one spot check per meaning, so a table edit that swaps two actions fails here */
    cr_assert(strstr(find(keys_global, 'q')->help, "back") != NULL);
    cr_assert_eq(find(keys_global, 'q')->fn, app_act_back);
    cr_assert_eq(find(keys_global, 'Q')->fn, app_act_quit);
    cr_assert_eq(find(keys_global, '?')->fn, app_act_help);
    cr_assert_eq(find(keys_global, ':')->fn, app_act_command);
    cr_assert_eq(find(keys_global, 'P')->fn, app_act_profile);
    cr_assert_eq(find(keys_global, 'E')->fn, app_act_region);
    cr_assert_eq(find(keys_global, 'R')->fn, app_act_refresh);
    cr_assert(strstr(find(view_jobs_ops.keys, 'j')->help, "next") != NULL);
    cr_assert(strstr(find(view_jobs_ops.keys, 'k')->help, "previous") != NULL);
    cr_assert_eq(find(view_jobs_ops.keys, KEY_DOWN)->fn, find(view_jobs_ops.keys, 'j')->fn);
    cr_assert_eq(find(view_jobs_ops.keys, '\r')->fn, find(view_jobs_ops.keys, KEY_ENTER)->fn);
    cr_assert(strstr(find(view_logs_ops.keys, 'n')->help, "next") != NULL);
    cr_assert(strstr(find(view_logs_ops.keys, 'N')->help, "previous") != NULL);
    cr_assert_neq(find(view_logs_ops.keys, 'n')->fn, find(view_logs_ops.keys, 'N')->fn);
    cr_assert_eq(find(view_metrics_ops.keys, '+')->fn, find(view_metrics_ops.keys, '=')->fn);
    cr_assert_neq(find(view_metrics_ops.keys, '+')->fn, find(view_metrics_ops.keys, '-')->fn);
}

Test(keys, mutating_bindings_are_invisible_read_only)
{
    const struct key_binding *b;
    size_t mutating = 0;

    for (b = view_jobs_ops.keys; b->label; b++) {
        if (!(b->flags & KB_MUTATING))
            continue;
        mutating++;
        cr_assert_null(keys_find(view_jobs_ops.keys, b->key, true), "'%s' under --read-only",
                       b->label);
        cr_assert_eq(keys_find(view_jobs_ops.keys, b->key, false), b);
    }
    cr_assert_geq(mutating, 3, "n, r and x change things");
    cr_assert_null(keys_find(view_jobs_ops.keys, 0x7fff, false));
}

Test(keys, dispatch_runs_the_action_or_says_unhandled)
{
    struct app *a = calloc(1, sizeof(*a));
    struct view v = { .ops = &view_jobs_ops };

    cr_assert_not_null(a);
    a->depth = 1;
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'Q'), R_QUIT);
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'q'), R_QUIT, "q on the bottom view quits");
    a->depth = 2;
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'q'), R_REDRAW, "q elsewhere goes back");
    cr_assert_eq(a->pending_pop, 1);
    cr_assert_eq(keys_dispatch(keys_global, &v, a, '?'), R_REDRAW);
    cr_assert(a->help);
    cr_assert_eq(keys_dispatch(keys_global, &v, a, 'z'), R_UNHANDLED);
    free(a);
}

Test(keys, names)
{
    char buf[16];

    cr_assert_str_eq(keys_name('\n', buf, sizeof(buf)), "Enter");
    cr_assert_str_eq(keys_name(KEY_NPAGE, buf, sizeof(buf)), "PgDn");
    cr_assert_str_eq(keys_name(KEY_CTRL_L, buf, sizeof(buf)), "^L");
    cr_assert_str_eq(keys_name('x', buf, sizeof(buf)), "x");
    cr_assert_str_eq(keys_name(' ', buf, sizeof(buf)), "space");
    cr_assert_str_eq(keys_name(KEY_ESCAPE, buf, sizeof(buf)), "Esc");
    cr_assert_str_eq(keys_name(1000, buf, sizeof(buf)), "#1000");
}
