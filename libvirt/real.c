/*
 * real.c - libxenlight's own functions behind the ones the shim
 * defines.  libxenlight exports them as NAME@@VERS_4.17.0; the shim's
 * unversioned definitions satisfy libvirt's versioned references, and
 * dlvsym(RTLD_NEXT, NAME, "VERS_4.17.0") reaches the real ones.
 */
#include <dlfcn.h>
#include <pthread.h>

#include "shim.h"

static struct shim_real real;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void *next(const char *name)
{
    void *f = dlvsym(RTLD_NEXT, name, SHIM_LIBXL_VERSION);

    return f ? f : dlsym(RTLD_NEXT, name);
}

static void resolve(void)
{
    real.create_new = (__typeof__(real.create_new))
        next("libxl_domain_create_new");
    real.create_restore = (__typeof__(real.create_restore))
        next("libxl_domain_create_restore");
    real.suspend = (__typeof__(real.suspend))next("libxl_domain_suspend");
    real.destroy = (__typeof__(real.destroy))next("libxl_domain_destroy");
    real.set_memory_target = (__typeof__(real.set_memory_target))
        next("libxl_set_memory_target");
    real.setmaxmem = (__typeof__(real.setmaxmem))
        next("libxl_domain_setmaxmem");
    shim_atfork_register();
}

const struct shim_real *shim_real(void)
{
    pthread_once(&once, resolve);
    return &real;
}
