/*
 * cgroup_ops.c - the real backend's cgroup v2 operations, and the pure
 * helpers of cgroup.h.
 *
 * Every path is relative to r->cg_root, a dirfd of the cgroup v2 root
 * (O_PATH is enough), and goes through mkdirat/unlinkat/openat: nothing
 * here opens an absolute path, so a test points cg_root at a plain
 * directory tree and the same code runs (d0_cg_path only formats one,
 * for a forked child that moves itself without the library).  Every
 * name is checked by d0_cg_check_path() first.  Nothing here logs
 * (ops.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "num.h"
#include "ops_real.h"

/*
 * Checks cg and file and writes "cg/file" into buf.  cg "" is the root
 * cgroup itself (read and write only: "cgroup.subtree_control" of the
 * root); file is one name, without '/'.
 */
static int file_path(char *buf, size_t len, const char *cg, const char *file)
{
    int n;

    if (!cg || (cg[0] && d0_cg_check_path(cg)) ||
        d0_cg_check_path(file) || strchr(file, '/'))
        return -EINVAL;
    n = snprintf(buf, len, "%s%s%s", cg, cg[0] ? "/" : "", file);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* An existing cgroup is -EEXIST (callers take it as success, and count
 * only real creations); an existing non-directory is -ENOTDIR.  Parents
 * are not made: -ENOENT (create them first). */
int d0_cg_mkdir(void *h, const char *cg)
{
    struct d0_real *r = h;
    struct stat st;

    if (!cg || d0_cg_check_path(cg))
        return -EINVAL;
    if (!mkdirat(r->cg_root, cg, 0755))
        return 0;
    if (errno != EEXIST)
        return -errno;
    if (fstatat(r->cg_root, cg, &st, AT_SYMLINK_NOFOLLOW))
        return -errno;
    return S_ISDIR(st.st_mode) ? -EEXIST : -ENOTDIR;
}

/* A missing cgroup is not an error; one with children or processes is
 * -EBUSY on cgroupfs (-ENOTEMPTY on a plain directory). */
int d0_cg_rmdir(void *h, const char *cg)
{
    struct d0_real *r = h;

    if (!cg || d0_cg_check_path(cg))
        return -EINVAL;
    if (unlinkat(r->cg_root, cg, AT_REMOVEDIR) && errno != ENOENT)
        return -errno;
    return 0;
}

/*
 * Reads the whole file, strips one trailing newline and copies it with
 * its NUL into buf.  A value that does not fit in len - 1 bytes gives
 * -ERANGE (as getcwd and getxattr do) and buf is left as it was: the
 * caller retries with a bigger buffer.  Multi-line files (cgroup.procs)
 * keep their inner newlines.
 */
int d0_cg_read(void *h, const char *cg, const char *file, char *buf,
               size_t len)
{
    struct d0_real *r = h;
    char path[PATH_MAX], *tmp = NULL;
    size_t n = 0;
    ssize_t got;
    int fd = -1, rc;

    if (!buf || !len || len == SIZE_MAX) {
        rc = -EINVAL;
        goto out;
    }
    rc = file_path(path, sizeof(path), cg, file);
    if (rc)
        goto out;
    tmp = malloc(len + 1);
    if (!tmp) {
        rc = -ENOMEM;
        goto out;
    }
    fd = openat(r->cg_root, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    /* Up to len + 1 bytes: enough to tell "fits after stripping". */
    while (n <= len && (got = read(fd, tmp + n, len + 1 - n)) != 0) {
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = -errno;
            goto out;
        }
        n += (size_t)got;
    }
    if (n && tmp[n - 1] == '\n')
        n--;
    if (n >= len) {
        rc = -ERANGE;
        goto out;
    }
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    rc = 0;
out:
    if (fd >= 0)
        close(fd);
    free(tmp);
    return rc;
}

/*
 * One write() of the whole value: cgroupfs parses each write on its own
 * and reports a rejected value as the write's error (-EBUSY, -EINVAL,
 * -ESRCH for a vanished pid in cgroup.procs...).  No O_CREAT: a control
 * file that does not exist is -ENOENT.  O_TRUNC changes nothing on
 * cgroupfs and lets tests use plain files.  A short write is -EIO.
 */
int d0_cg_write(void *h, const char *cg, const char *file, const char *val)
{
    struct d0_real *r = h;
    char path[PATH_MAX];
    size_t len;
    ssize_t w;
    int fd = -1, rc;

    rc = val ? file_path(path, sizeof(path), cg, file) : -EINVAL;
    if (rc)
        goto out;
    len = strlen(val);
    fd = openat(r->cg_root, path,
                O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    do {
        w = write(fd, val, len);
    } while (w < 0 && errno == EINTR);
    if (w < 0)
        rc = -errno;
    else
        rc = (size_t)w == len ? 0 : -EIO;
out:
    if (fd >= 0)
        close(fd);
    return rc;
}

/* -- pure helpers ---------------------------------------------------- */

static int name_into(char *buf, size_t len, const char *fmt, unsigned a,
                     uint32_t b)
{
    char tmp[D0_CG_NAME_MAX];
    int n = snprintf(tmp, sizeof(tmp), fmt, a, b);

    if (n < 0 || !buf || (size_t)n >= len)
        return -ENAMETOOLONG;
    memcpy(buf, tmp, (size_t)n + 1);
    return 0;
}

int d0_cg_main(char *buf, size_t len)
{
    return name_into(buf, len, "dom0c/main", 0, 0);
}

int d0_cg_node(char *buf, size_t len, unsigned node)
{
    return name_into(buf, len, "dom0c/node%u", node, 0);
}

int d0_cg_leaf(char *buf, size_t len, unsigned node, uint32_t domid)
{
    return name_into(buf, len, "dom0c/node%u/dom%u", node, domid);
}

int d0_cg_incoming(char *buf, size_t len, unsigned node, int pid)
{
    return name_into(buf, len, "dom0c/node%u/incoming%u", node, (uint32_t)pid);
}

int d0_cg_check_path(const char *p)
{
    const char *c;

    if (!p || !p[0] || p[0] == '/' || strstr(p, ".."))
        return -EINVAL;
    for (c = p; *c; c++) {
        bool start = c == p || c[-1] == '/';

        if (start && (*c == '/' || (c[0] == '.' &&
                                    (c[1] == '/' || !c[1]))))
            return -EINVAL;
    }
    return c[-1] == '/' ? -EINVAL : 0;
}


int d0_cg_parse_bytes(const char *text, uint64_t *bytes)
{
    size_t n;

    if (!text)
        return -EINVAL;
    n = strlen(text);
    if (n && text[n - 1] == '\n')
        n--;
    if (n == 3 && !memcmp(text, "max", 3)) {
        *bytes = UINT64_MAX;
        return 0;
    }
    return d0_parse_dec(text, n, bytes);
}

/*
 * Worked example: "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n
 * nr_periods 0\n" gives { 1500, 1000, 500 }; without user_usec it is
 * -EINVAL (every kernel with cgroup v2 prints all three).
 */
int d0_cg_parse_cpu_stat(const char *text, struct d0_cg_cpu *out)
{
    static const char *const keys[] = {
        "usage_usec", "user_usec", "system_usec",
    };
    uint64_t v[3];
    unsigned seen = 0;
    const char *line, *end, *sp;

    if (!text)
        return -EINVAL;
    for (line = text; *line; line = *end ? end + 1 : end) {
        end = line + strcspn(line, "\n");
        sp = memchr(line, ' ', (size_t)(end - line));
        for (unsigned k = 0; sp && k < 3; k++) {
            if ((size_t)(sp - line) != strlen(keys[k]) ||
                memcmp(line, keys[k], (size_t)(sp - line)))
                continue;
            if (seen & (1u << k) ||
                d0_parse_dec(sp + 1, (size_t)(end - sp - 1), &v[k]))
                return -EINVAL;
            seen |= 1u << k;
        }
    }
    if (seen != 7)
        return -EINVAL;
    out->usage_usec = v[0];
    out->user_usec = v[1];
    out->system_usec = v[2];
    return 0;
}

/* Packs names into one malloc'd block: the vector, then the strings. */
static char **pack(char *const *names, unsigned nr)
{
    size_t bytes = (nr + 1) * sizeof(char *);
    char **blk, *dst;

    for (unsigned i = 0; i < nr; i++)
        bytes += strlen(names[i]) + 1;
    blk = malloc(bytes);
    if (!blk)
        return NULL;
    dst = (char *)(blk + nr + 1);
    for (unsigned i = 0; i < nr; i++) {
        blk[i] = strcpy(dst, names[i]);
        dst += strlen(names[i]) + 1;
    }
    blk[nr] = NULL;
    return blk;
}

/* The child cgroups (subdirectories) of cg; "" is the root. */
int d0_cg_list(void *h, const char *cg, char ***names, unsigned *nr)
{
    struct d0_real *r = h;
    char *found[1024];
    unsigned n = 0;
    struct dirent *e;
    int fd, rc = 0;
    DIR *d;

    if (!cg || (cg[0] && d0_cg_check_path(cg)))
        return -EINVAL;
    fd = openat(r->cg_root, cg[0] ? cg : ".",
                O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    d = fdopendir(fd);
    if (!d) {
        close(fd);
        return -errno;
    }
    while ((e = readdir(d)) && n < 1024)
        if (e->d_type == DT_DIR && e->d_name[0] != '.')
            found[n++] = e->d_name;
    *names = pack(found, n);
    if (!*names)
        rc = -ENOMEM;
    *nr = n;
    closedir(d);
    return rc;
}

/* The one absolute path this file makes: for a forked child that moves
 * itself without the library (dom0c_locate).  "/" as the root gives
 * "/dom0c/...", not "//dom0c/...". */
int d0_cg_path(void *h, const char *cg, char *buf, size_t len)
{
    struct d0_real *r = h;
    const char *root = r->cg_root_path;
    size_t rl;
    int n;

    if (!root || !cg || d0_cg_check_path(cg))
        return -EINVAL;
    rl = strlen(root);
    n = snprintf(buf, len, "%.*s/%s", (int)(rl && root[rl - 1] == '/'
                                             ? rl - 1 : rl), root, cg);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
