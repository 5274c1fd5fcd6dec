/* aws_env.c: a clean AWS environment for unit tests (aws_env.h). */
#include "aws_env.h"

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
