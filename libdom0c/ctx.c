/*
 * ctx.c - the public handle: open/close, and the decisions a toolstack
 * asks for.  Effects (commit, place, release, reconcile) go through the
 * backend's ops table; an offline context (facts from a file) has none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "log.h"

static int load_facts(dom0c_ctx *ctx, const dom0c_open_args *args)
{
    char err[256];
    int rc;

    if (!args->topology_path) {
        D0_ERR(ctx->lg, -1, "no live Xen backend in this build: "
               "open with a topology file (dom0c_open_args.topology_path)");
        return -EOPNOTSUPP;
    }
    rc = d0_facts_load(args->topology_path, &ctx->facts, err, sizeof(err));
    if (rc)
        D0_ERR(ctx->lg, -1, "%s", err);
    return rc;
}

static int load_config(dom0c_ctx *ctx, const dom0c_open_args *args)
{
    char err[512];
    const char *path = args->config_path ? args->config_path
                                         : D0_DEFAULT_CONFIG;
    int rc = d0_config_load(path, args->config_path != NULL, &ctx->cfg, err,
                            sizeof(err));

    if (rc)
        D0_ERR(ctx->lg, -1, "%s", err);
    return rc;
}

int dom0c_open(const dom0c_open_args *args, xentoollog_logger *lg,
               dom0c_ctx **ctx_out)
{
    static const dom0c_open_args none;
    dom0c_ctx *ctx = calloc(1, sizeof(*ctx));
    int rc;

    if (!ctx)
        return -ENOMEM;
    if (!args)
        args = &none;
    ctx->lg = lg;
    ctx->offline = args->topology_path != NULL;
    rc = load_config(ctx, args);
    if (!rc)
        rc = load_facts(ctx, args);
    if (rc)
        goto out;
    d0_policy_layout(&ctx->facts, &ctx->cfg, &ctx->layout);
    d0_policy_load(&ctx->facts, &ctx->layout, &ctx->load);
    *ctx_out = ctx;
    ctx = NULL;
out:
    dom0c_close(ctx);
    return rc;
}

void dom0c_close(dom0c_ctx *ctx)
{
    if (!ctx)
        return;
    d0_facts_clear(&ctx->facts);
    free(ctx);
}

int dom0c_prepare(dom0c_ctx *ctx, const dom0c_request *req,
                  dom0c_decision *out)
{
    dom0c_decision d;

    if (!req || !out) {
        D0_ERR(ctx->lg, EINVAL, "dom0c_prepare: request and decision "
               "must not be NULL");
        return -EINVAL;
    }
    d0_policy_prepare(&ctx->load, &ctx->layout, &ctx->cfg, &ctx->facts,
                      req, &d);
    *out = d;
    return 0;
}

/* The effects below need a live backend; an offline context has none. */
static int no_backend(dom0c_ctx *ctx, const char *what)
{
    D0_ERR(ctx->lg, -1, "%s: this context plans offline (facts from %s) "
           "and changes nothing on the host", what, ctx->facts.source);
    return -EOPNOTSUPP;
}

int dom0c_commit(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                 const dom0c_decision *decision)
{
    return no_backend(ctx, "commit");
}

int dom0c_place(dom0c_ctx *ctx, uint32_t domid, dom0c_op op)
{
    return no_backend(ctx, "place");
}

int dom0c_release(dom0c_ctx *ctx, uint32_t domid, const char *uuid)
{
    return no_backend(ctx, "release");
}

int dom0c_reconcile(dom0c_ctx *ctx, dom0c_reconcile_report *out)
{
    return no_backend(ctx, "reconcile");
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
    }
    return "unknown";
}
