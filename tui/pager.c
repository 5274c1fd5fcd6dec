/* pager.c: `|` (the text on screen in $PAGER) and the argv that runs $PAGER or $EDITOR. The
 * text goes through a temporary file (mkstemp: mode 0600, in $TMPDIR or /tmp) that is removed
 * once the pager has exited; each line is sanitized first.
 *
 * pager_run() suspends curses around the program (posix_spawnp, then waitpid).
 *
 * Owns: the temporary file and the argv. Must not: run a shell, or put anything but the
 * variable's own words, "+N" and the file's path on the command line. */
#include <curses.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "aws/dynbuf.h"
#include "aws/err.h"
#include "tui/pager.h"
#include "tui/sanitize.h"
#include "tui/view.h"

/* Programs whose "+N" starts them at line N. */
static const char *const takes_plus_line[] = {
    "less", "more", "most", "vi", "vim", "nvim", "view", "nano", NULL,
};

static bool known_plus_line(const char *prog)
{
    const char *base = strrchr(prog, '/');

    base = base ? base + 1 : prog;
    for (size_t i = 0; takes_plus_line[i]; i++)
        if (strcmp(base, takes_plus_line[i]) == 0)
            return true;
    return false;
}

int pager_argv(const char *cmd, const char *path, long line, char *buf, size_t size,
               char *argv[PAGER_ARGV_MAX])
{
    size_t used = 0;
    int n = 0;
    char plus[32];

    /* the words, each NUL-terminated in buf; the last two slots: "+N" and path, then NULL */
    while (cmd && *cmd) {
        size_t len;

        while (*cmd == ' ' || *cmd == '\t')
            cmd++;
        len = strcspn(cmd, " \t");
        if (len == 0)
            break;
        if (n >= PAGER_ARGV_MAX - 3 || used + len + 1 > size)
            return 0;
        memcpy(buf + used, cmd, len);
        buf[used + len] = '\0';
        argv[n++] = buf + used;
        used += len + 1;
        cmd += len;
    }
    if (n == 0)
        return 0;
    if (line > 0 && known_plus_line(argv[0])) {
        size_t len = (size_t)snprintf(plus, sizeof(plus), "+%ld", line);

        if (used + len + 1 > size)
            return 0;
        memcpy(buf + used, plus, len + 1);
        argv[n++] = buf + used;
        used += len + 1;
    }
    if (used + strlen(path) + 1 > size)
        return 0;
    memcpy(buf + used, path, strlen(path) + 1);
    argv[n++] = buf + used;
    argv[n] = NULL;
    return n;
}

int pager_open(struct pager *p, struct err *e)
{
    const char *tmp = getenv("TMPDIR");
    int fd;

    p->lines = 0;
    p->f = NULL;
    if (snprintf(p->path, sizeof(p->path), "%s/sagetop-page-XXXXXX",
                 tmp && tmp[0] && strlen(tmp) < sizeof(p->path) - 24 ? tmp : "/tmp") < 0)
        return err_set(e, ERR_IO, "no temporary file name");
    fd = mkstemp(p->path);     /* mode 0600 */
    if (fd < 0)
        return err_set(e, ERR_IO, "cannot create a temporary file in %s: %s",
                       tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
    p->f = fdopen(fd, "w");
    if (p->f == NULL) {
        close(fd);
        unlink(p->path);
        return err_set(e, ERR_IO, "cannot write a temporary file: %s", strerror(errno));
    }
    return 0;
}

void pager_line(struct pager *p, const char *s, size_t len)
{
    char clean[8192];
    size_t k = sanitize_text(s, len, clean, sizeof(clean), 0);

    fwrite(clean, 1, k, p->f);
    fputc('\n', p->f);
    p->lines++;
}

void pager_discard(struct pager *p)
{
    if (p->f)
        fclose(p->f);
    p->f = NULL;
    if (p->path[0])
        unlink(p->path);
    p->path[0] = '\0';
}

int pager_run(struct app *a, char *const argv[])
{
    static const int parent_ignores[] = { SIGINT, SIGQUIT };
    struct sigaction ign, saved[2];
    posix_spawnattr_t attr;
    sigset_t dfl, none;
    pid_t pid;
    int rc, status = 0;

    /* like system(): ^C and ^\ in the pager are the pager's, not a reason to quit the UI */
    memset(&ign, 0, sizeof(ign));
    sigemptyset(&ign.sa_mask);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&dfl);
    sigemptyset(&none);
    for (size_t i = 0; i < 2; i++) {
        sigaction(parent_ignores[i], &ign, &saved[i]);
        sigaddset(&dfl, parent_ignores[i]);
    }
    sigaddset(&dfl, SIGWINCH);
    sigaddset(&dfl, SIGHUP);
    sigaddset(&dfl, SIGTERM);
    sigaddset(&dfl, SIGPIPE);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setsigdefault(&attr, &dfl);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
    def_prog_mode();
    endwin();
    rc = posix_spawnp(&pid, argv[0], NULL, &attr, argv, environ);
    if (rc == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            /* a resize while the pager runs: wait on */
        }
    posix_spawnattr_destroy(&attr);
    reset_prog_mode();
    clearok(stdscr, TRUE);
    refresh();
    for (size_t i = 0; i < 2; i++)
        sigaction(parent_ignores[i], &saved[i], NULL);
    if (rc != 0) {
        app_flash(a, true, "cannot run %s: %s", argv[0], strerror(rc));
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int pager_show(struct app *a, struct pager *p, long line)
{
    const char *env = getenv("PAGER");
    char buf[1024], *argv[PAGER_ARGV_MAX];
    int rc = -1;

    if (p->f && fclose(p->f) != 0) {
        p->f = NULL;
        app_flash(a, true, "cannot write the text for the pager: %s", strerror(errno));
        pager_discard(p);
        return -1;
    }
    p->f = NULL;
    if (pager_argv(env && env[0] ? env : "less", p->path, line, buf, sizeof(buf), argv) == 0)
        app_flash(a, true, "$PAGER is too long (or empty)");
    else
        rc = pager_run(a, argv);
    pager_discard(p);
    return rc;
}

int pager_show_text(struct app *a, size_t n, pager_text_fn line_fn, void *ctx, long at)
{
    struct pager pg;
    struct err e = { 0 };
    struct dynbuf b;
    size_t i;

    if (pager_open(&pg, &e) != 0) {
        app_flash(a, true, "%s", e.msg);
        return -1;
    }
    dynbuf_init(&b, 1 << 20);
    for (i = 0; i < n; i++) {
        line_fn(ctx, i, &b);
        pager_line(&pg, dynbuf_str(&b), b.len);
    }
    dynbuf_free(&b);
    return pager_show(a, &pg, at);
}
