/*
 * ops.h - every side effect libdom0c has, in one table.
 *
 * The real implementation (ops_real.c) talks to libxl/libxc, xenstored,
 * the cgroup v2 file system and /proc; the fake (tests/unit/fake_ops.c)
 * keeps all of it in memory, records calls and can fail the Nth call of
 * each kind, so every all-or-nothing claim is tested (as crun's
 * libcrun_cgroup_manager and sqlite's test VFS do).
 *
 * Every function returns 0 or a negative errno and logs nothing: the
 * caller logs once, with the path and value (STYLE 9).
 */
#ifndef D0_OPS_H
#define D0_OPS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cpuset.h"
#include "facts.h"

typedef uint32_t d0_txn;            /* xenstore transaction, 0 = none */

/* One process of dom0, as /proc shows it. */
struct d0_proc {
    pid_t pid;
    pid_t ppid;
    bool kthread;                   /* PF_KTHREAD (no exe, child of 2) */
    char comm[64];                  /* kthreads: full name since 5.17 */
    char exe[128];                  /* "" for kernel threads */
    char cmdline[256];              /* NULs turned into spaces */
    char cgroup[128];               /* v2 path relative to the root */
    d0_cpuset allowed;              /* Cpus_allowed_list, empty: unknown */
};

typedef bool d0_proc_want(const struct d0_proc *p);

/* One interrupt line of /proc/interrupts. */
struct d0_irq {
    unsigned irq;
    char chip[32];                  /* "xen-dyn-lateeoi" ... */
    char name[48];                  /* "vif5.0-q0-tx", "blkif-backend" */
};

enum d0_op_kind {
    D0_OP_FACTS, D0_OP_TARGET_GET, D0_OP_TARGET_SET, D0_OP_PIN,
    D0_OP_XS_BEGIN, D0_OP_XS_END, D0_OP_XS_READ, D0_OP_XS_WRITE,
    D0_OP_XS_RM, D0_OP_XS_LIST, D0_OP_XS_RESTRICT,
    D0_OP_CG_MKDIR, D0_OP_CG_RMDIR, D0_OP_CG_READ, D0_OP_CG_WRITE,
    D0_OP_CG_LIST, D0_OP_CG_PATH,
    D0_OP_AFFINITY, D0_OP_PROCS, D0_OP_IRQS, D0_OP_IRQ_AFFINITY,
    D0_OP_PID_ALIVE,
    D0_OP_CPU_WORK, D0_OP_SELF, D0_OP_DOMU_TARGET, D0_OP_IO_BYTES,
    D0_OP_XS_WATCH,
    D0_OP_NR
};

struct d0_ops {
    const char *name;

    /* -- Xen: libxl / libxc ------------------------------------------ */
    /* The live facts: topology, nodes, every domain with its vCPUs. */
    int (*facts)(void *h, struct d0_facts *out);
    int (*target_get)(void *h, uint64_t *kb);         /* dom0's target */
    int (*target_set)(void *h, uint64_t kb);          /* absolute */
    int (*pin)(void *h, unsigned vcpu, unsigned pcpu); /* dom0 vCPU hard */
    /* A domU's balloon target (absolute, kB), as `xl mem-set` does. */
    int (*domu_target_set)(void *h, uint32_t domid, uint64_t kb);

    /* -- xenstore ---------------------------------------------------- */
    int (*xs_begin)(void *h, d0_txn *t);
    /* Commits (abort = false) or aborts; -EAGAIN: restart from begin. */
    int (*xs_end)(void *h, d0_txn t, bool abort);
    int (*xs_read)(void *h, d0_txn t, const char *path, char **val);
    int (*xs_write)(void *h, d0_txn t, const char *path, const char *val);
    int (*xs_rm)(void *h, d0_txn t, const char *path);      /* recursive */
    /* Children names: *names is one malloc'd block, free() it. */
    int (*xs_list)(void *h, d0_txn t, const char *path, char ***names,
                   unsigned *nr);
    /* Owner dom0, no access for anyone else ("n0"). */
    int (*xs_restrict)(void *h, d0_txn t, const char *path);

    /* -- cgroup v2, paths relative to the configured root ------------- */
    /* mkdir: -EEXIST when the cgroup exists (success for callers, but
     * not a change), -ENOTDIR when a non-directory is in the way. */
    int (*cg_mkdir)(void *h, const char *cg);
    int (*cg_rmdir)(void *h, const char *cg);         /* missing: 0 */
    /* NUL-terminated, one trailing newline stripped; -ERANGE (buf
     * untouched) when the value does not fit. */
    int (*cg_read)(void *h, const char *cg, const char *file, char *buf,
                   size_t len);
    int (*cg_write)(void *h, const char *cg, const char *file,
                    const char *val);
    /* Child cgroups: *names is one malloc'd block, free() it. */
    int (*cg_list)(void *h, const char *cg, char ***names, unsigned *nr);
    /* The absolute path of cg ("/sys/fs/cgroup/dom0c/node1/dom7"), for a
     * process that reaches it without the library (a forked child that
     * writes its own cgroup.procs).  -ENAMETOOLONG when len is short. */
    int (*cg_path)(void *h, const char *cg, char *buf, size_t len);

    /* -- processes and interrupts ------------------------------------ */
    int (*affinity)(void *h, pid_t pid, const d0_cpuset *cpus);
    /* Every process, or (want != NULL) those for which want() is true,
     * called with pid, ppid, comm and kthread only: the rest is read for
     * the wanted ones alone (dom0cd's period scans for backends). */
    int (*procs)(void *h, d0_proc_want *want, struct d0_proc **out,
                 unsigned *nr);
    int (*irqs)(void *h, struct d0_irq **out, unsigned *nr);
    int (*irq_affinity)(void *h, unsigned irq, const d0_cpuset *cpus);
    int (*pid_alive)(void *h, pid_t pid);             /* 1, 0 */
    /* Busy jiffies of each dom0 vCPU (/proc/stat), the fair counter. */
    int (*cpu_work)(void *h, uint64_t *work, unsigned nr);
    pid_t (*self)(void *h);                           /* getpid() */
    /* I/O bytes a domU moved so far, from dom0's side: blkback's
     * statistics/{rd,wr}_sect * 512 of every vbd-<domid>-*, plus the
     * rx/tx bytes of every vif<domid>.* (sysfs under the sysroot).
     * -ENOENT when the domU has no backend device. */
    int (*io_bytes)(void *h, uint32_t domid, uint64_t *bytes);

    /* -- xenstore watches (the daemon) -------------------------------- */
    int (*xs_watch)(void *h, const char *path, const char *token);
    int (*xs_fd)(void *h);                            /* for poll() */
    /* Next fired watch, without blocking: 0 with path/token (malloc'd,
     * free() both), -EAGAIN when none is pending. */
    int (*xs_next_watch)(void *h, char **path, char **token);

    void (*close)(void *h);
};

/* A backend: the table and its state. */
struct d0_backend {
    const struct d0_ops *ops;
    void *h;
};

/* Where the real backend looks; NULL members mean the defaults. */
struct d0_real_args {
    const char *cgroup_root;        /* "/sys/fs/cgroup" */
    const char *sysroot;            /* "/" : /proc lives under it */
    struct xentoollog_logger *lg;   /* for libxl's own messages */
};

/* Opens the real backend (libxl ctx, xenstore, cgroup root dirfd).
 * -errno with a sentence in err. */
int d0_real_open(const struct d0_real_args *a, struct d0_backend *out,
                 char *err, size_t errlen);

#endif
