/*
 * facts.h - what libdom0c knows about a host: pCPUs, NUMA nodes and the
 * existing domains.  Filled from a JSON file (facts_json.c), from the
 * running Linux through libnuma (facts_local.c) or, later, from libxl.
 * Memory is in MiB throughout.  Plain data: policy reads it, never I/O.
 */
#ifndef D0_FACTS_H
#define D0_FACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cpuset.h"

/* Bounds every source is held to, so that sums cannot overflow. */
#define D0_FACTS_MAX_MB (UINT64_C(1) << 40)   /* per value: 1 EiB */
#define D0_FACTS_MAX_DOMID 0x7FEF             /* DOMID_FIRST_RESERVED-1 */

struct d0_pcpu {
    int32_t core, socket, node;     /* -1 when unknown (offline) */
    bool online;
};

struct d0_node {
    uint64_t size_mb, free_mb;
    uint32_t dist[DOM0C_MAX_NODES]; /* SLIT distances, 0 = unknown */
};

struct d0_vcpu {
    int32_t pcpu;                   /* current or last pCPU, -1 unknown */
    uint16_t hard, soft;            /* indices into d0_facts.sets */
};

struct d0_vnode {
    uint32_t pnode;
    uint64_t memory_mb;
};

struct d0_domain {
    uint32_t domid;
    char uuid[37];                  /* "" when unknown */
    char name[64];
    uint64_t memory_mb;             /* current target */
    uint64_t max_mb;                /* 0 when unknown */
    unsigned nr_vcpus;
    struct d0_vcpu *vcpus;
    uint64_t node_affinity;         /* bit N = node N; 0 = unknown */
    unsigned nr_vnuma;
    struct d0_vnode *vnuma;
    uint64_t *node_pages;           /* NULL, or nr_nodes counts (4 KiB
                                     * pages, from debug key 'u') */
    bool quiescing;                 /* live only: paused, shutting down
                                     * (a suspend for save or migration)
                                     * or dying; not in the JSON format */
};

struct d0_facts {
    char source[128];               /* file name or "local" or "xen" */
    unsigned nr_pcpus;              /* entries in pcpus, index = id */
    struct d0_pcpu *pcpus;
    unsigned nr_nodes;              /* entries in nodes, index = id */
    struct d0_node *nodes;
    unsigned nr_domains;
    struct d0_domain *domains;
    /* Interned affinity sets; vCPUs refer to them by index, so a host
     * with thousands of vCPUs stores each distinct set once. */
    unsigned nr_sets, cap_sets;
    d0_cpuset *sets;
};

/* Frees what the facts own (not the struct itself).  NULL-safe. */
void d0_facts_clear(struct d0_facts *f);

/* Index of set s in f->sets, adding it when new.  The index, or -ENOMEM,
 * or -E2BIG when 65536 distinct sets exist (indices are uint16_t). */
int d0_facts_intern(struct d0_facts *f, const d0_cpuset *s);

/* Sum of node sizes: the host's memory. */
uint64_t d0_facts_host_mb(const struct d0_facts *f);

/* Online pCPUs of node n. */
void d0_facts_node_cpus(const struct d0_facts *f, unsigned n,
                        d0_cpuset *out);

/* Checks internal consistency (pCPU nodes exist, vCPU pCPUs exist, sets
 * in range...).  0 or -EINVAL with a sentence in err. */
int d0_facts_validate(const struct d0_facts *f, char *err, size_t len);

/* Domain with that domid, or NULL. */
const struct d0_domain *d0_facts_domain(const struct d0_facts *f,
                                        uint32_t domid);

/* snprintf into err (NULL or len 0: nothing), for the facts' sources. */
void d0_facts_err(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * JSON facts (docs/facts-format.md), facts_json.c.
 *
 * d0_facts_from_json() parses len bytes of text (no NUL needed) and
 * validates the result.  Returns 0 with *out (the caller owns it and
 * frees it with d0_facts_clear()), -EINVAL with one sentence in err
 * naming the field's path and value ("domains[3].vcpus[1].pcpu = 9: no
 * such pCPU (host has 4)"), or -ENOMEM.  *out written only on success.
 * Unknown fields are rejected, so typos are caught.  Never logs.
 */
int d0_facts_from_json(const char *text, size_t len, struct d0_facts *out,
                       char *err, size_t errlen);

/* Reads and parses the file at path; source = path.  As above, plus
 * -errno from open/read (-ENOENT...) and -EFBIG (over 64 MiB); err
 * starts with the path. */
int d0_facts_load(const char *path, struct d0_facts *out, char *err,
                  size_t errlen);

/*
 * Writes f into g (a yajl_gen) in the same format, fields in a fixed
 * order, so load -> emit -> load -> emit gives identical text.  Returns
 * 0, or -EINVAL when g refuses a value (wrong state) or f refers to a
 * set that does not exist.
 */
struct yajl_gen_t;
int d0_facts_to_json(const struct d0_facts *f, struct yajl_gen_t *g);

/* The same as a malloc'd NUL-terminated string (indented and ending in a
 * newline when pretty).  0 with *out (caller frees), -ENOMEM, -EINVAL. */
int d0_facts_to_json_text(const struct d0_facts *f, bool pretty,
                          char **out);

/*
 * Facts of the running Linux (facts_local.c): pCPUs from
 * <sysroot>/sys/devices/system/cpu (online, present, cpuN/topology),
 * nodes, sizes, free memory, distances and cpu->node from libnuma, or
 * one node with <sysroot>/proc/meminfo totals when libnuma reports no
 * NUMA.  sysroot NULL, "" or "/" is the real root.  No domains.
 * *pv_dom0 (may be NULL) is set when the system is a Xen guest or dom0
 * (proc/xen/capabilities has "control_d", or sys/hypervisor/type is
 * "xen") and only one node is seen: a PV dom0 ignores the SRAT, so the
 * host's topology must come from Xen.  Returns 0 with *out (caller
 * clears it), -ENOENT/-EACCES... (err names the path), -EINVAL (err
 * names the path and value), -ENOMEM.  Writes out only on success.
 */
int d0_facts_from_local(const char *sysroot, struct d0_facts *out,
                        char *err, size_t errlen, bool *pv_dom0);

#endif
