/* theme.c: colour roles → curses attributes for 256, 16 and no colours. Owns the colour pairs;
 * must not know about views or data (a role is a look, not a meaning of the data model). */
#include "tui/draw.h"

#include <string.h>

static enum theme_mode mode = THEME_NONE;
static attr_t attrs[TH_COUNT];

struct role_spec {
    short fg16, bg16;      /* -1 = terminal default */
    short fg256, bg256;
    attr_t extra;          /* added in colour modes */
    attr_t mono;           /* the look with no colours */
};

static const struct role_spec specs[TH_COUNT] = {
    [TH_NORMAL] = { -1, -1, -1, -1, 0, 0 },
    [TH_HEADER] = { COLOR_BLACK, COLOR_CYAN, 255, 24, 0, A_REVERSE },
    [TH_HEADER_DEMO] = { COLOR_BLACK, COLOR_YELLOW, 16, 214, A_BOLD, A_REVERSE | A_BOLD },
    [TH_TITLE] = { COLOR_CYAN, -1, 110, -1, A_BOLD, A_BOLD | A_UNDERLINE },
    [TH_FOOTER] = { -1, -1, 250, 236, 0, 0 },
    [TH_FOOTER_KEY] = { COLOR_CYAN, -1, 81, 236, A_BOLD, A_BOLD },
    [TH_SELECTED] = { COLOR_BLACK, COLOR_CYAN, 255, 31, 0, A_REVERSE },
    [TH_MARKED] = { COLOR_MAGENTA, -1, 213, -1, A_BOLD, A_BOLD },
    [TH_DIM] = { COLOR_WHITE, -1, 244, -1, A_DIM, A_DIM },
    [TH_ERROR] = { COLOR_RED, -1, 203, -1, A_BOLD, A_BOLD },
    [TH_WARN] = { COLOR_YELLOW, -1, 221, -1, 0, A_BOLD },
    [TH_OK] = { COLOR_GREEN, -1, 114, -1, 0, 0 },
    [TH_MATCH] = { COLOR_BLACK, COLOR_YELLOW, 16, 220, 0, A_REVERSE | A_UNDERLINE },
    [TH_METRIC] = { COLOR_GREEN, -1, 120, -1, A_BOLD, A_BOLD },
    [TH_ST_RUNNING] = { COLOR_YELLOW, -1, 221, -1, A_BOLD, A_BOLD },
    [TH_ST_COMPLETED] = { COLOR_GREEN, -1, 114, -1, 0, 0 },
    [TH_ST_FAILED] = { COLOR_RED, -1, 203, -1, A_BOLD, A_BOLD | A_UNDERLINE },
    [TH_ST_STOPPED] = { COLOR_WHITE, -1, 244, -1, A_DIM, A_DIM },
    [TH_SERIES0 + 0] = { COLOR_CYAN, -1, 81, -1, 0, 0 },
    [TH_SERIES0 + 1] = { COLOR_MAGENTA, -1, 213, -1, 0, A_BOLD },
    [TH_SERIES0 + 2] = { COLOR_GREEN, -1, 114, -1, 0, A_UNDERLINE },
    [TH_SERIES0 + 3] = { COLOR_YELLOW, -1, 221, -1, 0, A_DIM },
    [TH_SERIES0 + 4] = { COLOR_BLUE, -1, 75, -1, A_BOLD, 0 },
    [TH_SERIES0 + 5] = { COLOR_RED, -1, 209, -1, 0, A_BOLD },
    [TH_SERIES0 + 6] = { COLOR_WHITE, -1, 252, -1, A_BOLD, A_UNDERLINE },
    [TH_SERIES0 + 7] = { COLOR_GREEN, -1, 151, -1, A_BOLD, A_DIM },
};

void theme_init(enum theme_mode m)
{
    int i;

    mode = m;
    if (mode != THEME_NONE && (!has_colors() || start_color() == ERR))
        mode = THEME_NONE;
    if (mode == THEME_256 && COLORS < 256)
        mode = THEME_16;
    if (mode != THEME_NONE)
        use_default_colors();
    for (i = 0; i < TH_COUNT; i++) {
        const struct role_spec *s = &specs[i];

        if (mode == THEME_NONE || i == TH_NORMAL) {
            attrs[i] = s->mono;
            continue;
        }
        if (mode == THEME_256)
            init_pair((short)i, s->fg256, s->bg256);
        else
            init_pair((short)i, s->fg16, s->bg16);
        attrs[i] = COLOR_PAIR(i) | s->extra;
    }
}

enum theme_mode theme_mode(void)
{
    return mode;
}

attr_t theme_attr(enum theme_role r)
{
    if ((int)r < 0 || r >= TH_COUNT)
        return 0;
    return attrs[r];
}

attr_t theme_status_attr(const char *status)
{
    if (strcmp(status, "InProgress") == 0 || strcmp(status, "Stopping") == 0)
        return attrs[TH_ST_RUNNING];
    if (strcmp(status, "Completed") == 0)
        return attrs[TH_ST_COMPLETED];
    if (strcmp(status, "Failed") == 0)
        return attrs[TH_ST_FAILED];
    if (strcmp(status, "Stopped") == 0)
        return attrs[TH_ST_STOPPED];
    return attrs[TH_NORMAL];
}

attr_t theme_series_attr(int i)
{
    if (i < 0)
        i = -i;
    return attrs[TH_SERIES0 + i % 8];
}
