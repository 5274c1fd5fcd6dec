/* clipboard.c: OSC 52 copies (job name, ARN, console URL). Owns the escape's encoding and its
 * one write to the terminal; must not draw or touch curses state: the write goes to the tty fd
 * between frames, after curses has flushed its own output, so the two never interleave. */
#include "tui/clipboard.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cache/cache.h"
#include "tui/view.h"

#define CLIPBOARD_MAX 4096

size_t clipboard_osc52(const char *text, char *out, size_t size)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *p = (const unsigned char *)text;
    size_t len = strlen(text), n = 0, i;

    if (size < 9 + (len + 2) / 3 * 4)
        return 0;
    memcpy(out, "\033]52;c;", 7);
    n = 7;
    for (i = 0; i < len; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < len ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < len ? p[i + 2] : 0);

        out[n++] = b64[v >> 18 & 63];
        out[n++] = b64[v >> 12 & 63];
        out[n++] = i + 1 < len ? b64[v >> 6 & 63] : '=';
        out[n++] = i + 2 < len ? b64[v & 63] : '=';
    }
    out[n++] = '\a';
    out[n] = '\0';
    return n;
}

int clipboard_copy(const char *text)
{
    char seq[CLIPBOARD_MAX];
    size_t n = clipboard_osc52(text, seq, sizeof(seq)), off = 0;

    if (n == 0)
        return -1;
    while (off < n) {
        ssize_t w = write(STDOUT_FILENO, seq + off, n - off);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        off += (size_t)w;
    }
    return 0;
}

int clipboard_console_url(const char *arn, const char *name, char *out, size_t size)
{
    char part[32], region[64];
    int n, m;

    /* arn:PARTITION:sagemaker:REGION:ACCOUNT:training-job/NAME */
    if (sscanf(arn, "arn:%31[^:]:sagemaker:%63[^:]:", part, region) != 2)
        return -1;
    if (strcmp(part, "aws") == 0)
        n = snprintf(out, size, "https://%s.console.aws.amazon.com", region);
    else if (strcmp(part, "aws-cn") == 0)
        n = snprintf(out, size, "https://console.amazonaws.cn");
    else if (strcmp(part, "aws-us-gov") == 0)
        n = snprintf(out, size, "https://console.amazonaws-us-gov.com");
    else
        return -1;
    if (n < 0 || (size_t)n >= size)
        return -1;
    m = snprintf(out + n, size - (size_t)n, "/sagemaker/home?region=%s#/jobs/%s", region, name);
    return m < 0 || (size_t)m >= size - (size_t)n ? -1 : 0;
}

int clipboard_act_job(struct app *a, const struct cache_job *j, enum clipboard_what what)
{
    char url[1024];
    const char *text;

    if (!j) {
        app_flash(a, true, "no job selected");
        return R_REDRAW;
    }
    text = what == CLIPBOARD_NAME ? j->name : j->arn;
    if (what == CLIPBOARD_CONSOLE) {
        if (clipboard_console_url(j->arn, j->name, url, sizeof(url)) != 0) {
            app_flash(a, true, "no console URL for %s", j->arn[0] ? j->arn : j->name);
            return R_REDRAW;
        }
        text = url;
    }
    if (!text[0]) {
        app_flash(a, true, "%s has no ARN yet", j->name);
        return R_REDRAW;
    }
    if (clipboard_copy(text) != 0)
        app_flash(a, true, "could not copy: %s", what == CLIPBOARD_CONSOLE ? url : text);
    else if (what == CLIPBOARD_CONSOLE)
        app_flash(a, false, "copied %s", url);
    else
        app_flash(a, false, "copied %s: %s", what == CLIPBOARD_NAME ? "name" : "ARN", text);
    return R_REDRAW;
}
