/*
 * io.h - Algorithm 1 over time (io.c) and the placement of a domU's
 * backends (backends.c): what dom0cd does every period.
 */
#ifndef D0_IO_H
#define D0_IO_H

#include <stdbool.h>
#include <stdint.h>

#include "dom0c.h"

#define D0_IO_MAX_DOMAINS 256

struct d0_io_sample {
    uint32_t domid;
    char uuid[37];
    uint64_t bytes;                 /* counters at t */
    double t;
    double rate_kbps;               /* last measured */
    bool valid, warned;
};

/* The daemon's memory of the counters between periods. */
struct d0_io_state {
    unsigned nr;
    struct d0_io_sample s[D0_IO_MAX_DOMAINS];
};

/* One period of Algorithm 1 for every reserved domU; now in seconds
 * (monotonic).  *moves (may be NULL) counts the level changes applied. */
int d0_io_tick(dom0c_ctx *ctx, struct d0_io_state *st, double now,
               unsigned *moves);

#define D0_MAX_IRQS 512

/* What the backend placement remembers between periods. */
struct d0_backend_state {
    unsigned nr_irqs;
    struct {
        unsigned irq;
        char name[48];              /* what it was when assigned */
        int domid;                  /* -1: not known to be anybody's */
        int vcpu;                   /* the affinity last written */
        bool listed;                /* seen in this period */
        unsigned age;               /* periods since first seen */
    } irq[D0_MAX_IRQS];
    unsigned nr_seen;
    int seen[1024];                 /* blkback threads seen (pids) */
    bool irqbalance_warned, first;
    int recent_blk;                 /* domU whose blkback came up lately */
    unsigned recent_age;            /* periods since then */
};

/* Moves every reserved domU's backend threads and qemu into its leaf,
 * pinned next to it, and its event-channel IRQs to the same dom0 vCPU.
 * *moves counts processes moved and IRQs re-pointed. */
int d0_place_backends(dom0c_ctx *ctx, struct d0_backend_state *st,
                      unsigned *moves);

#endif
