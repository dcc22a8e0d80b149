/*
 * test_config.c - dom0c.conf: defaults, profiles, overrides, every
 * rejection (its message names the key and the value), the key scanner
 * and loading files.  Tables of {text, expected}.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define DEFAULTS_TAIL "eps=64 base=75 min=128 " \
    "io=1024:32,8192:64,65536:128 hyst=0.25 strict"
#define DEFAULTS "openstack 2/2048 cpus=- " DEFAULTS_TAIL

/* 127 characters: the longest glob accepted. */
#define LONG_GLOB "0123456789abcdef0123456789abcdef0123456789abcdef" \
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef" \
    "0123456789abcde"
#define RULES_8 "\"comm:a\", \"comm:b\", \"comm:c\", \"comm:d\", " \
    "\"comm:e\", \"comm:f\", \"comm:g\", \"comm:h\""
#define RULES_32 RULES_8 ", " RULES_8 ", " RULES_8 ", " RULES_8
#define RULES_33 RULES_32 ", \"exe:z\""

/* One line with every field, so a case states all it expects. */
static void describe(const struct d0_config *c, char *buf, size_t len)
{
    char cpus[64] = "-", io[256] = "-";
    size_t off = 0;

    if (c->has_main_cpus)
        d0_cpuset_format(&c->main_cpus, cpus, sizeof(cpus));
    for (unsigned i = 0; i < c->nr_levels; i++)
        off += (size_t)snprintf(io + off, sizeof(io) - off,
                                "%s%" PRIu64 ":%" PRIu64, i ? "," : "",
                                c->levels[i].rate_kbps,
                                c->levels[i].reserve_mb);
    snprintf(buf, len, "%s %u/%" PRIu64 " cpus=%s eps=%" PRIu64
             " base=%" PRIu64 " min=%" PRIu64 " io=%s hyst=%g %s",
             d0_profile_name(c->profile), c->main_vcpus, c->main_mb, cpus,
             c->epsilon_mb, c->secondary_base_mb, c->domu_min_mb, io,
             c->hysteresis, d0_on_error_name(c->on_error));
}

static void assert_parses(const char *text, const char *expect)
{
    struct d0_config c;
    char err[512], got[512];
    int rc = d0_config_parse(text, strlen(text), "t.conf", &c, err,
                             sizeof(err));

    if (rc)
        print_error("text: %s\nerror: %s\n", text, err);
    assert_int_equal(rc, 0);
    assert_string_equal(err, "");
    describe(&c, got, sizeof(got));
    if (strcmp(got, expect))
        print_error("text: %s\n", text);
    assert_string_equal(got, expect);
}

static const struct {
    const char *text;
    const char *expect;
} good[] = {
    { "", DEFAULTS },
    { "# nothing but a comment\n\n", DEFAULTS },
    { "main_profile = \"openstack\"", DEFAULTS },
    { "main_profile = \"opennebula\"\n",
      "opennebula 2/1850 cpus=- " DEFAULTS_TAIL },
    { "main_profile = \"eucalyptus\"\n",
      "eucalyptus 1/1536 cpus=- " DEFAULTS_TAIL },
    { "main_profile = \"oracle\"\n", "oracle 2/0 cpus=- " DEFAULTS_TAIL },
    { "main_profile = 'explicit'\nmain_vcpus = 4\nmain_memory = 4096\n",
      "explicit 4/4096 cpus=- " DEFAULTS_TAIL },
    { "main_profile = \"explicit\"\nmain_cpus = \"2-4\"\n"
      "main_memory = 3000\n", "explicit 3/3000 cpus=2-4 " DEFAULTS_TAIL },
    /* overrides with any profile */
    { "main_vcpus = 4\n", "openstack 4/2048 cpus=- " DEFAULTS_TAIL },
    { "main_profile = \"eucalyptus\"\nmain_memory = 1024\n",
      "eucalyptus 1/1024 cpus=- " DEFAULTS_TAIL },
    { "main_profile = \"oracle\"\nmain_memory = 1500\n",
      "oracle 2/1500 cpus=- " DEFAULTS_TAIL },
    { "main_vcpus = 4096\nmain_memory = 16777216\n",
      "openstack 4096/16777216 cpus=- " DEFAULTS_TAIL },
    /* main_cpus gives the count, or must agree with main_vcpus */
    { "main_cpus = \"0-1\"\n", "openstack 2/2048 cpus=0-1 " DEFAULTS_TAIL },
    { "main_cpus = \"0,2,4\"\n",
      "openstack 3/2048 cpus=0,2,4 " DEFAULTS_TAIL },
    { "main_profile = \"eucalyptus\"\nmain_cpus = \"8-11\"\n",
      "eucalyptus 4/1536 cpus=8-11 " DEFAULTS_TAIL },
    { "main_cpus = \"4-5\"\nmain_vcpus = 2\n",
      "openstack 2/2048 cpus=4-5 " DEFAULTS_TAIL },
    { "main_cpus = 3\n", "openstack 1/2048 cpus=3 " DEFAULTS_TAIL },
    /* sizes */
    { "epsilon = 0\n", "openstack 2/2048 cpus=- eps=0 base=75 min=128 "
      "io=1024:32,8192:64,65536:128 hyst=0.25 strict" },
    { "epsilon = 1048576\nsecondary_base = 0\ndomu_min_memory = 1\n",
      "openstack 2/2048 cpus=- eps=1048576 base=0 min=1 "
      "io=1024:32,8192:64,65536:128 hyst=0.25 strict" },
    { "epsilon = \"32\"\n", "openstack 2/2048 cpus=- eps=32 base=75 "
      "min=128 io=1024:32,8192:64,65536:128 hyst=0.25 strict" },
    { "epsilon = 08\n", "openstack 2/2048 cpus=- eps=8 base=75 "
      "min=128 io=1024:32,8192:64,65536:128 hyst=0.25 strict" },
    { "epsilon = 1\nepsilon = 2\n", "openstack 2/2048 cpus=- eps=2 "
      "base=75 min=128 io=1024:32,8192:64,65536:128 hyst=0.25 strict" },
    { "secondary_base = 100; domu_min_memory = 512; on_error = \"degrade\"",
      "openstack 2/2048 cpus=- eps=64 base=100 min=512 "
      "io=1024:32,8192:64,65536:128 hyst=0.25 degrade" },
    /* I/O levels */
    { "io_levels = []\n", "openstack 2/2048 cpus=- eps=64 base=75 "
      "min=128 io=- hyst=0.25 strict" },
    { "io_levels = [ \"100:8\" ]\n", "openstack 2/2048 cpus=- eps=64 "
      "base=75 min=128 io=100:8 hyst=0.25 strict" },
    { "io_levels = [\n  \"1:1\", # low\n  \"2:2\",\n]\nepsilon = 5\n",
      "openstack 2/2048 cpus=- eps=5 base=75 min=128 io=1:1,2:2 "
      "hyst=0.25 strict" },
    { "io_levels = [ \"1:1\" ]\nio_levels += [ \"9:3\" ]\n",
      "openstack 2/2048 cpus=- eps=64 base=75 min=128 io=1:1,9:3 "
      "hyst=0.25 strict" },
    { "io_levels = [ \"1:1\", \"2:1\", \"3:1\", \"4:1\", \"5:1\", \"6:1\", "
      "\"7:1\", \"1099511627776:1048576\" ]\n",
      "openstack 2/2048 cpus=- eps=64 base=75 min=128 "
      "io=1:1,2:1,3:1,4:1,5:1,6:1,7:1,1099511627776:1048576 hyst=0.25 "
      "strict" },
    /* hysteresis */
    { "io_hysteresis = \"0\"\n", "openstack 2/2048 cpus=- eps=64 base=75 "
      "min=128 io=1024:32,8192:64,65536:128 hyst=0 strict" },
    { "io_hysteresis = 0\n", "openstack 2/2048 cpus=- eps=64 base=75 "
      "min=128 io=1024:32,8192:64,65536:128 hyst=0 strict" },
    { "io_hysteresis = \"0.5\"\n", "openstack 2/2048 cpus=- eps=64 "
      "base=75 min=128 io=1024:32,8192:64,65536:128 hyst=0.5 strict" },
    { "io_hysteresis = \".75\"\n", "openstack 2/2048 cpus=- eps=64 "
      "base=75 min=128 io=1024:32,8192:64,65536:128 hyst=0.75 strict" },
    { "io_hysteresis = \"0.999\"\n", "openstack 2/2048 cpus=- eps=64 "
      "base=75 min=128 io=1024:32,8192:64,65536:128 hyst=0.999 strict" },
    { "on_error = \"strict\"\n", DEFAULTS },
};

static void test_good(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(good); i++)
        assert_parses(good[i].text, good[i].expect);
}

/* Each rejection: every listed substring must be in the message. */
static const struct {
    const char *text;
    const char *want[3];
} bad[] = {
    /* profile */
    { "main_profile = \"foo\"\n", { "t.conf: main_profile = \"foo\"",
      "expected one of openstack, opennebula, eucalyptus, oracle, "
      "explicit" } },
    { "main_profile = [ \"oracle\" ]\n", { "main_profile = [", "list" } },
    { "main_profile = \"explicit\"\n",
      { "main_profile = \"explicit\"", "main_memory is missing" } },
    { "main_profile = \"explicit\"\nmain_vcpus = 2\n",
      { "main_profile = \"explicit\"", "main_memory is missing" } },
    { "main_profile = \"explicit\"\nmain_memory = 2048\n",
      { "main_profile = \"explicit\"", "main_vcpus is missing" } },
    /* main_vcpus, main_memory */
    { "main_vcpus = 0\n", { "main_vcpus = 0:", "1..4096" } },
    { "main_vcpus = 4097\n", { "main_vcpus = 4097:", "1..4096" } },
    { "main_vcpus = \"two\"\n", { "main_vcpus = \"two\"", "whole number" } },
    { "main_vcpus = \"-1\"\n", { "main_vcpus = \"-1\"", "1..4096" } },
    { "main_vcpus = 0x2\n", { "main_vcpus = 0x2:", "whole number" } },
    { "main_vcpus = \" 2\"\n", { "main_vcpus = \" 2\"", "whole number" } },
    { "main_vcpus = [ 2 ]\n", { "main_vcpus = [", "not a list" } },
    { "main_memory = 0\n", { "main_memory = 0:", "MB in 1..16777216" } },
    { "main_memory = 16777217\n", { "main_memory = 16777217", "16777216" } },
    { "main_memory = \"2 GB\"\n", { "main_memory = \"2 GB\"", "MB" } },
    { "main_memory = 99999999999999999999999\n",
      { "main_memory = 99999999999999999999999", "1..16777216" } },
    /* main_cpus */
    { "main_cpus = \"\"\n", { "main_cpus = \"\":", "non-empty" } },
    { "main_cpus = \"3-1\"\n", { "main_cpus = \"3-1\"", "\"0-1\"" } },
    { "main_cpus = \"all\"\n", { "main_cpus = \"all\"", "non-empty" } },
    { "main_cpus = \"4096\"\n", { "main_cpus = 4096", "below 4096" } },
    { "main_cpus = \"0-1,\"\n", { "main_cpus = \"0-1,\"", "pCPUs" } },
    { "main_cpus = \"0-3\"\nmain_vcpus = 2\n",
      { "main_cpus = \"0-3\"", "main_vcpus = 2", "4 pCPUs" } },
    /* sizes */
    { "epsilon = \"-1\"\n", { "epsilon = \"-1\"", "MB in 0..1048576" } },
    { "epsilon = 1048577\n", { "epsilon = 1048577:", "0..1048576" } },
    { "epsilon = \"abc\"\n", { "epsilon = \"abc\"", "whole number" } },
    { "epsilon = [ 1 ]\n", { "epsilon = [", "not a list" } },
    { "secondary_base = \"big\"\n",
      { "secondary_base = \"big\"", "0..1048576" } },
    { "domu_min_memory = 0\n", { "domu_min_memory = 0:", "1..16777216" } },
    /* io levels */
    { "io_levels = \"1024:32\"\n",
      { "io_levels = \"1024:32\"", "a list of \"RATE:RESERVE\"" } },
    { "io_levels = [ \"1024\" ]\n",
      { "io_levels item 1 = \"1024\"", "RATE:RESERVE" } },
    { "io_levels = [ \"1024:\" ]\n", { "item 1 = \"1024:\"", "RESERVE" } },
    { "io_levels = [ \":32\" ]\n", { "item 1 = \":32\"", "RATE" } },
    { "io_levels = [ \"0:32\" ]\n", { "item 1 = \"0:32\"", "1.." } },
    { "io_levels = [ \"1024:0\" ]\n", { "item 1 = \"1024:0\"", "1.." } },
    { "io_levels = [ \"1:1\", \"2:3:4\" ]\n", { "item 2 = \"2:3:4\"" } },
    { "io_levels = [ \"a:b\" ]\n", { "item 1 = \"a:b\"", "e.g. \"8192:64\"" } },
    { "io_levels = [ \"-1:32\" ]\n", { "item 1 = \"-1:32\"" } },
    { "io_levels = [ \"1024:1048577\" ]\n", { "item 1 = \"1024:1048577\"" } },
    { "io_levels = [ [ \"1:1\" ] ]\n", { "io_levels item 1 = [", "list" } },
    { "io_levels = [ \"8192:64\", \"1024:32\" ]\n",
      { "io_levels item 2 = \"1024:32\"", "8192", "strictly increasing" } },
    { "io_levels = [ \"1024:32\", \"1024:64\" ]\n",
      { "item 2 = \"1024:64\"", "strictly increasing" } },
    { "io_levels = [ \"1:1\", \"2:1\", \"3:1\", \"4:1\", \"5:1\", \"6:1\", "
      "\"7:1\", \"8:1\", \"9:1\" ]\n",
      { "io_levels = [", "9 levels", "at most 8" } },
    /* hysteresis */
    { "io_hysteresis = \"1.0\"\n", { "io_hysteresis = \"1.0\"", "[0, 1)" } },
    { "io_hysteresis = 1\n", { "io_hysteresis = 1:", "[0, 1)" } },
    { "io_hysteresis = \"-0.1\"\n", { "io_hysteresis = \"-0.1\"", "0.25" } },
    { "io_hysteresis = \"abc\"\n", { "io_hysteresis = \"abc\"", "[0, 1)" } },
    { "io_hysteresis = \"0.5x\"\n", { "io_hysteresis = \"0.5x\"" } },
    { "io_hysteresis = \".\"\n", { "io_hysteresis = \".\"" } },
    { "io_hysteresis = \"\"\n", { "io_hysteresis = \"\"" } },
    { "io_hysteresis = \"2.5e-1\"\n", { "io_hysteresis = \"2.5e-1\"" } },
    { "io_hysteresis = [ \"0.1\" ]\n", { "io_hysteresis = [", "list" } },
    /* on_error */
    { "on_error = \"lenient\"\n",
      { "on_error = \"lenient\"", "one of strict, degrade" } },
    /* unknown keys */
    { "foo = 1\n", { "unknown key 'foo' in t.conf line 1",
      "accepted keys: main_profile, main_vcpus", "on_error, class_t2, "
      "class_t1, class_t0" } },
    { "class_t3 = [ \"comm:x\" ]\n", { "unknown key 'class_t3'" } },
    /* process class rules */
    { "class_t1 = \"comm:nova-*\"\n",
      { "t.conf: class_t1 = \"comm:nova-*\"", "a list of rules" } },
    { "class_t2 = [ \"xl\" ]\n", { "t.conf: class_t2 item 1 = \"xl\"",
      "\"comm:GLOB\", \"exe:GLOB\" or \"cmdline:GLOB\"" } },
    { "class_t0 = [ \"comm:a\", \"name:b\" ]\n",
      { "class_t0 item 2 = \"name:b\"", "fnmatch" } },
    { "class_t1 = [ \"comm:\" ]\n", { "class_t1 item 1 = \"comm:\"",
      "non-empty" } },
    { "class_t1 = [ \":x\" ]\n", { "class_t1 item 1 = \":x\"" } },
    { "class_t1 = [ \"COMM:x\" ]\n", { "class_t1 item 1 = \"COMM:x\"" } },
    { "class_t1 = [ \"exe:x\tb\" ]\n", { "class_t1 item 1" } },
    { "class_t2 = [ \"cmdline:" LONG_GLOB "x\" ]\n",
      { "class_t2 item 1", "at most 127 characters" } },
    { "class_t2 = [ [ \"comm:xl\" ] ]\n", { "class_t2 item 1 = [",
      "not a list" } },
    { "class_t2 = [ 5 ]\n", { "class_t2 item 1 = \"5\"" } },
    { "class_t2 = [ " RULES_33 " ]\n",
      { "class_t2 = [ ... ] has 33 rules", "at most 32" } },
    { "epsilon = 8\n# x = 1\n\nmain_vpcus = 2\n",
      { "unknown key 'main_vpcus'", "line 4" } },
    { "io_levels = [ \"1:1\",\n \"2:2\" ]; eps = 3\n",
      { "unknown key 'eps'", "line 2" } },
    { "vm.cpumask = \"0\"\n", { "unknown key 'vm.cpumask'", "line 1" } },
    { "foo += [ \"x\" ]\n", { "unknown key 'foo'" } },
    /* syntax, reported by libxlutil */
    { "epsilon = -1\n", { "t.conf:1: config parsing error", "-1" } },
    { "\nio_hysteresis = 0.25\n", { "t.conf:2:", ".25", "key = \"text\"" } },
    { "epsilon = [ 1\n", { "t.conf:", "config parsing error" } },
    { "epsilon =\n", { "t.conf:", "config parsing error", "<newline>" } },
    { "epsilon = 1 2\n", { "t.conf:1:", "`2'" } },
    { "Epsilon = 1\n", { "t.conf:1:", "lexical error" } },
    { "epsilon = 1 # no newline at the end", { "t.conf:1:", "`#'" } },
};

static void test_bad(void **state)
{
    struct d0_config c, before;
    char err[512];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        const char *t = bad[i].text;
        int rc;

        memset(&c, 0xa5, sizeof(c));
        before = c;
        rc = d0_config_parse(t, strlen(t), "t.conf", &c, err, sizeof(err));
        if (rc != -EINVAL)
            print_error("text: %s\n", t);
        assert_int_equal(rc, -EINVAL);
        assert_memory_equal(&c, &before, sizeof(c));
        for (size_t k = 0; k < ARRAY_SIZE(bad[i].want) && bad[i].want[k];
             k++) {
            if (!strstr(err, bad[i].want[k]))
                print_error("text: %s\nerror: %s\nwanted: %s\n", t, err,
                            bad[i].want[k]);
            assert_non_null(strstr(err, bad[i].want[k]));
        }
    }
}

/* Errors with no message buffer, a tiny one, and a NULL fname. */
static void test_err_buffers(void **state)
{
    static const char t[] = "epsilon = \"x\"\n";
    struct d0_config c;
    char small[8];

    (void)state;
    assert_int_equal(d0_config_parse(t, strlen(t), "t", &c, NULL, 0),
                     -EINVAL);
    assert_int_equal(d0_config_parse(t, strlen(t), "t", &c, small,
                                     sizeof(small)), -EINVAL);
    assert_string_equal(small, "t: epsi");
    assert_int_equal(d0_config_parse(t, strlen(t), NULL, &c, small, 1),
                     -EINVAL);
    assert_string_equal(small, "");
    assert_int_equal(d0_config_parse(NULL, 0, NULL, &c, NULL, 0), 0);
    /* len, not the NUL, ends the text */
    assert_int_equal(d0_config_parse("epsilon = 9\nfoo", 12, NULL, &c,
                                     NULL, 0), 0);
    assert_int_equal(c.epsilon_mb, 9);
}

static const struct {
    const char *text;
    uint64_t host_mb;
    uint64_t main_mb;
} sizes[] = {
    { "main_profile = \"oracle\"", 40960, 1341 },   /* thesis host */
    { "main_profile = \"oracle\"", 4096, 585 },     /* 502 + 83 */
    { "main_profile = \"oracle\"", 0, 502 },
    { "main_profile = \"oracle\"", 1048576, 21997 }, /* 502 + 21495 */
    { "main_profile = \"oracle\"", UINT64_MAX / 100,
      502 + UINT64_MAX / 100 / 10000 * 205 +
      UINT64_MAX / 100 % 10000 * 205 / 10000 },
    { "main_profile = \"oracle\"\nmain_memory = 1000", 40960, 1000 },
    { "", 40960, 2048 },
    { "main_profile = \"opennebula\"", 40960, 1850 },
    { "main_profile = \"eucalyptus\"", 4096, 1536 },
};

static void test_main_mb(void **state)
{
    struct d0_config c;

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        const char *t = sizes[i].text;
        assert_int_equal(d0_config_parse(t, strlen(t), NULL, &c, NULL, 0),
                         0);
        assert_int_equal(d0_config_main_mb(&c, sizes[i].host_mb),
                         sizes[i].main_mb);
    }
}

/* "t2=comm:xl,exe:/x t1=- t0=-" */
static void describe_rules(const struct d0_config *c, char *buf, size_t len)
{
    static const char *const fields[] = { "comm", "exe", "cmdline" };
    const struct d0_class_rules *rs[] = {
        &c->class_t2, &c->class_t1, &c->class_t0,
    };
    size_t off = 0;

    buf[0] = '\0';
    for (unsigned k = 0; k < 3; k++) {
        off += (size_t)snprintf(buf + off, len - off, "%st%u=%s",
                                k ? " " : "", 2 - k, rs[k]->nr ? "" : "-");
        for (unsigned i = 0; i < rs[k]->nr && off < len; i++)
            off += (size_t)snprintf(buf + off, len - off, "%s%s:%s",
                                    i ? "," : "",
                                    fields[rs[k]->rule[i].field],
                                    rs[k]->rule[i].glob);
    }
}

static const struct {
    const char *text;
    const char *expect;
} class_cases[] = {
    { "", "t2=- t1=- t0=-" },
    { "class_t1 = []\n", "t2=- t1=- t0=-" },
    { "class_t2 = [ \"comm:my-tool\", \"exe:/opt/xen/bin/*\" ]\n",
      "t2=comm:my-tool,exe:/opt/xen/bin/* t1=- t0=-" },
    { "class_t1 = [ \"cmdline:*nova*\" ]\nclass_t0 = [ \"comm:[a-c]?\" ]",
      "t2=- t1=cmdline:*nova* t0=comm:[a-c]?" },
    { "class_t0 = [ \"exe:a:b\" ]\n", "t2=- t1=- t0=exe:a:b" },
    { "class_t1 = [ \"comm:a\" ]\nclass_t1 += [ \"comm:b\" ]\n",
      "t2=- t1=comm:a,comm:b t0=-" },
    { "class_t2 = [ \"cmdline:" LONG_GLOB "\" ]\n",
      "t2=cmdline:" LONG_GLOB " t1=- t0=-" },
    { "class_t2 = [ " RULES_32 " ]\n", "t2=comm:a,comm:b,comm:c,comm:d,"
      "comm:e,comm:f,comm:g,comm:h,comm:a,comm:b,comm:c,comm:d,comm:e,"
      "comm:f,comm:g,comm:h,comm:a,comm:b,comm:c,comm:d,comm:e,comm:f,"
      "comm:g,comm:h,comm:a,comm:b,comm:c,comm:d,comm:e,comm:f,comm:g,"
      "comm:h t1=- t0=-" },
};

static void test_class_rules(void **state)
{
    struct d0_config c;
    char err[512], got[1024], main_part[512];

    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(class_cases); i++) {
        const char *t = class_cases[i].text;
        int rc = d0_config_parse(t, strlen(t), "t.conf", &c, err,
                                 sizeof(err));

        if (rc)
            print_error("text: %s\nerror: %s\n", t, err);
        assert_int_equal(rc, 0);
        describe_rules(&c, got, sizeof(got));
        assert_string_equal(got, class_cases[i].expect);
        /* the other keys keep their defaults */
        describe(&c, main_part, sizeof(main_part));
        assert_string_equal(main_part, DEFAULTS);
    }
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(d0_profile_name(D0_PROFILE_OPENSTACK), "openstack");
    assert_string_equal(d0_profile_name(D0_PROFILE_OPENNEBULA),
                        "opennebula");
    assert_string_equal(d0_profile_name(D0_PROFILE_EUCALYPTUS),
                        "eucalyptus");
    assert_string_equal(d0_profile_name(D0_PROFILE_ORACLE), "oracle");
    assert_string_equal(d0_profile_name(D0_PROFILE_EXPLICIT), "explicit");
    assert_string_equal(d0_profile_name((enum d0_profile)99), "?");
    assert_string_equal(d0_on_error_name(D0_ON_ERROR_STRICT), "strict");
    assert_string_equal(d0_on_error_name(D0_ON_ERROR_DEGRADE), "degrade");
    assert_string_equal(d0_on_error_name((enum d0_on_error)-1), "?");
}

static void test_defaults(void **state)
{
    struct d0_config c;
    char got[512];

    (void)state;
    d0_config_defaults(&c);
    describe(&c, got, sizeof(got));
    assert_string_equal(got, DEFAULTS);
    assert_false(c.has_main_cpus);
    assert_true(d0_cpuset_empty(&c.main_cpus));
}

/* Key scanner: "key@line key@line". */
static int collect(const char *key, size_t len, unsigned line, void *arg)
{
    char *buf = arg;
    size_t off = strlen(buf);

    snprintf(buf + off, 256 - off, "%s%.*s@%u", off ? " " : "", (int)len,
             key, line);
    return 0;
}

static const struct {
    const char *text;
    const char *keys;
} scans[] = {
    { "", "" },
    { "a = 1\nb = \"x\"\n", "a@1 b@2" },
    { "# c = 1\na = 1 # b = 2\n", "a@2" },
    { "a = \"x = y\" ; b = 'q=\\'r'\n", "a@1 b@1" },
    { "a = \"#\"; b = 2", "a@1 b@1" },
    { "lv = [ \"1:2\",\n  \"3:4\" ]\nc = 1\n", "lv@1 c@3" },
    { "a = [ [ \"x\" ], \"y=z\" ]\nb = 2", "a@1 b@2" },
    { "a = [\n# ] = x\n1]\nb=2", "a@1 b@4" },
    { "a += [ \"x\" ]\n", "a@1" },
    { "vm.cpumask = \"0\"\n", "vm.cpumask@1" },
    { "\n\n  k\t=\t1", "k@3" },
    { "a = \"unterminated\nb = 1\n", "a@1 b@2" },
    { "= 1\n]\nc = 2\n", "c@3" },
};

static void test_scan(void **state)
{
    (void)state;
    for (size_t i = 0; i < ARRAY_SIZE(scans); i++) {
        char buf[256] = "";
        const char *t = scans[i].text;

        assert_int_equal(d0_config_scan_keys(t, strlen(t), collect, buf), 0);
        if (strcmp(buf, scans[i].keys))
            print_error("text: %s\n", t);
        assert_string_equal(buf, scans[i].keys);
    }
}

static int stop_at_b(const char *key, size_t len, unsigned line, void *arg)
{
    (void)line;
    ++*(int *)arg;
    return len == 1 && key[0] == 'b' ? 7 : 0;
}

static void test_scan_stops(void **state)
{
    static const char t[] = "a = 1\nb = 2\nc = 3\n";
    int calls = 0;

    (void)state;
    assert_int_equal(d0_config_scan_keys(t, strlen(t), stop_at_b, &calls),
                     7);
    assert_int_equal(calls, 2);
    /* len bounds the scan */
    calls = 0;
    assert_int_equal(d0_config_scan_keys(t, 5, stop_at_b, &calls), 0);
    assert_int_equal(calls, 1);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    assert_int_equal(fclose(f), 0);
}

static void test_load(void **state)
{
    char path[] = "/tmp/test_config_XXXXXX", err[512], got[512];
    struct d0_config c;
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_file(path, "main_profile = \"oracle\"\nepsilon = 0\n");
    assert_int_equal(d0_config_load(path, true, &c, err, sizeof(err)), 0);
    assert_int_equal(c.profile, D0_PROFILE_ORACLE);
    assert_int_equal(c.epsilon_mb, 0);

    write_file(path, "epsilon = \"x\"\n");
    assert_int_equal(d0_config_load(path, true, &c, err, sizeof(err)),
                     -EINVAL);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "epsilon = \"x\""));

    unlink(path);
    memset(&c, 0, sizeof(c));
    assert_int_equal(d0_config_load(path, false, &c, err, sizeof(err)), 0);
    describe(&c, got, sizeof(got));
    assert_string_equal(got, DEFAULTS);
    assert_int_equal(d0_config_load(path, true, &c, err, sizeof(err)),
                     -ENOENT);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "No such file"));
    assert_int_equal(d0_config_load("/", true, &c, err, sizeof(err)),
                     -EISDIR);
}

/* The shipped example must parse (make unit sets DOM0C_TOP). */
static void test_example(void **state)
{
    const char *top = getenv("DOM0C_TOP");
    char path[4096], err[512];
    struct d0_config c;

    (void)state;
    snprintf(path, sizeof(path), "%s/examples/dom0c.conf", top ? top : ".");
    if (access(path, R_OK))
        skip();
    if (d0_config_load(path, true, &c, err, sizeof(err)))
        print_error("%s\n", err);
    assert_int_equal(d0_config_load(path, true, &c, err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_err_buffers),
        cmocka_unit_test(test_main_mb),
        cmocka_unit_test(test_class_rules),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_scan),
        cmocka_unit_test(test_scan_stops),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_example),
    };

    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
