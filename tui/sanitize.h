/* sanitize.h: untrusted bytes (log lines, job names, AWS messages) in, text that is safe to
 * draw out. Pure functions, no allocation, callable from any thread.
 *
 * What comes out never contains an escape sequence, a C0/C1 control character or DEL, and is
 * valid UTF-8: invalid input bytes become U+FFFD (one per maximal invalid subpart, as the
 * Unicode standard recommends), bidi overrides become U+FFFD, tabs become spaces to the next
 * multiple of 8 columns, and a line redrawn with `\r` (progress bars) keeps only its last
 * segment. With SANITIZE_ASCII every non-ASCII character becomes '?'. */
#ifndef SAGETOP_TUI_SANITIZE_H
#define SAGETOP_TUI_SANITIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    SANITIZE_ASCII = 1 << 0,   /* ASCII fallback terminal: non-ASCII as '?' */
    SANITIZE_KEEP_TABS = 1 << 1,
};

/* Writes at most cap-1 bytes of clean text and a NUL into out (cap >= 1); never splits a
 * character. Reads exactly len bytes of in (no NUL needed). Returns the bytes written. */
size_t sanitize_text(const char *in, size_t len, char *out, size_t cap, unsigned flags);

/* Decodes one UTF-8 character at s (len > 0). Returns its byte length (>= 1) and sets *cp,
 * or returns the length of the maximal invalid subpart and sets *cp to -1. */
size_t utf8_decode(const char *s, size_t len, int32_t *cp);

/* Display columns of clean UTF-8 text (wcwidth per character; needs a UTF-8 LC_CTYPE). */
int utf8_width(const char *s, size_t len);

/* Bytes of s that fit in cols columns without splitting a character; *used gets the columns. */
size_t utf8_fit(const char *s, size_t len, int cols, int *used);

/* Byte offset of the character that starts at display column col (or len). */
size_t utf8_offset_at_col(const char *s, size_t len, int col);

/* Copies src into dst (size > 0), truncating on a character boundary; always terminated. */
void str_copy(char *dst, size_t size, const char *src);

#endif
