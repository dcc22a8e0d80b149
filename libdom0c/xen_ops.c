/*
 * xen_ops.c - the live facts and dom0's vCPUs and memory, through libxl.
 *
 * Everything the JSON facts format holds comes from public libxl calls:
 * libxl_get_cpu_topology (core, socket, node; offline entries invalid),
 * libxl_get_numainfo (bytes, >> 20), libxl_list_domain, libxl_list_vcpu
 * (current pCPU, hard and soft affinity), libxl_domain_get_nodeaffinity
 * and, for vNUMA pnodes, the domain's stored libxl-json userdata.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxl.h>
#include <libxl_utils.h>

#include "ops_real.h"

#define R(h) ((struct d0_real *)(h))
#define XL(r) ((libxl_ctx *)(r)->xl)

static int ctx_of(struct d0_real *r, libxl_ctx **out)
{
    if (!r->xl) {
        libxl_ctx *c = NULL;
        if (!r->lg) {
            r->lg = (xentoollog_logger *)
                xtl_createlogger_stdiostream(stderr, XTL_ERROR, 0);
            r->own_lg = true;
        }
        if (libxl_ctx_alloc(&c, LIBXL_VERSION, 0, r->lg))
            return -ENODEV;
        r->xl = (struct libxl__ctx *)c;
    }
    *out = XL(r);
    return 0;
}

static void to_cpuset(const libxl_bitmap *m, d0_cpuset *out)
{
    d0_cpuset_zero(out);
    for (unsigned i = 0; i < m->size * 8 && i < DOM0C_MAX_CPUS; i++)
        if (libxl_bitmap_test(m, (int)i))
            d0_cpuset_set(out, i);
}

static int topology(libxl_ctx *c, struct d0_facts *f)
{
    int nr = 0;
    libxl_cputopology *t = libxl_get_cpu_topology(c, &nr);

    if (!t || nr <= 0 || nr > DOM0C_MAX_CPUS)
        return t ? -E2BIG : -EIO;
    f->pcpus = calloc((size_t)nr, sizeof(*f->pcpus));
    if (!f->pcpus) {
        libxl_cputopology_list_free(t, nr);
        return -ENOMEM;
    }
    f->nr_pcpus = (unsigned)nr;
    for (int i = 0; i < nr; i++) {
        bool on = t[i].node != LIBXL_CPUTOPOLOGY_INVALID_ENTRY;
        f->pcpus[i] = (struct d0_pcpu){ .online = on,
            .core = on ? (int32_t)t[i].core : -1,
            .socket = on ? (int32_t)t[i].socket : -1,
            .node = on ? (int32_t)t[i].node : -1 };
    }
    libxl_cputopology_list_free(t, nr);
    return 0;
}

static int numa(libxl_ctx *c, struct d0_facts *f)
{
    int nr = 0;
    libxl_numainfo *n = libxl_get_numainfo(c, &nr);

    if (!n || nr <= 0 || nr > DOM0C_MAX_NODES)
        return n ? -E2BIG : -EIO;
    f->nodes = calloc((size_t)nr, sizeof(*f->nodes));
    if (!f->nodes) {
        libxl_numainfo_list_free(n, nr);
        return -ENOMEM;
    }
    f->nr_nodes = (unsigned)nr;
    for (int i = 0; i < nr; i++) {
        f->nodes[i].size_mb = n[i].size >> 20;
        f->nodes[i].free_mb = n[i].free >> 20;
        for (int j = 0; j < n[i].num_dists && j < DOM0C_MAX_NODES; j++)
            f->nodes[i].dist[j] = n[i].dists[j];
    }
    libxl_numainfo_list_free(n, nr);
    return 0;
}

static int vcpus(libxl_ctx *c, struct d0_facts *f, struct d0_domain *d)
{
    int nr = 0, nr_cpus = 0, rc = 0;
    libxl_vcpuinfo *v = libxl_list_vcpu(c, d->domid, &nr, &nr_cpus);

    if (!v)
        return nr == 0 ? 0 : -EIO;
    d->vcpus = calloc((size_t)nr, sizeof(*d->vcpus));
    if (!d->vcpus)
        rc = -ENOMEM;
    for (int i = 0; !rc && i < nr; i++) {
        d0_cpuset hard, soft;
        to_cpuset(&v[i].cpumap, &hard);
        to_cpuset(&v[i].cpumap_soft, &soft);
        int h = d0_facts_intern(f, &hard), s = d0_facts_intern(f, &soft);
        if (h < 0 || s < 0) {
            rc = h < 0 ? h : s;
            break;
        }
        d->vcpus[i] = (struct d0_vcpu){ .hard = (uint16_t)h,
            .soft = (uint16_t)s,
            .pcpu = v[i].cpu < f->nr_pcpus ? (int32_t)v[i].cpu : -1 };
        d->nr_vcpus = (unsigned)i + 1;
    }
    libxl_vcpuinfo_list_free(v, nr);
    return rc;
}

static void node_affinity(libxl_ctx *c, struct d0_domain *d)
{
    libxl_bitmap m;

    libxl_bitmap_init(&m);
    if (!libxl_node_bitmap_alloc(c, &m, 0) &&
        !libxl_domain_get_nodeaffinity(c, d->domid, &m)) {
        for (unsigned i = 0; i < m.size * 8 && i < 64; i++)
            if (libxl_bitmap_test(&m, (int)i))
                d->node_affinity |= UINT64_C(1) << i;
    }
    libxl_bitmap_dispose(&m);
}

/*
 * vNUMA pnodes, from the configuration libxl stored for the domain (its
 * "libxl-json" userdata, a dom0-only file).  Read as stored, not through
 * libxl_retrieve_domain_configuration(), which also walks every device
 * in xenstore (about 60 ms a domain under TCG, and taken on every call);
 * parsed only when it mentions vNUMA at all.
 */
static int vnuma(libxl_ctx *c, struct d0_domain *d)
{
    libxl_domain_config cfg;
    uint8_t *json = NULL;
    int len = 0, rc = 0;

    if (!d->domid || libxl_userdata_retrieve(c, d->domid, "libxl-json",
                                             &json, &len) || !json)
        return 0;               /* not a libxl domain: no vNUMA known */
    if (!memmem(json, (size_t)len, "\"vnuma_nodes\"", 13)) {
        free(json);
        return 0;
    }
    uint8_t *z = realloc(json, (size_t)len + 1);
    if (!z) {
        free(json);
        return -ENOMEM;
    }
    json = z;
    json[len] = 0;
    libxl_domain_config_init(&cfg);
    if (libxl_domain_config_from_json(c, &cfg, (const char *)json))
        goto out;
    int nr = cfg.b_info.num_vnuma_nodes;
    if (nr > 0) {
        d->vnuma = calloc((size_t)nr, sizeof(*d->vnuma));
        if (!d->vnuma) {
            rc = -ENOMEM;
            goto out;
        }
        d->nr_vnuma = (unsigned)nr;
        for (int i = 0; i < nr; i++)
            d->vnuma[i] = (struct d0_vnode){
                .pnode = cfg.b_info.vnuma_nodes[i].pnode,
                .memory_mb = cfg.b_info.vnuma_nodes[i].memkb >> 10 };
    }
out:
    libxl_domain_config_dispose(&cfg);
    free(json);
    return rc;
}

static int one_domain(libxl_ctx *c, struct d0_facts *f,
                      const libxl_dominfo *info, struct d0_domain *d)
{
    char *name = libxl_domid_to_name(c, info->domid);

    memset(d, 0, sizeof(*d));
    d->domid = info->domid;
    snprintf(d->uuid, sizeof(d->uuid), LIBXL_UUID_FMT,
             LIBXL_UUID_BYTES(info->uuid));
    snprintf(d->name, sizeof(d->name), "%s", name ? name : "");
    free(name);
    d->memory_mb = info->current_memkb >> 10;
    d->max_mb = info->max_memkb >> 10;
    d->quiescing = info->paused || info->shutdown || info->dying;
    node_affinity(c, d);
    int rc = vcpus(c, f, d);
    return rc ? rc : vnuma(c, d);
}

static int domains(libxl_ctx *c, struct d0_facts *f)
{
    int nr = 0, rc = 0;
    libxl_dominfo *info = libxl_list_domain(c, &nr);

    if (!info)
        return -EIO;
    f->domains = calloc((size_t)nr + 1, sizeof(*f->domains));
    if (!f->domains)
        rc = -ENOMEM;
    for (int i = 0; !rc && i < nr; i++) {
        rc = one_domain(c, f, &info[i], &f->domains[f->nr_domains]);
        f->nr_domains++;
    }
    libxl_dominfo_list_free(info, nr);
    return rc;
}

/*
 * dom0's ceiling is its static-max (dom0_mem=...,max:), which libxl also
 * enforces; dominfo's max_memkb is only the current maxmem, which an
 * enforced target sets to target + 1 MB.
 */
static void dom0_static_max(void *h, struct d0_facts *f)
{
    struct d0_domain *d0 = NULL;
    char *val = NULL;

    for (unsigned i = 0; i < f->nr_domains; i++)
        if (!f->domains[i].domid)
            d0 = &f->domains[i];
    if (d0 && !d0_xs_read(h, 0, "/local/domain/0/memory/static-max", &val))
        d0->max_mb = strtoull(val, NULL, 10) >> 10;
    free(val);
}

int d0_xen_facts(void *h, struct d0_facts *out)
{
    struct d0_facts f = { 0 };
    char err[256];
    libxl_ctx *c;
    int rc = ctx_of(R(h), &c);

    snprintf(f.source, sizeof(f.source), "xen");
    if (!rc) rc = topology(c, &f);
    if (!rc) rc = numa(c, &f);
    if (!rc) rc = domains(c, &f);
    if (!rc)
        dom0_static_max(h, &f);
    if (!rc) rc = d0_facts_validate(&f, err, sizeof(err));
    if (rc) {
        d0_facts_clear(&f);
        return rc;
    }
    *out = f;
    return 0;
}

int d0_xen_target_get(void *h, uint64_t *kb)
{
    libxl_ctx *c;
    int rc = ctx_of(R(h), &c);

    if (!rc && libxl_get_memory_target(c, 0, kb))
        rc = -EIO;
    return rc;
}

int d0_xen_target_set(void *h, uint64_t kb)
{
    libxl_ctx *c;
    int rc = ctx_of(R(h), &c);

    /* Absolute, enforced, as `xl mem-set 0` does. */
    if (!rc && libxl_set_memory_target(c, 0, (int64_t)kb, 0, 1))
        rc = -EINVAL;
    return rc;
}

int d0_xen_pin(void *h, unsigned vcpu, unsigned pcpu)
{
    libxl_bitmap hard;
    libxl_ctx *c;
    int rc = ctx_of(R(h), &c);

    if (rc)
        return rc;
    libxl_bitmap_init(&hard);
    rc = libxl_cpu_bitmap_alloc(c, &hard, 0) ? -ENOMEM : 0;
    if (!rc) {
        libxl_bitmap_set(&hard, (int)pcpu);
        if (libxl_set_vcpuaffinity(c, 0, vcpu, &hard, NULL))
            rc = -EINVAL;
    }
    libxl_bitmap_dispose(&hard);
    return rc;
}

void d0_xen_close(struct d0_real *r)
{
    if (r->xl)
        libxl_ctx_free(XL(r));
    r->xl = NULL;
    if (r->own_lg)
        xtl_logger_destroy(r->lg);
    r->own_lg = false;
}

int d0_xen_domu_target_set(void *h, uint32_t domid, uint64_t kb)
{
    libxl_ctx *c;
    int rc = ctx_of(R(h), &c);

    if (!rc && libxl_set_memory_target(c, domid, (int64_t)kb, 0, 1))
        rc = -EINVAL;
    return rc;
}
