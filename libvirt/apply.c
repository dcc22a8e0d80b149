/*
 * apply.c - a dom0c decision written into the libxl config handed to
 * libxl_domain_create_new/_restore (carve.h: the libvirt shim's and the
 * patched xl's one implementation):
 *   target   M - n*eps                      (given_mb)
 *   max      the config's max less n*eps, never below the target
 *   nodemap  the n nodes, numa_placement off (libxl's own placement
 *            would choose again, and n must be known before the create)
 *   affinity hard: every non-main pCPU; soft: the nodes' pCPUs; only
 *            where the config has none of its own
 *   xsdata   dom0c-mb, dom0c-max-mb: M travels with the domain
 * A restored or incoming domain arrives with the pages it had: its
 * memory never goes below the image's (Xen refuses the restore
 * otherwise); it is ballooned down to M - n*eps after the commit.
 *
 * Everything is allocated first and installed only when all of it was:
 * a failure leaves the config as libvirt made it.  Bitmaps are malloc'd
 * and sized by the caller (libxl_get_max_cpus/_nodes), as libxl wants;
 * libvirt's libxl_domain_config_dispose() frees them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxl_utils.h>

#include "carve.h"

struct staged {
    uint64_t target_kb, max_kb, balloon_kb;
    libxl_bitmap nodemap;
    libxl_bitmap *hard, *soft;      /* NULL: the config keeps its own */
    int nr_vcpus;
    char **xsdata;                  /* the new list, or NULL: unchanged */
};

/* The config's own maximum (MB), before any carving. */
static uint64_t own_max(const libxl_domain_config *c, const dom0c_decision *d)
{
    const libxl_domain_build_info *b = &c->b_info;

    return carve_xsdata_mb(c, "dom0c-max-mb",
                          b->max_memkb != LIBXL_MEMKB_DEFAULT
                          ? b->max_memkb >> 10 : d->requested_mb);
}

static void memory(const libxl_domain_config *c, const dom0c_decision *d,
                   bool incoming, struct staged *st)
{
    const libxl_domain_build_info *b = &c->b_info;
    uint64_t carved = d->requested_mb - d->given_mb, max = own_max(c, d);

    st->target_kb = d->given_mb << 10;
    st->max_kb = (max > carved + d->given_mb ? max - carved
                                             : d->given_mb) << 10;
    st->balloon_kb = 0;
    if (!incoming)
        return;
    /* libxl caps the build at the target: restore at the image's size,
     * balloon down to M - n*eps once committed. */
    if (b->target_memkb != LIBXL_MEMKB_DEFAULT &&
        b->target_memkb > st->target_kb) {
        st->balloon_kb = st->target_kb;
        st->target_kb = b->target_memkb;
    }
    if (b->max_memkb != LIBXL_MEMKB_DEFAULT && b->max_memkb > st->max_kb)
        st->max_kb = b->max_memkb;
    if (st->max_kb < st->target_kb)
        st->max_kb = st->target_kb;
}

/* A malloc'd bitmap of bits bits, bit i set when set[i / 64] says so. */
static int bitmap(libxl_bitmap *m, unsigned bits, const uint64_t *set,
                  unsigned set_bits)
{
    libxl_bitmap_init(m);
    m->map = calloc((bits + 7) / 8, 1);
    if (!m->map)
        return -ENOMEM;
    m->size = (bits + 7) / 8;
    for (unsigned i = 0; i < bits && i < set_bits; i++)
        if ((set[i / 64] >> (i % 64)) & 1)
            libxl_bitmap_set(m, (int)i);
    return 0;
}

static void free_maps(libxl_bitmap *maps, int nr)
{
    for (int v = 0; maps && v < nr; v++)
        libxl_bitmap_dispose(&maps[v]);
    free(maps);
}

/* One bitmap per vCPU, all cpus. */
static libxl_bitmap *per_vcpu(int nr, unsigned bits, const uint64_t *cpus)
{
    libxl_bitmap *maps = calloc(nr > 0 ? (size_t)nr : 1, sizeof(*maps));

    for (int v = 0; maps && v < nr; v++) {
        if (bitmap(&maps[v], bits, cpus, DOM0C_MAX_CPUS)) {
            free_maps(maps, v);
            return NULL;
        }
    }
    return maps;
}

/* dom0c-mb and dom0c-max-mb, unless a carved config brought them. */
static int xsdata(const libxl_domain_config *c, const dom0c_decision *d,
                  struct staged *st)
{
    char m[24], x[24];
    const char *pairs[] = { "dom0c-mb", m, "dom0c-max-mb", x };

    if (carve_xsdata_get(c, "dom0c-mb"))
        return 0;
    snprintf(m, sizeof(m), "%llu", (unsigned long long)d->requested_mb);
    snprintf(x, sizeof(x), "%llu", (unsigned long long)own_max(c, d));
    st->xsdata = carve_xsdata_add(c->c_info.xsdata, pairs, 2);
    return st->xsdata ? 0 : -ENOMEM;
}

static void unstage(struct staged *st)
{
    libxl_bitmap_dispose(&st->nodemap);
    free_maps(st->hard, st->nr_vcpus);
    free_maps(st->soft, st->nr_vcpus);
    if (st->xsdata) {               /* only the four new strings */
        size_t n = 0;
        while (st->xsdata[n])
            n++;
        for (size_t i = n - 4; i < n; i++)
            free(st->xsdata[i]);
        free(st->xsdata);
    }
}

static int stage(const libxl_domain_config *c, const dom0c_decision *d,
                 const struct carve_sizes *sz, struct staged *st)
{
    const libxl_domain_build_info *b = &c->b_info;
    int rc = bitmap(&st->nodemap, sz->max_nodes, &d->nodemap,
                    DOM0C_MAX_NODES);

    st->nr_vcpus = b->max_vcpus > 0 ? b->max_vcpus : 0;
    if (!rc && !b->num_vcpu_hard_affinity &&
        !(st->hard = per_vcpu(st->nr_vcpus, sz->max_cpus, d->hard_cpus)))
        rc = -ENOMEM;
    if (!rc && !b->num_vcpu_soft_affinity &&
        !(st->soft = per_vcpu(st->nr_vcpus, sz->max_cpus, d->soft_cpus)))
        rc = -ENOMEM;
    if (!rc)
        rc = xsdata(c, d, st);
    return rc;
}

static void install(libxl_domain_config *c, struct staged *st)
{
    libxl_domain_build_info *b = &c->b_info;

    b->target_memkb = st->target_kb;
    b->max_memkb = st->max_kb;
    libxl_bitmap_dispose(&b->nodemap);
    b->nodemap = st->nodemap;
    libxl_defbool_set(&b->numa_placement, false);
    if (st->hard) {
        b->vcpu_hard_affinity = st->hard;
        b->num_vcpu_hard_affinity = st->nr_vcpus;
    }
    if (st->soft) {
        b->vcpu_soft_affinity = st->soft;
        b->num_vcpu_soft_affinity = st->nr_vcpus;
    }
    if (st->xsdata) {
        free(c->c_info.xsdata);     /* the array; its strings moved */
        c->c_info.xsdata = st->xsdata;
    }
}

/* -EINVAL: not a feasible decision; -ERANGE: the host's bitmaps cannot
 * hold its nodes. */
static int check(const dom0c_decision *d, const struct carve_sizes *sz)
{
    if (d->verdict != DOM0C_OK || !d->nodemap || !d->given_mb ||
        d->requested_mb < d->given_mb ||
        d->nr_nodes != (unsigned)__builtin_popcountll(d->nodemap))
        return -EINVAL;
    if (!sz->max_cpus || !sz->max_nodes ||
        (sz->max_nodes < 64 && d->nodemap >> sz->max_nodes))
        return -ERANGE;
    return 0;
}

int carve_apply(libxl_domain_config *c, const dom0c_decision *d,
               bool incoming, const struct carve_sizes *sz,
               uint64_t *balloon_kb)
{
    struct staged st = { 0 };
    int rc = check(d, sz);

    if (rc)
        return rc;
    memory(c, d, incoming, &st);
    rc = stage(c, d, sz, &st);
    if (rc) {
        unstage(&st);
        return rc;
    }
    install(c, &st);
    *balloon_kb = st.balloon_kb;
    return 0;
}
