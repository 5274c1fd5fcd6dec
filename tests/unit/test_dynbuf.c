/* test_dynbuf.c: the capped growable buffer and vec_grow(). */
#include <criterion/criterion.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "aws/err.h"

Test(dynbuf, empty_is_empty_string)
{
    struct dynbuf b;
    dynbuf_init(&b, 0);
    cr_assert_str_eq(dynbuf_str(&b), "");
    char *s = dynbuf_take(&b);
    cr_assert_str_eq(s, "");
    free(s);
}

Test(dynbuf, appends_and_formats)
{
    struct dynbuf b;
    dynbuf_init(&b, 0);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(dynbuf_printf(&b, "%d,", i), 0);
    cr_assert_eq(dynbuf_addstr(&b, "end"), 0);
    cr_assert_eq(dynbuf_addc(&b, '!'), 0);
    cr_assert(strncmp(dynbuf_str(&b), "0,1,2,", 6) == 0);
    cr_assert(strcmp(dynbuf_str(&b) + b.len - 8, "999,end!") == 0);
    cr_assert_eq(strlen(dynbuf_str(&b)), b.len);
    dynbuf_truncate(&b, 2);
    cr_assert_str_eq(dynbuf_str(&b), "0,");
    dynbuf_free(&b);
}

Test(dynbuf, cap_sticks)
{
    struct dynbuf b;
    dynbuf_init(&b, 8);
    cr_assert_eq(dynbuf_addstr(&b, "1234567"), 0);
    cr_assert_eq(dynbuf_addc(&b, 'x'), ERR_TOOBIG);
    cr_assert_eq(dynbuf_addstr(&b, ""), ERR_TOOBIG);
    cr_assert_eq(dynbuf_printf(&b, "%s", ""), ERR_TOOBIG);
    cr_assert_str_eq(dynbuf_str(&b), "1234567");
    cr_assert_null(dynbuf_take(&b));
    cr_assert_null(b.p);
    dynbuf_init(&b, 4);
    cr_assert_eq(dynbuf_printf(&b, "%s", "abcd"), ERR_TOOBIG);
    dynbuf_free(&b);
}

Test(dynbuf, vec_grow_doubles)
{
    int *v = NULL;
    size_t cap = 0;
    cr_assert_eq(vec_grow((void **)&v, &cap, 1, sizeof *v), 0);
    cr_assert_eq(cap, 16);
    cr_assert_eq(vec_grow((void **)&v, &cap, 17, sizeof *v), 0);
    cr_assert_eq(cap, 32);
    v[31] = 7;
    cr_assert_eq(vec_grow((void **)&v, &cap, 5, sizeof *v), 0);
    cr_assert_eq(cap, 32);
    cr_assert_eq(vec_grow((void **)&v, &cap, (size_t)-1, sizeof *v), ERR_NOMEM);
    cr_assert_eq(cap, 32);
    free(v);
}

static size_t fixed(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_fixed(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

Test(fmt_fixed, keeps_what_fits_and_says_how_much)
{
    char buf[8];

    cr_assert_eq(fixed(buf, sizeof(buf), "%d-%s", 42, "ab"), 5);
    cr_assert_str_eq(buf, "42-ab");
    cr_assert_eq(fixed(buf, sizeof(buf), "%s", "0123456789"), 7);
    cr_assert_str_eq(buf, "0123456");
    cr_assert_eq(fixed(buf, sizeof(buf), "%s", ""), 0);
    cr_assert_str_eq(buf, "");
}
