/*
 * create.c - libxl_domain_create_new and libxl_domain_create_restore
 * as libvirt calls them (virsh start, restore, the target of a
 * migration, a reboot), the way the patched xl creates:
 *
 *   dom0c_prepare     nodes chosen, M - n*eps carved (a pending intent)
 *   config            memory, nodemap, affinity applied (apply.c)
 *   the real call     libxl builds the domain; a restore's helper is
 *                     placed by dom0c-save-helper, never libvirtd
 *   dom0c_commit      the reservation recorded; a restored domain is
 *                     ballooned down to M - n*eps
 *
 * Refused (ERROR_FAIL, said with the domain's name and why, nothing
 * reserved): a domain no node set fits, and under on_error = strict any
 * failure of dom0c.  Under degrade a failure is said and the domain is
 * created as libvirt asked.  A failed create drops the intent; a commit
 * that fails after the create destroys the new domain (as xl does).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "shim.h"

struct create {
    struct shim_call call;
    bool active;                    /* dom0c carved this config */
    bool incoming;                  /* restore or incoming migration */
    const char *name;
    char uuid[37];
    dom0c_decision d;
    uint64_t balloon_kb;
};

static int __attribute__((format(printf, 2, 3)))
refuse(struct create *cr, const char *fmt, ...)
{
    char why[512];
    va_list al;

    va_start(al, fmt);
    vsnprintf(why, sizeof(why), fmt, al);
    va_end(al);
    shim_say(&cr->call.log, XTL_ERROR, "domain %s is not %s: %s", cr->name,
             cr->incoming ? "restored" : "created", why);
    return ERROR_FAIL;
}

static int sizes(libxl_ctx *ctx, struct carve_sizes *sz)
{
    int cpus = libxl_get_max_cpus(ctx), nodes = libxl_get_max_nodes(ctx);

    if (cpus <= 0 || nodes <= 0)
        return -EIO;
    sz->max_cpus = (unsigned)cpus;
    sz->max_nodes = (unsigned)nodes;
    return 0;
}

/* The decision into the config; a failure drops the intent, then fails
 * the create (strict) or leaves the config as it was (degrade). */
static int carve(struct create *cr, libxl_ctx *ctx, libxl_domain_config *c)
{
    struct carve_sizes sz;
    int rc = sizes(ctx, &sz);

    if (!rc)
        rc = carve_apply(c, &cr->d, cr->incoming, &sz, &cr->balloon_kb);
    if (!rc) {
        cr->active = true;
        shim_say(&cr->call.log, XTL_INFO, "%s gets %llu of %llu MB on "
                 "nodes 0x%llx; dom0 keeps %llu MB per node", cr->name,
                 (unsigned long long)cr->d.given_mb,
                 (unsigned long long)cr->d.requested_mb,
                 (unsigned long long)cr->d.nodemap,
                 (unsigned long long)cr->d.epsilon_mb);
        return 0;
    }
    dom0c_release(cr->call.dc, 0, cr->uuid);
    if (dom0c_on_error(cr->call.dc, cr->call.what, 0, rc))
        return refuse(cr, "its libxl config could not be carved (%s)",
                      strerror(-rc));
    return 0;
}

/* Before the real call: 0 to make it (carved or as libvirt asked), or
 * ERROR_FAIL when refused. */
static int before(struct create *cr, libxl_ctx *ctx, libxl_domain_config *c)
{
    dom0c_request req;
    int rc;

    cr->name = c->c_info.name ? c->c_info.name : "(unnamed)";
    if (!shim_begin(&cr->call, cr->incoming ? "restore" : "create"))
        return 0;
    if (carve_opted_out(c)) {
        shim_say(&cr->call.log, XTL_DEBUG, "%s: dom0c = 0, left alone",
                 cr->name);
        return 0;
    }
    carve_request(c, &req, cr->uuid);
    rc = dom0c_prepare(cr->call.dc, &req, &cr->d);
    if (rc)                         /* strict: degrade gave 0 */
        return refuse(cr, "dom0c could not reserve its share (%s)",
                      strerror(-rc));
    if (cr->d.verdict == DOM0C_UNAVAILABLE) {  /* degrade: as asked */
        shim_say(&cr->call.log, XTL_WARN, "%s: %s", cr->name, cr->d.why);
        return 0;
    }
    if (cr->d.verdict != DOM0C_OK)
        return refuse(cr, "dom0c cannot place it: %s", cr->d.why);
    return carve(cr, ctx, c);
}

/* A commit that failed after the create: the domain goes (as xl's
 * error path), nothing stays reserved. */
static int undo_create(struct create *cr, libxl_ctx *ctx, uint32_t *domid)
{
    const struct shim_real *real = shim_real();

    if (real->destroy)
        real->destroy(ctx, *domid, NULL);
    dom0c_release(cr->call.dc, *domid, cr->uuid);
    *domid = INVALID_DOMID;
    return refuse(cr, "dom0c could not record its reservation; the new "
                  "domain was destroyed");
}

/* After the real call (rc): commit, or drop the intent. */
static int after(struct create *cr, libxl_ctx *ctx, uint32_t *domid, int rc)
{
    const struct shim_real *real = shim_real();

    if (!cr->active)
        return rc;
    if (rc) {
        dom0c_release(cr->call.dc, libxl_domid_valid_guest(*domid)
                                   ? *domid : 0, cr->uuid);
        return rc;
    }
    if (dom0c_commit(cr->call.dc, *domid, cr->uuid, &cr->d))
        return undo_create(cr, ctx, domid);
    if (cr->balloon_kb && real->set_memory_target &&
        real->set_memory_target(ctx, *domid, (int64_t)cr->balloon_kb, 0, 1))
        shim_say(&cr->call.log, XTL_WARN, "domain %u could not be "
                 "ballooned to %llu kB", *domid,
                 (unsigned long long)cr->balloon_kb);
    return 0;
}

int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
                            uint32_t *domid,
                            const libxl_asyncop_how *ao_how,
                            const libxl_asyncprogress_how *aop_console_how)
{
    const struct shim_real *real = shim_real();
    struct create cr = { .incoming = false };
    int rc;

    if (!real->create_new)
        return shim_missing("libxl_domain_create_new");
    if (shim_busy() || !d_config || !domid || shim_async(ao_how, "create"))
        return real->create_new(ctx, d_config, domid, ao_how,
                                aop_console_how);
    rc = before(&cr, ctx, d_config);
    if (!rc)
        rc = after(&cr, ctx, domid, real->create_new(ctx, d_config, domid,
                                                     ao_how,
                                                     aop_console_how));
    shim_end(&cr.call);
    return rc;
}

int libxl_domain_create_restore(libxl_ctx *ctx,
                                libxl_domain_config *d_config,
                                uint32_t *domid, int restore_fd,
                                int send_back_fd,
                                const libxl_domain_restore_params *params,
                                const libxl_asyncop_how *ao_how,
                                const libxl_asyncprogress_how *aop_console_how)
{
    const struct shim_real *real = shim_real();
    struct create cr = { .incoming = true };
    int rc;

    if (!real->create_restore)
        return shim_missing("libxl_domain_create_restore");
    if (shim_busy() || !d_config || !domid || shim_async(ao_how, "restore"))
        return real->create_restore(ctx, d_config, domid, restore_fd,
                                    send_back_fd, params, ao_how,
                                    aop_console_how);
    rc = before(&cr, ctx, d_config);
    if (!rc)
        rc = after(&cr, ctx, domid,
                   real->create_restore(ctx, d_config, domid, restore_fd,
                                        send_back_fd, params, ao_how,
                                        aop_console_how));
    shim_end(&cr.call);
    return rc;
}
