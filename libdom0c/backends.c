/*
 * backends.c - a domU's backends next to it (thesis: I/O handlers run on
 * the vCPU pinned to the pCPU of the domU's vCPU): its blkback and
 * netback kernel threads and its qemu move into dom0c/node<N>/dom<ID>,
 * pinned to the dom0 vCPU Algorithm 2 picks, and its event-channel IRQs
 * get the same CPU.  Run every period, it also repairs what a reconnect
 * or a migration recreated (new threads start in the root cgroup).
 *
 * IRQs: netback's carry the domid in their name (vif5.0-q0-tx); blkback's
 * are all "blkif-backend".  Those are matched at connect time: a new
 * blkif-backend IRQ belongs to the one domU whose blkback threads appeared
 * in the same period.  When several did, it stays unassigned (said).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "cgroup.h"
#include "ctx.h"
#include "io.h"
#include "log.h"

struct placed_domain {
    uint32_t domid;
    struct d0_placement p;
    bool ok;
};

/* Algorithm 2 for a reserved domU, once per period. */
static const struct d0_placement *where(dom0c_ctx *ctx, uint32_t domid,
                                        struct placed_domain *cache,
                                        unsigned *nr)
{
    for (unsigned i = 0; i < *nr; i++)
        if (cache[i].domid == domid)
            return cache[i].ok ? &cache[i].p : NULL;
    if (*nr == D0_IO_MAX_DOMAINS)
        return NULL;
    struct placed_domain *c = &cache[(*nr)++];
    c->domid = domid;
    c->ok = !d0_ledger_has(&ctx->be, 0, domid) &&
            d0_facts_domain(&ctx->facts, domid) &&
            !d0_place_decide(ctx, domid, &c->p);
    return c->ok ? &c->p : NULL;
}

static bool seen_before(struct d0_backend_state *st, pid_t pid)
{
    for (unsigned i = 0; i < st->nr_seen; i++)
        if (st->seen[i] == pid)
            return true;
    if (st->nr_seen < sizeof(st->seen) / sizeof(st->seen[0]))
        st->seen[st->nr_seen++] = pid;
    return false;
}

/* Moves one backend process; returns the domid of a new blkback thread
 * (for the IRQ matching), -1 otherwise. */
static int place_one(dom0c_ctx *ctx, struct d0_backend_state *st,
                     const struct d0_proc *p, struct placed_domain *cache,
                     unsigned *nr_cache, unsigned *moves)
{
    int domid = -1;
    char cg[64];
    d0_cpuset one;
    const struct d0_placement *pl;
    bool blkback;

    if (d0_classify(p, &ctx->cfg, &domid) != D0_CLASS_T3 || domid <= 0)
        return -1;
    pl = where(ctx, (uint32_t)domid, cache, nr_cache);
    blkback = p->kthread && strncmp(p->comm, "vif", 3);
    bool fresh = blkback && !seen_before(st, p->pid);
    if (!pl)
        return fresh ? domid : -1;
    d0_cg_leaf(cg, sizeof(cg), (unsigned)pl->node, (uint32_t)domid);
    d0_cpuset_zero(&one);
    d0_cpuset_set(&one, (unsigned)pl->dom0_vcpu);
    if (strcmp(p->cgroup, cg)) {
        int rc = ctx->be.ops->cg_mkdir(ctx->be.h, cg);
        if ((!rc || rc == -EEXIST) && !d0_move_pid(ctx, p->pid, cg, &one))
            (*moves)++;
    } else if (!d0_cpuset_empty(&p->allowed) &&
               !d0_cpuset_equal(&p->allowed, &one) &&
               !ctx->be.ops->affinity(ctx->be.h, p->pid, &one)) {
        (*moves)++;             /* follows the domU's vCPU, as its IRQ */
    }
    return fresh ? domid : -1;
}

static void irq_reset(struct d0_backend_state *st, unsigned i,
                      const struct d0_irq *q)
{
    st->irq[i].irq = q->irq;
    st->irq[i].domid = -1;
    st->irq[i].vcpu = -1;
    st->irq[i].age = 0;
    snprintf(st->irq[i].name, sizeof(st->irq[i].name), "%s", q->name);
}

/* The slot of an IRQ; *fresh when it is new, or its number now carries
 * another event channel (the old one was closed, e.g. by a migration). */
static int irq_slot(struct d0_backend_state *st, const struct d0_irq *q,
                    bool *fresh)
{
    unsigned i = 0;

    while (i < st->nr_irqs && st->irq[i].irq != q->irq)
        i++;
    if (i == st->nr_irqs) {
        if (st->nr_irqs == D0_MAX_IRQS)
            return -1;
        st->nr_irqs++;
        irq_reset(st, i, q);
        *fresh = true;
    } else if (strcmp(st->irq[i].name, q->name)) {
        irq_reset(st, i, q);
        *fresh = true;
    }
    st->irq[i].listed = true;
    return (int)i;
}

/* IRQs gone from /proc/interrupts are forgotten. */
static void forget_unlisted(struct d0_backend_state *st)
{
    unsigned keep = 0;

    for (unsigned i = 0; i < st->nr_irqs; i++) {
        if (st->irq[i].listed)
            st->irq[keep++] = st->irq[i];
        st->irq[i].listed = false;
    }
    st->nr_irqs = keep;
    for (unsigned i = 0; i < keep; i++)
        st->irq[i].listed = false;
}

/*
 * Owner of a xen IRQ: by name (netback), or, for a blkif-backend IRQ seen
 * for at most 2 periods, the one domU whose blkback threads came up in
 * the last 2 periods (a connect's thread and IRQ may straddle a period).
 */
#define CONNECT_WINDOW 2

static int irq_owner(const struct d0_backend_state *st, const struct d0_irq *q,
                     unsigned age)
{
    int domid = d0_irq_domid(q);

    if (domid > 0)
        return domid;
    if (age <= CONNECT_WINDOW && st->recent_blk > 0 &&
        st->recent_age <= CONNECT_WINDOW && !strcmp(q->name, "blkif-backend"))
        return st->recent_blk;
    return -1;
}

static bool quiescing(dom0c_ctx *ctx, uint32_t domid)
{
    const struct d0_domain *d = d0_facts_domain(&ctx->facts, domid);

    return !d || d->quiescing;
}

static void place_irqs(dom0c_ctx *ctx, struct d0_backend_state *st,
                       int new_blk, struct placed_domain *cache,
                       unsigned *nr_cache, unsigned *moves)
{
    struct d0_irq *q = NULL;
    unsigned nr = 0;

    if (ctx->be.ops->irqs(ctx->be.h, &q, &nr))
        return;
    for (unsigned i = 0; i < nr; i++) {
        bool fresh = false;
        /* Only event channels bound to a domU (xen-dyn*): per-CPU VIRQs
         * and IPIs (xen-percpu) must never move. */
        int s = strncmp(q[i].chip, "xen-dyn", 7) ? -1
                                                 : irq_slot(st, &q[i], &fresh);
        if (s < 0)
            continue;
        const struct d0_placement *pl = st->irq[s].domid > 0
            ? where(ctx, (uint32_t)st->irq[s].domid, cache, nr_cache) : NULL;
        if (!pl && st->irq[s].domid > 0)
            irq_reset(st, (unsigned)s, &q[i]);  /* its domU is gone */
        if (st->irq[s].domid < 0)
            st->irq[s].domid = irq_owner(st, &q[i], st->irq[s].age);
        if (!pl && st->irq[s].domid > 0)
            pl = where(ctx, (uint32_t)st->irq[s].domid, cache, nr_cache);
        /* An event channel moves only once it has been listed for a
         * period, and never while its domU is paused, suspending or
         * dying: its backend may be connecting or tearing down. */
        if (!pl || pl->dom0_vcpu == st->irq[s].vcpu || st->irq[s].age < 1 ||
            quiescing(ctx, (uint32_t)st->irq[s].domid))
            continue;
        d0_cpuset one;
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, (unsigned)pl->dom0_vcpu);
        if (!ctx->be.ops->irq_affinity(ctx->be.h, q[i].irq, &one)) {
            st->irq[s].vcpu = pl->dom0_vcpu;
            (*moves)++;
        }
    }
    forget_unlisted(st);
    for (unsigned i = 0; i < st->nr_irqs; i++)
        st->irq[i].age++;
    free(q);
}

/* From the stat alone: could it be a backend (or irqbalance, warned of)?
 * The full record (cmdline, exe, cgroup, affinity) is read only then. */
static bool maybe_backend(const struct d0_proc *p)
{
    if (p->kthread)
        return d0_backend_domid(p) > 0;
    return !strcmp(p->comm, "xen-qemu-system") ||
           !strncmp(p->comm, "qemu-system-", 12) ||
           !strcmp(p->comm, "irqbalance");
}

int d0_place_backends(dom0c_ctx *ctx, struct d0_backend_state *st,
                      unsigned *moves)
{
    struct placed_domain *cache = calloc(D0_IO_MAX_DOMAINS, sizeof(*cache));
    struct d0_proc *procs = NULL;
    unsigned nr = 0, nr_cache = 0, n = 0;
    int new_blk = -1;
    int rc = cache ? ctx->be.ops->procs(ctx->be.h, maybe_backend, &procs,
                                          &nr) : -ENOMEM;

    for (unsigned i = 0; !rc && i < nr; i++) {
        int d = place_one(ctx, st, &procs[i], cache, &nr_cache, &n);
        if (d > 0)
            new_blk = new_blk == -1 || new_blk == d ? d : -2;
        if (!strcmp(procs[i].comm, "irqbalance") && !st->irqbalance_warned) {
            D0_WARN(ctx->lg, "irqbalance runs (pid %d): it will move the "
                    "domUs' event-channel IRQs away again; ban them or stop "
                    "it", (int)procs[i].pid);
            st->irqbalance_warned = true;
        }
    }
    if (new_blk == -2)
        D0_WARN(ctx->lg, "several domUs connected their disks at once: "
                "their blkif-backend IRQs are left where they are");
    if (new_blk != -1) {
        st->recent_blk = new_blk;
        st->recent_age = 0;
    } else {
        st->recent_age++;
    }
    if (!rc)
        place_irqs(ctx, st, new_blk, cache, &nr_cache, &n);
    st->first = false;
    if (moves)
        *moves += n;
    free(procs);
    free(cache);
    return rc;
}
