/* test_config_files.c: which files config.c reads as the shared config and credentials files:
 * /dev/null and FIFOs are read (botocore reads AWS_CONFIG_FILE=/dev/null as empty), a directory
 * is refused, and the size cap holds for streams as for files. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aws/config.h"
#include "support/aws_env.h"
#include "aws/dynbuf.h"
#include "aws/ini.h"

static char tmpdir[256];

static void setup(void)
{
    aws_env_clear();
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/sagetop-cfgfiles-XXXXXX");
    cr_assert_not_null(mkdtemp(tmpdir));
    setenv("HOME", tmpdir, 1);
}

static void teardown(void)
{
    char cmd[300];

    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    cr_assert_eq(system(cmd), 0);
}

TestSuite(config_files, .init = setup, .fini = teardown);

Test(config_files, dev_null_reads_as_empty)
{
    struct aws_options o = {.region = "eu-west-1"};
    struct err e = {0};
    struct aws_config *c;

    setenv("AWS_CONFIG_FILE", "/dev/null", 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    c = aws_config_load(&o, &e);
    cr_assert_not_null(c, "%s", e.msg);
    cr_assert_str_eq(aws_config_profile(c), "default");
    cr_assert_str_eq(aws_config_region(c), "eu-west-1");
    cr_assert_not(aws_config_has_profile(c, "default"));
    aws_config_free(c);
}

struct fifo_writer {
    const char *path;
    const char *text;
};

static void *write_fifo(void *arg)
{
    const struct fifo_writer *w = arg;
    int fd = open(w->path, O_WRONLY);

    if (fd >= 0) {
        if (write(fd, w->text, strlen(w->text)) < 0)
            perror("write");
        close(fd);
    }
    return NULL;
}

Test(config_files, fifo_is_read_like_a_file)
{
    char path[300];
    struct fifo_writer w = {path, "[profile p]\nregion = ap-south-1\n"};
    struct aws_options o = {.profile = "p"};
    struct err e = {0};
    struct aws_config *c;
    pthread_t t;

    snprintf(path, sizeof(path), "%s/config.fifo", tmpdir);
    cr_assert_eq(mkfifo(path, 0600), 0);
    setenv("AWS_CONFIG_FILE", path, 1);
    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1);
    cr_assert_eq(pthread_create(&t, NULL, write_fifo, &w), 0);
    c = aws_config_load(&o, &e);
    pthread_join(t, NULL);
    cr_assert_not_null(c, "%s", e.msg);
    cr_assert_str_eq(aws_config_region(c), "ap-south-1");
    aws_config_free(c);
}

Test(config_files, directory_is_refused_by_name)
{
    struct aws_options o = {.region = "eu-west-1"};
    struct err e = {0};

    setenv("AWS_CONFIG_FILE", tmpdir, 1);
    cr_assert_null(aws_config_load(&o, &e));
    cr_assert_eq(e.code, ERR_IO);
    cr_assert(strstr(e.msg, tmpdir) != NULL, "%s", e.msg);
}

Test(config_files, read_file_caps_and_reports)
{
    char path[300];
    struct dynbuf b;
    struct err e = {0};
    FILE *f;

    snprintf(path, sizeof(path), "%s/big", tmpdir);
    f = fopen(path, "w");
    cr_assert_not_null(f);
    for (int i = 0; i < 100; i++)
        fputs("0123456789", f);
    fclose(f);
    cr_assert_eq(aws_config_read_file(path, 1000, &b, &e), 0, "%s", e.msg);
    cr_assert_eq(b.len, 1000);
    dynbuf_free_wipe(&b);
    cr_assert_eq(aws_config_read_file(path, 999, &b, &e), ERR_TOOBIG);
    cr_assert(strstr(e.msg, "999") != NULL, "%s", e.msg);
    cr_assert_eq(b.len, 0);
    cr_assert_eq(aws_config_read_file("/dev/zero", 4096, &b, &e), ERR_TOOBIG);
    cr_assert_eq(aws_config_read_file("/dev/null", 4096, &b, &e), 0);
    cr_assert_eq(b.len, 0);
    dynbuf_free_wipe(&b);
    snprintf(path, sizeof(path), "%s/missing", tmpdir);
    cr_assert_eq(aws_config_read_file(path, 10, &b, &e), ERR_NOTFOUND);
}
