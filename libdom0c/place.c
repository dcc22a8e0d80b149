/*
 * place.c - Algorithm 2 applied: the calling process (xl migrate, save,
 * destroy, or any command through `dom0c exec`) moves next to the domU
 * it works for, and its children (libxl-save-helper, the destroy child)
 * inherit the cgroup and the affinity.  dom0c_locate() is the same
 * decision for a caller that cannot move itself (libvirtd): it places
 * the processes it forks.
 */
#include <errno.h>
#include <stdlib.h>

#include "cgroup.h"
#include "ctx.h"
#include "log.h"

static const char *op_name(dom0c_op op)
{
    switch (op) {
    case DOM0C_OP_MIGRATE: return "migrate";
    case DOM0C_OP_SAVE: return "save";
    case DOM0C_OP_DESTROY: return "destroy";
    case DOM0C_OP_RESTORE: return "restore";
    }
    return "?";
}

int d0_place_decide(dom0c_ctx *ctx, uint32_t domid, struct d0_placement *p)
{
    const struct d0_domain *d = d0_facts_domain(&ctx->facts, domid);
    uint64_t *work = calloc(DOM0C_MAX_CPUS, sizeof(*work));
    int rc = work ? 0 : -ENOMEM;

    if (!rc && (!d || !domid)) {
        D0_ERR(ctx->lg, ESRCH, "place: no domU %u", domid);
        rc = -ESRCH;
    }
    if (!rc)
        rc = ctx->be.ops->cpu_work(ctx->be.h, work, DOM0C_MAX_CPUS);
    if (rc && rc != -ESRCH)
        D0_ERR(ctx->lg, -rc, "reading dom0's per-vCPU work");
    if (!rc) {
        d0_policy_place(&ctx->facts, &ctx->layout, d, work, p);
        if (p->verdict != DOM0C_OK) {
            D0_ERR(ctx->lg, -1, "place: domain %u: %s", domid, p->why);
            rc = -EDOM;
        }
    }
    free(work);
    return rc;
}

/* Algorithm 2 on fresh facts, and the domU's leaf made (its name in
 * cg): what dom0c_locate() reports and dom0c_place() moves into. */
static int locate(dom0c_ctx *ctx, uint32_t domid, struct d0_placement *p,
                  char *cg, size_t len)
{
    int rc = d0_ctx_need_live(ctx, "place");

    if (!rc) rc = d0_ctx_refresh(ctx);
    if (!rc) rc = d0_place_decide(ctx, domid, p);
    if (!rc) rc = d0_leaf_make(ctx, p->node, domid, cg, len);
    return rc;
}

int dom0c_locate(dom0c_ctx *ctx, uint32_t domid, dom0c_op op,
                 dom0c_spot *out)
{
    struct d0_placement p;
    dom0c_spot s = { .node = -1 };
    char cg[64];
    int rc = locate(ctx, domid, &p, cg, sizeof(cg));

    if (!rc) {
        rc = ctx->be.ops->cg_path(ctx->be.h, cg, s.cgroup_dir,
                                  sizeof(s.cgroup_dir));
        if (rc)
            D0_ERR(ctx->lg, -rc, "the absolute path of cgroup %s", cg);
    }
    if (rc)
        return rc;
    s.node = p.node;
    s.dom0_vcpu = p.dom0_vcpu;
    s.pcpu = p.pcpu;
    D0_DEBUG(ctx->lg, "%s of domain %u goes to %s, dom0 vCPU %d (pCPU %d)",
             op_name(op), domid, s.cgroup_dir, p.dom0_vcpu, p.pcpu);
    *out = s;
    return 0;
}

int dom0c_place(dom0c_ctx *ctx, uint32_t domid, dom0c_op op)
{
    struct d0_placement p;
    d0_cpuset one;
    char cg[64];
    int rc = locate(ctx, domid, &p, cg, sizeof(cg));

    if (!rc) {
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, (unsigned)p.dom0_vcpu);
        rc = d0_move_pid(ctx, ctx->be.ops->self(ctx->be.h), cg, &one);
    }
    if (!rc)
        D0_DEBUG(ctx->lg, "%s of domain %u placed on node %d, dom0 vCPU %d "
                 "(pCPU %d)", op_name(op), domid, p.node, p.dom0_vcpu,
                 p.pcpu);
    return d0_on_error(ctx, op_name(op), domid, rc);
}

/* The node's secondary vCPU with the least work (Algorithm 2 for a domain
 * that holds its memory on node n and runs nowhere yet). */
static int least_worked(dom0c_ctx *ctx, int node, struct d0_placement *p)
{
    struct d0_domain pseudo = { .memory_mb = 1,
                                .node_affinity = UINT64_C(1) << node };
    uint64_t *work = calloc(DOM0C_MAX_CPUS, sizeof(*work));
    int rc = work ? ctx->be.ops->cpu_work(ctx->be.h, work, DOM0C_MAX_CPUS)
                  : -ENOMEM;

    if (!rc) {
        d0_policy_place(&ctx->facts, &ctx->layout, &pseudo, work, p);
        if (p->verdict != DOM0C_OK) {
            D0_ERR(ctx->lg, -1, "place: %s", p->why);
            rc = -EDOM;
        }
    }
    free(work);
    return rc;
}

int dom0c_place_prepared(dom0c_ctx *ctx, const dom0c_decision *d,
                         dom0c_op op)
{
    struct d0_placement p;
    pid_t self;
    char cg[64];
    d0_cpuset one;
    int rc = d0_ctx_need_live(ctx, "place");

    if (!rc && (!d || d->verdict != DOM0C_OK || !d->nodemap)) {
        D0_ERR(ctx->lg, EINVAL, "place: the decision is not feasible");
        return -EINVAL;
    }
    if (!rc) rc = d0_ctx_refresh(ctx);
    if (!rc) rc = least_worked(ctx, __builtin_ctzll(d->nodemap), &p);
    if (!rc) {
        self = ctx->be.ops->self(ctx->be.h);
        d0_cg_incoming(cg, sizeof(cg), (unsigned)p.node, (int)self);
        rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
        rc = rc == -EEXIST ? 0 : rc;
        if (rc)
            D0_ERR(ctx->lg, -rc, "creating cgroup %s", cg);
    }
    if (!rc) {
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, (unsigned)p.dom0_vcpu);
        rc = d0_move_pid(ctx, self, cg, &one);
    }
    if (!rc)
        D0_DEBUG(ctx->lg, "%s placed on node %d, dom0 vCPU %d", op_name(op),
                 p.node, p.dom0_vcpu);
    return d0_on_error(ctx, op_name(op), 0, rc);
}
