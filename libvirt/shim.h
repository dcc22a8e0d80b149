/*
 * shim.h - libdom0c-libxl-shim.so, libvirtd's libxl driver through
 * libdom0c, and dom0c-save-helper.  Internal; only the public dom0c.h
 * and libxl are used.  libvirt/README.md says what each call does.
 *
 * No global state but libxenlight's own functions, resolved once; each
 * interposed call opens its own libdom0c context and logger.  What a
 * thread carries during a call (the "inside the shim" flag, the fork
 * handler's arming) is thread-local.
 */
#ifndef DOM0C_SHIM_H
#define DOM0C_SHIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sched.h>
#include <libxl.h>
#include <dom0c.h>

#include "carve.h"

#define SHIM_LIBXL_VERSION "VERS_4.17.0"

/* ---- real.c: libxenlight's own functions -------------------------- */

struct shim_real {
    __typeof__(libxl_domain_create_new) *create_new;
    __typeof__(libxl_domain_create_restore) *create_restore;
    __typeof__(libxl_domain_suspend) *suspend;
    __typeof__(libxl_domain_destroy) *destroy;
    __typeof__(libxl_set_memory_target) *set_memory_target;
    __typeof__(libxl_domain_setmaxmem) *setmaxmem;
};

/* Resolved once: dlvsym(RTLD_NEXT, name, VERS_4.17.0), else dlsym; a
 * member is NULL when no later object defines it.  Also registers the
 * fork handler of atfork.c.  Never NULL. */
const struct shim_real *shim_real(void);

/* ---- logger.c: a stderr logger that says who speaks --------------- */

struct shim_log {
    xentoollog_logger vt;           /* first: hand &vt to libdom0c */
    xentoollog_logger *out;         /* stdio on stderr, NULL if none */
    const char *prefix;             /* "dom0c-shim" */
};

/* Level info, or debug when DOM0C_SHIM_DEBUG is set and not "0". */
void shim_log_open(struct shim_log *l, const char *prefix);
void shim_log_close(struct shim_log *l);
void shim_say(struct shim_log *l, xentoollog_level level, const char *fmt,
              ...) __attribute__((format(printf, 3, 4)));

/* ---- session.c: one libdom0c context per interposed call ----------- */

struct shim_call {
    struct shim_log log;
    dom0c_ctx *dc;                  /* NULL: dom0c does nothing here */
    const char *what;               /* "create", "destroy"... */
};

/* True when libdom0c is open and the host opted in (dom0c_ready() is
 * 0); else c->dc is NULL and the caller passes the call through.  Marks
 * this thread as inside the shim until shim_end(). */
bool shim_begin(struct shim_call *c, const char *what);
void shim_end(struct shim_call *c);
/* Inside the shim on this thread: libdom0c's own libxl calls (its
 * libxl_set_memory_target) pass straight through. */
bool shim_busy(void);
/* Pass-through for asynchronous calls (ao_how set): true, said at
 * debug level.  libvirt's are all synchronous. */
bool shim_async(const void *ao_how, const char *what);
/* The uuid of a running domain, through the caller's ctx: 0 or -1. */
int shim_domain_uuid(libxl_ctx *ctx, uint32_t domid, char uuid[37]);
/* The stored config of domid says dom0c = 0 (the xl.cfg opt-out). */
bool shim_domain_opted_out(libxl_ctx *ctx, uint32_t domid);
/* libxenlight lacks the function: said, ERROR_FAIL. */
int shim_missing(const char *name);

/* ---- affinity.c: the calling thread's CPU affinity ----------------- */

struct shim_affinity {
    cpu_set_t *saved;               /* the mask before pin, or NULL */
    size_t size;
};

/* Pins the calling thread (only it) to dom0 vCPU cpu, remembering its
 * mask.  0, or a negative errno with the thread unchanged: -EINVAL when
 * its cgroup's cpuset does not hold cpu (libvirtd in dom0c/main). */
int shim_affinity_pin(struct shim_affinity *a, int cpu);
/* Puts the remembered mask back; nothing after a failed pin.  0 or a
 * negative errno. */
int shim_affinity_restore(struct shim_affinity *a);

/* ---- atfork.c: the children libxl forks during a call -------------- */

/* Arms this thread: a child it forks writes "0" to the leaf's
 * cgroup.procs and pins itself to the dom0 vCPU, before anything else.
 * 0, or -ENAMETOOLONG / -EINVAL (nothing armed). */
int shim_arm(const dom0c_spot *s);
void shim_disarm(void);
/* The pthread_atfork child handler (registered by shim_real()). */
void shim_atfork_child(void);
/* Registers it; called once. */
int shim_atfork_register(void);

/* ---- env.c: LD_PRELOAD without the shim ---------------------------- */

#define SHIM_SONAME "libdom0c-libxl-shim.so"

/* preload (LD_PRELOAD: ':' or ' ' separated) without the entries whose
 * file name is SHIM_SONAME, into out.  0, or -ENAMETOOLONG. */
int shim_preload_without(const char *preload, char *out, size_t len);

/* ---- helper_args.c: libxl-save-helper's argv ----------------------- */

/* argv as libxl gives it to the helper: DOMID is argv[4] in both modes
 * (libxl_save_callout.c run_helper, libxl_save_helper.c main).  0 with
 * *domid and *op, or -EINVAL with a sentence naming the value in err. */
int shim_helper_args(int argc, char *const *argv, uint32_t *domid,
                     dom0c_op *op, char *err, size_t errlen);

#endif
