/* fuzz_userconfig.c: libFuzzer target for sagetop's own config file (aws/userconfig.c). Any
 * input must parse or fail cleanly; a parsed config must answer lookups and take an edit that
 * keeps the rest of the text (the edited text must parse again and hold the new value). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "aws/userconfig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e = { 0 };
    struct userconfig *c = NULL, *again = NULL;
    const char *text;
    size_t len;
    char v[256];

    if (userconfig_parse((const char *)data, size, "fuzz", &c, &e) != 0)
        return 0;
    (void)userconfig_get(c, "ui", "columns", v, sizeof(v));
    (void)userconfig_get(c, "", "metric", v, sizeof(v));
    if (userconfig_set(c, "ui", "columns", "hp.x m.y", &e) == 0) {
        text = userconfig_text(c, &len);
        if (userconfig_parse(text, len, "fuzz", &again, &e) != 0)
            abort();        /* an edit must not make the file unreadable */
        if (!userconfig_get(again, "ui", "columns", v, sizeof(v)) || strcmp(v, "hp.x m.y") != 0)
            abort();
        userconfig_free(again);
    }
    userconfig_free(c);
    return 0;
}
