/*
 * resize.c - the memory of a running, reserved domU changes (virsh
 * setmem, or any toolstack's mem-set).  Toolstacks speak of what the
 * domU asks for, M; dom0c keeps what it holds for the domU and gives it
 * the rest, exactly as at creation:
 *
 *   ledger   requested_mb = M'   given_mb = M' - (M - given_mb)
 *   domU     balloon target = given_mb - io_reserve_mb
 *
 * n*eps (M - given_mb) does not change: the domU keeps its nodes.
 * dom0cd's I/O levels set the domU to given_mb - reserve, so they go on
 * from M', not from the M of the create; a reboot or restore that asks
 * for M' again is carved to the same given_mb.  When the reserve would
 * take the domU below domu_min_memory it shrinks to what leaves the
 * minimum, and dom0 gives the difference back first.
 *
 * Example (epsilon 64, two nodes): M 2048 gives given 1920; at an I/O
 * level dom0cd holds a 256 MB reserve, the target is 1664.  setmem
 * 1024 MB: given 896, target 640.  setmem 400 MB with domu_min 128:
 * given 272, the reserve shrinks to 144, the target is 128.
 */
#include <errno.h>
#include <string.h>

#include "ctx.h"
#include "log.h"

struct resize {
    uint32_t domid;
    const char *uuid;
    uint64_t memory_mb;             /* M' */
    uint64_t min_mb;                /* domu_min_memory */
    struct d0_entry old, now;
};

static int resize_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct resize *r = arg;
    uint64_t carved;
    int rc = d0_ledger_get(b, t, r->domid, &r->old);

    if (rc)
        return rc;
    if (strcmp(r->old.uuid, r->uuid))
        return -ENOENT;             /* the domid now runs another domU */
    carved = r->old.requested_mb > r->old.given_mb
             ? r->old.requested_mb - r->old.given_mb : 0;
    if (r->memory_mb < carved + r->min_mb)
        return -EDOM;
    r->now = r->old;
    r->now.requested_mb = r->memory_mb;
    r->now.given_mb = r->memory_mb - carved;
    if (r->now.io_reserve_mb > r->now.given_mb - r->min_mb)
        r->now.io_reserve_mb = r->now.given_mb - r->min_mb;
    return d0_ledger_put(b, t, &r->now);
}

/* Puts the entry back as it was, unless the domU went meanwhile. */
static int undo_txn(struct d0_backend *b, d0_txn t, void *arg)
{
    struct resize *r = arg;
    struct d0_entry cur;
    int rc = d0_ledger_get(b, t, r->domid, &cur);

    if (rc || strcmp(cur.uuid, r->old.uuid))
        return rc == -ENOENT ? 0 : rc;
    return d0_ledger_put(b, t, &r->old);
}

/* dom0 first when it gives part of the reserve back, then the domU. */
static int resize_effects(dom0c_ctx *ctx, const struct resize *r)
{
    uint64_t target_mb = r->now.given_mb - r->now.io_reserve_mb;
    struct d0_layout planned;
    int rc = 0;

    if (r->now.io_reserve_mb < r->old.io_reserve_mb) {
        rc = d0_planned_now(ctx, &planned);
        if (!rc)
            rc = d0_apply_memory(ctx, &planned, NULL);
    }
    if (rc)
        return rc;
    D0_DEBUG(ctx->lg, "domain %u: asks %llu MB, gets %llu (I/O reserve "
             "%llu MB)", r->domid, (unsigned long long)r->memory_mb,
             (unsigned long long)target_mb,
             (unsigned long long)r->now.io_reserve_mb);
    rc = ctx->be.ops->domu_target_set(ctx->be.h, r->domid, target_mb << 10);
    if (rc)
        D0_ERR(ctx->lg, -rc, "setting domain %u's memory target to %llu "
               "MB", r->domid, (unsigned long long)target_mb);
    return rc;
}

static void resize_undo(dom0c_ctx *ctx, struct resize *r)
{
    struct d0_layout planned;

    if (d0_xs_transaction(&ctx->be, undo_txn, r))
        return;                     /* reconcile repairs dom0's side */
    if (r->now.io_reserve_mb < r->old.io_reserve_mb &&
        !d0_planned_now(ctx, &planned))
        d0_apply_memory(ctx, &planned, NULL);
}

static int check(dom0c_ctx *ctx, uint32_t domid, const char *uuid)
{
    int rc = d0_ctx_need_live(ctx, "resize");

    if (!rc && (!domid || !d0_uuid_valid(uuid))) {
        D0_ERR(ctx->lg, EINVAL, "resize: domain %u, uuid '%s': expected a "
               "domU and a lower-case canonical uuid", domid,
               uuid ? uuid : "(null)");
        rc = -EINVAL;
    }
    return rc;
}

int dom0c_resize(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                 uint64_t memory_mb)
{
    struct resize r = { .domid = domid, .uuid = uuid,
                        .memory_mb = memory_mb };
    int rc = check(ctx, domid, uuid);

    if (rc)
        return rc;
    r.min_mb = ctx->cfg.domu_min_mb;
    rc = d0_xs_transaction(&ctx->be, resize_txn, &r);
    if (rc == -EDOM)
        D0_ERR(ctx->lg, -1, "domain %u: %llu MB leaves it %lld MB once "
               "dom0 keeps its %llu MB, below domu_min_memory (%llu MB)",
               domid, (unsigned long long)memory_mb,
               (long long)memory_mb -
               (long long)(r.old.requested_mb - r.old.given_mb),
               (unsigned long long)(r.old.requested_mb - r.old.given_mb),
               (unsigned long long)r.min_mb);
    else if (rc && rc != -ENOENT)
        D0_ERR(ctx->lg, -rc, "resizing domain %u in %s", domid,
               D0_LEDGER_ROOT);
    if (rc)
        return rc;
    rc = resize_effects(ctx, &r);
    if (rc)
        resize_undo(ctx, &r);
    return rc;
}
