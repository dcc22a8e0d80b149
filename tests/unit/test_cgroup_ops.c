/*
 * test_cgroup_ops.c - the real cgroup ops on a plain directory tree made
 * with mkdtemp (opened O_PATH as the cgroup root, as d0_real_open does),
 * the path checks, the cgroup names and the cpu.stat / memory parsers.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cgroup.h"
#include "ops_real.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct tree {
    char dir[64];
    struct d0_real r;
};

/* Plain files stand for the control files (cgroupfs makes them). */
static void touch(struct tree *t, const char *rel, const char *text)
{
    char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", t->dir, rel);
    f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static bool exists(struct tree *t, const char *rel)
{
    struct stat st;

    return !fstatat(t->r.cg_root, rel, &st, AT_SYMLINK_NOFOLLOW);
}

static int setup(void **state)
{
    struct tree *t = calloc(1, sizeof(*t));

    assert_non_null(t);
    snprintf(t->dir, sizeof(t->dir), "/tmp/test_cgroup_XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    t->r.cg_root = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
    t->r.sys_root = -1;
    assert_true(t->r.cg_root >= 0);
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    struct tree *t = *state;
    char cmd[128];

    close(t->r.cg_root);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    assert_int_equal(system(cmd), 0);
    free(t);
    return 0;
}

static void test_mkdir_rmdir(void **state)
{
    struct tree *t = *state;
    void *h = &t->r;

    assert_int_equal(d0_cg_mkdir(h, "dom0c"), 0);
    assert_int_equal(d0_cg_mkdir(h, "dom0c"), -EEXIST);    /* exists: not a change */
    assert_int_equal(d0_cg_mkdir(h, "dom0c/main"), 0);
    assert_int_equal(d0_cg_mkdir(h, "dom0c/node1/dom7"), -ENOENT);
    assert_int_equal(d0_cg_mkdir(h, "dom0c/node1"), 0);
    assert_int_equal(d0_cg_mkdir(h, "dom0c/node1/dom7"), 0);
    assert_true(exists(t, "dom0c/node1/dom7"));
    assert_int_equal(d0_cg_rmdir(h, "dom0c/node1"), -ENOTEMPTY);
    assert_int_equal(d0_cg_rmdir(h, "dom0c/node1/dom7"), 0);
    assert_false(exists(t, "dom0c/node1/dom7"));
    assert_int_equal(d0_cg_rmdir(h, "dom0c/node1/dom7"), 0); /* missing */
    assert_int_equal(d0_cg_rmdir(h, "dom0c/node9/dom7"), 0);
    assert_int_equal(d0_cg_rmdir(h, "dom0c/node1"), 0);
    /* a file where a cgroup should be */
    touch(t, "dom0c/main/cpu.stat", "");
    assert_int_equal(d0_cg_mkdir(h, "dom0c/main/cpu.stat"), -ENOTDIR);
    assert_int_equal(d0_cg_rmdir(h, "dom0c/main/cpu.stat"), -ENOTDIR);
}

static void test_write_read(void **state)
{
    struct tree *t = *state;
    void *h = &t->r;
    char buf[64];

    assert_int_equal(d0_cg_mkdir(h, "dom0c"), 0);
    assert_int_equal(d0_cg_mkdir(h, "dom0c/main"), 0);
    touch(t, "dom0c/main/cpuset.cpus", "");
    touch(t, "cgroup.subtree_control", "cpu memory\n");

    assert_int_equal(d0_cg_write(h, "dom0c/main", "cpuset.cpus", "0-3"), 0);
    assert_int_equal(d0_cg_read(h, "dom0c/main", "cpuset.cpus", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "0-3");
    /* shorter values replace, not overlay */
    assert_int_equal(d0_cg_write(h, "dom0c/main", "cpuset.cpus", "5\n"), 0);
    assert_int_equal(d0_cg_read(h, "dom0c/main", "cpuset.cpus", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "5");
    /* one trailing newline goes, inner ones stay */
    assert_int_equal(d0_cg_write(h, "dom0c/main", "cpuset.cpus",
                                 "1\n22\n"), 0);
    assert_int_equal(d0_cg_read(h, "dom0c/main", "cpuset.cpus", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "1\n22");
    assert_int_equal(d0_cg_write(h, "dom0c/main", "cpuset.cpus", ""), 0);
    assert_int_equal(d0_cg_read(h, "dom0c/main", "cpuset.cpus", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "");
    /* cg "" is the root cgroup */
    assert_int_equal(d0_cg_read(h, "", "cgroup.subtree_control", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "cpu memory");
    assert_int_equal(d0_cg_write(h, "", "cgroup.subtree_control",
                                 "+cpuset +cpu +memory"), 0);
    assert_int_equal(d0_cg_read(h, "", "cgroup.subtree_control", buf,
                                sizeof(buf)), 0);
    assert_string_equal(buf, "+cpuset +cpu +memory");
}

/* A value must fit with its NUL after the newline is stripped; else
 * -ERANGE and buf untouched. */
static void test_read_sizes(void **state)
{
    static const struct {
        const char *text;
        size_t len;
        int rc;
        const char *want;
    } cases[] = {
        { "0-1", 4, 0, "0-1" },
        { "0-1\n", 4, 0, "0-1" },
        { "0-1", 3, -ERANGE, NULL },
        { "0-1\n", 3, -ERANGE, NULL },
        { "0-1\n\n", 5, 0, "0-1\n" },
        { "", 1, 0, "" },
        { "\n", 1, 0, "" },
        { "x", 1, -ERANGE, NULL },
        { "max", 0, -EINVAL, NULL },
    };
    struct tree *t = *state;
    char buf[16];

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        touch(t, "memory.max", cases[i].text);
        memset(buf, '#', sizeof(buf));
        assert_int_equal(d0_cg_read(&t->r, "", "memory.max", buf,
                                    cases[i].len), cases[i].rc);
        if (cases[i].want)
            assert_string_equal(buf, cases[i].want);
        else
            assert_int_equal(buf[0], '#');
    }
    /* a big file is read whole */
    {
        char big[5000], out[5000];

        memset(big, '7', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        touch(t, "cgroup.procs", big);
        assert_int_equal(d0_cg_read(&t->r, "", "cgroup.procs", out,
                                    sizeof(out)), 0);
        assert_string_equal(out, big);
        assert_int_equal(d0_cg_read(&t->r, "", "cgroup.procs", out,
                                    sizeof(out) - 1), -ERANGE);
    }
}

static void test_missing(void **state)
{
    struct tree *t = *state;
    void *h = &t->r;
    char buf[16];

    assert_int_equal(d0_cg_mkdir(h, "dom0c"), 0);
    assert_int_equal(d0_cg_read(h, "dom0c", "memory.max", buf, sizeof(buf)),
                     -ENOENT);
    assert_int_equal(d0_cg_write(h, "dom0c", "memory.max", "1"), -ENOENT);
    assert_false(exists(t, "dom0c/memory.max"));      /* no O_CREAT */
    assert_int_equal(d0_cg_read(h, "nope", "cgroup.procs", buf, sizeof(buf)),
                     -ENOENT);
    assert_int_equal(d0_cg_write(h, "nope", "cgroup.procs", "1"), -ENOENT);
    /* a directory is not a control file */
    assert_int_equal(d0_cg_write(h, "", "dom0c", "1"), -EISDIR);
    /* symlinks are not followed */
    assert_int_equal(symlinkat("/etc/passwd", t->r.cg_root, "dom0c/link"),
                     0);
    assert_int_equal(d0_cg_read(h, "dom0c", "link", buf, sizeof(buf)),
                     -ELOOP);
    assert_int_equal(d0_cg_write(h, "dom0c", "link", "x"), -ELOOP);
}

static const char *const bad_paths[] = {
    "../x", "..", "a/..", "a/../b", "x..y", "/abs", "/", "a//b", "a/", "//",
    ".", "./a", "a/./b", "a/.",
};

static void test_traversal(void **state)
{
    struct tree *t = *state;
    void *h = &t->r;
    char buf[16];

    touch(t, "cgroup.procs", "1\n");
    for (size_t i = 0; i < ARRAY_SIZE(bad_paths); i++) {
        const char *p = bad_paths[i];

        assert_int_equal(d0_cg_check_path(p), -EINVAL);
        assert_int_equal(d0_cg_mkdir(h, p), -EINVAL);
        assert_int_equal(d0_cg_rmdir(h, p), -EINVAL);
        assert_int_equal(d0_cg_read(h, p, "cgroup.procs", buf, sizeof(buf)),
                         -EINVAL);
        assert_int_equal(d0_cg_write(h, p, "cgroup.procs", "1"), -EINVAL);
        assert_int_equal(d0_cg_read(h, "", p, buf, sizeof(buf)), -EINVAL);
        assert_int_equal(d0_cg_write(h, "", p, "1"), -EINVAL);
    }
    /* empty names: the root cannot be made or removed; a file needs a
     * name and is one component */
    assert_int_equal(d0_cg_mkdir(h, ""), -EINVAL);
    assert_int_equal(d0_cg_rmdir(h, ""), -EINVAL);
    assert_int_equal(d0_cg_read(h, "", "", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(d0_cg_write(h, "", "a/cgroup.procs", "1"), -EINVAL);
    assert_int_equal(d0_cg_mkdir(h, NULL), -EINVAL);
    assert_int_equal(d0_cg_read(h, NULL, "x", buf, sizeof(buf)), -EINVAL);
    assert_int_equal(d0_cg_read(h, "", NULL, buf, sizeof(buf)), -EINVAL);
    assert_int_equal(d0_cg_read(h, "", "cgroup.procs", NULL, 4), -EINVAL);
    assert_int_equal(d0_cg_write(h, "", "cgroup.procs", NULL), -EINVAL);
    /* nothing escaped the root */
    assert_false(exists(t, "../x"));
    /* good names still pass */
    assert_int_equal(d0_cg_check_path("dom0c/node1/dom7"), 0);
    assert_int_equal(d0_cg_check_path("a.b/.c/d."), 0);
    assert_int_equal(d0_cg_check_path(""), -EINVAL);
    assert_int_equal(d0_cg_check_path(NULL), -EINVAL);
}

static void test_names(void **state)
{
    char buf[D0_CG_NAME_MAX], small[12] = "untouched";

    (void)state;
    assert_int_equal(d0_cg_main(buf, sizeof(buf)), 0);
    assert_string_equal(buf, "dom0c/main");
    assert_int_equal(d0_cg_node(buf, sizeof(buf), 0), 0);
    assert_string_equal(buf, "dom0c/node0");
    assert_int_equal(d0_cg_node(buf, sizeof(buf), 63), 0);
    assert_string_equal(buf, "dom0c/node63");
    assert_int_equal(d0_cg_leaf(buf, sizeof(buf), 1, 7), 0);
    assert_string_equal(buf, "dom0c/node1/dom7");
    assert_int_equal(d0_cg_leaf(buf, sizeof(buf), 4294967295u,
                                4294967295u), 0);
    assert_string_equal(buf, "dom0c/node4294967295/dom4294967295");
    /* too short: -ENAMETOOLONG, buf as it was */
    assert_int_equal(d0_cg_main(small, 10), -ENAMETOOLONG);
    assert_string_equal(small, "untouched");
    assert_int_equal(d0_cg_main(small, 11), 0);
    assert_string_equal(small, "dom0c/main");
    assert_int_equal(d0_cg_leaf(small, sizeof(small), 1, 7), -ENAMETOOLONG);
    assert_int_equal(d0_cg_node(NULL, 0, 1), -ENAMETOOLONG);
}

static void test_parse_cpu_stat(void **state)
{
    static const struct {
        const char *text;
        int rc;
        uint64_t usage, user, sys;
    } cases[] = {
        { "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
          "nr_periods 0\nnr_throttled 0\nthrottled_usec 0\n"
          "nr_bursts 0\nburst_usec 0\n", 0, 1500, 1000, 500 },
        { "system_usec 3\nuser_usec 2\nusage_usec 5", 0, 5, 2, 3 },
        { "usage_usec 18446744073709551615\nuser_usec 0\nsystem_usec 0\n",
          0, UINT64_MAX, 0, 0 },
        { "usage_usec 1\nuser_usec 1\n", -EINVAL, 0, 0, 0 },
        { "usage_usec 1\nuser_usec 1\nsystem_usec x\n", -EINVAL, 0, 0, 0 },
        { "usage_usec 1\nuser_usec 1\nsystem_usec -1\n", -EINVAL, 0, 0, 0 },
        { "usage_usec 1\nuser_usec 1\nsystem_usec \n", -EINVAL, 0, 0, 0 },
        { "usage_usec 1\nusage_usec 2\nuser_usec 1\nsystem_usec 1\n",
          -EINVAL, 0, 0, 0 },
        { "usage_usec 18446744073709551616\nuser_usec 0\nsystem_usec 0\n",
          -EINVAL, 0, 0, 0 },
        { "usage_usecs 1\nuser_usec 1\nsystem_usec 1\n", -EINVAL, 0, 0, 0 },
        { "", -EINVAL, 0, 0, 0 },
    };
    struct d0_cg_cpu c;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        memset(&c, 0xee, sizeof(c));
        assert_int_equal(d0_cg_parse_cpu_stat(cases[i].text, &c),
                         cases[i].rc);
        if (cases[i].rc) {
            assert_int_equal(c.usage_usec, 0xeeeeeeeeeeeeeeeeULL);
            continue;
        }
        assert_int_equal(c.usage_usec, cases[i].usage);
        assert_int_equal(c.user_usec, cases[i].user);
        assert_int_equal(c.system_usec, cases[i].sys);
    }
    assert_int_equal(d0_cg_parse_cpu_stat(NULL, &c), -EINVAL);
}

static void test_parse_bytes(void **state)
{
    static const struct {
        const char *text;
        int rc;
        uint64_t v;
    } cases[] = {
        { "max", 0, UINT64_MAX },
        { "max\n", 0, UINT64_MAX },
        { "0\n", 0, 0 },
        { "134217728", 0, 134217728 },
        { "18446744073709551615", 0, UINT64_MAX },
        { "18446744073709551616", -ERANGE, 0 },
        { "", -EINVAL, 0 },
        { "\n", -EINVAL, 0 },
        { "max\n\n", -EINVAL, 0 },
        { "Max", -EINVAL, 0 },
        { "12 ", -EINVAL, 0 },
        { " 12", -EINVAL, 0 },
        { "-1", -EINVAL, 0 },
        { "1k", -EINVAL, 0 },
        { NULL, -EINVAL, 0 },
    };
    uint64_t v;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        v = 42;
        assert_int_equal(d0_cg_parse_bytes(cases[i].text, &v), cases[i].rc);
        assert_int_equal(v, cases[i].rc ? 42 : cases[i].v);
    }
}

/* The one absolute path the backend formats (d0_cg_path). */
static void test_abs_path(void **state)
{
    static const struct {
        char *root;
        const char *cg;
        size_t len;
        int rc;
        const char *want;
    } cases[] = {
        { "/sys/fs/cgroup", "dom0c/node1/dom7", 64, 0,
          "/sys/fs/cgroup/dom0c/node1/dom7" },
        { "/sys/fs/cgroup/", "dom0c", 64, 0, "/sys/fs/cgroup/dom0c" },
        { "/", "dom0c/main", 64, 0, "/dom0c/main" },
        { "/sys/fs/cgroup", "dom0c/node1/dom7", 31, -ENAMETOOLONG, "" },
        { "/sys/fs/cgroup", "dom0c/../..", 64, -EINVAL, "" },
        { "/sys/fs/cgroup", "/dom0c", 64, -EINVAL, "" },
        { "/sys/fs/cgroup", "", 64, -EINVAL, "" },
        { NULL, "dom0c", 64, -EINVAL, "" },
    };
    struct d0_real r = { .cg_root = -1, .sys_root = -1 };
    char buf[64];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        r.cg_root_path = cases[i].root;
        buf[0] = '\0';
        assert_int_equal(d0_cg_path(&r, cases[i].cg, buf, cases[i].len),
                         cases[i].rc);
        if (!cases[i].rc)
            assert_string_equal(buf, cases[i].want);
    }
}

/* d0_real_open resolves the root it was given: the path is absolute. */
static void test_open_resolves_root(void **state)
{
    struct tree *t = *state;
    struct d0_real_args a = { .cgroup_root = t->dir, .sysroot = "/" };
    struct d0_backend be;
    char err[256], buf[128], want[128];

    assert_int_equal(d0_real_open(&a, &be, err, sizeof(err)), 0);
    assert_int_equal(be.ops->cg_path(be.h, "dom0c/node0/dom3", buf,
                                     sizeof(buf)), 0);
    snprintf(want, sizeof(want), "%s/dom0c/node0/dom3", t->dir);
    assert_string_equal(buf, want);
    be.ops->close(be.h);
    a.cgroup_root = "/nonexistent/cgroup";
    assert_int_equal(d0_real_open(&a, &be, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "/nonexistent/cgroup"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_mkdir_rmdir, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_sizes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_traversal, setup, teardown),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_parse_cpu_stat),
        cmocka_unit_test(test_parse_bytes),
        cmocka_unit_test(test_abs_path),
        cmocka_unit_test_setup_teardown(test_open_resolves_root, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("cgroup_ops", tests, NULL, NULL);
}
