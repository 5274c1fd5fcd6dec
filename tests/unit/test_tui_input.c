/* test_tui_input.c: the line editor (history, completion, UTF-8 editing), the key tables and
 * the worker's message queue, without a terminal. */
#include <criterion/criterion.h>
#include <curses.h>
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "tui/input.h"
#include "tui/keys.h"
#include "tui/worker.h"

static void type(struct input *in, const char *s)
{
    for (; *s; s++)
        input_key(in, (unsigned char)*s);
}

Test(input, typing_and_editing)
{
    struct input in;

    input_init(&in, "", NULL);
    type(&in, "sort nmae");
    input_key(&in, KEY_LEFT);
    input_key(&in, KEY_LEFT);
    input_key(&in, KEY_LEFT);
    input_key(&in, KEY_DC);
    input_key(&in, KEY_RIGHT);
    type(&in, "m");
    cr_assert_str_eq(in.buf, "sort name");
    input_key(&in, KEY_END);
    input_key(&in, 23);     /* ^W */
    cr_assert_str_eq(in.buf, "sort ");
    cr_assert_eq(input_key(&in, '\r'), INPUT_SUBMIT);
}

Test(input, backspace_on_empty_line_cancels)
{
    struct input in;

    input_init(&in, "", NULL);
    cr_assert_eq(input_key(&in, KEY_BACKSPACE), INPUT_CANCEL);
    cr_assert_eq(input_key(&in, 27), INPUT_CANCEL);
}

Test(input, utf8_characters_edit_as_one)
{
    struct input in;

    input_init(&in, "", NULL);
    input_key(&in, input_key_char(0xE9));   /* é */
    input_key(&in, 'x');
    cr_assert_str_eq(in.buf, "\xc3\xa9x");
    input_key(&in, KEY_LEFT);
    input_key(&in, KEY_BACKSPACE);
    cr_assert_str_eq(in.buf, "x");
    cr_assert_eq(input_cursor_col(&in), 0);
}

Test(input, control_characters_are_not_inserted)
{
    struct input in;

    input_init(&in, "", NULL);
    input_key(&in, input_key_char(0x9B));
    input_key(&in, 0x1F);
    cr_assert_eq(in.len, 0);
}

Test(input, history_browse_and_restore)
{
    struct history h = { 0 };
    struct input in;

    history_add(&h, "sort name");
    history_add(&h, "cols +hp.lr");
    history_add(&h, "cols +hp.lr");     /* repeated: kept once */
    cr_assert_eq(h.n, 2);
    input_init(&in, "", &h);
    type(&in, "half");
    input_key(&in, KEY_UP);
    cr_assert_str_eq(in.buf, "cols +hp.lr");
    input_key(&in, KEY_UP);
    cr_assert_str_eq(in.buf, "sort name");
    input_key(&in, KEY_UP);
    cr_assert_str_eq(in.buf, "sort name");
    input_key(&in, KEY_DOWN);
    input_key(&in, KEY_DOWN);
    cr_assert_str_eq(in.buf, "half");
    history_clean(&h);
}

/* Every prompt kind the UI has (six and more) keeps its own history: `:` recall still works
 * after `/`, `&`, `s`, `T` and the launch prompts claimed theirs. */
Test(input, each_prompt_kind_keeps_its_own_history)
{
    static const char *const kinds[] = { "filter", "search", "save", "time", "launch",
                                          "launch-regex", "cmd" };
    struct history_set set;
    struct history *h;
    struct input in;
    size_t i;

    memset(&set, 0, sizeof(set));
    for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        h = history_set_get(&set, kinds[i]);
        cr_assert_not_null(h, "kind %s has a history", kinds[i]);
        history_add(h, kinds[i]);
    }
    h = history_set_get(&set, "cmd");
    cr_assert_eq(h->n, 1);
    input_init(&in, "", h);
    input_key(&in, KEY_UP);
    cr_assert_str_eq(in.buf, "cmd");
    cr_assert_eq(history_set_get(&set, "filter")->n, 1);
    cr_assert_str_eq(history_set_get(&set, "filter")->items[0], "filter");
    cr_assert_eq(set.n, sizeof(kinds) / sizeof(kinds[0]));
    cr_assert_null(history_set_get(&set, ""));
    cr_assert_null(history_set_get(&set, NULL));
    history_set_clean(&set);
    cr_assert_eq(set.n, 0);
}

Test(input, completion_single_common_prefix_and_cycle)
{
    struct input in;
    char one[1][128] = { "sort" };
    char many[3][128] = { "status:Failed", "status:InProgress", "status:Stopped" };
    char word[128];

    input_init(&in, "", NULL);
    type(&in, "so");
    cr_assert_eq(input_key(&in, '\t'), INPUT_COMPLETE);
    cr_assert_str_eq(input_word(&in, word, sizeof(word)), "so");
    input_complete(&in, one, 1);
    cr_assert_str_eq(in.buf, "sort ");

    input_init(&in, "filter st", NULL);
    input_key(&in, '\t');
    input_complete(&in, many, 3);
    cr_assert_str_eq(in.buf, "filter status:");
    input_key(&in, '\t');
    input_complete(&in, NULL, 0);
    cr_assert_str_eq(in.buf, "filter status:Failed");
    input_key(&in, '\t');
    input_complete(&in, NULL, 0);
    cr_assert_str_eq(in.buf, "filter status:InProgress");
}

static int hits;
static int act_hit(struct view *v, struct app *a)
{
    (void)v;
    (void)a;
    hits++;
    return R_REDRAW;
}

static const struct key_binding table[] = {
    { 'x', "x", "stop", act_hit, KB_MUTATING },
    { 'l', "l", "logs", act_hit, KB_FOOTER },
    { 0, NULL, NULL, NULL, 0 },
};

Test(keys, find_respects_read_only)
{
    cr_assert_not_null(keys_find(table, 'x', false));
    cr_assert_null(keys_find(table, 'x', true));
    cr_assert_not_null(keys_find(table, 'l', true));
    cr_assert_null(keys_find(table, 'z', false));
}

Test(keys, global_table_has_help_quit_and_command)
{
    cr_assert_not_null(keys_find(keys_global, '?', false));
    cr_assert_not_null(keys_find(keys_global, 'q', false));
    cr_assert_not_null(keys_find(keys_global, ':', false));
    cr_assert_not_null(keys_find(keys_global, KEY_CTRL_C, false));
}

Test(keys, names)
{
    char b[16];

    cr_assert_str_eq(keys_name('\n', b, sizeof(b)), "Enter");
    cr_assert_str_eq(keys_name(12, b, sizeof(b)), "^L");
    cr_assert_str_eq(keys_name('g', b, sizeof(b)), "g");
    cr_assert_str_eq(keys_name(KEY_NPAGE, b, sizeof(b)), "PgDn");
}

static struct msgq *q;

static void *producer(void *arg)
{
    long i, base = (long)arg;

    for (i = 0; i < 1000; i++) {
        struct wmsg *m = wmsg_new(WMSG_RESULT, NULL);

        m->u.result.code = (int)(base + i);
        msgq_post(q, m);
    }
    return NULL;
}

Test(msgq, fifo_across_threads_with_wake_pipe)
{
    int fds[2];
    pthread_t t[4];
    long i;
    size_t n = 0;
    char c;
    int last[4] = { -1, -1, -1, -1 };

    cr_assert_eq(pipe(fds), 0);
    fcntl(fds[1], F_SETFL, O_NONBLOCK);
    q = msgq_new(fds[1]);
    for (i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, producer, (void *)(i * 100000));
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    cr_assert_eq(read(fds[0], &c, 1), 1, "posting writes the wake pipe");
    {
        struct wmsg *m = msgq_take_all(q), *next;

        for (; m; m = next) {
            int p = m->u.result.code / 100000;

            next = m->next;
            cr_assert_gt(m->u.result.code, last[p], "each producer's messages stay in order");
            last[p] = m->u.result.code;
            n++;
            wmsg_free(m);
        }
    }
    cr_assert_eq(n, 4000);
    cr_assert_null(msgq_take_all(q));
    msgq_free(q);
    close(fds[0]);
    close(fds[1]);
}

Test(worker, local_endpoints_are_demo)
{
    cr_assert(worker_endpoint_is_local("http://127.0.0.1:4566"));
    cr_assert(worker_endpoint_is_local("http://localhost:5000"));
    cr_assert(!worker_endpoint_is_local("https://api.sagemaker.us-east-1.amazonaws.com"));
    cr_assert(!worker_endpoint_is_local(""));
}
