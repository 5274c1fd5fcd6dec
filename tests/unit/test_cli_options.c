/* test_cli_options: the option tables of cli/options.c and the pre-pass that takes global options
 * from anywhere on the line.
 *
 * The clash check: a command option named like a global one (--region, --offline...) would be
 * silently shadowed, so this test walks the real tables (it compiles cli/options.c itself, as
 * cli/ is not an archive the unit tests link) and fails on any clash. It is the build-time guard
 * issue 14 asks for: `make test` runs it; C11 cannot compare strings at compile time. */
#include <criterion/criterion.h>
#include <string.h>

#include "cli/options.c"

static bool global_named(const char *s)
{
    const struct cli_opt *g;

    for (g = cli_global_opts; g->name != NULL; g++)
        if (strcmp(g->name, s) == 0 || (g->alias != NULL && strcmp(g->alias, s) == 0))
            return true;
    return strcmp(s, "--help") == 0 || strcmp(s, "-h") == 0;
}

Test(cli_options, no_command_option_shares_a_global_name)
{
    const struct cli_command_opts *c;
    const struct cli_opt *o;
    size_t commands = 0;

    for (c = cli_command_opts; c->command != NULL; c++, commands++) {
        for (o = c->opts; o->name != NULL; o++) {
            cr_expect(!global_named(o->name), "sagetop %s: its own %s clashes with the global "
                      "option", c->command, o->name);
            if (o->alias != NULL)
                cr_expect(!global_named(o->alias), "sagetop %s: its alias %s clashes with a "
                          "global option", c->command, o->alias);
            cr_expect(cli_opt_find(c->opts, o->name) == o, "sagetop %s: %s listed twice",
                      c->command, o->name);
        }
    }
    cr_expect_eq(commands, 14, "every command of main.c has a table (got %zu)", commands);
}

Test(cli_options, the_guard_sees_a_clash)
{
    /* the check itself, on a table made to clash */
    static const struct cli_opt bad[] = { { "--format", NULL, true }, { "--region", NULL, true },
                                          { NULL, NULL, false } };
    cr_expect(!global_named(bad[0].name));
    cr_expect(global_named(bad[1].name));
}

/* Runs the pre-pass over a copy of args; returns its result, the command's argv joined by ' '. */
static int pass(const char *command, const char *const *args, struct globals *g, char *joined,
                size_t size, const char **bad)
{
    char *argv[32];
    int argc = 0, n = 0, r, i;

    argv[argc++] = (char *)command;
    while (args[argc - 1] != NULL)
        argv[argc] = (char *)args[argc - 1], argc++;
    argv[argc] = NULL;
    memset(g, 0, sizeof(*g));
    r = cli_command_args(command, argc, argv, g, &n, bad);
    joined[0] = '\0';
    for (i = 0; r == 0 && i < n; i++) {
        strncat(joined, argv[i], size - strlen(joined) - 1);
        if (i + 1 < n)
            strncat(joined, " ", size - strlen(joined) - 1);
    }
    if (r == 0)
        cr_expect_null(argv[n]);
    return r;
}

Test(cli_options, globals_after_the_command_are_taken_out)
{
    const char *args[] = { "JOB", "--region", "eu-west-1", "--follow", "--profile=p",
                           "--offline", "--endpoint-url", "http://127.0.0.1:1", "--no-color",
                           "--cache", "/tmp/c.db", "--read-only", "--reset-cache", NULL };
    struct globals g;
    char j[256];
    const char *bad = NULL;

    cr_assert_eq(pass("logs", args, &g, j, sizeof(j), &bad), 0);
    cr_expect_str_eq(j, "logs JOB --follow");
    cr_expect_str_eq(g.region, "eu-west-1");
    cr_expect_str_eq(g.profile, "p");
    cr_expect_str_eq(g.endpoint_url, "http://127.0.0.1:1");
    cr_expect_str_eq(g.cache_path, "/tmp/c.db");
    cr_expect(g.offline && g.no_color && g.read_only && g.reset_cache);
}

Test(cli_options, a_command_options_value_is_never_a_global)
{
    const char *args[] = { "JOB", "--grep", "--region", "--format=json", "-t", NULL };
    struct globals g;
    char j[256];
    const char *bad = NULL;

    cr_assert_eq(pass("logs", args, &g, j, sizeof(j), &bad), 0);
    cr_expect_str_eq(j, "logs JOB --grep --region --format=json -t");
    cr_expect_null(g.region);
}

Test(cli_options, after_double_dash_nothing_is_taken)
{
    const char *args[] = { "--all", "--", "--region", "JOB", NULL };
    struct globals g;
    char j[256];
    const char *bad = NULL;

    cr_assert_eq(pass("regex-test", args, &g, j, sizeof(j), &bad), 0);
    cr_expect_str_eq(j, "regex-test --all -- --region JOB");
    cr_expect_null(g.region);
}

Test(cli_options, unknown_and_valueless)
{
    const char *unknown[] = { "--bogus", "x", NULL };
    const char *novalue[] = { "--region", NULL };
    const char *help[] = { "--help", "-", NULL };
    struct globals g;
    char j[256];
    const char *bad = NULL;

    cr_expect_eq(pass("jobs", unknown, &g, j, sizeof(j), &bad), CLI_ARG_UNKNOWN);
    cr_expect_str_eq(bad, "--bogus");
    cr_expect_eq(pass("show", novalue, &g, j, sizeof(j), &bad), CLI_ARG_NO_VALUE);
    cr_expect_str_eq(bad, "--region");
    cr_expect_eq(pass("plot", help, &g, j, sizeof(j), &bad), 0);
    cr_expect_str_eq(j, "plot --help -");
}

Test(cli_options, take_value_forms)
{
    char *argv[] = { (char *)"x", (char *)"--width=80", (char *)"--width", (char *)"90",
                     (char *)"--widths", (char *)"--width", NULL };
    const char *v = NULL;
    int i = 1;

    cr_expect_eq(cli_take_value(6, argv, &i, "--width", &v), 1);
    cr_expect_str_eq(v, "80");
    i = 2;
    cr_expect_eq(cli_take_value(6, argv, &i, "--width", &v), 1);
    cr_expect_str_eq(v, "90");
    cr_expect_eq(i, 3);
    i = 4;
    cr_expect_eq(cli_take_value(6, argv, &i, "--width", &v), 0);
    i = 5;
    cr_expect_eq(cli_take_value(6, argv, &i, "--width", &v), -1);
}
