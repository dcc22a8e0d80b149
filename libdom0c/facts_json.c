/*
 * facts_json.c - facts from JSON (docs/facts-format.md); facts_emit.c
 * writes them back.
 *
 * The loader walks a yajl tree: nodes first, then pCPUs (so that "all"
 * and the pCPU lists of the domains can be checked against the host),
 * then domains, then d0_facts_validate(), the check shared with the
 * other sources.  Each message names the field's path and its value.
 * Unknown fields are errors, so that a typo is not silently ignored.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "facts.h"
#include "file.h"

#define MAX_FILE_BYTES (64u << 20)
#define MAX_PAGES (D0_FACTS_MAX_MB << 8)   /* 4 KiB pages in MAX_MB */

/* One parse: the facts being built, where the message goes, and the
 * domain being parsed with its path ("domains[3]"). */
struct jp {
    struct d0_facts *f;
    char *err;
    size_t len;
    struct d0_domain *dom;
    const char *dpath;
};

/* A field an object may have. */
struct jfield {
    const char *name;
    bool required;
};

static int fail(struct jp *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct jp *p, const char *fmt, ...)
{
    va_list ap;

    if (p->err && p->len) {
        va_start(ap, fmt);
        vsnprintf(p->err, p->len, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static const char *type_name(yajl_val v)
{
    if (YAJL_IS_STRING(v))
        return "a string";
    if (YAJL_IS_NUMBER(v))
        return "a number";
    if (YAJL_IS_OBJECT(v))
        return "an object";
    if (YAJL_IS_ARRAY(v))
        return "an array";
    if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        return "a boolean";
    return "null";
}

/* "path.name", or "name" at the top level. */
static void join(char *buf, size_t n, const char *path, const char *name)
{
    snprintf(buf, n, "%s%s%s", path, *path ? "." : "", name);
}

static yajl_val field(yajl_val obj, const char *name)
{
    for (size_t k = 0; k < obj->u.object.len; k++)
        if (!strcmp(obj->u.object.keys[k], name))
            return obj->u.object.values[k];
    return NULL;
}

static int unknown_field(struct jp *p, const char *at,
                         const struct jfield *fl, unsigned nf)
{
    char names[160] = "";
    size_t off = 0;

    for (unsigned i = 0; i < nf && off < sizeof(names); i++)
        off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s",
                                i ? ", " : "", fl[i].name);
    return fail(p, "%s: unknown field (expected %s)", at, names);
}

/* obj is an object whose keys are all in fl, once, required ones too. */
static int check_fields(struct jp *p, yajl_val obj, const char *path,
                        const struct jfield *fl, unsigned nf)
{
    uint32_t seen = 0;
    char at[96];

    if (!YAJL_IS_OBJECT(obj))
        return fail(p, "%s: expected an object, got %s",
                    *path ? path : "top level", type_name(obj));
    for (size_t k = 0; k < obj->u.object.len; k++) {
        const char *key = obj->u.object.keys[k];
        unsigned i = 0;
        while (i < nf && strcmp(fl[i].name, key))
            i++;
        join(at, sizeof(at), path, key);
        if (i == nf)
            return unknown_field(p, at, fl, nf);
        if (seen >> i & 1)
            return fail(p, "%s: given twice", at);
        seen |= UINT32_C(1) << i;
    }
    for (unsigned i = 0; i < nf; i++) {
        if (fl[i].required && !(seen >> i & 1)) {
            join(at, sizeof(at), path, fl[i].name);
            return fail(p, "%s: missing", at);
        }
    }
    return 0;
}

static int int_value(struct jp *p, yajl_val v, const char *at,
                     long long min, long long max, long long *out)
{
    if (!YAJL_IS_NUMBER(v))
        return fail(p, "%s: expected an integer, got %s", at,
                    type_name(v));
    if (!YAJL_IS_INTEGER(v) || YAJL_GET_INTEGER(v) < min ||
        YAJL_GET_INTEGER(v) > max)
        return fail(p, "%s = %.40s: expected an integer from %lld to %lld",
                    at, YAJL_GET_NUMBER(v), min, max);
    *out = YAJL_GET_INTEGER(v);
    return 0;
}

/* Optional integer field: dflt when absent. */
static int get_int(struct jp *p, yajl_val obj, const char *path,
                   const char *name, long long min, long long max,
                   long long dflt, long long *out)
{
    yajl_val v = field(obj, name);
    char at[96];

    *out = dflt;
    if (!v)
        return 0;
    join(at, sizeof(at), path, name);
    return int_value(p, v, at, min, max, out);
}

/* Optional string field: dflt when absent, at most max bytes. */
static int get_str(struct jp *p, yajl_val obj, const char *path,
                   const char *name, size_t max, const char *dflt,
                   const char **out)
{
    yajl_val v = field(obj, name);
    char at[96];

    *out = dflt;
    if (!v)
        return 0;
    join(at, sizeof(at), path, name);
    if (!YAJL_IS_STRING(v))
        return fail(p, "%s: expected a string, got %s", at, type_name(v));
    if (strlen(v->u.string) > max)
        return fail(p, "%s = \"%.40s...\": longer than %zu bytes", at,
                    v->u.string, max);
    *out = v->u.string;
    return 0;
}

/* The ids of pCPUs, nodes and vCPUs are their index, in order. */
static int check_id(struct jp *p, yajl_val obj, const char *path,
                    unsigned idx)
{
    long long id = 0;
    int rc = get_int(p, obj, path, "id", 0, INT_MAX, 0, &id);

    if (!rc && id != idx)
        rc = fail(p, "%s.id = %lld: expected %u (ids are 0..n-1 in order)",
                  path, id, idx);
    return rc;
}

static int array_of(struct jp *p, yajl_val v, const char *at,
                    size_t min, size_t max, size_t *n)
{
    if (!YAJL_IS_ARRAY(v))
        return fail(p, "%s: expected an array, got %s", at, type_name(v));
    *n = v->u.array.len;
    if (*n >= min && *n <= max)
        return 0;
    if (min == max)
        return fail(p, "%s: %zu %s, expected %zu", at, *n,
                    *n == 1 ? "entry" : "entries", min);
    if (*n < min)
        return fail(p, "%s: %zu %s, expected at least %zu", at, *n,
                    *n == 1 ? "entry" : "entries", min);
    return fail(p, "%s: %zu entries, at most %zu supported", at, *n, max);
}

/* Checks array a and allocates its entries (NULL when there are none);
 * *nr = their number.  The caller stores it, then calls each_entry(). */
static void *new_array(struct jp *p, yajl_val a, const char *at,
                       size_t min, size_t max, size_t size, unsigned *nr,
                       int *rc)
{
    size_t n = 0;
    void *arr;

    *rc = array_of(p, a, at, min, max, &n);
    if (*rc || !n)
        return NULL;
    arr = calloc(n, size);
    if (!arr) {
        *rc = -ENOMEM;
        return NULL;
    }
    *nr = (unsigned)n;
    return arr;
}

static int each_entry(struct jp *p, yajl_val a,
                      int (*each)(struct jp *, yajl_val, unsigned))
{
    int rc = 0;

    for (size_t i = 0; i < a->u.array.len && !rc; i++)
        rc = each(p, a->u.array.values[i], (unsigned)i);
    return rc;
}

/*
 * Parses a list field ("0-3,8", "all" = every id below nr) into *out;
 * "all" when absent.  what names the ids in messages ("pCPU", "node").
 */
static int get_list(struct jp *p, yajl_val obj, const char *path,
                    const char *name, unsigned nr, const char *what,
                    d0_cpuset *out)
{
    const char *text;
    char at[96];
    int rc, bad;

    rc = get_str(p, obj, path, name, SIZE_MAX, "all", &text);
    if (rc)
        return rc;
    join(at, sizeof(at), path, name);
    if (d0_cpuset_parse(text, nr, out))
        return fail(p, "%s = \"%.40s\": not a list like \"0-3,8\" or "
                    "\"all\"", at, text);
    bad = d0_cpuset_next(out, (int)nr);
    if (bad >= 0)
        return fail(p, "%s = \"%.40s\": names %s %d (host has %u)", at,
                    text, what, bad, nr);
    if (d0_cpuset_empty(out))
        return fail(p, "%s = \"\": empty", at);
    return 0;
}

/* A pCPU list field, interned: *idx is its index in f->sets. */
static int get_set(struct jp *p, yajl_val obj, const char *path,
                   const char *name, uint16_t *idx)
{
    d0_cpuset s;
    int rc;

    rc = get_list(p, obj, path, name, p->f->nr_pcpus, "pCPU", &s);
    if (rc)
        return rc;
    rc = d0_facts_intern(p->f, &s);
    if (rc == -E2BIG)
        return fail(p, "%s.%s: more than 65536 distinct sets", path, name);
    if (rc < 0)
        return rc;
    *idx = (uint16_t)rc;
    return 0;
}

static int parse_node(struct jp *p, yajl_val v, unsigned i)
{
    static const struct jfield fl[] = {
        { "id", true }, { "size_mb", true }, { "free_mb", true },
        { "distances", false },
    };
    struct d0_node *n = &p->f->nodes[i];
    long long size = 0, free_mb = 0, d = 0;
    char at[32], dat[64];
    yajl_val dists;
    size_t nd = 0;
    int rc;

    snprintf(at, sizeof(at), "nodes[%u]", i);
    rc = check_fields(p, v, at, fl, 4);
    if (!rc)
        rc = check_id(p, v, at, i);
    if (!rc)
        rc = get_int(p, v, at, "size_mb", 0, D0_FACTS_MAX_MB, 0, &size);
    if (!rc)
        rc = get_int(p, v, at, "free_mb", 0, D0_FACTS_MAX_MB, 0, &free_mb);
    if (rc)
        return rc;
    n->size_mb = (uint64_t)size;
    n->free_mb = (uint64_t)free_mb;
    dists = field(v, "distances");
    if (!dists)
        return 0;
    snprintf(dat, sizeof(dat), "%s.distances", at);
    rc = array_of(p, dists, dat, p->f->nr_nodes, p->f->nr_nodes, &nd);
    for (size_t k = 0; k < nd && !rc; k++) {
        snprintf(dat, sizeof(dat), "%s.distances[%zu]", at, k);
        rc = int_value(p, dists->u.array.values[k], dat, 0, UINT32_MAX, &d);
        if (!rc)
            n->dist[k] = (uint32_t)d;
    }
    return rc;
}

static int parse_pcpu(struct jp *p, yajl_val v, unsigned i)
{
    static const struct jfield fl[] = {
        { "id", true }, { "core", true }, { "socket", true },
        { "node", true }, { "online", false },
    };
    struct d0_pcpu *c = &p->f->pcpus[i];
    long long core = -1, socket = -1, node = -1;
    yajl_val on;
    char at[32];
    int rc;

    snprintf(at, sizeof(at), "pcpus[%u]", i);
    rc = check_fields(p, v, at, fl, 5);
    if (!rc)
        rc = check_id(p, v, at, i);
    if (!rc)
        rc = get_int(p, v, at, "core", -1, INT32_MAX, -1, &core);
    if (!rc)
        rc = get_int(p, v, at, "socket", -1, INT32_MAX, -1, &socket);
    if (!rc)
        rc = get_int(p, v, at, "node", -1, INT32_MAX, -1, &node);
    if (rc)
        return rc;
    on = field(v, "online");
    if (on && !YAJL_IS_TRUE(on) && !YAJL_IS_FALSE(on))
        return fail(p, "%s.online: expected true or false, got %s", at,
                    type_name(on));
    c->core = (int32_t)core;
    c->socket = (int32_t)socket;
    c->node = (int32_t)node;
    c->online = !on || YAJL_IS_TRUE(on);
    return 0;
}

static int parse_vcpu(struct jp *p, yajl_val v, unsigned i)
{
    static const struct jfield fl[] = {
        { "id", true }, { "pcpu", false }, { "hard", false },
        { "soft", false },
    };
    struct d0_vcpu *vc = &p->dom->vcpus[i];
    char at[48];
    long long pcpu = -1;
    int rc;

    snprintf(at, sizeof(at), "%s.vcpus[%u]", p->dpath, i);
    rc = check_fields(p, v, at, fl, 4);
    if (!rc)
        rc = check_id(p, v, at, i);
    if (!rc)
        rc = get_int(p, v, at, "pcpu", -1, INT32_MAX, -1, &pcpu);
    if (!rc)
        rc = get_set(p, v, at, "hard", &vc->hard);
    if (!rc)
        rc = get_set(p, v, at, "soft", &vc->soft);
    if (!rc)
        vc->pcpu = (int32_t)pcpu;
    return rc;
}

static int parse_vnode(struct jp *p, yajl_val v, unsigned i)
{
    static const struct jfield fl[] = {
        { "pnode", true }, { "memory_mb", true },
    };
    struct d0_vnode *vn = &p->dom->vnuma[i];
    long long pnode = 0, mb = 0;
    char at[48];
    int rc;

    snprintf(at, sizeof(at), "%s.vnuma[%u]", p->dpath, i);
    rc = check_fields(p, v, at, fl, 2);
    if (!rc)
        rc = get_int(p, v, at, "pnode", 0, INT32_MAX, 0, &pnode);
    if (!rc)
        rc = get_int(p, v, at, "memory_mb", 0, D0_FACTS_MAX_MB, 0, &mb);
    if (rc)
        return rc;
    vn->pnode = (uint32_t)pnode;
    vn->memory_mb = (uint64_t)mb;
    return 0;
}

static int parse_pages(struct jp *p, yajl_val v, unsigned i)
{
    long long pages = 0;
    char at[48];
    int rc;

    snprintf(at, sizeof(at), "%s.node_pages[%u]", p->dpath, i);
    rc = int_value(p, v, at, 0, (long long)MAX_PAGES, &pages);
    if (!rc)
        p->dom->node_pages[i] = (uint64_t)pages;
    return rc;
}

static int check_uuid(struct jp *p, const char *path, const char *u)
{
    size_t i;

    for (i = 0; u[i] && i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? u[i] != '-' : !strchr("0123456789abcdefABCDEF", u[i]))
            break;
    }
    if (*u && (i != 36 || u[i]))
        return fail(p, "%s.uuid = \"%.40s\": not a UUID "
                    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)", path, u);
    return 0;
}

/* vcpus (required, 1 or more), vnuma, node_pages (one per node). */
static int parse_domain_arrays(struct jp *p, yajl_val v, const char *path,
                               struct d0_domain *d)
{
    unsigned nr_pages = 0;
    char at[48];
    yajl_val a;
    int rc;

    p->dom = d;
    p->dpath = path;
    a = field(v, "vcpus");
    snprintf(at, sizeof(at), "%s.vcpus", path);
    d->vcpus = new_array(p, a, at, 1, DOM0C_MAX_CPUS, sizeof(*d->vcpus),
                         &d->nr_vcpus, &rc);
    if (!rc)
        rc = each_entry(p, a, parse_vcpu);
    a = field(v, "vnuma");
    if (!rc && a) {
        snprintf(at, sizeof(at), "%s.vnuma", path);
        d->vnuma = new_array(p, a, at, 0, DOM0C_MAX_NODES,
                             sizeof(*d->vnuma), &d->nr_vnuma, &rc);
        if (!rc)
            rc = each_entry(p, a, parse_vnode);
    }
    a = field(v, "node_pages");
    if (!rc && a) {
        snprintf(at, sizeof(at), "%s.node_pages", path);
        d->node_pages = new_array(p, a, at, p->f->nr_nodes, p->f->nr_nodes,
                                  sizeof(*d->node_pages), &nr_pages, &rc);
        if (!rc)
            rc = each_entry(p, a, parse_pages);
    }
    return rc;
}

static int parse_domain(struct jp *p, yajl_val v, unsigned i)
{
    static const struct jfield fl[] = {
        { "domid", true }, { "uuid", false }, { "name", false },
        { "memory_mb", true }, { "max_mb", false }, { "vcpus", true },
        { "node_affinity", false }, { "vnuma", false },
        { "node_pages", false },
    };
    struct d0_domain *d = &p->f->domains[i];
    long long domid = 0, mem = 0, max = 0;
    const char *uuid = "", *name = "";
    d0_cpuset nodes;
    char at[32];
    int rc;

    snprintf(at, sizeof(at), "domains[%u]", i);
    rc = check_fields(p, v, at, fl, 9);
    if (!rc)
        rc = get_int(p, v, at, "domid", 0, D0_FACTS_MAX_DOMID, 0, &domid);
    if (!rc)
        rc = get_str(p, v, at, "uuid", 36, "", &uuid);
    if (!rc)
        rc = check_uuid(p, at, uuid);
    if (!rc)
        rc = get_str(p, v, at, "name", sizeof(d->name) - 1, "", &name);
    if (!rc)
        rc = get_int(p, v, at, "memory_mb", 0, D0_FACTS_MAX_MB, 0, &mem);
    if (!rc)
        rc = get_int(p, v, at, "max_mb", 0, D0_FACTS_MAX_MB, 0, &max);
    d0_cpuset_zero(&nodes);
    if (!rc && field(v, "node_affinity"))
        rc = get_list(p, v, at, "node_affinity", p->f->nr_nodes, "node",
                      &nodes);
    if (rc)
        return rc;
    d->domid = (uint32_t)domid;
    snprintf(d->uuid, sizeof(d->uuid), "%s", uuid);
    snprintf(d->name, sizeof(d->name), "%s", name);
    d->memory_mb = (uint64_t)mem;
    d->max_mb = (uint64_t)max;
    d->node_affinity = nodes.w[0];
    return parse_domain_arrays(p, v, at, d);
}

static int parse_root(struct jp *p, yajl_val root)
{
    static const struct jfield fl[] = {
        { "version", true }, { "pcpus", true }, { "nodes", true },
        { "domains", false },
    };
    struct d0_facts *f = p->f;
    long long version = 0;
    yajl_val a;
    int rc;

    rc = check_fields(p, root, "", fl, 4);
    if (rc)
        goto out;
    rc = get_int(p, root, "", "version", LLONG_MIN, LLONG_MAX, 0,
                 &version);
    if (!rc && version != 1)
        rc = fail(p, "version = %lld: unsupported (this libdom0c reads "
                  "version 1)", version);
    if (rc)
        goto out;
    a = field(root, "nodes");
    f->nodes = new_array(p, a, "nodes", 1, DOM0C_MAX_NODES,
                         sizeof(*f->nodes), &f->nr_nodes, &rc);
    if (!rc)
        rc = each_entry(p, a, parse_node);
    if (rc)
        goto out;
    a = field(root, "pcpus");
    f->pcpus = new_array(p, a, "pcpus", 1, DOM0C_MAX_CPUS,
                         sizeof(*f->pcpus), &f->nr_pcpus, &rc);
    if (!rc)
        rc = each_entry(p, a, parse_pcpu);
    a = field(root, "domains");
    if (rc || !a)
        goto out;
    f->domains = new_array(p, a, "domains", 0, D0_FACTS_MAX_DOMID + 1,
                           sizeof(*f->domains), &f->nr_domains, &rc);
    if (!rc)
        rc = each_entry(p, a, parse_domain);
out:
    return rc;
}

/* Parses text, a NUL-terminated string of len bytes. */
static int parse_text(const char *text, size_t len, struct d0_facts *out,
                      char *err, size_t errlen)
{
    struct d0_facts f = { .source = "json" };
    struct jp p = { .f = &f, .err = err, .len = errlen };
    yajl_val root = NULL;
    char msg[256] = "";
    size_t nul = strlen(text);
    int rc;

    if (nul != len) {
        rc = fail(&p, "not JSON: NUL byte at offset %zu", nul);
        goto out;
    }
    root = yajl_tree_parse(text, msg, sizeof(msg));
    if (!root) {
        msg[strcspn(msg, "\n")] = '\0';
        rc = fail(&p, "not JSON: %s", msg[0] ? msg : "parse error");
        goto out;
    }
    rc = parse_root(&p, root);
    if (rc)
        goto out;
    rc = d0_facts_validate(&f, err, errlen);
    if (rc)
        goto out;
    *out = f;
out:
    yajl_tree_free(root);
    if (rc)
        d0_facts_clear(&f);
    return rc;
}

int d0_facts_from_json(const char *text, size_t len, struct d0_facts *out,
                       char *err, size_t errlen)
{
    char *buf = malloc(len + 1);
    int rc;

    if (!buf)
        return -ENOMEM;
    memcpy(buf, text, len);
    buf[len] = '\0';
    rc = parse_text(buf, len, out, err, errlen);
    free(buf);
    return rc;
}

int d0_facts_load(const char *path, struct d0_facts *out, char *err,
                  size_t errlen)
{
    char msg[512] = "";
    char *text = NULL;
    size_t len = 0;
    int rc;

    rc = d0_read_file(path, MAX_FILE_BYTES, &text, &len);
    if (rc) {
        d0_facts_err(err, errlen, "%s: %s", path, rc == -EFBIG ?
                     "larger than 64 MiB" : strerror(-rc));
        goto out;
    }
    rc = parse_text(text, len, out, msg, sizeof(msg));
    if (rc) {
        d0_facts_err(err, errlen, "%s: %s", path, msg);
        goto out;
    }
    snprintf(out->source, sizeof(out->source), "%s", path);
out:
    free(text);
    return rc;
}
