/*
 * test_io_ops.c - a domU's I/O counters read from a captured sysfs: the
 * sum over its vbds (sectors * 512) and vifs (bytes), other domains'
 * devices ignored, a malformed counter refused, no device at all ENOENT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testlib.h"
#include "ops_real.h"

struct sys {
    char dir[64];
    struct d0_real r;
};

static void put(struct sys *s, const char *rel, const char *text)
{
    char path[512], *p;
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", s->dir, rel);
    for (p = path + strlen(s->dir) + 1; (p = strchr(p, '/')); p++) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    struct sys *s = calloc(1, sizeof(*s));

    strcpy(s->dir, "/tmp/dom0c-io-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    put(s, "sys/bus/xen-backend/devices/vbd-5-51712/statistics/rd_sect", "8\n");
    put(s, "sys/bus/xen-backend/devices/vbd-5-51712/statistics/wr_sect", "2\n");
    put(s, "sys/bus/xen-backend/devices/vbd-5-51728/statistics/rd_sect", "0\n");
    put(s, "sys/bus/xen-backend/devices/vbd-5-51728/statistics/wr_sect", "10\n");
    put(s, "sys/bus/xen-backend/devices/vbd-50-51712/statistics/rd_sect", "99\n");
    put(s, "sys/bus/xen-backend/devices/vbd-50-51712/statistics/wr_sect", "99\n");
    put(s, "sys/class/net/vif5.0/statistics/rx_bytes", "1000\n");
    put(s, "sys/class/net/vif5.0/statistics/tx_bytes", "24\n");
    put(s, "sys/class/net/vif7.0/statistics/rx_bytes", "oops\n");
    put(s, "sys/class/net/vif7.0/statistics/tx_bytes", "1\n");
    s->r.sys_root = open(s->dir, O_PATH | O_DIRECTORY);
    assert_true(s->r.sys_root >= 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    struct sys *s = *state;
    char cmd[128];

    close(s->r.sys_root);
    snprintf(cmd, sizeof(cmd), "rm -rf %s", s->dir);
    assert_int_equal(system(cmd), 0);
    free(s);
    return 0;
}

static void test_sums(void **state)
{
    struct sys *s = *state;
    uint64_t b = 0;

    assert_int_equal(d0_io_bytes(&s->r, 5, &b), 0);
    assert_int_equal(b, (8 + 2 + 0 + 10) * 512 + 1000 + 24);
}

static void test_bad_and_absent(void **state)
{
    struct sys *s = *state;
    uint64_t b = 42;

    assert_int_equal(d0_io_bytes(&s->r, 7, &b), -EINVAL);  /* "oops" */
    assert_int_equal(d0_io_bytes(&s->r, 9, &b), -ENOENT);
    assert_int_equal(b, 42);                                /* untouched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_and_absent, setup,
                                        teardown),
    };

    return cmocka_run_group_tests_name("io_ops", tests, NULL, NULL);
}
