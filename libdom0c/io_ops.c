/*
 * io_ops.c - a domU's I/O counters from dom0's sysfs (under the sysroot
 * dirfd): blkback's statistics of every vbd-<domid>-<devid>, netback's
 * interface counters of every vif<domid>.<n>.  Cheap enough to read every
 * second, unlike libxenstat's QMP path for qdisk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ops_real.h"

/* One decimal counter file; -EINVAL for anything else in it. */
static int counter(int root, const char *path, uint64_t *out)
{
    char buf[64], *end;
    int fd = openat(root, path, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -errno;
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return n < 0 ? -errno : -EINVAL;
    buf[n] = '\0';
    errno = 0;
    *out = strtoull(buf, &end, 10);
    if (errno || end == buf || (*end && *end != '\n'))
        return -EINVAL;
    return 0;
}

/* Sums files[] under every dir/<prefix>* entry. */
static int sum_dir(int root, const char *dir, const char *prefix,
                   const char *const *files, uint64_t scale, uint64_t *sum,
                   unsigned *found)
{
    char path[512];
    struct dirent *e;
    int fd = openat(root, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;

    if (!d) {
        if (fd >= 0)
            close(fd);
        return 0;                   /* no such bus: nothing of that kind */
    }
    while (!rc && (e = readdir(d))) {
        if (strncmp(e->d_name, prefix, strlen(prefix)))
            continue;
        for (unsigned i = 0; !rc && files[i]; i++) {
            uint64_t v = 0;
            snprintf(path, sizeof(path), "%s/%s/%s", dir, e->d_name,
                     files[i]);
            rc = counter(root, path, &v);
            *sum += v * scale;
        }
        (*found)++;
    }
    closedir(d);
    return rc;
}

int d0_io_bytes(void *h, uint32_t domid, uint64_t *bytes)
{
    static const char *const vbd[] = { "statistics/rd_sect",
                                       "statistics/wr_sect", NULL };
    static const char *const vif[] = { "statistics/rx_bytes",
                                       "statistics/tx_bytes", NULL };
    struct d0_real *r = h;
    char prefix[32];
    uint64_t sum = 0;
    unsigned found = 0;
    int rc;

    snprintf(prefix, sizeof(prefix), "vbd-%u-", domid);
    rc = sum_dir(r->sys_root, "sys/bus/xen-backend/devices", prefix, vbd,
                 512, &sum, &found);
    snprintf(prefix, sizeof(prefix), "vif%u.", domid);
    if (!rc)
        rc = sum_dir(r->sys_root, "sys/class/net", prefix, vif, 1, &sum,
                     &found);
    if (!rc && !found)
        rc = -ENOENT;
    if (!rc)
        *bytes = sum;
    return rc;
}
