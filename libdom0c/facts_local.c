/*
 * facts_local.c - facts of the running Linux: what a bare-metal host
 * looks like before Xen is installed, or a dom0 that has vNUMA.
 *
 * pCPUs (online, core, socket) come from sysfs under a root, so that a
 * captured tree can be read as lscpu --sysroot does; nodes, their sizes,
 * free memory, distances and each CPU's node come from libnuma, which
 * always reads this machine.  A PV dom0 sees a single node (Linux
 * ignores the SRAT under Xen): the caller is told, so it can point the
 * user at the live Xen facts instead.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <numa.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "facts.h"

#define CPU_DIR "/sys/devices/system/cpu"

/* Reads <root><rel> into buf: NUL-terminated, trailing space removed. */
static int read_at(const char *root, const char *rel, char *buf,
                   size_t size)
{
    char path[512];
    ssize_t n;
    int fd, rc = 0;

    snprintf(path, sizeof(path), "%s%s", root, rel);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    n = read(fd, buf, size - 1);
    if (n < 0)
        rc = -errno;
    close(fd);
    if (rc)
        return rc;
    while (n > 0 && isspace((unsigned char)buf[n - 1]))
        n--;
    buf[n] = '\0';
    return 0;
}

static int read_list(const char *root, const char *rel, d0_cpuset *s,
                     char *err, size_t errlen)
{
    char buf[4096];
    int rc;

    rc = read_at(root, rel, buf, sizeof(buf));
    if (rc) {
        d0_facts_err(err, errlen, "%s%s: %s", root, rel, strerror(-rc));
        return rc;
    }
    if (d0_cpuset_parse(buf, DOM0C_MAX_CPUS, s)) {
        d0_facts_err(err, errlen, "%s%s = \"%.40s\": not a cpu list below "
                     "%d", root, rel, buf, DOM0C_MAX_CPUS);
        return -EINVAL;
    }
    return 0;
}

/* A topology id of cpu: -1 when the file is absent (unknown). */
static int read_id(const char *root, unsigned cpu, const char *name,
                   int32_t *out, char *err, size_t errlen)
{
    char rel[96], buf[32], *end;
    long v;
    int rc;

    snprintf(rel, sizeof(rel), CPU_DIR "/cpu%u/topology/%s", cpu, name);
    rc = read_at(root, rel, buf, sizeof(buf));
    if (rc == -ENOENT) {
        *out = -1;
        return 0;
    }
    if (rc) {
        d0_facts_err(err, errlen, "%s%s: %s", root, rel, strerror(-rc));
        return rc;
    }
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno || end == buf || *end || v < -1 || v > INT32_MAX) {
        d0_facts_err(err, errlen, "%s%s = \"%s\": not an id", root, rel,
                     buf);
        return -EINVAL;
    }
    *out = (int32_t)v;
    return 0;
}

/* libnuma's node of cpu; node 0 when it does not know the cpu (a
 * captured tree larger than this machine) or there is no NUMA. */
static int32_t node_of(unsigned cpu, bool numa, unsigned nr_nodes)
{
    int n = numa ? numa_node_of_cpu((int)cpu) : 0;

    return n < 0 || (unsigned)n >= nr_nodes ? 0 : n;
}

/* pCPUs 0..last of online + present; offline ones have -1 ids, as
 * libxl's LIBXL_CPUTOPOLOGY_INVALID_ENTRY.  Nodes come later. */
static int local_pcpus(const char *root, struct d0_facts *f, char *err,
                       size_t errlen)
{
    d0_cpuset online, present;
    int rc, last = -1;

    rc = read_list(root, CPU_DIR "/online", &online, err, errlen);
    if (rc)
        return rc;
    if (read_list(root, CPU_DIR "/present", &present, NULL, 0))
        present = online;
    d0_cpuset_or(&present, &online);
    for (int c = d0_cpuset_next(&present, 0); c >= 0;
         c = d0_cpuset_next(&present, c + 1))
        last = c;
    if (last < 0) {
        d0_facts_err(err, errlen, "%s" CPU_DIR "/online: no CPU", root);
        return -EINVAL;
    }
    f->pcpus = calloc((size_t)last + 1, sizeof(*f->pcpus));
    if (!f->pcpus)
        return -ENOMEM;
    f->nr_pcpus = (unsigned)last + 1;
    for (unsigned c = 0; c < f->nr_pcpus && !rc; c++) {
        struct d0_pcpu *p = &f->pcpus[c];
        p->online = d0_cpuset_test(&online, c);
        p->core = p->socket = p->node = -1;
        if (!p->online)
            continue;
        rc = read_id(root, c, "core_id", &p->core, err, errlen);
        if (!rc)
            rc = read_id(root, c, "physical_package_id", &p->socket, err,
                         errlen);
    }
    return rc;
}

/* One node of <root>/proc/meminfo's MemTotal and MemFree. */
static int meminfo_node(const char *root, struct d0_node *n, char *err,
                        size_t errlen)
{
    unsigned long long total_kb, free_kb;
    char buf[8192];
    const char *t, *fr;
    int rc;

    rc = read_at(root, "/proc/meminfo", buf, sizeof(buf));
    if (rc) {
        d0_facts_err(err, errlen, "%s/proc/meminfo: %s", root,
                     strerror(-rc));
        return rc;
    }
    t = strstr(buf, "MemTotal:");
    fr = strstr(buf, "MemFree:");
    if (!t || !fr || sscanf(t, "MemTotal: %llu", &total_kb) != 1 ||
        sscanf(fr, "MemFree: %llu", &free_kb) != 1) {
        d0_facts_err(err, errlen, "%s/proc/meminfo: no MemTotal and "
                     "MemFree lines", root);
        return -EINVAL;
    }
    n->size_mb = total_kb >> 10;
    n->free_mb = free_kb >> 10;
    n->dist[0] = 10;
    return 0;
}

static int local_nodes(const char *root, struct d0_facts *f, bool numa,
                       char *err, size_t errlen)
{
    int nr = numa ? numa_max_node() + 1 : 1;

    if (nr < 1 || nr > DOM0C_MAX_NODES) {
        d0_facts_err(err, errlen, "libnuma reports %d nodes, expected 1 "
                     "to %d", nr, DOM0C_MAX_NODES);
        return -EINVAL;
    }
    f->nodes = calloc((size_t)nr, sizeof(*f->nodes));
    if (!f->nodes)
        return -ENOMEM;
    f->nr_nodes = (unsigned)nr;
    if (!numa)
        return meminfo_node(root, &f->nodes[0], err, errlen);
    for (int n = 0; n < nr; n++) {
        struct d0_node *d = &f->nodes[n];
        long long free_b = 0, size_b = numa_node_size64(n, &free_b);
        if (size_b > 0) {
            d->size_mb = (uint64_t)size_b >> 20;
            d->free_mb = free_b > 0 ? (uint64_t)free_b >> 20 : 0;
        }
        if (d->free_mb > d->size_mb)
            d->free_mb = d->size_mb;
        for (int k = 0; k < nr; k++) {
            int dist = numa_distance(n, k);
            d->dist[k] = dist > 0 ? (uint32_t)dist : 0;
        }
    }
    return 0;
}

/* Xen dom0 (control_d) or any Xen guest (sys/hypervisor/type). */
static bool under_xen(const char *root)
{
    char buf[256];

    if (!read_at(root, "/proc/xen/capabilities", buf, sizeof(buf)) &&
        strstr(buf, "control_d"))
        return true;
    return !read_at(root, "/sys/hypervisor/type", buf, sizeof(buf)) &&
           !strcmp(buf, "xen");
}

int d0_facts_from_local(const char *sysroot, struct d0_facts *out,
                        char *err, size_t errlen, bool *pv_dom0)
{
    struct d0_facts f = { .source = "local" };
    const char *root = sysroot && strcmp(sysroot, "/") ? sysroot : "";
    bool numa = numa_available() >= 0;
    int rc;

    rc = local_pcpus(root, &f, err, errlen);
    if (rc)
        goto out;
    rc = local_nodes(root, &f, numa, err, errlen);
    if (rc)
        goto out;
    for (unsigned c = 0; c < f.nr_pcpus; c++)
        if (f.pcpus[c].online)
            f.pcpus[c].node = node_of(c, numa, f.nr_nodes);
    rc = d0_facts_validate(&f, err, errlen);
    if (rc)
        goto out;
    if (pv_dom0)
        *pv_dom0 = f.nr_nodes == 1 && under_xen(root);
    *out = f;
out:
    if (rc)
        d0_facts_clear(&f);
    return rc;
}
