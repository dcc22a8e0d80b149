/*
 * test_request.c - the --domu request syntax.
 */
#include <errno.h>
#include <string.h>

#include "testlib.h"
#include "plan.h"

static const struct {
    const char *spec;
    int rc;
    uint64_t memory_mb;
    unsigned vcpus;
    int64_t eps;
    uint64_t nodemap;
    const char *err;                /* substring of the message */
} cases[] = {
    { "memory=4096,vcpus=2", 0, 4096, 2, -1, 0, NULL },
    { "vcpus=1,memory=512,epsilon=0", 0, 512, 1, 0, 0, NULL },
    { "memory=512,vcpus=2,nodes=0,2", 0, 512, 2, -1, 0x5, NULL },
    { "memory=512,nodes=1-2,vcpus=2", 0, 512, 2, -1, 0x6, NULL },
    { "memory=512", -EINVAL, 0, 0, 0, 0, "required" },
    { "memory=0,vcpus=1", -EINVAL, 0, 0, 0, 0, "memory=0" },
    { "memory=-5,vcpus=1", -EINVAL, 0, 0, 0, 0, "memory=-5" },
    { "memory=5x,vcpus=1", -EINVAL, 0, 0, 0, 0, "memory=5x" },
    { "memory=512,vcpus=0", -EINVAL, 0, 0, 0, 0, "vcpus=0" },
    { "memory=512,vcpus=1,epsilon=a", -EINVAL, 0, 0, 0, 0, "epsilon=a" },
    { "memory=512,vcpus=1,nodes=64", -EINVAL, 0, 0, 0, 0, "nodes=64" },
    { "memory=512,vcpus=1,cpus=3-1", -EINVAL, 0, 0, 0, 0, "cpus=3-1" },
    { "memory=512,vcpus=1,colour=red", -EINVAL, 0, 0, 0, 0, "'colour'" },
    { "memory", -EINVAL, 0, 0, 0, 0, "key=value" },
};

static void test_parse(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        dom0c_request r;
        char err[256] = "";

        memset(&r, 0x5a, sizeof(r));
        print_message("request '%s'\n", cases[i].spec);
        assert_int_equal(d0_request_parse(cases[i].spec, &r, err,
                                          sizeof(err)), cases[i].rc);
        if (cases[i].rc) {
            assert_non_null(strstr(err, cases[i].err));
            assert_int_equal(r.vcpus, 0x5a5a5a5a);    /* untouched */
            continue;
        }
        assert_int_equal(r.memory_mb, cases[i].memory_mb);
        assert_int_equal(r.vcpus, cases[i].vcpus);
        assert_int_equal(r.epsilon_mb, cases[i].eps);
        assert_int_equal(r.nodemap, cases[i].nodemap);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
    };

    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}
