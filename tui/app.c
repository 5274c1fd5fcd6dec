/* app.c: the frame and the event loop. Owns the terminal (curses), the view stack, the header,
 * footer, help overlay, prompt line, pickers, and the UI's read-only cache connection. One
 * poll() on stdin, the worker's wake pipe and a signal pipe; each turn drains messages, feeds
 * keys to the top view and redraws once if anything changed. Must not block: all network work
 * is the worker's; the cache is read only for what is on screen. */
#include "tui/app.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "aws/config.h"
#include "tui/draw.h"
#include "tui/input.h"
#include "tui/keys.h"
#include "tui/sanitize.h"
#include "tui/scope.h"
#include "tui/views.h"
#include "tui/worker.h"

#define MIN_COLS 60
#define MIN_LINES 15
#define STACK_MAX 8
#define FOLLOW_MAX 32
#define TICK_MS 1000

enum prompt_kind { PROMPT_NONE, PROMPT_TEXT, PROMPT_CONFIRM, PROMPT_PICK };

struct follow_info {
    char job[CACHE_JOB_NAME_MAX];
    double last_poll;            /* last notice about this job's logs */
    double last_lines_at;        /* last notice that brought lines */
    int64_t lines;
    enum sync_state state;
    char text[128];
    int refs;                    /* open views that follow it */
};

struct history_slot {
    const char *name;
    struct history h;
};

struct app {
    struct tui_options o;
    struct cache *cache;
    char cache_path[1024];
    struct worker *worker;
    struct view stack[STACK_MAX];
    size_t depth;
    /* pending navigation, applied after the current action */
    int pending_pop;
    bool pending_push;
    struct view pushed;
    /* header */
    char profile[128], region[64], account[64], endpoint[512];
    bool demo;
    enum sync_state sync_state;
    char sync_text[256];
    double synced_at, retry_until;
    bool have_sync;
    struct follow_info follows[FOLLOW_MAX];
    size_t n_follows;
    /* footer flash */
    char flash[256];
    bool flash_error;
    double flash_until;
    /* prompt / confirm / picker */
    enum prompt_kind prompt;
    char prompt_label[64];
    struct input input;
    prompt_submit_fn on_submit;
    prompt_complete_fn on_complete;
    action_fn on_yes;
    char (*pick_items)[128];
    size_t n_pick, pick_cur;
    int pick_kind;               /* 0 profile, 1 region */
    struct history_slot hist[4];
    bool help;
    int help_top;
    /* terminal */
    bool utf8, too_small, dirty, quit;
    double now;
    uint64_t data_version;
    int sig_pipe[2];
};

static struct termios saved_tio;
static bool have_saved_tio;
static volatile sig_atomic_t winch_flag;
static int sig_write_fd = -1;

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- terminal safety ---------------------------------------------------------------------- */

static void restore_terminal_raw(void)
{
    static const char reset[] = "\033[0m\033[?25h\033[?1049l\r\n";

    if (have_saved_tio)
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    if (write(STDOUT_FILENO, reset, sizeof(reset) - 1) < 0) {
        /* nothing left to do */
    }
}

/* Fatal signals: put the terminal back (async-signal-safe calls only), then die as asked. */
static void on_fatal(int sig)
{
    restore_terminal_raw();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void on_winch(int sig)
{
    (void)sig;
    winch_flag = 1;
    if (sig_write_fd >= 0 && write(sig_write_fd, "w", 1) < 0) {
        /* the flag is enough */
    }
}

static void on_term_signal(int sig)
{
    (void)sig;
    if (sig_write_fd >= 0 && write(sig_write_fd, "t", 1) < 0) {
        /* nothing */
    }
}

static void install_signals(struct app *a)
{
    struct sigaction sa;
    static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };
    size_t i;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_winch;
    sigaction(SIGWINCH, &sa, NULL);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    for (i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
        sigaction(fatal[i], &sa, NULL);
    sa.sa_flags = 0;
    sa.sa_handler = on_term_signal;
    sigaction(SIGHUP, &sa, NULL);
    if (!a->o.interrupted) {
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGTERM, &sa, NULL);
    }
}

/* ---- accessors for views -------------------------------------------------------------------- */

struct cache *app_cache(struct app *a)
{
    return a->cache;
}

bool app_read_only(const struct app *a)
{
    return a->o.read_only;
}

bool app_utf8(const struct app *a)
{
    return a->utf8;
}

double app_now(const struct app *a)
{
    return a->now;
}

void app_push(struct app *a, const struct view_ops *ops, const char *job,
              const char (*jobs)[CACHE_JOB_NAME_MAX], size_t n_jobs)
{
    size_t i;

    memset(&a->pushed, 0, sizeof(a->pushed));
    a->pushed.ops = ops;
    if (job)
        snprintf(a->pushed.job, sizeof(a->pushed.job), "%s", job);
    if (n_jobs > VIEW_MAX_JOBS)
        n_jobs = VIEW_MAX_JOBS;
    for (i = 0; i < n_jobs; i++)
        memcpy(a->pushed.jobs[i], jobs[i], CACHE_JOB_NAME_MAX);
    a->pushed.n_jobs = n_jobs;
    a->pending_push = true;
}

void app_pop(struct app *a)
{
    a->pending_pop++;
}

void app_flash(struct app *a, bool error, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(a->flash, sizeof(a->flash), fmt, ap);
    va_end(ap);
    a->flash_error = error;
    a->flash_until = now_s() + (error ? 8 : 4);
    a->dirty = true;
}

static struct history *history_for(struct app *a, const char *name)
{
    size_t i;

    if (!name)
        return NULL;
    for (i = 0; i < sizeof(a->hist) / sizeof(a->hist[0]); i++) {
        if (a->hist[i].name && strcmp(a->hist[i].name, name) == 0)
            return &a->hist[i].h;
        if (!a->hist[i].name) {
            a->hist[i].name = name;
            return &a->hist[i].h;
        }
    }
    return NULL;
}

void app_prompt(struct app *a, const char *label, const char *initial, const char *history,
                prompt_submit_fn on_submit, prompt_complete_fn complete)
{
    a->prompt = PROMPT_TEXT;
    snprintf(a->prompt_label, sizeof(a->prompt_label), "%s", label);
    input_init(&a->input, initial, history_for(a, history));
    a->on_submit = on_submit;
    a->on_complete = complete;
    a->dirty = true;
}

void app_confirm(struct app *a, const char *question, action_fn on_yes)
{
    a->prompt = PROMPT_CONFIRM;
    snprintf(a->prompt_label, sizeof(a->prompt_label), "%s", question);
    a->on_yes = on_yes;
    a->dirty = true;
}

int app_run_external(struct app *a, const char *shell_cmd)
{
    int rc;

    def_prog_mode();
    endwin();
    rc = system(shell_cmd);
    reset_prog_mode();
    clearok(stdscr, TRUE);
    a->dirty = true;
    return rc;
}

static struct follow_info *follow_find(struct app *a, const char *job, bool create)
{
    size_t i;

    for (i = 0; i < a->n_follows; i++)
        if (strcmp(a->follows[i].job, job) == 0)
            return &a->follows[i];
    if (!create || a->n_follows == FOLLOW_MAX)
        return NULL;
    memset(&a->follows[a->n_follows], 0, sizeof(a->follows[0]));
    snprintf(a->follows[a->n_follows].job, CACHE_JOB_NAME_MAX, "%s", job);
    return &a->follows[a->n_follows++];
}

static void post(struct app *a, enum wmsg_type t, const char *job)
{
    if (a->worker)
        worker_post(a->worker, wmsg_new(t, job));
}

void app_request_refresh(struct app *a)
{
    post(a, WREQ_REFRESH, NULL);
}

void app_request_job(struct app *a, const char *job)
{
    struct follow_info *f = follow_find(a, job, true);

    if (f)
        f->refs++;
    post(a, WREQ_FOLLOW, job);
}

void app_request_unfollow(struct app *a, const char *job)
{
    struct follow_info *f = follow_find(a, job, false);

    if (f && --f->refs > 0)
        return;         /* another open view still follows it */
    if (f)
        *f = a->follows[--a->n_follows];
    post(a, WREQ_UNFOLLOW, job);
}

void app_request_stop(struct app *a, const char *job)
{
    if (a->o.read_only) {
        app_flash(a, true, "read-only: stopping jobs is disabled");
        return;
    }
    post(a, WREQ_STOP_JOB, job);
}

void app_request_launch(struct app *a, struct wmsg *m)
{
    worker_post(a->worker, m);      /* frees m when there is no worker */
}

bool app_follow_pending(struct app *a, const char *job)
{
    struct follow_info *f = follow_find(a, job, false);

    if (a->o.offline)
        return false;
    if (!f || f->last_poll == 0)
        return true;
    return f->lines == 0 && (f->state == SYNC_LOGS || f->state == SYNC_DESCRIBING ||
                             f->state == SYNC_LISTING || f->state == SYNC_THROTTLED);
}

void app_follow_state(struct app *a, const char *job, char *buf, size_t size)
{
    struct follow_info *f = follow_find(a, job, false);
    char age[32];

    if (a->o.offline) {
        snprintf(buf, size, "offline (cache only)");
        return;
    }
    if (!f || f->last_poll == 0) {
        snprintf(buf, size, "waiting for the first poll");
        return;
    }
    fmt_age(a->now - f->last_poll, age, sizeof(age));
    if (f->state == SYNC_THROTTLED || f->state == SYNC_OFFLINE || f->state == SYNC_ERROR)
        snprintf(buf, size, "%s (last poll %s ago)", f->text, age);
    else if (f->last_lines_at > 0) {
        char lag[32];

        fmt_age(a->now - f->last_lines_at, lag, sizeof(lag));
        snprintf(buf, size, "last poll %s ago, new lines %s ago", age, lag);
    } else {
        snprintf(buf, size, "last poll %s ago", age);
    }
}

/* ---- navigation ------------------------------------------------------------------------------ */

static struct view *top(struct app *a)
{
    return a->depth ? &a->stack[a->depth - 1] : NULL;
}

static void apply_navigation(struct app *a)
{
    while (a->pending_pop > 0) {
        a->pending_pop--;
        if (a->depth <= 1)
            break;
        struct view *v = top(a);

        if (v->ops->on_leave)
            v->ops->on_leave(v, a);
        a->depth--;
        a->dirty = true;
    }
    a->pending_pop = 0;
    if (a->pending_push) {
        a->pending_push = false;
        if (a->depth == STACK_MAX) {
            app_flash(a, true, "too many views open: close one with q");
            return;
        }
        a->stack[a->depth] = a->pushed;
        if (a->pushed.ops->on_enter && a->pushed.ops->on_enter(&a->stack[a->depth], a) < 0)
            return;
        a->depth++;
        a->help = false;
        a->dirty = true;
    }
}

/* ---- global actions ------------------------------------------------------------------------- */

int app_act_help(struct view *v, struct app *a)
{
    (void)v;
    a->help = !a->help;
    a->help_top = 0;
    return R_REDRAW;
}

int app_act_back(struct view *v, struct app *a)
{
    (void)v;
    if (a->depth <= 1)
        return R_QUIT;
    app_pop(a);
    return R_REDRAW;
}

int app_act_quit(struct view *v, struct app *a)
{
    (void)v;
    (void)a;
    return R_QUIT;
}

int app_act_redraw(struct view *v, struct app *a)
{
    (void)v;
    (void)a;
    clearok(stdscr, TRUE);
    return R_REDRAW;
}

int app_act_refresh(struct view *v, struct app *a)
{
    (void)v;
    app_flash(a, false, "refreshing from AWS");
    return R_REFRESH | R_REDRAW;
}

static const char *const commands[] = {
    "q", "quit", "help", "refresh", "profile", "region", "jobs", "sort", "cols", "filter",
    "mark", "unmark", "logs", "detail", "compare", "metrics", "launch", "stop", "time", "save",
    "wrap", "timestamps", NULL
};

static const char *const regions[] = {
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1",
    "eu-south-1", "eu-south-2", "ap-south-1", "ap-south-2", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
    "ap-east-1", "me-south-1", "me-central-1", "af-south-1", "il-central-1", "cn-north-1",
    "cn-northwest-1", "us-gov-west-1", "us-gov-east-1", NULL
};

/* Profile names from the shared config and credentials files: "[profile x]" and "[x]". */
static size_t list_profiles(char (*out)[128], size_t max)
{
    const char *files[2];
    char paths[2][1024];
    const char *home = getenv("HOME");
    size_t n = 0, f;

    files[0] = getenv("AWS_CONFIG_FILE");
    files[1] = getenv("AWS_SHARED_CREDENTIALS_FILE");
    snprintf(paths[0], sizeof(paths[0]), "%s/.aws/config", home ? home : "");
    snprintf(paths[1], sizeof(paths[1]), "%s/.aws/credentials", home ? home : "");
    for (f = 0; f < 2; f++) {
        FILE *fp = fopen(files[f] ? files[f] : paths[f], "r");
        char line[512];

        if (!fp)
            continue;
        while (fgets(line, sizeof(line), fp) && n < max) {
            char *s = line, *e;
            size_t i;
            bool dup = false;

            while (*s == ' ' || *s == '\t')
                s++;
            if (*s != '[' || !(e = strchr(s, ']')))
                continue;
            *e = '\0';
            s++;
            if (strncmp(s, "profile ", 8) == 0)
                s += 8;
            else if (f == 0 && strcmp(s, "default") != 0)
                continue;       /* [sso-session x], [services x] */
            while (*s == ' ')
                s++;
            for (i = 0; i < n; i++)
                dup |= strcmp(out[i], s) == 0;
            if (!dup && *s)
                snprintf(out[n++], 128, "%s", s);
        }
        fclose(fp);
    }
    if (n == 0 && max > 0)
        snprintf(out[n++], 128, "default");
    return n;
}

static void open_picker(struct app *a, int kind)
{
    size_t i, n = 0;

    free(a->pick_items);
    a->pick_items = calloc(64, sizeof(*a->pick_items));
    if (!a->pick_items)
        return;
    if (kind == 0) {
        n = list_profiles(a->pick_items, 64);
    } else {
        for (i = 0; regions[i] && n < 64; i++)
            snprintf(a->pick_items[n++], 128, "%s", regions[i]);
    }
    a->n_pick = n;
    a->pick_cur = 0;
    for (i = 0; i < n; i++)
        if (strcmp(a->pick_items[i], kind == 0 ? a->profile : a->region) == 0)
            a->pick_cur = i;
    a->pick_kind = kind;
    a->prompt = PROMPT_PICK;
    a->dirty = true;
}

int app_act_profile(struct view *v, struct app *a)
{
    (void)v;
    open_picker(a, 0);
    return R_REDRAW;
}

int app_act_region(struct view *v, struct app *a)
{
    (void)v;
    open_picker(a, 1);
    return R_REDRAW;
}

static void switch_scope(struct app *a, const char *profile, const char *region)
{
    struct wmsg *m = wmsg_new(WREQ_SWITCH, NULL);

    if (profile)
        snprintf(a->profile, sizeof(a->profile), "%s", profile);
    if (region)
        snprintf(a->region, sizeof(a->region), "%s", region);
    a->have_sync = false;
    a->synced_at = 0;
    snprintf(a->sync_text, sizeof(a->sync_text), "switching…");
    if (m) {
        snprintf(m->u.sw.profile, sizeof(m->u.sw.profile), "%s", profile ? profile : "");
        snprintf(m->u.sw.region, sizeof(m->u.sw.region), "%s", region ? region : "");
    }
    if (a->worker)
        worker_post(a->worker, m);
    else
        wmsg_free(m);
    app_flash(a, false, "switching to profile %s, region %s", a->profile, a->region);
}

static size_t complete_command(struct view *v, struct app *a, const char *line,
                               const char *word, char (*out)[128], size_t max)
{
    size_t n = 0, i, wl = strlen(word);
    const char *sp = strchr(line, ' ');

    (void)v;
    if (!sp) {
        for (i = 0; commands[i] && n < max; i++)
            if (strncmp(commands[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", commands[i]);
        return n;
    }
    if (strncmp(line, "region ", 7) == 0) {
        for (i = 0; regions[i] && n < max; i++)
            if (strncmp(regions[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", regions[i]);
        return n;
    }
    if (strncmp(line, "profile ", 8) == 0) {
        char profs[64][128];
        size_t np = list_profiles(profs, 64);

        for (i = 0; i < np && n < max; i++)
            if (strncmp(profs[i], word, wl) == 0)
                snprintf(out[n++], 128, "%s", profs[i]);
        return n;
    }
    /* The rest belongs to the view (columns, statuses): ask the jobs view's completer. */
    return view_jobs_complete(top(a), a, line, word, out, max);
}

static int split_args(char *s, char **argv, int max)
{
    int n = 0;

    while (*s && n < max) {
        while (*s == ' ')
            *s++ = '\0';
        if (!*s)
            break;
        argv[n++] = s;
        while (*s && *s != ' ')
            s++;
    }
    return n;
}

static int run_command(struct view *v, struct app *a, const char *text)
{
    char buf[INPUT_MAX];
    char *argv[32];
    int argc, r;

    snprintf(buf, sizeof(buf), "%s", text);
    argc = split_args(buf, argv, 32);
    if (argc == 0)
        return R_NONE;
    if (strcmp(argv[0], "q") == 0 || strcmp(argv[0], "quit") == 0 || strcmp(argv[0], "q!") == 0)
        return R_QUIT;
    if (strcmp(argv[0], "help") == 0)
        return app_act_help(v, a);
    if (strcmp(argv[0], "refresh") == 0)
        return app_act_refresh(v, a);
    if (strcmp(argv[0], "profile") == 0 || strcmp(argv[0], "region") == 0) {
        bool prof = argv[0][0] == 'p';

        if (argc < 2) {
            open_picker(a, prof ? 0 : 1);
            return R_REDRAW;
        }
        switch_scope(a, prof ? argv[1] : NULL, prof ? NULL : argv[1]);
        return R_REDRAW;
    }
    r = R_UNHANDLED;
    if (v->ops->on_command)
        r = v->ops->on_command(v, a, argc, argv);
    if (r == R_UNHANDLED && a->depth > 1 && a->stack[0].ops->on_command) {
        /* list commands (:jobs, :sort, :cols) act on the list even from another view */
        r = a->stack[0].ops->on_command(&a->stack[0], a, argc, argv);
        if (r != R_UNHANDLED) {
            a->pending_pop = (int)a->depth - 1;
            r |= R_REDRAW;
        }
    }
    if (r == R_UNHANDLED) {
        app_flash(a, true, "unknown command '%s' (Tab completes, ? lists keys)", argv[0]);
        return R_REDRAW;
    }
    return r;
}

int app_act_command(struct view *v, struct app *a)
{
    (void)v;
    app_prompt(a, ":", "", "cmd", run_command, complete_command);
    return R_REDRAW;
}

/* ---- messages from the worker ---------------------------------------------------------------- */

static void on_message(struct app *a, struct wmsg *m)
{
    struct err e = { 0 };

    switch (m->type) {
    case WMSG_IDENTITY: {
        const struct wmsg_identity *id = &m->u.identity;

        str_copy(a->profile, sizeof(a->profile), id->profile);
        str_copy(a->region, sizeof(a->region), id->region);
        snprintf(a->endpoint, sizeof(a->endpoint), "%s", id->endpoint);
        a->demo = id->demo;
        if (id->account[0] && strcmp(id->account, a->account) != 0) {
            str_copy(a->account, sizeof(a->account), id->account);
            if (a->cache && cache_scope_use(a->cache, a->account, a->region, &e) < 0)
                app_flash(a, true, "%s", e.msg);
            a->data_version = 0;     /* re-query everything */
        }
        break;
    }
    case WMSG_SYNC: {
        const struct sync_notice *n = &m->u.notice;

        if (n->job[0]) {
            struct follow_info *f = follow_find(a, n->job, false);

            if (f) {
                f->state = n->state;
                str_copy(f->text, sizeof(f->text), n->text);
                if (n->state == SYNC_SYNCED || n->state == SYNC_LOGS || n->state == SYNC_IDLE) {
                    f->last_poll = m->at;
                    if (n->progress.lines > f->lines) {
                        f->last_lines_at = m->at;
                        f->lines = n->progress.lines;
                    }
                }
            }
        }
        a->have_sync = true;
        a->sync_state = n->state;
        snprintf(a->sync_text, sizeof(a->sync_text), "%s", n->text);
        if (n->state == SYNC_SYNCED || n->state == SYNC_IDLE)
            a->synced_at = m->at;
        if (n->state == SYNC_THROTTLED || n->state == SYNC_OFFLINE)
            a->retry_until = m->at + n->retry_ms / 1000.0;
        break;
    }
    case WMSG_RESULT:
        if (m->u.result.code < 0) {
            a->have_sync = true;
            a->sync_state = SYNC_ERROR;
            snprintf(a->sync_text, sizeof(a->sync_text), "%s", m->u.result.text);
        }
        if (m->u.result.text[0])
            app_flash(a, m->u.result.code < 0, "%s", m->u.result.text);
        break;
    case WMSG_LAUNCH:
        view_launch_message(a, m);
        break;
    default:
        break;
    }
    a->dirty = true;
}

/* ---- drawing ----------------------------------------------------------------------------------- */

static void sync_label(struct app *a, char *buf, size_t size, attr_t *attr)
{
    char age[32];
    double wait;

    *attr = theme_attr(TH_HEADER);
    if (a->o.offline) {
        snprintf(buf, size, "offline (cache only)");
        return;
    }
    if (!a->have_sync) {
        snprintf(buf, size, "%s", a->sync_text[0] ? a->sync_text : "connecting…");
        return;
    }
    switch (a->sync_state) {
    case SYNC_THROTTLED:
    case SYNC_OFFLINE:
        wait = a->retry_until - a->now;
        snprintf(buf, size, "%s, retrying in %d s",
                 a->sync_state == SYNC_OFFLINE ? "offline" : "throttled", wait > 0 ? (int)(wait + 0.99) : 0);
        if (wait <= 0 && a->synced_at > 0)
            goto synced;
        return;
    case SYNC_ERROR:
        snprintf(buf, size, "error: %s", a->sync_text);
        return;
    case SYNC_LISTING:
    case SYNC_DESCRIBING:
    case SYNC_LOGS:
        if (a->synced_at == 0) {
            snprintf(buf, size, "syncing…");
            return;
        }
        goto synced;
    default:
        if (a->synced_at == 0) {
            snprintf(buf, size, "syncing…");
            return;
        }
        goto synced;
    }
synced:
    fmt_age(a->now - a->synced_at, age, sizeof(age));
    snprintf(buf, size, "synced %s ago", age);
}

static void draw_header(struct app *a)
{
    attr_t h = theme_attr(TH_HEADER), sa;
    char sync[300], tail[400];
    int x = 0, w;

    draw_fill(0, 0, COLS, h);
    x += draw_fmt(0, x, COLS - x, h | A_BOLD, " sagetop ");
    if (a->demo)
        x += draw_str(0, x, COLS - x, " DEMO ", theme_attr(TH_HEADER_DEMO));
    x += draw_fmt(0, x, COLS - x, h, " %s@%s %s", a->profile,
                  a->account[0] ? a->account : "…", a->region);
    if (a->endpoint[0] && (a->demo || !strstr(a->endpoint, "amazonaws.com")))
        x += draw_fmt(0, x, COLS - x, h, "  %s", a->endpoint);
    sync_label(a, sync, sizeof(sync), &sa);
    if (a->n_follows > 0)
        snprintf(tail, sizeof(tail), "%s %s following %zu job%s ", sync, draw_sym(SYM_BULLET),
                 a->n_follows, a->n_follows == 1 ? "" : "s");
    else
        snprintf(tail, sizeof(tail), "%s ", sync);
    w = utf8_width(tail, strlen(tail));
    if (COLS - w > x + 1)
        draw_str(0, COLS - w, w, tail, a->sync_state == SYNC_ERROR && a->have_sync
                 ? theme_attr(TH_HEADER) | A_BOLD : h);
}

static void draw_title_line(struct app *a)
{
    struct view *v = top(a);
    char title[512] = "";
    int x = 0;
    size_t i;

    draw_fill(1, 0, COLS, 0);
    for (i = 1; i < a->depth; i++)
        x += draw_fmt(1, x, COLS - x, theme_attr(TH_DIM), "%s %s ", a->stack[i - 1].ops->name,
                      draw_sym(SYM_ARROW));
    if (v->ops->title)
        v->ops->title(v, a, title, sizeof(title));
    else
        snprintf(title, sizeof(title), "%s", v->ops->name);
    draw_str(1, x, COLS - x, title, theme_attr(TH_TITLE));
}

static void draw_footer(struct app *a)
{
    struct view *v = top(a);
    const struct key_binding *tables[2] = { v->ops->keys, keys_global };
    attr_t f = theme_attr(TH_FOOTER), k = theme_attr(TH_FOOTER_KEY);
    int y = LINES - 1, x = 0;
    size_t t;

    draw_fill(y, 0, COLS, f);
    if (a->prompt == PROMPT_TEXT) {
        int cx;

        x += draw_str(y, 0, COLS, a->prompt_label, k);
        cx = input_cursor_col(&a->input);
        /* keep the cursor on screen for long lines */
        if (x + cx >= COLS - 1) {
            size_t off = utf8_offset_at_col(a->input.buf, a->input.len, x + cx - (COLS - 2));

            draw_text(y, x, COLS - x, a->input.buf + off, a->input.len - off, f);
            move(y, COLS - 2);
        } else {
            draw_text(y, x, COLS - x, a->input.buf, a->input.len, f);
            move(y, x + cx);
        }
        return;
    }
    if (a->prompt == PROMPT_CONFIRM) {
        draw_fmt(y, 0, COLS, theme_attr(TH_WARN) | A_BOLD, "%s [y/N]", a->prompt_label);
        return;
    }
    if (a->flash[0] && a->now < a->flash_until) {
        draw_str(y, 0, COLS, a->flash, a->flash_error ? theme_attr(TH_ERROR) : f);
        return;
    }
    for (t = 0; t < 2; t++) {
        const struct key_binding *b;

        for (b = tables[t]; b && b->label; b++) {
            if (!(b->flags & KB_FOOTER) || (a->o.read_only && (b->flags & KB_MUTATING)))
                continue;
            if (t == 1 && b->key == 'q' && a->depth <= 1) {
                x += draw_str(y, x, COLS - x, "q", k);
                x += draw_str(y, x, COLS - x, " quit  ", f);
                continue;
            }
            {
                /* the footer shows a help text up to its first ':' ("filter: regex ...") */
                const char *h = t == 1 && b->key == 'q' ? "back" :
                                t == 1 && b->key == '?' ? "help" :
                                t == 1 && b->key == ':' ? "cmd" : b->help;
                int hl = (int)strcspn(h, ":(");

                while (hl > 0 && h[hl - 1] == ' ')
                    hl--;
                x += draw_str(y, x, COLS - x, b->label, k);
                x += draw_fmt(y, x, COLS - x, f, " %.*s  ", hl, h);
            }
            if (x >= COLS)
                return;
        }
    }
}

static int count_help_lines(const struct key_binding *t, bool ro)
{
    int n = 0;

    for (; t && t->label; t++)
        if (!(t->flags & KB_HIDDEN) && !(ro && (t->flags & KB_MUTATING)))
            n++;
    return n;
}

static void draw_help(struct app *a)
{
    struct view *v = top(a);
    const struct key_binding *tables[2] = { v->ops->keys, keys_global };
    int h = LINES - 4, w = COLS - 8, y0 = 2, x0 = 4, row = 0, total, t;
    attr_t n = theme_attr(TH_NORMAL), k = theme_attr(TH_FOOTER_KEY);
    char title[64];

    if (w > 90) {
        x0 = (COLS - 90) / 2;
        w = 90;
    }
    total = count_help_lines(tables[0], a->o.read_only) + count_help_lines(keys_global, false) + 3;
    if (h > total + 2)
        h = total + 2;
    if (a->help_top > total - (h - 2))
        a->help_top = total - (h - 2) < 0 ? 0 : total - (h - 2);
    snprintf(title, sizeof(title), "keys: %s (any key closes)", v->ops->name);
    draw_box(y0, x0, h, w, title, n);
    for (t = 0; t < 2; t++) {
        const struct key_binding *b;
        int y;

        y = y0 + 1 + row - a->help_top;
        if (y > y0 && y < y0 + h - 1)
            draw_str(y, x0 + 2, w - 4, t == 0 ? v->ops->name : "everywhere", theme_attr(TH_TITLE));
        row++;
        for (b = tables[t]; b && b->label; b++) {
            if ((b->flags & KB_HIDDEN) || (a->o.read_only && (b->flags & KB_MUTATING)))
                continue;
            y = y0 + 1 + row - a->help_top;
            row++;
            if (y <= y0 || y >= y0 + h - 1)
                continue;
            draw_str(y, x0 + 4, 12, b->label, k);
            draw_str(y, x0 + 17, w - 19, b->help, n);
        }
        row++;
    }
}

static void draw_picker(struct app *a)
{
    int h = (int)a->n_pick + 2, w = 40, y0, x0, i, top_i = 0;

    if (h > LINES - 4)
        h = LINES - 4;
    y0 = (LINES - h) / 2;
    x0 = (COLS - w) / 2;
    if ((int)a->pick_cur >= top_i + h - 2)
        top_i = (int)a->pick_cur - (h - 3);
    draw_box(y0, x0, h, w, a->pick_kind == 0 ? "profile (Enter picks)" : "region (Enter picks)",
             theme_attr(TH_NORMAL));
    for (i = 0; i < h - 2 && top_i + i < (int)a->n_pick; i++) {
        bool sel = (size_t)(top_i + i) == a->pick_cur;

        draw_fill(y0 + 1 + i, x0 + 1, w - 2, sel ? theme_attr(TH_SELECTED) : 0);
        draw_str(y0 + 1 + i, x0 + 2, w - 4, a->pick_items[top_i + i],
                 sel ? theme_attr(TH_SELECTED) : 0);
    }
}

static void render(struct app *a)
{
    struct view *v = top(a);
    struct rect r = { 2, 0, LINES - 3, COLS };

    erase();
    curs_set(0);
    if (COLS < MIN_COLS || LINES < MIN_LINES) {
        a->too_small = true;
        mvprintw(0, 0, "terminal too small");
        mvprintw(1, 0, "%dx%d, need %dx%d", COLS, LINES, MIN_COLS, MIN_LINES);
        mvprintw(2, 0, "q quits");
        refresh();
        return;
    }
    a->too_small = false;
    draw_header(a);
    /* the body first: it refreshes the view's window, and the title reports on it (the
     * job count, the line count); drawn the other way round the first frame said "jobs (0)" */
    v->ops->draw(v, a, &r);
    draw_title_line(a);
    if (a->help)
        draw_help(a);
    if (a->prompt == PROMPT_PICK)
        draw_picker(a);
    draw_footer(a);
    if (a->prompt == PROMPT_TEXT)
        curs_set(1);
    refresh();
}

/* ---- keys ---------------------------------------------------------------------------------- */

static int prompt_key(struct app *a, int key)
{
    struct view *v = top(a);
    enum input_result r;

    if (a->prompt == PROMPT_CONFIRM) {
        action_fn yes = a->on_yes;

        a->prompt = PROMPT_NONE;
        if (key == 'y' || key == 'Y')
            return yes(v, a) | R_REDRAW;
        app_flash(a, false, "cancelled");
        return R_REDRAW;
    }
    if (a->prompt == PROMPT_PICK) {
        switch (key) {
        case KEY_UP:
        case 'k':
            if (a->pick_cur > 0)
                a->pick_cur--;
            return R_REDRAW;
        case KEY_DOWN:
        case 'j':
            if (a->pick_cur + 1 < a->n_pick)
                a->pick_cur++;
            return R_REDRAW;
        case '\n':
        case '\r':
        case KEY_ENTER:
            a->prompt = PROMPT_NONE;
            if (a->n_pick > 0) {
                if (a->pick_kind == 0)
                    switch_scope(a, a->pick_items[a->pick_cur], NULL);
                else
                    switch_scope(a, NULL, a->pick_items[a->pick_cur]);
            }
            return R_REDRAW;
        default:
            a->prompt = PROMPT_NONE;
            return R_REDRAW;
        }
    }
    r = input_key(&a->input, key);
    switch (r) {
    case INPUT_SUBMIT: {
        char text[INPUT_MAX];
        prompt_submit_fn fn = a->on_submit;

        snprintf(text, sizeof(text), "%s", a->input.buf);
        if (a->input.hist)
            history_add(a->input.hist, text);
        a->prompt = PROMPT_NONE;
        return (fn ? fn(v, a, text) : R_NONE) | R_REDRAW;
    }
    case INPUT_CANCEL:
        a->prompt = PROMPT_NONE;
        return R_REDRAW;
    case INPUT_COMPLETE:
        if (a->on_complete) {
            char (*cands)[128] = calloc(64, sizeof(*cands));
            char word[128];
            char line[INPUT_MAX];
            size_t n;

            if (!cands)
                return R_NONE;
            memcpy(line, a->input.buf, a->input.cur);
            line[a->input.cur] = '\0';
            if (a->input.cycling)
                n = 0;
            else
                n = a->on_complete(v, a, line, input_word(&a->input, word, sizeof(word)), cands, 64);
            input_complete(&a->input, cands, n);
            free(cands);
        }
        return R_REDRAW;
    default:
        return R_REDRAW;
    }
}

static int handle_key(struct app *a, int key)
{
    struct view *v = top(a);
    int r;

    if (a->too_small)
        return (key == 'q' || key == KEY_CTRL_C) ? R_QUIT : R_NONE;
    if (a->prompt != PROMPT_NONE)
        return prompt_key(a, key);
    if (a->help) {
        if (key == 'j' || key == KEY_DOWN) {
            a->help_top++;
            return R_REDRAW;
        }
        if (key == 'k' || key == KEY_UP) {
            if (a->help_top > 0)
                a->help_top--;
            return R_REDRAW;
        }
        a->help = false;
        return key == KEY_CTRL_C ? R_QUIT : R_REDRAW;
    }
    a->flash_until = 0;
    r = R_UNHANDLED;
    if (v->ops->on_key)
        r = v->ops->on_key(v, a, key);
    if (r == R_UNHANDLED)
        r = keys_dispatch(v->ops->keys, v, a, key);
    if (r == R_UNHANDLED) {
        if (a->o.read_only && keys_find(v->ops->keys, key, false)) {
            app_flash(a, true, "read-only: this action is disabled");
            return R_REDRAW;
        }
        r = keys_dispatch(keys_global, v, a, key);
    }
    return r == R_UNHANDLED ? R_NONE : r;
}

static int read_key(void)
{
    wint_t ch;
    int r = get_wch(&ch);

    if (r == ERR)
        return -1;
    if (r == KEY_CODE_YES)
        return (int)ch;
    return input_key_char((int32_t)ch);
}

static void handle_resize(struct app *a)
{
    struct winsize ws;

    winch_flag = 0;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    clearok(stdscr, TRUE);
    a->dirty = true;
}

/* ---- setup and the loop ------------------------------------------------------------------ */

static void resolve_identity(struct app *a)
{
    struct aws_options ao = { a->o.profile, a->o.region, a->o.endpoint_url };
    struct aws_config *cfg = aws_config_load(&ao, NULL);
    struct aws_endpoint ep;

    if (!cfg) {
        snprintf(a->profile, sizeof(a->profile), "%s", a->o.profile ? a->o.profile : "default");
        snprintf(a->region, sizeof(a->region), "%s", a->o.region ? a->o.region : "?");
        return;
    }
    snprintf(a->profile, sizeof(a->profile), "%s", aws_config_profile(cfg));
    snprintf(a->region, sizeof(a->region), "%s", aws_config_region(cfg));
    if (aws_config_endpoint(cfg, AWS_SAGEMAKER, &ep, NULL) == 0)
        snprintf(a->endpoint, sizeof(a->endpoint), "%s", ep.url);
    a->demo = worker_endpoint_is_local(a->endpoint);
    tui_scope_account(cfg, a->cache_path[0] ? a->cache_path : NULL, NULL, true, a->account,
                      sizeof(a->account), NULL);
    aws_config_free(cfg);
}

static int app_open(struct app *a, const struct tui_options *o, struct err *e)
{
    struct worker_options wo;
    char moved[1024];
    const char *codeset;

    memset(a, 0, sizeof(*a));
    a->o = *o;
    a->sig_pipe[0] = a->sig_pipe[1] = -1;
    a->now = now_s();
    setlocale(LC_ALL, "");
    codeset = nl_langinfo(CODESET);
    a->utf8 = codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    draw_set_utf8(a->utf8);
    if (o->cache_path)
        snprintf(a->cache_path, sizeof(a->cache_path), "%s", o->cache_path);
    else if (cache_default_path(a->cache_path, sizeof(a->cache_path), e) < 0)
        return e ? e->code : ERR_CACHE;
    /* The engine creates and migrates the file; the UI only reads it. Open it read-write once
     * so a first run has a file to read (and --reset-cache is honoured here, once). */
    {
        struct cache *rw = NULL;

        if (cache_open(a->cache_path, o->reset_cache ? CACHE_RESET : 0, &rw, moved,
                       sizeof(moved), e) < 0)
            return e ? e->code : ERR_CACHE;
        cache_close(rw);
    }
    if (cache_open(a->cache_path, CACHE_READ_ONLY, &a->cache, NULL, 0, e) < 0)
        return e ? e->code : ERR_CACHE;
    resolve_identity(a);
    if (cache_scope_use(a->cache, a->account[0] ? a->account : "unknown", a->region, e) < 0)
        return e ? e->code : ERR_CACHE;
    if (pipe(a->sig_pipe) < 0)
        return err_set(e, ERR_IO, "cannot create a pipe: %s", strerror(errno));
    fcntl(a->sig_pipe[0], F_SETFL, O_NONBLOCK);
    fcntl(a->sig_pipe[1], F_SETFL, O_NONBLOCK);
    sig_write_fd = a->sig_pipe[1];
    memset(&wo, 0, sizeof(wo));
    wo.profile = o->profile;
    wo.region = o->region;
    wo.endpoint_url = o->endpoint_url;
    wo.cache_path = a->cache_path;
    wo.offline = o->offline;
    a->worker = worker_start(&wo, e);
    if (!a->worker)
        return e ? e->code : ERR_NOMEM;
    snprintf(a->sync_text, sizeof(a->sync_text), "%s", o->offline ? "offline" : "connecting…");
    return 0;
}

static void app_close(struct app *a)
{
    size_t i;

    while (a->depth > 0) {
        struct view *v = &a->stack[--a->depth];

        if (v->ops->on_leave)
            v->ops->on_leave(v, a);
    }
    worker_stop(a->worker);
    a->worker = NULL;
    cache_close(a->cache);
    a->cache = NULL;
    free(a->pick_items);
    for (i = 0; i < sizeof(a->hist) / sizeof(a->hist[0]); i++)
        history_clean(&a->hist[i].h);
    sig_write_fd = -1;
    for (i = 0; i < 2; i++)
        if (a->sig_pipe[i] >= 0)
            close(a->sig_pipe[i]);
}

static bool curses_up;

static void curses_down(void)
{
    if (curses_up) {
        endwin();
        curses_up = false;
    }
}

static void curses_start(struct app *a)
{
    if (tcgetattr(STDIN_FILENO, &saved_tio) == 0)
        have_saved_tio = true;
    initscr();
    curses_up = true;
    atexit(curses_down);
    raw();
    noecho();
    nonl();
    keypad(stdscr, TRUE);
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    theme_init(a->o.no_color ? THEME_NONE : THEME_256);
}

static void apply(struct app *a, int r)
{
    if (r & R_QUIT)
        a->quit = true;
    if (r & R_REFRESH)
        app_request_refresh(a);
    if (r & (R_REDRAW | R_REFRESH))
        a->dirty = true;
    apply_navigation(a);
}

static void tick(struct app *a)
{
    uint64_t dv = cache_data_version(a->cache);
    bool changed = dv != a->data_version;
    struct view *v = top(a);

    a->data_version = dv;
    if (v->ops->on_tick)
        apply(a, v->ops->on_tick(v, a, changed));
    else if (changed)
        a->dirty = true;
}

int tui_run(const struct tui_options *o, struct err *e)
{
    struct app *a = calloc(1, sizeof(*a));
    double next_tick;
    int rc = 0;

    if (!a)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        free(a);
        return err_set(e, ERR_INVAL, "the full-screen UI needs a terminal");
    }
    rc = app_open(a, o, e);
    if (rc < 0)
        goto out;
    install_signals(a);
    curses_start(a);
    a->stack[0].ops = &view_jobs_ops;
    if (view_jobs_ops.on_enter(&a->stack[0], a) < 0) {
        rc = err_set(e, ERR_INVAL, "cannot open the job list");
        goto out;
    }
    a->depth = 1;
    a->dirty = true;
    next_tick = now_s() + TICK_MS / 1000.0;
    while (!a->quit) {
        struct pollfd p[3];
        int timeout, key;

        a->now = now_s();
        if (a->now >= next_tick) {
            tick(a);
            next_tick = a->now + TICK_MS / 1000.0;
        }
        if (a->flash[0] && a->flash_until > 0 && a->now >= a->flash_until) {
            a->flash[0] = '\0';
            a->dirty = true;
        }
        if (a->dirty) {
            render(a);
            a->dirty = false;
        }
        if (o->interrupted && *o->interrupted)
            break;
        timeout = (int)((next_tick - a->now) * 1000) + 1;
        if (timeout < 0)
            timeout = 0;
        p[0].fd = STDIN_FILENO;
        p[0].events = POLLIN;
        p[1].fd = worker_wake_fd(a->worker);
        p[1].events = POLLIN;
        p[2].fd = a->sig_pipe[0];
        p[2].events = POLLIN;
        if (poll(p, 3, timeout) < 0) {
            if (errno != EINTR) {
                rc = err_set(e, ERR_IO, "poll: %s", strerror(errno));
                break;
            }
        }
        a->now = now_s();
        if (winch_flag)
            handle_resize(a);
        if (p[2].revents & POLLIN) {
            char buf[64];
            ssize_t n = read(a->sig_pipe[0], buf, sizeof(buf));

            if (n > 0 && memchr(buf, 't', (size_t)n))
                break;
        }
        if (p[1].revents & POLLIN) {
            struct wmsg *m = worker_drain(a->worker), *next;

            for (; m; m = next) {
                next = m->next;
                on_message(a, m);
                wmsg_free(m);
            }
            /* the engine wrote something: let the view re-query now, not at the next tick */
            tick(a);
            next_tick = a->now + TICK_MS / 1000.0;
        }
        while (!a->quit && (key = read_key()) >= 0) {
            if (key == KEY_RESIZE) {
                /* resizeterm() queues this after our own SIGWINCH handling: just redraw */
                a->dirty = true;
                continue;
            }
            apply(a, handle_key(a, key));
        }
    }
out:
    curses_down();
    app_close(a);
    free(a);
    return rc;
}
