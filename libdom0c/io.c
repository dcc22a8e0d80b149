/*
 * io.c - Algorithm 1 applied, one period at a time: each reserved domU's
 * I/O rate (from its backends' counters) moves it between the configured
 * levels; each level crossed upward moves that level's reserve from the
 * domU (balloon target down) to dom0 (target and node container up), and
 * falling back gives it back.  The level and the reserve are kept in the
 * ledger, so a restarted daemon resumes exactly where it was.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "io.h"
#include "log.h"

static struct d0_io_sample *sample_of(struct d0_io_state *st,
                                      const struct d0_entry *e)
{
    for (unsigned i = 0; i < st->nr; i++)
        if (st->s[i].domid == e->domid && !strcmp(st->s[i].uuid, e->uuid))
            return &st->s[i];
    if (st->nr == D0_IO_MAX_DOMAINS)
        return NULL;
    struct d0_io_sample *s = &st->s[st->nr++];
    memset(s, 0, sizeof(*s));
    s->domid = e->domid;
    memcpy(s->uuid, e->uuid, sizeof(s->uuid));
    return s;
}

/* KiB/s since the last sample; -1 for a first (or reset) sample. */
static double rate_of(dom0c_ctx *ctx, struct d0_io_sample *s, uint32_t domid,
                      double now)
{
    uint64_t bytes;
    int rc = ctx->be.ops->io_bytes(ctx->be.h, domid, &bytes);
    double rate = -1;

    if (rc) {
        if (rc != -ENOENT && !s->warned)
            D0_WARN(ctx->lg, "domain %u: unreadable I/O counters (%s); "
                    "its I/O level stays as it is", domid, strerror(-rc));
        s->warned = rc != -ENOENT;
        return -1;
    }
    if (s->valid && bytes >= s->bytes && now > s->t)
        rate = (double)(bytes - s->bytes) / 1024.0 / (now - s->t);
    s->bytes = bytes;
    s->t = now;
    s->valid = true;
    s->rate_kbps = rate < 0 ? 0 : rate;
    return rate;
}

struct level_move {
    struct d0_entry e;
    unsigned level;
    int64_t delta_mb;
};

static int move_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct level_move *m = arg;
    struct d0_entry now;
    int rc = d0_ledger_get(b, t, m->e.domid, &now);

    if (rc || strcmp(now.uuid, m->e.uuid))
        return rc ? rc : -ESTALE;
    now.io_level = m->level;
    now.io_reserve_mb = (uint64_t)((int64_t)now.io_reserve_mb + m->delta_mb);
    m->e = now;
    return d0_ledger_put(b, t, &now);
}

/* Ledger first, then memory: the domU shrinks before dom0 grows. */
static int apply_move(dom0c_ctx *ctx, struct level_move *m)
{
    struct d0_layout planned;
    int rc = d0_xs_transaction(&ctx->be, move_txn, m);
    uint64_t domu_mb = m->e.given_mb - m->e.io_reserve_mb;

    if (!rc && m->delta_mb > 0)
        rc = ctx->be.ops->domu_target_set(ctx->be.h, m->e.domid,
                                          domu_mb << 10);
    if (!rc) rc = d0_planned_now(ctx, &planned);
    if (!rc) rc = d0_apply_memory(ctx, &planned, NULL);
    if (!rc && m->delta_mb < 0)
        rc = ctx->be.ops->domu_target_set(ctx->be.h, m->e.domid,
                                          domu_mb << 10);
    if (rc)
        D0_ERR(ctx->lg, -rc, "domain %u: moving %lld MB for I/O level %u",
               m->e.domid, (long long)m->delta_mb, m->level);
    return rc;
}

/* The level step for one entry at rate, capped by the domU's minimum
 * and dom0's max:.  0 when nothing moves. */
static int step(dom0c_ctx *ctx, const struct d0_entry *e, double rate,
                const struct d0_layout *planned, struct level_move *m)
{
    const struct d0_domain *d0 = d0_facts_domain(&ctx->facts, 0);
    struct d0_io_step st;
    uint64_t domu_mb = e->given_mb - e->io_reserve_mb;

    d0_policy_io(&ctx->cfg, e->io_level, (uint64_t)rate, &st);
    if (st.level == e->io_level)
        return 0;
    m->e = *e;
    m->level = st.level;
    m->delta_mb = d0_policy_io_clamp(st.delta_mb, domu_mb,
                                     ctx->cfg.domu_min_mb,
                                     planned->dom0_target_mb,
                                     d0 && d0->max_mb ? d0->max_mb
                                                      : UINT64_MAX);
    if (m->delta_mb < -(int64_t)e->io_reserve_mb)
        m->delta_mb = -(int64_t)e->io_reserve_mb;
    return 1;
}

int d0_io_tick(dom0c_ctx *ctx, struct d0_io_state *st, double now,
               unsigned *moves)
{
    struct d0_entry *e = NULL;
    struct d0_layout planned;
    unsigned nr = 0;
    int rc = d0_ledger_list(&ctx->be, 0, &e, &nr);

    if (!rc)
        d0_planned(&ctx->layout, e, nr, &planned);
    for (unsigned i = 0; !rc && i < nr; i++) {
        struct d0_io_sample *s = sample_of(st, &e[i]);
        struct level_move m;
        double rate = s ? rate_of(ctx, s, e[i].domid, now) : -1;
        if (rate < 0 || !step(ctx, &e[i], rate, &planned, &m))
            continue;
        D0_LOG(ctx->lg, XTL_INFO, -1, "domain %u: I/O %.0f KiB/s, level "
               "%u -> %u: %+lld MB to dom0", e[i].domid, rate,
               e[i].io_level, m.level, (long long)m.delta_mb);
        rc = apply_move(ctx, &m);
        if (rc == -ESTALE || rc == -ENOENT)
            rc = 0;             /* the domU went meanwhile */
        if (!rc && moves)
            (*moves)++;
        if (!rc)
            rc = d0_planned_now(ctx, &planned);
    }
    free(e);
    return rc;
}
