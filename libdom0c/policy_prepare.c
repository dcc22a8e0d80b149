/*
 * policy_prepare.c - pure: node choice and epsilon carving for a new domU.
 *
 * libxl's own placement (libxl__get_numa_candidate) runs inside the
 * create and is not exported, but M - n*eps needs n before creation, so
 * the choice is made here, with libxl's heuristic:
 *
 *  - candidates are nodes with at least one secondary (domU) pCPU;
 *  - try sets of k = 1, 2, ... nodes; the first k with a feasible set
 *    wins.  A set is feasible when its free memory covers the carved
 *    memory M - k*eps and its secondary pCPUs cover the domU's vCPUs;
 *  - among feasible sets of that size: fewest vCPUs already on those
 *    nodes, then most free memory, then the lowest node numbers.
 *
 * Worked example (lab-2x2, main = pCPU 0, eps = 64): a 512 MB, 2-vCPU
 * domU.  k = 1: node 0 has one secondary pCPU (1), too few for 2 vCPUs;
 * node 1 has pCPUs 2-3 and 1900 MB free >= 448: feasible.  Node 1 is
 * chosen, the domU gets 512 - 1*64 = 448 MB, dom0 node1 gets +64 MB.
 * A 3-vCPU domU fits no single node and spans {0, 1}: 512 - 128 = 384.
 *
 * Explicit placement (vNUMA pnodes, a nodemap, or cpus=) is respected as
 * given: n is the number of nodes named, and only the carve is checked.
 */
#include <stdio.h>
#include <string.h>

#include "ledger.h"
#include "policy.h"

#define WHY(out, ...) snprintf((out)->why, sizeof((out)->why), __VA_ARGS__)
#define MAX_AUTO_NODES 16   /* libxl's limit for automatic placement */

struct cand {
    uint64_t nodemap, free_mb, vcpus;
};

/* Sums the load of the nodes in map. */
static struct cand cand_of(const struct d0_host_load *load, uint64_t map,
                           unsigned *cpus)
{
    struct cand c = { .nodemap = map };

    *cpus = 0;
    for (unsigned n = 0; n < load->nr_nodes; n++) {
        if (!((map >> n) & 1))
            continue;
        c.free_mb += load->node[n].free_mb;
        c.vcpus += load->node[n].vcpus;
        *cpus += load->node[n].nr_cpus;
    }
    return c;
}

/* libxl's numa_cmpf plus a deterministic last resort: is a better? */
static int better(const struct cand *a, const struct cand *b)
{
    if (a->vcpus != b->vcpus)
        return a->vcpus < b->vcpus;
    return a->free_mb > b->free_mb;
}

/* Spreads the bits of idx (over nr candidates) onto the node ids. */
static uint64_t to_nodemap(const unsigned *ids, uint32_t idx)
{
    uint64_t map = 0;

    for (unsigned i = 0; idx; i++, idx >>= 1)
        if (idx & 1)
            map |= UINT64_C(1) << ids[i];
    return map;
}

/* Best feasible set of exactly k candidates, 0 when none. */
static uint64_t best_of_size(const struct d0_host_load *load,
                             const unsigned *ids, unsigned nr, unsigned k,
                             uint64_t need_mb, unsigned vcpus)
{
    struct cand best = { 0 };
    uint32_t idx = (UINT32_C(1) << k) - 1;

    while (idx < (UINT32_C(1) << nr)) {
        unsigned cpus;
        struct cand c = cand_of(load, to_nodemap(ids, idx), &cpus);
        if (c.free_mb >= need_mb && cpus >= vcpus &&
            (!best.nodemap || better(&c, &best)))
            best = c;
        /* Gosper's hack: the next index with the same popcount. */
        uint32_t low = idx & -idx, ripple = idx + low;
        idx = (((ripple ^ idx) >> 2) / low) | ripple;
    }
    return best.nodemap;
}

static void set_verdict(dom0c_decision *out, dom0c_verdict v)
{
    out->verdict = v;
    out->nodemap = 0;
    out->nr_nodes = 0;
}

/* Automatic choice: fills out->nodemap or a verdict. */
static void choose_nodes(const struct d0_host_load *load,
                         const struct d0_config *c, const dom0c_request *req,
                         dom0c_decision *out)
{
    unsigned ids[DOM0C_MAX_NODES], nr = 0;
    uint64_t eps = out->epsilon_mb, m = req->memory_mb;

    for (unsigned n = 0; n < load->nr_nodes; n++)
        if (load->node[n].nr_cpus)
            ids[nr++] = n;
    if (nr > MAX_AUTO_NODES) {
        set_verdict(out, DOM0C_TOO_MANY_NODES);
        WHY(out, "%u nodes: automatic placement is limited to %d, as in "
            "libxl; give the nodes explicitly", nr, MAX_AUTO_NODES);
        return;
    }
    for (unsigned k = 1; k <= nr; k++) {
        if (m < k * eps + c->domu_min_mb) {
            set_verdict(out, DOM0C_BELOW_MINIMUM);
            WHY(out, "%u node%s would be needed, and M - n*eps = %llu - "
                "%u*%llu MB is below domu_min_memory %llu MB", k,
                k > 1 ? "s" : "", (unsigned long long)m, k,
                (unsigned long long)eps,
                (unsigned long long)c->domu_min_mb);
            return;
        }
        out->nodemap = best_of_size(load, ids, nr, k, m - k * eps,
                                    req->vcpus);
        if (out->nodemap)
            return;
    }
    unsigned cpus;
    struct cand all = cand_of(load, to_nodemap(ids, (UINT32_C(1) << nr) - 1),
                              &cpus);
    set_verdict(out, DOM0C_NO_NODE_FITS);
    WHY(out, "no set of nodes has %llu MB less eps per node free and %u "
        "domU pCPUs (all nodes together: %llu MB free, %u domU pCPUs)",
        (unsigned long long)m, req->vcpus,
        (unsigned long long)all.free_mb, cpus);
}

/* Nodes of the pCPUs in req->cpus; -1 (verdict) on an absent one. */
static int nodes_of_cpus(const struct d0_facts *f, const dom0c_request *req,
                         dom0c_decision *out, uint64_t *map)
{
    d0_cpuset cpus;

    memcpy(cpus.w, req->cpus, sizeof(cpus.w));
    for (int p = d0_cpuset_next(&cpus, 0); p >= 0;
         p = d0_cpuset_next(&cpus, p + 1)) {
        if ((unsigned)p >= f->nr_pcpus || !f->pcpus[p].online) {
            set_verdict(out, DOM0C_BAD_REQUEST);
            WHY(out, "cpus names pCPU %d, which is %s", p,
                (unsigned)p >= f->nr_pcpus ? "absent" : "offline");
            return -1;
        }
        *map |= UINT64_C(1) << f->pcpus[p].node;
    }
    return 0;
}

/* Nodes named by an explicit request (0 when none); -1 on a bad one. */
static int explicit_nodes(const struct d0_facts *f, const dom0c_request *req,
                          dom0c_decision *out)
{
    uint64_t map = req->nr_vnuma ? 0 : req->nodemap;

    for (unsigned i = 0; i < req->nr_vnuma && i < DOM0C_MAX_NODES; i++) {
        if (req->vnuma_pnodes[i] >= f->nr_nodes) {
            set_verdict(out, DOM0C_BAD_REQUEST);
            WHY(out, "vnuma pnode %u is not a node of this host (it has "
                "%u)", req->vnuma_pnodes[i], f->nr_nodes);
            return -1;
        }
        map |= UINT64_C(1) << req->vnuma_pnodes[i];
    }
    if (!map && nodes_of_cpus(f, req, out, &map))
        return -1;
    if (f->nr_nodes < 64 && (map >> f->nr_nodes)) {
        set_verdict(out, DOM0C_BAD_REQUEST);
        WHY(out, "the nodemap names node %d; the host has %u",
            63 - __builtin_clzll(map), f->nr_nodes);
        return -1;
    }
    out->nodemap = map;
    return 0;
}

/* M - n*eps, or a BELOW_MINIMUM verdict. */
static void carve(const struct d0_config *c, const dom0c_request *req,
                  dom0c_decision *out)
{
    uint64_t n = (uint64_t)__builtin_popcountll(out->nodemap);
    uint64_t take = n * out->epsilon_mb;

    out->nr_nodes = (unsigned)n;
    if (req->memory_mb < take + c->domu_min_mb) {
        WHY(out, "M - n*eps = %llu - %llu*%llu MB is below "
            "domu_min_memory %llu MB", (unsigned long long)req->memory_mb,
            (unsigned long long)n, (unsigned long long)out->epsilon_mb,
            (unsigned long long)c->domu_min_mb);
        set_verdict(out, DOM0C_BELOW_MINIMUM);
        return;
    }
    out->given_mb = req->memory_mb - take;
}

static void affinities(const struct d0_layout *l, dom0c_decision *out)
{
    d0_cpuset soft;

    d0_cpuset_zero(&soft);
    for (unsigned n = 0; n < l->nr_nodes; n++)
        if ((out->nodemap >> n) & 1)
            d0_cpuset_or(&soft, &l->secondary[n]);
    memcpy(out->soft_cpus, soft.w, sizeof(out->soft_cpus));
    memcpy(out->hard_cpus, l->domu.w, sizeof(out->hard_cpus));
}

void d0_policy_prepare(const struct d0_host_load *load,
                       const struct d0_layout *l, const struct d0_config *c,
                       const struct d0_facts *f, const dom0c_request *req,
                       dom0c_decision *out)
{
    memset(out, 0, sizeof(*out));
    out->requested_mb = req->memory_mb;
    out->epsilon_mb = req->epsilon_mb >= 0 ? (uint64_t)req->epsilon_mb
                                           : c->epsilon_mb;
    if (l->verdict != DOM0C_OK) {
        set_verdict(out, l->verdict);
        memcpy(out->why, l->why, sizeof(out->why));
        return;
    }
    if (!req->memory_mb || !req->vcpus) {
        set_verdict(out, DOM0C_BAD_REQUEST);
        WHY(out, "memory (%llu MB) and vcpus (%u) must both be positive",
            (unsigned long long)req->memory_mb, req->vcpus);
        return;
    }
    if (explicit_nodes(f, req, out))
        return;
    if (!out->nodemap)
        choose_nodes(load, c, req, out);
    if (out->verdict == DOM0C_OK)
        carve(c, req, out);
    if (out->verdict == DOM0C_OK)
        affinities(l, out);
}

void d0_policy_account(struct d0_host_load *load, struct d0_layout *l,
                       const dom0c_decision *d, unsigned vcpus)
{
    struct d0_entry e = { .nodemap = d->nodemap,
                          .epsilon_mb = d->epsilon_mb, .leaf_node = -1 };

    if (d->verdict != DOM0C_OK || !d->nr_nodes)
        return;
    d0_planned(l, &e, 1, l);
    uint64_t used = d->given_mb / d->nr_nodes + d->epsilon_mb;
    for (unsigned n = 0; n < load->nr_nodes; n++) {
        struct d0_node_load *nl = &load->node[n];
        if (!((d->nodemap >> n) & 1))
            continue;
        nl->free_mb = nl->free_mb > used ? nl->free_mb - used : 0;
        nl->vcpus += vcpus;
        nl->reserved_mb += d->epsilon_mb;
    }
}
