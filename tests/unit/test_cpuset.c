/*
 * test_cpuset.c - cpu lists parse and format round-trip.
 */
#include <errno.h>
#include <string.h>

#include "testlib.h"
#include "cpuset.h"

static const struct {
    const char *in;
    int rc;
    const char *out;
    unsigned count;
} cases[] = {
    { "0", 0, "0", 1 },
    { "0-3", 0, "0-3", 4 },
    { "0,1,2,3", 0, "0-3", 4 },
    { "3,0-1,8", 0, "0-1,3,8", 4 },
    { "63-65", 0, "63-65", 3 },
    { "4095", 0, "4095", 1 },
    { "", 0, "", 0 },
    { "all", 0, "0-7", 8 },         /* nr_cpus = 8 */
    { "4096", -EINVAL, NULL, 0 },
    { "3-1", -EINVAL, NULL, 0 },
    { "1,", -EINVAL, NULL, 0 },
    { ",1", -EINVAL, NULL, 0 },
    { "a", -EINVAL, NULL, 0 },
    { "1-", -EINVAL, NULL, 0 },
    { "-1", -EINVAL, NULL, 0 },
    { "1 2", -EINVAL, NULL, 0 },
};

static void test_parse_format(void **state)
{
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        d0_cpuset s, keep;
        char buf[64];

        memset(&keep, 0xa5, sizeof(keep));
        s = keep;
        print_message("cpuset '%s'\n", cases[i].in);
        assert_int_equal(d0_cpuset_parse(cases[i].in, 8, &s), cases[i].rc);
        if (cases[i].rc) {
            assert_true(d0_cpuset_equal(&s, &keep));  /* untouched */
            continue;
        }
        assert_int_equal(d0_cpuset_count(&s), cases[i].count);
        d0_cpuset_format(&s, buf, sizeof(buf));
        assert_string_equal(buf, cases[i].out);
    }
}

static void test_format_truncates(void **state)
{
    d0_cpuset s;
    char buf[4];

    assert_int_equal(d0_cpuset_parse("0-3,8,10-11", 64, &s), 0);
    assert_int_equal(d0_cpuset_format(&s, buf, sizeof(buf)),
                     (int)strlen("0-3,8,10-11"));
    assert_string_equal(buf, "0-3");
    assert_int_equal(d0_cpuset_next(&s, 4), 8);
    assert_int_equal(d0_cpuset_next(&s, 12), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_format),
        cmocka_unit_test(test_format_truncates),
    };

    return cmocka_run_group_tests_name("cpuset", tests, NULL, NULL);
}
