/* draw.h: colours and text drawing for every view (UI thread only).
 *
 * Colours are roles, not curses pairs: a view asks for theme_attr(TH_SELECTED) and gets the
 * right thing for 256, 16 or no colours (reverse/bold/underline only). draw_*() clip to a width
 * in display columns and never split a character; draw_untrusted() sanitizes first, so bytes
 * from the network can be passed as they are. */
#ifndef SAGETOP_TUI_DRAW_H
#define SAGETOP_TUI_DRAW_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

enum theme_mode { THEME_NONE, THEME_16, THEME_256 };

enum theme_role {
    TH_NORMAL,
    TH_HEADER,          /* the top bar */
    TH_HEADER_DEMO,     /* the DEMO marker */
    TH_TITLE,           /* column headings, section titles */
    TH_FOOTER,
    TH_FOOTER_KEY,
    TH_SELECTED,        /* the cursor row */
    TH_MARKED,          /* a marked job */
    TH_DIM,             /* secondary text, ages */
    TH_ERROR,
    TH_WARN,
    TH_OK,
    TH_MATCH,           /* search matches */
    TH_METRIC,          /* a metric value found in a log line */
    TH_ST_RUNNING,
    TH_ST_COMPLETED,
    TH_ST_FAILED,
    TH_ST_STOPPED,
    TH_SERIES0,         /* 8 stable series / instance colours follow */
    TH_COUNT = TH_SERIES0 + 8
};

void theme_init(enum theme_mode mode);
enum theme_mode theme_mode(void);
attr_t theme_attr(enum theme_role r);
/* InProgress/Stopping yellow-ish, Completed green, Failed red, Stopped dim. */
attr_t theme_status_attr(const char *status);
/* A stable colour for series/instance i (any i >= 0). */
attr_t theme_series_attr(int i);

/* The terminal's character set: false = ASCII only (set once by the frame). */
void draw_set_utf8(bool utf8);
bool draw_utf8(void);
/* A symbol in the terminal's character set. */
enum draw_sym { SYM_ELLIPSIS, SYM_UP, SYM_DOWN, SYM_MARK, SYM_BULLET, SYM_HLINE, SYM_VLINE,
                SYM_ARROW, SYM_WRAP,
                SYM_MORE_LEFT, SYM_MORE_RIGHT };   /* "‹" "›": columns or text cut off */
const char *draw_sym(enum draw_sym s);

/* Draws clean UTF-8 (or ASCII) text at (y, x), at most w columns. Returns columns used. */
int draw_text(int y, int x, int w, const char *s, size_t len, attr_t attr);
int draw_str(int y, int x, int w, const char *s, attr_t attr);
/* Sanitizes (sanitize.h) then draws. */
int draw_untrusted(int y, int x, int w, const char *s, size_t len, attr_t attr);
/* printf then draw_text (our own text only). */
int draw_fmt(int y, int x, int w, attr_t attr, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* w spaces. */
void draw_fill(int y, int x, int w, attr_t attr);
/* A frame with a title, for overlays. */
void draw_box(int y, int x, int h, int w, const char *title, attr_t attr);

/* Formats helpers shared by views: "3 s", "5 min", "2 h", "4 d" (ago or durations). */
void fmt_age(double seconds, char *buf, size_t size);
/* "1h02m", "12m05s", "45s" */
void fmt_duration(double seconds, char *buf, size_t size);
/* Numbers for metric columns: 4 significant digits, "-" for NaN. */
void fmt_value(double v, char *buf, size_t size);

#endif
