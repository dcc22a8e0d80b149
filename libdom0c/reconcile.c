/*
 * reconcile.c - makes the ledger agree with the live domains again, then
 * the host with the ledger.  What a crash left behind: an entry whose
 * domain is gone (killed between destroy and release), a pending domU
 * that now runs (killed between create and commit), a pending one whose
 * creator died without creating it, a leaf cgroup of a gone domain.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "ctx.h"
#include "log.h"

struct sweep {
    dom0c_ctx *ctx;
    dom0c_reconcile_report rep;
    uint32_t gone[256];
    unsigned nr_gone;
};

static bool live_domain(const struct d0_facts *f, uint32_t domid,
                        const char *uuid)
{
    const struct d0_domain *d = d0_facts_domain(f, domid);

    return d && !strcmp(d->uuid, uuid);
}

static const struct d0_domain *by_uuid(const struct d0_facts *f,
                                       const char *uuid)
{
    for (unsigned i = 0; i < f->nr_domains; i++)
        if (f->domains[i].domid && !strcmp(f->domains[i].uuid, uuid))
            return &f->domains[i];
    return NULL;
}

static int sweep_entries(struct d0_backend *b, d0_txn t, struct sweep *s)
{
    struct d0_entry *e = NULL;
    unsigned nr = 0;
    int rc = d0_ledger_list(b, t, &e, &nr);

    for (unsigned i = 0; !rc && i < nr; i++) {
        s->rep.entries++;
        if (live_domain(&s->ctx->facts, e[i].domid, e[i].uuid))
            continue;
        rc = d0_ledger_del(b, t, e[i].domid);
        s->rep.dropped++;
        if (s->nr_gone < sizeof(s->gone) / sizeof(s->gone[0]))
            s->gone[s->nr_gone++] = e[i].domid;
    }
    free(e);
    return rc;
}

/* A pending domU that runs now is committed; a dead creator's is not. */
static int sweep_one_pending(struct d0_backend *b, d0_txn t, struct sweep *s,
                             const struct d0_pending *p)
{
    const struct d0_domain *d = by_uuid(&s->ctx->facts, p->uuid);
    struct d0_entry e, old;
    int rc;

    if (!d) {
        if (b->ops->pid_alive(b->h, p->pid) > 0)
            return 0;           /* a create is still under way */
        s->rep.dropped++;
        return d0_pending_del(b, t, p->uuid);
    }
    rc = d0_ledger_get(b, t, d->domid, &old);
    if (rc == -ENOENT) {
        e = (struct d0_entry){ .domid = d->domid,
            .requested_mb = p->requested_mb, .given_mb = p->given_mb,
            .epsilon_mb = p->epsilon_mb, .nodemap = p->nodemap,
            .leaf_node = d0_policy_memory_node(&s->ctx->facts, d) };
        if (e.leaf_node < 0)
            e.leaf_node = __builtin_ctzll(p->nodemap | (UINT64_C(1) << 63));
        memcpy(e.uuid, p->uuid, sizeof(e.uuid));
        rc = d0_ledger_put(b, t, &e);
        s->rep.adopted++;
    }
    return rc && rc != -ENOENT ? rc : d0_pending_del(b, t, p->uuid);
}

static int sweep_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct sweep *s = arg;
    struct d0_pending *p = NULL;
    unsigned nr = 0;
    int rc;

    memset(&s->rep, 0, sizeof(s->rep));
    s->nr_gone = 0;
    rc = d0_ledger_ready(b, t);
    if (!rc) rc = sweep_entries(b, t, s);
    if (!rc) rc = d0_pending_list(b, t, &p, &nr);
    for (unsigned i = 0; !rc && i < nr; i++)
        rc = sweep_one_pending(b, t, s, &p[i]);
    free(p);
    return rc;
}

/* Every committed domU has its leaf (an adopted one had none yet). */
static int make_leaves(dom0c_ctx *ctx)
{
    struct d0_entry *e = NULL;
    unsigned nr = 0;
    char cg[64];
    int rc = d0_ledger_list(&ctx->be, 0, &e, &nr);

    for (unsigned i = 0; !rc && i < nr; i++) {
        d0_cg_leaf(cg, sizeof(cg), (unsigned)e[i].leaf_node, e[i].domid);
        rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
        if (rc == -EEXIST)
            rc = 0;
        if (rc)
            D0_ERR(ctx->lg, -rc, "creating cgroup %s", cg);
    }
    free(e);
    return rc;
}

int dom0c_reconcile(dom0c_ctx *ctx, dom0c_reconcile_report *out)
{
    struct sweep s = { .ctx = ctx };
    struct d0_layout planned;
    uint64_t before = 0;
    unsigned changes = 0;
    int rc = d0_ctx_need_live(ctx, "reconcile");

    if (!rc) rc = d0_ctx_refresh(ctx);
    if (!rc) rc = d0_xs_transaction(&ctx->be, sweep_txn, &s);
    if (rc == -ENOENT)
        D0_ERR(ctx->lg, ENOENT, "%s/version is missing: run 'dom0c init' "
               "first", D0_LEDGER_ROOT);
    if (!rc) rc = ctx->be.ops->target_get(ctx->be.h, &before);
    if (!rc) rc = d0_planned_now(ctx, &planned);
    if (!rc) rc = d0_apply_memory(ctx, &planned, &changes);
    for (unsigned i = 0; !rc && i < s.nr_gone; i++)
        rc = d0_remove_leaves(ctx, s.gone[i]);
    if (!rc)
        rc = make_leaves(ctx);
    if (!rc)
        rc = d0_sweep_incoming(ctx);
    if (!rc && changes)
        s.rep.target_fix_mb = (int64_t)planned.dom0_target_mb -
                              (int64_t)(before / 1024);
    if (!rc && out)
        *out = s.rep;
    return rc;
}
