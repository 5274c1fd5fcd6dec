/* spark.c: sparkline text (spark.h). Must not draw or allocate. */
#include "tui/spark.h"

#include <math.h>
#include <string.h>

size_t spark_text(const double *v, size_t n, double lo, double hi, bool utf8, char *out,
                  size_t size)
{
    static const char *const blocks[8] = {"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"};
    static const char ascii[8] = {'_', '.', ',', '-', '=', '+', '*', '#'};
    size_t per = utf8 ? 3 : 1, fit, k = 0, from;

    if (size == 0)
        return 0;
    fit = (size - 1) / per;
    from = n > fit ? n - fit : 0;
    for (size_t i = from; i < n; i++) {
        double f = hi > lo ? (v[i] - lo) / (hi - lo) : 0.5;
        int level = (int)lround(f * 7.0);

        level = level < 0 ? 0 : level > 7 ? 7 : level;
        if (!isfinite(v[i])) {
            out[k++] = ' ';
        } else if (utf8) {
            memcpy(out + k, blocks[level], 3);
            k += 3;
        } else {
            out[k++] = ascii[level];
        }
    }
    out[k] = '\0';
    return n - from;
}
