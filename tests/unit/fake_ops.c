/*
 * fake_ops.c - an in-memory host behind the ops table (see fake_ops.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_ops.h"

#define F(h) ((struct fake *)(h))

/* Counts the call; returns the injected failure, or 0. */
static int hit(struct fake *f, enum d0_op_kind k)
{
    f->calls[k]++;
    if (f->nr_seq < sizeof(f->seq))
        f->seq[f->nr_seq++] = (unsigned char)k;
    if (f->fail_at[k] && f->calls[k] == f->fail_at[k])
        return f->fail_rc[k];
    return 0;
}

/* ---- xenstore ------------------------------------------------------ */

static struct fake_store *store(struct fake *f, d0_txn t)
{
    return t ? &f->txn_copy : &f->xs;
}

static struct fake_kv *find(struct fake_store *s, const char *path)
{
    for (unsigned i = 0; i < s->nr; i++)
        if (!strcmp(s->kv[i].path, path))
            return &s->kv[i];
    return NULL;
}

static void store_free(struct fake_store *s)
{
    for (unsigned i = 0; i < s->nr; i++) {
        free(s->kv[i].path);
        free(s->kv[i].val);
    }
    s->nr = 0;
}

static void store_copy(struct fake_store *dst, const struct fake_store *src)
{
    store_free(dst);
    for (unsigned i = 0; i < src->nr; i++) {
        dst->kv[i] = src->kv[i];
        dst->kv[i].path = strdup(src->kv[i].path);
        dst->kv[i].val = strdup(src->kv[i].val);
    }
    dst->nr = src->nr;
}

/* Creates path (and its parents, as xenstored does) with value val. */
static int set(struct fake_store *s, const char *path, const char *val)
{
    struct fake_kv *kv = find(s, path);
    char parent[256];
    char *slash;

    if (kv) {
        free(kv->val);
        kv->val = strdup(val);
        return 0;
    }
    snprintf(parent, sizeof(parent), "%s", path);
    slash = strrchr(parent, '/');
    bool restricted = false;
    if (slash && slash != parent) {
        *slash = '\0';
        if (!find(s, parent))
            set(s, parent, "");
        restricted = find(s, parent)->restricted;
    }
    if (s->nr == FAKE_MAX_NODES)
        return -ENOSPC;
    s->kv[s->nr++] = (struct fake_kv){ strdup(path), strdup(val),
                                       restricted };
    return 0;
}

static int x_begin(void *h, d0_txn *t)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_XS_BEGIN);

    if (rc)
        return rc;
    store_copy(&f->txn_copy, &f->xs);
    f->in_txn = true;
    *t = 1;
    return 0;
}

static int x_end(void *h, d0_txn t, bool abort)
{
    struct fake *f = F(h);
    int rc = abort ? 0 : hit(f, D0_OP_XS_END);

    f->in_txn = false;
    if (!rc && !abort && f->eagain_left) {
        f->eagain_left--;
        rc = -EAGAIN;
    }
    if (!rc && !abort)
        store_copy(&f->xs, &f->txn_copy);
    store_free(&f->txn_copy);
    return rc;
}

static int x_read(void *h, d0_txn t, const char *path, char **val)
{
    int rc = hit(F(h), D0_OP_XS_READ);
    struct fake_kv *kv = rc ? NULL : find(store(F(h), t), path);

    if (rc)
        return rc;
    if (!kv)
        return -ENOENT;
    *val = strdup(kv->val);
    return 0;
}

static int x_write(void *h, d0_txn t, const char *path, const char *val)
{
    int rc = hit(F(h), D0_OP_XS_WRITE);

    return rc ? rc : set(store(F(h), t), path, val);
}

/* path itself or below it */
static bool under(const char *p, const char *root)
{
    size_t n = strlen(root);

    return !strncmp(p, root, n) && (p[n] == '\0' || p[n] == '/');
}

static int x_rm(void *h, d0_txn t, const char *path)
{
    int rc = hit(F(h), D0_OP_XS_RM);
    struct fake_store *s = store(F(h), t);
    unsigned keep = 0;

    if (rc)
        return rc;
    for (unsigned i = 0; i < s->nr; i++) {
        if (under(s->kv[i].path, path)) {
            free(s->kv[i].path);
            free(s->kv[i].val);
        } else {
            s->kv[keep++] = s->kv[i];
        }
    }
    s->nr = keep;
    return 0;
}

static int x_list(void *h, d0_txn t, const char *path, char ***names,
                  unsigned *nr)
{
    int rc = hit(F(h), D0_OP_XS_LIST);
    struct fake_store *s = store(F(h), t);
    size_t n = strlen(path);
    char **v;
    unsigned got = 0;

    if (rc)
        return rc;
    if (!find(s, path))
        return -ENOENT;
    v = calloc(s->nr + 1, sizeof(*v));
    for (unsigned i = 0; i < s->nr; i++) {
        const char *p = s->kv[i].path;
        if (!strncmp(p, path, n) && p[n] == '/' && !strchr(p + n + 1, '/'))
            v[got++] = (char *)p + n + 1;
    }
    /* One block, as the real backend returns: copy the names in. */
    size_t bytes = (got + 1) * sizeof(char *);
    for (unsigned i = 0; i < got; i++)
        bytes += strlen(v[i]) + 1;
    char **blk = malloc(bytes);
    char *dst = (char *)(blk + got + 1);
    for (unsigned i = 0; i < got; i++) {
        blk[i] = strcpy(dst, v[i]);
        dst += strlen(v[i]) + 1;
    }
    blk[got] = NULL;
    free(v);
    *names = blk;
    *nr = got;
    return 0;
}

static int x_restrict(void *h, d0_txn t, const char *path)
{
    int rc = hit(F(h), D0_OP_XS_RESTRICT);
    struct fake_kv *kv = rc ? NULL : find(store(F(h), t), path);

    if (rc)
        return rc;
    if (!kv)
        return -ENOENT;
    kv->restricted = true;
    return 0;
}

/* ---- Xen ----------------------------------------------------------- */

static int h_facts(void *h, struct d0_facts *out)
{
    char err[256];
    int rc = hit(F(h), D0_OP_FACTS);

    if (rc)
        return rc;
    rc = d0_facts_from_json(F(h)->facts_json, strlen(F(h)->facts_json),
                            out, err, sizeof(err));
    for (unsigned i = 0; !rc && i < out->nr_domains; i++)
        out->domains[i].quiescing = out->domains[i].domid < 64 &&
            (F(h)->quiescing >> out->domains[i].domid & 1);
    return rc;
}

static int h_target_get(void *h, uint64_t *kb)
{
    int rc = hit(F(h), D0_OP_TARGET_GET);

    if (!rc)
        *kb = F(h)->target_kb;
    return rc;
}

static int h_target_set(void *h, uint64_t kb)
{
    int rc = hit(F(h), D0_OP_TARGET_SET);

    if (!rc && F(h)->max_target_kb && kb > F(h)->max_target_kb)
        rc = -EINVAL;
    if (!rc)
        F(h)->target_kb = kb;
    return rc;
}

static int h_pin(void *h, unsigned vcpu, unsigned pcpu)
{
    int rc = hit(F(h), D0_OP_PIN);

    if (!rc)
        F(h)->pins[vcpu] = (int)pcpu;
    return rc;
}

/* ---- cgroups ------------------------------------------------------- */

static struct fake_cg *cg_find(struct fake *f, const char *cg,
                               const char *file)
{
    for (unsigned i = 0; i < f->nr_cg; i++) {
        struct fake_cg *c = &f->cg[i];
        if (!strcmp(c->path, cg) && c->is_dir == !file &&
            (!file || !strcmp(c->file, file)))
            return c;
    }
    return NULL;
}

bool fake_cgdir(const struct fake *f, const char *cg)
{
    return !cg[0] || cg_find((struct fake *)f, cg, NULL);
}

static void set_file(struct fake *f, const char *cg, const char *file,
                     const char *val)
{
    struct fake_cg *c = cg_find(f, cg, file);

    if (!c) {
        c = &f->cg[f->nr_cg++];
        *c = (struct fake_cg){ .is_dir = false };
        snprintf(c->path, sizeof(c->path), "%s", cg);
        snprintf(c->file, sizeof(c->file), "%s", file);
    }
    snprintf(c->val, sizeof(c->val), "%s", val);
}

/* What the kernel shows in a new cgroup. */
static void default_files(struct fake *f, const char *cg)
{
    set_file(f, cg, "cgroup.subtree_control", "");
    set_file(f, cg, "cpuset.cpus", "");
    set_file(f, cg, "memory.max", "max");
}

/* "+cpuset" adds a word to the enabled list, "-cpuset" removes it. */
static void subtree_control(struct fake *f, const char *cg, const char *val)
{
    struct fake_cg *c = cg_find(f, cg, "cgroup.subtree_control");
    char words[128] = "";
    char *save = NULL, *copy = strdup(c->val);

    for (char *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
        if (strcmp(w, val + 1))
            snprintf(words + strlen(words), sizeof(words) - strlen(words),
                     "%s%s", words[0] ? " " : "", w);
    if (val[0] == '+')
        snprintf(words + strlen(words), sizeof(words) - strlen(words),
                 "%s%s", words[0] ? " " : "", val + 1);
    snprintf(c->val, sizeof(c->val), "%s", words);
    free(copy);
}

static int c_mkdir(void *h, const char *cg)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_CG_MKDIR);
    char parent[96];
    char *slash;

    if (rc)
        return rc;
    if (cg_find(f, cg, NULL))
        return -EEXIST;
    snprintf(parent, sizeof(parent), "%s", cg);
    slash = strrchr(parent, '/');
    *(slash ? slash : parent) = '\0';
    if (!fake_cgdir(f, parent))
        return -ENOENT;
    f->cg[f->nr_cg++] = (struct fake_cg){ .is_dir = true };
    snprintf(f->cg[f->nr_cg - 1].path, sizeof(f->cg[0].path), "%s", cg);
    default_files(f, cg);
    return 0;
}

static bool cg_busy(struct fake *f, const char *cg)
{
    for (unsigned i = 0; i < f->nr_procs; i++)
        if (!strcmp(f->procs[i].cgroup, cg))
            return true;
    for (unsigned i = 0; i < f->nr_cg; i++)
        if (f->cg[i].is_dir && under(f->cg[i].path, cg) &&
            strcmp(f->cg[i].path, cg))
            return true;
    return false;
}

static int c_rmdir(void *h, const char *cg)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_CG_RMDIR);
    unsigned keep = 0;

    if (rc || !cg_find(f, cg, NULL))
        return rc;
    if (cg_busy(f, cg))
        return -EBUSY;
    for (unsigned i = 0; i < f->nr_cg; i++)
        if (strcmp(f->cg[i].path, cg))
            f->cg[keep++] = f->cg[i];
    f->nr_cg = keep;
    return 0;
}

static int c_read(void *h, const char *cg, const char *file, char *buf,
                  size_t len)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_CG_READ);
    struct fake_cg *c;

    if (rc)
        return rc;
    if (!strcmp(file, "cgroup.procs")) {
        buf[0] = '\0';
        for (unsigned i = 0; i < f->nr_procs; i++)
            if (!strcmp(f->procs[i].cgroup, cg))
                snprintf(buf + strlen(buf), len - strlen(buf), "%s%d",
                         buf[0] ? "\n" : "", (int)f->procs[i].pid);
        return fake_cgdir(f, cg) ? 0 : -ENOENT;
    }
    c = cg_find(f, cg, file);
    if (!c)
        return -ENOENT;
    if (strlen(c->val) >= len)
        return -ERANGE;
    snprintf(buf, len, "%s", c->val);
    return 0;
}

static int move_proc(struct fake *f, const char *cg, const char *val)
{
    pid_t pid = (pid_t)atoi(val);

    for (unsigned i = 0; i < f->nr_procs; i++) {
        if (f->procs[i].pid == pid) {
            snprintf(f->procs[i].cgroup, sizeof(f->procs[i].cgroup), "%s",
                     cg);
            return 0;
        }
    }
    return -ESRCH;
}

static int c_write(void *h, const char *cg, const char *file,
                   const char *val)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_CG_WRITE);
    if (rc)
        return rc;
    if (!fake_cgdir(f, cg))
        return -ENOENT;
    if (!strcmp(file, "cgroup.procs"))
        return move_proc(f, cg, val);
    if (!strcmp(file, "cgroup.subtree_control")) {
        subtree_control(f, cg, val);
        return 0;
    }
    set_file(f, cg, file, val);
    return 0;
}

static int c_list(void *h, const char *cg, char ***names, unsigned *nr)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_CG_LIST);
    size_t n = strlen(cg), bytes = sizeof(char *);
    unsigned got = 0;

    if (rc)
        return rc;
    if (!fake_cgdir(f, cg))
        return -ENOENT;
    for (unsigned i = 0; i < f->nr_cg; i++)
        bytes += sizeof(char *) + sizeof(f->cg[i].path);
    char **blk = malloc(bytes);
    char *dst = (char *)(blk + f->nr_cg + 1);
    for (unsigned i = 0; i < f->nr_cg; i++) {
        const char *p = f->cg[i].path, *name = n ? p + n + 1 : p;
        if (!f->cg[i].is_dir || (n && (strncmp(p, cg, n) || p[n] != '/')) ||
            strchr(name, '/'))
            continue;
        blk[got++] = strcpy(dst, name);
        dst += strlen(name) + 1;
    }
    blk[got] = NULL;
    *names = blk;
    *nr = got;
    return 0;
}

/* The fake's cgroup tree "mounted" at FAKE_CG_ROOT. */
static int c_path(void *h, const char *cg, char *buf, size_t len)
{
    int rc = hit(F(h), D0_OP_CG_PATH);
    int n;

    if (rc)
        return rc;
    n = snprintf(buf, len, FAKE_CG_ROOT "/%s", cg);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* ---- processes ----------------------------------------------------- */

static int p_affinity(void *h, pid_t pid, const d0_cpuset *cpus)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_AFFINITY);

    if (rc)
        return rc;
    if (!pid)
        pid = f->self;
    for (unsigned i = 0; i < f->nr_procs; i++) {
        if (f->procs[i].pid == pid) {
            f->affinity[i] = *cpus;
            return 0;
        }
    }
    return -ESRCH;
}

static int p_procs(void *h, d0_proc_want *want, struct d0_proc **out,
                   unsigned *nr)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_PROCS);
    unsigned n = 0;

    if (rc)
        return rc;
    *out = malloc(sizeof(**out) * (f->nr_procs + 1));
    for (unsigned i = 0; i < f->nr_procs; i++) {
        /* want() sees what the real list has read by then. */
        struct d0_proc stat_only = { .pid = f->procs[i].pid,
            .ppid = f->procs[i].ppid, .kthread = f->procs[i].kthread };
        memcpy(stat_only.comm, f->procs[i].comm, sizeof(stat_only.comm));
        if (want && !want(&stat_only))
            continue;
        (*out)[n] = f->procs[i];
        (*out)[n++].allowed = f->affinity[i];
    }
    *nr = n;
    return 0;
}

static int p_irqs(void *h, struct d0_irq **out, unsigned *nr)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_IRQS);

    if (rc)
        return rc;
    *out = malloc(sizeof(**out) * (f->nr_irqs + 1));
    memcpy(*out, f->irqs, sizeof(**out) * f->nr_irqs);
    *nr = f->nr_irqs;
    return 0;
}

static int p_irq_affinity(void *h, unsigned irq, const d0_cpuset *cpus)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_IRQ_AFFINITY);

    for (unsigned i = 0; !rc && i < f->nr_irqs; i++)
        if (f->irqs[i].irq == irq) {
            f->irq_aff[i] = *cpus;
            return 0;
        }
    return rc ? rc : -ENOENT;
}

static int p_alive(void *h, pid_t pid)
{
    struct fake *f = F(h);
    int rc = hit(f, D0_OP_PID_ALIVE);

    for (unsigned i = 0; !rc && i < f->nr_procs; i++)
        if (f->procs[i].pid == pid)
            return 1;
    return rc;
}

static int p_work(void *h, uint64_t *work, unsigned nr)
{
    int rc = hit(F(h), D0_OP_CPU_WORK);

    if (!rc)
        memcpy(work, F(h)->work, sizeof(*work) * nr);
    return rc;
}

static pid_t p_self(void *h)
{
    return F(h)->self;
}

static int h_domu_target(void *h, uint32_t domid, uint64_t kb)
{
    int rc = hit(F(h), D0_OP_DOMU_TARGET);

    if (!rc)
        F(h)->domu_target_kb[domid % 64] = kb;
    return rc;
}

static int p_io(void *h, uint32_t domid, uint64_t *bytes)
{
    int rc = hit(F(h), D0_OP_IO_BYTES);

    if (!rc)
        *bytes = F(h)->io[domid % 64];
    return rc;
}

static const struct d0_ops fake_ops = {
    .name = "fake",
    .facts = h_facts, .target_get = h_target_get,
    .target_set = h_target_set, .pin = h_pin,
    .xs_begin = x_begin, .xs_end = x_end, .xs_read = x_read,
    .xs_write = x_write, .xs_rm = x_rm, .xs_list = x_list,
    .xs_restrict = x_restrict,
    .cg_mkdir = c_mkdir, .cg_rmdir = c_rmdir, .cg_read = c_read,
    .cg_write = c_write, .cg_list = c_list, .cg_path = c_path,
    .affinity = p_affinity, .procs = p_procs, .irqs = p_irqs,
    .irq_affinity = p_irq_affinity, .pid_alive = p_alive,
    .cpu_work = p_work, .self = p_self,
    .domu_target_set = h_domu_target, .io_bytes = p_io,
};

/* ---- test side ----------------------------------------------------- */

void fake_init(struct fake *f, const char *facts_json)
{
    memset(f, 0, sizeof(*f));
    f->facts_json = facts_json;
    f->target_kb = 1024 * 1024;
    for (unsigned i = 0; i < DOM0C_MAX_CPUS; i++)
        f->pins[i] = -1;
    f->self = 100;
    fake_proc(f, 100, "xl", false, "xl create domu.cfg");
    default_files(f, "");
}

void fake_free(struct fake *f)
{
    store_free(&f->xs);
    store_free(&f->txn_copy);
}

struct d0_backend fake_backend(struct fake *f)
{
    return (struct d0_backend){ &fake_ops, f };
}

void fake_fail(struct fake *f, enum d0_op_kind k, unsigned nth, int rc)
{
    f->calls[k] = 0;
    f->fail_at[k] = nth;
    f->fail_rc[k] = rc;
}

void fake_clear_faults(struct fake *f)
{
    memset(f->fail_at, 0, sizeof(f->fail_at));
    memset(f->calls, 0, sizeof(f->calls));
}

struct d0_proc *fake_proc(struct fake *f, pid_t pid, const char *comm,
                          bool kthread, const char *cmdline)
{
    struct d0_proc *p = &f->procs[f->nr_procs];

    memset(p, 0, sizeof(*p));
    p->pid = pid;
    p->ppid = kthread ? 2 : 1;
    p->kthread = kthread;
    snprintf(p->comm, sizeof(p->comm), "%s", comm);
    snprintf(p->cmdline, sizeof(p->cmdline), "%s", cmdline);
    if (!kthread)
        snprintf(p->exe, sizeof(p->exe), "/usr/bin/%s", comm);
    for (unsigned c = 0; c < 4; c++)
        d0_cpuset_set(&f->affinity[f->nr_procs], c);
    f->nr_procs++;
    return p;
}

const char *fake_xs(const struct fake *f, const char *path)
{
    struct fake_kv *kv = find((struct fake_store *)&f->xs, path);

    return kv ? kv->val : NULL;
}

void fake_xs_set(struct fake *f, const char *path, const char *val)
{
    set(&f->xs, path, val);
}

const char *fake_cgfile(const struct fake *f, const char *cg,
                        const char *file)
{
    struct fake_cg *c = cg_find((struct fake *)f, cg, file);

    return c ? c->val : NULL;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char *fake_snapshot(const struct fake *f)
{
    unsigned n = 0, cap = f->xs.nr + f->nr_cg + f->nr_procs + 8;
    char **lines = calloc(cap, sizeof(*lines));
    char *out = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&out, &len);

    for (unsigned i = 0; i < f->xs.nr; i++)
        asprintf(&lines[n++], "xs %s = %s%s", f->xs.kv[i].path,
                 f->xs.kv[i].val, f->xs.kv[i].restricted ? " [n0]" : "");
    for (unsigned i = 0; i < f->nr_cg; i++)
        asprintf(&lines[n++], "cg %s %s = %s", f->cg[i].path,
                 f->cg[i].is_dir ? "/" : f->cg[i].file, f->cg[i].val);
    for (unsigned i = 0; i < f->nr_procs; i++)
        asprintf(&lines[n++], "proc %d in '%s'", (int)f->procs[i].pid,
                 f->procs[i].cgroup);
    qsort(lines, n, sizeof(*lines), cmp_str);
    fprintf(m, "target_kb %llu\n", (unsigned long long)f->target_kb);
    for (unsigned i = 0; i < n; i++) {
        fprintf(m, "%s\n", lines[i]);
        free(lines[i]);
    }
    fclose(m);
    free(lines);
    return out;
}
