/* test_tui_clipboard.c: the OSC 52 escape (base64 of the text, BEL-terminated, refused when it
 * does not fit) and the console URL for each partition, from the job's ARN. */
#include <criterion/criterion.h>
#include <string.h>

#include "tui/clipboard.h"

Test(clipboard, osc52_encodes_base64_with_padding)
{
    char out[64];

    cr_assert_eq(clipboard_osc52("job-1", out, sizeof(out)), strlen("\033]52;c;am9iLTE=\a"));
    cr_assert_str_eq(out, "\033]52;c;am9iLTE=\a");
    clipboard_osc52("ab", out, sizeof(out));
    cr_assert_str_eq(out, "\033]52;c;YWI=\a");
    clipboard_osc52("abc", out, sizeof(out));
    cr_assert_str_eq(out, "\033]52;c;YWJj\a");
    cr_assert_eq(clipboard_osc52("a longer text than fits", out, 16), 0);
}

Test(clipboard, console_url_per_partition)
{
    char url[512];

    cr_assert_eq(clipboard_console_url("arn:aws:sagemaker:eu-west-1:123456789012:training-job/j1",
                                       "j1", url, sizeof(url)), 0);
    cr_assert_str_eq(url, "https://eu-west-1.console.aws.amazon.com/sagemaker/home"
                          "?region=eu-west-1#/jobs/j1");
    cr_assert_eq(clipboard_console_url("arn:aws-cn:sagemaker:cn-north-1:1:training-job/j2",
                                       "j2", url, sizeof(url)), 0);
    cr_assert_str_eq(url, "https://console.amazonaws.cn/sagemaker/home?region=cn-north-1#/jobs/j2");
    cr_assert_eq(clipboard_console_url("arn:aws-us-gov:sagemaker:us-gov-west-1:1:training-job/j3",
                                       "j3", url, sizeof(url)), 0);
    cr_assert_str_eq(url, "https://console.amazonaws-us-gov.com/sagemaker/home"
                          "?region=us-gov-west-1#/jobs/j3");
    cr_assert_eq(clipboard_console_url("arn:aws-iso:sagemaker:us-iso-east-1:1:training-job/j",
                                       "j", url, sizeof(url)), -1);
    cr_assert_eq(clipboard_console_url("", "j", url, sizeof(url)), -1);
    cr_assert_eq(clipboard_console_url("arn:aws:sagemaker:eu-west-1:1:training-job/j", "j",
                                       url, 20), -1);
}
