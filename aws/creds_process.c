/* creds_process.c: credentials from a profile's credential_process (creds_internal.h).
 *
 * Owns the split of the command line (shell rules, no shell), the child process and its two
 * pipes. Must not let the child inherit the terminal's input (curses may own it: stdin is
 * /dev/null), block forever (a 60 s limit, then SIGKILL), or keep its output around: stdout
 * holds secrets and is wiped. */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "aws/creds_internal.h"

#define PROCESS_MAX_OUTPUT (64 * 1024)
#define PROCESS_TIMEOUT_MS 60000
#define PROCESS_MAX_ARGS 256

extern char **environ;

void creds_argv_free(char **argv)
{
    size_t i;

    if (argv == NULL)
        return;
    for (i = 0; argv[i] != NULL; i++)
        free(argv[i]);
    free(argv);
}

int creds_shell_split(const char *cmd, char ***argv_out, struct err *e)
{
    size_t len = strlen(cmd), n = 0, wl;
    char **argv = calloc(PROCESS_MAX_ARGS + 1, sizeof(*argv));
    char *word = malloc(len + 1);
    const char *p = cmd;
    bool in_word;
    int rc = 0;

    if (argv == NULL || word == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory splitting credential_process");
        goto out;
    }
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (*p == '\0')
            break;
        wl = 0;
        in_word = true;
        while (in_word && *p != '\0') {
            if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r') {
                in_word = false;
            } else if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');

                if (q == NULL) {
                    rc = err_set(e, ERR_CONFIG, "credential_process: unterminated ' quote");
                    goto out;
                }
                memcpy(word + wl, p + 1, (size_t)(q - p - 1));
                wl += (size_t)(q - p - 1);
                p = q + 1;
            } else if (*p == '"') {
                p++;
                while (*p != '"') {
                    if (*p == '\0') {
                        rc = err_set(e, ERR_CONFIG, "credential_process: unterminated \" quote");
                        goto out;
                    }
                    if (*p == '\\' && p[1] != '\0' && strchr("\\\"$`\n", p[1]) != NULL)
                        p++;
                    word[wl++] = *p++;
                }
                p++;
            } else if (*p == '\\') {
                if (p[1] == '\0') {
                    rc = err_set(e, ERR_CONFIG, "credential_process: ends with a backslash");
                    goto out;
                }
                word[wl++] = p[1];
                p += 2;
            } else {
                word[wl++] = *p++;
            }
        }
        if (n >= PROCESS_MAX_ARGS) {
            rc = err_set(e, ERR_CONFIG, "credential_process: more than %d arguments",
                         PROCESS_MAX_ARGS);
            goto out;
        }
        argv[n] = malloc(wl + 1);
        if (argv[n] == NULL) {
            rc = err_set(e, ERR_NOMEM, "out of memory splitting credential_process");
            goto out;
        }
        memcpy(argv[n], word, wl);
        argv[n++][wl] = '\0';
    }
    if (n == 0)
        rc = err_set(e, ERR_CONFIG, "credential_process is empty");
out:
    free(word);
    if (rc != 0) {
        creds_argv_free(argv);
        return rc;
    }
    *argv_out = argv;
    return 0;
}

int creds_parse_process_output(const char *text, size_t len, const char *profile,
                               struct aws_creds *out, struct err *e)
{
    json_error_t jerr;
    json_t *root, *v;
    const char *exp;
    char what[128];
    time_t t = 0;
    int rc;

    snprintf(what, sizeof(what), "credential_process of profile %.64s", profile);
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL || !json_is_object(root)) {
        json_decref(root);
        return err_set(e, ERR_AUTH, "%s: output is not a JSON object", what);
    }
    v = json_object_get(root, "Version");
    if (!json_is_integer(v) || json_integer_value(v) != 1) {
        rc = err_set(e, ERR_AUTH, "%s: unsupported output Version (expected 1)", what);
        goto out;
    }
    exp = json_string_value(json_object_get(root, "Expiration"));
    if (exp != NULL && creds_parse_time(exp, &t) != 0) {
        rc = err_set(e, ERR_AUTH, "%s: Expiration '%.40s' is not an ISO 8601 time", what, exp);
        goto out;
    }
    rc = creds_set(out, json_string_value(json_object_get(root, "AccessKeyId")),
                   json_string_value(json_object_get(root, "SecretAccessKey")),
                   json_string_value(json_object_get(root, "SessionToken")), t, "process", what,
                   e);
out:
    /* jansson keeps its own copies of the strings: wipe them too */
    v = json_object_get(root, "SecretAccessKey");
    if (json_is_string(v))
        OPENSSL_cleanse((void *)json_string_value(v), json_string_length(v));
    v = json_object_get(root, "SessionToken");
    if (json_is_string(v))
        OPENSSL_cleanse((void *)json_string_value(v), json_string_length(v));
    json_decref(root);
    return rc;
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Reads both pipes until EOF or the deadline; output past the cap is drained and dropped. */
static int drain(int fd_out, int fd_err, char *out, size_t *out_len, char *errb, size_t *err_len,
                 long deadline)
{
    struct pollfd p[2] = {{.fd = fd_out, .events = POLLIN}, {.fd = fd_err, .events = POLLIN}};
    char scratch[4096];
    int open_fds = 2, i;

    while (open_fds > 0) {
        long left = deadline - now_ms();
        int r;

        if (left <= 0)
            return ERR_CANCELLED;
        r = poll(p, 2, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return ERR_IO;
        for (i = 0; i < 2; i++) {
            char *buf = i == 0 ? out : errb;
            size_t *len = i == 0 ? out_len : err_len;
            size_t room = PROCESS_MAX_OUTPUT - *len;
            ssize_t got;

            if (p[i].fd < 0 || p[i].revents == 0)
                continue;
            got = read(p[i].fd, room > 0 ? buf + *len : scratch, room > 0 ? room : sizeof(scratch));
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                p[i].fd = -1;
                open_fds--;
            } else if (room > 0) {
                *len += (size_t)got;
            }
        }
    }
    return 0;
}

int creds_from_process(const char *profile, const char *command, struct aws_creds *out,
                       struct err *e)
{
    posix_spawn_file_actions_t fa;
    int po[2] = {-1, -1}, pe[2] = {-1, -1}, status = 0, rc, sp;
    char **argv = NULL, *obuf = NULL, *ebuf = NULL;
    size_t olen = 0, elen = 0, i;
    bool fa_ready = false;
    pid_t pid = -1;

    rc = creds_shell_split(command, &argv, e);
    if (rc != 0) {
        err_prefix(e, "profile %.64s", profile);
        return rc;
    }
    obuf = malloc(PROCESS_MAX_OUTPUT + 1);
    ebuf = malloc(PROCESS_MAX_OUTPUT + 1);
    if (obuf == NULL || ebuf == NULL) {
        rc = err_set(e, ERR_NOMEM, "out of memory running credential_process");
        goto out;
    }
    if (pipe2(po, O_CLOEXEC) != 0 || pipe2(pe, O_CLOEXEC) != 0 ||
        posix_spawn_file_actions_init(&fa) != 0) {
        rc = err_set(e, ERR_IO, "credential_process: cannot create pipes: %s", strerror(errno));
        goto out;
    }
    fa_ready = true;
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, po[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
    sp = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    close(po[1]);
    close(pe[1]);
    po[1] = pe[1] = -1;
    if (sp != 0) {
        pid = -1;
        rc = err_set(e, ERR_CONFIG, "credential_process of profile %.64s: cannot run '%.64s': "
                                    "%s", profile, argv[0], strerror(sp));
        goto out;
    }
    rc = drain(po[0], pe[0], obuf, &olen, ebuf, &elen, now_ms() + PROCESS_TIMEOUT_MS);
    if (rc != 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        pid = -1;
        rc = err_set(e, ERR_AUTH, "credential_process of profile %.64s: %s", profile,
                     rc == ERR_CANCELLED ? "no answer within 60 s (killed)" : "read failed");
        goto out;
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    pid = -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        /* stderr in the message, one line, trimmed */
        ebuf[elen] = '\0';
        for (i = 0; i < elen; i++)
            if (ebuf[i] == '\n' || ebuf[i] == '\r' || ebuf[i] == '\t')
                ebuf[i] = ' ';
        while (elen > 0 && ebuf[elen - 1] == ' ')
            ebuf[--elen] = '\0';
        if (WIFEXITED(status))
            rc = err_set(e, ERR_AUTH, "credential_process of profile %.64s exited with status "
                                      "%d: %.120s", profile, WEXITSTATUS(status),
                         elen > 0 ? ebuf : "(no stderr)");
        else
            rc = err_set(e, ERR_AUTH, "credential_process of profile %.64s was killed by "
                                      "signal %d", profile, WTERMSIG(status));
        goto out;
    }
    rc = creds_parse_process_output(obuf, olen, profile, out, e);
out:
    if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
    }
    if (fa_ready)
        posix_spawn_file_actions_destroy(&fa);
    for (i = 0; i < 2; i++) {
        if (po[i] >= 0)
            close(po[i]);
        if (pe[i] >= 0)
            close(pe[i]);
    }
    if (obuf != NULL)
        OPENSSL_cleanse(obuf, PROCESS_MAX_OUTPUT);
    free(obuf);
    free(ebuf);
    creds_argv_free(argv);
    return rc;
}
