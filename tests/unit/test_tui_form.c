/* test_tui_form.c: tui/form.c's cursor: it rests on fields only (headings are passed over in
 * the direction of the move), and g/G, Home/End, PgUp/PgDn and j/k do what they do in every
 * list; the page scrolls to keep the cursor on screen; long messages go under the form. */
#include <criterion/criterion.h>
#include <curses.h>

#include "tui/form.h"

/* rows: H f f H f f f H f  (H: heading) */
static const bool rows[] = { true, false, false, true, false, false, false, true, false };
#define N (sizeof(rows) / sizeof(rows[0]))

static bool heading(void *ctx, size_t i)
{
    (void)ctx;
    return rows[i];
}

static struct form make(int page)
{
    struct form f;

    form_init(&f, N, heading, NULL);
    f.l.page = page;
    return f;
}

Test(form, starts_on_the_first_field_and_skips_headings)
{
    struct form f = make(20);

    cr_assert_eq(form_cur(&f), 1);
    cr_assert_eq(form_key(&f, 'j', heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 2);
    cr_assert_eq(form_key(&f, 'j', heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 4, "the heading at 3 is passed over");
    cr_assert_eq(form_key(&f, 'k', heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 2, "and going up too");
    cr_assert_eq(form_key(&f, 'k', heading, NULL), 1);
    cr_assert_eq(form_key(&f, 'k', heading, NULL), 0, "the first field is the top");
    cr_assert_eq(form_cur(&f), 1);
    cr_assert_eq(form_key(&f, 'x', heading, NULL), -1);
}

Test(form, g_G_home_end_go_to_the_first_and_last_field)
{
    struct form f = make(20);

    cr_assert_eq(form_key(&f, 'G', heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 8);
    cr_assert_eq(form_key(&f, 'g', heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 1, "g lands on the first field, not its heading");
    cr_assert_eq(form_key(&f, KEY_END, heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 8);
    cr_assert_eq(form_key(&f, KEY_HOME, heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 1);
}

Test(form, pages_and_scrolling)
{
    struct form f = make(3);

    cr_assert_eq(form_key(&f, KEY_NPAGE, heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 4, "a page (2 rows) down from 1 is the heading at 3: onto 4");
    cr_assert(f.l.top <= 4 && 4 < f.l.top + 3, "the cursor is on screen (top %zu)", f.l.top);
    cr_assert_eq(form_key(&f, KEY_NPAGE, heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 6);
    cr_assert_eq(form_key(&f, KEY_PPAGE, heading, NULL), 1);
    cr_assert_eq(form_cur(&f), 4);
    /* a rebuild keeps the cursor on a field */
    form_reset(&f, N, 7, heading, NULL);
    cr_assert_eq(form_cur(&f), 8);
    form_reset(&f, N, 100, heading, NULL);
    cr_assert_eq(form_cur(&f), 8);
}

Test(form, long_messages_go_under_the_form)
{
    cr_assert_eq(form_message_rows(NULL, 120), 0);
    cr_assert_eq(form_message_rows("short", 120), 0);
    cr_assert_eq(form_message_rows("a message of seventy characters, which is more than half of it...", 120), 1);
    cr_assert_eq(form_message_rows("a message of seventy characters, which is more than half of it...", 60), 2);
}
