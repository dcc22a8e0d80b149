/*
 * test_effects.c - the operations that change a host, on the fake
 * backend: init, prepare/commit, place, release, reconcile.  Each step
 * of commit, release and init is failed in turn; the host must then be
 * all-or-nothing, and reconcile must converge.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testlib.h"
#include "world.h"

static int setup(void **state)
{
    struct world *w;

    world_setup(state);
    w = *state;
    fake_proc(&w->f, 200, "sshd", false, "sshd -D");
    fake_proc(&w->f, 300, "5.xvda-0", true, "");
    fake_proc(&w->f, 301, "kworker/0:1", true, "");
    return 0;
}

static void test_init(void **state)
{
    struct world *w = *state;
    unsigned changes = 0;
    char *first, *second;

    assert_int_equal(dom0c_init(w->ctx, 0, &changes), 0);
    assert_true(changes > 5);
    assert_string_equal(fake_cgfile(&w->f, "dom0c/main", "cpuset.cpus"), "0");
    assert_string_equal(fake_cgfile(&w->f, "dom0c/node0", "cpuset.cpus"),
                        "1");
    assert_string_equal(fake_cgfile(&w->f, "dom0c/node1", "cpuset.cpus"),
                        "2-3");
    assert_string_equal(fake_cgfile(&w->f, "dom0c/node1", "memory.max"),
                        "78643200");
    assert_int_equal(w->f.target_kb, (512 + 75 + 75) * 1024);
    assert_string_equal(fake_xs(&w->f, "/tool/dom0c/version"), "1");
    assert_string_equal(w->f.procs[1].cgroup, "dom0c/main");   /* sshd */
    assert_string_equal(w->f.procs[3].cgroup, "");     /* kworker stays */
    first = fake_snapshot(&w->f);
    assert_non_null(strstr(first, "xs /tool/dom0c =  [n0]"));
    assert_int_equal(dom0c_init(w->ctx, 0, &changes), 0);
    assert_int_equal(changes, 0);
    second = fake_snapshot(&w->f);
    assert_string_equal(first, second);
    free(first);
    free(second);
}

static void test_init_dry_run_changes_nothing(void **state)
{
    struct world *w = *state;
    unsigned changes = 0;
    char *before = fake_snapshot(&w->f), *after;

    assert_int_equal(dom0c_init(w->ctx, DOM0C_INIT_DRY_RUN, &changes), 0);
    assert_true(changes > 5);
    after = fake_snapshot(&w->f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static void test_lifecycle(void **state)
{
    struct world *w = *state;
    dom0c_decision d, again;
    dom0c_request reboot = { .uuid = UUID, .memory_mb = 448, .vcpus = 2,
                             .epsilon_mb = -1 };
    char *clean, *done;

    world_init(w);
    clean = fake_snapshot(&w->f);
    d = world_prepare_and_create(w);
    assert_int_equal(d.nodemap, 0x2);
    assert_int_equal(d.given_mb, 448);
    assert_non_null(fake_xs(&w->f, "/tool/dom0c/pending/" UUID "/pid"));
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
    assert_string_equal(fake_xs(&w->f, "/tool/dom0c/domains/5/uuid"), UUID);
    assert_null(fake_xs(&w->f, "/tool/dom0c/pending/" UUID "/pid"));
    assert_int_equal(w->f.target_kb, (512 + 150 + 64) * 1024);
    assert_string_equal(fake_cgfile(&w->f, "dom0c/node1", "memory.max"),
                        "145752064");                   /* 75 + 64 MB */
    assert_true(fake_cgdir(&w->f, "dom0c/node1/dom5"));
    /* A reboot re-prepares the stored, already carved config. */
    assert_int_equal(dom0c_prepare(w->ctx, &reboot, &again), 0);
    assert_int_equal(again.given_mb, 448);
    assert_int_equal(again.requested_mb, 512);
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &again), 0);
    assert_int_equal(w->f.target_kb, (512 + 150 + 64) * 1024);
    /* Destroy: placed next to vCPU 0 (pCPU 3, dom0 vCPU 3)... */
    w->f.nr_seq = 0;
    assert_int_equal(dom0c_place(w->ctx, 5, DOM0C_OP_DESTROY), 0);
    assert_string_equal(w->f.procs[0].cgroup, "dom0c/node1/dom5");
    assert_string_equal(tl_fmt(&w->f.affinity[0]), "3");
    /* ...cgroup.procs written before the affinity is set. */
    assert_int_equal(w->f.seq[w->f.nr_seq - 2], D0_OP_CG_WRITE);
    assert_int_equal(w->f.seq[w->f.nr_seq - 1], D0_OP_AFFINITY);
    /* ...then released, exactly once. */
    w->f.facts_json = world_host;
    assert_int_equal(dom0c_release(w->ctx, 5, UUID), 0);
    done = fake_snapshot(&w->f);
    assert_string_equal(clean, done);
    assert_int_equal(dom0c_release(w->ctx, 5, UUID), 0);
    free(done);
    done = fake_snapshot(&w->f);
    assert_string_equal(clean, done);
    free(clean);
    free(done);
}

static void test_bad_input_changes_nothing(void **state)
{
    struct world *w = *state;
    dom0c_request r = { .uuid = "../../local/domain/0", .memory_mb = 512,
                        .vcpus = 1, .epsilon_mb = -1 };
    dom0c_decision d;
    char *before, *after;

    world_init(w);
    before = fake_snapshot(&w->f);
    assert_int_equal(dom0c_prepare(w->ctx, &r, &d), -EINVAL);
    d.verdict = DOM0C_OK;
    assert_int_equal(dom0c_commit(w->ctx, 5, "not-a-uuid", &d), -EINVAL);
    assert_int_equal(dom0c_release(w->ctx, 5, "/tool"), -EINVAL);
    d.verdict = DOM0C_NO_NODE_FITS;
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), -EINVAL);
    /* A domid that does not run this uuid. */
    d = world_prepare_and_create(w);
    free(before);
    before = fake_snapshot(&w->f);
    assert_int_equal(dom0c_commit(w->ctx, 6, UUID, &d), -ESRCH);
    after = fake_snapshot(&w->f);
    assert_string_equal(before, after);
    free(before);
    free(after);
}

static const enum d0_op_kind commit_kinds[] = {
    D0_OP_FACTS, D0_OP_XS_BEGIN, D0_OP_XS_END, D0_OP_XS_READ,
    D0_OP_XS_WRITE, D0_OP_XS_RM, D0_OP_XS_LIST, D0_OP_TARGET_GET,
    D0_OP_TARGET_SET, D0_OP_CG_READ, D0_OP_CG_WRITE, D0_OP_CG_MKDIR,
};

/* The host after a clean init, prepare, create and commit. */
static char *committed_snapshot(void)
{
    struct world w = { 0 };
    dom0c_decision d;
    char *snap;

    fake_init(&w.f, world_host);
    w.ctx = world_open(&w.f, D0_ON_ERROR_STRICT);
    world_init(&w);
    d = world_prepare_and_create(&w);
    assert_int_equal(dom0c_commit(w.ctx, 5, UUID, &d), 0);
    snap = fake_snapshot(&w.f);
    dom0c_close(w.ctx);
    fake_free(&w.f);
    return snap;
}

/*
 * Fails the nth call of kind k in a commit; returns false once the
 * commit makes fewer than n such calls.  The host must then be as before
 * the commit (strict: with an error; degrade: without) or, when the
 * fault did not matter (a failed read before a write), fully committed
 * with rc 0; reconcile must then reach the committed state.
 */
static bool commit_with_fault(enum d0_on_error mode, enum d0_op_kind k,
                              unsigned n, const char *committed)
{
    struct world w = { 0 };
    char *before, *after, *fixed;
    dom0c_decision d;
    bool hit;
    int rc;

    fake_init(&w.f, world_host);
    w.ctx = world_open(&w.f, mode);
    world_init(&w);
    d = world_prepare_and_create(&w);
    before = fake_snapshot(&w.f);
    fake_fail(&w.f, k, n, -EIO);
    rc = dom0c_commit(w.ctx, 5, UUID, &d);
    hit = w.f.calls[k] >= n;
    fake_clear_faults(&w.f);
    after = fake_snapshot(&w.f);
    print_message("commit, %s, fault in call %u of kind %d: rc %d, %s\n",
                  mode ? "degrade" : "strict", n, (int)k, rc,
                  !strcmp(before, after) ? "nothing done" : "committed");
    if (strcmp(before, after)) {
        assert_string_equal(after, committed);
        assert_int_equal(rc, 0);
    } else {
        assert_true(hit);
        assert_int_equal(rc, mode == D0_ON_ERROR_STRICT ? -EIO : 0);
    }
    assert_int_equal(dom0c_reconcile(w.ctx, NULL), 0);
    fixed = fake_snapshot(&w.f);
    assert_string_equal(fixed, committed);
    free(before);
    free(after);
    free(fixed);
    dom0c_close(w.ctx);
    fake_free(&w.f);
    return hit;
}

static void test_commit_faults(void **state)
{
    char *committed = committed_snapshot();
    unsigned tried = 0;

    for (int mode = 0; mode < 2; mode++)
        for (size_t i = 0; i < ARRAY_LEN(commit_kinds); i++)
            for (unsigned n = 1;
                 commit_with_fault(mode, commit_kinds[i], n, committed); n++)
                tried++;
    print_message("%u faulty commits, each all-or-nothing\n", tried);
    assert_true(tried > 40);
    free(committed);
}

/* Fails the nth call of kind k in a release; a retry and a reconcile
 * must then bring the host back to its state before the prepare. */
static bool release_with_fault(enum d0_op_kind k, unsigned n)
{
    struct world w = { 0 };
    char *clean, *after;
    dom0c_decision d;
    bool hit;

    fake_init(&w.f, world_host);
    w.ctx = world_open(&w.f, D0_ON_ERROR_STRICT);
    world_init(&w);
    clean = fake_snapshot(&w.f);
    d = world_prepare_and_create(&w);
    assert_int_equal(dom0c_commit(w.ctx, 5, UUID, &d), 0);
    w.f.facts_json = world_host;
    fake_fail(&w.f, k, n, -EIO);
    dom0c_release(w.ctx, 5, UUID);
    hit = w.f.calls[k] >= n;
    fake_clear_faults(&w.f);
    assert_int_equal(dom0c_release(w.ctx, 5, UUID), 0);
    assert_int_equal(dom0c_reconcile(w.ctx, NULL), 0);
    after = fake_snapshot(&w.f);
    assert_string_equal(clean, after);
    free(clean);
    free(after);
    dom0c_close(w.ctx);
    fake_free(&w.f);
    return hit;
}

static void test_release_faults(void **state)
{
    unsigned tried = 0;

    for (size_t i = 0; i < ARRAY_LEN(commit_kinds); i++)
        for (unsigned n = 1; release_with_fault(commit_kinds[i], n); n++)
            tried++;
    print_message("%u faulty releases, each converged\n", tried);
    assert_true(tried > 10);
}

static void test_init_faults(void **state)
{
    static const enum d0_op_kind kinds[] = {
        D0_OP_XS_WRITE, D0_OP_XS_RESTRICT, D0_OP_CG_MKDIR, D0_OP_CG_WRITE,
        D0_OP_TARGET_SET, D0_OP_PROCS,
    };
    struct world ref = { 0 };
    char *want;
    unsigned tried = 0;

    fake_init(&ref.f, world_host);
    ref.ctx = world_open(&ref.f, D0_ON_ERROR_STRICT);
    world_init(&ref);
    want = fake_snapshot(&ref.f);
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        for (unsigned n = 1;; n++, tried++) {
            struct world w = { 0 };
            fake_init(&w.f, world_host);
            w.ctx = world_open(&w.f, D0_ON_ERROR_STRICT);
            fake_fail(&w.f, kinds[i], n, -EIO);
            dom0c_init(w.ctx, 0, NULL);
            bool hit = w.f.calls[kinds[i]] >= n;
            fake_clear_faults(&w.f);
            world_init(&w);                    /* the retry converges */
            char *got = fake_snapshot(&w.f);
            assert_string_equal(want, got);
            free(got);
            dom0c_close(w.ctx);
            fake_free(&w.f);
            if (!hit)
                break;
        }
    }
    print_message("%u faulty inits, each converged on a retry\n", tried);
    free(want);
    dom0c_close(ref.ctx);
    fake_free(&ref.f);
}

static void test_reconcile(void **state)
{
    struct world *w = *state;
    dom0c_reconcile_report rep;
    dom0c_request r2 = { .uuid = UUID2, .memory_mb = 512, .vcpus = 1,
                         .epsilon_mb = -1 };
    dom0c_decision d, d2;
    char *clean, *now;

    world_init(w);
    clean = fake_snapshot(&w->f);
    d = world_prepare_and_create(w);
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
    /* A create under way (pid 100 alive) is left alone... */
    assert_int_equal(dom0c_prepare(w->ctx, &r2, &d2), 0);
    assert_int_equal(dom0c_reconcile(w->ctx, &rep), 0);
    assert_int_equal(rep.entries, 1);
    assert_int_equal(rep.dropped + rep.adopted, 0);
    /* ...domid 5 reused by another domain, the creator dead: dropped. */
    w->f.facts_json = world_host_reused;
    fake_xs_set(&w->f, "/tool/dom0c/pending/" UUID2 "/pid", "999");
    assert_int_equal(dom0c_reconcile(w->ctx, &rep), 0);
    assert_int_equal(rep.dropped, 2);
    assert_int_equal(rep.target_fix_mb, -64);
    now = fake_snapshot(&w->f);
    assert_string_equal(clean, now);
    assert_false(fake_cgdir(&w->f, "dom0c/node1/dom5"));
    free(clean);
    free(now);
}

/* A restore or incoming migration: placed before its domid exists. */
static void test_place_prepared(void **state)
{
    struct world *w = *state;
    struct d0_backend b = fake_backend(&w->f);
    dom0c_decision d;

    world_init(w);
    assert_int_equal(dom0c_ready(w->ctx), 0);
    d = world_prepare_and_create(w);
    assert_int_equal(dom0c_place_prepared(w->ctx, &d, DOM0C_OP_RESTORE), 0);
    assert_string_equal(w->f.procs[0].cgroup, "dom0c/node1/incoming100");
    assert_string_equal(tl_fmt(&w->f.affinity[0]), "2");    /* least work */
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
    assert_string_equal(w->f.procs[0].cgroup, "dom0c/main");
    assert_false(fake_cgdir(&w->f, "dom0c/node1/incoming100"));
    /* One left by a process that died is swept by reconcile. */
    assert_int_equal(b.ops->cg_mkdir(b.h, "dom0c/node1/incoming4242"), 0);
    assert_int_equal(dom0c_reconcile(w->ctx, NULL), 0);
    assert_false(fake_cgdir(&w->f, "dom0c/node1/incoming4242"));
    assert_true(fake_cgdir(&w->f, "dom0c/node1/dom5"));
}

static void test_eagain_restarts(void **state)
{
    struct world *w = *state;
    dom0c_decision d;

    world_init(w);
    d = world_prepare_and_create(w);
    w->f.eagain_left = 3;
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
    assert_int_equal(w->f.eagain_left, 0);
    assert_string_equal(fake_xs(&w->f, "/tool/dom0c/domains/5/uuid"), UUID);
}

/* Two creates prepared before either exists: the second is decided on
 * what the first will take (node 1 has 1900 MB free; each needs 1500). */
static void test_prepares_see_each_other(void **state)
{
    struct world *w = *state;
    dom0c_request a = { .uuid = UUID, .memory_mb = 1500, .vcpus = 1,
                        .epsilon_mb = -1 };
    dom0c_request b = a;
    dom0c_decision da, db;

    world_init(w);
    b.uuid = UUID2;
    assert_int_equal(dom0c_prepare(w->ctx, &a, &da), 0);
    assert_int_equal(da.verdict, DOM0C_OK);
    assert_int_equal(da.nodemap, 2);
    assert_int_equal(dom0c_prepare(w->ctx, &b, &db), 0);
    assert_int_equal(db.verdict, DOM0C_NO_NODE_FITS);
    /* Once the first exists, Xen's free memory says it: not counted
     * twice (here the facts still show 1900 MB free on node 1). */
    w->f.facts_json = world_host_domu;      /* domU 5 runs UUID */
    assert_int_equal(dom0c_prepare(w->ctx, &b, &db), 0);
    assert_int_equal(db.verdict, DOM0C_OK);
    assert_int_equal(db.nodemap, 2);
}

static void test_not_initialised(void **state)
{
    struct world *w = *state;
    dom0c_request r = { .uuid = UUID, .memory_mb = 512, .vcpus = 2,
                        .epsilon_mb = -1 };
    dom0c_decision d;

    assert_int_equal(dom0c_ready(w->ctx), -ENOENT);
    assert_int_equal(dom0c_prepare(w->ctx, &r, &d), -ENOENT);
    assert_null(fake_xs(&w->f, "/tool/dom0c/pending/" UUID "/pid"));
}

static void test_offline_changes_nothing(void **state)
{
    dom0c_open_args a = { .topology_path = "tests/fixtures/lab-2x2.json",
                          .config_path = "tests/golden/lab.conf" };
    dom0c_ctx *ctx;
    dom0c_decision d = { .verdict = DOM0C_OK };
    char *top = getenv("DOM0C_TOP");

    if (top)
        assert_int_equal(chdir(top), 0);
    assert_int_equal(dom0c_open(&a, NULL, &ctx), 0);
    assert_int_equal(dom0c_commit(ctx, 5, UUID, &d), -EOPNOTSUPP);
    assert_int_equal(dom0c_place(ctx, 5, DOM0C_OP_SAVE), -EOPNOTSUPP);
    assert_int_equal(dom0c_release(ctx, 5, UUID), -EOPNOTSUPP);
    assert_int_equal(dom0c_init(ctx, 0, NULL), -EOPNOTSUPP);
    dom0c_close(ctx);
    dom0c_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_init, setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_init_dry_run_changes_nothing,
                                        setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input_changes_nothing,
                                        setup, world_teardown),
        cmocka_unit_test(test_commit_faults),
        cmocka_unit_test(test_release_faults),
        cmocka_unit_test(test_init_faults),
        cmocka_unit_test_setup_teardown(test_reconcile, setup, world_teardown),
        cmocka_unit_test_setup_teardown(test_place_prepared, setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_eagain_restarts, setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_prepares_see_each_other, setup,
                                        world_teardown),
        cmocka_unit_test_setup_teardown(test_not_initialised, setup,
                                        world_teardown),
        cmocka_unit_test(test_offline_changes_nothing),
    };

    return cmocka_run_group_tests_name("effects", tests, NULL, NULL);
}
