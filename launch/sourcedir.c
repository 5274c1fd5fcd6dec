/* sourcedir.c: packs a launch's source into sourcedir.tar.gz (libarchive, pax tar + gzip, as
 * Python's tarfile writes it for the SDK) and clones a git source with the git command.
 *
 * Owns: the walk over the source tree, the archive, the temporary clone. Must not: print, or
 * leave a partial archive behind on failure. Links are followed as the SDK follows them
 * (dereference=True); the size caps stop a link loop. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch/sourcedir.h"

struct pack {
    struct archive *a;
    size_t files;
    unsigned long long bytes;
    struct err *e;
};

static int cmp_names(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

static int add_file_data(struct pack *p, const char *path, long long size)
{
    char buf[65536];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    long long left = size;

    if (fd < 0)
        return err_set(p->e, ERR_IO, "cannot read %s: %s", path, strerror(errno));
    while (left > 0) {
        ssize_t n = read(fd, buf, sizeof(buf));

        if (n <= 0) {
            close(fd);
            return err_set(p->e, ERR_IO, "cannot read %s: %s", path,
                           n < 0 ? strerror(errno) : "file shrank while packing");
        }
        if (archive_write_data(p->a, buf, (size_t)n) != n) {
            close(fd);
            return err_set(p->e, ERR_IO, "writing the archive: %s",
                           archive_error_string(p->a));
        }
        left -= n;
    }
    close(fd);
    return 0;
}

/* Adds path under the archive name arc (recursing into directories). */
static int add_path(struct pack *p, const char *path, const char *arc)
{
    struct stat st;
    struct archive_entry *ent;
    int rc = 0;

    /* stat, not lstat: the SDK's tarfile.open(..., dereference=True) stores what a link
       points to, so a linked file or directory arrives as itself (a dangling link fails, as
       it does there) */
    if (stat(path, &st) != 0)
        return err_set(p->e, ERR_IO, "cannot stat %s: %s", path, strerror(errno));
    if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
        return 0;       /* sockets, fifos: tarfile would store them; they mean nothing here */
    if (S_ISREG(st.st_mode)) {
        p->files++;
        p->bytes += (unsigned long long)st.st_size;
        if (p->files > SOURCEDIR_MAX_FILES || p->bytes > SOURCEDIR_MAX_BYTES)
            return err_set(p->e, ERR_TOOBIG, "source is larger than %d files / %llu MB: is a "
                           "data directory inside source_dir?", SOURCEDIR_MAX_FILES,
                           SOURCEDIR_MAX_BYTES >> 20);
    }
    if (arc[0] == '\0' && S_ISDIR(st.st_mode))
        goto children;  /* the root itself has no entry in the SDK's archive */
    ent = archive_entry_new();
    if (ent == NULL)
        return err_set(p->e, ERR_NOMEM, "out of memory");
    archive_entry_copy_stat(ent, &st);
    archive_entry_set_pathname(ent, arc);
    if (archive_write_header(p->a, ent) != ARCHIVE_OK) {
        rc = err_set(p->e, ERR_IO, "archive entry %s: %s", arc, archive_error_string(p->a));
        archive_entry_free(ent);
        return rc;
    }
    archive_entry_free(ent);
    if (S_ISREG(st.st_mode))
        return add_file_data(p, path, (long long)st.st_size);
children:;
    DIR *d = opendir(path);
    struct dirent *de;
    char **names = NULL;
    size_t n = 0, cap = 0;

    if (d == NULL)
        return err_set(p->e, ERR_IO, "cannot list %s: %s", path, strerror(errno));
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        if (n == cap) {
            size_t nc = cap ? cap * 2 : 16;
            char **nn = realloc(names, nc * sizeof(*nn));

            if (nn == NULL) {
                rc = err_set(p->e, ERR_NOMEM, "out of memory");
                break;
            }
            names = nn;
            cap = nc;
        }
        if ((names[n] = strdup(de->d_name)) == NULL) {
            rc = err_set(p->e, ERR_NOMEM, "out of memory");
            break;
        }
        n++;
    }
    closedir(d);
    if (rc == 0)
        qsort(names, n, sizeof(*names), cmp_names);
    for (size_t i = 0; i < n && rc == 0; i++) {
        size_t lp = strlen(path) + strlen(names[i]) + 2, la = strlen(arc) + strlen(names[i]) + 2;
        char *cp = malloc(lp), *ca = malloc(la);

        if (cp == NULL || ca == NULL) {
            rc = err_set(p->e, ERR_NOMEM, "out of memory");
        } else {
            snprintf(cp, lp, "%s/%s", path, names[i]);
            snprintf(ca, la, "%s%s%s", arc, arc[0] ? "/" : "", names[i]);
            rc = add_path(p, cp, ca);
        }
        free(cp);
        free(ca);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    return rc;
}

int sourcedir_pack(const char *path, const char *out_path, size_t *n_files, struct err *e)
{
    struct pack p = { .e = e };
    struct stat st;
    int rc;

    if (stat(path, &st) != 0)
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "%s: %s", path,
                       strerror(errno));
    p.a = archive_write_new();
    if (p.a == NULL)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (archive_write_add_filter_gzip(p.a) != ARCHIVE_OK ||
        archive_write_set_format_pax_restricted(p.a) != ARCHIVE_OK ||
        archive_write_open_filename(p.a, out_path) != ARCHIVE_OK) {
        rc = err_set(e, ERR_IO, "cannot write %s: %s", out_path, archive_error_string(p.a));
        archive_write_free(p.a);
        return rc;
    }
    if (S_ISDIR(st.st_mode)) {
        /* the directory's entries at the root, like tarfile.add(f, arcname=basename(f)) */
        rc = add_path(&p, path, "");
    } else {
        const char *base = strrchr(path, '/');

        rc = add_path(&p, path, base ? base + 1 : path);
    }
    if (archive_write_close(p.a) != ARCHIVE_OK && rc == 0)
        rc = err_set(e, ERR_IO, "closing %s: %s", out_path, archive_error_string(p.a));
    archive_write_free(p.a);
    if (rc != 0) {
        unlink(out_path);
        return rc;
    }
    if (n_files)
        *n_files = p.files;
    return 0;
}

extern char **environ;

/* environ plus GIT_TERMINAL_PROMPT=0 (git never asks for a password: nobody would answer).
 * Only the array is allocated; free() it. */
static char **git_environ(void)
{
    static char no_prompt[] = "GIT_TERMINAL_PROMPT=0";
    size_t n = 0, k = 0;
    char **env;

    while (environ[n])
        n++;
    env = calloc(n + 2, sizeof(*env));
    if (env == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "GIT_TERMINAL_PROMPT=", 20) != 0)
            env[k++] = environ[i];
    env[k++] = no_prompt;
    env[k] = NULL;
    return env;
}

/* Reads fd to EOF keeping the tail; the last line of output goes into msg. */
static void last_line(int fd, char *msg, size_t size)
{
    char buf[4096];
    size_t len = 0;
    ssize_t n;

    while ((n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0 || (n < 0 && errno == EINTR)) {
        len += n > 0 ? (size_t)n : 0;
        if (len == sizeof(buf) - 1) {
            /* keep the tail: the last line is the one that says what went wrong */
            memmove(buf, buf + len / 2, len - len / 2);
            len -= len / 2;
        }
    }
    buf[len] = '\0';
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = '\0';
    const char *last = strrchr(buf, '\n');
    size_t m;

    last = last ? last + 1 : buf;
    m = strlen(last) < size - 1 ? strlen(last) : size - 1;
    memcpy(msg, last, m);
    msg[m] = '\0';
}

/* Runs argv (posix_spawnp: safe from any thread of a threaded program) with stdin from
 * /dev/null and stdout/stderr captured; the last line of output goes into msg. Returns git's
 * exit status, or -1 when it could not run (msg says why). */
static int run_git(char *const argv[], char *msg, size_t size)
{
    posix_spawn_file_actions_t fa;
    char **env = git_environ();
    int pfd[2], status = 0, rc;
    pid_t pid;

    msg[0] = '\0';
    if (env == NULL || pipe2(pfd, O_CLOEXEC) != 0) {
        free(env);
        snprintf(msg, size, "cannot run git: %s", strerror(errno));
        return -1;
    }
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
    posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    free(env);
    close(pfd[1]);
    if (rc != 0) {
        close(pfd[0]);
        snprintf(msg, size, "%s", rc == ENOENT ? "git is not installed" : strerror(rc));
        return -1;
    }
    last_line(pfd[0], msg, size);
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127 && msg[0] == '\0')
        snprintf(msg, size, "git is not installed");
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int sourcedir_git_clone(const char *repo, const char *branch, const char *commit, char *dir_out,
                        size_t size, struct err *e)
{
    const char *tmp = getenv("TMPDIR");
    char dir[4096], msg[200] = "";
    int rc;

    snprintf(dir, sizeof(dir), "%s/sagetop-git.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        return err_set(e, ERR_IO, "cannot make a temporary directory for the clone: %s",
                       strerror(errno));
    {
        char *argv[8];
        int i = 0;

        argv[i++] = (char *)"git";
        argv[i++] = (char *)"clone";
        argv[i++] = (char *)"--quiet";
        if (branch) {
            argv[i++] = (char *)"--branch";
            argv[i++] = (char *)branch;
        }
        argv[i++] = (char *)repo;
        argv[i++] = dir;
        argv[i] = NULL;
        rc = run_git(argv, msg, sizeof(msg));
    }
    if (rc != 0) {
        sourcedir_remove_tree(dir);
        return err_set(e, ERR_IO, "git clone %s%s%s failed: %s", repo, branch ? " --branch " : "",
                       branch ? branch : "", msg[0] ? msg : "(no output)");
    }
    if (commit) {
        char *argv[] = { (char *)"git", (char *)"-C", dir, (char *)"checkout", (char *)"--quiet",
                         (char *)commit, NULL };

        rc = run_git(argv, msg, sizeof(msg));
        if (rc != 0) {
            sourcedir_remove_tree(dir);
            return err_set(e, ERR_IO, "git checkout %s in %s failed: %s", commit, repo,
                           msg[0] ? msg : "(no output)");
        }
    }
    if ((size_t)snprintf(dir_out, size, "%s", dir) >= size) {
        sourcedir_remove_tree(dir);
        return err_set(e, ERR_TOOBIG, "temporary path too long");
    }
    return 0;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int sourcedir_remove_tree(const char *dir)
{
    if (dir == NULL || dir[0] != '/' || strcmp(dir, "/") == 0)
        return ERR_INVAL;
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS) == 0 ? 0 : ERR_IO;
}
