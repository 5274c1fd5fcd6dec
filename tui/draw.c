/* draw.c: clipped text drawing in display columns, symbols with an ASCII fallback, and the
 * small formatters every view shares. Draws on stdscr only; knows no view and no data. */
#include "tui/draw.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "aws/dynbuf.h"
#include "tui/sanitize.h"

static bool utf8 = true;

void draw_set_utf8(bool on)
{
    utf8 = on;
}

bool draw_utf8(void)
{
    return utf8;
}

const char *draw_sym(enum draw_sym s)
{
    static const char *const u[] = { "…", "▲", "▼", "●", "•", "─", "│", "→", "↵", "‹", "›" };
    static const char *const a[] = { "~", "^", "v", "*", "*", "-", "|", ">", "\\", "<", ">" };

    if ((unsigned)s >= sizeof(u) / sizeof(u[0]))
        return "?";
    return utf8 ? u[s] : a[s];
}

int draw_text(int y, int x, int w, const char *s, size_t len, attr_t attr)
{
    int used = 0;
    size_t n;

    if (w <= 0 || y < 0 || y >= LINES || x < 0 || x >= COLS)
        return 0;
    if (x + w > COLS)
        w = COLS - x;
    n = utf8_fit(s, len, w, &used);
    if (n == 0)
        return 0;
    attron(attr);
    mvaddnstr(y, x, s, (int)n);
    attroff(attr);
    return used;
}

int draw_str(int y, int x, int w, const char *s, attr_t attr)
{
    return draw_text(y, x, w, s, strlen(s), attr);
}

int draw_untrusted(int y, int x, int w, const char *s, size_t len, attr_t attr)
{
    char buf[2048];
    size_t n = sanitize_text(s, len, buf, sizeof(buf), utf8 ? 0 : SANITIZE_ASCII);

    return draw_text(y, x, w, buf, n, attr);
}

int draw_fmt(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    size_t n;

    va_start(ap, fmt);
    n = fmt_fixed(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return draw_text(y, x, w, buf, n, attr);
}

void draw_fill(int y, int x, int w, attr_t attr)
{
    int i;

    if (y < 0 || y >= LINES || x < 0)
        return;
    if (x + w > COLS)
        w = COLS - x;
    attron(attr);
    for (i = 0; i < w; i++)
        mvaddch(y, x + i, ' ');
    attroff(attr);
}

void draw_box(int y, int x, int h, int w, const char *title, attr_t attr)
{
    int i;

    for (i = 0; i < h; i++)
        draw_fill(y + i, x, w, attr);
    attron(attr);
    if (utf8) {
        mvhline(y, x + 1, ACS_HLINE, w - 2);
        mvhline(y + h - 1, x + 1, ACS_HLINE, w - 2);
        mvvline(y + 1, x, ACS_VLINE, h - 2);
        mvvline(y + 1, x + w - 1, ACS_VLINE, h - 2);
        mvaddch(y, x, ACS_ULCORNER);
        mvaddch(y, x + w - 1, ACS_URCORNER);
        mvaddch(y + h - 1, x, ACS_LLCORNER);
        mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
    } else {
        mvhline(y, x, '-', w);
        mvhline(y + h - 1, x, '-', w);
        mvvline(y + 1, x, '|', h - 2);
        mvvline(y + 1, x + w - 1, '|', h - 2);
        mvaddch(y, x, '+');
        mvaddch(y, x + w - 1, '+');
        mvaddch(y + h - 1, x, '+');
        mvaddch(y + h - 1, x + w - 1, '+');
    }
    attroff(attr);
    if (title && *title)
        draw_fmt(y, x + 2, w - 4, attr | A_BOLD, " %s ", title);
}

void fmt_age(double s, char *buf, size_t size)
{
    if (s < 0)
        s = 0;
    if (s < 60)
        snprintf(buf, size, "%d s", (int)s);
    else if (s < 3600)
        snprintf(buf, size, "%d min", (int)(s / 60));
    else if (s < 86400 * 2)
        snprintf(buf, size, "%d h", (int)(s / 3600));
    else
        snprintf(buf, size, "%d d", (int)(s / 86400));
}

void fmt_duration(double s, char *buf, size_t size)
{
    long t = s < 0 ? 0 : (long)s;

    if (t >= 3600)
        snprintf(buf, size, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(buf, size, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, size, "%lds", t);
}

void fmt_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "-");
    else if (v != 0 && (fabs(v) < 1e-3 || fabs(v) >= 1e6))
        snprintf(buf, size, "%.3e", v);
    else
        snprintf(buf, size, "%.4g", v);
}
