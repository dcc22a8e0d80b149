/*
 * apply.c - brings the host to the plan: dom0's memory target, the
 * cgroup tree, its cpusets and memory limits.  Every write is absolute
 * and skipped when the host already reads the wanted value, so applying
 * twice changes nothing, and a crash half-way is repaired by applying
 * again (dom0c reconcile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "ctx.h"
#include "log.h"

#define MB (UINT64_C(1) << 20)
#define D0_CG_TOP "dom0c"

int d0_planned_now(dom0c_ctx *ctx, struct d0_layout *out)
{
    struct d0_entry *e = NULL;
    unsigned nr = 0;
    int rc = d0_ledger_list(&ctx->be, 0, &e, &nr);

    if (rc) {
        D0_ERR(ctx->lg, -rc, "reading the ledger %s/domains",
               D0_LEDGER_ROOT);
        return rc;
    }
    d0_planned(&ctx->layout, e, nr, out);
    free(e);
    return 0;
}

int d0_cg_set(dom0c_ctx *ctx, const char *cg, const char *file,
              const char *val, unsigned *changes)
{
    char cur[4096];
    int rc = ctx->be.ops->cg_read(ctx->be.h, cg, file, cur, sizeof(cur));

    if (!rc && !strcmp(cur, val))
        return 0;
    D0_DEBUG(ctx->lg, "cgroup %s: %s <- \"%s\"", cg, file, val);
    rc = ctx->be.ops->cg_write(ctx->be.h, cg, file, val);
    if (rc) {
        D0_ERR(ctx->lg, -rc, "cgroup %s: writing \"%s\" to %s", cg, val,
               file);
        return rc;
    }
    if (changes)
        (*changes)++;
    return 0;
}

static int set_target(dom0c_ctx *ctx, uint64_t want_kb, unsigned *changes)
{
    uint64_t cur;
    int rc = ctx->be.ops->target_get(ctx->be.h, &cur);

    if (!rc && cur == want_kb)
        return 0;
    D0_DEBUG(ctx->lg, "dom0 memory target <- %llu kB",
             (unsigned long long)want_kb);
    rc = ctx->be.ops->target_set(ctx->be.h, want_kb);
    if (rc) {
        D0_ERR(ctx->lg, -rc, "setting dom0's memory target to %llu kB "
               "(is dom0_mem=...,max: large enough?)",
               (unsigned long long)want_kb);
        return rc;
    }
    if (changes)
        (*changes)++;
    return 0;
}

static int set_max(dom0c_ctx *ctx, const char *cg, uint64_t mb,
                   unsigned *changes)
{
    char val[32];

    snprintf(val, sizeof(val), "%llu", (unsigned long long)(mb * MB));
    return d0_cg_set(ctx, cg, "memory.max", val, changes);
}

int d0_apply_memory(dom0c_ctx *ctx, const struct d0_layout *l,
                    unsigned *changes)
{
    char cg[64];
    int rc = set_target(ctx, l->dom0_target_mb * 1024, changes);

    for (unsigned n = 0; !rc && n < l->nr_nodes; n++) {
        if (d0_cpuset_empty(&l->secondary[n]))
            continue;
        d0_cg_node(cg, sizeof(cg), n);
        rc = set_max(ctx, cg, l->node_mb[n], changes);
    }
    return rc;
}

/* Enables cpuset, cpu and memory for cg's children, if not yet. */
static int controllers(dom0c_ctx *ctx, const char *cg, unsigned *changes)
{
    static const char *const want[] = { "cpuset", "cpu", "memory" };
    char cur[512];
    int rc = ctx->be.ops->cg_read(ctx->be.h, cg, "cgroup.subtree_control",
                                  cur, sizeof(cur));

    for (size_t i = 0; !rc && i < sizeof(want) / sizeof(want[0]); i++) {
        char word[16];
        snprintf(word, sizeof(word), " %s ", want[i]);
        char padded[520];
        snprintf(padded, sizeof(padded), " %s ", cur);
        if (strstr(padded, word))
            continue;
        snprintf(word, sizeof(word), "+%s", want[i]);
        rc = d0_cg_set(ctx, cg, "cgroup.subtree_control", word, changes);
    }
    if (rc)
        D0_ERR(ctx->lg, -rc, "cgroup '%s': enabling cpuset, cpu, memory "
               "for its children", cg);
    return rc;
}

static int mkdir_cg(dom0c_ctx *ctx, const char *cg, unsigned *changes)
{
    int rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);

    if (rc == -EEXIST)
        return 0;
    if (rc)
        D0_ERR(ctx->lg, -rc, "creating cgroup %s", cg);
    else if (changes)
        (*changes)++;
    return rc;
}

/* A container: directory, cpuset of dom0 vCPUs. */
static int container(dom0c_ctx *ctx, const struct d0_layout *l,
                     const char *cg, const d0_cpuset *pcpus,
                     unsigned *changes)
{
    char list[4096];
    d0_cpuset vcpus;
    int rc = mkdir_cg(ctx, cg, changes);

    d0_layout_vcpus(l, pcpus, &vcpus);
    d0_cpuset_format(&vcpus, list, sizeof(list));
    if (!rc)
        rc = d0_cg_set(ctx, cg, "cpuset.cpus", list, changes);
    return rc;
}

int d0_apply_cgroups(dom0c_ctx *ctx, const struct d0_layout *l,
                     unsigned *changes)
{
    char cg[64];
    int rc = controllers(ctx, "", changes);

    if (!rc) rc = mkdir_cg(ctx, D0_CG_TOP, changes);
    if (!rc) rc = controllers(ctx, D0_CG_TOP, changes);
    d0_cg_main(cg, sizeof(cg));
    if (!rc) rc = container(ctx, l, cg, &l->main, changes);
    if (!rc) rc = set_max(ctx, cg, l->main_mb, changes);
    for (unsigned n = 0; !rc && n < l->nr_nodes; n++) {
        if (d0_cpuset_empty(&l->secondary[n]))
            continue;
        d0_cg_node(cg, sizeof(cg), n);
        rc = container(ctx, l, cg, &l->secondary[n], changes);
        if (!rc)
            rc = controllers(ctx, cg, changes);
    }
    return rc;
}
