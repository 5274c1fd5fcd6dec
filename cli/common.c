/* common.c: what every command shares: opening the AWS side, the sync options over it,
 * printing errors, finishing stdout, spans and CSV fields for tables. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache/session.h"
#include "cache/sync.h"
#include "cli/cli.h"

int cli_aws_open(const struct globals *g, struct cli_aws *a, struct err *e)
{
    struct aws_options opts = { g->profile, g->region, g->endpoint_url };

    memset(a, 0, sizeof(*a));
    a->cfg = aws_config_load(&opts, e);
    if (a->cfg == NULL)
        goto fail;
    a->creds = aws_creds_provider_new(a->cfg, e);
    if (a->creds == NULL)
        goto fail;
    a->client = aws_client_new(a->cfg, a->creds, e);
    if (a->client == NULL)
        goto fail;
    aws_client_set_cancel(a->client, &cli_interrupted);
    return 0;
fail:
    cli_aws_close(a);
    return e != NULL && e->code != 0 ? e->code : ERR_INVAL;
}

void cli_aws_close(struct cli_aws *a)
{
    aws_client_free(a->client);
    aws_creds_provider_free(a->creds);
    aws_config_free(a->cfg);
    memset(a, 0, sizeof(*a));
}

void cli_sync_options(struct sync_options *so, const struct cli_aws *a, struct cache *c,
                      int workers)
{
    memset(so, 0, sizeof(*so));
    so->cfg = a->cfg;
    so->creds = a->creds;
    so->cache_path = cache_path(c);
    so->account = cache_scope_account(c);
    so->region = cache_scope_region(c);
    so->workers = workers;
    so->cancel = &cli_interrupted;
}

int cli_fail(const struct err *e)
{
    fprintf(stderr, "sagetop: %s\n", e != NULL && e->msg[0] ? e->msg : "failed");
    return EXIT_ERROR;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "sagetop %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nRun 'sagetop %s --help' for usage.\n", cmd);
    return EXIT_USAGE;
}

bool cli_stdout_gone(void)
{
    struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };

    /* a pipe whose reader has gone polls POLLERR (errno may be stale: not consulted) */
    return poll(&p, 1, 0) == 1 && (p.revents & POLLERR) != 0;
}

int cli_stdout_finish(int rc, const struct err *e)
{
    bool failed = fflush(stdout) != 0 || ferror(stdout);

    if ((rc != 0 || failed) && cli_stdout_gone())
        return EXIT_OK;     /* `sagetop jobs | head -1`: the reader had enough */
    if (rc != 0)
        return cli_fail(e);
    if (failed) {
        fprintf(stderr, "sagetop: cannot write to stdout: %s\n", strerror(errno));
        return EXIT_ERROR;
    }
    return EXIT_OK;
}

bool cli_confirm(const char *cmd, const char *action, const char *question)
{
    char line[16];

    if (!isatty(STDIN_FILENO) || !isatty(STDERR_FILENO)) {
        fprintf(stderr, "sagetop %s: not a terminal: pass --yes to %s without confirmation\n",
                cmd, action);
        return false;
    }
    fprintf(stderr, "%s [y/N] ", question);
    fflush(stderr);
    if (fgets(line, sizeof(line), stdin) == NULL || (line[0] != 'y' && line[0] != 'Y')) {
        fprintf(stderr, "sagetop %s: cancelled\n", cmd);
        return false;
    }
    return true;
}

void cli_fmt_span(double secs, char *out, size_t n)
{
    long s = secs > 0 ? (long)(secs + 0.5) : 0;

    if (s < 60)
        snprintf(out, n, "%lds", s);
    else if (s < 3600)
        snprintf(out, n, "%ldm%02lds", s / 60, s % 60);
    else if (s < 86400)
        snprintf(out, n, "%ldh%02ldm", s / 3600, s % 3600 / 60);
    else
        snprintf(out, n, "%ldd%02ldh", s / 86400, s % 86400 / 3600);
}

void cli_csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s != '\0'; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
