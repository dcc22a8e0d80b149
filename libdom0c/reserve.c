/*
 * reserve.c - a domU's reservation: prepared (pending, keyed by uuid),
 * committed (ledger entry keyed by domid + uuid, dom0 target and node
 * containers grown, leaf cgroup made), released (exactly once).
 *
 * The ledger is the truth; dom0's target and the containers' memory.max
 * are always recomputed from it and written absolutely (apply.c), so a
 * repeated or interrupted operation converges instead of drifting.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "ctx.h"
#include "log.h"

/* ---- prepare: choose, carve, remember the intent ------------------- */

struct intent {
    dom0c_ctx *ctx;
    const dom0c_request *req;
    const char *uuid;
    dom0c_decision *d;              /* out: the decision */
    const struct d0_layout *l;
    pid_t pid;
};

static void recorded(struct intent *in, uint64_t m, uint64_t given,
                     uint64_t eps, uint64_t nodemap)
{
    dom0c_decision *d = in->d;
    d0_cpuset soft;

    memset(d, 0, sizeof(*d));
    d->requested_mb = m;
    d->given_mb = given;
    d->epsilon_mb = eps;
    d->nodemap = nodemap;
    d->nr_nodes = (unsigned)__builtin_popcountll(nodemap);
    d0_cpuset_zero(&soft);
    for (unsigned n = 0; n < in->l->nr_nodes; n++)
        if ((nodemap >> n) & 1)
            d0_cpuset_or(&soft, &in->l->secondary[n]);
    memcpy(d->soft_cpus, soft.w, sizeof(d->soft_cpus));
    memcpy(d->hard_cpus, in->l->domu.w, sizeof(d->hard_cpus));
}

/* An existing reservation for this uuid (reboot, restore, migration to
 * this host): the recorded decision, so nothing is carved twice. */
static int find_recorded(struct d0_backend *b, d0_txn t, struct intent *in)
{
    struct d0_pending p;
    struct d0_entry *e = NULL;
    unsigned nr = 0;
    int rc = d0_pending_get(b, t, in->uuid, &p);

    if (!rc) {
        recorded(in, p.requested_mb, p.given_mb, p.epsilon_mb, p.nodemap);
        return 1;
    }
    if (rc != -ENOENT)
        return rc;
    rc = d0_ledger_list(b, t, &e, &nr);
    for (unsigned i = 0; !rc && i < nr; i++) {
        if (strcmp(e[i].uuid, in->uuid))
            continue;
        recorded(in, e[i].requested_mb, e[i].given_mb, e[i].epsilon_mb,
                 e[i].nodemap);
        rc = 1;
    }
    free(e);
    return rc;
}

/*
 * The decision, on the host's free memory less what the other prepared
 * domUs that do not exist yet will take.  Reading the pending list puts
 * it in this transaction: two prepares at once conflict, and the one
 * retried sees the other's intent (no two creates choose the same room).
 */
static int decide(struct d0_backend *b, d0_txn t, struct intent *in)
{
    dom0c_ctx *ctx = in->ctx;
    struct d0_host_load load = ctx->load;
    struct d0_layout l = ctx->layout;
    struct d0_pending *p = NULL;
    unsigned nr = 0;
    int rc = d0_pending_list(b, t, &p, &nr);

    for (unsigned i = 0; !rc && i < nr; i++) {
        bool exists = false;
        for (unsigned k = 0; k < ctx->facts.nr_domains; k++)
            exists |= !strcmp(ctx->facts.domains[k].uuid, p[i].uuid);
        if (exists || !strcmp(p[i].uuid, in->uuid))
            continue;           /* its memory is already taken in Xen */
        dom0c_decision other = { .verdict = DOM0C_OK,
            .given_mb = p[i].given_mb, .epsilon_mb = p[i].epsilon_mb,
            .nodemap = p[i].nodemap,
            .nr_nodes = (unsigned)__builtin_popcountll(p[i].nodemap) };
        d0_policy_account(&load, &l, &other, 0);
    }
    free(p);
    if (!rc)
        d0_policy_prepare(&load, &ctx->layout, &ctx->cfg, &ctx->facts,
                          in->req, in->d);
    return rc;
}

static int intent_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct intent *in = arg;
    int rc = d0_ledger_ready(b, t);

    if (!rc)
        rc = find_recorded(b, t, in);
    if (rc)
        return rc < 0 ? rc : 0;
    rc = decide(b, t, in);
    if (rc || in->d->verdict != DOM0C_OK)
        return rc;
    struct d0_pending p = { .requested_mb = in->d->requested_mb,
                            .given_mb = in->d->given_mb,
                            .epsilon_mb = in->d->epsilon_mb,
                            .nodemap = in->d->nodemap, .pid = in->pid };
    memcpy(p.uuid, in->uuid, sizeof(p.uuid));
    return d0_pending_put(b, t, &p);
}

int d0_prepare_live(dom0c_ctx *ctx, const dom0c_request *req,
                    dom0c_decision *d)
{
    struct intent in = { .ctx = ctx, .req = req, .uuid = req->uuid,
                         .d = d, .l = &ctx->layout,
                         .pid = ctx->be.ops->self(ctx->be.h) };
    int rc = d0_ctx_refresh(ctx);

    if (rc)
        return rc;
    if (!req->uuid) {
        d0_policy_prepare(&ctx->load, &ctx->layout, &ctx->cfg, &ctx->facts,
                          req, d);
        return 0;
    }
    rc = d0_xs_transaction(&ctx->be, intent_txn, &in);
    if (rc == -ENOENT)
        D0_ERR(ctx->lg, ENOENT, "%s/version is missing: run 'dom0c init' "
               "on this host first", D0_LEDGER_ROOT);
    else if (rc)
        D0_ERR(ctx->lg, -rc, "recording the prepared domU %s under %s",
               req->uuid, D0_LEDGER_ROOT);
    return rc;
}

int dom0c_reservation(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                      dom0c_decision *out)
{
    struct d0_entry e;
    dom0c_decision d;
    struct intent in = { .uuid = uuid, .d = &d, .l = &ctx->layout };
    int rc = d0_ctx_need_live(ctx, "reservation");

    if (!rc && !d0_uuid_valid(uuid)) {
        D0_ERR(ctx->lg, EINVAL, "reservation: uuid '%s' is not a "
               "lower-case canonical uuid", uuid ? uuid : "(null)");
        return -EINVAL;
    }
    if (!rc) rc = d0_ledger_get(&ctx->be, 0, domid, &e);
    if (!rc && strcmp(e.uuid, uuid))
        rc = -ENOENT;               /* the domid now runs another domU */
    if (rc && rc != -ENOENT && rc != -EOPNOTSUPP)
        D0_ERR(ctx->lg, -rc, "reading the reservation of domain %u under "
               "%s", domid, D0_LEDGER_ROOT);
    if (rc)
        return rc;
    recorded(&in, e.requested_mb, e.given_mb, e.epsilon_mb, e.nodemap);
    *out = d;
    return 0;
}

/* ---- commit -------------------------------------------------------- */

struct commit {
    struct d0_entry e;
    bool already;
};

static int commit_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct commit *c = arg;
    struct d0_entry old;
    int rc = d0_ledger_ready(b, t);

    if (rc)
        return rc;
    rc = d0_ledger_get(b, t, c->e.domid, &old);
    c->already = !rc && !strcmp(old.uuid, c->e.uuid);
    if (c->already)
        return d0_pending_del(b, t, c->e.uuid);
    if (rc && rc != -ENOENT)
        return rc;
    rc = d0_ledger_put(b, t, &c->e);     /* replaces a stale domid */
    return rc ? rc : d0_pending_del(b, t, c->e.uuid);
}

/* Takes a committed entry back to pending, as before the commit. */
static int uncommit_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    const struct d0_entry *e = arg;
    struct d0_pending p = { .requested_mb = e->requested_mb,
                            .given_mb = e->given_mb,
                            .epsilon_mb = e->epsilon_mb,
                            .nodemap = e->nodemap };
    int rc = d0_ledger_del(b, t, e->domid);

    memcpy(p.uuid, e->uuid, sizeof(p.uuid));
    p.pid = b->ops->self(b->h);
    return rc ? rc : d0_pending_put(b, t, &p);
}

/* The node of the domain's leaf: where most of its memory is. */
static int leaf_node(dom0c_ctx *ctx, const struct d0_domain *d,
                     uint64_t nodemap)
{
    int n = d0_policy_memory_node(&ctx->facts, d);

    return n >= 0 ? n : __builtin_ctzll(nodemap | (UINT64_C(1) << 63));
}

static int make_leaf(dom0c_ctx *ctx, int node, uint32_t domid)
{
    char cg[64];
    int rc;

    d0_cg_leaf(cg, sizeof(cg), (unsigned)node, domid);
    rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
    if (rc == -EEXIST)
        rc = 0;
    if (rc)
        D0_ERR(ctx->lg, -rc, "creating cgroup %s", cg);
    return rc;
}

/* The effects of a committed entry; undone by the caller on failure. */
static int commit_effects(dom0c_ctx *ctx, const struct d0_entry *e)
{
    struct d0_layout planned;
    int rc = d0_planned_now(ctx, &planned);

    if (!rc)
        rc = d0_apply_memory(ctx, &planned, NULL);
    if (!rc)
        rc = make_leaf(ctx, e->leaf_node, e->domid);
    return rc;
}

/* Takes a failed commit back: pending again, no leaf, memory as before. */
static void commit_undo(dom0c_ctx *ctx, const struct d0_entry *e)
{
    struct d0_layout planned;
    char cg[64];

    d0_xs_transaction(&ctx->be, uncommit_txn, (void *)e);
    if (!d0_planned_now(ctx, &planned))
        d0_apply_memory(ctx, &planned, NULL);
    d0_cg_leaf(cg, sizeof(cg), (unsigned)e->leaf_node, e->domid);
    ctx->be.ops->cg_rmdir(ctx->be.h, cg);
}

static int commit_entry(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                        const dom0c_decision *dc, struct commit *c)
{
    const struct d0_domain *d;

    d = d0_facts_domain(&ctx->facts, domid);
    if (!d || strcmp(d->uuid, uuid)) {
        D0_ERR(ctx->lg, ESRCH, "commit: no domain %u with uuid %s", domid,
               uuid);
        return -ESRCH;
    }
    c->e = (struct d0_entry){ .domid = domid,
        .requested_mb = dc->requested_mb, .given_mb = dc->given_mb,
        .epsilon_mb = dc->epsilon_mb, .nodemap = dc->nodemap,
        .leaf_node = leaf_node(ctx, d, dc->nodemap) };
    memcpy(c->e.uuid, uuid, sizeof(c->e.uuid));
    return 0;
}

static int commit_checked(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                          const dom0c_decision *dc)
{
    struct commit c;
    int rc = d0_ctx_refresh(ctx);

    if (!rc) rc = commit_entry(ctx, domid, uuid, dc, &c);
    if (!rc) rc = d0_xs_transaction(&ctx->be, commit_txn, &c);
    if (rc)
        return rc;              /* the ledger is as it was */
    rc = commit_effects(ctx, &c.e);
    if (rc && !c.already)
        commit_undo(ctx, &c.e);
    if (!rc && d0_leave_incoming(ctx))
        D0_WARN(ctx->lg, "commit of domain %u: could not leave the incoming "
                "cgroup; dom0c reconcile removes it", domid);
    return rc;
}

int dom0c_commit(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                 const dom0c_decision *dc)
{
    int rc = d0_ctx_need_live(ctx, "commit");

    if (rc)
        return rc;
    if (!d0_uuid_valid(uuid) || !dc || dc->verdict != DOM0C_OK) {
        D0_ERR(ctx->lg, EINVAL, "commit: domain %u: uuid '%s' must be a "
               "lower-case canonical uuid and the decision feasible",
               domid, uuid ? uuid : "(null)");
        return -EINVAL;
    }
    rc = commit_checked(ctx, domid, uuid, dc);
    return d0_on_error(ctx, "commit", domid, rc);
}

/* ---- release ------------------------------------------------------- */

struct release {
    uint32_t domid;
    const char *uuid;
    struct d0_entry e;
    bool found;
};

static int release_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct release *r = arg;
    int rc = d0_ledger_get(b, t, r->domid, &r->e);

    r->found = false;
    if (r->uuid) {
        int prc = d0_pending_del(b, t, r->uuid);
        if (prc && prc != -ENOENT)
            return prc;
    }
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return rc;
    if (r->uuid && strcmp(r->e.uuid, r->uuid))
        return 0;               /* the domid now belongs to another */
    r->found = true;
    return d0_ledger_del(b, t, r->domid);
}

int dom0c_release(dom0c_ctx *ctx, uint32_t domid, const char *uuid)
{
    struct release r = { .domid = domid, .uuid = uuid };
    struct d0_layout planned;
    int rc = d0_ctx_need_live(ctx, "release");

    if (!rc && uuid && !d0_uuid_valid(uuid)) {
        D0_ERR(ctx->lg, EINVAL, "release: uuid '%s' is not a lower-case "
               "canonical uuid", uuid);
        rc = -EINVAL;
    }
    if (!rc) rc = d0_xs_transaction(&ctx->be, release_txn, &r);
    if (!rc && r.found) {
        D0_DEBUG(ctx->lg, "released domain %u (%s)", domid, r.e.uuid);
        /* The layout is the host's and dom0's (topology, dom0's vCPUs and
         * ceiling), which no domU's end changes: the context's facts do,
         * no second read (it was half of what release cost xl destroy). */
        rc = d0_planned_now(ctx, &planned);
        if (!rc) rc = d0_apply_memory(ctx, &planned, NULL);
    }
    if (!rc)
        rc = d0_remove_leaves(ctx, domid);
    return rc;
}
