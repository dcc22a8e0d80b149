/*
 * ctx.h - what a dom0c_ctx holds.  Internal.
 */
#ifndef D0_CTX_H
#define D0_CTX_H

#include <stdbool.h>

#include "config.h"
#include <time.h>

#include "dom0c.h"
#include "facts.h"
#include "ledger.h"
#include "ops.h"
#include "policy.h"

struct dom0c_ctx {
    xentoollog_logger *lg;
    bool live;                  /* a backend is attached */
    bool just_read;             /* facts read by open, not used yet */
    struct timespec read_at;    /* when (CLOCK_MONOTONIC) */
    struct d0_backend be;
    struct d0_config cfg;
    struct d0_facts facts;
    struct d0_layout layout;    /* from config + facts, no reservations */
    struct d0_host_load load;
};

/* Opens a context over any backend (tests pass the fake).  Takes
 * ownership of be (closed with the context). */
int d0_ctx_open_backend(const struct d0_config *cfg, struct d0_backend be,
                        xentoollog_logger *lg, dom0c_ctx **out);

/* Reloads the live facts and recomputes layout and load.  The first call
 * after open uses the facts open has just read, when they are less than
 * a second old (every public call starts with a refresh, so a toolstack's
 * open + one call reads them once). */
int d0_ctx_refresh(dom0c_ctx *ctx);

/* Fails with a logged sentence unless the context has a backend. */
int d0_ctx_need_live(dom0c_ctx *ctx, const char *what);

/* strict: logs rc's failure and returns it; degrade: logs a warning and
 * returns 0, so the domU operation goes on.  rc 0 passes through. */
int d0_on_error(dom0c_ctx *ctx, const char *what, uint32_t domid, int rc);

/* reserve.c: prepare on a live host (uuid idempotence, pending intent). */
int d0_prepare_live(dom0c_ctx *ctx, const dom0c_request *req,
                    dom0c_decision *d);

/* place.c: Algorithm 2 on the live facts. */
int d0_place_decide(dom0c_ctx *ctx, uint32_t domid, struct d0_placement *p);

/* leaf.c: moves pid into cg, then (cpus non-NULL) sets its affinity. */
int d0_move_pid(dom0c_ctx *ctx, pid_t pid, const char *cg,
                const d0_cpuset *cpus);
/* Makes dom0c/node<node>/dom<domid> if missing; its name into cg. */
int d0_leaf_make(dom0c_ctx *ctx, int node, uint32_t domid, char *cg,
                 size_t len);
/* Back from dom0c/node<N>/incoming<self> to dom0c/main (after commit). */
int d0_leave_incoming(dom0c_ctx *ctx);
/* Removes incoming<PID> cgroups of dead processes (reconcile). */
int d0_sweep_incoming(dom0c_ctx *ctx);
/* Empties every dom0c/node<N>/dom<domid> into dom0c/main and removes it. */
int d0_remove_leaves(dom0c_ctx *ctx, uint32_t domid);

/* dryrun.c: replaces *be by a wrapper that reads through and only logs
 * (at XTL_INFO) the writes it is asked for; unwrap restores real. */
int d0_dryrun_wrap(struct d0_backend *be, xentoollog_logger *lg);
void d0_dryrun_unwrap(struct d0_backend *be, struct d0_backend real);

/* account.c: the Prometheus text file (written atomically). */
int d0_account_prometheus(dom0c_ctx *ctx, const char *path);

/* ---- apply.c: bring the host to what the ledger asks for ----------- */

/* Reads the ledger and computes the planned layout. */
int d0_planned_now(dom0c_ctx *ctx, struct d0_layout *out);
/* dom0's target and each node container's memory.max, written only
 * where they differ.  *changes counts the writes (may be NULL). */
int d0_apply_memory(dom0c_ctx *ctx, const struct d0_layout *l,
                    unsigned *changes);
/* The cgroup tree, controllers and cpusets of the layout. */
int d0_apply_cgroups(dom0c_ctx *ctx, const struct d0_layout *l,
                     unsigned *changes);
/* Writes cg/file = val unless it already reads val. */
int d0_cg_set(dom0c_ctx *ctx, const char *cg, const char *file,
              const char *val, unsigned *changes);

#endif
