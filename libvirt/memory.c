/*
 * memory.c - virsh setmem and setmaxmem on a running domain
 * (libxl_set_memory_target, libxl_domain_setmaxmem).  libvirt's numbers
 * are what the domU asks for, M, as at its start; dom0c keeps carving:
 *
 *   setmem X     dom0c_resize: the ledger's requested_mb = X, given_mb
 *                = X - n*eps; the domU's target X - n*eps - its I/O
 *                reserve, which dom0cd's levels go on from (resize.c)
 *   setmaxmem Y  Y - n*eps, as the create carved the maximum: Xen's
 *                ceiling never holds what dom0 keeps for the domU
 *
 * Passed through untouched: a domain dom0c holds nothing for, dom0,
 * relative or unenforced targets (libvirt sends neither), libdom0c's own
 * calls (shim_busy).  A new target below domu_min_memory once carved is
 * refused (ERROR_INVAL).  Other failures follow on_error: strict fails
 * the call, degrade sets what libvirt asked.  KiB are rounded down to
 * whole MB, the ledger's unit.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

/* Open, opted in, and the uuid of a domU known: else pass through. */
static bool begin(struct shim_call *c, libxl_ctx *ctx, uint32_t domid,
                  const char *what, char uuid[37])
{
    if (!shim_begin(c, what))
        return false;
    return !shim_domain_uuid(ctx, domid, uuid);
}

static int resize(struct shim_call *c, libxl_ctx *ctx, uint32_t domid,
                  int64_t target_kb)
{
    const struct shim_real *real = shim_real();
    char uuid[37];
    int rc;

    if (!begin(c, ctx, domid, "setmem", uuid))
        return real->set_memory_target(ctx, domid, target_kb, 0, 1);
    rc = dom0c_resize(c->dc, domid, uuid, (uint64_t)target_kb >> 10);
    if (!rc)
        return 0;
    if (rc == -EDOM)
        return ERROR_INVAL;         /* libdom0c said why */
    if (rc != -ENOENT && dom0c_on_error(c->dc, "setmem", domid, rc)) {
        shim_say(&c->log, XTL_ERROR, "setmem of domain %u refused: dom0c "
                 "could not carve it (%s)", domid, strerror(-rc));
        return ERROR_FAIL;
    }
    return real->set_memory_target(ctx, domid, target_kb, 0, 1);
}

int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid,
                            int64_t target_memkb, int relative, int enforce)
{
    const struct shim_real *real = shim_real();
    struct shim_call c;
    int rc;

    if (!real->set_memory_target)
        return shim_missing("libxl_set_memory_target");
    if (shim_busy() || relative || !enforce || target_memkb < 0 ||
        !libxl_domid_valid_guest(domid))
        return real->set_memory_target(ctx, domid, target_memkb, relative,
                                       enforce);
    rc = resize(&c, ctx, domid, target_memkb);
    shim_end(&c);
    return rc;
}

/* Y less what the create carved (n*eps), when dom0c holds the domU. */
static int carved_max(struct shim_call *c, libxl_ctx *ctx, uint32_t domid,
                      uint64_t *max_kb)
{
    dom0c_decision d;
    char uuid[37];
    uint64_t carved_kb;
    int rc;

    if (!begin(c, ctx, domid, "setmaxmem", uuid))
        return 0;
    rc = dom0c_reservation(c->dc, domid, uuid, &d);
    if (rc == -ENOENT)
        return 0;
    if (rc)
        return dom0c_on_error(c->dc, "setmaxmem", domid, rc);
    carved_kb = (d.requested_mb - d.given_mb) << 10;
    if (*max_kb > carved_kb) {
        shim_say(&c->log, XTL_DEBUG, "setmaxmem of domain %u: %llu kB, "
                 "less dom0's %llu", domid, (unsigned long long)*max_kb,
                 (unsigned long long)carved_kb);
        *max_kb -= carved_kb;
    }
    return 0;
}

int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid,
                           uint64_t target_memkb)
{
    const struct shim_real *real = shim_real();
    struct shim_call c;
    int rc;

    if (!real->setmaxmem)
        return shim_missing("libxl_domain_setmaxmem");
    if (shim_busy() || !libxl_domid_valid_guest(domid))
        return real->setmaxmem(ctx, domid, target_memkb);
    rc = carved_max(&c, ctx, domid, &target_memkb);
    if (rc) {
        shim_say(&c.log, XTL_ERROR, "setmaxmem of domain %u refused: "
                 "dom0c could not read its reservation (%s)", domid,
                 strerror(-rc));
        rc = ERROR_FAIL;
    } else {
        rc = real->setmaxmem(ctx, domid, target_memkb);
    }
    shim_end(&c);
    return rc;
}
