/*
 * proc_ops.c - the real backend's process and interrupt operations.
 *
 * Everything is read through r->sys_root, a dirfd of the sysroot ("/" in
 * production, a captured or hand-made tree in tests): openat(sys_root,
 * "proc/...").  Only sched_setaffinity() and getpid() act on the running
 * system whatever the sysroot.  Nothing here logs (ops.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops_real.h"

#define PF_KTHREAD 0x00200000u          /* include/linux/sched.h */
#define MAX_PROC_FILE (64u << 20)        /* proc/interrupts, proc/stat */

/* Reads up to len - 1 bytes of path into buf, NUL-terminated. */
static int read_at(int dirfd, const char *path, char *buf, size_t len,
                   size_t *n)
{
    size_t off = 0;
    ssize_t got;
    int fd, rc = 0;

    fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    while (off + 1 < len) {
        got = read(fd, buf + off, len - 1 - off);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            rc = got < 0 ? -errno : 0;
            break;
        }
        off += (size_t)got;
    }
    close(fd);
    buf[off] = '\0';
    *n = off;
    return rc;
}

/* The whole file, malloc'd and NUL-terminated: /proc files report no
 * size, so the buffer doubles until read() says EOF.  -EFBIG if huge. */
static int read_all(int dirfd, const char *path, char **out)
{
    size_t cap = 16384, n;
    char *buf = NULL, *bigger;
    int rc;

    for (;;) {
        bigger = realloc(buf, cap);
        if (!bigger) {
            rc = -ENOMEM;
            goto out;
        }
        buf = bigger;
        rc = read_at(dirfd, path, buf, cap, &n);
        if (rc || n + 1 < cap)
            break;
        if (cap >= MAX_PROC_FILE) {
            rc = -EFBIG;
            goto out;
        }
        cap *= 2;
    }
    if (!rc) {
        *out = buf;
        buf = NULL;
    }
out:
    free(buf);
    return rc;
}

/* -- processes ------------------------------------------------------- */

/*
 * "pid (comm) S ppid pgrp session tty_nr tpgid flags ...": comm may hold
 * spaces and parentheses, so it ends at the LAST ')'.  comm is cut to
 * 15 characters (6.1 shows kernel threads' full names, up to 63).
 */
static int parse_stat(const char *s, struct d0_proc *p)
{
    const char *l = strchr(s, '('), *r = strrchr(s, ')');
    unsigned flags;
    size_t n;
    int ppid;

    if (!l || !r || r < l ||
        sscanf(r + 1, " %*c %d %*d %*d %*d %*d %u", &ppid, &flags) != 2)
        return -EINVAL;
    n = (size_t)(r - l - 1);
    if (n >= sizeof(p->comm))
        n = sizeof(p->comm) - 1;
    memcpy(p->comm, l + 1, n);
    p->comm[n] = '\0';
    p->ppid = ppid;
    p->kthread = flags & PF_KTHREAD;
    return 0;
}

/* The "0::/path" line of proc/PID/cgroup, without the leading '/'; ""
 * for the root cgroup or when there is no v2 line.  Cut to fit. */
static void parse_cgroup(const char *s, struct d0_proc *p)
{
    const char *line = s;
    size_t n;

    p->cgroup[0] = '\0';
    while (line && strncmp(line, "0::", 3)) {
        line = strchr(line, '\n');
        line = line ? line + 1 : NULL;
    }
    if (!line)
        return;
    line += 3 + (line[3] == '/');
    n = strcspn(line, "\n");
    if (n >= sizeof(p->cgroup))
        n = sizeof(p->cgroup) - 1;
    memcpy(p->cgroup, line, n);
    p->cgroup[n] = '\0';
}

/* Cpus_allowed_list of proc/PID/status; left empty when unreadable. */
static void allowed_cpus(int root, pid_t pid, struct d0_proc *p)
{
    char path[64], buf[4096], *line;
    size_t n;

    snprintf(path, sizeof(path), "proc/%d/status", (int)pid);
    if (read_at(root, path, buf, sizeof(buf), &n))
        return;
    line = strstr(buf, "Cpus_allowed_list:");
    if (!line)
        return;
    line += strlen("Cpus_allowed_list:");
    line += strspn(line, " \t");
    line[strcspn(line, "\n")] = '\0';
    if (d0_cpuset_parse(line, DOM0C_MAX_CPUS, &p->allowed))
        d0_cpuset_zero(&p->allowed);
}

/* Fills p from proc/PID; -ENOENT/-ESRCH when the process is gone, 1
 * when want() declines it after its stat. */
static int read_proc(int root, pid_t pid, d0_proc_want *want,
                     struct d0_proc *p)
{
    char path[64], buf[4096];
    size_t n;
    ssize_t len;
    int rc;

    memset(p, 0, sizeof(*p));
    p->pid = pid;
    snprintf(path, sizeof(path), "proc/%d/stat", (int)pid);
    if ((rc = read_at(root, path, buf, sizeof(buf), &n)) ||
        (rc = parse_stat(buf, p)))
        return rc;
    if (want && !want(p))
        return 1;
    snprintf(path, sizeof(path), "proc/%d/cmdline", (int)pid);
    rc = read_at(root, path, p->cmdline, sizeof(p->cmdline), &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (!p->cmdline[i])
            p->cmdline[i] = ' ';
    while (n && p->cmdline[n - 1] == ' ')
        p->cmdline[--n] = '\0';
    snprintf(path, sizeof(path), "proc/%d/cgroup", (int)pid);
    if ((rc = read_at(root, path, buf, sizeof(buf), &n)))
        return rc;
    parse_cgroup(buf, p);
    allowed_cpus(root, pid, p);
    /* Kernel threads have no exe; others' may be unreadable: "". */
    snprintf(path, sizeof(path), "proc/%d/exe", (int)pid);
    len = p->kthread ? -1 : readlinkat(root, path, p->exe,
                                       sizeof(p->exe) - 1);
    p->exe[len > 0 ? len : 0] = '\0';
    return 0;
}

static int cmp_pid(const void *a, const void *b)
{
    const struct d0_proc *x = a, *y = b;

    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* A directory name that is a pid: digits only, 1..INT_MAX. */
static pid_t name_pid(const char *s)
{
    long v = 0;

    if (!*s || *s == '0')
        return 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || v > 0x7fffffffL / 10)
            return 0;
        v = v * 10 + (*s - '0');
    }
    return v <= 0x7fffffff ? (pid_t)v : 0;
}

/* Appends one slot to *v (capacity doubling); NULL when out of memory. */
static struct d0_proc *grow(struct d0_proc **v, unsigned *nr, unsigned *cap)
{
    struct d0_proc *bigger;

    if (*nr == *cap) {
        unsigned c = *cap ? *cap * 2 : 256;

        bigger = reallocarray(*v, c, sizeof(**v));
        if (!bigger)
            return NULL;
        *v = bigger;
        *cap = c;
    }
    return &(*v)[(*nr)++];
}

/*
 * Every process (not thread) of proc/, sorted by pid.  A process that
 * exits during the walk (-ENOENT/-ESRCH on one of its files) is left
 * out.  *out is malloc'd (free() it), written only on success.
 */
int d0_proc_list(void *h, d0_proc_want *want, struct d0_proc **out,
                 unsigned *nr)
{
    struct d0_real *r = h;
    struct d0_proc *v = NULL, *p;
    unsigned n = 0, cap = 0;
    struct dirent *de;
    DIR *dir = NULL;
    int fd, rc;

    fd = openat(r->sys_root, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || !(dir = fdopendir(fd))) {
        rc = -errno;
        if (fd >= 0)
            close(fd);
        goto out;
    }
    for (errno = 0; (de = readdir(dir)); errno = 0) {
        pid_t pid = name_pid(de->d_name);

        if (!pid)
            continue;
        if (!(p = grow(&v, &n, &cap))) {
            rc = -ENOMEM;
            goto out;
        }
        rc = read_proc(r->sys_root, pid, want, p);
        if (rc == 1 || rc == -ENOENT || rc == -ESRCH)
            n--;
        else if (rc)
            goto out;
    }
    if (errno) {
        rc = -errno;
        goto out;
    }
    if (n)
        qsort(v, n, sizeof(*v), cmp_pid);
    *out = v;
    *nr = n;
    v = NULL;
    rc = 0;
out:
    if (dir)
        closedir(dir);
    free(v);
    return rc;
}

/* kill(pid, 0) without signals: does proc/PID exist under the sysroot?
 * A zombie is alive until reaped, as with kill(). */
int d0_proc_pid_alive(void *h, pid_t pid)
{
    struct d0_real *r = h;
    struct stat st;
    char path[32];

    if (pid <= 0)
        return -EINVAL;
    snprintf(path, sizeof(path), "proc/%d", (int)pid);
    if (!fstatat(r->sys_root, path, &st, AT_SYMLINK_NOFOLLOW))
        return 1;
    return errno == ENOENT ? 0 : -errno;
}

pid_t d0_proc_self(void *h)
{
    return getpid();
}

/*
 * sched_setaffinity() of one thread: pid 0 is the calling thread, any
 * other pid the thread with that id (for a process, its main thread; the
 * others keep theirs, so move multi-threaded processes with the cgroup
 * cpuset).  Threads and children created afterwards inherit it.
 * -EINVAL for an empty set or one with no online CPU, -ESRCH...
 */
int d0_proc_affinity(void *h, pid_t pid, const d0_cpuset *cpus)
{
    size_t size = CPU_ALLOC_SIZE(DOM0C_MAX_CPUS);
    cpu_set_t *set;
    int rc;

    if (pid < 0 || !cpus || d0_cpuset_empty(cpus))
        return -EINVAL;
    set = CPU_ALLOC(DOM0C_MAX_CPUS);
    if (!set)
        return -ENOMEM;
    CPU_ZERO_S(size, set);
    for (int c = d0_cpuset_next(cpus, 0); c >= 0;
         c = d0_cpuset_next(cpus, c + 1))
        CPU_SET_S((size_t)c, size, set);
    rc = sched_setaffinity(pid, size, set) ? -errno : 0;
    CPU_FREE(set);
    return rc;
}

/* -- interrupts ------------------------------------------------------ */

/* Copies the n bytes at s into dst of len bytes, cut to fit. */
static void copy_cut(char *dst, size_t len, const char *s, size_t n)
{
    if (n >= len)
        n = len - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

/*
 * One line of proc/interrupts after its "NN:", e.g.
 *   "  1234  0  0  0  xen-dyn-lateeoi    -event     blkif-backend"
 *   "  9  0  0  0  IO-APIC   2-edge      timer"
 * the per-CPU counts (at most ncpu), the chip, then an optional flow
 * token ("-event", "-virq", "-ioapic-level", "2-edge": it starts with
 * '-' or a digit), then the action name(s), which may hold spaces
 * ("i8042, serio").  A line without action gives name "".  Stops at
 * the end of the line.
 */
static void parse_irq_rest(const char *s, unsigned ncpu, struct d0_irq *q)
{
    size_t n;

    for (unsigned i = 0; i < ncpu; i++) {
        const char *t = s + strspn(s, " \t");

        n = strspn(t, "0123456789");
        if (!n || (t[n] && !isspace((unsigned char)t[n])))
            break;
        s = t + n;
    }
    s += strspn(s, " \t");
    n = strcspn(s, " \t\n");
    copy_cut(q->chip, sizeof(q->chip), s, n);
    s += n;
    s += strspn(s, " \t");
    if (*s == '-' || isdigit((unsigned char)*s)) {
        s += strcspn(s, " \t\n");
        s += strspn(s, " \t");
    }
    n = strcspn(s, "\n");
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    copy_cut(q->name, sizeof(q->name), s, n);
}

/* CPUs of the header line ("   CPU0  CPU1 ..."); none: no limit. */
static unsigned count_cpus(const char *header)
{
    unsigned n = 0;

    for (const char *s = header; *s && *s != '\n'; s++)
        if (!strncmp(s, "CPU", 3) && (s == header || s[-1] == ' '))
            n++;
    return n ? n : ~0u;
}

/*
 * The numbered interrupts of proc/interrupts, in file order; NMI, LOC,
 * ERR and the other named rows are skipped.  *out is malloc'd (free()
 * it), written only on success.
 */
int d0_proc_irqs(void *h, struct d0_irq **out, unsigned *nr)
{
    struct d0_real *r = h;
    struct d0_irq *v = NULL, *bigger;
    unsigned n = 0, cap = 0, ncpu;
    char *text = NULL, *line, *end;
    unsigned long irq;
    int rc;

    rc = read_all(r->sys_root, "proc/interrupts", &text);
    if (rc)
        goto out;
    ncpu = count_cpus(text);
    for (line = text; *line; line = *end ? end + 1 : end) {
        end = line + strcspn(line, "\n");
        line += strspn(line, " ");
        if (!isdigit((unsigned char)*line))
            continue;
        errno = 0;
        irq = strtoul(line, &line, 10);
        if (*line != ':' || errno || irq > 0xffffffffUL)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            bigger = reallocarray(v, cap, sizeof(*v));
            if (!bigger) {
                rc = -ENOMEM;
                goto out;
            }
            v = bigger;
        }
        memset(&v[n], 0, sizeof(v[n]));
        v[n].irq = (unsigned)irq;
        parse_irq_rest(line + 1, ncpu, &v[n++]);
    }
    *out = v;
    *nr = n;
    v = NULL;
out:
    free(text);
    free(v);
    return rc;
}

/* Writes the cpu list ("2-3,6") to proc/irq/IRQ/smp_affinity_list.
 * -EINVAL for an empty set; -ENOENT for no such IRQ; -EIO or -EINVAL
 * as the kernel reports them (per-CPU IRQs cannot be moved). */
int d0_proc_irq_affinity(void *h, unsigned irq, const d0_cpuset *cpus)
{
    struct d0_real *r = h;
    char path[64], small[256], *list = small, *big = NULL;
    int need, fd = -1, rc;
    ssize_t w;

    if (!cpus || d0_cpuset_empty(cpus))
        return -EINVAL;
    need = d0_cpuset_format(cpus, small, sizeof(small));
    if ((size_t)need >= sizeof(small)) {
        if (!(list = big = malloc((size_t)need + 1))) {
            rc = -ENOMEM;
            goto out;
        }
        d0_cpuset_format(cpus, big, (size_t)need + 1);
    }
    snprintf(path, sizeof(path), "proc/irq/%u/smp_affinity_list", irq);
    fd = openat(r->sys_root, path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        rc = -errno;
        goto out;
    }
    do {
        w = write(fd, list, (size_t)need);
    } while (w < 0 && errno == EINTR);
    rc = w < 0 ? -errno : w == need ? 0 : -EIO;
out:
    if (fd >= 0)
        close(fd);
    free(big);
    return rc;
}

/* -- CPU time -------------------------------------------------------- */

/*
 * Busy jiffies of each CPU from proc/stat's "cpuN user nice system idle
 * iowait irq softirq steal ..." lines: user + nice + system + irq +
 * softirq + steal (guest time is already inside user and nice).
 * work[N] for N < nr; CPUs proc/stat does not list (offline) get 0.
 * Written only on success.
 */
static void cpu_line(const char *s, uint64_t *work, unsigned nr)
{
    static const bool busy[8] = { 1, 1, 1, 0, 0, 1, 1, 1 };
    unsigned long cpu;
    uint64_t sum = 0;
    char *e;

    cpu = strtoul(s + 3, &e, 10);
    if (e == s + 3 || *e != ' ' || cpu >= nr)
        return;
    for (unsigned i = 0; i < 8; i++) {
        const char *t = e + strspn(e, " ");
        unsigned long long x;

        if (!isdigit((unsigned char)*t))
            break;
        x = strtoull(t, &e, 10);
        if (busy[i])
            sum += x;
    }
    work[cpu] = sum;
}

int d0_proc_cpu_work(void *h, uint64_t *work, unsigned nr)
{
    struct d0_real *r = h;
    uint64_t *tmp = NULL;
    char *text = NULL, *line, *end;
    int rc;

    if (nr && !work)
        return -EINVAL;
    rc = read_all(r->sys_root, "proc/stat", &text);
    if (rc)
        goto out;
    if (nr && !(tmp = calloc(nr, sizeof(*tmp)))) {
        rc = -ENOMEM;
        goto out;
    }
    for (line = text; *line; line = *end ? end + 1 : end) {
        end = line + strcspn(line, "\n");
        if (!strncmp(line, "cpu", 3) && isdigit((unsigned char)line[3]))
            cpu_line(line, tmp, nr);
    }
    if (nr)
        memcpy(work, tmp, nr * sizeof(*tmp));
out:
    free(text);
    free(tmp);
    return rc;
}
