/* test_tui_pager.c: tui/pager.c. The argv that runs $PAGER / $EDITOR: the variable's words, +N
 * only for programs known to take it, the path last, no shell; and the temporary file: mode
 * 0600, sanitized lines, removed once discarded. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/err.h"
#include "tui/pager.h"

static int argv_of(const char *cmd, long line, char *argv[PAGER_ARGV_MAX], char *buf,
                   size_t size)
{
    return pager_argv(cmd, "/tmp/f", line, buf, size, argv);
}

Test(pager_argv, less_starts_at_the_line)
{
    char buf[256], *argv[PAGER_ARGV_MAX];

    cr_assert_eq(argv_of("less", 42, argv, buf, sizeof(buf)), 3);
    cr_assert_str_eq(argv[0], "less");
    cr_assert_str_eq(argv[1], "+42");
    cr_assert_str_eq(argv[2], "/tmp/f");
    cr_assert_null(argv[3]);
    /* a path and options are words of their own; the line goes after them */
    cr_assert_eq(argv_of("  /usr/bin/less  -R -S ", 7, argv, buf, sizeof(buf)), 5);
    cr_assert_str_eq(argv[0], "/usr/bin/less");
    cr_assert_str_eq(argv[1], "-R");
    cr_assert_str_eq(argv[2], "-S");
    cr_assert_str_eq(argv[3], "+7");
    cr_assert_str_eq(argv[4], "/tmp/f");
    /* line 0: the top, no +N */
    cr_assert_eq(argv_of("less", 0, argv, buf, sizeof(buf)), 2);
    cr_assert_str_eq(argv[1], "/tmp/f");
}

Test(pager_argv, others_get_no_line_and_no_shell)
{
    char buf[256], *argv[PAGER_ARGV_MAX];

    cr_assert_eq(argv_of("cat", 42, argv, buf, sizeof(buf)), 2);
    cr_assert_str_eq(argv[0], "cat");
    cr_assert_str_eq(argv[1], "/tmp/f");
    cr_assert_eq(argv_of("bat --paging=always", 42, argv, buf, sizeof(buf)), 3);
    cr_assert_str_eq(argv[2], "/tmp/f");
    /* shell syntax is not interpreted: it stays words */
    cr_assert_eq(argv_of("less;rm", 3, argv, buf, sizeof(buf)), 2);
    cr_assert_str_eq(argv[0], "less;rm");
    cr_assert_eq(argv_of("vim", 3, argv, buf, sizeof(buf)), 3);
    cr_assert_str_eq(argv[1], "+3");
    /* empty, too many words, too long */
    cr_assert_eq(argv_of("   ", 3, argv, buf, sizeof(buf)), 0);
    cr_assert_eq(argv_of("a b c d e f g h i j k l m n o p q", 3, argv, buf, sizeof(buf)), 0);
    cr_assert_eq(argv_of("less", 3, argv, buf, 8), 0);
}

Test(pager_file, private_sanitized_and_removed)
{
    struct pager p;
    struct err e = { 0 };
    struct stat sb;
    char text[256], path[sizeof(p.path)];
    const char *esc = "\x1b]52;c;ZXZpbA==\x07red \x1b[31mtext\x1b[0m\r\n";
    FILE *f;
    size_t n;

    cr_assert_eq(pager_open(&p, &e), 0, "%s", e.msg);
    cr_assert_eq(stat(p.path, &sb), 0);
    cr_assert_eq(sb.st_mode & 0777, 0600);
    pager_line(&p, "plain", 5);
    pager_line(&p, esc, strlen(esc));
    cr_assert_eq(p.lines, 2);
    fflush(p.f);
    f = fopen(p.path, "r");
    cr_assert_not_null(f);
    n = fread(text, 1, sizeof(text) - 1, f);
    text[n] = '\0';
    fclose(f);
    cr_assert_str_eq(text, "plain\nred text\n");
    snprintf(path, sizeof(path), "%s", p.path);
    pager_discard(&p);
    cr_assert_neq(stat(path, &sb), 0, "%s is left", path);
}
