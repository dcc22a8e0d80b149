/*
 * num.c - strict decimal numbers.
 */
#include <errno.h>

#include "num.h"

int d0_parse_dec(const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;

    if (!n)
        return -EINVAL;
    for (size_t i = 0; i < n; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (d > 9)
            return -EINVAL;
        if (v > (UINT64_MAX - d) / 10)
            return -ERANGE;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
