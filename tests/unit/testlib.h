/*
 * testlib.h - small builders for hand-made hosts in unit tests.
 */
#ifndef D0_TESTLIB_H
#define D0_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "facts.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A host of nr nodes; node n has cpus[n] pCPUs (numbered in node order)
 * and free[n] MB free (size = free + 1024).  Adds dom0 (domid 0) with one
 * vCPU pinned to each pCPU. */
void tl_host(struct d0_facts *f, unsigned nr, const unsigned *cpus,
             const uint64_t *free_mb);

/* Adds a domain; pcpus[v] is vCPU v's current pCPU; hard and soft
 * affinity are cpu lists ("all" allowed); node_affinity a node mask. */
struct d0_domain *tl_domain(struct d0_facts *f, uint32_t domid,
                            uint64_t memory_mb, unsigned nr_vcpus,
                            const int *pcpus, const char *hard,
                            uint64_t node_affinity);

/* Parses a cpu list, failing the test on error. */
d0_cpuset tl_cpus(const char *list);

/* Formats a cpu set into a static buffer (tests only). */
const char *tl_fmt(const d0_cpuset *s);

#endif
