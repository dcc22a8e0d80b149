/*
 * test_io.c - Algorithm 1 over time on the fake backend: recorded counter
 * series (steady, ramp, burst, hovering at a threshold, drop to zero)
 * drive d0_io_tick(); the reserve held in the ledger, the domU's balloon
 * target and dom0's target follow them; a restarted daemon resumes.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "ctx.h"
#include "fake_ops.h"
#include "io.h"

#define UUID "6b1f3c0e-0d4e-4a6e-9a8e-2f0c9b1d7e55"

static const char host[] = "{\"version\":1,\"pcpus\":["
    "{\"id\":0,\"core\":0,\"socket\":0,\"node\":0},"
    "{\"id\":1,\"core\":1,\"socket\":0,\"node\":0},"
    "{\"id\":2,\"core\":0,\"socket\":1,\"node\":1},"
    "{\"id\":3,\"core\":1,\"socket\":1,\"node\":1}],"
    "\"nodes\":[{\"id\":0,\"size_mb\":2048,\"free_mb\":900},"
    "{\"id\":1,\"size_mb\":3072,\"free_mb\":1900}],"
    "\"domains\":[{\"domid\":0,\"memory_mb\":1024,\"max_mb\":2048,"
    "\"vcpus\":[{\"id\":0,\"pcpu\":0,\"hard\":\"0\"},"
    "{\"id\":1,\"pcpu\":1,\"hard\":\"1\"},{\"id\":2,\"pcpu\":2,\"hard\":\"2\"},"
    "{\"id\":3,\"pcpu\":3,\"hard\":\"3\"}]},"
    "{\"domid\":5,\"uuid\":\"" UUID "\",\"memory_mb\":448,"
    "\"node_affinity\":\"1\",\"vcpus\":[{\"id\":0,\"pcpu\":3,\"hard\":\"1-3\"},"
    "{\"id\":1,\"pcpu\":2,\"hard\":\"1-3\"}]}]}";

static const char conf[] = "main_profile = \"explicit\"\n"
    "main_vcpus = 1\nmain_memory = 512\nepsilon = 64\n"
    "io_levels = [ \"1024:32\", \"8192:64\", \"65536:128\" ]\n"
    "io_hysteresis = \"0.25\"\n";

struct world {
    struct fake f;
    dom0c_ctx *ctx;
    struct d0_io_state io;
    uint64_t base_kb;
};

static int setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));
    dom0c_request r = { .uuid = UUID, .memory_mb = 512, .vcpus = 2,
                        .epsilon_mb = -1 };
    struct d0_config cfg;
    dom0c_decision d;
    char err[256];

    fake_init(&w->f, host);
    assert_int_equal(d0_config_parse(conf, strlen(conf), "t", &cfg, err,
                                     sizeof(err)), 0);
    assert_int_equal(d0_ctx_open_backend(&cfg, fake_backend(&w->f), NULL,
                                         &w->ctx), 0);
    assert_int_equal(dom0c_init(w->ctx, 0, NULL), 0);
    assert_int_equal(dom0c_prepare(w->ctx, &r, &d), 0);
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
    w->base_kb = w->f.target_kb;                /* with this domU's eps */
    *state = w;
    return 0;
}

static int teardown(void **state)
{
    struct world *w = *state;

    dom0c_close(w->ctx);
    fake_free(&w->f);
    free(w);
    return 0;
}

struct series {
    const char *name;
    uint64_t kbps[8];               /* I/O during each 1 s period */
    uint64_t reserve[8];            /* MB held after it */
};

static const struct series cases[] = {
    { "steady", {100, 100, 100, 100, 100, 100, 100, 100}, {0} },
    { "ramp", {0, 1000, 2000, 9000, 20000, 70000, 70000, 70000},
      {0, 0, 32, 96, 96, 224, 224, 224} },
    { "burst", {0, 100000, 0, 0, 0, 0, 0, 0}, {0, 224, 0, 0, 0, 0, 0, 0} },
    { "hovering at 8192", {9000, 8000, 7000, 6500, 8300, 6200, 7000, 6000},
      {96, 96, 96, 96, 96, 96, 96, 32} },
    { "drop to zero", {70000, 70000, 70000, 0, 0, 0, 0, 0},
      {224, 224, 224, 0, 0, 0, 0, 0} },
};

static uint64_t reserve_of(struct world *w)
{
    const char *v = fake_xs(&w->f, "/tool/dom0c/domains/5/io_reserve_mb");

    return v ? strtoull(v, NULL, 10) : UINT64_MAX;
}

static void run(struct world *w, const struct series *c, double *t)
{
    print_message("io series: %s\n", c->name);
    for (int s = 0; s < 8; s++) {
        *t += 1.0;
        w->f.io[5] += c->kbps[s] * 1024;
        assert_int_equal(d0_io_tick(w->ctx, &w->io, *t, NULL), 0);
        uint64_t held = reserve_of(w);
        assert_int_equal(held, c->reserve[s]);
        assert_int_equal(w->f.target_kb, w->base_kb + held * 1024);
        if (held)
            assert_int_equal(w->f.domu_target_kb[5], (448 - held) * 1024);
    }
}

static void test_series(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        struct world *w;
        double t = 0;
        setup((void **)&w);
        assert_int_equal(d0_io_tick(w->ctx, &w->io, t, NULL), 0); /* base */
        run(w, &cases[i], &t);
        teardown((void **)&w);
    }
}

/* A restarted daemon (no samples) resumes from the ledger's level. */
static void test_restart_resumes(void **state)
{
    struct world *w = *state;
    double t = 0;

    d0_io_tick(w->ctx, &w->io, t, NULL);
    run(w, &cases[1], &t);                      /* ends at 224 MB */
    memset(&w->io, 0, sizeof(w->io));           /* kill -9, restart */
    assert_int_equal(d0_io_tick(w->ctx, &w->io, t += 1, NULL), 0);
    assert_int_equal(reserve_of(w), 224);       /* first sample: no move */
    w->f.io[5] += 70000 * 1024;
    assert_int_equal(d0_io_tick(w->ctx, &w->io, t += 1, NULL), 0);
    assert_int_equal(reserve_of(w), 224);
    assert_int_equal(d0_io_tick(w->ctx, &w->io, t += 1, NULL), 0);
    assert_int_equal(reserve_of(w), 0);         /* idle: all given back */
    assert_int_equal(w->f.target_kb, w->base_kb);
}

/* The domU never goes below domu_min_memory (128): 448 - 320 = 128. */
static void test_domu_minimum(void **state)
{
    struct world *w = *state;
    double t = 0;

    w->ctx->cfg.domu_min_mb = 400;
    d0_io_tick(w->ctx, &w->io, t, NULL);
    w->f.io[5] += 100000 * 1024;
    assert_int_equal(d0_io_tick(w->ctx, &w->io, t + 1, NULL), 0);
    assert_int_equal(reserve_of(w), 48);        /* capped: 448 - 400 */
    assert_int_equal(w->f.domu_target_kb[5], 400 * 1024);
}

/* Unreadable counters: nothing moves, nothing crashes. */
static void test_bad_counters(void **state)
{
    struct world *w = *state;

    fake_fail(&w->f, D0_OP_IO_BYTES, 1, -EINVAL);
    assert_int_equal(d0_io_tick(w->ctx, &w->io, 0, NULL), 0);
    assert_int_equal(d0_io_tick(w->ctx, &w->io, 1, NULL), 0);
    assert_int_equal(reserve_of(w), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_series),
        cmocka_unit_test_setup_teardown(test_restart_resumes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_domu_minimum, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_counters, setup, teardown),
    };

    return cmocka_run_group_tests_name("io", tests, NULL, NULL);
}
