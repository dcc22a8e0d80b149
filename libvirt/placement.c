/*
 * placement.c - libxl_domain_suspend (virsh save, managedsave, the
 * source of a migration) and libxl_domain_destroy (virsh destroy,
 * shutdown, the source after a migration), placed next to the domU by
 * Algorithm 2 without moving libvirtd:
 *
 *   before  dom0c_locate: the domU's leaf cgroup and dom0 vCPU; this
 *           thread pinned to that vCPU; the fork handler armed
 *   call    the children libxl forks (destroy child, save helper,
 *           hotplug scripts) move into the leaf and onto the vCPU
 *   after   the thread's mask back, the handler disarmed; after a
 *           destroy, dom0c_release with the uuid taken before it
 *
 * A placement that cannot be made never fails the call, as in xl: it
 * is said and the call runs unplaced.  A failed release is said too:
 * dom0c reconcile (dom0cd, the libvirt hook) repairs it.
 */
#include <errno.h>
#include <string.h>

#include "shim.h"

struct around {
    struct shim_call call;
    bool armed;
    struct shim_affinity aff;
    char uuid[37];                  /* "" when unknown */
};

static const char *op_name(dom0c_op op)
{
    switch (op) {
    case DOM0C_OP_MIGRATE: return "migration";
    case DOM0C_OP_SAVE: return "save";
    case DOM0C_OP_DESTROY: return "destroy";
    case DOM0C_OP_RESTORE: return "restore";
    }
    return "operation";
}

/* This thread onto the vCPU, its children into the leaf. */
static void pin(struct around *a, uint32_t domid, const dom0c_spot *s)
{
    int rc = shim_arm(s);

    a->armed = !rc;
    if (rc)
        shim_say(&a->call.log, XTL_WARN, "%s of domain %u: its children "
                 "stay unplaced (%s)", a->call.what, domid, strerror(-rc));
    rc = shim_affinity_pin(&a->aff, s->dom0_vcpu);
    shim_say(&a->call.log, XTL_DEBUG, "%s of domain %u: children into %s, "
             "dom0 vCPU %d; this thread %s", a->call.what, domid,
             s->cgroup_dir, s->dom0_vcpu, rc ? "keeps its CPUs (its "
             "cgroup's cpuset does not hold that vCPU)" : "pinned to it");
}

static void before(struct around *a, libxl_ctx *ctx, uint32_t domid,
                   dom0c_op op)
{
    dom0c_spot s;
    int rc;

    if (!shim_begin(&a->call, op_name(op)) ||
        !libxl_domid_valid_guest(domid))
        return;
    if (shim_domain_uuid(ctx, domid, a->uuid) ||
        shim_domain_opted_out(ctx, domid)) {
        a->uuid[0] = '\0';
        return;                     /* no such domain, or left alone */
    }
    rc = dom0c_locate(a->call.dc, domid, op, &s);
    if (rc)
        shim_say(&a->call.log, XTL_WARN, "%s of domain %u runs unplaced "
                 "(%s)", a->call.what, domid, strerror(-rc));
    else
        pin(a, domid, &s);
}

static void after(struct around *a)
{
    if (a->armed)
        shim_disarm();
    a->armed = false;
    shim_affinity_restore(&a->aff);
}

int libxl_domain_suspend(libxl_ctx *ctx, uint32_t domid, int fd, int flags,
                         const libxl_asyncop_how *ao_how)
{
    const struct shim_real *real = shim_real();
    struct around a = { .armed = false };
    int rc;

    if (!real->suspend)
        return shim_missing("libxl_domain_suspend");
    if (shim_busy() || shim_async(ao_how, "suspend"))
        return real->suspend(ctx, domid, fd, flags, ao_how);
    before(&a, ctx, domid, flags & LIBXL_SUSPEND_LIVE ? DOM0C_OP_MIGRATE
                                                      : DOM0C_OP_SAVE);
    rc = real->suspend(ctx, domid, fd, flags, ao_how);
    after(&a);
    shim_end(&a.call);
    return rc;
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how)
{
    const struct shim_real *real = shim_real();
    struct around a = { .armed = false };
    int rc;

    if (!real->destroy)
        return shim_missing("libxl_domain_destroy");
    if (shim_busy() || shim_async(ao_how, "destroy"))
        return real->destroy(ctx, domid, ao_how);
    before(&a, ctx, domid, DOM0C_OP_DESTROY);
    rc = real->destroy(ctx, domid, ao_how);
    after(&a);
    if (!rc && a.call.dc && a.uuid[0] &&
        dom0c_release(a.call.dc, domid, a.uuid))
        shim_say(&a.call.log, XTL_WARN, "domain %u: dom0's share was not "
                 "given back; dom0c reconcile does it", domid);
    shim_end(&a.call);
    return rc;
}
