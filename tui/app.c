/* app.c: the frame's state and the event loop. Owns the terminal (curses), the view stack, the
 * follow bookkeeping, the worker and the UI's read-only cache connection. One poll() on stdin,
 * the worker's wake pipe and a signal pipe; each turn drains messages, feeds keys to the top
 * view and redraws once if anything changed. Drawing the frame is app_frame.c's and the prompt
 * line app_prompt.c's. Must not block: all network work is the worker's; the cache is read only
 * for what is on screen. */
#include "tui/app.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "aws/config.h"
#include "tui/app_internal.h"
#include "tui/draw.h"
#include "tui/keys.h"
#include "tui/sanitize.h"
#include "tui/scope.h"
#include "tui/views.h"

static struct termios saved_tio;
static bool have_saved_tio;
static volatile sig_atomic_t winch_flag;
static int sig_write_fd = -1;

double app_clock(void)
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

int app_key(const struct app *a)
{
    return a->key;
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
    a->pushed.stale = true;
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
    a->flash_until = app_clock() + (error ? 8 : 4);
    a->dirty = true;
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

static void request_stop(struct app *a, enum wmsg_type t, const char *job)
{
    if (a->o.read_only) {
        app_flash(a, true, "read-only: stopping jobs is disabled");
        return;
    }
    post(a, t, job);
}

void app_request_stop(struct app *a, const char *job)
{
    request_stop(a, WREQ_STOP_JOB, job);
}

void app_request_stop_tuning(struct app *a, const char *tuning_job)
{
    request_stop(a, WREQ_STOP_TUNING, tuning_job);
}

void app_request_launch(struct app *a, struct wmsg *m)
{
    worker_post(a->worker, m);      /* frees m when there is no worker */
}

bool app_follow_pending(struct app *a, const char *job)
{
    struct follow_info *f = follow_find(a, job, false);

    if (a->o.conn.offline)
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

    if (a->o.conn.offline) {
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

struct view *app_top(struct app *a)
{
    return a->depth ? &a->stack[a->depth - 1] : NULL;
}

/* The view's job, or each of its marked jobs, to the worker: follow or unfollow. */
static void follow_jobs(struct app *a, struct view *v, bool follow)
{
    size_t k;

    if (!v->ops->follows_jobs)
        return;
    if (v->n_jobs == 0)
        (follow ? app_request_job : app_request_unfollow)(a, v->job);
    for (k = 0; k < v->n_jobs; k++)
        (follow ? app_request_job : app_request_unfollow)(a, v->jobs[k]);
}

static int view_enter(struct app *a, struct view *v)
{
    if (v->ops->on_enter && v->ops->on_enter(v, a) < 0)
        return -1;
    follow_jobs(a, v, true);
    return 0;
}

static void view_leave(struct app *a, struct view *v)
{
    follow_jobs(a, v, false);
    if (v->ops->on_leave)
        v->ops->on_leave(v, a);
}

static void apply_navigation(struct app *a)
{
    while (a->pending_pop > 0) {
        a->pending_pop--;
        if (a->depth <= 1)
            break;
        view_leave(a, app_top(a));
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
        if (view_enter(a, &a->stack[a->depth]) < 0)
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
    memset(&a->help_list, 0, sizeof(a->help_list));
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
        if (m->cloudwatch)
            a->cw_throttled_until = a->retry_until;
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
    case WMSG_ALERT:
        app_alert_message(a, m);
        break;
    default:
        break;
    }
    a->dirty = true;
}

/* The help overlay scrolls with the list keys; F10 quits; any other key closes it. */
static int help_key(struct app *a, int key)
{
    struct list_mouse m;

    if (key == KEY_F(10) || key == KEY_CTRL_C)
        return R_QUIT;
    if (key == KEY_MOUSE) {
        long row;

        if (list_mouse_last(&m) && m.kind != LIST_MOUSE_CLICK)
            list_mouse(&a->help_list, &m, 0, false, &row);
        return R_REDRAW;
    }
    if (list_key(&a->help_list, key, LIST_KEYS_HJKL | LIST_KEYS_G) >= 0)
        return R_REDRAW;
    a->help = false;
    return R_REDRAW;
}

/* A mouse event the view does not take: the wheel scrolls as Up/Down would. */
static int mouse_fallback(struct app *a, struct view *v)
{
    struct list_mouse m;
    int r = R_NONE, i, k;

    if (!list_mouse_last(&m) || m.kind == LIST_MOUSE_CLICK)
        return R_NONE;
    k = m.kind == LIST_MOUSE_WHEEL_UP ? KEY_UP : KEY_DOWN;
    a->key = k;
    for (i = 0; i < 3; i++) {
        int one = keys_dispatch(v->ops->keys, v, a, k);

        if (one != R_UNHANDLED)
            r |= one;
    }
    return r;
}

static int handle_key(struct app *a, int key)
{
    struct view *v = app_top(a);
    int r;

    if (a->too_small)
        return (key == 'q' || key == KEY_CTRL_C) ? R_QUIT : R_NONE;
    if (a->prompt != PROMPT_NONE)
        return app_prompt_key(a, key);
    if (a->help)
        return help_key(a, key);
    a->flash_until = 0;
    a->key = key;
    r = R_UNHANDLED;
    if (v->ops->on_key)
        r = v->ops->on_key(v, a, key);
    if (r == R_UNHANDLED)
        r = keys_dispatch(v->ops->keys, v, a, key);
    if (r == R_UNHANDLED && key == KEY_MOUSE)
        return mouse_fallback(a, v);
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
    struct aws_options ao = { a->o.conn.profile, a->o.conn.region, a->o.conn.endpoint_url };
    struct aws_config *cfg = aws_config_load(&ao, NULL);
    struct aws_endpoint ep;

    if (!cfg) {
        snprintf(a->profile, sizeof(a->profile), "%s", a->o.conn.profile ? a->o.conn.profile : "default");
        snprintf(a->region, sizeof(a->region), "%s", a->o.conn.region ? a->o.conn.region : "?");
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
    a->now = app_clock();
    setlocale(LC_ALL, "");
    codeset = nl_langinfo(CODESET);
    a->utf8 = codeset && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    draw_set_utf8(a->utf8);
    if (o->conn.cache_path)
        snprintf(a->cache_path, sizeof(a->cache_path), "%s", o->conn.cache_path);
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
    wo = o->conn;
    wo.cache_path = a->cache_path;
    a->worker = worker_start(&wo, e);
    if (!a->worker)
        return e ? e->code : ERR_NOMEM;
    snprintf(a->sync_text, sizeof(a->sync_text), "%s", o->conn.offline ? "offline" : "connecting…");
    return 0;
}

static void app_close(struct app *a)
{
    size_t i;

    while (a->depth > 0) {
        view_leave(a, &a->stack[--a->depth]);
    }
    worker_stop(a->worker);
    a->worker = NULL;
    cache_close(a->cache);
    a->cache = NULL;
    app_prompt_clean(a);
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
    list_define_keys();
    nodelay(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    if (!a->o.no_mouse) {
        /* presses, not clicks: no click-interval wait; the wheel is buttons 4 and 5 */
        mouseinterval(0);
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
                  | BUTTON5_PRESSED
#endif
                  , NULL);
    }
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
    struct view *v = app_top(a);

    a->data_version = dv;
    if (v->ops->on_tick) {
        apply(a, v->ops->on_tick(v, a, changed));
    } else if (changed) {
        v->stale = true;
        a->dirty = true;
    }
    if (app_header_stale(a))
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
    next_tick = app_clock() + TICK_MS / 1000.0;
    while (!a->quit) {
        struct pollfd p[3];
        int timeout, key;

        a->now = app_clock();
        if (a->now >= next_tick) {
            tick(a);
            next_tick = a->now + TICK_MS / 1000.0;
        }
        if (a->flash[0] && a->flash_until > 0 && a->now >= a->flash_until) {
            a->flash[0] = '\0';
            a->dirty = true;
        }
        if (a->dirty) {
            app_render(a);
            a->dirty = false;
        }
        if (a->alert_ring)
            app_alert_ring(a);
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
        a->now = app_clock();
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
            if (key == KEY_MOUSE) {
                struct list_mouse m;

                if (!list_mouse_read(&m))
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

