/*
 * status.c - what dom0c holds on a live host, as JSON: the containers
 * (cpus, memory.max, memory.current, CPU used), the reservations per
 * domU, the pending ones, and dom0's target against the plan (drift).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "jsonw.h"
#include "ctx.h"
#include "log.h"


/* A cgroup file as a number, or -1 when unreadable ("max" too). */
static long long cg_number(dom0c_ctx *ctx, const char *cg, const char *file)
{
    char buf[256];
    uint64_t v;

    if (ctx->be.ops->cg_read(ctx->be.h, cg, file, buf, sizeof(buf)) ||
        d0_cg_parse_bytes(buf, &v) || v > INT64_MAX)
        return -1;
    return (long long)v;
}

static long long cg_cpu_usec(dom0c_ctx *ctx, const char *cg)
{
    char buf[1024];
    struct d0_cg_cpu cpu;

    if (ctx->be.ops->cg_read(ctx->be.h, cg, "cpu.stat", buf, sizeof(buf)) ||
        d0_cg_parse_cpu_stat(buf, &cpu))
        return -1;
    return (long long)cpu.usage_usec;
}

static void container(dom0c_ctx *ctx, yajl_gen g, const char *cg,
                      uint64_t planned_mb)
{
    char cpus[1024] = "";

    ctx->be.ops->cg_read(ctx->be.h, cg, "cpuset.cpus", cpus, sizeof(cpus));
    yajl_gen_map_open(g);
    d0_json_key_str(g, "path", cg);
    d0_json_key_str(g, "cpuset.cpus", cpus);
    d0_json_key_int(g, "memory.max", cg_number(ctx, cg, "memory.max"));
    d0_json_key_int(g, "planned_memory.max", (long long)(planned_mb << 20));
    d0_json_key_int(g, "memory.current", cg_number(ctx, cg, "memory.current"));
    d0_json_key_int(g, "cpu_usage_usec", cg_cpu_usec(ctx, cg));
    yajl_gen_map_close(g);
}

static void containers(dom0c_ctx *ctx, yajl_gen g, const struct d0_layout *l)
{
    char cg[64];

    d0_json_str(g, "containers");
    yajl_gen_array_open(g);
    d0_cg_main(cg, sizeof(cg));
    container(ctx, g, cg, l->main_mb);
    for (unsigned n = 0; n < l->nr_nodes; n++) {
        if (d0_cpuset_empty(&l->secondary[n]))
            continue;
        d0_cg_node(cg, sizeof(cg), n);
        container(ctx, g, cg, l->node_mb[n]);
    }
    yajl_gen_array_close(g);
}

static void entry(dom0c_ctx *ctx, yajl_gen g, const struct d0_entry *e)
{
    const struct d0_domain *d = d0_facts_domain(&ctx->facts, e->domid);
    char cg[64], nodes[256];
    d0_cpuset s;

    d0_cpuset_zero(&s);
    s.w[0] = e->nodemap;
    d0_cpuset_format(&s, nodes, sizeof(nodes));
    d0_cg_leaf(cg, sizeof(cg), (unsigned)e->leaf_node, e->domid);
    yajl_gen_map_open(g);
    d0_json_key_int(g, "domid", e->domid);
    d0_json_key_str(g, "uuid", e->uuid);
    d0_json_key_str(g, "name", d ? d->name : "");
    d0_json_str(g, "alive");
    yajl_gen_bool(g, d && !strcmp(d->uuid, e->uuid));
    d0_json_key_int(g, "requested_mb", (long long)e->requested_mb);
    d0_json_key_int(g, "given_mb", (long long)e->given_mb);
    d0_json_key_int(g, "memory_mb", d ? (long long)d->memory_mb : -1);
    d0_json_key_int(g, "epsilon_mb", (long long)e->epsilon_mb);
    d0_json_key_str(g, "nodes", nodes);
    d0_json_key_str(g, "leaf", cg);
    d0_json_key_int(g, "io_level", e->io_level);
    d0_json_key_int(g, "io_reserve_mb", (long long)e->io_reserve_mb);
    d0_json_key_int(g, "dom0_cpu_usec", cg_cpu_usec(ctx, cg));
    yajl_gen_map_close(g);
}

static int reservations(dom0c_ctx *ctx, yajl_gen g)
{
    struct d0_entry *e = NULL;
    struct d0_pending *p = NULL;
    unsigned nr = 0, nr_p = 0;
    int rc = d0_ledger_list(&ctx->be, 0, &e, &nr);

    if (!rc)
        rc = d0_pending_list(&ctx->be, 0, &p, &nr_p);
    d0_json_str(g, "reservations");
    yajl_gen_array_open(g);
    for (unsigned i = 0; !rc && i < nr; i++)
        entry(ctx, g, &e[i]);
    yajl_gen_array_close(g);
    d0_json_str(g, "pending");
    yajl_gen_array_open(g);
    for (unsigned i = 0; !rc && i < nr_p; i++) {
        yajl_gen_map_open(g);
        d0_json_key_str(g, "uuid", p[i].uuid);
        d0_json_key_int(g, "pid", p[i].pid);
        d0_json_key_int(g, "given_mb", (long long)p[i].given_mb);
        yajl_gen_map_close(g);
    }
    yajl_gen_array_close(g);
    free(e);
    free(p);
    return rc;
}

static void dom0(dom0c_ctx *ctx, yajl_gen g, const struct d0_layout *l)
{
    uint64_t kb = 0;
    int rc = ctx->be.ops->target_get(ctx->be.h, &kb);

    d0_json_str(g, "dom0");
    yajl_gen_map_open(g);
    d0_json_key_int(g, "target_mb", rc ? -1 : (long long)(kb >> 10));
    d0_json_key_int(g, "planned_mb", (long long)l->dom0_target_mb);
    d0_json_key_int(g, "drift_mb", rc ? 0 : (long long)(kb >> 10) -
                                    (long long)l->dom0_target_mb);
    d0_json_key_int(g, "main_mb", (long long)l->main_mb);
    yajl_gen_map_close(g);
}

static int emit(dom0c_ctx *ctx, yajl_gen g)
{
    struct d0_layout planned;
    int rc = d0_ledger_ready(&ctx->be, 0);

    yajl_gen_map_open(g);
    d0_json_str(g, "initialised");
    yajl_gen_bool(g, rc == 0);
    if (rc == -ENOENT)
        planned = ctx->layout;
    else if (!rc)
        rc = d0_planned_now(ctx, &planned);
    if (rc && rc != -ENOENT)
        return rc;
    dom0(ctx, g, &planned);
    containers(ctx, g, &planned);
    rc = rc == -ENOENT ? 0 : reservations(ctx, g);
    yajl_gen_map_close(g);
    return rc;
}

int dom0c_status_json(dom0c_ctx *ctx, char **json_out)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen g;
    int rc = d0_ctx_need_live(ctx, "status");

    if (!rc) rc = d0_ctx_refresh(ctx);
    if (rc)
        return rc;
    g = yajl_gen_alloc(NULL);
    if (!g)
        return -ENOMEM;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    rc = emit(ctx, g);
    if (!rc) {
        yajl_gen_get_buf(g, &buf, &len);
        *json_out = strndup((const char *)buf, len);
        rc = *json_out ? 0 : -ENOMEM;
    } else {
        D0_ERR(ctx->lg, -rc, "reading the ledger %s", D0_LEDGER_ROOT);
    }
    yajl_gen_free(g);
    return rc;
}
