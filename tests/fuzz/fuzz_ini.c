/* fuzz_ini.c: libFuzzer target for the shared config/credentials INI parser (aws/ini.c).
 * Any input must parse or fail cleanly; a parsed result must answer lookups. */
#include <stddef.h>
#include <stdint.h>

#include "aws/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err e = {0};
    struct ini *ini = ini_parse((const char *)data, size, "fuzz", &e);
    size_t i, j;

    if (ini == NULL)
        return 0;
    for (i = 0; i < ini->n_sections; i++) {
        const struct ini_section *s = ini_section(ini, ini->sections[i].name);

        for (j = 0; s != NULL && j < s->n_kv; j++) {
            (void)ini_get(s, s->kv[j].key);
            if (s->kv[j].n_sub > 0)
                (void)ini_get_nested(s, s->kv[j].key, s->kv[j].sub[0].key);
        }
    }
    (void)ini_get(ini_section(ini, "default"), "region");
    ini_free(ini);
    return 0;
}
