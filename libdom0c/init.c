/*
 * init.c - dom0c init: dom0's layout made real, at boot.
 *
 *  1. dom0's vCPUs pinned 1:1 (vCPU i on the i-th online pCPU), if Xen
 *     was not booted with dom0_vcpus_pin;
 *  2. the ledger /tool/dom0c, dom0-only;
 *  3. the cgroup tree: dom0c/main, dom0c/node<N> with their cpusets and
 *     memory.max;
 *  4. dom0's processes by class: T0-T2 into dom0c/main, a domU's
 *     backends (T3) into its leaf, pinned next to the domU;
 *  5. dom0's memory target.
 * Every step reads before it writes, so a second run changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "classify.h"
#include "ctx.h"
#include "log.h"

/* The pCPU dom0_vcpus_pin gives vCPU v: the v-th online one. */
static int nth_online(const struct d0_facts *f, unsigned v)
{
    for (unsigned p = 0; p < f->nr_pcpus; p++)
        if (f->pcpus[p].online && v-- == 0)
            return (int)p;
    return -1;
}

static int pin_dom0(dom0c_ctx *ctx, unsigned *changes)
{
    const struct d0_domain *d0 = d0_facts_domain(&ctx->facts, 0);
    unsigned before = *changes;

    for (unsigned v = 0; d0 && v < d0->nr_vcpus; v++) {
        int p = nth_online(&ctx->facts, v);
        const d0_cpuset *hard = &ctx->facts.sets[d0->vcpus[v].hard];
        if (p < 0 || (d0_cpuset_count(hard) == 1 &&
                      d0_cpuset_test(hard, (unsigned)p)))
            continue;
        int rc = ctx->be.ops->pin(ctx->be.h, v, (unsigned)p);
        if (rc) {
            D0_ERR(ctx->lg, -rc, "pinning dom0 vCPU %u to pCPU %d", v, p);
            return rc;
        }
        (*changes)++;
    }
    return *changes != before ? d0_ctx_refresh(ctx) : 0;
}

static int ledger_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    bool *created = arg;
    int rc = d0_ledger_ready(b, t);

    *created = rc == -ENOENT;
    return *created ? d0_ledger_create(b, t) : rc;
}

static int make_ledger(dom0c_ctx *ctx, unsigned *changes)
{
    bool created = false;
    int rc = d0_xs_transaction(&ctx->be, ledger_txn, &created);

    if (rc)
        D0_ERR(ctx->lg, -rc, "creating the ledger %s", D0_LEDGER_ROOT);
    *changes += created;
    return rc;
}

/*
 * systemd owns the cgroups of its units (init.scope, *.slice): moving
 * their processes would fight it.  On such hosts confine the slices to
 * the main pCPUs with AllowedCPUs= instead (man dom0c(8)); the lab's
 * busybox init leaves every process in the root, where dom0c takes it.
 */
static bool systemd_owned(const struct d0_proc *p)
{
    return p->pid == 1 || !strncmp(p->cgroup, "init.scope", 10) ||
           strstr(p->cgroup, ".slice") != NULL;
}

/* Where a process belongs: its cgroup, and a pinning for backends. */
static int destination(dom0c_ctx *ctx, const struct d0_proc *p, char *cg,
                       size_t len, struct d0_placement *pl)
{
    int domid = -1;
    enum d0_class c = d0_classify(p, &ctx->cfg, &domid);

    pl->dom0_vcpu = -1;
    if (c == D0_CLASS_KTHREAD_PINNED || (c != D0_CLASS_T3 &&
                                         systemd_owned(p)))
        return -1;
    if (c != D0_CLASS_T3) {
        d0_cg_main(cg, len);
        return 0;
    }
    if (domid <= 0 || !d0_facts_domain(&ctx->facts, (uint32_t)domid) ||
        d0_place_decide(ctx, (uint32_t)domid, pl))
        return -1;              /* not a live domU: leave it alone */
    d0_cg_leaf(cg, len, (unsigned)pl->node, (uint32_t)domid);
    return 0;
}

static int move_one(dom0c_ctx *ctx, const struct d0_proc *p,
                    unsigned *changes)
{
    struct d0_placement pl;
    char cg[64];
    d0_cpuset one;

    if (destination(ctx, p, cg, sizeof(cg), &pl) || !strcmp(p->cgroup, cg))
        return 0;
    if (pl.dom0_vcpu >= 0) {
        int rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
        if (rc && rc != -EEXIST)
            return rc;
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, (unsigned)pl.dom0_vcpu);
    }
    int rc = d0_move_pid(ctx, p->pid, cg, pl.dom0_vcpu >= 0 ? &one : NULL);
    if (rc == -ESRCH)
        return 0;               /* gone meanwhile */
    if (!rc)
        (*changes)++;
    return rc;
}

static int move_processes(dom0c_ctx *ctx, unsigned *changes)
{
    struct d0_proc *procs = NULL;
    unsigned nr = 0, failed = 0;
    int rc = ctx->be.ops->procs(ctx->be.h, NULL, &procs, &nr);

    if (rc) {
        D0_ERR(ctx->lg, -rc, "listing dom0's processes");
        return rc;
    }
    for (unsigned i = 0; i < nr; i++)
        failed += move_one(ctx, &procs[i], changes) != 0;
    if (failed)
        D0_WARN(ctx->lg, "%u of %u processes could not be moved (see "
                "above); they stay where they are", failed, nr);
    free(procs);
    return 0;
}

static int init_steps(dom0c_ctx *ctx, unsigned *changes)
{
    struct d0_layout planned;
    int rc = pin_dom0(ctx, changes);

    if (!rc) rc = make_ledger(ctx, changes);
    if (!rc) rc = d0_planned_now(ctx, &planned);
    if (!rc) rc = d0_apply_cgroups(ctx, &planned, changes);
    if (!rc) rc = d0_apply_memory(ctx, &planned, changes);
    if (!rc) rc = move_processes(ctx, changes);
    return rc;
}

int dom0c_init(dom0c_ctx *ctx, unsigned int flags, unsigned int *changes)
{
    struct d0_backend real = ctx->be;
    unsigned n = 0;
    int rc = d0_ctx_need_live(ctx, "init");

    if (!rc)
        rc = d0_ctx_refresh(ctx);
    if (rc)
        return rc;
    if (flags & DOM0C_INIT_DRY_RUN)
        rc = d0_dryrun_wrap(&ctx->be, ctx->lg);
    if (!rc)
        rc = init_steps(ctx, &n);
    if (flags & DOM0C_INIT_DRY_RUN)
        d0_dryrun_unwrap(&ctx->be, real);
    if (!rc && changes)
        *changes = n;
    return rc;
}
