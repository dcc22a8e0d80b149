/*
 * test_backends.c - dom0cd's placement of a domU's backends on the fake
 * host (world.h: domU 5 reserved on node 1, its vCPU 0 on pCPU 3):
 * blkback and netback threads into its leaf on dom0 vCPU 3, their event
 * channels onto the same vCPU once listed for a period, never while the
 * domU is paused or suspending, never a per-CPU IRQ.
 */
#include <stdlib.h>
#include <string.h>

#include "io.h"
#include "testlib.h"
#include "world.h"

/* One dom0cd period: fresh facts, then the placement. */
static int period(struct world *w, struct d0_backend_state *st,
                  unsigned *moved)
{
    int rc = d0_ctx_refresh(w->ctx);

    return rc ? rc : d0_place_backends(w->ctx, st, moved);
}

static void add_irq(struct fake *f, unsigned irq, const char *chip,
                    const char *name)
{
    struct d0_irq *q = &f->irqs[f->nr_irqs++];

    memset(q, 0, sizeof(*q));
    q->irq = irq;
    snprintf(q->chip, sizeof(q->chip), "%s", chip);
    snprintf(q->name, sizeof(q->name), "%s", name);
}

static bool on_cpu(const d0_cpuset *s, unsigned cpu)
{
    d0_cpuset one;

    d0_cpuset_zero(&one);
    d0_cpuset_set(&one, cpu);
    return d0_cpuset_equal(s, &one);
}

static int irq_index(const struct fake *f, unsigned irq)
{
    for (unsigned i = 0; i < f->nr_irqs; i++)
        if (f->irqs[i].irq == irq)
            return (int)i;
    return -1;
}

/* domU 5 committed, its blkback thread and three IRQs listed. */
static void setup_domu(struct world *w)
{
    world_committed(w);
    fake_proc(&w->f, 300, "5.xvda-0", true, "");
    fake_proc(&w->f, 301, "vif5.0-q0-guest-rx", true, "");
    add_irq(&w->f, 40, "xen-percpu", "timer0");
    add_irq(&w->f, 57, "xen-dyn-lateeoi", "vif5.0-q0-tx");
    add_irq(&w->f, 58, "xen-dyn-lateeoi", "blkif-backend");
}

static void test_threads_then_irqs(void **state)
{
    struct world *w = *state;
    struct d0_backend_state st = { .first = true };
    unsigned moved = 0;

    setup_domu(w);
    assert_int_equal(period(w, &st, &moved), 0);
    /* Threads at once, into the leaf, on dom0 vCPU 3. */
    for (unsigned i = 0; i < w->f.nr_procs; i++)
        if (w->f.procs[i].pid == 300 || w->f.procs[i].pid == 301) {
            assert_string_equal(w->f.procs[i].cgroup, "dom0c/node1/dom5");
            assert_true(on_cpu(&w->f.affinity[i], 3));
        }
    /* IRQs wait a period: listed once, not moved yet. */
    for (unsigned i = 0; i < w->f.nr_irqs; i++)
        assert_true(d0_cpuset_empty(&w->f.irq_aff[i]));

    assert_int_equal(period(w, &st, &moved), 0);
    assert_true(on_cpu(&w->f.irq_aff[irq_index(&w->f, 57)], 3));
    /* blkif-backend: owned by the domU whose blkback came up with it. */
    assert_true(on_cpu(&w->f.irq_aff[irq_index(&w->f, 58)], 3));
    /* Per-CPU IRQs never move. */
    assert_true(d0_cpuset_empty(&w->f.irq_aff[irq_index(&w->f, 40)]));
}

static void test_quiescing_domu_irqs_stay(void **state)
{
    struct world *w = *state;
    struct d0_backend_state st = { .first = true };

    setup_domu(w);
    w->f.quiescing = UINT64_C(1) << 5;      /* a save or migration */
    for (int p = 0; p < 3; p++)
        assert_int_equal(period(w, &st, NULL), 0);
    assert_true(d0_cpuset_empty(&w->f.irq_aff[irq_index(&w->f, 57)]));
    w->f.quiescing = 0;                     /* resumed */
    assert_int_equal(period(w, &st, NULL), 0);
    assert_true(on_cpu(&w->f.irq_aff[irq_index(&w->f, 57)], 3));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_threads_then_irqs, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_quiescing_domu_irqs_stay,
                                        world_setup, world_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
