/*
 * session.c - what every interposed call shares: a libdom0c context of
 * its own (libvirtd is multi-threaded; nothing is kept between calls),
 * the host's opt-in, the calling thread's "inside the shim" mark, and
 * the few facts read through the caller's libxl ctx.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <libxl_utils.h>

#include "shim.h"

/* Set while this thread is inside an interposed call: libdom0c's own
 * libxl_set_memory_target (dom0's and a domU's targets) passes through. */
static __thread bool inside;

bool shim_busy(void)
{
    return inside;
}

bool shim_begin(struct shim_call *c, const char *what)
{
    int rc;

    memset(c, 0, sizeof(*c));
    c->what = what;
    inside = true;
    shim_log_open(&c->log, "dom0c-shim");
    rc = dom0c_open(NULL, &c->log.vt, &c->dc);
    if (rc) {
        shim_say(&c->log, XTL_WARN, "%s: libdom0c could not be opened (%s);"
                 " going on without it", what, strerror(-rc));
        c->dc = NULL;
        return false;
    }
    if (dom0c_ready(c->dc)) {
        shim_say(&c->log, XTL_DEBUG, "%s: not initialised on this host "
                 "(dom0c init); going on without it", what);
        dom0c_close(c->dc);
        c->dc = NULL;
        return false;
    }
    return true;
}

void shim_end(struct shim_call *c)
{
    dom0c_close(c->dc);
    c->dc = NULL;
    shim_log_close(&c->log);
    inside = false;
}

bool shim_async(const void *ao_how, const char *what)
{
    struct shim_log l;

    if (!ao_how)
        return false;
    shim_log_open(&l, "dom0c-shim");
    shim_say(&l, XTL_DEBUG, "asynchronous %s (ao_how set): passed "
             "through untouched", what);
    shim_log_close(&l);
    return true;
}

int shim_domain_uuid(libxl_ctx *ctx, uint32_t domid, char uuid[37])
{
    libxl_dominfo info;
    int rc;

    libxl_dominfo_init(&info);
    rc = libxl_domain_info(ctx, &info, domid) ? -1 : 0;
    if (!rc)
        snprintf(uuid, 37, LIBXL_UUID_FMT, LIBXL_UUID_BYTES(info.uuid));
    libxl_dominfo_dispose(&info);
    return rc;
}

bool shim_domain_opted_out(libxl_ctx *ctx, uint32_t domid)
{
    libxl_domain_config c;
    bool out = false;

    libxl_domain_config_init(&c);
    if (!libxl_retrieve_domain_configuration(ctx, domid, &c, NULL))
        out = carve_opted_out(&c);
    libxl_domain_config_dispose(&c);
    return out;
}

int shim_missing(const char *name)
{
    struct shim_log l;

    shim_log_open(&l, "dom0c-shim");
    shim_say(&l, XTL_ERROR, "%s@%s: no later library defines it; is "
             "libxenlight 4.17 loaded?", name, SHIM_LIBXL_VERSION);
    shim_log_close(&l);
    return ERROR_FAIL;
}
