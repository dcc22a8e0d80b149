/*
 * policy_io.c - pure: Algorithm 1 of the thesis, I/O-driven ballooning.
 *
 * The config lists levels of rising I/O rate, each with a reserve.  A
 * domU whose rate crosses level i upward moves reserve[i] MB from its
 * balloon to dom0; it gets it back only when the rate falls below
 * rate[i] * (1 - hysteresis), so a rate hovering at a threshold never
 * oscillates, and a rate of zero gives everything back.
 *
 * Worked example (levels 1024:32, 8192:64, hysteresis 0.25): at 9000
 * KiB/s from level 0 both levels are crossed, +96 MB.  At 7000 the domU
 * stays at level 2 (7000 >= 8192 * 0.75 = 6144).  At 6000 it drops to
 * level 1, -64 MB.  At 0 it drops to level 0, -32 MB.
 */
#include <string.h>

#include "policy.h"

static int64_t reserve_between(const struct d0_config *c, unsigned lo,
                               unsigned hi)
{
    int64_t mb = 0;

    for (unsigned i = lo; i < hi; i++)
        mb += (int64_t)c->levels[i].reserve_mb;
    return mb;
}

static int below_release(const struct d0_config *c, unsigned level,
                         uint64_t rate_kbps)
{
    double release = (double)c->levels[level - 1].rate_kbps *
                     (1.0 - c->hysteresis);

    return (double)rate_kbps < release;
}

void d0_policy_io(const struct d0_config *c, unsigned level,
                  uint64_t rate_kbps, struct d0_io_step *out)
{
    unsigned from = level < c->nr_levels ? level : c->nr_levels;
    unsigned to = from;

    while (to < c->nr_levels && rate_kbps >= c->levels[to].rate_kbps)
        to++;
    if (to == from)
        while (to > 0 && below_release(c, to, rate_kbps))
            to--;
    memset(out, 0, sizeof(*out));
    out->level = to;
    if (to >= from)
        out->delta_mb = reserve_between(c, from, to);
    else
        out->delta_mb = -reserve_between(c, to, from);
}

int64_t d0_policy_io_clamp(int64_t delta_mb, uint64_t domu_mb,
                           uint64_t domu_min_mb, uint64_t dom0_mb,
                           uint64_t dom0_max_mb)
{
    uint64_t spare_domu = domu_mb > domu_min_mb ? domu_mb - domu_min_mb : 0;
    uint64_t room_dom0 = dom0_max_mb > dom0_mb ? dom0_max_mb - dom0_mb : 0;
    uint64_t limit = spare_domu < room_dom0 ? spare_domu : room_dom0;

    if (delta_mb > 0 && (uint64_t)delta_mb > limit)
        return (int64_t)limit;
    return delta_mb;
}
