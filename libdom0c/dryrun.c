/*
 * dryrun.c - a backend that reads the real host and changes nothing:
 * every write is logged as what it would do ("dom0c init --dry-run").
 */
#include <errno.h>
#include <stdlib.h>

#include "ctx.h"
#include "log.h"

struct dry {
    struct d0_backend real;
    xentoollog_logger *lg;
};

#define D(h) ((struct dry *)(h))
#define REAL(h) (D(h)->real)
#define SAY(h, ...) D0_LOG(D(h)->lg, XTL_INFO, -1, "dry run: would " \
                           __VA_ARGS__)

static int facts(void *h, struct d0_facts *out)
{
    return REAL(h).ops->facts(REAL(h).h, out);
}

static int target_get(void *h, uint64_t *kb)
{
    return REAL(h).ops->target_get(REAL(h).h, kb);
}

static int target_set(void *h, uint64_t kb)
{
    SAY(h, "set dom0's memory target to %llu kB", (unsigned long long)kb);
    return 0;
}

static int pin(void *h, unsigned vcpu, unsigned pcpu)
{
    SAY(h, "pin dom0 vCPU %u to pCPU %u", vcpu, pcpu);
    return 0;
}

static int xs_begin(void *h, d0_txn *t)
{
    return REAL(h).ops->xs_begin(REAL(h).h, t);
}

static int xs_end(void *h, d0_txn t, bool abort)
{
    return REAL(h).ops->xs_end(REAL(h).h, t, true);   /* never commits */
}

static int xs_read(void *h, d0_txn t, const char *path, char **val)
{
    return REAL(h).ops->xs_read(REAL(h).h, t, path, val);
}

static int xs_write(void *h, d0_txn t, const char *path, const char *val)
{
    SAY(h, "write xenstore %s = \"%s\"", path, val);
    return 0;
}

static int xs_rm(void *h, d0_txn t, const char *path)
{
    SAY(h, "remove xenstore %s", path);
    return 0;
}

static int xs_list(void *h, d0_txn t, const char *path, char ***names,
                   unsigned *nr)
{
    return REAL(h).ops->xs_list(REAL(h).h, t, path, names, nr);
}

static int xs_restrict(void *h, d0_txn t, const char *path)
{
    SAY(h, "make xenstore %s dom0-only (n0)", path);
    return 0;
}

static int cg_mkdir(void *h, const char *cg)
{
    SAY(h, "create cgroup %s", cg);
    return 0;
}

static int cg_rmdir(void *h, const char *cg)
{
    SAY(h, "remove cgroup %s", cg);
    return 0;
}

/* A cgroup the dry run "made" reads as a fresh, empty one. */
static int cg_read(void *h, const char *cg, const char *file, char *buf,
                   size_t len)
{
    int rc = REAL(h).ops->cg_read(REAL(h).h, cg, file, buf, len);

    if (rc == -ENOENT && len) {
        buf[0] = '\0';
        rc = 0;
    }
    return rc;
}

static int cg_write(void *h, const char *cg, const char *file,
                    const char *val)
{
    SAY(h, "write cgroup %s: %s = \"%s\"", cg[0] ? cg : "/", file, val);
    return 0;
}

static int cg_list(void *h, const char *cg, char ***names, unsigned *nr)
{
    return REAL(h).ops->cg_list(REAL(h).h, cg, names, nr);
}

static int cg_path(void *h, const char *cg, char *buf, size_t len)
{
    return REAL(h).ops->cg_path(REAL(h).h, cg, buf, len);
}

static int affinity(void *h, pid_t pid, const d0_cpuset *cpus)
{
    char list[256];

    d0_cpuset_format(cpus, list, sizeof(list));
    SAY(h, "pin pid %d to dom0 vCPUs %s", (int)pid, list);
    return 0;
}

static int procs(void *h, d0_proc_want *want, struct d0_proc **out,
                 unsigned *nr)
{
    return REAL(h).ops->procs(REAL(h).h, want, out, nr);
}

static int irqs(void *h, struct d0_irq **out, unsigned *nr)
{
    return REAL(h).ops->irqs(REAL(h).h, out, nr);
}

static int irq_affinity(void *h, unsigned irq, const d0_cpuset *cpus)
{
    SAY(h, "move IRQ %u", irq);
    return 0;
}

static int pid_alive(void *h, pid_t pid)
{
    return REAL(h).ops->pid_alive(REAL(h).h, pid);
}

static int cpu_work(void *h, uint64_t *work, unsigned nr)
{
    return REAL(h).ops->cpu_work(REAL(h).h, work, nr);
}

static pid_t self(void *h)
{
    return REAL(h).ops->self(REAL(h).h);
}

static int domu_target_set(void *h, uint32_t domid, uint64_t kb)
{
    SAY(h, "set domain %u's memory target to %llu kB", domid,
        (unsigned long long)kb);
    return 0;
}

static int io_bytes(void *h, uint32_t domid, uint64_t *bytes)
{
    return REAL(h).ops->io_bytes(REAL(h).h, domid, bytes);
}

static const struct d0_ops dry_ops = {
    .name = "dry-run",
    .facts = facts, .target_get = target_get, .target_set = target_set,
    .pin = pin, .xs_begin = xs_begin, .xs_end = xs_end,
    .xs_read = xs_read, .xs_write = xs_write, .xs_rm = xs_rm,
    .xs_list = xs_list, .xs_restrict = xs_restrict,
    .cg_mkdir = cg_mkdir, .cg_rmdir = cg_rmdir, .cg_read = cg_read,
    .cg_write = cg_write, .cg_list = cg_list, .cg_path = cg_path,
    .affinity = affinity, .procs = procs,
    .irqs = irqs, .irq_affinity = irq_affinity, .pid_alive = pid_alive,
    .cpu_work = cpu_work, .self = self,
    .domu_target_set = domu_target_set, .io_bytes = io_bytes,
};

int d0_dryrun_wrap(struct d0_backend *be, xentoollog_logger *lg)
{
    struct dry *d = malloc(sizeof(*d));

    if (!d)
        return -ENOMEM;
    d->real = *be;
    d->lg = lg;
    *be = (struct d0_backend){ &dry_ops, d };
    return 0;
}

void d0_dryrun_unwrap(struct d0_backend *be, struct d0_backend real)
{
    if (be->ops == &dry_ops)
        free(be->h);
    *be = real;
}
