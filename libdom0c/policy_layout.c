/*
 * policy_layout.c - pure: dom0's layout on a host, and the load summary
 * the node choice compares.
 *
 * Worked example (tests/fixtures/thesis-2s56.json, openstack profile):
 * 56 online pCPUs, node 0 = 0-27, node 1 = 28-55.  main_vcpus = 2, so
 * main = the first two online pCPUs of the lowest node: "0-1".  Node 0's
 * secondary set is 2-27, node 1's is 28-55.  dom0's planned target is
 * main 2048 + 2 * 75 (each node container's base) = 2198 MB.
 */
#include <stdio.h>
#include <string.h>

#include "ledger.h"
#include "policy.h"

#define WHY(out, ...) snprintf((out)->why, sizeof((out)->why), __VA_ARGS__)

/* Online pCPUs of every node, lowest node first, up to k of them. */
static void first_online(const struct d0_facts *f, unsigned k, d0_cpuset *out)
{
    unsigned taken = 0;

    d0_cpuset_zero(out);
    for (unsigned n = 0; n < f->nr_nodes && taken < k; n++) {
        for (unsigned p = 0; p < f->nr_pcpus && taken < k; p++) {
            const struct d0_pcpu *c = &f->pcpus[p];
            if (c->online && c->node == (int32_t)n) {
                d0_cpuset_set(out, p);
                taken++;
            }
        }
    }
}

/* Checks an explicit main_cpus list against the host; 0 or -1 (why). */
static int explicit_main(const struct d0_facts *f, const struct d0_config *c,
                         struct d0_layout *out)
{
    for (int p = d0_cpuset_next(&c->main_cpus, 0); p >= 0;
         p = d0_cpuset_next(&c->main_cpus, p + 1)) {
        if ((unsigned)p >= f->nr_pcpus || !f->pcpus[p].online) {
            out->verdict = DOM0C_BAD_REQUEST;
            WHY(out, "main_cpus names pCPU %d, which is %s", p,
                (unsigned)p >= f->nr_pcpus ? "absent" : "offline");
            return -1;
        }
        d0_cpuset_set(&out->main, (unsigned)p);
    }
    return 0;
}

/* True when every vCPU of dom0 is hard-pinned to exactly one pCPU. */
static bool dom0_pinned(const struct d0_facts *f, const struct d0_domain *d)
{
    for (unsigned v = 0; v < d->nr_vcpus; v++)
        if (d0_cpuset_count(&f->sets[d->vcpus[v].hard]) != 1)
            return false;
    return d->nr_vcpus > 0;
}

/*
 * pCPU -> dom0 vCPU.  When dom0 is pinned, as the facts say; otherwise
 * as `dom0_vcpus_pin` (and `dom0c init`) pin it: vCPU i on the i-th
 * online pCPU.  With pCPU 3 offline, vCPU 3 is on pCPU 4.
 */
static void map_dom0_vcpus(const struct d0_facts *f, struct d0_layout *out)
{
    const struct d0_domain *d0 = d0_facts_domain(f, 0);
    int16_t next = 0;

    for (unsigned p = 0; p < DOM0C_MAX_CPUS; p++)
        out->vcpu_of[p] = -1;
    if (d0 && dom0_pinned(f, d0)) {
        for (unsigned v = 0; v < d0->nr_vcpus; v++) {
            int p = d0_cpuset_next(&f->sets[d0->vcpus[v].hard], 0);
            out->vcpu_of[p] = (int16_t)v;
        }
        return;
    }
    for (unsigned p = 0; p < f->nr_pcpus; p++)
        if (f->pcpus[p].online && (!d0 || (unsigned)next < d0->nr_vcpus))
            out->vcpu_of[p] = next++;
}

void d0_layout_vcpus(const struct d0_layout *l, const d0_cpuset *pcpus,
                     d0_cpuset *vcpus)
{
    d0_cpuset_zero(vcpus);
    for (int p = d0_cpuset_next(pcpus, 0); p >= 0;
         p = d0_cpuset_next(pcpus, p + 1))
        if (l->vcpu_of[p] >= 0)
            d0_cpuset_set(vcpus, (unsigned)l->vcpu_of[p]);
}

void d0_policy_layout(const struct d0_facts *f, const struct d0_config *c,
                      struct d0_layout *out)
{
    memset(out, 0, sizeof(*out));
    map_dom0_vcpus(f, out);
    out->nr_nodes = f->nr_nodes;
    out->main_mb = d0_config_main_mb(c, d0_facts_host_mb(f));
    if (c->has_main_cpus) {
        if (explicit_main(f, c, out))
            return;
    } else {
        first_online(f, c->main_vcpus, &out->main);
    }
    out->dom0_target_mb = out->main_mb;
    for (unsigned n = 0; n < f->nr_nodes; n++) {
        d0_facts_node_cpus(f, n, &out->secondary[n]);
        d0_cpuset_andnot(&out->secondary[n], &out->main);
        d0_cpuset_or(&out->domu, &out->secondary[n]);
        if (!d0_cpuset_empty(&out->secondary[n]))
            out->node_mb[n] = c->secondary_base_mb;
        out->dom0_target_mb += out->node_mb[n];
    }
    if (d0_cpuset_empty(&out->domu)) {
        out->verdict = DOM0C_NO_DOMU_CPUS;
        WHY(out, "every online pCPU (%u) belongs to the main container: "
            "no pCPU is left for domUs", d0_cpuset_count(&out->main));
    }
}

/* Nodes that the pCPUs of set s belong to. */
static uint64_t set_nodes(const struct d0_facts *f, const d0_cpuset *s)
{
    uint64_t nodes = 0;

    for (int p = d0_cpuset_next(s, 0); p >= 0 && (unsigned)p < f->nr_pcpus;
         p = d0_cpuset_next(s, p + 1))
        if (f->pcpus[p].node >= 0)
            nodes |= UINT64_C(1) << f->pcpus[p].node;
    return nodes;
}

/*
 * Like libxl's nr_vcpus_on_nodes(): a vCPU counts on every node that
 * both its hard affinity and its domain's node affinity touch.
 */
static void count_vcpus(const struct d0_facts *f, const struct d0_domain *d,
                        struct d0_host_load *out)
{
    uint64_t aff = d->node_affinity ? d->node_affinity : ~UINT64_C(0);
    int last_set = -1;
    uint64_t nodes = 0;

    for (unsigned v = 0; v < d->nr_vcpus; v++) {
        if (d->vcpus[v].hard != last_set) {
            last_set = d->vcpus[v].hard;
            nodes = set_nodes(f, &f->sets[last_set]) & aff;
        }
        for (unsigned n = 0; n < out->nr_nodes; n++)
            if ((nodes >> n) & 1)
                out->node[n].vcpus++;
    }
}

void d0_policy_load(const struct d0_facts *f, const struct d0_layout *l,
                    struct d0_host_load *out)
{
    memset(out, 0, sizeof(*out));
    out->nr_nodes = f->nr_nodes;
    for (unsigned n = 0; n < f->nr_nodes; n++) {
        out->node[n].free_mb = f->nodes[n].free_mb;
        out->node[n].nr_cpus = d0_cpuset_count(&l->secondary[n]);
    }
    for (unsigned i = 0; i < f->nr_domains; i++)
        if (f->domains[i].domid != 0)
            count_vcpus(f, &f->domains[i], out);
}

/* A reservation of eps on each node of map, and extra on one node. */
static void reserve(struct d0_layout *l, uint64_t map, uint64_t eps,
                    int extra_node, uint64_t extra)
{
    for (unsigned n = 0; n < l->nr_nodes; n++) {
        if ((map >> n) & 1) {
            l->node_mb[n] += eps;
            l->dom0_target_mb += eps;
        }
    }
    if (extra && extra_node >= 0 && (unsigned)extra_node < l->nr_nodes) {
        l->node_mb[extra_node] += extra;
        l->dom0_target_mb += extra;
    }
}

void d0_planned(const struct d0_layout *base, const struct d0_entry *e,
                unsigned nr, struct d0_layout *out)
{
    *out = *base;
    for (unsigned i = 0; i < nr; i++)
        reserve(out, e[i].nodemap, e[i].epsilon_mb, e[i].leaf_node,
                e[i].io_reserve_mb);
}
