/* test_userconfig.c: sagetop's own config file (aws/userconfig.c): path resolution, reading
 * keys, editing one line while keeping every other line, atomic saving, a missing file, and
 * malformed headers named by line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/userconfig.h"

static char tmpdir[256];
static char path[400];

static void setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sagetop-userconfig-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("XDG_CONFIG_HOME", tmpdir, 1);
    snprintf(path, sizeof(path), "%s/sagetop/config", tmpdir);
}

static void teardown(void)
{
    char cmd[400];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
    unsetenv("XDG_CONFIG_HOME");
}

static void write_file(const char *p, const char *text)
{
    char dir[400];
    FILE *f;

    snprintf(dir, sizeof(dir), "%s/sagetop", tmpdir);
    mkdir(dir, 0700);
    f = fopen(p, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_all(const char *p)
{
    static char buf[8192];
    FILE *f = fopen(p, "r");
    size_t n;

    cr_assert_not_null(f, "%s exists", p);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

TestSuite(userconfig, .init = setup, .fini = teardown);

Test(userconfig, path_from_xdg_then_home)
{
    char buf[256];
    struct err e = { 0 };

    setenv("XDG_CONFIG_HOME", "/x/cfg", 1);
    cr_assert_eq(userconfig_path(buf, sizeof(buf), &e), 0);
    cr_assert_str_eq(buf, "/x/cfg/sagetop/config");
    cr_assert_eq(userconfig_path(buf, 8, &e), ERR_TOOBIG);
    unsetenv("XDG_CONFIG_HOME");
    setenv("HOME", "/home/u", 1);
    cr_assert_eq(userconfig_path(buf, sizeof(buf), &e), 0);
    cr_assert_str_eq(buf, "/home/u/.config/sagetop/config");
    unsetenv("HOME");
    cr_assert_eq(userconfig_path(buf, sizeof(buf), &e), ERR_CONFIG);
    cr_assert(strstr(e.msg, "XDG_CONFIG_HOME") != NULL, "%s", e.msg);
}

Test(userconfig, get_reads_key_value_in_its_section_only)
{
    static const char text[] =
        "# top comment\n"
        "theme dark\n"
        "[metrics]\n"
        "metric loss loss: ([0-9.]+)\n"
        "columns not-this-one\n"
        "[ui]\n"
        "  ; a comment\n"
        "columns = hp.lr m.loss  \r\n"
        "[job bert-*]\n"
        "metric x (\\d)\n";
    struct userconfig *c = NULL;
    struct err e = { 0 };
    char v[128];

    cr_assert_eq(userconfig_parse(text, strlen(text), "cfg", &c, &e), 0, "%s", e.msg);
    cr_assert(userconfig_get(c, "ui", "columns", v, sizeof(v)));
    cr_assert_str_eq(v, "hp.lr m.loss");
    cr_assert(userconfig_get(c, "", "theme", v, sizeof(v)));
    cr_assert_str_eq(v, "dark");
    cr_assert(userconfig_get(c, "metrics", "columns", v, sizeof(v)));
    cr_assert_str_eq(v, "not-this-one");
    cr_assert_not(userconfig_get(c, "ui", "theme", v, sizeof(v)));
    cr_assert_not(userconfig_get(c, "ui", "col", v, sizeof(v)), "a prefix is not the key");
    cr_assert_not(userconfig_get(c, "nosuch", "columns", v, sizeof(v)));
    userconfig_free(c);
}

Test(userconfig, round_trip_keeps_other_sections_and_comments)
{
    static const char text[] =
        "# my settings\n"
        "[metrics]\n"
        "metric loss loss: ([0-9.]+)   \n"
        "\n"
        "[ui]\n"
        "columns hp.lr\n"
        "other keep me\n"
        "[job bert-*]\n"
        "metric-preset none\n";
    struct userconfig *c = NULL;
    struct err e = { 0 };
    char v[128];

    write_file(path, text);
    cr_assert_eq(userconfig_load(NULL, &c, &e), 0, "%s", e.msg);
    cr_assert_str_eq(userconfig_text(c, NULL), text, "loaded byte for byte");
    cr_assert_eq(userconfig_save(c, NULL, &e), 0, "%s", e.msg);
    cr_assert_str_eq(read_all(path), text, "saved unchanged");
    cr_assert_eq(userconfig_set(c, "ui", "columns", "hp.lr m.bleu", &e), 0);
    cr_assert_eq(userconfig_save(c, NULL, &e), 0, "%s", e.msg);
    userconfig_free(c);
    cr_assert_str_eq(read_all(path),
                     "# my settings\n"
                     "[metrics]\n"
                     "metric loss loss: ([0-9.]+)   \n"
                     "\n"
                     "[ui]\n"
                     "columns hp.lr m.bleu\n"
                     "other keep me\n"
                     "[job bert-*]\n"
                     "metric-preset none\n");
    cr_assert_eq(access(path, F_OK), 0);
    {
        char tmp[420];

        snprintf(tmp, sizeof(tmp), "%s.tmp", path);
        cr_assert_neq(access(tmp, F_OK), 0, "the temporary file is renamed away");
    }
    c = NULL;
    cr_assert_eq(userconfig_load(path, &c, &e), 0);
    cr_assert(userconfig_get(c, "ui", "columns", v, sizeof(v)));
    cr_assert_str_eq(v, "hp.lr m.bleu");
    userconfig_free(c);
}

Test(userconfig, set_adds_to_an_existing_section_or_appends_one)
{
    static const char text[] = "[ui]\nother x\n\n[metrics]\nmetric a a=(\\d)";
    struct userconfig *c = NULL;
    struct err e = { 0 };

    cr_assert_eq(userconfig_parse(text, strlen(text), NULL, &c, &e), 0);
    cr_assert_eq(userconfig_set(c, "ui", "columns", "m.a", &e), 0);
    cr_assert_str_eq(userconfig_text(c, NULL),
                     "[ui]\nother x\ncolumns m.a\n\n[metrics]\nmetric a a=(\\d)");
    cr_assert_eq(userconfig_set(c, "view", "wrap", "on", &e), 0);
    cr_assert_str_eq(userconfig_text(c, NULL),
                     "[ui]\nother x\ncolumns m.a\n\n[metrics]\nmetric a a=(\\d)\n[view]\nwrap on\n",
                     "a missing last newline is added before the new section");
    cr_assert_eq(userconfig_set(c, "ui", "columns", "", &e), 0);
    cr_assert(strstr(userconfig_text(c, NULL), "\ncolumns\n") != NULL, "an empty value");
    userconfig_free(c);
}

Test(userconfig, missing_file_is_empty_and_save_creates_directories)
{
    struct userconfig *c = NULL;
    struct err e = { 0 };
    size_t len = 99;
    char v[16];

    cr_assert_null(userconfig_read_text(&len));
    cr_assert_eq(len, 0);
    cr_assert_eq(userconfig_load(NULL, &c, &e), 0, "%s", e.msg);
    cr_assert_str_eq(userconfig_text(c, &len), "");
    cr_assert_eq(len, 0);
    cr_assert_not(userconfig_get(c, "ui", "columns", v, sizeof(v)));
    cr_assert_eq(userconfig_set(c, "ui", "columns", "hp.x", &e), 0);
    cr_assert_eq(userconfig_save(c, NULL, &e), 0, "%s", e.msg);
    userconfig_free(c);
    cr_assert_str_eq(read_all(path), "[ui]\ncolumns hp.x\n");
    {
        char *t = userconfig_read_text(&len);

        cr_assert_not_null(t);
        cr_assert_eq(len, strlen("[ui]\ncolumns hp.x\n"));
        free(t);
    }
}

Test(userconfig, malformed_header_names_the_line)
{
    static const char text[] = "[ui]\ncolumns x\n\n  [metrics\nmetric a b\n";
    struct userconfig *c = NULL;
    struct err e = { 0 };

    write_file(path, text);
    cr_assert_eq(userconfig_load(NULL, &c, &e), ERR_PARSE);
    cr_assert_null(c);
    cr_assert(strstr(e.msg, "line 4") != NULL, "%s", e.msg);
    cr_assert(strstr(e.msg, path) != NULL, "names the file: %s", e.msg);
}

Test(userconfig, unreadable_path_is_an_io_error)
{
    struct userconfig *c = NULL;
    struct err e = { 0 };

    write_file(path, "x\n");
    cr_assert_eq(userconfig_load(tmpdir, &c, &e), ERR_IO, "a directory cannot be read");
    cr_assert_null(c);
}
