/* test_tui_sanitize.c: nothing from the network reaches the terminal as a control sequence. */
#include <criterion/criterion.h>
#include <locale.h>
#include <string.h>

#include "tui/sanitize.h"

static char out[512];

static const char *clean(const char *in, size_t len, unsigned flags)
{
    sanitize_text(in, len, out, sizeof(out), flags);
    return out;
}
#define CLEAN(s) clean((s), sizeof(s) - 1, 0)

static void setup(void)
{
    setlocale(LC_ALL, "C.UTF-8");
}

TestSuite(sanitize, .init = setup);

Test(sanitize, plain_text_unchanged)
{
    cr_assert_str_eq(CLEAN("epoch 1 loss=0.25"), "epoch 1 loss=0.25");
    cr_assert_str_eq(CLEAN("naïve 日本"), "naïve 日本");
}

Test(sanitize, csi_colour_and_cursor_moves_removed)
{
    cr_assert_str_eq(CLEAN("\x1b[31mRED\x1b[0m ok"), "RED ok");
    cr_assert_str_eq(CLEAN("a\x1b[2J\x1b[H\x1b[?1049hb"), "ab");
    cr_assert_str_eq(CLEAN("x\x1b[1;31;4mz"), "xz");
}

Test(sanitize, osc_title_and_hyperlink_removed)
{
    cr_assert_str_eq(CLEAN("\x1b]0;pwned\x07title"), "title");
    cr_assert_str_eq(CLEAN("\x1b]8;;http://e.vil\x1b\\link\x1b]8;;\x1b\\"), "link");
    cr_assert_str_eq(CLEAN("a\x1bPq#0;2;0;0;0\x1b\\b"), "ab");
}

Test(sanitize, unterminated_osc_swallows_rest)
{
    cr_assert_str_eq(CLEAN("ok\x1b]2;never ends"), "ok");
}

Test(sanitize, two_byte_escapes_removed)
{
    cr_assert_str_eq(CLEAN("a\x1b" "cb\x1b(Bc\x1b" "7d"), "abcd");
}

Test(sanitize, controls_dropped)
{
    cr_assert_str_eq(CLEAN("be\x07l\x08l\x00!\x7f"), "bell!");
}

Test(sanitize, c1_controls_dropped)
{
    /* U+009B is the 8-bit CSI: as UTF-8 it must not reach the terminal either */
    cr_assert_str_eq(CLEAN("a\xc2\x9b" "31mb"), "a31mb");
}

Test(sanitize, raw_8bit_csi_is_invalid_utf8)
{
    cr_assert_str_eq(CLEAN("a\x9b" "2Jb"), "a\xef\xbf\xbd" "2Jb");
}

Test(sanitize, invalid_utf8_replaced)
{
    cr_assert_str_eq(CLEAN("\xff"), "\xef\xbf\xbd");
    /* overlong '/' and a surrogate: one U+FFFD per maximal subpart */
    cr_assert_str_eq(CLEAN("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd");
    cr_assert_str_eq(CLEAN("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    /* a truncated 3-byte sequence is one subpart */
    cr_assert_str_eq(CLEAN("x\xe6\x97y"), "x\xef\xbf\xbdy");
    cr_assert_str_eq(CLEAN("\xf4\x90\x80\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

Test(sanitize, progress_bar_collapsed_to_last_segment)
{
    cr_assert_str_eq(CLEAN(" 10%|#   |\r 50%|##  |\r100%|####|"), "100%|####|");
    cr_assert_str_eq(CLEAN("line\r\n"), "line");
    cr_assert_str_eq(CLEAN("a\rb\r"), "b");
}

Test(sanitize, tabs_expanded)
{
    cr_assert_str_eq(CLEAN("a\tb"), "a       b");
    cr_assert_str_eq(clean("a\tb", 3, SANITIZE_KEEP_TABS), "a\tb");
}

Test(sanitize, bidi_override_replaced)
{
    cr_assert_str_eq(CLEAN("a\xe2\x80\xae" "b"), "a\xef\xbf\xbd" "b");
}

Test(sanitize, ascii_fallback)
{
    cr_assert_str_eq(clean("h\xc3\xa9llo\xff", 7, SANITIZE_ASCII), "h?llo?");
}

Test(sanitize, no_nul_terminator_needed)
{
    const char buf[] = { 'a', 'b', 'c', 'X' };

    cr_assert_str_eq(clean(buf, 3, 0), "abc");
}

Test(sanitize, output_capped_without_splitting_characters)
{
    char small[5];
    size_t n = sanitize_text("ab\xe6\x97\xa5", 5, small, sizeof(small), 0);

    cr_assert_eq(n, 2);
    cr_assert_str_eq(small, "ab");
}

Test(sanitize, nothing_dangerous_survives_random_bytes)
{
    unsigned seed = 12345;
    char in[256];
    int round;

    for (round = 0; round < 2000; round++) {
        size_t i, n;

        for (i = 0; i < sizeof(in); i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)(seed >> 16);
            if ((seed >> 8) % 7 == 0)
                in[i] = 0x1b;
        }
        n = sanitize_text(in, sizeof(in), out, sizeof(out), 0);
        for (i = 0; i < n; i++) {
            unsigned char c = (unsigned char)out[i];

            cr_assert(c >= 0x20 && c != 0x7f, "control byte 0x%02x at %zu", c, i);
        }
        for (i = 0; i < n;) {
            int32_t cp;
            size_t k = utf8_decode(out + i, n - i, &cp);

            cr_assert(cp >= 0, "invalid UTF-8 in output at %zu", i);
            cr_assert(!(cp >= 0x80 && cp < 0xa0), "C1 control in output");
            i += k;
        }
    }
}

Test(sanitize, width_and_fit)
{
    int used;

    cr_assert_eq(utf8_width("abc", 3), 3);
    cr_assert_eq(utf8_width("日本", 6), 4);
    cr_assert_eq(utf8_fit("日本語", 9, 5, &used), 6);
    cr_assert_eq(used, 4);
    cr_assert_eq(utf8_offset_at_col("a日b", 5, 3), 4);
}
