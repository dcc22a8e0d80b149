/*
 * bench_policy.c - how long one decision takes on a large host.
 *
 * Loads a facts file (by default the 8-node, 448-pCPU host with 1,000
 * domUs placed), then times, one at a time, a decision as a toolstack
 * makes it: node choice + carve for a new domU, then Algorithm 2 for an
 * existing one.  Prints the median and p99 of the decision time, and the
 * process's peak RSS with what loading the facts added to it.
 * Not a test: it asserts nothing, it prints figures.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "config.h"
#include "facts.h"
#include "policy.h"

#define ROUNDS 20000

static long rss_kb(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

/* One decision: where a new domU goes and where work for domain d runs. */
static int decide(const struct d0_facts *f, const struct d0_config *c,
                  const struct d0_layout *l, const struct d0_host_load *load,
                  unsigned i, const uint64_t *fair)
{
    /* Mostly small domUs; every tenth needs two or more nodes. */
    dom0c_request r = { .memory_mb = 1024 + 512 * (i % 8),
                        .vcpus = 1 + i % 4, .epsilon_mb = -1 };

    if (i % 10 == 9)
        r.memory_mb = 80000, r.vcpus = 60 + i % 50;
    dom0c_decision d;
    struct d0_placement p;

    d0_policy_prepare(load, l, c, f, &r, &d);
    d0_policy_place(f, l, &f->domains[1 + i % (f->nr_domains - 1)], fair,
                    &p);
    return d.verdict == DOM0C_OK && p.verdict == DOM0C_OK;
}

/* Bytes the policy's inputs occupy: facts, layout and load summary. */
static size_t state_bytes(const struct d0_facts *f)
{
    size_t b = f->nr_pcpus * sizeof(*f->pcpus) +
               f->nr_nodes * sizeof(*f->nodes) +
               f->nr_domains * sizeof(*f->domains) +
               f->cap_sets * sizeof(*f->sets) +
               sizeof(struct d0_layout) + sizeof(struct d0_host_load);

    for (unsigned i = 0; i < f->nr_domains; i++)
        b += f->domains[i].nr_vcpus * sizeof(struct d0_vcpu) +
             f->domains[i].nr_vnuma * sizeof(struct d0_vnode) +
             (f->domains[i].node_pages ? f->nr_nodes * sizeof(uint64_t) : 0);
    return b;
}

static void report(double *ns, unsigned n, unsigned ok, long rss_loaded,
                   const struct d0_facts *f)
{
    qsort(ns, n, sizeof(*ns), cmp_double);
    printf("facts: %u pCPUs, %u nodes, %u domains\n", f->nr_pcpus,
           f->nr_nodes, f->nr_domains);
    printf("decisions: %u (node choice + carve + Algorithm 2), %u "
           "feasible\n", n, ok);
    printf("decision time: median %.2f us, p99 %.2f us, max %.2f us "
           "(goal: median <= 50 us)\n", ns[n / 2] / 1e3,
           ns[(size_t)(n * 0.99)] / 1e3, ns[n - 1] / 1e3);
    printf("policy state (facts + layout + load): %zu KiB "
           "(goal: <= 1024 KiB)\n", state_bytes(f) / 1024);
    printf("peak RSS: %ld KiB after loading the facts file (yajl tree "
           "parse included), %ld KiB after the decisions\n", rss_loaded,
           rss_kb());
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1]
                                : "tests/fixtures/host-8node-448.json";
    static struct d0_layout l;
    static struct d0_host_load load;
    struct d0_facts f = { 0 };
    struct d0_config c;
    char err[512];
    double *ns = malloc(ROUNDS * sizeof(*ns));
    uint64_t *fair = calloc(DOM0C_MAX_CPUS, sizeof(*fair));
    unsigned ok = 0;

    if (!ns || !fair || d0_facts_load(path, &f, err, sizeof(err))) {
        fprintf(stderr, "bench: %s\n", ns && fair ? err : "out of memory");
        return 1;
    }
    d0_config_defaults(&c);
    d0_policy_layout(&f, &c, &l);
    d0_policy_load(&f, &l, &load);
    long rss_loaded = rss_kb();
    for (unsigned i = 0; i < ROUNDS; i++) {
        double t0 = now_ns();
        ok += (unsigned)decide(&f, &c, &l, &load, i, fair);
        ns[i] = now_ns() - t0;
        fair[i % f.nr_pcpus] += i % 7;
    }
    report(ns, ROUNDS, ok, rss_loaded, &f);
    d0_facts_clear(&f);
    free(ns);
    free(fair);
    return 0;
}
