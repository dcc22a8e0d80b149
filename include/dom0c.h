/*
 * dom0c.h - libdom0c, dom0 resource containers for Xen 4.17 toolstacks.
 *
 * The one public header.  libdom0c gives dom0 exactly the resources it
 * needs, where it needs them: a statically sized main container, one
 * secondary container per NUMA node, and for every domU an epsilon (MB)
 * of dom0 memory per node it spans, carved from the domU's own request.
 *
 * Conventions (as in Xen's tools/include/xencall.h):
 *  - every function returns 0 or a negative errno value and never exits;
 *  - out-parameters are written only on success;
 *  - failures are logged once, through the caller's xentoollog_logger,
 *    by the layer that knows the path and the value;
 *  - dom0c_close(NULL) and dom0c_*_free(NULL) do nothing.
 *
 * A typical toolstack does, per domU (see examples/mini-toolstack.c):
 *
 *   dom0c_prepare()  before libxl_domain_create_new(): choose nodes, carve
 *   dom0c_commit()   once the domid is known: record the reservation
 *   dom0c_place()    before migrate/save/destroy: move the calling process
 *                    (dom0c_locate() for a daemon that cannot move itself)
 *   dom0c_resize()   when the domU's memory is set: carve the new request
 *   dom0c_release()  after the domain is gone: give dom0's share back
 *   dom0c_reconcile() at any time: ledger == live domains again
 */
#ifndef DOM0C_H
#define DOM0C_H

#include <stdbool.h>
#include <stdint.h>
#include <xentoollog.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DOM0C_VERSION_MAJOR 0
#define DOM0C_VERSION_MINOR 2

/* Limits of the fixed-size public structures. */
#define DOM0C_MAX_NODES 64
#define DOM0C_MAX_CPUS 4096
#define DOM0C_CPU_WORDS (DOM0C_MAX_CPUS / 64)

typedef struct dom0c_ctx dom0c_ctx;

/* How to open a context.  Zero-initialise, then set what you need. */
typedef struct dom0c_open_args {
    /* dom0c.conf to read; NULL means /etc/xen/dom0c.conf.  A missing
     * file at the default path means built-in defaults; a missing file
     * at an explicit path is an error. */
    const char *config_path;
    /* Facts file (JSON, docs/facts-format.md).  Non-NULL: the context
     * plans offline against these facts and can change nothing on the
     * host (commit/place/release/reconcile return -EOPNOTSUPP).
     * NULL: the live Xen backend. */
    const char *topology_path;
    /* Live backend only: the cgroup v2 mount (NULL: /sys/fs/cgroup) and
     * the root under which /proc is read (NULL: /). */
    const char *cgroup_root;
    const char *sysroot;
} dom0c_open_args;

/*
 * Opens a context.  lg is the caller's logger and must outlive the
 * context; it may be NULL (messages are dropped).
 * Returns 0 and *ctx_out, or -EINVAL (bad configuration or facts; the
 * message names the key or field, the value and what is accepted),
 * -ENOENT (explicit file missing), -ENOMEM, -EOPNOTSUPP (live backend
 * not available in this build).  Logs each failure once.
 * The caller owns *ctx_out and frees it with dom0c_close().
 */
int dom0c_open(const dom0c_open_args *args, xentoollog_logger *lg,
               dom0c_ctx **ctx_out);

/* Frees everything the context owns.  NULL-safe.  Never logs. */
void dom0c_close(dom0c_ctx *ctx);

/* A domU about to be created, restored or received. */
typedef struct dom0c_request {
    const char *uuid;        /* "xxxxxxxx-xxxx-...", keys idempotence;
                              * may be NULL for a dry run */
    uint64_t memory_mb;      /* M, what the domU asked for */
    unsigned int vcpus;      /* its maximum vCPUs */
    int64_t epsilon_mb;      /* per-domain override (xl.cfg
                              * dom0c_epsilon); < 0: the config's */
    /* Explicit placement, all optional (0 = none).  Priority:
     * vnuma_pnodes, then nodemap, then cpus (the nodes of those pCPUs). */
    uint64_t nodemap;        /* bit N = node N */
    uint64_t cpus[DOM0C_CPU_WORDS]; /* bit N = pCPU N (xl.cfg cpus=) */
    unsigned int nr_vnuma;   /* vNUMA nodes given in the config */
    uint32_t vnuma_pnodes[DOM0C_MAX_NODES];
} dom0c_request;

/* Why a decision could not be made; DOM0C_OK when it could. */
typedef enum dom0c_verdict {
    DOM0C_OK = 0,
    DOM0C_NO_NODE_FITS,      /* no node set has the memory and pCPUs */
    DOM0C_BELOW_MINIMUM,     /* M - n*eps below domu_min_memory */
    DOM0C_NO_DOMU_CPUS,      /* every online pCPU belongs to main */
    DOM0C_TOO_MANY_NODES,    /* automatic choice is limited to 16 nodes */
    DOM0C_BAD_REQUEST,       /* explicit nodes/cpus name absent ones */
    DOM0C_UNAVAILABLE,       /* dom0c itself failed and on_error =
                              * degrade: create the domU as asked,
                              * without carving, placing or commit */
} dom0c_verdict;

/* The outcome of dom0c_prepare(): where the domU goes and what it gets. */
typedef struct dom0c_decision {
    dom0c_verdict verdict;
    char why[160];           /* one readable sentence when not DOM0C_OK */
    uint64_t requested_mb;   /* M */
    uint64_t given_mb;       /* M - n*eps: the domU's target and max */
    uint64_t epsilon_mb;     /* the eps used */
    uint64_t nodemap;        /* the n nodes chosen */
    unsigned int nr_nodes;   /* n */
    /* Soft affinity for the domU's vCPUs: the non-main pCPUs of the
     * chosen nodes (what libxl's own placement would set). */
    uint64_t soft_cpus[DOM0C_CPU_WORDS];
    /* Hard affinity: every non-main online pCPU (domUs never run on the
     * main container's pCPUs). */
    uint64_t hard_cpus[DOM0C_CPU_WORDS];
} dom0c_decision;

/*
 * Chooses the nodes for a new domU and carves its memory.
 * Returns 0 with *out filled (check out->verdict: an infeasible plan is
 * data, not an error), or -EINVAL when req is malformed (logged).
 * Offline, or without req->uuid, it changes nothing.  On a live host with
 * a uuid it is idempotent and remembers its intent:
 *  - when the ledger already holds a reservation for that uuid (a reboot,
 *    a restore, a migration arriving), *out is the recorded decision and
 *    nothing is carved again (req->memory_mb is then ignored);
 *  - otherwise a feasible decision is recorded as pending, so that
 *    dom0c_reconcile() can adopt the domain if the toolstack dies between
 *    the create and dom0c_commit(), or drop it if the create never happened;
 *  - the decision counts what the other pending domUs not created yet
 *    will take, in one xenstore transaction with recording it: creates
 *    prepared at the same time (libvirtd's threads, several xl) do not
 *    all choose the same free memory.
 * Live failures follow on_error (strict: returned; degrade: logged, 0).
 */
int dom0c_prepare(dom0c_ctx *ctx, const dom0c_request *req,
                  dom0c_decision *out);

/*
 * Records the reservation of a created domain: ledger entry keyed by
 * domid and uuid, dom0 target + n*eps, each node container's memory.max
 * + eps, the per-domU leaf cgroup.  Idempotent per (domid, uuid).
 * All-or-nothing: on failure nothing stays changed.
 * Returns 0, -EOPNOTSUPP (offline context), or the failing step's errno.
 */
int dom0c_commit(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                 const dom0c_decision *decision);

/* Operations the calling process can be placed for. */
typedef enum dom0c_op {
    DOM0C_OP_MIGRATE = 1,
    DOM0C_OP_SAVE,
    DOM0C_OP_DESTROY,
    DOM0C_OP_RESTORE,
} dom0c_op;

/*
 * Algorithm 2: moves the calling process into dom0c/node<N>/dom<ID> (N =
 * the node holding most of the domU's memory) and pins it to the dom0
 * vCPU pinned to the pCPU the domU's vCPU runs on.  Children inherit.
 * Returns 0, -ESRCH (no such domain), -EOPNOTSUPP (offline context).
 */
int dom0c_place(dom0c_ctx *ctx, uint32_t domid, dom0c_op op);

/* Where Algorithm 2 puts work done for a domU (dom0c_locate()). */
typedef struct dom0c_spot {
    char cgroup_dir[256];    /* absolute directory of the domU's leaf
                              * cgroup: "/sys/fs/cgroup/dom0c/node1/dom7" */
    int node;                /* N, the node holding most of its memory */
    int dom0_vcpu;           /* the dom0 vCPU (Linux CPU) to run on */
    int pcpu;                /* the pCPU that vCPU is pinned to */
} dom0c_spot;

/*
 * Algorithm 2 without moving anyone: makes the domU's leaf cgroup
 * dom0c/node<N>/dom<ID> if missing and says where work for the domU
 * runs.  For a caller that must not move itself (a multi-threaded daemon
 * such as libvirtd): it places the processes it forks, each writing "0"
 * to <cgroup_dir>/cgroup.procs and then setting its affinity to
 * dom0_vcpu, in that order (a cpuset attach resets the affinity).
 * dom0c_place() is this plus the move of the calling process.
 * Returns 0 with *out, -ESRCH (no such domU), -EDOM (no node or dom0
 * vCPU can be told; the message says why), -EOPNOTSUPP (offline
 * context), or the failing step's errno; each failure logged once.
 * on_error is not applied: the caller decides (dom0c_on_error()).
 */
int dom0c_locate(dom0c_ctx *ctx, uint32_t domid, dom0c_op op,
                 dom0c_spot *out);

/*
 * Places the calling process for work on a domU that does not exist yet:
 * the restore of a saved image or an incoming migration, whose nodes
 * dom0c_prepare() chose.  It moves into dom0c/node<N>/incoming<PID> (N
 * the first chosen node), pinned to that node's secondary vCPU with the
 * least work; dom0c_commit() moves it back to dom0c/main and removes
 * that cgroup.  Returns 0, -EOPNOTSUPP (offline), or as on_error says.
 */
int dom0c_place_prepared(dom0c_ctx *ctx, const dom0c_decision *decision,
                         dom0c_op op);

/* 0 when dom0c init ran on this host (the ledger exists), -ENOENT when
 * not (the host has not opted in), -EOPNOTSUPP offline.  Never logs. */
int dom0c_ready(dom0c_ctx *ctx);

/*
 * Gives back what dom0c_commit() reserved for the domain.  Exactly once:
 * a second call, from any process, finds nothing and returns 0.
 */
int dom0c_release(dom0c_ctx *ctx, uint32_t domid, const char *uuid);

/*
 * What dom0c holds for the committed domU domid running uuid: the
 * recorded decision (requested_mb, given_mb, epsilon_mb, nodemap,
 * nr_nodes; soft_cpus and hard_cpus of the nodes on this host).
 * requested_mb - given_mb is what was carved from it (n*eps).
 * Returns 0 with *out, -ENOENT (nothing held for it; not logged),
 * -EINVAL (bad uuid), -EOPNOTSUPP (offline), or a xenstore errno.
 */
int dom0c_reservation(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                      dom0c_decision *out);

/*
 * The memory a running domU asks for changed (virsh setmem, a
 * toolstack's mem-set): memory_mb is its new M.  dom0c keeps what it
 * holds for the domU (n*eps and dom0cd's I/O reserve) and gives it the
 * rest: the ledger records M and M - n*eps (which dom0cd's I/O levels
 * subtract their reserve from) and the domU's balloon target becomes
 * M - n*eps - reserve, set here (enforced, as xl mem-set does).  A
 * reserve that would take the domU below domu_min_memory shrinks, and
 * dom0's target with it.
 * Returns 0 when done; -ENOENT when dom0c holds nothing for (domid,
 * uuid): nothing done, not logged, the caller sets the target itself;
 * -EDOM when M - n*eps is below domu_min_memory (logged, nothing done);
 * -EINVAL, -EOPNOTSUPP (offline); or the failing step's errno, logged,
 * with the ledger and both targets as before.  on_error is not applied
 * (dom0c_on_error()).
 */
int dom0c_resize(dom0c_ctx *ctx, uint32_t domid, const char *uuid,
                 uint64_t memory_mb);

/*
 * dom0c.conf's on_error for a failure (rc < 0) of the caller's own step
 * around libdom0c, or of a call that does not apply it (dom0c_locate,
 * dom0c_resize): strict returns rc; degrade logs a warning naming what
 * and domid and returns 0, meaning "go on without dom0c".  0, -EINVAL
 * and -EOPNOTSUPP are returned as they are.
 */
int dom0c_on_error(dom0c_ctx *ctx, const char *what, uint32_t domid, int rc);

/* What dom0c_reconcile() found and did. */
typedef struct dom0c_reconcile_report {
    unsigned int entries;    /* ledger entries examined */
    unsigned int dropped;    /* entries whose domain was gone, released */
    unsigned int adopted;    /* live dom0c domains without entry */
    int64_t target_fix_mb;   /* correction applied to dom0's target */
} dom0c_reconcile_report;

/*
 * Compares the ledger with the live domains, releases what vanished and
 * repairs dom0's target.  Returns 0 with *out, or a negative errno.
 */
int dom0c_reconcile(dom0c_ctx *ctx, dom0c_reconcile_report *out);

/* dom0c_init() flags. */
#define DOM0C_INIT_DRY_RUN 1u   /* log what would change, change nothing */

/*
 * Brings the host to dom0c's layout, at boot (after xenstored): pins
 * dom0's vCPUs 1:1 if Xen did not, creates the ledger (dom0-only) and the
 * containers, moves dom0's processes by class (T0-T2 into dom0c/main, a
 * domU's backends into its leaf), sets dom0's memory target.  Running it
 * twice changes nothing.  *changes (may be NULL) counts the writes made
 * (or, with DOM0C_INIT_DRY_RUN, that would be made).
 */
int dom0c_init(dom0c_ctx *ctx, unsigned int flags, unsigned int *changes);

/*
 * The host's dom0c state as JSON (containers with cpus, memory.max and
 * use; reservations per domU; dom0's target against the plan; drift).
 * *json_out is malloc'd; the caller frees it.
 */
int dom0c_status_json(dom0c_ctx *ctx, char **json_out);

/*
 * What dom0 spent for each reserved domU, as a JSON array: dom0 CPU
 * seconds (its leaf cgroups' cpu.stat) and MB held (eps per node plus its
 * I/O reserve).  *json_out is malloc'd; the caller frees it.
 */
int dom0c_account_json(dom0c_ctx *ctx, char **json_out);

/* Returns a static English name for a verdict ("ok", "no-node-fits"...). */
const char *dom0c_verdict_name(dom0c_verdict v);

#ifdef __cplusplus
}
#endif

#endif /* DOM0C_H */
