/*
 * ledger.h - the reservations libdom0c holds, kept in xenstore under
 * /tool/dom0c (owner dom0, no access for guests).  docs/xenstore-paths.md
 * lists every key.  Entries are keyed by domid and carry the uuid,
 * because domids are reused.
 */
#ifndef D0_LEDGER_H
#define D0_LEDGER_H

#include <stdint.h>
#include <sys/types.h>

#include "ops.h"

#define D0_LEDGER_ROOT "/tool/dom0c"
#define D0_LEDGER_VERSION "1"

/* A committed reservation: a live domU and dom0's share for it. */
struct d0_entry {
    uint32_t domid;
    char uuid[37];
    uint64_t requested_mb;      /* M, what the domU asked for */
    uint64_t given_mb;          /* M - n*eps */
    uint64_t epsilon_mb;
    uint64_t nodemap;           /* the n nodes, each holding eps */
    int leaf_node;              /* node of dom0c/node<N>/dom<ID> */
    unsigned io_level;          /* Algorithm 1 state */
    uint64_t io_reserve_mb;     /* moved to dom0 by I/O levels */
};

/* A prepared domU not yet committed (create under way, or crashed). */
struct d0_pending {
    char uuid[37];
    uint64_t requested_mb, given_mb, epsilon_mb, nodemap;
    pid_t pid;                  /* the preparing process */
};

/* True for a canonical "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" uuid. */
bool d0_uuid_valid(const char *uuid);

/*
 * Runs fn inside one xenstore transaction, restarting the whole
 * transaction when it ends with EAGAIN (as libxl_set_memory_target does).
 * fn's error aborts it.  Returns fn's or the end's result.
 */
typedef int d0_txn_fn(struct d0_backend *b, d0_txn t, void *arg);
int d0_xs_transaction(struct d0_backend *b, d0_txn_fn *fn, void *arg);

/* /tool/dom0c/version exists: 0; -ENOENT when dom0c init never ran. */
int d0_ledger_ready(struct d0_backend *b, d0_txn t);
/* Creates the subtree with dom0-only permissions; idempotent. */
int d0_ledger_create(struct d0_backend *b, d0_txn t);

int d0_ledger_get(struct d0_backend *b, d0_txn t, uint32_t domid,
                  struct d0_entry *out);                 /* -ENOENT */
/* 0 when domid has an entry (its uuid alone is read), else -ENOENT. */
int d0_ledger_has(struct d0_backend *b, d0_txn t, uint32_t domid);
int d0_ledger_put(struct d0_backend *b, d0_txn t, const struct d0_entry *e);
int d0_ledger_del(struct d0_backend *b, d0_txn t, uint32_t domid);
/* Every entry; *out malloc'd (may be NULL when *nr is 0). */
int d0_ledger_list(struct d0_backend *b, d0_txn t, struct d0_entry **out,
                   unsigned *nr);

int d0_pending_get(struct d0_backend *b, d0_txn t, const char *uuid,
                   struct d0_pending *out);              /* -ENOENT */
int d0_pending_put(struct d0_backend *b, d0_txn t,
                   const struct d0_pending *p);
int d0_pending_del(struct d0_backend *b, d0_txn t, const char *uuid);
int d0_pending_list(struct d0_backend *b, d0_txn t, struct d0_pending **out,
                    unsigned *nr);

#endif
