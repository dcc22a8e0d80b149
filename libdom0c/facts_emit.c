/*
 * facts_emit.c - facts to JSON (docs/facts-format.md), the inverse of
 * facts_json.c.  Fields come in a fixed order and optional ones are
 * left out when they hold their default, so load -> emit -> load ->
 * emit gives identical text.  A pCPU list equal to every pCPU of the
 * host, and a node list equal to every node, is written "all".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "facts.h"

/* One emission; rc is sticky: the first failure stops the rest. */
struct emit {
    yajl_gen g;
    const struct d0_facts *f;
    int rc;
};

static void e_check(struct emit *e, yajl_gen_status st)
{
    if (st != yajl_gen_status_ok && !e->rc)
        e->rc = -EINVAL;
}

static void e_str(struct emit *e, const char *s)
{
    if (!e->rc)
        e_check(e, yajl_gen_string(e->g, (const unsigned char *)s,
                                   strlen(s)));
}

static void e_int(struct emit *e, const char *key, long long v)
{
    e_str(e, key);
    if (!e->rc)
        e_check(e, yajl_gen_integer(e->g, v));
}

/* Opens a map or array, as the value of key when key is not NULL. */
static void e_open(struct emit *e, const char *key, bool map)
{
    if (key)
        e_str(e, key);
    if (!e->rc)
        e_check(e, map ? yajl_gen_map_open(e->g) :
                yajl_gen_array_open(e->g));
}

static void e_close(struct emit *e, bool map)
{
    if (!e->rc)
        e_check(e, map ? yajl_gen_map_close(e->g) :
                yajl_gen_array_close(e->g));
}

/* key: "all" when s is exactly 0..nr-1, else the compact list. */
static void e_list(struct emit *e, const char *key, const d0_cpuset *s,
                   unsigned nr)
{
    char small[256], *buf = small;
    int need;

    e_str(e, key);
    if (e->rc)
        return;
    if (d0_cpuset_count(s) == nr && d0_cpuset_next(s, (int)nr) < 0) {
        e_str(e, "all");
        return;
    }
    need = d0_cpuset_format(s, small, sizeof(small));
    if ((size_t)need >= sizeof(small)) {
        buf = malloc((size_t)need + 1);
        if (!buf) {
            e->rc = -ENOMEM;
            return;
        }
        d0_cpuset_format(s, buf, (size_t)need + 1);
    }
    e_str(e, buf);
    if (buf != small)
        free(buf);
}

static void emit_host(struct emit *e)
{
    const struct d0_facts *f = e->f;

    e_open(e, "pcpus", false);
    for (unsigned c = 0; c < f->nr_pcpus; c++) {
        const struct d0_pcpu *p = &f->pcpus[c];
        e_open(e, NULL, true);
        e_int(e, "id", c);
        e_int(e, "core", p->core);
        e_int(e, "socket", p->socket);
        e_int(e, "node", p->node);
        e_str(e, "online");
        if (!e->rc)
            e_check(e, yajl_gen_bool(e->g, p->online));
        e_close(e, true);
    }
    e_close(e, false);
    e_open(e, "nodes", false);
    for (unsigned n = 0; n < f->nr_nodes; n++) {
        const struct d0_node *d = &f->nodes[n];
        bool dists = false;
        e_open(e, NULL, true);
        e_int(e, "id", n);
        e_int(e, "size_mb", (long long)d->size_mb);
        e_int(e, "free_mb", (long long)d->free_mb);
        for (unsigned k = 0; k < f->nr_nodes; k++)
            dists |= d->dist[k] != 0;
        if (dists) {
            e_open(e, "distances", false);
            for (unsigned k = 0; k < f->nr_nodes && !e->rc; k++)
                e_check(e, yajl_gen_integer(e->g, d->dist[k]));
            e_close(e, false);
        }
        e_close(e, true);
    }
    e_close(e, false);
}

static void emit_vcpus(struct emit *e, const struct d0_domain *d)
{
    const struct d0_facts *f = e->f;

    e_open(e, "vcpus", false);
    for (unsigned v = 0; v < d->nr_vcpus && !e->rc; v++) {
        const struct d0_vcpu *vc = &d->vcpus[v];
        if (vc->hard >= f->nr_sets || vc->soft >= f->nr_sets) {
            e->rc = -EINVAL;
            return;
        }
        e_open(e, NULL, true);
        e_int(e, "id", v);
        e_int(e, "pcpu", vc->pcpu);
        e_list(e, "hard", &f->sets[vc->hard], f->nr_pcpus);
        e_list(e, "soft", &f->sets[vc->soft], f->nr_pcpus);
        e_close(e, true);
    }
    e_close(e, false);
}

/* node_affinity, vnuma and node_pages, each only when known. */
static void emit_memory(struct emit *e, const struct d0_domain *d)
{
    d0_cpuset nodes;

    if (d->node_affinity) {
        d0_cpuset_zero(&nodes);
        nodes.w[0] = d->node_affinity;
        e_list(e, "node_affinity", &nodes, e->f->nr_nodes);
    }
    if (d->nr_vnuma) {
        e_open(e, "vnuma", false);
        for (unsigned i = 0; i < d->nr_vnuma; i++) {
            e_open(e, NULL, true);
            e_int(e, "pnode", d->vnuma[i].pnode);
            e_int(e, "memory_mb", (long long)d->vnuma[i].memory_mb);
            e_close(e, true);
        }
        e_close(e, false);
    }
    if (d->node_pages) {
        e_open(e, "node_pages", false);
        for (unsigned n = 0; n < e->f->nr_nodes && !e->rc; n++)
            e_check(e, yajl_gen_integer(e->g,
                                        (long long)d->node_pages[n]));
        e_close(e, false);
    }
}

static void emit_domain(struct emit *e, const struct d0_domain *d)
{
    e_open(e, NULL, true);
    e_int(e, "domid", d->domid);
    if (d->uuid[0]) {
        e_str(e, "uuid");
        e_str(e, d->uuid);
    }
    if (d->name[0]) {
        e_str(e, "name");
        e_str(e, d->name);
    }
    e_int(e, "memory_mb", (long long)d->memory_mb);
    if (d->max_mb)
        e_int(e, "max_mb", (long long)d->max_mb);
    emit_vcpus(e, d);
    emit_memory(e, d);
    e_close(e, true);
}

int d0_facts_to_json(const struct d0_facts *f, struct yajl_gen_t *g)
{
    struct emit e = { g, f, 0 };

    e_open(&e, NULL, true);
    e_int(&e, "version", 1);
    emit_host(&e);
    if (f->nr_domains) {
        e_open(&e, "domains", false);
        for (unsigned d = 0; d < f->nr_domains && !e.rc; d++)
            emit_domain(&e, &f->domains[d]);
        e_close(&e, false);
    }
    e_close(&e, true);
    return e.rc;
}

int d0_facts_to_json_text(const struct d0_facts *f, bool pretty,
                          char **out)
{
    const unsigned char *buf;
    yajl_gen g = yajl_gen_alloc(NULL);
    size_t len;
    char *s;
    int rc;

    if (!g)
        return -ENOMEM;
    if (pretty)
        yajl_gen_config(g, yajl_gen_beautify, 1);
    rc = d0_facts_to_json(f, g);
    if (rc)
        goto out;
    if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok) {
        rc = -EINVAL;
        goto out;
    }
    s = malloc(len + 1);
    if (!s) {
        rc = -ENOMEM;
        goto out;
    }
    memcpy(s, buf, len);
    s[len] = '\0';
    *out = s;
out:
    yajl_gen_free(g);
    return rc;
}
