/*
 * leaf.c - the per-domU cgroups dom0c/node<N>/dom<ID>: moving processes
 * in (cgroup.procs first, then the CPU affinity: cpuset_attach() resets
 * the mask), and out again when the domU is gone.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "ctx.h"
#include "log.h"

int d0_move_pid(dom0c_ctx *ctx, pid_t pid, const char *cg,
                const d0_cpuset *cpus)
{
    char val[16];
    int rc;

    snprintf(val, sizeof(val), "%d", (int)pid);
    D0_DEBUG(ctx->lg, "pid %d -> cgroup %s", (int)pid, cg);
    rc = ctx->be.ops->cg_write(ctx->be.h, cg, "cgroup.procs", val);
    if (rc) {
        D0_ERR(ctx->lg, -rc, "moving pid %d into cgroup %s", (int)pid, cg);
        return rc;
    }
    if (!cpus)
        return 0;
    rc = ctx->be.ops->affinity(ctx->be.h, pid, cpus);
    if (rc)
        D0_ERR(ctx->lg, -rc, "setting the CPU affinity of pid %d",
               (int)pid);
    return rc;
}

#define PIDS_MAX (64 * 1024)

/* Moves every process of cg into dom0c/main. */
static int empty_into_main(dom0c_ctx *ctx, const char *cg)
{
    char *pids = malloc(PIDS_MAX), main_cg[64];
    char *save = NULL;
    int rc = pids ? ctx->be.ops->cg_read(ctx->be.h, cg, "cgroup.procs",
                                         pids, PIDS_MAX) : -ENOMEM;

    if (rc) {
        free(pids);
        return rc == -ENOENT ? 0 : rc;
    }
    d0_cg_main(main_cg, sizeof(main_cg));
    for (char *p = strtok_r(pids, "\n", &save); p && !rc;
         p = strtok_r(NULL, "\n", &save))
        rc = d0_move_pid(ctx, (pid_t)atoi(p), main_cg, NULL);
    free(pids);
    return rc == -ESRCH ? 0 : rc;
}

int d0_remove_leaves(dom0c_ctx *ctx, uint32_t domid)
{
    char cg[64];
    int rc = 0;

    for (unsigned n = 0; n < ctx->layout.nr_nodes; n++) {
        int r;
        d0_cg_leaf(cg, sizeof(cg), n, domid);
        r = empty_into_main(ctx, cg);
        if (!r)
            r = ctx->be.ops->cg_rmdir(ctx->be.h, cg);
        if (r == -ENOENT)
            r = 0;
        if (r)
            D0_ERR(ctx->lg, -r, "removing cgroup %s", cg);
        if (!rc)
            rc = r;
    }
    return rc;
}

int d0_leaf_make(dom0c_ctx *ctx, int node, uint32_t domid, char *cg,
                 size_t len)
{
    int rc = d0_cg_leaf(cg, len, (unsigned)node, domid);

    if (!rc)
        rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
    if (rc == -EEXIST)
        return 0;
    if (rc)
        D0_ERR(ctx->lg, -rc, "creating cgroup dom0c/node%d/dom%u", node,
               domid);
    return rc;
}

/* After a commit: the process that restored the domain goes back to
 * dom0c/main, its incoming cgroup is removed. */
int d0_leave_incoming(dom0c_ctx *ctx)
{
    pid_t self = ctx->be.ops->self(ctx->be.h);
    char cg[64];
    int rc = 0;

    for (unsigned n = 0; !rc && n < ctx->layout.nr_nodes; n++) {
        d0_cg_incoming(cg, sizeof(cg), n, (int)self);
        rc = empty_into_main(ctx, cg);
        if (!rc)
            rc = ctx->be.ops->cg_rmdir(ctx->be.h, cg);
    }
    return rc;
}

/* incoming<PID> cgroups whose process died: emptied and removed. */
int d0_sweep_incoming(dom0c_ctx *ctx)
{
    char node[64], cg[128], **names = NULL;
    unsigned nr = 0;
    int rc = 0;

    for (unsigned n = 0; !rc && n < ctx->layout.nr_nodes; n++) {
        d0_cg_node(node, sizeof(node), n);
        if (ctx->be.ops->cg_list(ctx->be.h, node, &names, &nr))
            continue;
        for (unsigned i = 0; !rc && i < nr; i++) {
            int pid;
            if (sscanf(names[i], "incoming%d", &pid) != 1 ||
                ctx->be.ops->pid_alive(ctx->be.h, pid) > 0)
                continue;
            snprintf(cg, sizeof(cg), "%s/%s", node, names[i]);
            rc = empty_into_main(ctx, cg);
            if (!rc)
                rc = ctx->be.ops->cg_rmdir(ctx->be.h, cg);
        }
        free(names);
        names = NULL;
    }
    return rc;
}
