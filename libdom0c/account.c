/*
 * account.c - what dom0 spent for each domU: CPU seconds (the cpu.stat of
 * its leaf cgroups) and MB held (eps on each of its nodes plus its I/O
 * reserve), as JSON (dom0c account -j) or in the Prometheus text format
 * for node_exporter's textfile collector (dom0cd --prometheus FILE).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "cgroup.h"
#include "ctx.h"
#include "jsonw.h"
#include "log.h"

struct row {
    const struct d0_entry *e;
    const char *name;
    double cpu_s;
    uint64_t mb;
};

/* Sum of the domU's leaves' usage_usec, in seconds. */
static double cpu_seconds(dom0c_ctx *ctx, uint32_t domid)
{
    char cg[64], buf[1024];
    struct d0_cg_cpu cpu;
    double s = 0;

    for (unsigned n = 0; n < ctx->layout.nr_nodes; n++) {
        d0_cg_leaf(cg, sizeof(cg), n, domid);
        if (!ctx->be.ops->cg_read(ctx->be.h, cg, "cpu.stat", buf,
                                  sizeof(buf)) &&
            !d0_cg_parse_cpu_stat(buf, &cpu))
            s += (double)cpu.usage_usec / 1e6;
    }
    return s;
}

static struct row row_of(dom0c_ctx *ctx, const struct d0_entry *e)
{
    const struct d0_domain *d = d0_facts_domain(&ctx->facts, e->domid);

    return (struct row){ .e = e, .name = d ? d->name : "",
        .cpu_s = cpu_seconds(ctx, e->domid),
        .mb = e->epsilon_mb * (uint64_t)__builtin_popcountll(e->nodemap) +
              e->io_reserve_mb };
}

static void row_json(yajl_gen g, const struct row *r)
{
    yajl_gen_map_open(g);
    d0_json_key_int(g, "domid", r->e->domid);
    d0_json_key_str(g, "uuid", r->e->uuid);
    d0_json_key_str(g, "name", r->name);
    d0_json_str(g, "dom0_cpu_seconds");
    yajl_gen_double(g, r->cpu_s);
    d0_json_key_int(g, "dom0_memory_mb", (long long)r->mb);
    d0_json_key_int(g, "io_level", r->e->io_level);
    d0_json_key_int(g, "io_reserve_mb", (long long)r->e->io_reserve_mb);
    yajl_gen_map_close(g);
}

int dom0c_account_json(dom0c_ctx *ctx, char **json_out)
{
    struct d0_entry *e = NULL;
    const unsigned char *buf;
    unsigned nr = 0;
    size_t len;
    yajl_gen g = NULL;
    int rc = d0_ctx_need_live(ctx, "account");

    if (!rc) rc = d0_ctx_refresh(ctx);
    if (!rc) rc = d0_ledger_list(&ctx->be, 0, &e, &nr);
    if (!rc && !(g = yajl_gen_alloc(NULL)))
        rc = -ENOMEM;
    if (rc)
        goto out;
    yajl_gen_config(g, yajl_gen_beautify, 1);
    yajl_gen_array_open(g);
    for (unsigned i = 0; i < nr; i++) {
        struct row r = row_of(ctx, &e[i]);
        row_json(g, &r);
    }
    yajl_gen_array_close(g);
    yajl_gen_get_buf(g, &buf, &len);
    *json_out = strndup((const char *)buf, len);
    rc = *json_out ? 0 : -ENOMEM;
out:
    if (g)
        yajl_gen_free(g);
    free(e);
    return rc;
}

static void prometheus(dom0c_ctx *ctx, const struct d0_entry *e,
                       unsigned nr, FILE *o)
{
    fprintf(o, "# HELP dom0c_domu_dom0_cpu_seconds_total dom0 CPU time "
            "spent on behalf of the domU\n"
            "# TYPE dom0c_domu_dom0_cpu_seconds_total counter\n");
    for (unsigned i = 0; i < nr; i++) {
        struct row r = row_of(ctx, &e[i]);
        fprintf(o, "dom0c_domu_dom0_cpu_seconds_total{domid=\"%u\","
                "uuid=\"%s\",name=\"%s\"} %.6f\n", e[i].domid, e[i].uuid,
                r.name, r.cpu_s);
    }
    fprintf(o, "# HELP dom0c_domu_dom0_memory_mb dom0 memory held for the "
            "domU (eps per node plus I/O reserve)\n"
            "# TYPE dom0c_domu_dom0_memory_mb gauge\n");
    for (unsigned i = 0; i < nr; i++) {
        struct row r = row_of(ctx, &e[i]);
        fprintf(o, "dom0c_domu_dom0_memory_mb{domid=\"%u\",uuid=\"%s\","
                "name=\"%s\"} %llu\n", e[i].domid, e[i].uuid, r.name,
                (unsigned long long)r.mb);
    }
}

/* Written to path.tmp, then renamed: the collector never reads half. */
int d0_account_prometheus(dom0c_ctx *ctx, const char *path)
{
    struct d0_entry *e = NULL;
    unsigned nr = 0;
    char tmp[4096];
    FILE *o;
    int rc = d0_ledger_list(&ctx->be, 0, &e, &nr);

    if (rc)
        return rc;
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    o = fopen(tmp, "w");
    if (!o) {
        rc = -errno;
        D0_ERR(ctx->lg, errno, "writing %s", tmp);
    } else {
        prometheus(ctx, e, nr, o);
        if (fclose(o) || rename(tmp, path)) {
            rc = -errno;
            D0_ERR(ctx->lg, errno, "writing %s", path);
        }
    }
    free(e);
    return rc;
}
