/*
 * fakexl.c - a libxenlight that only counts: the six functions the
 * shim stands in for, exported NAME@@VERS_4.17.0 like the real ones.
 * Each returns 4200 + its index, so the caller sees whose answer it got.
 */
#include <libxl.h>

int fakexl_calls[6];

int libxl_domain_create_new(libxl_ctx *ctx, libxl_domain_config *d_config,
                            uint32_t *domid, const libxl_asyncop_how *ao_how,
                            const libxl_asyncprogress_how *aop_console_how)
{
    fakexl_calls[0]++;
    return 4200;
}

int libxl_domain_create_restore(libxl_ctx *ctx, libxl_domain_config *d_config,
                                uint32_t *domid, int restore_fd,
                                int send_back_fd,
                                const libxl_domain_restore_params *params,
                                const libxl_asyncop_how *ao_how,
                                const libxl_asyncprogress_how *aop_console_how)
{
    fakexl_calls[1]++;
    return 4201;
}

int libxl_domain_suspend(libxl_ctx *ctx, uint32_t domid, int fd, int flags,
                         const libxl_asyncop_how *ao_how)
{
    fakexl_calls[2]++;
    return 4202;
}

int libxl_domain_destroy(libxl_ctx *ctx, uint32_t domid,
                         const libxl_asyncop_how *ao_how)
{
    fakexl_calls[3]++;
    return 4203;
}

int libxl_set_memory_target(libxl_ctx *ctx, uint32_t domid,
                            int64_t target_memkb, int relative, int enforce)
{
    fakexl_calls[4]++;
    return 4204;
}

int libxl_domain_setmaxmem(libxl_ctx *ctx, uint32_t domid,
                           uint64_t target_memkb)
{
    fakexl_calls[5]++;
    return 4205;
}
