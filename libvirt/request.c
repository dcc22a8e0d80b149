/*
 * request.c - what libdom0c is asked for a domain libvirt creates or
 * restores, read from its libxl config (carve.h; the patched xl reads
 * its domains with this code too):
 *   M       xsdata dom0c-mb when a carved config travels, else the
 *           target (libvirt: <currentMemory>)
 *   vcpus   b_info.max_vcpus
 *   eps     xsdata dom0c-epsilon, else dom0c.conf's (-1)
 *   nodes   vNUMA pnodes (<cpu><numa>), then cpus= from the hard affinity
 *           of each vCPU (libvirt: <vcpupin>, <vcpu cpuset=>)
 */
#include <stdio.h>
#include <string.h>
#include <libxl_utils.h>

#include "carve.h"

/* The target, or the maximum when the config leaves it to libxl. */
static uint64_t memory_mb(const libxl_domain_build_info *b)
{
    uint64_t kb = b->target_memkb != LIBXL_MEMKB_DEFAULT ? b->target_memkb
                                                         : b->max_memkb;

    return kb != LIBXL_MEMKB_DEFAULT ? kb >> 10 : 0;
}

static void hard_cpus(const libxl_domain_build_info *b, uint64_t *cpus)
{
    for (int v = 0; v < b->num_vcpu_hard_affinity; v++) {
        const libxl_bitmap *m = &b->vcpu_hard_affinity[v];
        if (!m->size || libxl_bitmap_is_full(m))
            continue;               /* no cpus= for this vCPU */
        for (int p = 0; p < (int)m->size * 8 && p < DOM0C_MAX_CPUS; p++)
            if (libxl_bitmap_test(m, p))
                cpus[p / 64] |= UINT64_C(1) << (p % 64);
    }
}

void carve_request(const libxl_domain_config *c, dom0c_request *r,
                  char uuid[37])
{
    const libxl_domain_build_info *b = &c->b_info;

    snprintf(uuid, 37, LIBXL_UUID_FMT, LIBXL_UUID_BYTES(c->c_info.uuid));
    memset(r, 0, sizeof(*r));
    r->uuid = uuid;
    r->memory_mb = carve_xsdata_mb(c, "dom0c-mb", memory_mb(b));
    r->vcpus = b->max_vcpus > 0 ? (unsigned)b->max_vcpus : 0;
    r->epsilon_mb = carve_xsdata_get(c, "dom0c-epsilon")
                    ? (int64_t)carve_xsdata_mb(c, "dom0c-epsilon", 0) : -1;
    for (int i = 0; i < b->num_vnuma_nodes && i < DOM0C_MAX_NODES; i++)
        r->vnuma_pnodes[r->nr_vnuma++] = b->vnuma_nodes[i].pnode;
    hard_cpus(b, r->cpus);
}
