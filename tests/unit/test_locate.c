/*
 * test_locate.c - dom0c_locate() on the fake backend: Algorithm 2's
 * answer and the domU's leaf, with nobody moved; the failures it
 * reports as they are, where dom0c_place() applies on_error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "world.h"

/* The calls that would move a process. */
static unsigned moves(const struct fake *f)
{
    return f->calls[D0_OP_CG_WRITE] + f->calls[D0_OP_AFFINITY];
}

static void test_locate_committed(void **state)
{
    struct world *w = *state;
    dom0c_spot s;
    char before[sizeof(w->f.procs[0].cgroup)];
    unsigned moved;

    world_committed(w);
    memcpy(before, w->f.procs[0].cgroup, sizeof(before));
    moved = moves(&w->f);
    assert_int_equal(dom0c_locate(w->ctx, 5, DOM0C_OP_DESTROY, &s), 0);
    /* vCPU 0 of domU 5 runs on pCPU 3 of node 1: dom0 vCPU 3. */
    assert_string_equal(s.cgroup_dir, FAKE_CG_ROOT "/dom0c/node1/dom5");
    assert_int_equal(s.node, 1);
    assert_int_equal(s.dom0_vcpu, 3);
    assert_int_equal(s.pcpu, 3);
    assert_true(fake_cgdir(&w->f, "dom0c/node1/dom5"));
    /* Nobody moved: the caller stays where it was. */
    assert_int_equal(moves(&w->f), moved);
    assert_string_equal(w->f.procs[0].cgroup, before);
}

/* Placement reads the live facts, not the ledger: a domU that dom0c
 * never reserved is located too, and its leaf made. */
static void test_locate_unreserved(void **state)
{
    struct world *w = *state;
    dom0c_spot s;

    world_init(w);
    w->f.facts_json = world_host_domu;
    assert_false(fake_cgdir(&w->f, "dom0c/node1/dom5"));
    assert_int_equal(dom0c_locate(w->ctx, 5, DOM0C_OP_SAVE, &s), 0);
    assert_string_equal(s.cgroup_dir, FAKE_CG_ROOT "/dom0c/node1/dom5");
    assert_true(fake_cgdir(&w->f, "dom0c/node1/dom5"));
    /* A second call finds the leaf there: same answer. */
    assert_int_equal(dom0c_locate(w->ctx, 5, DOM0C_OP_SAVE, &s), 0);
    assert_int_equal(s.dom0_vcpu, 3);
}

/* Out-parameters are written only on success. */
static void assert_untouched(const dom0c_spot *s)
{
    assert_string_equal(s->cgroup_dir, "unchanged");
    assert_int_equal(s->node, 42);
}

static void test_locate_no_domain(void **state)
{
    struct world *w = *state;
    dom0c_spot s = { .cgroup_dir = "unchanged", .node = 42 };

    world_committed(w);
    assert_int_equal(dom0c_locate(w->ctx, 9, DOM0C_OP_DESTROY, &s), -ESRCH);
    assert_untouched(&s);
    assert_int_equal(dom0c_locate(w->ctx, 0, DOM0C_OP_DESTROY, &s), -ESRCH);
    assert_untouched(&s);
    assert_false(fake_cgdir(&w->f, "dom0c/node1/dom9"));
}

/* Each step failed in turn: locate says so in both on_error modes and
 * writes nothing out; dom0c_place, the same path, degrades. */
static void test_locate_faults(void **state)
{
    static const enum d0_op_kind kinds[] = {
        D0_OP_FACTS, D0_OP_CPU_WORK, D0_OP_CG_MKDIR, D0_OP_CG_PATH,
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        struct world w = { 0 };
        dom0c_spot s = { .cgroup_dir = "unchanged", .node = 42 };

        fake_init(&w.f, world_host);
        w.ctx = world_open(&w.f, D0_ON_ERROR_DEGRADE);
        world_committed(&w);
        fake_fail(&w.f, kinds[i], 1, -EIO);
        assert_int_equal(dom0c_locate(w.ctx, 5, DOM0C_OP_SAVE, &s), -EIO);
        assert_untouched(&s);
        fake_fail(&w.f, kinds[i] == D0_OP_CG_PATH ? D0_OP_CG_MKDIR
                                                  : kinds[i], 1, -EIO);
        assert_int_equal(dom0c_place(w.ctx, 5, DOM0C_OP_SAVE), 0);
        assert_int_equal(dom0c_on_error(w.ctx, "save", 5, -EIO), 0);
        dom0c_close(w.ctx);
        fake_free(&w.f);
    }
}

static void test_locate_offline(void **state)
{
    dom0c_open_args a = { .topology_path = "tests/fixtures/lab-2x2.json",
                          .config_path = "tests/golden/lab.conf" };
    dom0c_spot s = { .cgroup_dir = "unchanged", .node = 42 };
    const char *top = getenv("DOM0C_TOP");
    dom0c_ctx *ctx;

    (void)state;
    if (top)
        assert_int_equal(chdir(top), 0);
    assert_int_equal(dom0c_open(&a, NULL, &ctx), 0);
    assert_int_equal(dom0c_locate(ctx, 5, DOM0C_OP_SAVE, &s), -EOPNOTSUPP);
    assert_untouched(&s);
    dom0c_close(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_locate_committed, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_locate_unreserved, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_locate_no_domain, world_setup,
                                        world_teardown),
        cmocka_unit_test(test_locate_faults),
        cmocka_unit_test(test_locate_offline),
    };

    return cmocka_run_group_tests_name("locate", tests, NULL, NULL);
}
