/*
 * world.c - the fake host shared by the tests of effects (world.h).
 */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "world.h"

#define HOST_START "{\"version\":1,\"pcpus\":[" \
    "{\"id\":0,\"core\":0,\"socket\":0,\"node\":0}," \
    "{\"id\":1,\"core\":1,\"socket\":0,\"node\":0}," \
    "{\"id\":2,\"core\":0,\"socket\":1,\"node\":1}," \
    "{\"id\":3,\"core\":1,\"socket\":1,\"node\":1}]," \
    "\"nodes\":[{\"id\":0,\"size_mb\":2048,\"free_mb\":900}," \
    "{\"id\":1,\"size_mb\":3072,\"free_mb\":1900}]," \
    "\"domains\":[{\"domid\":0,\"name\":\"Domain-0\",\"memory_mb\":1024," \
    "\"vcpus\":[{\"id\":0,\"pcpu\":0,\"hard\":\"0\"}," \
    "{\"id\":1,\"pcpu\":1,\"hard\":\"1\"},{\"id\":2,\"pcpu\":2,\"hard\":\"2\"}," \
    "{\"id\":3,\"pcpu\":3,\"hard\":\"3\"}]}"
#define DOMU(id, uuid) ",{\"domid\":" #id ",\"uuid\":\"" uuid "\"," \
    "\"memory_mb\":448,\"node_affinity\":\"1\",\"vcpus\":[" \
    "{\"id\":0,\"pcpu\":3,\"hard\":\"1-3\"},{\"id\":1,\"pcpu\":2,\"hard\":\"1-3\"}]}"

const char world_host[] = HOST_START "]}";
const char world_host_domu[] = HOST_START DOMU(5, UUID) "]}";
const char world_host_reused[] = HOST_START DOMU(5, UUID3) "]}";

static const char conf[] = "main_profile = \"explicit\"\n"
                           "main_vcpus = 1\nmain_memory = 512\n"
                           "epsilon = 64\n";

xentoollog_logger *world_log(void)
{
    static xentoollog_logger *lg;

    if (!lg && getenv("DOM0C_TEST_LOG"))
        lg = (xentoollog_logger *)xtl_createlogger_stdiostream(stderr,
                                                               XTL_DEBUG, 0);
    return lg;
}

dom0c_ctx *world_open(struct fake *f, enum d0_on_error mode)
{
    struct d0_config cfg;
    char err[256];
    dom0c_ctx *ctx;

    assert_int_equal(d0_config_parse(conf, strlen(conf), "t", &cfg, err,
                                     sizeof(err)), 0);
    cfg.on_error = mode;
    assert_int_equal(d0_ctx_open_backend(&cfg, fake_backend(f), world_log(),
                                         &ctx), 0);
    return ctx;
}

int world_setup(void **state)
{
    struct world *w = calloc(1, sizeof(*w));

    assert_non_null(w);
    fake_init(&w->f, world_host);
    w->ctx = world_open(&w->f, D0_ON_ERROR_STRICT);
    *state = w;
    return 0;
}

int world_teardown(void **state)
{
    struct world *w = *state;

    dom0c_close(w->ctx);
    fake_free(&w->f);
    free(w);
    return 0;
}

void world_init(struct world *w)
{
    unsigned changes = 0;

    assert_int_equal(dom0c_init(w->ctx, 0, &changes), 0);
}

dom0c_decision world_prepare_and_create(struct world *w)
{
    dom0c_request r = { .uuid = UUID, .memory_mb = 512, .vcpus = 2,
                        .epsilon_mb = -1 };
    dom0c_decision d;

    assert_int_equal(dom0c_prepare(w->ctx, &r, &d), 0);
    assert_int_equal(d.verdict, DOM0C_OK);
    w->f.facts_json = world_host_domu;
    return d;
}

void world_committed(struct world *w)
{
    dom0c_decision d;

    world_init(w);
    d = world_prepare_and_create(w);
    assert_int_equal(dom0c_commit(w->ctx, 5, UUID, &d), 0);
}
