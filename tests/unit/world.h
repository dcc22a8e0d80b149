/*
 * world.h - a small fake host for the tests of the operations that
 * change a host (test_effects.c, test_locate.c, test_resize.c):
 * two nodes of two pCPUs, dom0 pinned 1:1, main = pCPU 0, eps 64 MB.
 */
#ifndef D0_WORLD_H
#define D0_WORLD_H

#include "ctx.h"
#include "fake_ops.h"

#define UUID "6b1f3c0e-0d4e-4a6e-9a8e-2f0c9b1d7e55"
#define UUID2 "0f9d2a11-5c3b-4e1a-8b7d-1a2b3c4d5e6f"
#define UUID3 "a0a0a0a0-1111-4222-8333-444455556666"

extern const char world_host[];         /* dom0 only */
extern const char world_host_domu[];    /* + domU 5 (UUID) on node 1 */
extern const char world_host_reused[];  /* + domU 5 running UUID3 */

struct world {
    struct fake f;
    dom0c_ctx *ctx;
};

/* DOM0C_TEST_LOG=1 shows the library's messages. */
xentoollog_logger *world_log(void);
/* A context over the fake with the world's dom0c.conf. */
dom0c_ctx *world_open(struct fake *f, enum d0_on_error mode);
/* cmocka setup/teardown: *state is a struct world on world_host. */
int world_setup(void **state);
int world_teardown(void **state);
/* dom0c_init, which must succeed. */
void world_init(struct world *w);
/* prepare for UUID (512 MB, 2 vCPUs), then domid 5 "appears". */
dom0c_decision world_prepare_and_create(struct world *w);
/* All of that, then the commit: domU 5 reserved (given 448 MB). */
void world_committed(struct world *w);

#endif
