/* aws_env.h: a clean AWS environment for unit tests of config and credentials. Not thread-safe
 * (setenv/unsetenv): call it from a suite's .init only. */
#ifndef SAGETOP_TEST_AWS_ENV_H
#define SAGETOP_TEST_AWS_ENV_H

/* Unsets every AWS_* variable. */
void aws_env_clear(void);

#endif
