/*
 * save_helper.c - dom0c-save-helper: what libxl runs instead of
 * libxl-save-helper when LIBXL_SAVE_HELPER names it (libvirtd's
 * drop-in sets it; xl honours it too).  It places itself for the domU
 * of its argv (Algorithm 2, dom0c_place: the leaf cgroup, then the dom0
 * vCPU; this process alone, it may move), then becomes the real helper
 * with execv, same argv, same fds, so the save or restore stream, its
 * copy and compression run next to the domU.  It covers the helper that
 * a libvirtd event loop thread forks, which the shim's fork handler
 * does not see, and a restore, whose domid only exists by now.
 *
 * Placement never breaks a save: any failure is said on stderr and the
 * real helper runs anyway.  stdout is libxl's message pipe: never
 * written here.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "shim.h"

#ifndef DOM0C_REAL_SAVE_HELPER
#define DOM0C_REAL_SAVE_HELPER "/usr/lib/xen-4.17/bin/libxl-save-helper"
#endif

static void place(struct shim_log *lg, uint32_t domid, dom0c_op op)
{
    dom0c_ctx *dc = NULL;
    int rc = dom0c_open(NULL, &lg->vt, &dc);

    if (!rc && dom0c_ready(dc)) {
        shim_say(lg, XTL_DEBUG, "not initialised on this host (dom0c "
                 "init): domain %u's helper runs unplaced", domid);
    } else if (!rc) {
        rc = dom0c_place(dc, domid, op);
    }
    if (rc)
        shim_say(lg, XTL_WARN, "domain %u's %s helper runs unplaced (%s)",
                 domid, op == DOM0C_OP_RESTORE ? "restore" : "save",
                 strerror(-rc));
    dom0c_close(dc);
}

int main(int argc, char **argv)
{
    char *real = (char *)DOM0C_REAL_SAVE_HELPER, *alone[] = { real, NULL };
    struct shim_log lg;
    char err[256];
    uint32_t domid;
    dom0c_op op;

    shim_log_open(&lg, "dom0c-save-helper");
    if (shim_helper_args(argc, argv, &domid, &op, err, sizeof(err)))
        shim_say(&lg, XTL_ERROR, "%s; running %s unplaced", err,
                 DOM0C_REAL_SAVE_HELPER);
    else
        place(&lg, domid, op);
    shim_log_close(&lg);
    if (argc > 0)
        argv[0] = real;
    execv(DOM0C_REAL_SAVE_HELPER, argc > 0 ? argv : alone);
    fprintf(stderr, "dom0c-save-helper: running %s: %s\n",
            DOM0C_REAL_SAVE_HELPER, strerror(errno));
    return 127;
}
