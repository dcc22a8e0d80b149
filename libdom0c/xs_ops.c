/*
 * xs_ops.c - xenstore for the real backend.  Transactions are restarted
 * by the caller (ledger.c: d0_xs_transaction) when they end in EAGAIN.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <xenstore.h>

#include "ops_real.h"

#define R(h) ((struct d0_real *)(h))

static int handle(struct d0_real *r, struct xs_handle **out)
{
    if (!r->xs)
        r->xs = xs_open(0);
    if (!r->xs)
        return errno ? -errno : -ENOENT;
    *out = r->xs;
    return 0;
}

static int fail(void)
{
    return errno ? -errno : -EIO;
}

int d0_xs_begin(void *h, d0_txn *t)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    *t = xs_transaction_start(xs);
    return *t == XBT_NULL ? fail() : 0;
}

int d0_xs_end(void *h, d0_txn t, bool abort)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    return xs_transaction_end(xs, t, abort) ? 0 : fail();
}

int d0_xs_read(void *h, d0_txn t, const char *path, char **val)
{
    struct xs_handle *xs;
    unsigned len;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    *val = xs_read(xs, t, path, &len);
    return *val ? 0 : fail();
}

int d0_xs_write(void *h, d0_txn t, const char *path, const char *val)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    return xs_write(xs, t, path, val, strlen(val)) ? 0 : fail();
}

int d0_xs_rm(void *h, d0_txn t, const char *path)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    if (xs_rm(xs, t, path) || errno == ENOENT)
        return 0;
    return fail();
}

int d0_xs_list(void *h, d0_txn t, const char *path, char ***names,
               unsigned *nr)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    *names = xs_directory(xs, t, path, nr);
    return *names ? 0 : fail();
}

int d0_xs_restrict(void *h, d0_txn t, const char *path)
{
    struct xs_permissions perm = { .id = 0, .perms = XS_PERM_NONE };
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    return xs_set_permissions(xs, t, path, &perm, 1) ? 0 : fail();
}

void d0_xs_close(struct d0_real *r)
{
    xs_close(r->xs);
    r->xs = NULL;
}

int d0_xs_watch(void *h, const char *path, const char *token)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    return xs_watch(xs, path, token) ? 0 : fail();
}

int d0_xs_fd(void *h)
{
    struct xs_handle *xs;
    int rc = handle(R(h), &xs);

    return rc ? rc : xs_fileno(xs);
}

int d0_xs_next_watch(void *h, char **path, char **token)
{
    struct xs_handle *xs;
    char **vec;
    int rc = handle(R(h), &xs);

    if (rc)
        return rc;
    vec = xs_check_watch(xs);
    if (!vec)
        return errno == EAGAIN || !errno ? -EAGAIN : -errno;
    *path = strdup(vec[XS_WATCH_PATH]);
    *token = strdup(vec[XS_WATCH_TOKEN]);
    free(vec);
    return *path && *token ? 0 : -ENOMEM;
}
