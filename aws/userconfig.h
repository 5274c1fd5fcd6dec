/* userconfig.h: sagetop's own config file, $XDG_CONFIG_HOME/sagetop/config (else
 * ~/.config/sagetop/config), read and written by one module for everyone who keeps settings
 * there: the metric definitions (metrics/mdefs.c parses its part from userconfig_text()), the
 * job list's remembered columns ([ui] columns ...) and anything added later.
 *
 * The format is line based and shared: "[section]" headers, "# comment" / "; comment" lines,
 * blank lines, and "key value" lines ("key = value" reads the same). Lines before the first
 * header belong to the section "". A module reads only its own keys and must ignore the rest
 * (the metric lines "metric NAME REGEX" are not key/value pairs in the INI sense, which is why
 * this is not aws/ini.c's dialect). Writing changes only the line asked for and keeps every
 * other line, comment and section byte for byte.
 *
 * Ownership: a struct userconfig is its creator's (userconfig_free). It is not locked: one
 * thread at a time. Saving writes a temporary file next to the target and renames it over the
 * target, so a reader sees the old file or the new one, never half of one.
 * Errors: ERR_PARSE names the file and the line ("config line 3: a section header ends with
 * ']'"), ERR_TOOBIG past USERCONFIG_MAX_BYTES, ERR_IO with the path and strerror, ERR_CONFIG
 * when no directory can be found (neither XDG_CONFIG_HOME nor HOME), ERR_NOMEM. */
#ifndef SAGETOP_USERCONFIG_H
#define SAGETOP_USERCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "aws/err.h"

#define USERCONFIG_MAX_BYTES (16u << 20)

struct userconfig;

/* The file's path into buf: $XDG_CONFIG_HOME/sagetop/config, else
 * $HOME/.config/sagetop/config. ERR_CONFIG when neither is set, ERR_TOOBIG when buf is small. */
int userconfig_path(char *buf, size_t size, struct err *e);

/* Parses text (len bytes, no NUL needed). filename is only used in messages (may be NULL). */
int userconfig_parse(const char *text, size_t len, const char *filename, struct userconfig **out,
                     struct err *e);
/* Reads and parses path (NULL: userconfig_path()). A missing file is an empty config, not an
 * error: *out is set either way on success. */
int userconfig_load(const char *path, struct userconfig **out, struct err *e);
void userconfig_free(struct userconfig *c);      /* NULL is a no-op */

/* The whole text as read (and as changed by userconfig_set), NUL-terminated; borrowed. */
const char *userconfig_text(const struct userconfig *c, size_t *len);

/* The value of the first "key value" line of section into buf (trimmed, without the optional
 * '='). Returns true when the key is there (buf may then be ""), false otherwise. */
bool userconfig_get(const struct userconfig *c, const char *section, const char *key, char *buf,
                    size_t size);
/* Sets key to value in section: replaces the first "key ..." line of the section in place,
 * else adds the line at the end of the section, else appends "[section]" and the line at the
 * end of the file. Every other line is kept as it was. */
int userconfig_set(struct userconfig *c, const char *section, const char *key, const char *value,
                   struct err *e);
/* Writes c to path (NULL: userconfig_path()) atomically: path.tmp, then rename(). Creates the
 * file's directory and its parent when missing (mode 0700). */
int userconfig_save(const struct userconfig *c, const char *path, struct err *e);

/* The default file's whole text (malloc'd, *len bytes, NUL-terminated), or NULL when there is
 * none or it cannot be read. For the metric parser (mdef_list_parse_config), which wants text. */
char *userconfig_read_text(size_t *len);

#endif
