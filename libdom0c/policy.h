/*
 * policy.h - the pure decisions of libdom0c: plan = f(facts, config).
 * No I/O, no logging, no allocation: infeasibility is returned as data
 * (a verdict and a sentence), never as a log line.
 */
#ifndef D0_POLICY_H
#define D0_POLICY_H

#include <stdint.h>

#include "config.h"
#include "dom0c.h"
#include "facts.h"

/* dom0's layout on a host: who runs where, and how big it is. */
struct d0_layout {
    dom0c_verdict verdict;
    char why[160];
    unsigned nr_nodes;
    d0_cpuset main;                       /* main container's pCPUs */
    d0_cpuset secondary[DOM0C_MAX_NODES]; /* node N's other pCPUs */
    d0_cpuset domu;                       /* union of secondary */
    uint64_t main_mb;                     /* main container memory.max */
    uint64_t node_mb[DOM0C_MAX_NODES];    /* base + reservations */
    uint64_t dom0_target_mb;              /* main + sum(node_mb) */
    /* dom0's vCPU pinned to each pCPU, -1 when none.  A PV dom0's Linux
     * CPU n is its vCPU n, so cgroup cpusets list these, not pCPUs. */
    int16_t vcpu_of[DOM0C_MAX_CPUS];
};

/* The dom0 vCPUs (Linux CPUs in dom0) pinned to the pCPUs of pcpus. */
void d0_layout_vcpus(const struct d0_layout *l, const d0_cpuset *pcpus,
                     d0_cpuset *vcpus);

/* Per-node load that the node choice compares; updated as domUs land. */
struct d0_node_load {
    uint64_t free_mb;       /* free memory left on the node */
    unsigned nr_cpus;       /* secondary (domU-usable) pCPUs */
    unsigned vcpus;         /* domU vCPUs whose affinity touches it */
    uint64_t reserved_mb;   /* eps and reserves held for its domUs */
};

struct d0_host_load {
    unsigned nr_nodes;
    struct d0_node_load node[DOM0C_MAX_NODES];
};

/* 1. dom0 layout: main pCPUs, per-node secondary sets, memory. */
void d0_policy_layout(const struct d0_facts *f, const struct d0_config *c,
                      struct d0_layout *out);

/* Load summary of the facts' existing domUs (dom0 excluded). */
void d0_policy_load(const struct d0_facts *f, const struct d0_layout *l,
                    struct d0_host_load *out);

/* 2 + 3. Node choice and carving for a new domU. */
void d0_policy_prepare(const struct d0_host_load *load,
                       const struct d0_layout *l, const struct d0_config *c,
                       const struct d0_facts *f, const dom0c_request *req,
                       dom0c_decision *out);

/* Accounts a prepared domU in the load and the layout (sequential
 * plans): its memory leaves the nodes, eps joins each node container. */
void d0_policy_account(struct d0_host_load *load, struct d0_layout *l,
                       const dom0c_decision *d, unsigned vcpus);

/* The layout with the ledger's reservations added: each entry's eps on
 * each of its nodes, its I/O reserve on its leaf node.  out may be base. */
struct d0_entry;
void d0_planned(const struct d0_layout *base, const struct d0_entry *e,
                unsigned nr, struct d0_layout *out);

/* 4. Algorithm 2: where dom0 work for a domain runs. */
struct d0_placement {
    dom0c_verdict verdict;
    char why[160];
    int node;               /* node holding most of the domU's memory */
    int pcpu;               /* the pCPU the work runs on */
    int dom0_vcpu;          /* dom0's vCPU pinned to it */
    int domu_vcpu;          /* the domU vCPU it sits next to, or -1 */
};

/* fair[] holds accumulated work per dom0 vCPU (DOM0C_MAX_CPUS entries,
 * or NULL for all zero); ties go to the lowest pCPU. */
void d0_policy_place(const struct d0_facts *f, const struct d0_layout *l,
                     const struct d0_domain *d, const uint64_t *fair,
                     struct d0_placement *out);

/* Node holding most of the domain's memory, -1 if unknown. */
int d0_policy_memory_node(const struct d0_facts *f,
                          const struct d0_domain *d);

/* 5. Algorithm 1: I/O level with hysteresis. */
struct d0_io_step {
    unsigned level;         /* levels now crossed (0 = none) */
    int64_t delta_mb;       /* > 0: move to dom0; < 0: give back */
};

void d0_policy_io(const struct d0_config *c, unsigned level,
                  uint64_t rate_kbps, struct d0_io_step *out);

/* Caps a rising delta: the domU never goes below domu_min_mb, dom0
 * never above dom0_max_mb.  Falling deltas pass unchanged. */
int64_t d0_policy_io_clamp(int64_t delta_mb, uint64_t domu_mb,
                           uint64_t domu_min_mb, uint64_t dom0_mb,
                           uint64_t dom0_max_mb);

#endif
