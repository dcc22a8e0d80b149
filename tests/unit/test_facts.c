/*
 * test_facts.c - the facts model, its JSON format and the local Linux
 * source.  Fixtures are read from $DOM0C_TOP/tests/fixtures.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <yajl/yajl_gen.h>

#include "facts.h"

static const char *top(void)
{
    const char *t = getenv("DOM0C_TOP");

    return t && *t ? t : ".";
}

static void fixture_path(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/tests/fixtures/%s", top(), name);
}

/* Loads a fixture, failing the test with the message when it does not. */
static void load_fixture(const char *name, struct d0_facts *f)
{
    char path[512], err[512] = "";
    int rc;

    fixture_path(path, sizeof(path), name);
    rc = d0_facts_load(path, f, err, sizeof(err));
    if (rc)
        fail_msg("%s: rc %d: %s", name, rc, err);
}

/* JSON written with ' for " so the tables stay readable. */
static char *dq(const char *s)
{
    char *o = strdup(s);

    assert_non_null(o);
    for (char *p = o; *p; p++)
        if (*p == '\'')
            *p = '"';
    return o;
}

/* ---- fixtures ---------------------------------------------------------- */

static const struct fixture_case {
    const char *file;
    unsigned nodes, pcpus, online, domains, sets;
    uint64_t host_mb;
} fixtures[] = {
    { "lab-2x2.json", 2, 4, 4, 1, 5, 5120 },
    { "thesis-2s56.json", 2, 56, 56, 1, 57, 40960 },
    { "host-8node-448.json", 8, 448, 448, 1001, 457, 8 * 131072 },
    { "epyc-nps4.json", 8, 128, 128, 5, 134, 8 * 32768 },
    { "mixed-domains.json", 4, 16, 16, 8, 23, 4 * 8192 },
    { "asymmetric.json", 2, 8, 8, 1, 9, 16384 + 4096 },
    { "offline-cpus.json", 2, 8, 6, 1, 7, 16384 },
    { "single-node.json", 1, 4, 4, 1, 5, 8192 },
};

#define NR(a) (sizeof(a) / sizeof((a)[0]))

static void test_fixtures_load(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR(fixtures); i++) {
        const struct fixture_case *c = &fixtures[i];
        struct d0_facts f = { 0 };
        char err[256] = "";
        unsigned online = 0;

        load_fixture(c->file, &f);
        print_message("fixture %s: %u sets\n", c->file, f.nr_sets);
        assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), 0);
        assert_int_equal(f.nr_nodes, c->nodes);
        assert_int_equal(f.nr_pcpus, c->pcpus);
        for (unsigned p = 0; p < f.nr_pcpus; p++)
            online += f.pcpus[p].online;
        assert_int_equal(online, c->online);
        assert_int_equal(f.nr_domains, c->domains);
        assert_int_equal(f.nr_sets, c->sets);
        assert_int_equal(d0_facts_host_mb(&f), c->host_mb);
        assert_non_null(strstr(f.source, c->file));
        assert_non_null(d0_facts_domain(&f, 0));
        d0_facts_clear(&f);
        d0_facts_clear(&f);
    }
}

/* Emits, parses the text, emits again: the two texts are identical and
 * the model kept its shape. */
static void round_trip(const struct d0_facts *f, bool pretty)
{
    struct d0_facts g = { 0 };
    char *t1 = NULL, *t2 = NULL, err[256] = "";

    assert_int_equal(d0_facts_to_json_text(f, pretty, &t1), 0);
    if (d0_facts_from_json(t1, strlen(t1), &g, err, sizeof(err)))
        fail_msg("re-load: %s", err);
    assert_int_equal(d0_facts_to_json_text(&g, pretty, &t2), 0);
    assert_string_equal(t1, t2);
    assert_int_equal(g.nr_pcpus, f->nr_pcpus);
    assert_int_equal(g.nr_domains, f->nr_domains);
    assert_int_equal(g.nr_sets, f->nr_sets);
    assert_memory_equal(g.pcpus, f->pcpus, f->nr_pcpus * sizeof(*f->pcpus));
    assert_memory_equal(g.nodes, f->nodes, f->nr_nodes * sizeof(*f->nodes));
    free(t1);
    free(t2);
    d0_facts_clear(&g);
}

static void test_round_trip(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR(fixtures); i++) {
        struct d0_facts f = { 0 };

        print_message("round trip %s\n", fixtures[i].file);
        load_fixture(fixtures[i].file, &f);
        round_trip(&f, true);
        round_trip(&f, false);
        d0_facts_clear(&f);
    }
}

/* What the loader keeps of the optional fields (mixed-domains.json). */
static void test_domain_fields(void **state)
{
    const struct d0_domain *d;
    struct d0_facts f = { 0 };
    d0_cpuset s;

    (void)state;
    load_fixture("mixed-domains.json", &f);
    d = d0_facts_domain(&f, 1);
    assert_non_null(d);
    assert_string_equal(d->name, "vnuma-2x");
    assert_int_equal(strlen(d->uuid), 36);
    assert_int_equal(d->nr_vnuma, 2);
    assert_int_equal(d->vnuma[0].pnode, 0);
    assert_int_equal(d->vnuma[0].memory_mb, 3072);
    assert_int_equal(d->vnuma[1].memory_mb, 1024);
    assert_int_equal(d->node_affinity, 0x3);
    assert_int_equal(d->vcpus[2].pcpu, 5);
    assert_int_equal(d0_cpuset_parse("4-7", 16, &s), 0);
    assert_true(d0_cpuset_equal(&f.sets[d->vcpus[2].soft], &s));
    d = d0_facts_domain(&f, 2);
    assert_non_null(d);
    assert_non_null(d->node_pages);
    assert_int_equal(d->node_pages[3], 1280 * 256);
    assert_int_equal(d->node_affinity, 0xc);
    d = d0_facts_domain(&f, 5);
    assert_non_null(d);
    assert_int_equal(d->vcpus[0].pcpu, -1);
    assert_int_equal(d->node_affinity, 0);
    assert_null(d->node_pages);
    assert_int_equal(d->max_mb, 512);
    assert_null(d0_facts_domain(&f, 99));
    d0_facts_clear(&f);
}

static void test_node_cpus(void **state)
{
    static const struct {
        const char *file;
        unsigned node;
        const char *cpus;
    } cases[] = {
        { "lab-2x2.json", 0, "0-1" },
        { "lab-2x2.json", 1, "2-3" },
        { "offline-cpus.json", 0, "0-2" },
        { "offline-cpus.json", 1, "4-5,7" },
        { "asymmetric.json", 1, "6-7" },
        { "epyc-nps4.json", 5, "80-95" },
        { "single-node.json", 0, "0-3" },
    };

    (void)state;
    for (size_t i = 0; i < NR(cases); i++) {
        struct d0_facts f = { 0 };
        d0_cpuset got, want;

        load_fixture(cases[i].file, &f);
        d0_facts_node_cpus(&f, cases[i].node, &got);
        assert_int_equal(d0_cpuset_parse(cases[i].cpus, 64, &want), 0);
        assert_true(d0_cpuset_equal(&got, &want));
        d0_facts_clear(&f);
    }
}

/* ---- malformed input ----------------------------------------------------- */

#define PCPU(i, core, sock, node) \
    "{'id':" #i ",'core':" #core ",'socket':" #sock ",'node':" #node "}"
#define PCPUS "'pcpus':[" PCPU(0, 0, 0, 0) "," PCPU(1, 1, 0, 0) "," \
    PCPU(2, 0, 1, 1) "," PCPU(3, 1, 1, 1) "]"
#define NODES "'nodes':[{'id':0,'size_mb':2048,'free_mb':900}," \
    "{'id':1,'size_mb':2048,'free_mb':1000}]"
#define HOST "'version':1," PCPUS "," NODES
#define VCPU0 "'vcpus':[{'id':0,'pcpu':0}]"
#define DOM(id, rest) "{'domid':" #id ",'memory_mb':512," rest "}"
#define DOMS(list) "{" HOST ",'domains':[" list "]}"

static const struct bad_case {
    const char *json;
    const char *msg;            /* a substring of the message */
} bad[] = {
    { "{'version':1,", "not JSON: " },
    { "", "not JSON" },
    { "[1,2]", "top level: expected an object, got an array" },
    { "{'version':1," NODES "}", "pcpus: missing" },
    { "{" PCPUS "," NODES "}", "version: missing" },
    { "{'version':2," PCPUS "," NODES "}", "version = 2: unsupported" },
    { "{" HOST ",'domians':[]}",
      "domians: unknown field (expected version, pcpus, nodes, domains)" },
    { "{" HOST ",'version':1}", "version: given twice" },
    { "{'version':1,'pcpus':[]," NODES "}",
      "pcpus: 0 entries, expected at least 1" },
    { "{'version':1,'pcpus':{}," NODES "}",
      "pcpus: expected an array, got an object" },
    { "{'version':1,'pcpus':[" PCPU(0, 0, 0, 2) "]," NODES "}",
      "pcpus[0].node = 2: no such node (host has 2)" },
    { "{'version':1,'pcpus':[" PCPU(0, 0, 0, -1) "]," NODES "}",
      "pcpus[0].node = -1: an online pCPU needs a node (0 to 1)" },
    { "{'version':1,'pcpus':[" PCPU(0, 0, 0, -2) "]," NODES "}",
      "pcpus[0].node = -2: expected an integer from -1 to" },
    { "{'version':1,'pcpus':[" PCPU(1, 0, 0, 0) "]," NODES "}",
      "pcpus[0].id = 1: expected 0 (ids are 0..n-1 in order)" },
    { "{'version':1,'pcpus':[{'id':0,'core':0,'sockets':0,'node':0}],"
      NODES "}", "pcpus[0].sockets: unknown field (expected id, core, "
      "socket, node, online)" },
    { "{'version':1,'pcpus':[{'id':0,'core':0,'socket':0,'node':0,"
      "'online':1}]," NODES "}",
      "pcpus[0].online: expected true or false, got a number" },
    { "{'version':1,'pcpus':[{'id':0,'core':-1,'socket':-1,'node':-1,"
      "'online':false}]," NODES "}", "pcpus: none is online" },
    { "{'version':1," PCPUS ",'nodes':[{'id':0,'size_mb':2048,"
      "'free_mb':3000},{'id':1,'size_mb':1,'free_mb':0}]}",
      "nodes[0].free_mb = 3000: more than size_mb (2048)" },
    { "{'version':1," PCPUS ",'nodes':[{'id':0,'size_mb':2048,"
      "'free_mb':900,'distances':[10]},{'id':1,'size_mb':1,'free_mb':0}]}",
      "nodes[0].distances: 1 entry, expected 2" },
    { "{'version':1," PCPUS ",'nodes':[{'id':0,'size_mb':2048,"
      "'free_mb':900,'distances':[10,-20]},"
      "{'id':1,'size_mb':1,'free_mb':0}]}",
      "nodes[0].distances[1] = -20: expected an integer from 0 to" },
    { "{'version':1," PCPUS ",'nodes':[{'id':0,'size_mb':2048}]}",
      "nodes[0].free_mb: missing" },
    { DOMS(DOM(1, VCPU0) "," DOM(2, VCPU0) "," DOM(3, VCPU0) ","
           DOM(4, "'vcpus':[{'id':0,'pcpu':0},{'id':1,'pcpu':9}]")),
      "domains[3].vcpus[1].pcpu = 9: no such pCPU (host has 4)" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'hard':'0-'}]")),
      "domains[0].vcpus[0].hard = \"0-\": not a list like \"0-3,8\" or "
      "\"all\"" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'hard':'1,,2'}]")),
      "domains[0].vcpus[0].hard = \"1,,2\": not a list" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'soft':'2-5'}]")),
      "domains[0].vcpus[0].soft = \"2-5\": names pCPU 4 (host has 4)" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'soft':''}]")),
      "domains[0].vcpus[0].soft = \"\": empty" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'hard':3}]")),
      "domains[0].vcpus[0].hard: expected a string, got a number" },
    { DOMS(DOM(1, "'vcpus':[]")),
      "domains[0].vcpus: 0 entries, expected at least 1" },
    { DOMS(DOM(1, "'vcpus':[{'id':1}]")),
      "domains[0].vcpus[0].id = 1: expected 0" },
    { DOMS(DOM(1, "'vcpus':[{'id':0,'pcpu':-2}]")),
      "domains[0].vcpus[0].pcpu = -2: expected an integer from -1" },
    { DOMS("{'domid':1,'memory_mb':-5," VCPU0 "}"),
      "domains[0].memory_mb = -5: expected an integer from 0 to" },
    { DOMS("{'domid':1,'memory_mb':1.5," VCPU0 "}"),
      "domains[0].memory_mb = 1.5: expected an integer" },
    { DOMS("{'domid':1,'memory_mb':'512'," VCPU0 "}"),
      "domains[0].memory_mb: expected an integer, got a string" },
    { DOMS("{'domid':1,'memory_mb':99999999999999999999999," VCPU0 "}"),
      "domains[0].memory_mb = 99999999999999999999999: expected an " },
    { DOMS("{'domid':1,'memroy_mb':5," VCPU0 "}"),
      "domains[0].memroy_mb: unknown field (expected domid, uuid, name" },
    { DOMS("{'domid':1," VCPU0 "}"), "domains[0].memory_mb: missing" },
    { DOMS(DOM(7, VCPU0) "," DOM(7, VCPU0)),
      "domains[1].domid = 7: already used by domains[0]" },
    { DOMS(DOM(40000, VCPU0)),
      "domains[0].domid = 40000: expected an integer from 0 to 32751" },
    { DOMS(DOM(1, VCPU0 ",'node_affinity':'0-2'")),
      "domains[0].node_affinity = \"0-2\": names node 2 (host has 2)" },
    { DOMS(DOM(1, VCPU0 ",'node_affinity':'x'")),
      "domains[0].node_affinity = \"x\": not a list" },
    { DOMS(DOM(1, VCPU0 ",'vnuma':[{'pnode':5,'memory_mb':256}]")),
      "domains[0].vnuma[0].pnode = 5: no such node (host has 2)" },
    { DOMS(DOM(1, VCPU0 ",'vnuma':[{'pnode':0}]")),
      "domains[0].vnuma[0].memory_mb: missing" },
    { DOMS(DOM(1, VCPU0 ",'node_pages':[1]")),
      "domains[0].node_pages: 1 entry, expected 2" },
    { DOMS(DOM(1, VCPU0 ",'node_pages':[1,-1]")),
      "domains[0].node_pages[1] = -1: expected an integer from 0" },
    { DOMS(DOM(1, VCPU0 ",'uuid':'1234'")),
      "domains[0].uuid = \"1234\": not a UUID" },
    { DOMS(DOM(1, VCPU0 ",'uuid':'0000000000000-0000-0000-000000000000'")),
      "not a UUID" },
    { DOMS(DOM(1, VCPU0 ",'name':'0123456789012345678901234567890123456789"
               "012345678901234567890123'")),
      "domains[0].name = \"0123456789012345678901234567890123456789...\": "
      "longer than 63 bytes" },
    { DOMS(DOM(1, VCPU0 ",'name':null")),
      "domains[0].name: expected a string, got null" },
    { "{" HOST ",'domains':{}}", "domains: expected an array, got an object" },
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < NR(bad); i++) {
        struct d0_facts f = { .nr_pcpus = 12345 };
        char err[256] = "";
        char *json = dq(bad[i].json);
        int rc = d0_facts_from_json(json, strlen(json), &f, err, sizeof(err));

        if (rc != -EINVAL || !strstr(err, bad[i].msg))
            fail_msg("case %zu: rc %d, message \"%s\", expected \"%s\"", i,
                     rc, err, bad[i].msg);
        assert_int_equal(f.nr_pcpus, 12345);     /* out left alone */
        free(json);
    }
}

/* 65 nodes: one more than DOM0C_MAX_NODES. */
static void test_too_many_nodes(void **state)
{
    size_t cap = 8192, off;
    char *json = malloc(cap), err[256] = "";
    struct d0_facts f = { 0 };

    (void)state;
    assert_non_null(json);
    off = (size_t)snprintf(json, cap, "{\"version\":1,\"pcpus\":[{\"id\":0,"
                           "\"core\":0,\"socket\":0,\"node\":0}],\"nodes\":[");
    for (int n = 0; n <= DOM0C_MAX_NODES; n++)
        off += (size_t)snprintf(json + off, cap - off, "%s{\"id\":%d,"
                                "\"size_mb\":1,\"free_mb\":0}", n ? "," : "",
                                n);
    snprintf(json + off, cap - off, "]}");
    assert_int_equal(d0_facts_from_json(json, strlen(json), &f, err,
                                        sizeof(err)), -EINVAL);
    assert_string_equal(err, "nodes: 65 entries, at most 64 supported");
    free(json);
}

static void test_nul_and_small_err(void **state)
{
    static const char text[] = "{\"version\":1}\0";
    struct d0_facts f = { 0 };
    char err[256] = "", tiny[8] = "";

    (void)state;
    assert_int_equal(d0_facts_from_json(text, sizeof(text) - 1, &f, err,
                                        sizeof(err)), -EINVAL);
    assert_string_equal(err, "not JSON: NUL byte at offset 13");
    /* Messages are truncated, never overflow; no buffer at all is fine. */
    assert_int_equal(d0_facts_from_json("[]", 2, &f, tiny, sizeof(tiny)),
                     -EINVAL);
    assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
    assert_int_equal(d0_facts_from_json("[]", 2, &f, NULL, 0), -EINVAL);
}

static void test_load_errors(void **state)
{
    char dir[] = "/tmp/test_facts.XXXXXX", path[128], err[512] = "";
    struct d0_facts f = { 0 };
    FILE *fp;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/missing.json", dir);
    assert_int_equal(d0_facts_load(path, &f, err, sizeof(err)), -ENOENT);
    assert_non_null(strstr(err, "missing.json: No such file"));
    snprintf(path, sizeof(path), "%s/bad.json", dir);
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs("{\"version\": 1, \"pcpus\": []}", fp);
    fclose(fp);
    assert_int_equal(d0_facts_load(path, &f, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "bad.json: nodes: missing"));
    assert_int_equal(unlink(path), 0);
    assert_int_equal(rmdir(dir), 0);
}

/* Checks d0_facts_validate() on models no JSON could produce. */
static void test_validate_model(void **state)
{
    struct d0_pcpu pcpus[2] = { { 0, 0, 0, true }, { 1, 0, 0, true } };
    struct d0_node nodes[1] = { { 100, 50, { 10 } } };
    struct d0_vcpu vcpus[1] = { { 0, 0, 3 } };
    struct d0_domain dom = { .domid = 1, .nr_vcpus = 1, .vcpus = vcpus };
    struct d0_facts f = { .nr_pcpus = 2, .pcpus = pcpus, .nr_nodes = 1,
                          .nodes = nodes, .nr_domains = 1, .domains = &dom };
    d0_cpuset s;
    char err[256] = "";

    (void)state;
    d0_cpuset_zero(&s);
    d0_cpuset_set(&s, 0);
    assert_int_equal(d0_facts_intern(&f, &s), 0);
    assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "domains[0].vcpus[0].soft: set 3 does not "
                        "exist (1 interned)");
    vcpus[0].soft = 0;
    assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), 0);
    d0_cpuset_set(&s, 2);
    assert_int_equal(d0_facts_intern(&f, &s), 1);
    vcpus[0].hard = 1;
    assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "domains[0].vcpus[0].hard = \"0,2\": names "
                        "pCPU 2 (host has 2)");
    vcpus[0].hard = 0;
    dom.node_affinity = 0x2;
    assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), -EINVAL);
    assert_string_equal(err, "domains[0].node_affinity names node 1 "
                        "(host has 1)");
    dom.node_affinity = 0;
    dom.domid = 0x7FF0;
    assert_int_equal(d0_facts_validate(&f, err, sizeof(err)), -EINVAL);
    assert_non_null(strstr(err, "domains[0].domid = 32752: above"));
    free(f.sets);
}

static void test_intern(void **state)
{
    struct d0_facts f = { 0 };
    d0_cpuset a, b, c;

    (void)state;
    assert_int_equal(d0_cpuset_parse("0-3", 64, &a), 0);
    assert_int_equal(d0_cpuset_parse("4095", DOM0C_MAX_CPUS, &b), 0);
    assert_int_equal(d0_cpuset_parse("0-3", 64, &c), 0);
    assert_int_equal(d0_facts_intern(&f, &a), 0);
    assert_int_equal(d0_facts_intern(&f, &b), 1);
    assert_int_equal(d0_facts_intern(&f, &c), 0);
    assert_int_equal(f.nr_sets, 2);
    for (unsigned i = 0; i < 100; i++) {
        d0_cpuset_zero(&c);
        d0_cpuset_set(&c, i);
        assert_int_equal(d0_facts_intern(&f, &c), (int)i + 2);
    }
    assert_int_equal(f.nr_sets, 102);
    assert_true(d0_cpuset_equal(&f.sets[1], &b));
    d0_facts_clear(&f);
    assert_null(f.sets);
    assert_int_equal(f.nr_sets, 0);
    d0_facts_clear(NULL);
}

/* The facts can be one value inside a caller's document. */
static void test_emit_into_gen(void **state)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    struct d0_facts f = { 0 };
    const unsigned char *buf;
    size_t len;

    (void)state;
    load_fixture("single-node.json", &f);
    assert_int_equal(yajl_gen_map_open(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_string(g, (const unsigned char *)"facts", 5),
                     yajl_gen_status_ok);
    assert_int_equal(d0_facts_to_json(&f, g), 0);
    assert_int_equal(yajl_gen_map_close(g), yajl_gen_status_ok);
    assert_int_equal(yajl_gen_get_buf(g, &buf, &len), yajl_gen_status_ok);
    assert_true(len > 0 && !memcmp(buf, "{\"facts\":{\"version\":1,", 22));
    /* A finished document takes no more: -EINVAL, not a crash. */
    assert_int_equal(d0_facts_to_json(&f, g), -EINVAL);
    yajl_gen_free(g);
    d0_facts_clear(&f);
}

/* ---- local Linux --------------------------------------------------------- */

static void put(const char *dir, const char *rel, const char *text)
{
    char path[512], *p;
    FILE *fp;

    snprintf(path, sizeof(path), "%s/%s", dir, rel);
    for (p = strchr(path + strlen(dir) + 1, '/'); p; p = strchr(p + 1, '/')) {
        *p = '\0';
        mkdir(path, 0755);
        *p = '/';
    }
    fp = fopen(path, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* A captured tree: CPUs 0-4 present, 3 offline, cores/sockets odd. */
static void make_sysroot(const char *dir)
{
    static const struct { unsigned cpu; const char *core, *sock; } t[] = {
        { 0, "0\n", "0\n" }, { 1, "1\n", "0\n" }, { 2, "0\n", "1\n" },
        { 4, "5\n", "1\n" },
    };
    char rel[128];

    put(dir, "sys/devices/system/cpu/online", "0-2,4\n");
    put(dir, "sys/devices/system/cpu/present", "0-4\n");
    for (size_t i = 0; i < NR(t); i++) {
        snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/topology/"
                 "core_id", t[i].cpu);
        put(dir, rel, t[i].core);
        snprintf(rel, sizeof(rel), "sys/devices/system/cpu/cpu%u/topology/"
                 "physical_package_id", t[i].cpu);
        put(dir, rel, t[i].sock);
    }
    put(dir, "proc/meminfo", "MemTotal:       8388608 kB\n"
        "MemFree:        4194304 kB\nMemAvailable:   5000000 kB\n");
}

static void test_local_sysroot(void **state)
{
    static const int32_t core[] = { 0, 1, 0, -1, 5 };
    static const int32_t sock[] = { 0, 0, 1, -1, 1 };
    char dir[] = "/tmp/test_facts.XXXXXX", err[512] = "";
    struct d0_facts f = { 0 };
    bool pv = true;

    (void)state;
    assert_non_null(mkdtemp(dir));
    make_sysroot(dir);
    if (d0_facts_from_local(dir, &f, err, sizeof(err), &pv))
        fail_msg("local: %s", err);
    assert_string_equal(f.source, "local");
    assert_int_equal(f.nr_pcpus, 5);
    assert_true(f.nr_nodes >= 1);
    assert_int_equal(f.nr_domains, 0);
    assert_false(pv);
    for (unsigned c = 0; c < 5; c++) {
        assert_int_equal(f.pcpus[c].core, core[c]);
        assert_int_equal(f.pcpus[c].socket, sock[c]);
        assert_int_equal(f.pcpus[c].online, c != 3);
        assert_true(c == 3 ? f.pcpus[c].node == -1 : f.pcpus[c].node >= 0);
    }
    round_trip(&f, true);
    d0_facts_clear(&f);

    put(dir, "proc/xen/capabilities", "control_d\n");
    assert_int_equal(d0_facts_from_local(dir, &f, err, sizeof(err), &pv), 0);
    assert_int_equal(pv, f.nr_nodes == 1);
    d0_facts_clear(&f);
    assert_int_equal(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_local_hypervisor_type(void **state)
{
    char dir[] = "/tmp/test_facts.XXXXXX", err[512] = "";
    struct d0_facts f = { 0 };
    bool pv = false;

    (void)state;
    assert_non_null(mkdtemp(dir));
    make_sysroot(dir);
    put(dir, "sys/hypervisor/type", "xen\n");
    assert_int_equal(d0_facts_from_local(dir, &f, err, sizeof(err), &pv), 0);
    assert_int_equal(pv, f.nr_nodes == 1);
    d0_facts_clear(&f);
    put(dir, "sys/hypervisor/type", "kvm\n");
    assert_int_equal(d0_facts_from_local(dir, &f, err, sizeof(err), &pv), 0);
    assert_false(pv);
    d0_facts_clear(&f);
    assert_int_equal(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static void test_local_errors(void **state)
{
    static const struct {
        const char *rel, *text;
        int rc;
        const char *msg;
    } cases[] = {
        { "sys/devices/system/cpu/online", "0-x\n", -EINVAL,
          "sys/devices/system/cpu/online = \"0-x\": not a cpu list" },
        { "sys/devices/system/cpu/online", "\n", -EINVAL,
          "pcpus: none is online" },
        { "sys/devices/system/cpu/cpu1/topology/core_id", "one\n", -EINVAL,
          "cpu1/topology/core_id = \"one\": not an id" },
        { NULL, NULL, -ENOENT, "sys/devices/system/cpu/online: No such" },
    };

    (void)state;
    for (size_t i = 0; i < NR(cases); i++) {
        char dir[] = "/tmp/test_facts.XXXXXX", err[512] = "";
        struct d0_facts f = { .nr_pcpus = 777 };
        bool pv = true;
        int rc;

        assert_non_null(mkdtemp(dir));
        if (cases[i].rel) {
            make_sysroot(dir);
            put(dir, cases[i].rel, cases[i].text);
        }
        rc = d0_facts_from_local(dir, &f, err, sizeof(err), &pv);
        if (rc != cases[i].rc || !strstr(err, cases[i].msg))
            fail_msg("case %zu: rc %d \"%s\"", i, rc, err);
        assert_int_equal(f.nr_pcpus, 777);
        assert_true(pv);
        assert_int_equal(nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS), 0);
    }
}

/* This machine, through the real root. */
static void test_local_real(void **state)
{
    struct d0_facts f = { 0 };
    char err[512] = "";

    (void)state;
    if (d0_facts_from_local("/", &f, err, sizeof(err), NULL))
        fail_msg("local: %s", err);
    assert_true(f.nr_pcpus >= 1);
    assert_true(f.nr_nodes >= 1);
    assert_true(d0_facts_host_mb(&f) > 0);
    d0_facts_clear(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixtures_load),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_domain_fields),
        cmocka_unit_test(test_node_cpus),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_too_many_nodes),
        cmocka_unit_test(test_nul_and_small_err),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_validate_model),
        cmocka_unit_test(test_intern),
        cmocka_unit_test(test_emit_into_gen),
        cmocka_unit_test(test_local_sysroot),
        cmocka_unit_test(test_local_hypervisor_type),
        cmocka_unit_test(test_local_errors),
        cmocka_unit_test(test_local_real),
    };

    return cmocka_run_group_tests_name("facts", tests, NULL, NULL);
}
