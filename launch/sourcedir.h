/* sourcedir.h: the training code as the SDK ships it: source_dir (or the lone entry point) packed
 * into sourcedir.tar.gz with the directory's contents at the archive's root (tar_and_upload_dir),
 * and a git source cloned into a temporary directory first (git_utils.git_clone_repo).
 *
 * Runs on the caller's thread and blocks (disk, and `git` for clones). Prints nothing: git's own
 * output is captured and its last line ends up in e->msg on failure. Out-parameters are written
 * only on success. */
#ifndef SAGETOP_LAUNCH_SOURCEDIR_H
#define SAGETOP_LAUNCH_SOURCEDIR_H

#include <stddef.h>

#include "aws/err.h"

/* Caps: a source directory larger than this is refused (SageMaker code, not data). */
#define SOURCEDIR_MAX_BYTES (512ull * 1024 * 1024)
#define SOURCEDIR_MAX_FILES 100000

/* Packs path into a gzip'd tar at out_path: a directory's entries (recursively, sorted, names
 * relative to it), or a single file under its base name. Symbolic links are followed (stored
 * as the file or directory they point to), like the SDK's tarfile dereference=True.
 * n_files (optional) gets the number of regular files. ERR_IO says which file failed;
 * ERR_NOTFOUND when path does not exist; ERR_TOOBIG past the caps. */
int sourcedir_pack(const char *path, const char *out_path, size_t *n_files, struct err *e);

/* `git clone` repo into a new directory under $TMPDIR (dir_out gets it), then checks out branch
 * (clone --branch) and/or commit. The caller removes it with sourcedir_remove_tree(). */
int sourcedir_git_clone(const char *repo, const char *branch, const char *commit, char *dir_out,
                        size_t size, struct err *e);

/* rm -rf of a directory this module made (refuses "/" and relative paths). */
int sourcedir_remove_tree(const char *dir);

#endif
