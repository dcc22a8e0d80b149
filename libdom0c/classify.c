/*
 * classify.c - dom0 processes into the thesis's classes T0-T3 (table
 * 3.1), and backends and IRQs to the domU they serve.  Pure: no I/O, no
 * logging.
 *
 * The rules, in the order they are tried (first match wins):
 *
 *  1. A kernel thread is T3 when its name is a backend's (below), else
 *     KTHREAD_PINNED; the class_t* rules never see kernel threads.
 *       blkback  "<domid>.<vdev>-<ring>"              "7.xvda-0"
 *       netback  "vif<domid>.<n>-q<k>-guest-rx"       "vif7.0-q0-guest"
 *                "vif<domid>.<n>-q<k>-dealloc"        "vif7.0-q0-deall"
 *     cut to 15 characters, as the kernel keeps comm ("vif12.0-q0-gues").
 *     domid 0 (a disk dom0 attached to itself, e.g. for pygrub) is not a
 *     domU: KTHREAD_PINNED.
 *  2. User processes: the class_t2, then class_t1, then class_t0 rules of
 *     dom0c.conf ("comm:GLOB", "exe:GLOB", "cmdline:GLOB").  They come
 *     first so that a site can reclassify anything, Xen's qemu included.
 *  3. Xen's qemu: comm "xen-qemu-system" (Debian's
 *     /usr/libexec/xen-qemu-system-i386), or "qemu-system-*" with
 *     "-xen-domid" in its arguments (upstream's /usr/lib/xen/bin/...).
 *     With "-xen-domid N", N > 0, it is T3 for domU N: the domid comes
 *     from the arguments libxl gave it, never from xenstore, which the
 *     guest can write.  Without a usable domid (N = 0 is the qdisk
 *     backend of dom0 itself, xen-qemu-dom0-disk-backend.service; or a
 *     cut-off cmdline) it is Xen machinery serving no one domU: T2.
 *     A generic "qemu-system-x86" without "-xen-domid" is a user's VM
 *     in dom0, not Xen's: it falls through to T0.
 *  4. T2, VM administration: comm or the basename of exe is one of
 *     builtin_t2 below.
 *  5. T1, data-center agents: builtin_t1 below (globs).
 *  6. T0: every other user process.
 *
 * Why kernel threads alone can be backends: the kernel names them from
 * the frontend's domid, which neither a guest nor a dom0 user chooses;
 * any dom0 user can name a process "7.xvda-0", and moving it into domU
 * 7's container would bill domU 7 for it.
 */
#include <errno.h>
#include <fnmatch.h>
#include <string.h>

#include "classify.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define COMM_MAX 15                 /* TASK_COMM_LEN - 1 */

/* Literal names or globs, matched against comm and exe's basename. */
static const char *const builtin_t2[] = {
    "xl", "libvirtd", "virtxend", "virtlogd", "virtlockd",
    "xenstored", "oxenstored", "xenconsoled", "xen-init-dom0",
    "libxl-save-helper", "xenwatchdogd", "dom0c", "dom0cd",
};

static const char *const builtin_t1[] = {
    "nova-*", "neutron-*", "ceilometer-*",      /* OpenStack */
    "oned", "opennebula*",                      /* OpenNebula */
    "eucalyptus-*", "eucanetd",                 /* Eucalyptus */
    "ovs-vswitchd", "ovsdb-server",             /* Open vSwitch */
};

static const char *const class_names[] = {
    [D0_CLASS_T0] = "T0", [D0_CLASS_T1] = "T1", [D0_CLASS_T2] = "T2",
    [D0_CLASS_T3] = "T3", [D0_CLASS_KTHREAD_PINNED] = "kthread",
};

static const char *const field_names[] = {
    [D0_MATCH_COMM] = "comm", [D0_MATCH_EXE] = "exe",
    [D0_MATCH_CMDLINE] = "cmdline",
};

const char *d0_class_name(enum d0_class c)
{
    if ((unsigned)c >= ARRAY_SIZE(class_names))
        return "?";
    return class_names[c];
}

/*
 * A domid at *s: decimal without a leading zero, at most 0x7FEF.
 * Advances *s past the digits.  The value, or -1.
 */
static int take_domid(const char **s)
{
    const char *p = *s;
    long v = 0;

    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' &&
                                 p[1] <= '9'))
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (*p - '0');
        if (v > D0_FACTS_MAX_DOMID)
            return -1;
    }
    *s = p;
    return (int)v;
}

/* Skips one or more digits; false when there is none. */
static bool take_digits(const char **s)
{
    const char *p = *s;

    *s += strspn(p, "0123456789");
    return *s != p;
}

/* t is whole (or, when cut, a prefix of) one of the forms. */
static bool tail_is(const char *t, bool cut, const char *const *forms,
                    size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t len = strlen(t);

        if (cut ? len <= strlen(forms[i]) && !strncmp(t, forms[i], len)
                : !strcmp(t, forms[i]))
            return true;
    }
    return false;
}

/* "<domid>.<vdev>-<ring>": 7.xvda-0; cut: any non-empty vdev part. */
static int blkback_domid(const char *comm, bool cut)
{
    const char *s = comm, *dash;
    int domid = take_domid(&s);

    if (domid < 0 || *s++ != '.' || !*s)
        return -1;
    if (cut)
        return domid;
    dash = strrchr(s, '-');
    if (!dash || dash == s || !dash[1] ||
        dash[1 + strspn(dash + 1, "0123456789")])
        return -1;
    return domid;
}

/* "vif<domid>.<n>-q<k>-guest-rx" / "-dealloc", maybe cut anywhere
 * after the handle <n>. */
static int netback_domid(const char *comm, bool cut)
{
    static const char *const ends[] = { "-guest-rx", "-dealloc" };
    const char *s = comm + 3;
    int domid;

    if (strncmp(comm, "vif", 3) || (domid = take_domid(&s)) < 0 ||
        *s++ != '.' || !take_digits(&s))
        return -1;
    if (strncmp(s, "-q", 2))            /* only "" or "-" when cut */
        return cut && (!*s || !strcmp(s, "-")) ? domid : -1;
    s += 2;
    if (!*s)
        return cut ? domid : -1;
    if (!take_digits(&s))
        return -1;
    return tail_is(s, cut, ends, ARRAY_SIZE(ends)) ? domid : -1;
}

/* Is p Xen's qemu?  The domid after "-xen-domid" (0 allowed) or -1. */
static bool xen_qemu(const struct d0_proc *p, int *domid)
{
    const char *a = p->cmdline, *base = strrchr(p->exe, '/');
    bool debian = !strcmp(p->comm, "xen-qemu-system");
    size_t n;

    *domid = -1;
    if (!debian && fnmatch("qemu-system-*", p->comm, 0))
        return false;
    if (p->exe[0] && !strstr(base ? base : p->exe, "qemu-system-"))
        return false;
    for (a += strspn(a, " "); *a; a += n + strspn(a + n, " ")) {
        n = strcspn(a, " ");
        if ((n == 10 && !strncmp(a, "-xen-domid", n)) ||
            (n == 11 && !strncmp(a, "--xen-domid", n))) {
            const char *v = a + n + strspn(a + n, " ");
            int d = take_domid(&v);

            /* A value running into the end of a cut cmdline is not
             * trusted: "12" may have been "123". */
            if (d >= 0 && (*v == ' ' ||
                           (!*v && strlen(p->cmdline) <
                            sizeof(p->cmdline) - 1)))
                *domid = d;
            return true;
        }
    }
    return debian;
}

int d0_backend_domid(const struct d0_proc *p)
{
    size_t len = strnlen(p->comm, sizeof(p->comm));
    bool cut = len >= COMM_MAX;
    int domid = -1;

    if (len == sizeof(p->comm))
        return -1;
    if (p->kthread) {
        domid = blkback_domid(p->comm, cut);
        if (domid < 0)
            domid = netback_domid(p->comm, cut);
    } else if (!xen_qemu(p, &domid)) {
        domid = -1;
    }
    return domid > 0 ? domid : -1;
}

int d0_irq_domid(const struct d0_irq *q)
{
    static const char *const ends[] = { "", "-tx", "-rx" };
    const char *s = q->name + 3;
    int domid;

    if (strncmp(q->chip, "xen-", 4) || strncmp(q->name, "vif", 3) ||
        (domid = take_domid(&s)) <= 0 || *s++ != '.' || !take_digits(&s))
        return -1;
    if (!*s)
        return domid;
    if (strncmp(s, "-q", 2))
        return -1;
    s += 2;
    if (!take_digits(&s) || !tail_is(s, false, ends, ARRAY_SIZE(ends)))
        return -1;
    return domid;
}

int d0_class_rule_parse(const char *item, struct d0_class_rule *out)
{
    const char *colon = item ? strchr(item, ':') : NULL;
    const char *glob;
    size_t n;

    if (!colon)
        return -EINVAL;
    glob = colon + 1;
    n = strlen(glob);
    if (!n || n >= D0_CLASS_GLOB_MAX)
        return -EINVAL;
    for (const char *c = glob; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return -EINVAL;
    for (unsigned f = 0; f < ARRAY_SIZE(field_names); f++) {
        if (strlen(field_names[f]) == (size_t)(colon - item) &&
            !strncmp(item, field_names[f], (size_t)(colon - item))) {
            out->field = (enum d0_match_field)f;
            memcpy(out->glob, glob, n + 1);
            return 0;
        }
    }
    return -EINVAL;
}

bool d0_class_rule_match(const struct d0_class_rule *r,
                         const struct d0_proc *p)
{
    const char *s;

    switch (r->field) {
    case D0_MATCH_COMM:
        s = p->comm;
        break;
    case D0_MATCH_EXE:
        s = p->exe;
        break;
    case D0_MATCH_CMDLINE:
        s = p->cmdline;
        break;
    default:
        return false;
    }
    return !fnmatch(r->glob, s, 0);
}

static bool rules_match(const struct d0_class_rules *rs,
                        const struct d0_proc *p)
{
    for (unsigned i = 0; i < rs->nr && i < D0_MAX_CLASS_RULES; i++)
        if (d0_class_rule_match(&rs->rule[i], p))
            return true;
    return false;
}

/*
 * A built-in name: comm (which the kernel cuts to 15 characters, so
 * "libxl-save-helper" shows as "libxl-save-help") or exe's basename.
 */
static bool builtin_match(const char *const *names, size_t n,
                          const struct d0_proc *p)
{
    const char *base = strrchr(p->exe, '/');

    base = base ? base + 1 : p->exe;
    for (size_t i = 0; i < n; i++) {
        const char *g = names[i];
        bool literal = !strpbrk(g, "*?[");

        if (!fnmatch(g, p->comm, 0) || (base[0] && !fnmatch(g, base, 0)) ||
            (literal && strlen(g) > COMM_MAX &&
             strlen(p->comm) == COMM_MAX && !strncmp(g, p->comm, COMM_MAX)))
            return true;
    }
    return false;
}

static enum d0_class classify_user(const struct d0_proc *p,
                                   const struct d0_config *c, int *domid)
{
    if (c && rules_match(&c->class_t2, p))
        return D0_CLASS_T2;
    if (c && rules_match(&c->class_t1, p))
        return D0_CLASS_T1;
    if (c && rules_match(&c->class_t0, p))
        return D0_CLASS_T0;
    if (xen_qemu(p, domid))
        return *domid > 0 ? D0_CLASS_T3 : D0_CLASS_T2;
    if (builtin_match(builtin_t2, ARRAY_SIZE(builtin_t2), p))
        return D0_CLASS_T2;
    if (builtin_match(builtin_t1, ARRAY_SIZE(builtin_t1), p))
        return D0_CLASS_T1;
    return D0_CLASS_T0;
}

enum d0_class d0_classify(const struct d0_proc *p, const struct d0_config *c,
                          int *domid)
{
    enum d0_class cl;
    int d = -1;

    if (p->kthread) {
        d = d0_backend_domid(p);
        cl = d > 0 ? D0_CLASS_T3 : D0_CLASS_KTHREAD_PINNED;
    } else {
        cl = classify_user(p, c, &d);
    }
    if (domid)
        *domid = cl == D0_CLASS_T3 ? d : -1;
    return cl;
}
