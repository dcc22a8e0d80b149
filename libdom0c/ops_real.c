/*
 * ops_real.c - the real backend: the table of ops.h filled with the
 * functions of xen_ops.c, xs_ops.c, cgroup_ops.c and proc_ops.c, and the
 * roots they work under.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_real.h"

static void real_close(void *h)
{
    struct d0_real *r = h;

    d0_xen_close(r);
    d0_xs_close(r);
    if (r->cg_root >= 0)
        close(r->cg_root);
    free(r->cg_root_path);
    if (r->sys_root >= 0)
        close(r->sys_root);
    free(r);
}

static const struct d0_ops real_ops = {
    .name = "xen",
    .facts = d0_xen_facts, .target_get = d0_xen_target_get,
    .target_set = d0_xen_target_set, .pin = d0_xen_pin,
    .xs_begin = d0_xs_begin, .xs_end = d0_xs_end, .xs_read = d0_xs_read,
    .xs_write = d0_xs_write, .xs_rm = d0_xs_rm, .xs_list = d0_xs_list,
    .xs_restrict = d0_xs_restrict,
    .cg_mkdir = d0_cg_mkdir, .cg_rmdir = d0_cg_rmdir,
    .cg_read = d0_cg_read, .cg_write = d0_cg_write, .cg_list = d0_cg_list,
    .cg_path = d0_cg_path,
    .affinity = d0_proc_affinity, .procs = d0_proc_list,
    .irqs = d0_proc_irqs, .irq_affinity = d0_proc_irq_affinity,
    .pid_alive = d0_proc_pid_alive, .cpu_work = d0_proc_cpu_work,
    .self = d0_proc_self, .close = real_close,
    .domu_target_set = d0_xen_domu_target_set, .io_bytes = d0_io_bytes,
    .xs_watch = d0_xs_watch, .xs_fd = d0_xs_fd,
    .xs_next_watch = d0_xs_next_watch,
};

static int open_root(const char *path, int *fd, char *err, size_t errlen)
{
    *fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (*fd >= 0)
        return 0;
    snprintf(err, errlen, "opening %s: %m", path);
    return -errno;
}

/* The cgroup root's dirfd and its absolute path (cg_path). */
static int open_cg_root(struct d0_real *r, const char *path, char *err,
                        size_t errlen)
{
    int rc = open_root(path, &r->cg_root, err, errlen);

    if (rc)
        return rc;
    r->cg_root_path = realpath(path, NULL);
    if (r->cg_root_path)
        return 0;
    rc = -errno;
    snprintf(err, errlen, "resolving %s: %s", path, strerror(-rc));
    return rc;
}

int d0_real_open(const struct d0_real_args *a, struct d0_backend *out,
                 char *err, size_t errlen)
{
    struct d0_real *r = calloc(1, sizeof(*r));
    int rc;

    if (!r)
        return -ENOMEM;
    r->cg_root = r->sys_root = -1;
    r->lg = a->lg;
    rc = open_cg_root(r, a->cgroup_root ? a->cgroup_root : "/sys/fs/cgroup",
                      err, errlen);
    if (!rc)
        rc = open_root(a->sysroot ? a->sysroot : "/", &r->sys_root, err,
                       errlen);
    if (rc) {
        real_close(r);
        return rc;
    }
    *out = (struct d0_backend){ &real_ops, r };
    return 0;
}
