/*
 * policy_place.c - pure: Algorithm 2 of the thesis, where dom0 work done
 * for one domU (migrate, save, destroy, its backends) runs.
 *
 *   secCon <- GreatestMemSocket(VM)     the node holding most of its memory
 *   vcpu   <- pinnedVCPU(VM, secCon)    dom0's vCPU pinned to the pCPU the
 *                                       domU's vCPU runs on
 *
 * Xen 4.17 has no call for a domain's memory per node, so the node is
 * judged from, in order: the vNUMA pnodes of its config (exact), its node
 * affinity split evenly (Xen allocates round-robin over it), then the
 * per-node page counts of debug key 'u' when the facts carry them.  Ties
 * fall to the next source, then to the node running most of its vCPUs,
 * then to the lowest node.
 *
 * Worked example (lab-2x2, main = pCPU 0): domU 5 has node affinity
 * {1} and vCPUs on pCPUs 3 and 1.  Node 1 holds its memory; vCPU 0 runs
 * on pCPU 3, a secondary pCPU of node 1, so the work runs on dom0 vCPU 3.
 * Had both vCPUs run on node 0, the work would go to node 1's secondary
 * vCPU with the least accumulated work (the fair counter), 2 or 3.
 */
#include <stdio.h>
#include <string.h>

#include "policy.h"

#define WHY(out, ...) snprintf((out)->why, sizeof((out)->why), __VA_ARGS__)

struct node_score {
    uint64_t mem, pages, vcpus;
};

static void score_nodes(const struct d0_facts *f, const struct d0_domain *d,
                        struct node_score *s)
{
    unsigned nr_aff = (unsigned)__builtin_popcountll(d->node_affinity);

    memset(s, 0, sizeof(*s) * f->nr_nodes);
    for (unsigned i = 0; i < d->nr_vnuma; i++)
        if (d->vnuma[i].pnode < f->nr_nodes)
            s[d->vnuma[i].pnode].mem += d->vnuma[i].memory_mb;
    for (unsigned n = 0; !d->nr_vnuma && nr_aff && n < f->nr_nodes; n++)
        if ((d->node_affinity >> n) & 1)
            s[n].mem = d->memory_mb / nr_aff;
    for (unsigned n = 0; d->node_pages && n < f->nr_nodes; n++)
        s[n].pages = d->node_pages[n];
    for (unsigned v = 0; v < d->nr_vcpus; v++) {
        int32_t p = d->vcpus[v].pcpu;
        if (p >= 0 && (unsigned)p < f->nr_pcpus && f->pcpus[p].node >= 0)
            s[f->pcpus[p].node].vcpus++;
    }
}

static int higher(const struct node_score *a, const struct node_score *b)
{
    if (a->mem != b->mem)
        return a->mem > b->mem;
    if (a->pages != b->pages)
        return a->pages > b->pages;
    return a->vcpus > b->vcpus;
}

int d0_policy_memory_node(const struct d0_facts *f,
                          const struct d0_domain *d)
{
    struct node_score s[DOM0C_MAX_NODES];
    int best = -1;

    score_nodes(f, d, s);
    for (unsigned n = 0; n < f->nr_nodes; n++) {
        if (!s[n].mem && !s[n].pages && !s[n].vcpus)
            continue;
        if (best < 0 || higher(&s[n], &s[best]))
            best = (int)n;
    }
    return best;
}

/* Accumulated work of the dom0 vCPU on pCPU p; none there is "busiest". */
static uint64_t work(const struct d0_layout *l, const uint64_t *fair, int p)
{
    int v = l->vcpu_of[p];

    if (v < 0)
        return UINT64_MAX;
    return fair ? fair[v] : 0;
}

/* Picks pCPU p when it beats the current choice. */
static bool take(const struct d0_layout *l, const uint64_t *fair, int p,
                 struct d0_placement *out)
{
    if (l->vcpu_of[p] < 0)
        return false;
    if (out->pcpu >= 0 && work(l, fair, p) >= work(l, fair, out->pcpu))
        return false;
    out->pcpu = p;
    out->dom0_vcpu = l->vcpu_of[p];
    return true;
}

void d0_policy_place(const struct d0_facts *f, const struct d0_layout *l,
                     const struct d0_domain *d, const uint64_t *fair,
                     struct d0_placement *out)
{
    memset(out, 0, sizeof(*out));
    out->pcpu = out->dom0_vcpu = out->domu_vcpu = -1;
    out->node = d0_policy_memory_node(f, d);
    if (out->node < 0) {
        out->verdict = DOM0C_NO_NODE_FITS;
        WHY(out, "domain %u: no vNUMA, node affinity, page count or vCPU "
            "position tells where its memory is", d->domid);
        return;
    }
    const d0_cpuset *sec = &l->secondary[out->node];
    /* Next to one of the domU's vCPUs when one runs on the node... */
    for (unsigned v = 0; v < d->nr_vcpus; v++) {
        int p = d->vcpus[v].pcpu;
        if (p >= 0 && d0_cpuset_test(sec, (unsigned)p) &&
            take(l, fair, p, out))
            out->domu_vcpu = (int)v;
    }
    /* ...else the node's secondary vCPU that has done the least. */
    for (int p = d0_cpuset_next(sec, 0); out->domu_vcpu < 0 && p >= 0;
         p = d0_cpuset_next(sec, p + 1))
        take(l, fair, p, out);
    if (out->pcpu < 0) {
        out->verdict = DOM0C_NO_DOMU_CPUS;
        WHY(out, "node %d has no secondary dom0 vCPU: its pCPUs are main "
            "or carry no dom0 vCPU", out->node);
    }
}
