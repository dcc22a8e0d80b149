/*
 * place.c - Algorithm 2 applied: the calling process (xl migrate, save,
 * destroy, or any command through `dom0c exec`) moves next to the domU
 * it works for, and its children (libxl-save-helper, the destroy child)
 * inherit the cgroup and the affinity.
 */
#include <errno.h>
#include <stdlib.h>

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

int dom0c_place(dom0c_ctx *ctx, uint32_t domid, dom0c_op op)
{
    struct d0_placement p;
    int rc = d0_ctx_need_live(ctx, "place");

    if (!rc) rc = d0_ctx_refresh(ctx);
    if (!rc) rc = d0_place_decide(ctx, domid, &p);
    if (!rc) rc = d0_place_pid(ctx, ctx->be.ops->self(ctx->be.h), p.node,
                               domid, p.dom0_vcpu);
    if (!rc)
        D0_DEBUG(ctx->lg, "%s of domain %u placed on node %d, dom0 vCPU %d "
                 "(pCPU %d)", op_name(op), domid, p.node, p.dom0_vcpu,
                 p.pcpu);
    return d0_on_error(ctx, op_name(op), domid, rc);
}
