/*
 * plan_text.c - a plan as readable tables.
 */
#include <string.h>

#include "plan.h"

static const char *cpus(const d0_cpuset *s, char *buf, size_t len)
{
    d0_cpuset_format(s, buf, len);
    return buf[0] ? buf : "-";
}

static void container_text(const struct d0_layout *l, const char *name,
                           const d0_cpuset *pcpus, uint64_t mb, FILE *o)
{
    char p[2048], v[2048];
    d0_cpuset vcpus;

    d0_layout_vcpus(l, pcpus, &vcpus);
    fprintf(o, "  %-14s %-14s %-16s %llu MB\n", name,
            cpus(pcpus, p, sizeof(p)), cpus(&vcpus, v, sizeof(v)),
            (unsigned long long)mb);
}

static void layout_text(const struct d0_layout *l, FILE *o)
{
    fprintf(o, "  %-14s %-14s %-16s %s\n", "container", "pCPUs",
            "cpuset.cpus", "memory.max");
    container_text(l, "dom0c/main", &l->main, l->main_mb, o);
    for (unsigned n = 0; n < l->nr_nodes; n++) {
        char name[32];
        if (d0_cpuset_empty(&l->secondary[n]))
            continue;
        snprintf(name, sizeof(name), "dom0c/node%u", n);
        container_text(l, name, &l->secondary[n], l->node_mb[n], o);
    }
    fprintf(o, "  dom0 target: %llu MB (cpuset.cpus lists dom0 vCPUs, "
            "each pinned to one pCPU)\n",
            (unsigned long long)l->dom0_target_mb);
}

static void decision_text(unsigned i, const dom0c_request *r,
                          const dom0c_decision *d, FILE *o)
{
    char nodes[512], resv[512] = "";
    d0_cpuset s;

    fprintf(o, "  %-4u %8llu %6u ", i + 1, (unsigned long long)r->memory_mb,
            r->vcpus);
    if (d->verdict != DOM0C_OK) {
        fprintf(o, "%s: %s\n", dom0c_verdict_name(d->verdict), d->why);
        return;
    }
    d0_cpuset_zero(&s);
    s.w[0] = d->nodemap;
    for (unsigned n = 0; n < DOM0C_MAX_NODES; n++)
        if ((d->nodemap >> n) & 1)
            snprintf(resv + strlen(resv), sizeof(resv) - strlen(resv),
                     "%snode%u+%llu", resv[0] ? " " : "", n,
                     (unsigned long long)d->epsilon_mb);
    fprintf(o, "%5llu %-8s %8llu  %s\n", (unsigned long long)d->epsilon_mb,
            cpus(&s, nodes, sizeof(nodes)), (unsigned long long)d->given_mb,
            resv);
}

void d0_plan_text(const struct d0_plan *p, const char *facts_name, FILE *o)
{
    const struct d0_facts *f = p->facts;

    fprintf(o, "host %s: %u pCPUs, %u nodes, %llu MB; profile %s\n",
            facts_name, f->nr_pcpus, f->nr_nodes,
            (unsigned long long)d0_facts_host_mb(f),
            d0_profile_name(p->cfg->profile));
    if (p->initial.verdict != DOM0C_OK)
        fprintf(o, "layout infeasible: %s\n", p->initial.why);
    fprintf(o, "dom0 layout:\n");
    layout_text(&p->initial, o);
    if (!p->nr_domus)
        return;
    fprintf(o, "\ndomUs, placed in order:\n");
    fprintf(o, "  %-4s %8s %6s %5s %-8s %8s  %s\n", "#", "M (MB)", "vcpus",
            "eps", "nodes", "given", "dom0 reservations (MB)");
    for (unsigned i = 0; i < p->nr_domus; i++)
        decision_text(i, &p->requests[i], &p->decisions[i], o);
    fprintf(o, "\ndom0 after the plan:\n");
    layout_text(&p->final, o);
}
