/* aws_env.h: a clean AWS environment for unit tests of config and credentials, and the
 * credential chain as sagetop builds it (test_creds, test_webidentity). Not thread-safe
 * (setenv/unsetenv): call aws_env_clear from a suite's .init only. The chain helpers fail the
 * running Criterion test on an unexpected result. */
#ifndef SAGETOP_TEST_AWS_ENV_H
#define SAGETOP_TEST_AWS_ENV_H

#include "aws/config.h"
#include "aws/creds.h"
#include "aws/err.h"

/* Unsets every AWS_* variable. */
void aws_env_clear(void);

/* A profile's configuration (NULL: the default one) and its credential provider. */
struct aws_env_chain {
    struct aws_config *cfg;
    struct aws_creds_provider *p;
};
/* Loads both; a failure fails the test. Close with aws_env_chain_close. */
struct aws_env_chain aws_env_chain_open(const char *profile);
void aws_env_chain_close(struct aws_env_chain *c);
/* Resolves the profile's credentials and expects a failure: returns its code (e filled, with
 * the same code); a success fails the test. */
int aws_env_get_err(const char *profile, struct err *e);

#endif
