/* clipboard.h: copying a job's name, ARN or console URL to the user's clipboard through the
 * terminal (OSC 52), so it works over SSH and inside tmux (set-clipboard on). The builders are
 * pure and unit tested; clipboard_copy() writes the escape straight to the terminal between
 * frames (UI thread only, never while curses is drawing). */
#ifndef SAGETOP_TUI_CLIPBOARD_H
#define SAGETOP_TUI_CLIPBOARD_H

#include <stddef.h>

struct app;
struct cache_job;

/* "ESC ] 52 ; c ; BASE64(text) BEL" into out (NUL-terminated). Returns its length, or 0 when
 * it does not fit (nothing is then sent). */
size_t clipboard_osc52(const char *text, char *out, size_t size);
/* Sends text to the terminal's clipboard. 0, or -1 when it is too long or the write failed. */
int clipboard_copy(const char *text);
/* The job's SageMaker console page, from the partition and region in its ARN:
 * https://REGION.console.aws.amazon.com/sagemaker/home?region=REGION#/jobs/NAME (aws),
 * console.amazonaws.cn (aws-cn), console.amazonaws-us-gov.com (aws-us-gov). -1 when the ARN
 * names no region or a partition without a public console (the ISO partitions). */
int clipboard_console_url(const char *arn, const char *name, char *out, size_t size);

enum clipboard_what { CLIPBOARD_NAME, CLIPBOARD_ARN, CLIPBOARD_CONSOLE };
/* The y / Y / o actions of a job list or view: copies what of job j (NULL: "no job selected")
 * and says so in the footer; o also shows the URL there. Returns R_REDRAW. */
int clipboard_act_job(struct app *a, const struct cache_job *j, enum clipboard_what what);

#endif
