/*
 * test_resize.c - dom0c_resize(), dom0c_reservation() and
 * dom0c_on_error() on the fake backend.  The world's domU 5 asked for
 * 512 MB and got 448 (one node, eps 64); domu_min_memory is 128.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "world.h"

#define ENTRY "/tool/dom0c/domains/5/"

/* dom0cd moved a 256 MB I/O reserve to dom0 (level 1), as io.c does. */
static void hold_reserve(struct world *w)
{
    fake_xs_set(&w->f, ENTRY "io_level", "1");
    fake_xs_set(&w->f, ENTRY "io_reserve_mb", "256");
    assert_int_equal(dom0c_reconcile(w->ctx, NULL), 0);
    w->f.domu_target_kb[5] = 192 * 1024;
}

static void assert_entry(struct world *w, const char *req,
                         const char *given, const char *reserve)
{
    assert_string_equal(fake_xs(&w->f, ENTRY "requested_mb"), req);
    assert_string_equal(fake_xs(&w->f, ENTRY "given_mb"), given);
    assert_string_equal(fake_xs(&w->f, ENTRY "io_reserve_mb"), reserve);
}

static void test_resize_carves(void **state)
{
    struct world *w = *state;
    uint64_t dom0 = 0;

    world_committed(w);
    dom0 = w->f.target_kb;
    /* setmem 1024: dom0 keeps its 64 MB, the domU gets 960. */
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID, 1024), 0);
    assert_entry(w, "1024", "960", "0");
    assert_int_equal(w->f.domu_target_kb[5], 960 * 1024);
    assert_int_equal(w->f.target_kb, dom0);
    /* Down again: the same rule. */
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID, 256), 0);
    assert_entry(w, "256", "192", "0");
    assert_int_equal(w->f.domu_target_kb[5], 192 * 1024);
}

/* The I/O reserve stays with dom0 while the domU keeps its minimum;
 * beyond that it shrinks, dom0 first. */
static void test_resize_keeps_reserve(void **state)
{
    struct world *w = *state;
    uint64_t dom0;

    world_committed(w);
    hold_reserve(w);
    dom0 = w->f.target_kb;
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID, 1024), 0);
    assert_entry(w, "1024", "960", "256");
    assert_int_equal(w->f.domu_target_kb[5], (960 - 256) * 1024);
    assert_int_equal(w->f.target_kb, dom0);
    /* 400: given 336, the reserve shrinks to 208, the domU gets 128. */
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID, 400), 0);
    assert_entry(w, "400", "336", "208");
    assert_int_equal(w->f.domu_target_kb[5], 128 * 1024);
    assert_int_equal(w->f.target_kb, dom0 - 48 * 1024);
    assert_string_equal(fake_xs(&w->f, ENTRY "io_level"), "1");
}

static void test_resize_refused(void **state)
{
    struct world *w = *state;
    char *before, *after;

    world_committed(w);
    w->f.domu_target_kb[5] = 448 * 1024;
    before = fake_snapshot(&w->f);
    /* 150 - 64 is below domu_min_memory (128). */
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID, 150), -EDOM);
    /* Nothing held for these: the caller sets the target itself. */
    assert_int_equal(dom0c_resize(w->ctx, 6, UUID, 1024), -ENOENT);
    assert_int_equal(dom0c_resize(w->ctx, 5, UUID2, 1024), -ENOENT);
    assert_int_equal(dom0c_resize(w->ctx, 5, "../../x", 1024), -EINVAL);
    assert_int_equal(dom0c_resize(w->ctx, 0, UUID, 1024), -EINVAL);
    after = fake_snapshot(&w->f);
    assert_string_equal(before, after);
    assert_int_equal(w->f.domu_target_kb[5], 448 * 1024);
    free(before);
    free(after);
}

static const enum d0_op_kind resize_kinds[] = {
    D0_OP_XS_BEGIN, D0_OP_XS_END, D0_OP_XS_READ, D0_OP_XS_WRITE,
    D0_OP_XS_LIST, D0_OP_TARGET_GET, D0_OP_TARGET_SET, D0_OP_CG_READ,
    D0_OP_CG_WRITE, D0_OP_DOMU_TARGET,
};

/* Fails the nth call of kind k in a resize that shrinks the reserve:
 * done in full (rc 0), or the ledger and both targets as before.
 * False once the resize makes fewer than n such calls. */
static bool resize_with_fault(enum d0_op_kind k, unsigned n)
{
    struct world w = { 0 };
    char *before, *after;
    uint64_t domu;
    bool hit;
    int rc;

    fake_init(&w.f, world_host);
    w.ctx = world_open(&w.f, D0_ON_ERROR_STRICT);
    world_committed(&w);
    hold_reserve(&w);
    before = fake_snapshot(&w.f);
    domu = w.f.domu_target_kb[5];
    fake_fail(&w.f, k, n, -EIO);
    rc = dom0c_resize(w.ctx, 5, UUID, 400);
    hit = w.f.calls[k] >= n;
    fake_clear_faults(&w.f);
    after = fake_snapshot(&w.f);
    if (rc) {
        assert_int_equal(rc, -EIO);
        assert_string_equal(before, after);
        assert_int_equal(w.f.domu_target_kb[5], domu);
    } else {
        assert_entry(&w, "400", "336", "208");
        assert_int_equal(w.f.domu_target_kb[5], 128 * 1024);
    }
    free(before);
    free(after);
    dom0c_close(w.ctx);
    fake_free(&w.f);
    return hit;
}

static void test_resize_faults(void **state)
{
    unsigned tried = 0;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(resize_kinds); i++)
        for (unsigned n = 1; resize_with_fault(resize_kinds[i], n); n++)
            tried++;
    print_message("%u faulty resizes, each all-or-nothing\n", tried);
    assert_true(tried > 10);
}

static void test_reservation(void **state)
{
    struct world *w = *state;
    dom0c_decision d = { .given_mb = 42 };

    world_init(w);
    assert_int_equal(dom0c_reservation(w->ctx, 5, UUID, &d), -ENOENT);
    assert_int_equal(d.given_mb, 42);
    world_committed(w);
    assert_int_equal(dom0c_reservation(w->ctx, 5, UUID, &d), 0);
    assert_int_equal(d.requested_mb, 512);
    assert_int_equal(d.given_mb, 448);
    assert_int_equal(d.epsilon_mb, 64);
    assert_int_equal(d.nodemap, 0x2);
    assert_int_equal(d.nr_nodes, 1);
    assert_int_equal(d.verdict, DOM0C_OK);
    d.given_mb = 42;
    assert_int_equal(dom0c_reservation(w->ctx, 5, UUID2, &d), -ENOENT);
    assert_int_equal(dom0c_reservation(w->ctx, 5, "nope", &d), -EINVAL);
    assert_int_equal(d.given_mb, 42);
}

static void test_on_error(void **state)
{
    struct world *w = *state;
    struct fake f;
    dom0c_ctx *degrade;

    assert_int_equal(dom0c_on_error(w->ctx, "create", 5, -EIO), -EIO);
    assert_int_equal(dom0c_on_error(w->ctx, NULL, 5, 0), 0);
    fake_init(&f, world_host);
    degrade = world_open(&f, D0_ON_ERROR_DEGRADE);
    assert_int_equal(dom0c_on_error(degrade, "create", 5, -EIO), 0);
    assert_int_equal(dom0c_on_error(degrade, NULL, 5, -ENOMEM), 0);
    assert_int_equal(dom0c_on_error(degrade, "create", 5, -EINVAL),
                     -EINVAL);
    dom0c_close(degrade);
    fake_free(&f);
}

/* Under degrade a prepare that fails says so in the verdict: the caller
 * creates the domU as asked and commits nothing. */
static void test_prepare_degraded(void **state)
{
    struct fake f;
    dom0c_ctx *ctx;
    unsigned changes = 0;
    dom0c_request r = { .uuid = UUID, .memory_mb = 512, .vcpus = 2,
                        .epsilon_mb = -1 };
    dom0c_decision d;

    (void)state;
    fake_init(&f, world_host);
    ctx = world_open(&f, D0_ON_ERROR_DEGRADE);
    assert_int_equal(dom0c_init(ctx, 0, &changes), 0);
    fake_fail(&f, D0_OP_FACTS, 1, -EIO);      /* the next facts read */
    assert_int_equal(dom0c_prepare(ctx, &r, &d), 0);
    assert_int_equal(d.verdict, DOM0C_UNAVAILABLE);
    assert_int_equal(d.given_mb, 512);
    assert_string_equal(dom0c_verdict_name(d.verdict), "unavailable");
    assert_non_null(strstr(d.why, "degrade"));
    dom0c_close(ctx);
    fake_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_resize_carves, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_resize_keeps_reserve,
                                        world_setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_resize_refused, world_setup,
                                        world_teardown),
        cmocka_unit_test(test_resize_faults),
        cmocka_unit_test(test_prepare_degraded),
        cmocka_unit_test_setup_teardown(test_reservation, world_setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_on_error, world_setup,
                                        world_teardown),
    };

    return cmocka_run_group_tests_name("resize", tests, NULL, NULL);
}
