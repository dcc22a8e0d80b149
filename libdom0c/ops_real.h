/*
 * ops_real.h - the real backend's state and its functions, one file per
 * concern: xen_ops.c (libxl/libxc), xs_ops.c (xenstore), cgroup_ops.c
 * (cgroup v2 under a root dirfd), proc_ops.c (/proc under a sysroot).
 * ops_real.c puts them into the table of ops.h.
 */
#ifndef D0_OPS_REAL_H
#define D0_OPS_REAL_H

#include "ops.h"

struct libxl__ctx;
struct xs_handle;

struct d0_real {
    int cg_root;                    /* dirfd of the cgroup v2 root */
    char *cg_root_path;             /* its absolute path (cg_path) */
    int sys_root;                   /* dirfd of the sysroot ("/") */
    struct libxl__ctx *xl;          /* libxl_ctx, opened lazily */
    struct xs_handle *xs;           /* opened lazily */
    struct xentoollog_logger *lg;   /* the caller's, for libxl */
    bool own_lg;                    /* lg made here, destroyed here */
};

/* xen_ops.c */
int d0_xen_facts(void *h, struct d0_facts *out);
int d0_xen_target_get(void *h, uint64_t *kb);
int d0_xen_target_set(void *h, uint64_t kb);
int d0_xen_pin(void *h, unsigned vcpu, unsigned pcpu);
int d0_xen_domu_target_set(void *h, uint32_t domid, uint64_t kb);
void d0_xen_close(struct d0_real *r);

/* xs_ops.c */
int d0_xs_begin(void *h, d0_txn *t);
int d0_xs_end(void *h, d0_txn t, bool abort);
int d0_xs_read(void *h, d0_txn t, const char *path, char **val);
int d0_xs_write(void *h, d0_txn t, const char *path, const char *val);
int d0_xs_rm(void *h, d0_txn t, const char *path);
int d0_xs_list(void *h, d0_txn t, const char *path, char ***names,
               unsigned *nr);
int d0_xs_restrict(void *h, d0_txn t, const char *path);
int d0_xs_watch(void *h, const char *path, const char *token);
int d0_xs_fd(void *h);
int d0_xs_next_watch(void *h, char **path, char **token);
void d0_xs_close(struct d0_real *r);

/* cgroup_ops.c */
int d0_cg_mkdir(void *h, const char *cg);
int d0_cg_rmdir(void *h, const char *cg);
int d0_cg_read(void *h, const char *cg, const char *file, char *buf,
               size_t len);
int d0_cg_write(void *h, const char *cg, const char *file, const char *val);
int d0_cg_list(void *h, const char *cg, char ***names, unsigned *nr);
int d0_cg_path(void *h, const char *cg, char *buf, size_t len);

/* proc_ops.c */
int d0_proc_affinity(void *h, pid_t pid, const d0_cpuset *cpus);
int d0_proc_list(void *h, d0_proc_want *want, struct d0_proc **out,
                 unsigned *nr);
int d0_proc_irqs(void *h, struct d0_irq **out, unsigned *nr);
int d0_proc_irq_affinity(void *h, unsigned irq, const d0_cpuset *cpus);
int d0_proc_pid_alive(void *h, pid_t pid);
int d0_proc_cpu_work(void *h, uint64_t *work, unsigned nr);
pid_t d0_proc_self(void *h);

/* io_ops.c */
int d0_io_bytes(void *h, uint32_t domid, uint64_t *bytes);

#endif
