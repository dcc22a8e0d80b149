/*
 * cpuset.c - pCPU bitmaps and cpu-list strings ("0-3,8").
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpuset.h"

void d0_cpuset_zero(d0_cpuset *s)
{
    memset(s, 0, sizeof(*s));
}

unsigned d0_cpuset_count(const d0_cpuset *s)
{
    unsigned n = 0;

    for (unsigned i = 0; i < DOM0C_CPU_WORDS; i++)
        n += (unsigned)__builtin_popcountll(s->w[i]);
    return n;
}

bool d0_cpuset_empty(const d0_cpuset *s)
{
    for (unsigned i = 0; i < DOM0C_CPU_WORDS; i++)
        if (s->w[i])
            return false;
    return true;
}

bool d0_cpuset_equal(const d0_cpuset *a, const d0_cpuset *b)
{
    return !memcmp(a, b, sizeof(*a));
}

void d0_cpuset_or(d0_cpuset *dst, const d0_cpuset *src)
{
    for (unsigned i = 0; i < DOM0C_CPU_WORDS; i++)
        dst->w[i] |= src->w[i];
}

void d0_cpuset_andnot(d0_cpuset *dst, const d0_cpuset *src)
{
    for (unsigned i = 0; i < DOM0C_CPU_WORDS; i++)
        dst->w[i] &= ~src->w[i];
}

int d0_cpuset_next(const d0_cpuset *s, int from)
{
    if (from < 0)
        from = 0;
    for (unsigned i = (unsigned)from / 64; i < DOM0C_CPU_WORDS; i++) {
        uint64_t w = s->w[i];
        if (i == (unsigned)from / 64)
            w &= ~UINT64_C(0) << (from % 64);
        if (w)
            return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
    }
    return -1;
}

/* Reads one decimal cpu number; advances *p.  -1 when none. */
static long parse_cpu(const char **p)
{
    char *end;
    long v;

    if (**p < '0' || **p > '9')
        return -1;
    errno = 0;
    v = strtol(*p, &end, 10);
    if (errno || v >= DOM0C_MAX_CPUS)
        return -1;
    *p = end;
    return v;
}

int d0_cpuset_parse(const char *text, unsigned nr_cpus, d0_cpuset *out)
{
    d0_cpuset s;
    const char *p = text;

    d0_cpuset_zero(&s);
    if (!strcmp(text, "all")) {
        for (unsigned c = 0; c < nr_cpus && c < DOM0C_MAX_CPUS; c++)
            d0_cpuset_set(&s, c);
        *out = s;
        return 0;
    }
    while (*p) {
        long lo = parse_cpu(&p), hi = lo;
        if (lo < 0)
            return -EINVAL;
        if (*p == '-') {
            p++;
            hi = parse_cpu(&p);
            if (hi < lo)
                return -EINVAL;
        }
        for (long c = lo; c <= hi; c++)
            d0_cpuset_set(&s, (unsigned)c);
        if (*p == ',' && p[1])
            p++;
        else if (*p)
            return -EINVAL;
    }
    *out = s;
    return 0;
}

int d0_cpuset_format(const d0_cpuset *s, char *buf, size_t len)
{
    int need = 0, c = d0_cpuset_next(s, 0);

    if (len)
        buf[0] = '\0';
    while (c >= 0) {
        int last = c, n;
        while (d0_cpuset_test(s, (unsigned)last + 1))
            last++;
        size_t off = (size_t)need < len ? (size_t)need : len;
        if (last == c)
            n = snprintf(buf + off, len - off, "%s%d", need ? "," : "", c);
        else
            n = snprintf(buf + off, len - off, "%s%d-%d", need ? "," : "",
                         c, last);
        need += n;
        c = d0_cpuset_next(s, last + 1);
    }
    return need;
}
