/*
 * cpuset.h - fixed-size pCPU bitmaps and Xen/Linux cpu-list strings.
 *
 * A cpu list is what xl and cgroup v2 print: "0-3,8,10-11".  The empty
 * set prints as "" and "all"/"" parse as documented on each function.
 */
#ifndef D0_CPUSET_H
#define D0_CPUSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dom0c.h"

typedef struct d0_cpuset {
    uint64_t w[DOM0C_CPU_WORDS];
} d0_cpuset;

static inline void d0_cpuset_set(d0_cpuset *s, unsigned cpu)
{
    s->w[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static inline bool d0_cpuset_test(const d0_cpuset *s, unsigned cpu)
{
    return cpu < DOM0C_MAX_CPUS && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

void d0_cpuset_zero(d0_cpuset *s);
unsigned d0_cpuset_count(const d0_cpuset *s);
bool d0_cpuset_empty(const d0_cpuset *s);
bool d0_cpuset_equal(const d0_cpuset *a, const d0_cpuset *b);
void d0_cpuset_or(d0_cpuset *dst, const d0_cpuset *src);
void d0_cpuset_andnot(d0_cpuset *dst, const d0_cpuset *src);
/* Lowest set cpu >= from, or -1. */
int d0_cpuset_next(const d0_cpuset *s, int from);

/*
 * Parses "0-3,8" into *out.  "all" means every cpu below nr_cpus (pass
 * DOM0C_MAX_CPUS when unknown).  Returns 0, or -EINVAL for a malformed
 * list, a reversed range or a cpu >= DOM0C_MAX_CPUS.  *out is written
 * only on success.
 */
int d0_cpuset_parse(const char *text, unsigned nr_cpus, d0_cpuset *out);

/*
 * Formats as a compact list into buf.  Returns the length it needs
 * (excluding NUL), like snprintf; output truncated when len is short.
 */
int d0_cpuset_format(const d0_cpuset *s, char *buf, size_t len);

#endif
