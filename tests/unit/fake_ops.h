/*
 * fake_ops.h - an in-memory host behind the ops table, for unit tests.
 *
 * xenstore is a flat list of paths with a copy-on-begin transaction,
 * cgroups are a list of directories with files, and processes, IRQs and
 * dom0's memory target are plain fields.  Every call is counted per kind;
 * fake_fail(f, kind, n, rc) makes the nth call of that kind (1-based)
 * return rc, so a test can fail each step of an operation in turn.
 */
#ifndef D0_FAKE_OPS_H
#define D0_FAKE_OPS_H

#include "ops.h"

#define FAKE_MAX_NODES 512
#define FAKE_MAX_PROCS 64
#define FAKE_CG_ROOT "/fake/cgroup"     /* what cg_path puts first */

struct fake_kv {
    char *path, *val;
    bool restricted;
};

struct fake_store {
    unsigned nr;
    struct fake_kv kv[FAKE_MAX_NODES];
};

struct fake_cg {
    char path[96];
    bool is_dir;                    /* else a file in dir "path" */
    char file[32];
    char val[128];
};

struct fake {
    const char *facts_json;         /* what ops->facts returns */
    uint64_t target_kb;
    uint64_t max_target_kb;         /* dom0's max:, setting above fails */
    int pins[DOM0C_MAX_CPUS];       /* dom0 vCPU -> pCPU, -1 unpinned */
    struct fake_store xs, txn_copy;
    bool in_txn;
    unsigned eagain_left;           /* xs_end returns -EAGAIN this often */
    unsigned nr_cg;
    struct fake_cg cg[FAKE_MAX_NODES];
    unsigned nr_procs;
    struct d0_proc procs[FAKE_MAX_PROCS];
    d0_cpuset affinity[FAKE_MAX_PROCS];
    unsigned nr_irqs;
    struct d0_irq irqs[16];
    d0_cpuset irq_aff[16];
    uint64_t work[DOM0C_MAX_CPUS];
    pid_t self;
    uint64_t domu_target_kb[64];    /* by domid */
    uint64_t io[64];                /* I/O bytes so far, by domid */
    uint64_t quiescing;             /* bit D: domid D paused/suspending */
    unsigned calls[D0_OP_NR];
    unsigned nr_seq;                /* every call's kind, in order */
    unsigned char seq[4096];
    unsigned fail_at[D0_OP_NR];
    int fail_rc[D0_OP_NR];
};

/* A new fake host; facts_json is borrowed.  self is pid 100. */
void fake_init(struct fake *f, const char *facts_json);
void fake_free(struct fake *f);
struct d0_backend fake_backend(struct fake *f);
void fake_fail(struct fake *f, enum d0_op_kind k, unsigned nth, int rc);
void fake_clear_faults(struct fake *f);
/* Adds a process in cgroup "" (the root). */
struct d0_proc *fake_proc(struct fake *f, pid_t pid, const char *comm,
                          bool kthread, const char *cmdline);
/* Everything observable as one text: xenstore, cgroups, target,
 * pins, memberships.  Two equal snapshots mean two equal hosts. */
char *fake_snapshot(const struct fake *f);
/* Value of a xenstore path or cgroup file, NULL when absent. */
const char *fake_xs(const struct fake *f, const char *path);
void fake_xs_set(struct fake *f, const char *path, const char *val);
const char *fake_cgfile(const struct fake *f, const char *cg,
                        const char *file);
bool fake_cgdir(const struct fake *f, const char *cg);

#endif
