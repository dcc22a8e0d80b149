/*
 * testlib.c - builders for hand-made hosts in unit tests.
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

d0_cpuset tl_cpus(const char *list)
{
    d0_cpuset s;

    assert_int_equal(d0_cpuset_parse(list, DOM0C_MAX_CPUS, &s), 0);
    return s;
}

const char *tl_fmt(const d0_cpuset *s)
{
    static char buf[4096];

    d0_cpuset_format(s, buf, sizeof(buf));
    return buf;
}

void tl_host(struct d0_facts *f, unsigned nr, const unsigned *cpus,
             const uint64_t *free_mb)
{
    unsigned total = 0, p = 0;

    memset(f, 0, sizeof(*f));
    strcpy(f->source, "testlib");
    for (unsigned n = 0; n < nr; n++)
        total += cpus[n];
    f->nr_nodes = nr;
    f->nodes = calloc(nr, sizeof(*f->nodes));
    f->nr_pcpus = total;
    f->pcpus = calloc(total, sizeof(*f->pcpus));
    assert_non_null(f->nodes);
    assert_non_null(f->pcpus);
    for (unsigned n = 0; n < nr; n++) {
        f->nodes[n].free_mb = free_mb[n];
        f->nodes[n].size_mb = free_mb[n] + 1024;
        for (unsigned i = 0; i < cpus[n]; i++, p++) {
            f->pcpus[p] = (struct d0_pcpu){ .core = (int32_t)p,
                .socket = (int32_t)n, .node = (int32_t)n, .online = true };
        }
    }
    int pin[DOM0C_MAX_CPUS];
    for (unsigned i = 0; i < total; i++)
        pin[i] = (int)i;
    struct d0_domain *d0 = tl_domain(f, 0, 1024, total, pin, "all", 0);
    for (unsigned v = 0; v < total; v++) {
        d0_cpuset one;
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, v);
        d0->vcpus[v].hard = (uint16_t)d0_facts_intern(f, &one);
    }
}

struct d0_domain *tl_domain(struct d0_facts *f, uint32_t domid,
                            uint64_t memory_mb, unsigned nr_vcpus,
                            const int *pcpus, const char *hard,
                            uint64_t node_affinity)
{
    d0_cpuset h = tl_cpus(hard);
    int set;
    struct d0_domain *d;

    f->domains = realloc(f->domains, (f->nr_domains + 1) * sizeof(*d));
    assert_non_null(f->domains);
    d = &f->domains[f->nr_domains++];
    memset(d, 0, sizeof(*d));
    d->domid = domid;
    d->memory_mb = memory_mb;
    d->node_affinity = node_affinity;
    d->nr_vcpus = nr_vcpus;
    d->vcpus = calloc(nr_vcpus, sizeof(*d->vcpus));
    assert_non_null(d->vcpus);
    set = d0_facts_intern(f, &h);
    assert_true(set >= 0);
    for (unsigned v = 0; v < nr_vcpus; v++)
        d->vcpus[v] = (struct d0_vcpu){ .pcpu = pcpus[v],
            .hard = (uint16_t)set, .soft = (uint16_t)set };
    return d;
}
