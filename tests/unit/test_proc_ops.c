/*
 * test_proc_ops.c - the real process and IRQ ops on a fake sysroot made
 * with mkdtemp: proc/<pid>/{stat,comm,cmdline,cgroup,exe} for a kernel
 * thread, backends, a qemu, a comm holding ") (", a process that vanished
 * (no stat) and others; a Xen dom0's proc/interrupts; proc/stat; and
 * proc/irq/N/smp_affinity_list.  sched_setaffinity runs for real, on
 * the test itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "classify.h"
#include "ops_real.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define USER_FLAGS 0x400100u        /* systemd's, from a 6.1 dom0 */
#define KTHREAD_FLAGS 0x208040u     /* kthreadd's: PF_KTHREAD set */
#define QEMU "/usr/libexec/xen-qemu-system-i386"

struct tree {
    char dir[64];
    struct d0_real r;
};

static void put(struct tree *t, const char *rel, const char *data,
                size_t len)
{
    char path[256];
    int fd;

    snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
    for (char *s = strchr(path + strlen(t->dir) + 1, '/'); s;
         s = strchr(s + 1, '/')) {
        *s = '\0';
        mkdir(path, 0755);
        *s = '/';
    }
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
}

static void put_s(struct tree *t, const char *rel, const char *text)
{
    put(t, rel, text, strlen(text));
}

/* One process: stat (comm may be anything), cmdline (len bytes, NULs
 * kept), cgroup file, and exe (a symlink; NULL: none). */
static void proc(struct tree *t, int pid, const char *comm, int ppid,
                 unsigned flags, const char *cmd, size_t cmdlen,
                 const char *cgroup, const char *exe)
{
    char rel[64], buf[512];

    snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
    snprintf(buf, sizeof(buf), "%d (%s) S %d %d %d 0 -1 %u 100 0 0 0 5 3 "
             "0 0 20 0 1 0 100 0 0 18446744073709551615 0 0 0 0 0 0 0 "
             "2147483647 0 0 0 0 17 1 0 0 0 0 0\n", pid, comm, ppid, pid,
             pid, flags);
    put_s(t, rel, buf);
    snprintf(rel, sizeof(rel), "proc/%d/comm", pid);
    snprintf(buf, sizeof(buf), "%.15s\n", comm);
    put_s(t, rel, buf);
    snprintf(rel, sizeof(rel), "proc/%d/cmdline", pid);
    put(t, rel, cmd, cmdlen);
    snprintf(rel, sizeof(rel), "proc/%d/cgroup", pid);
    put_s(t, rel, cgroup);
    if (exe) {
        snprintf(rel, sizeof(rel), "proc/%d/exe", pid);
        assert_int_equal(symlinkat(exe, t->r.sys_root, rel), 0);
    }
}

#define CMD(s) s, sizeof(s) - 1     /* a literal with its inner NULs */

static const char interrupts[] =
    "           CPU0       CPU1       CPU2       CPU3       \n"
    "  0:         44          0          0          0   IO-APIC   "
    "2-edge      timer\n"
    "  1:          9          0          0          0  xen-pirq   "
    "-ioapic-edge  i8042\n"
    " 24:      51234       1000        900        800  xen-percpu    "
    "-virq      timer0\n"
    " 25:       3000       2000       1500       1200  xen-percpu    "
    "-ipi       resched0\n"
    " 40:        357          0          0          0   xen-dyn    "
    "-event     xenbus\n"
    "  42:   1234  0  0  0  xen-dyn-lateeoi -event  blkif-backend\n"
    "  43:  10 0 0 0  xen-dyn-lateeoi  -event  vif5.0-q0-tx\n"
    " 44:         20          0          0          0  xen-dyn-lateeoi    "
    "-event     vif5.0-q0-rx\n"
    " 45:          0          0          0          0  xen-dyn-lateeoi    "
    "-event     \n"
    "  48:  100 200 300 400 xen-percpu -virq timer1\n"
    " 50:          0          0          0          0  PCI-MSI "
    "524288-edge      ahci[0000:00:1f.2]\n"
    " 51:          1          0          0          0   xen-pirq    "
    "-ioapic-level  i8042, serio\n"
    " 52:          0          0          0          0  "
    "a-chip-name-longer-than-31-characters  -event  "
    "a-name-that-is-much-longer-than-forty-seven-characters-x\n"
    "NMI:          0          0          0          0   Non-maskable "
    "interrupts\n"
    "LOC:          0          0          0          0   Local timer "
    "interrupts\n"
    "ERR:          0\n"
    "MIS:          0\n"
    "99999999999:  0 0 0 0 xen-dyn -event bogus\n";

static const char stat_text[] =
    "cpu  100 10 50 1000 5 3 2 1 0 0\n"
    "cpu0 10 1 5 100 1 1 1 1 7 0\n"
    "cpu1 20 2 10 200 1 0 0 0 0 0\n"
    "cpu3 30 3 15 300 1 2 2 0 0 0\n"
    "cpu4 1 2 3\n"
    "intr 12345 44 9 0\n"
    "ctxt 999\n"
    "cpufreq 1\n";

static void build(struct tree *t)
{
    char longcmd[400];

    memset(longcmd, 'x', sizeof(longcmd));
    longcmd[0] = '/';
    proc(t, 1, "systemd", 0, USER_FLAGS, CMD("/sbin/init\0splash\0"),
         "0::/init.scope\n", "/usr/lib/systemd/systemd");
    proc(t, 2, "kthreadd", 0, KTHREAD_FLAGS, "", 0, "0::/\n", NULL);
    proc(t, 57, "7.xvda-0", 2, KTHREAD_FLAGS, "", 0, "0::/\n", NULL);
    proc(t, 300, "xenstored", 1, USER_FLAGS,
         CMD("/usr/sbin/xenstored\0--pid-file\0/run/xenstored.pid\0"),
         "0::/system.slice/xenstored.service\n", "/usr/sbin/xenstored");
    proc(t, 400, "a) (b", 1, USER_FLAGS, CMD("./x\0"), "0::/user.slice\n",
         "/home/u/x");
    /* 500 vanished: its directory is still there, its stat is not */
    put_s(t, "proc/500/cmdline", "gone");
    proc(t, 600, "xen-qemu-system", 1, USER_FLAGS,
         CMD(QEMU "\0-xen-domid\0" "7\0-no-shutdown\0"),
         "0::/dom0c/node1/dom7\n", QEMU);
    /* 6.1 shows kernel threads' full names: cut to 15 */
    proc(t, 700, "vif7.0-q0-guest-rx", 2, KTHREAD_FLAGS, "", 0, "0::/\n",
         NULL);
    proc(t, 800, "hybrid", 1, USER_FLAGS, CMD("hybrid\0"),
         "12:memory:/foo\n1:name=systemd:/x\n0::/user.slice/u.scope\n",
         "/bin/hybrid");
    proc(t, 900, "long", 1, USER_FLAGS, longcmd, sizeof(longcmd),
         "1:name=systemd:/\n", "/bin/long");
    proc(t, 1000, "noexe", 1, USER_FLAGS, CMD("noexe\0"), "0::/\n", NULL);
    put_s(t, "proc/1000/exe", "not a link");
    /* 1100 vanished between stat and cgroup */
    proc(t, 1100, "late", 1, USER_FLAGS, CMD("late\0"), "", NULL);
    assert_int_equal(unlinkat(t->r.sys_root, "proc/1100/cgroup", 0), 0);
    put_s(t, "proc/0123/stat", "not a pid");
    put_s(t, "proc/sys/kernel/pid_max", "4194304\n");
    assert_int_equal(symlinkat("1", t->r.sys_root, "proc/self"), 0);
    put_s(t, "proc/interrupts", interrupts);
    put_s(t, "proc/stat", stat_text);
    put_s(t, "proc/irq/42/smp_affinity_list", "0-3\n");
    put_s(t, "proc/irq/43/smp_affinity_list", "0-3\n");
}

static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    snprintf(t->dir, sizeof(t->dir), "/tmp/test_proc_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    t->r.cg_root = -1;
    t->r.sys_root = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_true(t->r.sys_root >= 0);
    assert_int_equal(mkdirat(t->r.sys_root, "proc", 0755), 0);
    build(t);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];

    close(t->r.sys_root);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static const struct {
    int pid, ppid;
    bool kthread;
    const char *comm, *exe, *cmdline, *cgroup;
    enum d0_class cls;
    int domid;
} want_procs[] = {
    { 1, 0, false, "systemd", "/usr/lib/systemd/systemd", "/sbin/init "
      "splash", "init.scope", D0_CLASS_T0, -1 },
    { 2, 0, true, "kthreadd", "", "", "", D0_CLASS_KTHREAD_PINNED, -1 },
    { 57, 2, true, "7.xvda-0", "", "", "", D0_CLASS_T3, 7 },
    { 300, 1, false, "xenstored", "/usr/sbin/xenstored",
      "/usr/sbin/xenstored --pid-file /run/xenstored.pid",
      "system.slice/xenstored.service", D0_CLASS_T2, -1 },
    { 400, 1, false, "a) (b", "/home/u/x", "./x", "user.slice",
      D0_CLASS_T0, -1 },
    { 600, 1, false, "xen-qemu-system", QEMU, QEMU " -xen-domid 7 "
      "-no-shutdown", "dom0c/node1/dom7", D0_CLASS_T3, 7 },
    { 700, 2, true, "vif7.0-q0-guest-rx", "", "", "", D0_CLASS_T3, 7 },
    { 800, 1, false, "hybrid", "/bin/hybrid", "hybrid",
      "user.slice/u.scope", D0_CLASS_T0, -1 },
    { 900, 1, false, "long", "/bin/long", NULL, "", D0_CLASS_T0, -1 },
    { 1000, 1, false, "noexe", "", "noexe", "", D0_CLASS_T0, -1 },
};

static void test_list(void **state)
{
    struct tree *t = *state;
    struct d0_proc *v = NULL;
    unsigned nr = 0;
    int domid;

    assert_int_equal(d0_proc_list(&t->r, NULL, &v, &nr), 0);
    assert_int_equal(nr, ARRAY_SIZE(want_procs));
    for (unsigned i = 0; i < nr; i++) {
        const struct d0_proc *p = &v[i];

        assert_int_equal(p->pid, want_procs[i].pid);
        assert_int_equal(p->ppid, want_procs[i].ppid);
        assert_int_equal(p->kthread, want_procs[i].kthread);
        assert_string_equal(p->comm, want_procs[i].comm);
        assert_string_equal(p->exe, want_procs[i].exe);
        if (want_procs[i].cmdline)
            assert_string_equal(p->cmdline, want_procs[i].cmdline);
        assert_string_equal(p->cgroup, want_procs[i].cgroup);
        assert_int_equal(d0_classify(p, NULL, &domid), want_procs[i].cls);
        assert_int_equal(domid, want_procs[i].domid);
    }
    /* 900: a 400-byte cmdline cut to 255 */
    assert_int_equal(strlen(v[8].cmdline), 255);
    assert_int_equal(v[8].cmdline[0], '/');
    free(v);
}

/* Decided from the stat alone (pid, ppid, comm, kthread): backends. */
static bool backend_like(const struct d0_proc *p)
{
    assert_string_equal(p->cmdline, "");
    assert_string_equal(p->cgroup, "");
    return p->kthread ? d0_backend_domid(p) > 0
                      : !strcmp(p->comm, "xen-qemu-system");
}

/* Only the wanted processes are listed, and they are read in full. */
static void test_list_wanted(void **state)
{
    struct tree *t = *state;
    struct d0_proc *v = NULL;
    unsigned nr = 0;
    static const int pids[] = { 57, 600, 700 };

    assert_int_equal(d0_proc_list(&t->r, backend_like, &v, &nr), 0);
    assert_int_equal(nr, ARRAY_SIZE(pids));
    for (unsigned i = 0; i < nr; i++) {
        unsigned w = 0;
        while (want_procs[w].pid != pids[i])
            w++;
        assert_int_equal(v[i].pid, pids[i]);
        assert_string_equal(v[i].cmdline, want_procs[w].cmdline);
        assert_string_equal(v[i].cgroup, want_procs[w].cgroup);
        assert_string_equal(v[i].exe, want_procs[w].exe);
    }
    free(v);
}

/* Out-parameters stay as they were on failure. */
static void test_list_errors(void **state)
{
    struct tree *t = *state;
    struct d0_proc *v = (struct d0_proc *)&v;
    unsigned nr = 77;
    struct d0_real empty = { .cg_root = -1 };
    char dir[] = "/tmp/test_proc_empty_XXXXXX";

    put_s(t, "proc/1200/stat", "1200 no parentheses S 1\n");
    assert_int_equal(d0_proc_list(&t->r, NULL, &v, &nr), -EINVAL);
    assert_ptr_equal(v, (struct d0_proc *)&v);
    assert_int_equal(nr, 77);
    assert_int_equal(unlinkat(t->r.sys_root, "proc/1200/stat", 0), 0);

    assert_non_null(mkdtemp(dir));
    empty.sys_root = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    assert_int_equal(d0_proc_list(&empty, NULL, &v, &nr), -ENOENT);
    assert_int_equal(nr, 77);
    {
        struct d0_irq *q = NULL;
        uint64_t w[2] = { 5, 5 };

        assert_int_equal(d0_proc_irqs(&empty, &q, &nr), -ENOENT);
        assert_null(q);
        assert_int_equal(d0_proc_cpu_work(&empty, w, 2), -ENOENT);
        assert_int_equal(w[0], 5);
    }
    close(empty.sys_root);
    rmdir(dir);
}

static void test_irqs(void **state)
{
    static const struct {
        unsigned irq;
        const char *chip, *name;
        int domid;
    } want[] = {
        { 0, "IO-APIC", "timer", -1 },
        { 1, "xen-pirq", "i8042", -1 },
        { 24, "xen-percpu", "timer0", -1 },
        { 25, "xen-percpu", "resched0", -1 },
        { 40, "xen-dyn", "xenbus", -1 },
        { 42, "xen-dyn-lateeoi", "blkif-backend", -1 },
        { 43, "xen-dyn-lateeoi", "vif5.0-q0-tx", 5 },
        { 44, "xen-dyn-lateeoi", "vif5.0-q0-rx", 5 },
        { 45, "xen-dyn-lateeoi", "", -1 },
        { 48, "xen-percpu", "timer1", -1 },
        { 50, "PCI-MSI", "ahci[0000:00:1f.2]", -1 },
        { 51, "xen-pirq", "i8042, serio", -1 },
        { 52, "a-chip-name-longer-than-31-char",
          "a-name-that-is-much-longer-than-forty-seven-cha", -1 },
    };
    struct tree *t = *state;
    struct d0_irq *q = NULL;
    unsigned nr = 0;

    assert_int_equal(d0_proc_irqs(&t->r, &q, &nr), 0);
    assert_int_equal(nr, ARRAY_SIZE(want));
    for (unsigned i = 0; i < nr; i++) {
        assert_int_equal(q[i].irq, want[i].irq);
        assert_string_equal(q[i].chip, want[i].chip);
        assert_string_equal(q[i].name, want[i].name);
        assert_int_equal(d0_irq_domid(&q[i]), want[i].domid);
    }
    free(q);
}

/* Without a CPU header every leading number is a count. */
static void test_irqs_no_header(void **state)
{
    struct tree *t = *state;
    struct d0_irq *q = NULL;
    unsigned nr = 0;

    put_s(t, "proc/interrupts", " 7: 1 2 3 4 5 6 7 8 xen-dyn -event "
          "vif9.1-q0\n 8: 0");
    assert_int_equal(d0_proc_irqs(&t->r, &q, &nr), 0);
    assert_int_equal(nr, 2);
    assert_string_equal(q[0].chip, "xen-dyn");
    assert_string_equal(q[0].name, "vif9.1-q0");
    assert_int_equal(d0_irq_domid(&q[0]), 9);
    assert_int_equal(q[1].irq, 8);
    assert_string_equal(q[1].chip, "");
    assert_string_equal(q[1].name, "");
    free(q);
    put_s(t, "proc/interrupts", "");
    q = NULL;
    assert_int_equal(d0_proc_irqs(&t->r, &q, &nr), 0);
    assert_int_equal(nr, 0);
    free(q);
    put_s(t, "proc/interrupts", interrupts);
}

static void read_back(struct tree *t, const char *rel, char *buf,
                      size_t len)
{
    int fd = openat(t->r.sys_root, rel, O_RDONLY);
    ssize_t n;

    assert_true(fd >= 0);
    n = read(fd, buf, len - 1);
    assert_true(n >= 0);
    buf[n] = '\0';
    close(fd);
}

static void test_irq_affinity(void **state)
{
    struct tree *t = *state;
    d0_cpuset s;
    char buf[16384], want[16384];

    d0_cpuset_zero(&s);
    d0_cpuset_set(&s, 2);
    d0_cpuset_set(&s, 3);
    assert_int_equal(d0_proc_irq_affinity(&t->r, 42, &s), 0);
    read_back(t, "proc/irq/42/smp_affinity_list", buf, sizeof(buf));
    assert_string_equal(buf, "2-3");
    assert_int_equal(d0_proc_irq_affinity(&t->r, 99, &s), -ENOENT);
    d0_cpuset_zero(&s);
    assert_int_equal(d0_proc_irq_affinity(&t->r, 42, &s), -EINVAL);
    assert_int_equal(d0_proc_irq_affinity(&t->r, 42, NULL), -EINVAL);
    /* a list longer than the stack buffer: every other CPU of 4096 */
    for (unsigned c = 0; c < DOM0C_MAX_CPUS; c += 2)
        d0_cpuset_set(&s, c);
    assert_int_equal(d0_proc_irq_affinity(&t->r, 43, &s), 0);
    read_back(t, "proc/irq/43/smp_affinity_list", buf, sizeof(buf));
    assert_true(d0_cpuset_format(&s, want, sizeof(want)) > 256);
    assert_string_equal(buf, want);
    assert_memory_equal(buf, "0,2,4,6,8,10,", 13);
    assert_non_null(strstr(buf, ",4092,4094"));
}

static void test_cpu_work(void **state)
{
    struct tree *t = *state;
    uint64_t w[6];

    memset(w, 0xff, sizeof(w));
    assert_int_equal(d0_proc_cpu_work(&t->r, w, 6), 0);
    assert_int_equal(w[0], 10 + 1 + 5 + 1 + 1 + 1);    /* guest 7 not */
    assert_int_equal(w[1], 20 + 2 + 10);
    assert_int_equal(w[2], 0);                          /* offline */
    assert_int_equal(w[3], 30 + 3 + 15 + 2 + 2);
    assert_int_equal(w[4], 1 + 2 + 3);                  /* short line */
    assert_int_equal(w[5], 0);
    memset(w, 0xff, sizeof(w));
    assert_int_equal(d0_proc_cpu_work(&t->r, w, 2), 0);
    assert_int_equal(w[1], 32);
    assert_int_equal(w[2], UINT64_MAX);                 /* past nr */
    assert_int_equal(d0_proc_cpu_work(&t->r, NULL, 0), 0);
    assert_int_equal(d0_proc_cpu_work(&t->r, NULL, 1), -EINVAL);
}

static void test_alive_self(void **state)
{
    struct tree *t = *state;

    assert_int_equal(d0_proc_pid_alive(&t->r, 1), 1);
    assert_int_equal(d0_proc_pid_alive(&t->r, 600), 1);
    assert_int_equal(d0_proc_pid_alive(&t->r, 500), 1);   /* dir left */
    assert_int_equal(d0_proc_pid_alive(&t->r, 601), 0);
    assert_int_equal(d0_proc_pid_alive(&t->r, 0), -EINVAL);
    assert_int_equal(d0_proc_pid_alive(&t->r, -1), -EINVAL);
    assert_int_equal(d0_proc_self(&t->r), getpid());
}

/* The real sched_setaffinity, on this test's own thread. */
static void test_affinity(void **state)
{
    struct tree *t = *state;
    cpu_set_t now;
    d0_cpuset s, big;
    int first = -1;

    assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
    d0_cpuset_zero(&s);
    for (int c = 0; c < CPU_SETSIZE; c++) {
        if (CPU_ISSET(c, &now)) {
            d0_cpuset_set(&s, (unsigned)c);
            first = first < 0 ? c : first;
        }
    }
    assert_true(first >= 0);
    assert_int_equal(d0_proc_affinity(&t->r, 0, &s), 0);
    assert_int_equal(d0_proc_affinity(&t->r, getpid(), &s), 0);
    /* beyond CPU_SETSIZE is fine as long as one allowed CPU is in */
    big = s;
    d0_cpuset_set(&big, DOM0C_MAX_CPUS - 1);
    assert_int_equal(d0_proc_affinity(&t->r, 0, &big), 0);
    d0_cpuset_zero(&big);
    d0_cpuset_set(&big, DOM0C_MAX_CPUS - 1);
    assert_int_equal(d0_proc_affinity(&t->r, 0, &big), -EINVAL);
    d0_cpuset_zero(&big);
    assert_int_equal(d0_proc_affinity(&t->r, 0, &big), -EINVAL);
    assert_int_equal(d0_proc_affinity(&t->r, -1, &s), -EINVAL);
    assert_int_equal(d0_proc_affinity(&t->r, 0x7ffffff0, &s), -ESRCH);
    /* the mask is what we set */
    assert_int_equal(sched_getaffinity(0, sizeof(now), &now), 0);
    assert_true(CPU_ISSET(first, &now));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list),
        cmocka_unit_test(test_list_wanted),
        cmocka_unit_test(test_list_errors),
        cmocka_unit_test(test_irqs),
        cmocka_unit_test(test_irqs_no_header),
        cmocka_unit_test(test_irq_affinity),
        cmocka_unit_test(test_cpu_work),
        cmocka_unit_test(test_alive_self),
        cmocka_unit_test(test_affinity),
    };

    return cmocka_run_group_tests_name("proc_ops", tests, setup, teardown);
}
