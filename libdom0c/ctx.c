/*
 * ctx.c - the public handle: open/close over a backend (the live host,
 * or none when planning offline on a facts file), and the decision a
 * toolstack asks for before creating a domU.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "log.h"

static int load_config(const dom0c_open_args *args, struct d0_config *cfg,
                       xentoollog_logger *lg)
{
    char err[512];
    const char *path = args->config_path ? args->config_path
                                         : D0_DEFAULT_CONFIG;
    int rc = d0_config_load(path, args->config_path != NULL, cfg, err,
                            sizeof(err));

    if (rc)
        D0_ERR(lg, -1, "%s", err);
    return rc;
}

static void recompute(dom0c_ctx *ctx)
{
    d0_policy_layout(&ctx->facts, &ctx->cfg, &ctx->layout);
    d0_policy_load(&ctx->facts, &ctx->layout, &ctx->load);
}

int d0_ctx_refresh(dom0c_ctx *ctx)
{
    struct d0_facts f = { 0 };
    int rc;

    if (!ctx->live)
        return 0;
    if (ctx->just_read) {
        struct timespec now;
        ctx->just_read = false;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (now.tv_sec - ctx->read_at.tv_sec < 1 ||
            (now.tv_sec - ctx->read_at.tv_sec == 1 &&
             now.tv_nsec < ctx->read_at.tv_nsec))
            return 0;
    }
    rc = ctx->be.ops->facts(ctx->be.h, &f);
    if (rc) {
        D0_ERR(ctx->lg, -rc, "reading the host's facts from Xen");
        return rc;
    }
    d0_facts_clear(&ctx->facts);
    ctx->facts = f;
    recompute(ctx);
    return 0;
}

int d0_ctx_open_backend(const struct d0_config *cfg, struct d0_backend be,
                        xentoollog_logger *lg, dom0c_ctx **out)
{
    dom0c_ctx *ctx = calloc(1, sizeof(*ctx));
    int rc;

    if (!ctx) {
        if (be.ops && be.ops->close)
            be.ops->close(be.h);
        return -ENOMEM;
    }
    ctx->lg = lg;
    ctx->cfg = *cfg;
    ctx->be = be;
    ctx->live = be.ops != NULL;
    rc = d0_ctx_refresh(ctx);
    if (rc) {
        dom0c_close(ctx);
        return rc;
    }
    ctx->just_read = ctx->live;
    clock_gettime(CLOCK_MONOTONIC, &ctx->read_at);
    *out = ctx;
    return 0;
}

static int open_offline(const struct d0_config *cfg, const char *path,
                        xentoollog_logger *lg, dom0c_ctx **out)
{
    struct d0_backend none = { 0 };
    char err[512];
    dom0c_ctx *ctx;
    int rc = d0_ctx_open_backend(cfg, none, lg, &ctx);

    if (rc)
        return rc;
    rc = d0_facts_load(path, &ctx->facts, err, sizeof(err));
    if (rc) {
        D0_ERR(lg, -1, "%s", err);
        dom0c_close(ctx);
        return rc;
    }
    recompute(ctx);
    *out = ctx;
    return 0;
}

int dom0c_open(const dom0c_open_args *args, xentoollog_logger *lg,
               dom0c_ctx **ctx_out)
{
    static const dom0c_open_args none;
    struct d0_config cfg;
    struct d0_backend be;
    char err[512];
    int rc;

    if (!args)
        args = &none;
    rc = load_config(args, &cfg, lg);
    if (rc)
        return rc;
    if (args->topology_path)
        return open_offline(&cfg, args->topology_path, lg, ctx_out);
    struct d0_real_args ra = { .cgroup_root = args->cgroup_root,
                               .sysroot = args->sysroot, .lg = lg };
    rc = d0_real_open(&ra, &be, err, sizeof(err));
    if (rc) {
        D0_ERR(lg, -rc, "%s", err);
        return rc;
    }
    return d0_ctx_open_backend(&cfg, be, lg, ctx_out);
}

void dom0c_close(dom0c_ctx *ctx)
{
    if (!ctx)
        return;
    if (ctx->be.ops && ctx->be.ops->close)
        ctx->be.ops->close(ctx->be.h);
    d0_facts_clear(&ctx->facts);
    free(ctx);
}

int d0_ctx_need_live(dom0c_ctx *ctx, const char *what)
{
    if (ctx->live)
        return 0;
    D0_ERR(ctx->lg, -1, "%s: this context plans offline (facts from %s) "
           "and changes nothing on the host", what, ctx->facts.source);
    return -EOPNOTSUPP;
}

int d0_on_error(dom0c_ctx *ctx, const char *what, uint32_t domid, int rc)
{
    if (!rc || rc == -EOPNOTSUPP)
        return rc;
    if (ctx->cfg.on_error == D0_ON_ERROR_DEGRADE && rc != -EINVAL) {
        D0_WARN(ctx->lg, "%s of domain %u: failed (%s); on_error=degrade, "
                "so the operation goes on without dom0c", what, domid,
                strerror(-rc));
        return 0;
    }
    return rc;
}

int dom0c_prepare(dom0c_ctx *ctx, const dom0c_request *req,
                  dom0c_decision *out)
{
    dom0c_decision d;
    int rc = 0, err = 0;

    if (!req || !out) {
        D0_ERR(ctx->lg, EINVAL, "dom0c_prepare: request and decision "
               "must not be NULL");
        return -EINVAL;
    }
    if (req->uuid && !d0_uuid_valid(req->uuid)) {
        D0_ERR(ctx->lg, EINVAL, "prepare: uuid '%s' is not a lower-case "
               "canonical uuid", req->uuid);
        return -EINVAL;
    }
    if (ctx->live)
        err = d0_prepare_live(ctx, req, &d);
    else
        d0_policy_prepare(&ctx->load, &ctx->layout, &ctx->cfg, &ctx->facts,
                          req, &d);
    rc = d0_on_error(ctx, "prepare", 0, err);
    if (!rc && err) {               /* degraded: nothing decided */
        memset(&d, 0, sizeof(d));
        d.verdict = DOM0C_UNAVAILABLE;
        d.requested_mb = d.given_mb = req->memory_mb;
        snprintf(d.why, sizeof(d.why), "dom0c failed (%s) and on_error = "
                 "degrade: the domain goes on without dom0c",
                 strerror(-err));
    }
    if (!rc)
        *out = d;
    return rc;
}

int dom0c_ready(dom0c_ctx *ctx)
{
    if (!ctx->live)
        return -EOPNOTSUPP;
    return d0_ledger_ready(&ctx->be, 0);
}

const char *dom0c_verdict_name(dom0c_verdict v)
{
    switch (v) {
    case DOM0C_OK: return "ok";
    case DOM0C_NO_NODE_FITS: return "no-node-fits";
    case DOM0C_BELOW_MINIMUM: return "below-minimum";
    case DOM0C_NO_DOMU_CPUS: return "no-domu-cpus";
    case DOM0C_TOO_MANY_NODES: return "too-many-nodes";
    case DOM0C_BAD_REQUEST: return "bad-request";
    case DOM0C_UNAVAILABLE: return "unavailable";
    }
    return "unknown";
}
