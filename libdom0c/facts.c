/*
 * facts.c - the topology model: ownership, interned affinity sets,
 * look-ups, and the consistency check that facts from every source
 * (JSON, the local Linux, libxl) go through before policy sees them.
 *
 * Messages name the fields as docs/facts-format.md does, so a file's
 * author can find the value: "domains[3].vcpus[1].pcpu = 9: no such
 * pCPU (host has 4)".
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facts.h"

void d0_facts_err(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    if (!err || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

void d0_facts_clear(struct d0_facts *f)
{
    if (!f)
        return;
    for (unsigned i = 0; f->domains && i < f->nr_domains; i++) {
        free(f->domains[i].vcpus);
        free(f->domains[i].vnuma);
        free(f->domains[i].node_pages);
    }
    free(f->domains);
    free(f->pcpus);
    free(f->nodes);
    free(f->sets);
    memset(f, 0, sizeof(*f));
}

/*
 * Linear search: a host has few distinct sets (the 448-pCPU fixture with
 * 1,000 domUs has 457: one per pinned dom0 vCPU, one per node, "all"),
 * and two different sets usually differ in their first words.
 */
int d0_facts_intern(struct d0_facts *f, const d0_cpuset *s)
{
    for (unsigned i = 0; i < f->nr_sets; i++)
        if (d0_cpuset_equal(&f->sets[i], s))
            return (int)i;
    if (f->nr_sets > UINT16_MAX)
        return -E2BIG;
    if (f->nr_sets == f->cap_sets) {
        unsigned cap = f->cap_sets ? f->cap_sets * 2 : 16;
        d0_cpuset *n = realloc(f->sets, cap * sizeof(*n));
        if (!n)
            return -ENOMEM;
        f->sets = n;
        f->cap_sets = cap;
    }
    f->sets[f->nr_sets] = *s;
    return (int)f->nr_sets++;
}

uint64_t d0_facts_host_mb(const struct d0_facts *f)
{
    uint64_t mb = 0;

    for (unsigned n = 0; n < f->nr_nodes; n++)
        mb += f->nodes[n].size_mb;
    return mb;
}

void d0_facts_node_cpus(const struct d0_facts *f, unsigned n,
                        d0_cpuset *out)
{
    d0_cpuset_zero(out);
    for (unsigned c = 0; c < f->nr_pcpus; c++)
        if (f->pcpus[c].online && f->pcpus[c].node == (int32_t)n)
            d0_cpuset_set(out, c);
}

const struct d0_domain *d0_facts_domain(const struct d0_facts *f,
                                        uint32_t domid)
{
    for (unsigned i = 0; i < f->nr_domains; i++)
        if (f->domains[i].domid == domid)
            return &f->domains[i];
    return NULL;
}

static int check_pcpu(const struct d0_facts *f, unsigned c, char *err,
                      size_t len)
{
    const struct d0_pcpu *p = &f->pcpus[c];

    if (p->node < -1 || p->node >= (int32_t)f->nr_nodes) {
        d0_facts_err(err, len, "pcpus[%u].node = %" PRId32 ": no such node "
                     "(host has %u)", c, p->node, f->nr_nodes);
        return -EINVAL;
    }
    if (p->online && p->node < 0) {
        d0_facts_err(err, len, "pcpus[%u].node = -1: an online pCPU "
                     "needs a node (0 to %u)", c, f->nr_nodes - 1);
        return -EINVAL;
    }
    if (p->core < -1 || p->socket < -1) {
        d0_facts_err(err, len, "pcpus[%u].%s = %" PRId32 ": must be -1 "
                     "(unknown) or more", c, p->core < -1 ? "core" :
                     "socket", p->core < -1 ? p->core : p->socket);
        return -EINVAL;
    }
    return 0;
}

static int check_host(const struct d0_facts *f, char *err, size_t len)
{
    bool online = false;
    int rc;

    if (!f->nr_pcpus || f->nr_pcpus > DOM0C_MAX_CPUS || !f->pcpus) {
        d0_facts_err(err, len, "pcpus: %u entries, expected 1 to %d",
                     f->nr_pcpus, DOM0C_MAX_CPUS);
        return -EINVAL;
    }
    if (!f->nr_nodes || f->nr_nodes > DOM0C_MAX_NODES || !f->nodes) {
        d0_facts_err(err, len, "nodes: %u entries, expected 1 to %d",
                     f->nr_nodes, DOM0C_MAX_NODES);
        return -EINVAL;
    }
    for (unsigned c = 0; c < f->nr_pcpus; c++) {
        rc = check_pcpu(f, c, err, len);
        if (rc)
            return rc;
        online |= f->pcpus[c].online;
    }
    if (!online) {
        d0_facts_err(err, len, "pcpus: none is online");
        return -EINVAL;
    }
    for (unsigned n = 0; n < f->nr_nodes; n++) {
        const struct d0_node *d = &f->nodes[n];
        if (d->size_mb > D0_FACTS_MAX_MB) {
            d0_facts_err(err, len, "nodes[%u].size_mb = %" PRIu64 ": at "
                         "most %" PRIu64, n, d->size_mb, D0_FACTS_MAX_MB);
            return -EINVAL;
        }
        if (d->free_mb > d->size_mb) {
            d0_facts_err(err, len, "nodes[%u].free_mb = %" PRIu64 ": more "
                         "than size_mb (%" PRIu64 ")", n, d->free_mb,
                         d->size_mb);
            return -EINVAL;
        }
    }
    return 0;
}

/* Checks that interned set idx exists, is not empty and names only the
 * host's pCPUs.  what is "hard" or "soft". */
static int check_set(const struct d0_facts *f, unsigned d, unsigned v,
                     const char *what, unsigned idx, char *err,
                     size_t len)
{
    char buf[64];
    int bad;

    if (idx >= f->nr_sets) {
        d0_facts_err(err, len, "domains[%u].vcpus[%u].%s: set %u does not "
                     "exist (%u interned)", d, v, what, idx, f->nr_sets);
        return -EINVAL;
    }
    bad = d0_cpuset_next(&f->sets[idx], (int)f->nr_pcpus);
    if (bad < 0 && !d0_cpuset_empty(&f->sets[idx]))
        return 0;
    d0_cpuset_format(&f->sets[idx], buf, sizeof(buf));
    if (bad < 0)
        d0_facts_err(err, len, "domains[%u].vcpus[%u].%s = \"\": empty "
                     "(a vCPU needs somewhere to run)", d, v, what);
    else
        d0_facts_err(err, len, "domains[%u].vcpus[%u].%s = \"%s\": names "
                     "pCPU %d (host has %u)", d, v, what, buf, bad,
                     f->nr_pcpus);
    return -EINVAL;
}

static int check_vcpus(const struct d0_facts *f, unsigned d, char *err,
                       size_t len)
{
    const struct d0_domain *dom = &f->domains[d];
    int rc = 0;

    if (!dom->nr_vcpus || !dom->vcpus) {
        d0_facts_err(err, len, "domains[%u].vcpus: empty (a domain has at "
                     "least one vCPU)", d);
        return -EINVAL;
    }
    for (unsigned v = 0; v < dom->nr_vcpus && !rc; v++) {
        const struct d0_vcpu *vc = &dom->vcpus[v];
        if (vc->pcpu < -1 || vc->pcpu >= (int32_t)f->nr_pcpus) {
            d0_facts_err(err, len, "domains[%u].vcpus[%u].pcpu = %" PRId32
                         ": no such pCPU (host has %u)", d, v, vc->pcpu,
                         f->nr_pcpus);
            return -EINVAL;
        }
        rc = check_set(f, d, v, "hard", vc->hard, err, len);
        if (!rc)
            rc = check_set(f, d, v, "soft", vc->soft, err, len);
    }
    return rc;
}

static int check_domain(const struct d0_facts *f, unsigned d, char *err,
                        size_t len)
{
    const struct d0_domain *dom = &f->domains[d];
    uint64_t nodes = f->nr_nodes >= 64 ? ~UINT64_C(0) :
                     (UINT64_C(1) << f->nr_nodes) - 1;

    if (dom->domid > D0_FACTS_MAX_DOMID) {
        d0_facts_err(err, len, "domains[%u].domid = %" PRIu32 ": above "
                     "the largest domid, %d", d, dom->domid,
                     D0_FACTS_MAX_DOMID);
        return -EINVAL;
    }
    if (dom->memory_mb > D0_FACTS_MAX_MB || dom->max_mb > D0_FACTS_MAX_MB) {
        bool cur = dom->memory_mb > D0_FACTS_MAX_MB;
        d0_facts_err(err, len, "domains[%u].%s = %" PRIu64 ": at most %"
                     PRIu64, d, cur ? "memory_mb" : "max_mb",
                     cur ? dom->memory_mb : dom->max_mb, D0_FACTS_MAX_MB);
        return -EINVAL;
    }
    if (dom->node_affinity & ~nodes) {
        d0_facts_err(err, len, "domains[%u].node_affinity names node %d "
                     "(host has %u)", d,
                     __builtin_ctzll(dom->node_affinity & ~nodes),
                     f->nr_nodes);
        return -EINVAL;
    }
    for (unsigned i = 0; i < dom->nr_vnuma; i++) {
        if (dom->vnuma[i].pnode >= f->nr_nodes) {
            d0_facts_err(err, len, "domains[%u].vnuma[%u].pnode = %" PRIu32
                         ": no such node (host has %u)", d, i,
                         dom->vnuma[i].pnode, f->nr_nodes);
            return -EINVAL;
        }
    }
    return check_vcpus(f, d, err, len);
}

/* A bitmap of seen domids (4 KiB): linear in the number of domains. */
static int check_domids(const struct d0_facts *f, char *err, size_t len)
{
    uint64_t seen[D0_FACTS_MAX_DOMID / 64 + 1] = { 0 };

    for (unsigned i = 0; i < f->nr_domains; i++) {
        uint32_t id = f->domains[i].domid;
        unsigned first = 0;
        if (!(seen[id / 64] >> (id % 64) & 1)) {
            seen[id / 64] |= UINT64_C(1) << (id % 64);
            continue;
        }
        while (f->domains[first].domid != id)
            first++;
        d0_facts_err(err, len, "domains[%u].domid = %" PRIu32 ": already "
                     "used by domains[%u]", i, id, first);
        return -EINVAL;
    }
    return 0;
}

int d0_facts_validate(const struct d0_facts *f, char *err, size_t len)
{
    int rc;

    rc = check_host(f, err, len);
    if (rc)
        goto out;
    if (f->nr_domains && !f->domains) {
        d0_facts_err(err, len, "domains: %u entries but none stored",
                     f->nr_domains);
        rc = -EINVAL;
        goto out;
    }
    for (unsigned d = 0; d < f->nr_domains; d++) {
        rc = check_domain(f, d, err, len);
        if (rc)
            goto out;
    }
    rc = check_domids(f, err, len);
out:
    return rc;
}
