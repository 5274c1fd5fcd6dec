/* spark.h: sparklines: a few values as one row of block characters ("▁▃▇█"), or of ASCII
 * ("_.-=*#") when the terminal has no UTF-8. Pure text, no curses: the jobs list's GPU cell and
 * the hosts view draw the string. Any thread; the caller owns every buffer. */
#ifndef SAGETOP_TUI_SPARK_H
#define SAGETOP_TUI_SPARK_H

#include <stdbool.h>
#include <stddef.h>

/* Writes one character per value of v[0..n) into out (size bytes, NUL-terminated; values that
 * do not fit are cut from the left, so the newest stay): the height of each within lo..hi
 * (clamped; a non-finite value is a blank). Returns the characters written. */
size_t spark_text(const double *v, size_t n, double lo, double hi, bool utf8, char *out,
                  size_t size);

#endif
