/*
 * test_policy.c - tables for the pure policy: layout, node choice and
 * carving, Algorithm 2 and Algorithm 1.
 */
#include <string.h>

#include "testlib.h"
#include "policy.h"

/* The 2 x 2 lab: pCPUs 0-1 on node 0 (900 MB free), 2-3 on node 1 (1900). */
static void lab(struct d0_facts *f)
{
    static const unsigned cpus[] = { 2, 2 };
    static const uint64_t free_mb[] = { 900, 1900 };

    tl_host(f, 2, cpus, free_mb);
}

static struct d0_config cfg_main(unsigned main_vcpus)
{
    struct d0_config c;

    d0_config_defaults(&c);
    c.profile = D0_PROFILE_EXPLICIT;
    c.main_vcpus = main_vcpus;
    c.main_mb = 512;
    c.epsilon_mb = 64;
    c.secondary_base_mb = 75;
    c.domu_min_mb = 128;
    return c;
}

/* ---- 1. layout ---------------------------------------------------- */

static const struct layout_case {
    const char *name;
    unsigned main_vcpus;
    const char *main_cpus;          /* explicit list or NULL */
    dom0c_verdict verdict;
    const char *main, *node0, *node1;
    uint64_t target_mb;
} layout_cases[] = {
    { "two main take node 0", 2, NULL, DOM0C_OK, "0-1", "", "2-3",
      512 + 75 },
    { "one main", 1, NULL, DOM0C_OK, "0", "1", "2-3", 512 + 150 },
    { "three main spill to node 1", 3, NULL, DOM0C_OK, "0-2", "", "3",
      512 + 75 },
    { "all pCPUs main", 4, NULL, DOM0C_NO_DOMU_CPUS, "0-3", "", "", 512 },
    { "explicit main", 1, "3", DOM0C_OK, "3", "0-1", "2", 512 + 150 },
    { "explicit absent pCPU", 1, "7", DOM0C_BAD_REQUEST, "", "", "", 0 },
};

static void test_layout(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(layout_cases); i++) {
        const struct layout_case *t = &layout_cases[i];
        struct d0_facts f;
        struct d0_config c = cfg_main(t->main_vcpus);
        struct d0_layout l;

        lab(&f);
        if (t->main_cpus) {
            c.has_main_cpus = true;
            c.main_cpus = tl_cpus(t->main_cpus);
        }
        d0_policy_layout(&f, &c, &l);
        print_message("layout: %s\n", t->name);
        assert_int_equal(l.verdict, t->verdict);
        if (t->verdict != DOM0C_BAD_REQUEST) {
            assert_string_equal(tl_fmt(&l.main), t->main);
            assert_string_equal(tl_fmt(&l.secondary[0]), t->node0);
            assert_string_equal(tl_fmt(&l.secondary[1]), t->node1);
            assert_int_equal(l.dom0_target_mb, t->target_mb);
        } else {
            assert_non_null(strstr(l.why, "pCPU 7"));
        }
        d0_facts_clear(&f);
    }
}

static void test_layout_offline_and_oracle(void **state)
{
    struct d0_facts f;
    struct d0_config c;
    struct d0_layout l;

    lab(&f);
    f.pcpus[0].online = false;
    d0_config_defaults(&c);
    c.profile = D0_PROFILE_ORACLE;
    c.main_vcpus = 1;
    c.main_mb = 0;
    d0_policy_layout(&f, &c, &l);
    assert_string_equal(tl_fmt(&l.main), "1");         /* first online */
    assert_string_equal(tl_fmt(&l.secondary[0]), "");
    /* host = (900 + 1024) + (1900 + 1024) = 4848 MB */
    assert_int_equal(l.main_mb, 502 + (uint64_t)(4848 * 0.0205));
    d0_facts_clear(&f);
}

/* ---- 2 + 3. node choice and carving ------------------------------- */

static const struct prepare_case {
    const char *name;
    uint64_t memory_mb;
    unsigned vcpus;
    int64_t eps;                    /* -1: config's 64 */
    uint64_t nodemap;               /* explicit, or 0 */
    const char *cpus;               /* explicit, or NULL */
    unsigned nr_vnuma;
    uint32_t pnodes[2];
    dom0c_verdict verdict;
    uint64_t want_nodes, given_mb;
} prepare_cases[] = {
    { "2 vCPUs fit only node 1", 512, 2, -1, 0, NULL, 0, {0},
      DOM0C_OK, 0x2, 448 },
    { "1 vCPU: tie on vCPUs, more free wins", 512, 1, -1, 0, NULL, 0, {0},
      DOM0C_OK, 0x2, 448 },
    { "3 vCPUs span both nodes", 512, 3, -1, 0, NULL, 0, {0},
      DOM0C_OK, 0x3, 384 },
    { "memory only node 1 has", 1500, 1, -1, 0, NULL, 0, {0},
      DOM0C_OK, 0x2, 1436 },
    { "memory of both nodes", 2500, 1, -1, 0, NULL, 0, {0},
      DOM0C_OK, 0x3, 2372 },
    { "eps = 0 gives M", 512, 2, 0, 0, NULL, 0, {0}, DOM0C_OK, 0x2, 512 },
    { "eps >= M/n", 100, 1, 64, 0, NULL, 0, {0}, DOM0C_BELOW_MINIMUM, 0, 0 },
    { "eps override", 1024, 2, 200, 0, NULL, 0, {0}, DOM0C_OK, 0x2, 824 },
    { "no node fits", 9000, 1, -1, 0, NULL, 0, {0},
      DOM0C_NO_NODE_FITS, 0, 0 },
    { "too many vCPUs", 512, 4, -1, 0, NULL, 0, {0},
      DOM0C_NO_NODE_FITS, 0, 0 },
    { "explicit nodemap", 512, 2, -1, 0x1, NULL, 0, {0},
      DOM0C_OK, 0x1, 448 },
    { "explicit absent node", 512, 2, -1, 0x4, NULL, 0, {0},
      DOM0C_BAD_REQUEST, 0, 0 },
    { "explicit cpus", 512, 1, -1, 0, "1-2", 0, {0}, DOM0C_OK, 0x3, 384 },
    { "explicit absent cpu", 512, 1, -1, 0, "9", 0, {0},
      DOM0C_BAD_REQUEST, 0, 0 },
    { "vNUMA pnodes", 1024, 2, -1, 0x1, NULL, 2, {1, 0},
      DOM0C_OK, 0x3, 896 },
    { "explicit carve below minimum", 200, 1, 64, 0x3, NULL, 0, {0},
      DOM0C_BELOW_MINIMUM, 0, 0 },
    { "zero vCPUs", 512, 0, -1, 0, NULL, 0, {0}, DOM0C_BAD_REQUEST, 0, 0 },
};

static void run_prepare(const struct prepare_case *t, struct d0_facts *f,
                        dom0c_decision *d)
{
    struct d0_config c = cfg_main(1);
    struct d0_layout l;
    struct d0_host_load load;
    dom0c_request r = { .memory_mb = t->memory_mb, .vcpus = t->vcpus,
                        .epsilon_mb = t->eps, .nodemap = t->nodemap,
                        .nr_vnuma = t->nr_vnuma };

    memcpy(r.vnuma_pnodes, t->pnodes, sizeof(t->pnodes));
    if (t->cpus) {
        d0_cpuset s = tl_cpus(t->cpus);
        memcpy(r.cpus, s.w, sizeof(r.cpus));
    }
    d0_policy_layout(f, &c, &l);
    d0_policy_load(f, &l, &load);
    d0_policy_prepare(&load, &l, &c, f, &r, d);
}

static void test_prepare(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(prepare_cases); i++) {
        const struct prepare_case *t = &prepare_cases[i];
        struct d0_facts f;
        dom0c_decision d;

        lab(&f);
        run_prepare(t, &f, &d);
        print_message("prepare: %s -> %s %s\n", t->name,
                      dom0c_verdict_name(d.verdict), d.why);
        assert_int_equal(d.verdict, t->verdict);
        assert_int_equal(d.nodemap, t->want_nodes);
        assert_int_equal(d.given_mb, t->given_mb);
        if (d.verdict != DOM0C_OK)
            assert_true(strlen(d.why) > 10);
        d0_facts_clear(&f);
    }
}

static void test_prepare_affinities(void **state)
{
    const struct prepare_case t = { "", 512, 3, -1, 0, NULL, 0, {0},
                                    DOM0C_OK, 0x3, 384 };
    struct d0_facts f;
    dom0c_decision d;
    d0_cpuset s;

    lab(&f);
    run_prepare(&t, &f, &d);
    memcpy(s.w, d.soft_cpus, sizeof(s.w));
    assert_string_equal(tl_fmt(&s), "1-3");     /* main pCPU 0 excluded */
    memcpy(s.w, d.hard_cpus, sizeof(s.w));
    assert_string_equal(tl_fmt(&s), "1-3");
    d0_facts_clear(&f);
}

/* Busy node 1 (a 2-vCPU domU on it): a 1-vCPU domU goes to node 0. */
static void test_prepare_ties_by_vcpus(void **state)
{
    const struct prepare_case t = { "", 512, 1, -1, 0, NULL, 0, {0},
                                    DOM0C_OK, 0x1, 448 };
    static const int at[] = { 2, 3 };
    struct d0_facts f;
    dom0c_decision d;

    lab(&f);
    tl_domain(&f, 7, 512, 2, at, "2-3", 0x2);
    run_prepare(&t, &f, &d);
    assert_int_equal(d.verdict, DOM0C_OK);
    assert_int_equal(d.nodemap, 0x1);
    d0_facts_clear(&f);
}

static void test_prepare_too_many_nodes(void **state)
{
    unsigned cpus[17];
    uint64_t free_mb[17];
    struct d0_facts f;
    const struct prepare_case t = { "", 512, 1, -1, 0, NULL, 0, {0},
                                    DOM0C_TOO_MANY_NODES, 0, 0 };
    dom0c_decision d;

    for (unsigned n = 0; n < 17; n++)
        cpus[n] = 2, free_mb[n] = 1000;
    tl_host(&f, 17, cpus, free_mb);
    run_prepare(&t, &f, &d);
    assert_int_equal(d.verdict, DOM0C_TOO_MANY_NODES);
    d0_facts_clear(&f);
}

static void test_account(void **state)
{
    struct d0_facts f;
    struct d0_config c = cfg_main(1);
    struct d0_layout l;
    struct d0_host_load load;
    dom0c_request r = { .memory_mb = 512, .vcpus = 2, .epsilon_mb = -1 };
    dom0c_decision d;

    lab(&f);
    d0_policy_layout(&f, &c, &l);
    d0_policy_load(&f, &l, &load);
    for (int i = 0; i < 2; i++) {
        d0_policy_prepare(&load, &l, &c, &f, &r, &d);
        assert_int_equal(d.nodemap, 0x2);
        d0_policy_account(&load, &l, &d, r.vcpus);
    }
    assert_int_equal(l.node_mb[1], 75 + 2 * 64);
    assert_int_equal(l.node_mb[0], 75);
    assert_int_equal(l.dom0_target_mb, 512 + 150 + 128);
    assert_int_equal(load.node[1].free_mb, 1900 - 2 * 512);
    assert_int_equal(load.node[1].vcpus, 4);
    /* 1000 MB needs 936 on one node: node 1 has 876 left, node 0 too
     * few pCPUs, so it spans both. */
    r.memory_mb = 1000;
    d0_policy_prepare(&load, &l, &c, &f, &r, &d);
    assert_int_equal(d.verdict, DOM0C_OK);
    assert_int_equal(d.nodemap, 0x3);
    d0_facts_clear(&f);
}

/* ---- 4. Algorithm 2 ----------------------------------------------- */

static const struct place_case {
    const char *name;
    unsigned nr_vcpus;
    int at[2];                      /* current pCPUs */
    uint64_t affinity;
    unsigned nr_vnuma;
    struct d0_vnode vnuma[2];
    uint64_t pages[2];              /* {0,0}: none */
    uint64_t fair[4];
    dom0c_verdict verdict;
    int node, dom0_vcpu, domu_vcpu;
} place_cases[] = {
    { "next to the vCPU on the node", 2, {3, 1}, 0x2, 0, {{0}}, {0},
      {0}, DOM0C_OK, 1, 3, 0 },
    { "vCPUs off-node: least work", 2, {0, 1}, 0x2, 0, {{0}}, {0},
      {0, 0, 5, 1}, DOM0C_OK, 1, 3, -1 },
    { "two on node: least work", 2, {2, 3}, 0x2, 0, {{0}}, {0},
      {0, 0, 9, 4}, DOM0C_OK, 1, 3, 1 },
    { "on a main pCPU: least work", 1, {0}, 0x1, 0, {{0}}, {0},
      {0, 0, 0, 0}, DOM0C_OK, 0, 1, -1 },
    { "vNUMA majority", 2, {2, 1}, 0x3, 2, {{0, 700}, {1, 300}}, {0},
      {0}, DOM0C_OK, 0, 1, 1 },
    { "even split, pages break tie", 2, {2, 3}, 0x3, 0, {{0}}, {10, 90},
      {0}, DOM0C_OK, 1, 2, 0 },
    { "even split, vCPUs break tie", 2, {1, 3}, 0x3, 0, {{0}},
      {0}, {0}, DOM0C_OK, 0, 1, 0 },
    { "nothing known", 2, {-1, -1}, 0, 0, {{0}}, {0}, {0},
      DOM0C_NO_NODE_FITS, -1, -1, -1 },
};

static void test_place(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(place_cases); i++) {
        const struct place_case *t = &place_cases[i];
        struct d0_facts f;
        struct d0_config c = cfg_main(1);
        struct d0_layout l;
        struct d0_placement p;
        struct d0_domain *d;

        lab(&f);
        d = tl_domain(&f, 5, 1000, t->nr_vcpus, t->at, "1-3", t->affinity);
        d->nr_vnuma = t->nr_vnuma;
        d->vnuma = t->nr_vnuma ? (struct d0_vnode *)t->vnuma : NULL;
        d->node_pages = t->pages[0] || t->pages[1] ? (uint64_t *)t->pages
                                                   : NULL;
        d0_policy_layout(&f, &c, &l);
        d0_policy_place(&f, &l, d, t->fair, &p);
        print_message("place: %s -> node %d vcpu %d\n", t->name, p.node,
                      p.dom0_vcpu);
        assert_int_equal(p.verdict, t->verdict);
        assert_int_equal(p.node, t->node);
        assert_int_equal(p.dom0_vcpu, t->dom0_vcpu);
        assert_int_equal(p.domu_vcpu, t->domu_vcpu);
        d->vnuma = NULL;            /* borrowed from the table */
        d->node_pages = NULL;
        d0_facts_clear(&f);
    }
}

/* pCPU 1 offline: dom0_vcpus_pin put vCPUs 0, 1, 2 on pCPUs 0, 2, 3. */
static void test_place_offline_pcpu_mapping(void **state)
{
    static const int at[] = { 3 };
    struct d0_facts f;
    struct d0_config c = cfg_main(1);
    struct d0_layout l;
    struct d0_placement p;
    struct d0_domain *d, *dom0;
    d0_cpuset v;

    lab(&f);
    f.pcpus[1].online = false;
    dom0 = &f.domains[0];
    dom0->nr_vcpus = 3;
    for (unsigned i = 1; i < 3; i++) {
        d0_cpuset one;
        d0_cpuset_zero(&one);
        d0_cpuset_set(&one, i + 1);
        dom0->vcpus[i].hard = (uint16_t)d0_facts_intern(&f, &one);
    }
    d = tl_domain(&f, 5, 1000, 1, at, "2-3", 0x2);
    dom0 = &f.domains[0];               /* tl_domain may move it */
    d0_policy_layout(&f, &c, &l);
    d0_layout_vcpus(&l, &l.secondary[1], &v);
    assert_string_equal(tl_fmt(&v), "1-2");     /* node 1's cpuset */
    d0_policy_place(&f, &l, d, NULL, &p);
    assert_int_equal(p.verdict, DOM0C_OK);
    assert_int_equal(p.pcpu, 3);
    assert_int_equal(p.dom0_vcpu, 2);
    /* Unpinned dom0: assume dom0_vcpus_pin's order, the same here. */
    dom0->vcpus[1].hard = dom0->vcpus[0].soft;  /* "all" */
    d0_policy_layout(&f, &c, &l);
    assert_int_equal(l.vcpu_of[3], 2);
    assert_int_equal(l.vcpu_of[1], -1);
    d0_facts_clear(&f);
}

static void test_place_node_without_secondary(void **state)
{
    static const int at[] = { 1 };
    struct d0_facts f;
    struct d0_config c = cfg_main(2);       /* node 0 is all main */
    struct d0_layout l;
    struct d0_placement p;
    struct d0_domain *d;

    lab(&f);
    d = tl_domain(&f, 5, 1000, 1, at, "2-3", 0x1);
    d0_policy_layout(&f, &c, &l);
    d0_policy_place(&f, &l, d, NULL, &p);
    assert_int_equal(p.verdict, DOM0C_NO_DOMU_CPUS);
    assert_non_null(strstr(p.why, "node 0"));
    d0_facts_clear(&f);
}

/* ---- 5. Algorithm 1 ----------------------------------------------- */

struct io_series {
    const char *name;
    uint64_t rate[8];
    unsigned level[8];
    int64_t total_mb[8];            /* reserve held after each step */
};

/* Levels 1024:32, 8192:64, 65536:128; hysteresis 0.25. */
static const struct io_series io_cases[] = {
    { "steady low", {100, 100, 100, 100, 100, 100, 100, 100},
      {0}, {0} },
    { "ramp", {0, 1000, 1024, 5000, 8192, 20000, 65536, 70000},
      {0, 0, 1, 1, 2, 2, 3, 3}, {0, 0, 32, 32, 96, 96, 224, 224} },
    { "burst and back", {0, 100000, 0, 0, 100000, 100000, 0, 0},
      {0, 3, 0, 0, 3, 3, 0, 0}, {0, 224, 0, 0, 224, 224, 0, 0} },
    { "hover at 8192", {8192, 8100, 8200, 7000, 8192, 6200, 8191, 6143},
      {2, 2, 2, 2, 2, 2, 2, 1}, {96, 96, 96, 96, 96, 96, 96, 32} },
    { "drop to zero", {70000, 70000, 0, 0, 0, 0, 0, 0},
      {3, 3, 0, 0, 0, 0, 0, 0}, {224, 224, 0, 0, 0, 0, 0, 0} },
    { "step down one level at a time", {70000, 40000, 6000, 700, 0, 0, 0, 0},
      {3, 2, 1, 0, 0, 0, 0, 0}, {224, 96, 32, 0, 0, 0, 0, 0} },
};

static void test_io_series(void **state)
{
    struct d0_config c;

    d0_config_defaults(&c);
    c.nr_levels = 3;
    c.levels[0] = (struct d0_io_level){ 1024, 32 };
    c.levels[1] = (struct d0_io_level){ 8192, 64 };
    c.levels[2] = (struct d0_io_level){ 65536, 128 };
    c.hysteresis = 0.25;
    for (size_t i = 0; i < ARRAY_LEN(io_cases); i++) {
        const struct io_series *t = &io_cases[i];
        unsigned level = 0;
        int64_t held = 0;
        print_message("io: %s\n", t->name);
        for (int s = 0; s < 8; s++) {
            struct d0_io_step st;
            d0_policy_io(&c, level, t->rate[s], &st);
            level = st.level;
            held += st.delta_mb;
            assert_int_equal(level, t->level[s]);
            assert_int_equal(held, t->total_mb[s]);
        }
    }
}

static void test_io_no_levels_and_clamp(void **state)
{
    struct d0_config c;
    struct d0_io_step st;

    d0_config_defaults(&c);
    c.nr_levels = 0;
    d0_policy_io(&c, 0, 1000000, &st);
    assert_int_equal(st.level, 0);
    assert_int_equal(st.delta_mb, 0);
    /* domU 200 MB, minimum 128: at most 72 may leave it. */
    assert_int_equal(d0_policy_io_clamp(96, 200, 128, 1000, 4000), 72);
    /* dom0 1990 of max 2000: at most 10 may come in. */
    assert_int_equal(d0_policy_io_clamp(96, 4096, 128, 1990, 2000), 10);
    assert_int_equal(d0_policy_io_clamp(96, 100, 128, 1000, 4000), 0);
    assert_int_equal(d0_policy_io_clamp(-64, 100, 128, 1000, 4000), -64);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_layout_offline_and_oracle),
        cmocka_unit_test(test_prepare),
        cmocka_unit_test(test_prepare_affinities),
        cmocka_unit_test(test_prepare_ties_by_vcpus),
        cmocka_unit_test(test_prepare_too_many_nodes),
        cmocka_unit_test(test_account),
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_place_offline_pcpu_mapping),
        cmocka_unit_test(test_place_node_without_secondary),
        cmocka_unit_test(test_io_series),
        cmocka_unit_test(test_io_no_levels_and_clamp),
    };

    return cmocka_run_group_tests_name("policy", tests, NULL, NULL);
}
