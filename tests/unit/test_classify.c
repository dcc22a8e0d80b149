/*
 * test_classify.c - process classes T0-T3, backend and IRQ domids, the
 * class_t* rules and their precedence.  Tables of {process, expected}.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "classify.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define KT true                      /* kernel thread */
#define US false                     /* user process */
#define T0 D0_CLASS_T0
#define T1 D0_CLASS_T1
#define T2 D0_CLASS_T2
#define T3 D0_CLASS_T3
#define KP D0_CLASS_KTHREAD_PINNED

#define QEMU "/usr/libexec/xen-qemu-system-i386"
#define UPSTREAM_QEMU "/usr/lib/xen/bin/qemu-system-i386"

struct pcase {
    bool kthread;
    const char *comm, *exe, *cmdline;
    enum d0_class cls;
    int domid;
};

static struct d0_proc mk(const struct pcase *c)
{
    struct d0_proc p;

    memset(&p, 0, sizeof(p));
    p.pid = 100;
    p.ppid = c->kthread ? 2 : 1;
    p.kthread = c->kthread;
    snprintf(p.comm, sizeof(p.comm), "%s", c->comm);
    snprintf(p.exe, sizeof(p.exe), "%s", c->exe ? c->exe : "");
    snprintf(p.cmdline, sizeof(p.cmdline), "%s",
             c->cmdline ? c->cmdline : "");
    return p;
}

static void check(const struct pcase *c, const struct d0_config *cfg)
{
    struct d0_proc p = mk(c);
    int domid = 12345;
    enum d0_class got = d0_classify(&p, cfg, &domid);

    if (got != c->cls || domid != c->domid)
        print_error("%s comm \"%s\" exe \"%s\" cmdline \"%s\": got %s/%d, "
                    "want %s/%d\n", c->kthread ? "kthread" : "process",
                    c->comm, c->exe ? c->exe : "", c->cmdline ? c->cmdline
                    : "", d0_class_name(got), domid, d0_class_name(c->cls),
                    c->domid);
    assert_int_equal(got, c->cls);
    assert_int_equal(domid, c->domid);
    assert_int_equal(d0_classify(&p, cfg, NULL), c->cls);
}

static const struct pcase builtin[] = {
    /* blkback: "<domid>.<vdev>-<ring>" */
    { KT, "7.xvda-0", NULL, NULL, T3, 7 },
    { KT, "12.xvdb-3", NULL, NULL, T3, 12 },
    { KT, "1.hda-10", NULL, NULL, T3, 1 },
    { KT, "32751.xvda-0", NULL, NULL, T3, 32751 },
    { KT, "123.xvdaa-12345", NULL, NULL, T3, 123 },     /* 15: maybe cut */
    { KT, "12345.abcdefghi", NULL, NULL, T3, 12345 },   /* cut in vdev */
    { KT, "32752.xvda-0", NULL, NULL, KP, -1 },         /* > max domid */
    { KT, "0.xvda-0", NULL, NULL, KP, -1 },             /* dom0's own */
    { KT, "07.xvda-0", NULL, NULL, KP, -1 },
    { KT, "7.xvda", NULL, NULL, KP, -1 },               /* no ring */
    { KT, "7.xvda-", NULL, NULL, KP, -1 },
    { KT, "7.xvda-0a", NULL, NULL, KP, -1 },
    { KT, "7.-0", NULL, NULL, KP, -1 },                 /* no vdev */
    { KT, "7.", NULL, NULL, KP, -1 },
    { KT, "7xvda-0", NULL, NULL, KP, -1 },
    { KT, "99999999999.x-0", NULL, NULL, KP, -1 },
    /* netback: "vif<domid>.<n>-q<k>-guest-rx" / "-dealloc", cut to 15 */
    { KT, "vif7.0-q0-guest", NULL, NULL, T3, 7 },
    { KT, "vif7.0-q0-deall", NULL, NULL, T3, 7 },
    { KT, "vif12.0-q0-gues", NULL, NULL, T3, 12 },
    { KT, "vif12.0-q0-deal", NULL, NULL, T3, 12 },
    { KT, "vif123.0-q0-gue", NULL, NULL, T3, 123 },
    { KT, "vif1234.10-q1-g", NULL, NULL, T3, 1234 },
    { KT, "vif12345.0-q0-d", NULL, NULL, T3, 12345 },
    { KT, "vif1234.1234-q1", NULL, NULL, T3, 1234 },
    { KT, "vif12345.1234-q", NULL, NULL, T3, 12345 },
    { KT, "vif12345.12345-", NULL, NULL, T3, 12345 },
    { KT, "vif12345.123456", NULL, NULL, T3, 12345 },
    { KT, "vif12345.123-q", NULL, NULL, KP, -1 },       /* 14: not cut */
    { KT, "vif7.0-q0-xxxxx", NULL, NULL, KP, -1 },
    { KT, "vif7.0-q0", NULL, NULL, KP, -1 },
    { KT, "vif7.0", NULL, NULL, KP, -1 },
    { KT, "vif7", NULL, NULL, KP, -1 },
    { KT, "vif0.0-q0-guest", NULL, NULL, KP, -1 },
    { KT, "vif7.-q0-guest", NULL, NULL, KP, -1 },
    { KT, "vifx.0-q0-guest", NULL, NULL, KP, -1 },
    { KT, "vif7.0-qx-guest", NULL, NULL, KP, -1 },
    /* every other kernel thread stays where it is */
    { KT, "kthreadd", NULL, NULL, KP, -1 },
    { KT, "kworker/0:1", NULL, NULL, KP, -1 },
    { KT, "kworker/u8:2-ev", NULL, NULL, KP, -1 },
    { KT, "ksoftirqd/0", NULL, NULL, KP, -1 },
    { KT, "xenwatch", NULL, NULL, KP, -1 },
    { KT, "xenbus", NULL, NULL, KP, -1 },
    { KT, "xen-balloon", NULL, NULL, KP, -1 },
    { KT, "xl", NULL, NULL, KP, -1 },
    /* a user process named like a backend is not one */
    { US, "7.xvda-0", "/home/eve/a.out", "./a.out", T0, -1 },
    { US, "vif7.0-q0-guest", "/home/eve/a.out", "./a.out", T0, -1 },
    /* Xen's qemu: the domid from its own arguments */
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 7 -no-shutdown "
      "-chardev socket,id=libxl-cmd,path=/run/xen/qmp-libxl-7", T3, 7 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 12 -xen-attach "
      "-name vm1 -M xenpv", T3, 12 },
    { US, "xen-qemu-system", QEMU, QEMU " --xen-domid 9", T3, 9 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid   3", T3, 3 },
    { US, "xen-qemu-system", "", QEMU " -xen-domid 3 -M xenfv", T3, 3 },
    { US, "xen-qemu-system", QEMU " (deleted)", QEMU " -xen-domid 4", T3,
      4 },
    { US, "qemu-system-i38", UPSTREAM_QEMU, UPSTREAM_QEMU " -xen-domid 5 "
      "-xen-attach", T3, 5 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 0 -xen-attach -name "
      "dom0 -M xenpv", T2, -1 },                       /* dom0's qdisk */
    { US, "xen-qemu-system", QEMU, QEMU " -M xenpv", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid abc", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 07", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 99999", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " -xen-domid7", T2, -1 },
    { US, "xen-qemu-system", QEMU, QEMU " x-xen-domid 7", T2, -1 },
    /* not Xen's qemu */
    { US, "qemu-system-x86", "/usr/bin/qemu-system-x86_64",
      "qemu-system-x86_64 -m 512 disk.img", T0, -1 },
    { US, "xen-qemu-system", "/home/eve/fake", "fake -xen-domid 7", T0,
      -1 },
    /* T2: VM administration */
    { US, "xl", "/usr/sbin/xl", "xl create vm1.cfg", T2, -1 },
    { US, "xl", "/usr/sbin/xl", "/usr/sbin/xl migrate-receive", T2, -1 },
    { US, "libxl-save-help", "/usr/lib/xen-4.17/bin/libxl-save-helper",
      "libxl-save-helper --save-domain 7 1 0 0 0 0 0 0", T2, -1 },
    { US, "libxl-save-help", "", "", T2, -1 },           /* cut comm */
    { US, "libxl-save-hel", "", "", T0, -1 },
    { US, "xenstored", "/usr/lib/xen-4.17/bin/xenstored", "", T2, -1 },
    { US, "oxenstored", "/usr/sbin/oxenstored", "", T2, -1 },
    { US, "xenconsoled", "/usr/lib/xen-4.17/bin/xenconsoled", "", T2, -1 },
    { US, "xen-init-dom0", "", "", T2, -1 },
    { US, "libvirtd", "/usr/sbin/libvirtd", "", T2, -1 },
    { US, "virtxend", "/usr/sbin/virtxend", "", T2, -1 },
    { US, "rpc-worker", "/usr/sbin/libvirtd", "", T2, -1 },   /* by exe */
    { US, "dom0cd", "/usr/local/sbin/dom0cd", "", T2, -1 },
    { US, "dom0c", "/usr/local/bin/dom0c", "dom0c init", T2, -1 },
    /* T1: data-center agents */
    { US, "nova-compute", "/usr/bin/python3.11",
      "/usr/bin/python3 /usr/bin/nova-compute", T1, -1 },
    { US, "neutron-openvsw", "/usr/bin/python3.11", "", T1, -1 },
    { US, "ovs-vswitchd", "/usr/sbin/ovs-vswitchd", "", T1, -1 },
    { US, "ovsdb-server", "/usr/sbin/ovsdb-server", "", T1, -1 },
    { US, "oned", "/usr/bin/oned", "", T1, -1 },
    { US, "eucalyptus-clou", "", "", T1, -1 },
    /* T0: everything else */
    { US, "systemd", "/usr/lib/systemd/systemd", "/sbin/init", T0, -1 },
    { US, "sshd", "/usr/sbin/sshd", "sshd: /usr/sbin/sshd -D", T0, -1 },
    { US, "bash", "/usr/bin/bash", "-bash", T0, -1 },
    { US, "xlx", "/usr/bin/xlx", "", T0, -1 },
    { US, "", "", "", T0, -1 },
};

static void test_builtin(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(builtin); i++)
        check(&builtin[i], NULL);
}

/* A cmdline cut by /proc at 255 bytes: its last domid is not trusted. */
static void test_qemu_cut_cmdline(void **state)
{
    char cmd[256];
    struct pcase c = { US, "xen-qemu-system", QEMU, cmd, T2, -1 };
    struct d0_proc p;

    (void)state;
    memset(cmd, 'a', sizeof(cmd));
    memcpy(cmd + 255 - 14, " -xen-domid 12", 14);
    cmd[255] = '\0';
    check(&c, NULL);
    /* one character shorter: whole, so trusted */
    memmove(cmd, cmd + 1, 255);
    c.cls = T3;
    c.domid = 12;
    check(&c, NULL);
    p = mk(&c);
    assert_int_equal(d0_backend_domid(&p), 12);
}

static struct d0_config with_rules(const char *text)
{
    struct d0_config c;
    char err[256];

    if (d0_config_parse(text, strlen(text), "t.conf", &c, err, sizeof(err)))
        print_error("%s\n", err);
    assert_int_equal(d0_config_parse(text, strlen(text), "t.conf", &c, err,
                                     sizeof(err)), 0);
    return c;
}

static const struct {
    const char *conf;
    struct pcase p;
} custom[] = {
    { "class_t2 = [ \"comm:my-toolstack\" ]",
      { US, "my-toolstack", "/opt/x", "", T2, -1 } },
    { "class_t1 = [ \"cmdline:*nova-compute*\" ]",
      { US, "python3", "/usr/bin/python3.11",
        "/usr/bin/python3 /usr/bin/nova-compute", T1, -1 } },
    { "class_t1 = [ \"exe:/opt/agent/*\" ]",
      { US, "agent", "/opt/agent/bin/agent", "", T1, -1 } },
    { "class_t1 = [ \"exe:*agent\" ]",              /* '*' matches '/' */
      { US, "a", "/opt/agent/bin/agent", "", T1, -1 } },
    /* rules come before the built-ins */
    { "class_t0 = [ \"comm:xl\" ]", { US, "xl", "/usr/sbin/xl", "", T0, -1 } },
    { "class_t1 = [ \"exe:*/libvirtd\" ]",
      { US, "libvirtd", "/usr/sbin/libvirtd", "", T1, -1 } },
    { "class_t0 = [ \"exe:*qemu*\" ]",
      { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 7", T0, -1 } },
    { "class_t2 = [ \"cmdline:*-xen-domid 7 *\" ]",
      { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 7 -M xenpv", T2,
        -1 } },
    /* order t2, t1, t0 */
    { "class_t0 = [ \"comm:a*\" ]\nclass_t1 = [ \"comm:ab*\" ]\n"
      "class_t2 = [ \"comm:abc\" ]", { US, "abc", "", "", T2, -1 } },
    { "class_t0 = [ \"comm:a*\" ]\nclass_t1 = [ \"comm:ab*\" ]\n"
      "class_t2 = [ \"comm:abc\" ]", { US, "abd", "", "", T1, -1 } },
    { "class_t0 = [ \"comm:a*\" ]\nclass_t1 = [ \"comm:ab*\" ]\n"
      "class_t2 = [ \"comm:abc\" ]", { US, "axe", "", "", T0, -1 } },
    /* first match within a list; later items still count */
    { "class_t1 = [ \"comm:zz\", \"comm:y?\" ]",
      { US, "yo", "", "", T1, -1 } },
    /* no match: the built-ins */
    { "class_t0 = [ \"comm:nothing\" ]",
      { US, "xenstored", "", "", T2, -1 } },
    /* rules never see kernel threads */
    { "class_t0 = [ \"comm:*\" ]", { KT, "7.xvda-0", "", "", T3, 7 } },
    { "class_t2 = [ \"comm:*\" ]", { KT, "kworker/0:1", "", "", KP, -1 } },
    { "class_t2 = [ \"comm:*\" ]", { US, "bash", "", "", T2, -1 } },
};

static void test_custom(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(custom); i++) {
        struct d0_config c = with_rules(custom[i].conf);

        check(&custom[i].p, &c);
    }
}

/* d0_backend_domid ignores the rules: it answers "which domU". */
static void test_backend_domid(void **state)
{
    static const struct pcase cases[] = {
        { KT, "7.xvda-0", NULL, NULL, T3, 7 },
        { KT, "vif12.0-q0-gues", NULL, NULL, T3, 12 },
        { KT, "xenwatch", NULL, NULL, KP, -1 },
        { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 7", T3, 7 },
        { US, "xen-qemu-system", QEMU, QEMU " -xen-domid 0", T2, -1 },
        { US, "7.xvda-0", NULL, NULL, T0, -1 },
        { US, "xl", NULL, NULL, T2, -1 },
    };
    struct d0_proc p;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        p = mk(&cases[i]);
        assert_int_equal(d0_backend_domid(&p), cases[i].domid);
    }
    /* comm without its NUL (never from proc_ops) */
    p = mk(&cases[0]);
    memset(p.comm, '7', sizeof(p.comm));
    assert_int_equal(d0_backend_domid(&p), -1);
}

static void test_irq_domid(void **state)
{
    static const struct {
        const char *chip, *name;
        int domid;
    } cases[] = {
        { "xen-dyn-lateeoi", "vif5.0-q0-tx", 5 },
        { "xen-dyn-lateeoi", "vif5.0-q0-rx", 5 },
        { "xen-dyn-lateeoi", "vif5.0-q1", 5 },
        { "xen-dyn", "vif5.0", 5 },
        { "xen-dyn-lateeoi", "vif12.3-q10-tx", 12 },
        { "xen-dyn-lateeoi", "vif32751.0-q0-tx", 32751 },
        { "xen-dyn-lateeoi", "blkif-backend", -1 },   /* every domain's */
        { "xen-dyn", "xenbus", -1 },
        { "xen-percpu", "timer0", -1 },
        { "xen-dyn-lateeoi", "vif0.0-q0-tx", -1 },
        { "xen-dyn-lateeoi", "vif32752.0-q0-tx", -1 },
        { "xen-dyn-lateeoi", "vif5.0-q0-xx", -1 },
        { "xen-dyn-lateeoi", "vif5.0-q-tx", -1 },
        { "xen-dyn-lateeoi", "vif5.-q0-tx", -1 },
        { "xen-dyn-lateeoi", "vif5.0-q0-tx, other", -1 },
        { "xen-dyn-lateeoi", "vif5.0-q0-tx-", -1 },
        { "xen-dyn-lateeoi", "vif5.0-ctrl", -1 },
        { "xen-dyn-lateeoi", "myvif-q0-tx", -1 },     /* renamed vif */
        { "IO-APIC", "vif5.0-q0-tx", -1 },
        { "", "", -1 },
    };
    struct d0_irq q;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memset(&q, 0, sizeof(q));
        q.irq = 40;
        snprintf(q.chip, sizeof(q.chip), "%s", cases[i].chip);
        snprintf(q.name, sizeof(q.name), "%s", cases[i].name);
        if (d0_irq_domid(&q) != cases[i].domid)
            print_error("%s %s\n", cases[i].chip, cases[i].name);
        assert_int_equal(d0_irq_domid(&q), cases[i].domid);
    }
}

static void test_rule_parse(void **state)
{
    static const struct {
        const char *item;
        int rc;
        enum d0_match_field field;
        const char *glob;
    } cases[] = {
        { "comm:xl", 0, D0_MATCH_COMM, "xl" },
        { "exe:/usr/sbin/*", 0, D0_MATCH_EXE, "/usr/sbin/*" },
        { "cmdline:* --daemon", 0, D0_MATCH_CMDLINE, "* --daemon" },
        { "comm::", 0, D0_MATCH_COMM, ":" },
        { "comm:", -EINVAL, 0, NULL },
        { "xl", -EINVAL, 0, NULL },
        { ":xl", -EINVAL, 0, NULL },
        { "Comm:xl", -EINVAL, 0, NULL },
        { "comms:xl", -EINVAL, 0, NULL },
        { "com:xl", -EINVAL, 0, NULL },
        { "comm:a\nb", -EINVAL, 0, NULL },
        { "comm:a\x7f", -EINVAL, 0, NULL },
        { "", -EINVAL, 0, NULL },
        { NULL, -EINVAL, 0, NULL },
    };
    struct d0_class_rule r;
    char long_item[200];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memset(&r, 0x5a, sizeof(r));
        assert_int_equal(d0_class_rule_parse(cases[i].item, &r),
                         cases[i].rc);
        if (cases[i].rc)
            continue;
        assert_int_equal(r.field, cases[i].field);
        assert_string_equal(r.glob, cases[i].glob);
    }
    /* 127 characters fit, 128 do not */
    memset(long_item, 'g', sizeof(long_item));
    memcpy(long_item, "exe:", 4);
    long_item[4 + 127] = '\0';
    assert_int_equal(d0_class_rule_parse(long_item, &r), 0);
    assert_int_equal(strlen(r.glob), 127);
    long_item[4 + 127] = 'g';
    long_item[4 + 128] = '\0';
    assert_int_equal(d0_class_rule_parse(long_item, &r), -EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(d0_class_name(D0_CLASS_T0), "T0");
    assert_string_equal(d0_class_name(D0_CLASS_T1), "T1");
    assert_string_equal(d0_class_name(D0_CLASS_T2), "T2");
    assert_string_equal(d0_class_name(D0_CLASS_T3), "T3");
    assert_string_equal(d0_class_name(D0_CLASS_KTHREAD_PINNED), "kthread");
    assert_string_equal(d0_class_name((enum d0_class)99), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin),
        cmocka_unit_test(test_qemu_cut_cmdline),
        cmocka_unit_test(test_custom),
        cmocka_unit_test(test_backend_domid),
        cmocka_unit_test(test_irq_domid),
        cmocka_unit_test(test_rule_parse),
        cmocka_unit_test(test_names),
    };

    return cmocka_run_group_tests_name("classify", tests, NULL, NULL);
}
