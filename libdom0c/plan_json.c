/*
 * plan_json.c - a plan as JSON, through yajl (like `xl list -l`).
 */
#include <stdio.h>
#include <string.h>

#include "jsonw.h"
#include "plan.h"

#define MB (UINT64_C(1) << 20)


static void key_cpus(yajl_gen g, const char *k, const d0_cpuset *s)
{
    char buf[8192];

    d0_cpuset_format(s, buf, sizeof(buf));
    d0_json_key_str(g, k, buf);
}

static void key_nodes(yajl_gen g, const char *k, uint64_t map)
{
    d0_cpuset s;

    d0_cpuset_zero(&s);
    s.w[0] = map;
    key_cpus(g, k, &s);
}

static void config_json(const struct d0_plan *p, yajl_gen g)
{
    const struct d0_config *c = p->cfg;

    d0_json_str(g, "config");
    yajl_gen_map_open(g);
    d0_json_key_str(g, "main_profile", d0_profile_name(c->profile));
    d0_json_key_int(g, "main_vcpus", c->main_vcpus);
    d0_json_key_int(g, "epsilon_mb", (long long)c->epsilon_mb);
    d0_json_key_int(g, "secondary_base_mb", (long long)c->secondary_base_mb);
    d0_json_key_int(g, "domu_min_mb", (long long)c->domu_min_mb);
    d0_json_key_str(g, "on_error", d0_on_error_name(c->on_error));
    yajl_gen_map_close(g);
}

static void cgroup_json(yajl_gen g, const struct d0_layout *l,
                        const char *path, const d0_cpuset *pcpus,
                        uint64_t mb)
{
    d0_cpuset vcpus;

    d0_layout_vcpus(l, pcpus, &vcpus);
    yajl_gen_map_open(g);
    d0_json_key_str(g, "path", path);
    key_cpus(g, "pcpus", pcpus);
    key_cpus(g, "cpuset.cpus", &vcpus);
    d0_json_key_int(g, "memory.max", (long long)(mb * MB));
    yajl_gen_map_close(g);
}

static void layout_json(const struct d0_plan *p, const struct d0_layout *l,
                        const char *name, yajl_gen g)
{
    char path[32];

    d0_json_str(g, name);
    yajl_gen_map_open(g);
    d0_json_key_str(g, "verdict", dom0c_verdict_name(l->verdict));
    if (l->verdict != DOM0C_OK)
        d0_json_key_str(g, "why", l->why);
    key_cpus(g, "main_cpus", &l->main);
    d0_json_key_int(g, "main_mb", (long long)l->main_mb);
    d0_json_key_int(g, "dom0_target_mb", (long long)l->dom0_target_mb);
    d0_json_str(g, "cgroups");
    yajl_gen_array_open(g);
    cgroup_json(g, l, "dom0c/main", &l->main, l->main_mb);
    for (unsigned n = 0; n < l->nr_nodes; n++) {
        if (d0_cpuset_empty(&l->secondary[n]))
            continue;
        snprintf(path, sizeof(path), "dom0c/node%u", n);
        cgroup_json(g, l, path, &l->secondary[n], l->node_mb[n]);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

static void decision_json(const dom0c_request *r, const dom0c_decision *d,
                          yajl_gen g)
{
    d0_cpuset s;

    yajl_gen_map_open(g);
    d0_json_key_int(g, "memory_mb", (long long)r->memory_mb);
    d0_json_key_int(g, "vcpus", r->vcpus);
    d0_json_key_str(g, "verdict", dom0c_verdict_name(d->verdict));
    if (d->verdict != DOM0C_OK) {
        d0_json_key_str(g, "why", d->why);
        yajl_gen_map_close(g);
        return;
    }
    key_nodes(g, "nodes", d->nodemap);
    d0_json_key_int(g, "nr_nodes", d->nr_nodes);
    d0_json_key_int(g, "epsilon_mb", (long long)d->epsilon_mb);
    d0_json_key_int(g, "given_mb", (long long)d->given_mb);
    memcpy(s.w, d->soft_cpus, sizeof(s.w));
    key_cpus(g, "soft_cpus", &s);
    memcpy(s.w, d->hard_cpus, sizeof(s.w));
    key_cpus(g, "hard_cpus", &s);
    d0_json_str(g, "reservations");
    yajl_gen_array_open(g);
    for (unsigned n = 0; n < DOM0C_MAX_NODES; n++) {
        if (!((d->nodemap >> n) & 1))
            continue;
        yajl_gen_map_open(g);
        d0_json_key_int(g, "node", n);
        d0_json_key_int(g, "mb", (long long)d->epsilon_mb);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    yajl_gen_map_close(g);
}

int d0_plan_json(const struct d0_plan *p, const char *facts_name,
                 yajl_gen g)
{
    yajl_gen_map_open(g);
    d0_json_key_str(g, "facts", facts_name);
    d0_json_key_int(g, "host_mb", (long long)d0_facts_host_mb(p->facts));
    d0_json_key_int(g, "nr_pcpus", p->facts->nr_pcpus);
    d0_json_key_int(g, "nr_nodes", p->facts->nr_nodes);
    config_json(p, g);
    layout_json(p, &p->initial, "layout", g);
    d0_json_str(g, "domus");
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < p->nr_domus; i++)
        decision_json(&p->requests[i], &p->decisions[i], g);
    yajl_gen_array_close(g);
    layout_json(p, &p->final, "after", g);
    d0_json_key_str(g, "result", d0_plan_ok(p) ? "feasible" : "infeasible");
    yajl_gen_map_close(g);
    return 0;
}
