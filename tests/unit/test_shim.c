/*
 * test_shim.c - the libvirt shim's pure parts, without libvirtd or Xen:
 * d_config -> dom0c_request, a decision applied to d_config, the save
 * helper's argv, the thread's affinity around a call, the fork handler,
 * LD_PRELOAD without the shim, xsdata.  libxl's own dispose frees what
 * the shim allocated: ASan checks they agree.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libxl_utils.h>

#include "testlib.h"
#include "shim.h"

#define UUID "6b1f3c0e-0d4e-4a6e-9a8e-2f0c9b1d7e55"

/* ---- a libvirt-made config ---------------------------------------- */

static void bitmap_bits(libxl_bitmap *m, unsigned bits, const char *cpus)
{
    d0_cpuset s = tl_cpus(cpus);

    libxl_bitmap_init(m);
    m->size = (bits + 7) / 8;
    m->map = calloc(m->size, 1);
    assert_non_null(m->map);
    for (unsigned i = 0; i < bits; i++)
        if (d0_cpuset_test(&s, i))
            libxl_bitmap_set(m, (int)i);
}

/* PV, 2048 of 4096 MB, 4 vCPUs, no affinity, like <currentMemory>,
 * <memory>, <vcpu>. */
static void config(libxl_domain_config *c)
{
    libxl_domain_config_init(c);
    c->c_info.type = LIBXL_DOMAIN_TYPE_PV;
    c->c_info.name = strdup("web1");
    assert_int_equal(libxl_uuid_from_string(&c->c_info.uuid, UUID), 0);
    libxl_domain_build_info_init_type(&c->b_info, LIBXL_DOMAIN_TYPE_PV);
    c->b_info.target_memkb = 2048 * 1024;
    c->b_info.max_memkb = 4096 * 1024;
    c->b_info.max_vcpus = 4;
}

/* <vcpupin>: vCPU 0 on pCPUs 2-3, vCPU 1 anywhere. */
static void pinned(libxl_domain_config *c)
{
    libxl_domain_build_info *b = &c->b_info;

    b->vcpu_hard_affinity = calloc(2, sizeof(*b->vcpu_hard_affinity));
    assert_non_null(b->vcpu_hard_affinity);
    bitmap_bits(&b->vcpu_hard_affinity[0], 8, "2-3");
    bitmap_bits(&b->vcpu_hard_affinity[1], 8, "0-7");
    b->num_vcpu_hard_affinity = 2;
}

static void xsdata(libxl_domain_config *c, const char *const *pairs,
                   size_t nr)
{
    char **kv = carve_xsdata_add(c->c_info.xsdata, pairs, nr);

    assert_non_null(kv);
    free(c->c_info.xsdata);
    c->c_info.xsdata = kv;
}

/* ---- request ------------------------------------------------------- */

static void test_request_plain(void **state)
{
    libxl_domain_config c;
    dom0c_request r;
    char uuid[37];

    (void)state;
    config(&c);
    carve_request(&c, &r, uuid);
    assert_string_equal(r.uuid, UUID);
    assert_int_equal(r.memory_mb, 2048);
    assert_int_equal(r.vcpus, 4);
    assert_int_equal(r.epsilon_mb, -1);
    assert_int_equal(r.nr_vnuma, 0);
    assert_int_equal(r.cpus[0], 0);
    libxl_domain_config_dispose(&c);
}

static void test_request_explicit(void **state)
{
    static const char *const keys[] = { "dom0c-epsilon", "32",
                                        "dom0c-mb", "3000" };
    libxl_domain_config c;
    dom0c_request r;
    char uuid[37];

    (void)state;
    config(&c);
    pinned(&c);
    xsdata(&c, keys, 2);
    c.b_info.vnuma_nodes = calloc(2, sizeof(*c.b_info.vnuma_nodes));
    assert_non_null(c.b_info.vnuma_nodes);
    c.b_info.num_vnuma_nodes = 2;
    for (int i = 0; i < 2; i++) {
        libxl_vnode_info_init(&c.b_info.vnuma_nodes[i]);
        c.b_info.vnuma_nodes[i].pnode = (uint32_t)(1 - i);
    }
    carve_request(&c, &r, uuid);
    assert_int_equal(r.memory_mb, 3000);        /* carved config: M */
    assert_int_equal(r.epsilon_mb, 32);
    assert_int_equal(r.nr_vnuma, 2);
    assert_int_equal(r.vnuma_pnodes[0], 1);
    assert_int_equal(r.vnuma_pnodes[1], 0);
    assert_int_equal(r.cpus[0], 0xc);           /* the full map is no pin */
    libxl_domain_config_dispose(&c);
}

/* Only the target left to libxl: the maximum is M. */
static void test_request_default_target(void **state)
{
    libxl_domain_config c;
    dom0c_request r;
    char uuid[37];

    (void)state;
    config(&c);
    c.b_info.target_memkb = LIBXL_MEMKB_DEFAULT;
    carve_request(&c, &r, uuid);
    assert_int_equal(r.memory_mb, 4096);
    c.b_info.max_memkb = LIBXL_MEMKB_DEFAULT;
    carve_request(&c, &r, uuid);
    assert_int_equal(r.memory_mb, 0);
    libxl_domain_config_dispose(&c);
}

/* ---- apply --------------------------------------------------------- */

static const struct carve_sizes sizes = { .max_cpus = 8, .max_nodes = 2 };

/* 2048 MB on nodes 0 and 1, eps 64: given 1920.  Main = pCPU 0. */
static dom0c_decision decision(void)
{
    dom0c_decision d = { .verdict = DOM0C_OK, .requested_mb = 2048,
                         .given_mb = 1920, .epsilon_mb = 64,
                         .nodemap = 0x3, .nr_nodes = 2 };

    d.hard_cpus[0] = 0xfe;
    d.soft_cpus[0] = 0xfe;
    return d;
}

static void assert_map(const libxl_bitmap *m, unsigned bits, uint64_t want)
{
    assert_int_equal(m->size, (bits + 7) / 8);
    for (unsigned i = 0; i < bits; i++)
        assert_int_equal(libxl_bitmap_test(m, (int)i), (want >> i) & 1);
}

static void test_apply_create(void **state)
{
    libxl_domain_config c;
    dom0c_decision d = decision();
    uint64_t balloon = 42;

    (void)state;
    config(&c);
    assert_int_equal(carve_apply(&c, &d, false, &sizes, &balloon), 0);
    assert_int_equal(balloon, 0);
    assert_int_equal(c.b_info.target_memkb, 1920 * 1024);
    assert_int_equal(c.b_info.max_memkb, (4096 - 128) * 1024);
    assert_map(&c.b_info.nodemap, 2, 0x3);
    assert_false(libxl_defbool_val(c.b_info.numa_placement));
    assert_int_equal(c.b_info.num_vcpu_hard_affinity, 4);
    assert_int_equal(c.b_info.num_vcpu_soft_affinity, 4);
    for (int v = 0; v < 4; v++) {
        assert_map(&c.b_info.vcpu_hard_affinity[v], 8, 0xfe);
        assert_map(&c.b_info.vcpu_soft_affinity[v], 8, 0xfe);
    }
    assert_string_equal(carve_xsdata_get(&c, "dom0c-mb"), "2048");
    assert_string_equal(carve_xsdata_get(&c, "dom0c-max-mb"), "4096");
    libxl_domain_config_dispose(&c);
}

/* The config's own pinning stays; a carved config keeps its M. */
static void test_apply_keeps_own(void **state)
{
    static const char *const keys[] = { "dom0c", "1", "dom0c-mb", "2048",
                                        "dom0c-max-mb", "4096" };
    libxl_domain_config c;
    dom0c_decision d = decision();
    uint64_t balloon;

    (void)state;
    config(&c);
    pinned(&c);
    xsdata(&c, keys, 3);
    c.b_info.target_memkb = 1920 * 1024;        /* carved before (reboot) */
    c.b_info.max_memkb = (4096 - 128) * 1024;
    assert_int_equal(carve_apply(&c, &d, false, &sizes, &balloon), 0);
    assert_int_equal(c.b_info.target_memkb, 1920 * 1024);
    assert_int_equal(c.b_info.max_memkb, (4096 - 128) * 1024);
    assert_int_equal(c.b_info.num_vcpu_hard_affinity, 2);
    assert_map(&c.b_info.vcpu_hard_affinity[0], 8, 0xc);
    assert_int_equal(c.b_info.num_vcpu_soft_affinity, 4);
    assert_string_equal(carve_xsdata_get(&c, "dom0c-mb"), "2048");
    assert_null(c.c_info.xsdata[6]);            /* nothing added */
    libxl_domain_config_dispose(&c);
}

/* A restore arrives with the image's pages: never below them. */
static void test_apply_incoming(void **state)
{
    libxl_domain_config c;
    dom0c_decision d = decision();
    uint64_t balloon;

    (void)state;
    config(&c);
    assert_int_equal(carve_apply(&c, &d, true, &sizes, &balloon), 0);
    assert_int_equal(c.b_info.target_memkb, 2048 * 1024);
    assert_int_equal(balloon, 1920 * 1024);
    assert_int_equal(c.b_info.max_memkb, 4096 * 1024);
    libxl_domain_config_dispose(&c);
    /* An image already as small as the carve: nothing to balloon. */
    config(&c);
    c.b_info.target_memkb = c.b_info.max_memkb = 1920 * 1024;
    assert_int_equal(carve_apply(&c, &d, true, &sizes, &balloon), 0);
    assert_int_equal(c.b_info.target_memkb, 1920 * 1024);
    assert_int_equal(balloon, 0);
    libxl_domain_config_dispose(&c);
}

static void test_apply_refused(void **state)
{
    static const struct {
        const char *what;
        uint64_t nodemap;
        dom0c_verdict verdict;
        struct carve_sizes sz;
        int rc;
    } cases[] = {
        { "infeasible", 0x3, DOM0C_NO_NODE_FITS, { 8, 2 }, -EINVAL },
        { "no nodes", 0, DOM0C_OK, { 8, 2 }, -EINVAL },
        { "nr_nodes is not the nodemap's", 0x1, DOM0C_OK, { 8, 2 },
          -EINVAL },
        { "node 2 of 2", 0x5, DOM0C_OK, { 8, 2 }, -ERANGE },
        { "no pCPUs", 0x3, DOM0C_OK, { 0, 2 }, -ERANGE },
    };
    libxl_domain_config c;

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        dom0c_decision d = decision();
        uint64_t balloon = 42;
        d.nodemap = cases[i].nodemap;
        d.verdict = cases[i].verdict;
        config(&c);
        print_message("apply refused: %s\n", cases[i].what);
        assert_int_equal(carve_apply(&c, &d, false, &cases[i].sz, &balloon),
                         cases[i].rc);
        assert_int_equal(balloon, 42);
        assert_int_equal(c.b_info.target_memkb, 2048 * 1024);
        assert_int_equal(c.b_info.nodemap.size, 0);
        assert_int_equal(c.b_info.num_vcpu_hard_affinity, 0);
        assert_null(c.c_info.xsdata);
        libxl_domain_config_dispose(&c);
    }
}

/* ---- the save helper's argv ---------------------------------------- */

static void test_helper_args(void **state)
{
    static const struct {
        const char *argv[12];
        int rc;
        uint32_t domid;
        dom0c_op op;
        const char *err;            /* in the message */
    } cases[] = {
        { { "h", "--save-domain", "9", "10", "7", "0", "3", "0" },
          0, 7, DOM0C_OP_SAVE, NULL },
        { { "h", "--restore-domain", "9", "-1", "32751", "1", "0", "2",
            "0", "3", "0" }, 0, 32751, DOM0C_OP_RESTORE, NULL },
        { { "h", "--save-domain", "9", "10", "12" }, 0, 12, DOM0C_OP_SAVE,
          NULL },
        { { "h", "--save-domain", "9", "10" }, -EINVAL, 0, 0,
          "3 arguments" },
        { { "h" }, -EINVAL, 0, 0, "0 arguments" },
        { { "h", "--suspend", "9", "10", "7" }, -EINVAL, 0, 0,
          "mode '--suspend'" },
        { { "h", "--save-domain", "9", "10", "0" }, -EINVAL, 0, 0,
          "domid '0'" },
        { { "h", "--save-domain", "9", "10", "32752" }, -EINVAL, 0, 0,
          "domid '32752'" },
        { { "h", "--save-domain", "9", "10", "7x" }, -EINVAL, 0, 0,
          "domid '7x' (argument 4)" },
        { { "h", "--save-domain", "9", "10", "-7" }, -EINVAL, 0, 0,
          "domid '-7'" },
        { { "h", "--save-domain", "9", "10", "" }, -EINVAL, 0, 0,
          "domid ''" },
        { { "h", "--save-domain", "9", "10", "99999999999999999999" },
          -EINVAL, 0, 0, "99999999999999999999" },
    };

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        char err[256] = "";
        uint32_t domid = 42;
        dom0c_op op = 0;
        int argc = 0;
        while (cases[i].argv[argc])
            argc++;
        assert_int_equal(shim_helper_args(argc, (char *const *)cases[i].argv,
                                          &domid, &op, err, sizeof(err)),
                         cases[i].rc);
        print_message("helper argv %zu: %s\n", i, err);
        if (cases[i].rc) {
            assert_non_null(strstr(err, cases[i].err));
            assert_int_equal(domid, 42);
            continue;
        }
        assert_int_equal(domid, cases[i].domid);
        assert_int_equal(op, cases[i].op);
    }
}

/* ---- the thread's affinity ----------------------------------------- */

static int first_cpu(const cpu_set_t *s, size_t size)
{
    for (int c = 0; c < DOM0C_MAX_CPUS; c++)
        if (CPU_ISSET_S((size_t)c, size, s))
            return c;
    return -1;
}

static void test_affinity(void **state)
{
    size_t size = CPU_ALLOC_SIZE(DOM0C_MAX_CPUS);
    cpu_set_t *before = CPU_ALLOC(DOM0C_MAX_CPUS);
    cpu_set_t *now = CPU_ALLOC(DOM0C_MAX_CPUS);
    struct shim_affinity a = { 0 };
    int cpu;

    (void)state;
    assert_int_equal(sched_getaffinity(0, size, before), 0);
    cpu = first_cpu(before, size);
    assert_true(cpu >= 0);
    assert_int_equal(shim_affinity_pin(&a, cpu), 0);
    assert_int_equal(sched_getaffinity(0, size, now), 0);
    assert_int_equal(CPU_COUNT_S(size, now), 1);
    assert_true(CPU_ISSET_S((size_t)cpu, size, now));
    assert_int_equal(shim_affinity_restore(&a), 0);
    assert_int_equal(sched_getaffinity(0, size, now), 0);
    assert_true(CPU_EQUAL_S(size, before, now));
    /* A vCPU the thread may not use (absent, or outside its cpuset):
     * refused, the thread as it was, restore a no-op. */
    assert_int_equal(shim_affinity_pin(&a, DOM0C_MAX_CPUS - 1), -EINVAL);
    assert_int_equal(shim_affinity_pin(&a, -1), -EINVAL);
    assert_int_equal(shim_affinity_restore(&a), 0);
    assert_int_equal(sched_getaffinity(0, size, now), 0);
    assert_true(CPU_EQUAL_S(size, before, now));
    CPU_FREE(before);
    CPU_FREE(now);
}

/* ---- the fork handler ----------------------------------------------- */

/* Forks; the child reports whether it runs on cpu alone. */
static bool child_on(int cpu)
{
    int status;
    pid_t pid = fork();

    if (!pid) {
        size_t size = CPU_ALLOC_SIZE(DOM0C_MAX_CPUS);
        cpu_set_t *s = CPU_ALLOC(DOM0C_MAX_CPUS);
        bool one = !sched_getaffinity(0, size, s) &&
                   CPU_COUNT_S(size, s) == 1 && CPU_ISSET_S((size_t)cpu,
                                                            size, s);
        _exit(one ? 0 : 1);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void procs_file(const char *dir, char *path, size_t len,
                       const char *text)
{
    FILE *f;

    snprintf(path, len, "%s/cgroup.procs", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_atfork(void **state)
{
    dom0c_spot s = { .node = 1 };
    char path[300], got[8] = "";
    cpu_set_t mine;
    FILE *f;

    (void)state;
    assert_int_equal(sched_getaffinity(0, sizeof(mine), &mine), 0);
    snprintf(s.cgroup_dir, sizeof(s.cgroup_dir), "/tmp/test_shim_XXXXXX");
    assert_non_null(mkdtemp(s.cgroup_dir));
    procs_file(s.cgroup_dir, path, sizeof(path), "-");
    s.dom0_vcpu = first_cpu(&mine, sizeof(mine));
    assert_int_equal(shim_atfork_register(), 0);
    /* Not armed: the child is left alone. */
    assert_false(CPU_COUNT(&mine) > 1 && child_on(s.dom0_vcpu));
    assert_int_equal(shim_arm(&s), 0);
    assert_true(child_on(s.dom0_vcpu));
    shim_disarm();
    f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(got, sizeof(got), f));
    fclose(f);
    assert_string_equal(got, "0");              /* moved itself */
    /* Disarmed: no more writes. */
    procs_file(s.cgroup_dir, path, sizeof(path), "-");
    child_on(s.dom0_vcpu);
    f = fopen(path, "r");
    assert_non_null(fgets(got, sizeof(got), f));
    fclose(f);
    assert_string_equal(got, "-");
    unlink(path);
    rmdir(s.cgroup_dir);
    /* No vCPU: not armed.  The longest directory a spot holds: armed. */
    s.dom0_vcpu = -1;
    assert_int_equal(shim_arm(&s), -EINVAL);
    s.dom0_vcpu = 0;
    memset(s.cgroup_dir, 'x', sizeof(s.cgroup_dir) - 1);
    s.cgroup_dir[sizeof(s.cgroup_dir) - 1] = '\0';
    assert_int_equal(shim_arm(&s), 0);
    shim_disarm();
}

/* ---- LD_PRELOAD, xsdata --------------------------------------------- */

static void test_preload_without(void **state)
{
    static const struct {
        const char *in;
        size_t len;
        int rc;
        const char *out;
    } cases[] = {
        { "/usr/lib/dom0c/libdom0c-libxl-shim.so", 64, 0, "" },
        { "libdom0c-libxl-shim.so", 64, 0, "" },
        { "/a/libx.so:/usr/lib/dom0c/libdom0c-libxl-shim.so", 64, 0,
          "/a/libx.so" },
        { "/usr/lib/dom0c/libdom0c-libxl-shim.so /a/libx.so /b/y.so", 64,
          0, "/a/libx.so /b/y.so" },
        { "/a/not-libdom0c-libxl-shim.so", 64, 0,
          "/a/not-libdom0c-libxl-shim.so" },
        { "/a/libdom0c-libxl-shim.so.1", 64, 0,
          "/a/libdom0c-libxl-shim.so.1" },
        { "::/a/x.so  ", 64, 0, "/a/x.so" },
        { "", 64, 0, "" },
        { "/a/long-name.so", 8, -ENAMETOOLONG, NULL },
    };
    char out[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(shim_preload_without(cases[i].in, out,
                                              cases[i].len), cases[i].rc);
        if (!cases[i].rc)
            assert_string_equal(out, cases[i].out);
    }
}

static void test_xsdata(void **state)
{
    static const char *const keys[] = { "dom0c", "0", "dom0c-mb", "5x",
                                        "dom0c-max-mb", "4096" };
    libxl_domain_config c;

    (void)state;
    config(&c);
    assert_null(carve_xsdata_get(&c, "dom0c"));
    assert_false(carve_opted_out(&c));
    xsdata(&c, keys, 3);
    assert_true(carve_opted_out(&c));
    assert_int_equal(carve_xsdata_mb(&c, "dom0c-max-mb", 1), 4096);
    assert_int_equal(carve_xsdata_mb(&c, "dom0c-mb", 1), 1);   /* "5x" */
    assert_int_equal(carve_xsdata_mb(&c, "absent", 7), 7);
    libxl_domain_config_dispose(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_plain),
        cmocka_unit_test(test_request_explicit),
        cmocka_unit_test(test_request_default_target),
        cmocka_unit_test(test_apply_create),
        cmocka_unit_test(test_apply_keeps_own),
        cmocka_unit_test(test_apply_incoming),
        cmocka_unit_test(test_apply_refused),
        cmocka_unit_test(test_helper_args),
        cmocka_unit_test(test_affinity),
        cmocka_unit_test(test_atfork),
        cmocka_unit_test(test_preload_without),
        cmocka_unit_test(test_xsdata),
    };

    return cmocka_run_group_tests_name("shim", tests, NULL, NULL);
}
