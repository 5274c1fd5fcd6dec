/* aws_env.c: a clean AWS environment and the credential chain for unit tests (aws_env.h). */
#include "aws_env.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

void aws_env_clear(void)
{
    char name[256];
    char **v;

    for (;;) {
        for (v = environ; *v != NULL; v++)
            if (strncmp(*v, "AWS_", 4) == 0)
                break;
        if (*v == NULL)
            return;
        snprintf(name, sizeof(name), "%.*s", (int)strcspn(*v, "="), *v);
        unsetenv(name);
    }
}

struct aws_env_chain aws_env_chain_open(const char *profile)
{
    struct aws_options o = { .profile = profile };
    struct err e = { 0 };
    struct aws_env_chain c;

    c.cfg = aws_config_load(&o, &e);
    cr_assert_not_null(c.cfg, "config: %s", e.msg);
    c.p = aws_creds_provider_new(c.cfg, &e);
    cr_assert_not_null(c.p, "%s", e.msg);
    return c;
}

void aws_env_chain_close(struct aws_env_chain *c)
{
    aws_creds_provider_free(c->p);
    aws_config_free(c->cfg);
}

int aws_env_get_err(const char *profile, struct err *e)
{
    struct aws_env_chain ch = aws_env_chain_open(profile);
    struct aws_creds c;
    int rc = aws_creds_provider_get(ch.p, &c, e);

    cr_assert_neq(rc, 0, "resolved unexpectedly from %s", rc == 0 ? c.source : "");
    cr_assert_eq(rc, e->code);
    aws_env_chain_close(&ch);
    return rc;
}
