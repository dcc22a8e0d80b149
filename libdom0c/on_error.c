/*
 * on_error.c - dom0c.conf's on_error for the steps a toolstack takes
 * around libdom0c (building its request, applying a decision to its own
 * config): the same policy as the library's own steps.
 */
#include "ctx.h"

int dom0c_on_error(dom0c_ctx *ctx, const char *what, uint32_t domid, int rc)
{
    return d0_on_error(ctx, what ? what : "operation", domid, rc);
}
