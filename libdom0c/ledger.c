/*
 * ledger.c - reservations in xenstore under /tool/dom0c.
 *
 * Every value is written and read by dom0 only (the subtree is "n0"),
 * and still parsed strictly: a malformed value is -EINVAL, never a guess.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"

#define MAX_RESTARTS 64
#define MAX_MB (UINT64_C(1) << 40)

bool d0_uuid_valid(const char *u)
{
    static const char shape[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

    if (!u || strlen(u) != sizeof(shape) - 1)
        return false;
    for (size_t i = 0; shape[i]; i++) {
        bool hex = (u[i] >= '0' && u[i] <= '9') ||
                   (u[i] >= 'a' && u[i] <= 'f');
        if (shape[i] == '-' ? u[i] != '-' : !hex)
            return false;
    }
    return true;
}

int d0_xs_transaction(struct d0_backend *b, d0_txn_fn *fn, void *arg)
{
    for (int i = 0; i < MAX_RESTARTS; i++) {
        d0_txn t;
        int rc = b->ops->xs_begin(b->h, &t);
        if (rc)
            return rc;
        rc = fn(b, t, arg);
        if (rc) {
            b->ops->xs_end(b->h, t, true);
            return rc;
        }
        rc = b->ops->xs_end(b->h, t, false);
        if (rc != -EAGAIN)
            return rc;
    }
    return -EAGAIN;
}

/* ---- one value ----------------------------------------------------- */

static int put(struct d0_backend *b, d0_txn t, const char *dir,
               const char *key, const char *val)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return b->ops->xs_write(b->h, t, path, val);
}

static int put_u64(struct d0_backend *b, d0_txn t, const char *dir,
                   const char *key, uint64_t v)
{
    char val[32];

    snprintf(val, sizeof(val), "%llu", (unsigned long long)v);
    return put(b, t, dir, key, val);
}

static int get(struct d0_backend *b, d0_txn t, const char *dir,
               const char *key, char **val)
{
    char path[256];

    snprintf(path, sizeof(path), "%s/%s", dir, key);
    return b->ops->xs_read(b->h, t, path, val);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (*s < '0' || *s > '9')
        return -EINVAL;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end || v > max)
        return -EINVAL;
    *out = v;
    return 0;
}

static int get_u64(struct d0_backend *b, d0_txn t, const char *dir,
                   const char *key, uint64_t max, uint64_t *out)
{
    char *val = NULL;
    int rc = get(b, t, dir, key, &val);

    if (!rc)
        rc = parse_u64(val, max, out);
    free(val);
    return rc;
}

static int get_uuid(struct d0_backend *b, d0_txn t, const char *dir,
                    char out[37])
{
    char *val = NULL;
    int rc = get(b, t, dir, "uuid", &val);

    if (!rc && !d0_uuid_valid(val))
        rc = -EINVAL;
    if (!rc)
        memcpy(out, val, 37);
    free(val);
    return rc;
}

/* ---- the subtree --------------------------------------------------- */

int d0_ledger_ready(struct d0_backend *b, d0_txn t)
{
    char *val = NULL;
    int rc = get(b, t, D0_LEDGER_ROOT, "version", &val);

    if (!rc && strcmp(val, D0_LEDGER_VERSION))
        rc = -EPROTO;
    free(val);
    return rc;
}

int d0_ledger_create(struct d0_backend *b, d0_txn t)
{
    int rc = b->ops->xs_write(b->h, t, D0_LEDGER_ROOT, "");

    if (!rc)
        rc = b->ops->xs_restrict(b->h, t, D0_LEDGER_ROOT);
    if (!rc)
        rc = put(b, t, D0_LEDGER_ROOT, "version", D0_LEDGER_VERSION);
    if (!rc)
        rc = put(b, t, D0_LEDGER_ROOT, "domains", "");
    if (!rc)
        rc = put(b, t, D0_LEDGER_ROOT, "pending", "");
    return rc;
}

/* ---- committed entries -------------------------------------------- */

static void entry_dir(char *buf, size_t len, uint32_t domid)
{
    snprintf(buf, len, D0_LEDGER_ROOT "/domains/%u", domid);
}

int d0_ledger_put(struct d0_backend *b, d0_txn t, const struct d0_entry *e)
{
    char dir[64];
    int rc;

    if (!d0_uuid_valid(e->uuid))
        return -EINVAL;
    entry_dir(dir, sizeof(dir), e->domid);
    rc = put(b, t, dir, "uuid", e->uuid);
    if (!rc) rc = put_u64(b, t, dir, "requested_mb", e->requested_mb);
    if (!rc) rc = put_u64(b, t, dir, "given_mb", e->given_mb);
    if (!rc) rc = put_u64(b, t, dir, "epsilon_mb", e->epsilon_mb);
    if (!rc) rc = put_u64(b, t, dir, "nodemap", e->nodemap);
    if (!rc) rc = put_u64(b, t, dir, "leaf_node", (uint64_t)e->leaf_node);
    if (!rc) rc = put_u64(b, t, dir, "io_level", e->io_level);
    if (!rc) rc = put_u64(b, t, dir, "io_reserve_mb", e->io_reserve_mb);
    return rc;
}

int d0_ledger_has(struct d0_backend *b, d0_txn t, uint32_t domid)
{
    char dir[64], uuid[37];

    entry_dir(dir, sizeof(dir), domid);
    return get_uuid(b, t, dir, uuid);
}

int d0_ledger_get(struct d0_backend *b, d0_txn t, uint32_t domid,
                  struct d0_entry *out)
{
    struct d0_entry e = { .domid = domid };
    uint64_t leaf = 0, level = 0;
    char dir[64];
    int rc;

    entry_dir(dir, sizeof(dir), domid);
    rc = get_uuid(b, t, dir, e.uuid);
    if (!rc) rc = get_u64(b, t, dir, "requested_mb", MAX_MB, &e.requested_mb);
    if (!rc) rc = get_u64(b, t, dir, "given_mb", MAX_MB, &e.given_mb);
    if (!rc) rc = get_u64(b, t, dir, "epsilon_mb", MAX_MB, &e.epsilon_mb);
    if (!rc) rc = get_u64(b, t, dir, "nodemap", UINT64_MAX, &e.nodemap);
    if (!rc) rc = get_u64(b, t, dir, "leaf_node", DOM0C_MAX_NODES - 1, &leaf);
    if (!rc) rc = get_u64(b, t, dir, "io_level", 64, &level);
    if (!rc) rc = get_u64(b, t, dir, "io_reserve_mb", MAX_MB,
                          &e.io_reserve_mb);
    if (rc)
        return rc;
    e.leaf_node = (int)leaf;
    e.io_level = (unsigned)level;
    *out = e;
    return 0;
}

int d0_ledger_del(struct d0_backend *b, d0_txn t, uint32_t domid)
{
    char dir[64];

    entry_dir(dir, sizeof(dir), domid);
    return b->ops->xs_rm(b->h, t, dir);
}

/*
 * Reads every child of dir into one malloc'd array of nr records of size
 * bytes, one get(name, record) each; a missing dir is an empty list.
 */
typedef int get_fn(struct d0_backend *b, d0_txn t, const char *name,
                   void *out);

static int list_all(struct d0_backend *b, d0_txn t, const char *dir,
                    size_t size, get_fn *get_one, void **out, unsigned *nr)
{
    char **names = NULL;
    unsigned n = 0;
    char *recs = NULL;
    int rc = b->ops->xs_list(b->h, t, dir, &names, &n);

    if (rc == -ENOENT)
        rc = 0, n = 0;
    if (rc)
        return rc;
    recs = calloc(n ? n : 1, size);
    if (!recs)
        rc = -ENOMEM;
    for (unsigned i = 0; !rc && i < n; i++)
        rc = get_one(b, t, names[i], recs + i * size);
    free(names);
    if (rc) {
        free(recs);
        return rc;
    }
    *out = recs;
    *nr = n;
    return 0;
}

static int get_entry(struct d0_backend *b, d0_txn t, const char *name,
                     void *out)
{
    uint64_t domid;
    int rc = parse_u64(name, UINT32_MAX, &domid);

    return rc ? rc : d0_ledger_get(b, t, (uint32_t)domid, out);
}

int d0_ledger_list(struct d0_backend *b, d0_txn t, struct d0_entry **out,
                   unsigned *nr)
{
    return list_all(b, t, D0_LEDGER_ROOT "/domains", sizeof(**out),
                    get_entry, (void **)out, nr);
}

/* ---- pending (prepared, not yet committed) ------------------------- */

static int pending_dir(char *buf, size_t len, const char *uuid)
{
    if (!d0_uuid_valid(uuid))
        return -EINVAL;
    snprintf(buf, len, D0_LEDGER_ROOT "/pending/%s", uuid);
    return 0;
}

int d0_pending_put(struct d0_backend *b, d0_txn t,
                   const struct d0_pending *p)
{
    char dir[96];
    int rc = pending_dir(dir, sizeof(dir), p->uuid);

    if (!rc) rc = put_u64(b, t, dir, "requested_mb", p->requested_mb);
    if (!rc) rc = put_u64(b, t, dir, "given_mb", p->given_mb);
    if (!rc) rc = put_u64(b, t, dir, "epsilon_mb", p->epsilon_mb);
    if (!rc) rc = put_u64(b, t, dir, "nodemap", p->nodemap);
    if (!rc) rc = put_u64(b, t, dir, "pid", (uint64_t)p->pid);
    return rc;
}

int d0_pending_get(struct d0_backend *b, d0_txn t, const char *uuid,
                   struct d0_pending *out)
{
    struct d0_pending p = { 0 };
    uint64_t pid = 0;
    char dir[96];
    int rc = pending_dir(dir, sizeof(dir), uuid);

    if (!rc) rc = get_u64(b, t, dir, "requested_mb", MAX_MB, &p.requested_mb);
    if (!rc) rc = get_u64(b, t, dir, "given_mb", MAX_MB, &p.given_mb);
    if (!rc) rc = get_u64(b, t, dir, "epsilon_mb", MAX_MB, &p.epsilon_mb);
    if (!rc) rc = get_u64(b, t, dir, "nodemap", UINT64_MAX, &p.nodemap);
    if (!rc) rc = get_u64(b, t, dir, "pid", INT32_MAX, &pid);
    if (rc)
        return rc;
    memcpy(p.uuid, uuid, 37);
    p.pid = (pid_t)pid;
    *out = p;
    return 0;
}

int d0_pending_del(struct d0_backend *b, d0_txn t, const char *uuid)
{
    char dir[96];
    int rc = pending_dir(dir, sizeof(dir), uuid);

    return rc ? rc : b->ops->xs_rm(b->h, t, dir);
}

static int get_pending(struct d0_backend *b, d0_txn t, const char *name,
                       void *out)
{
    return d0_pending_get(b, t, name, out);
}

int d0_pending_list(struct d0_backend *b, d0_txn t, struct d0_pending **out,
                    unsigned *nr)
{
    return list_all(b, t, D0_LEDGER_ROOT "/pending", sizeof(**out),
                    get_pending, (void **)out, nr);
}
