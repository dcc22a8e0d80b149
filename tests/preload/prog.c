/*
 * prog.c - libvirt's side of the preload test: calls the six functions
 * through references bound to libfakexl's NAME@VERS_4.17.0, as
 * libvirt's libxl driver calls libxenlight's.  Run with the shim in
 * LD_PRELOAD on a host without dom0c (here: without Xen), every call
 * must reach the fake (its answer, its count), the shim must have seen
 * them (run.sh reads its messages) and taken itself out of LD_PRELOAD.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxl.h>

extern int fakexl_calls[6];

static int failures;

static void expect(const char *what, int got, int want, int idx, int calls)
{
    if (got == want && fakexl_calls[idx] == calls)
        return;
    fprintf(stderr, "prog: %s returned %d (want %d), fake called %d times "
            "(want %d)\n", what, got, want, fakexl_calls[idx], calls);
    failures++;
}

/* Whose definition the program's own references reach. */
static int interposed(const char *name)
{
    Dl_info info;
    void *f = dlsym(RTLD_DEFAULT, name);

    return f && dladdr(f, &info) && info.dli_fname &&
           strstr(info.dli_fname, "libdom0c-libxl-shim.so");
}

int main(void)
{
    libxl_domain_config c;
    libxl_asyncop_how ao;
    uint32_t domid = 0;
    const char *pre = getenv("LD_PRELOAD");

    memset(&c, 0, sizeof(c));
    memset(&ao, 0, sizeof(ao));
    if (!interposed("libxl_domain_destroy")) {
        fprintf(stderr, "prog: the shim does not stand in for "
                "libxl_domain_destroy\n");
        failures++;
    }
    if (pre && strstr(pre, "libdom0c-libxl-shim.so")) {
        fprintf(stderr, "prog: LD_PRELOAD still names the shim: %s\n", pre);
        failures++;
    }
    expect("create", libxl_domain_create_new(NULL, &c, &domid, NULL, NULL),
           4200, 0, 1);
    expect("restore", libxl_domain_create_restore(NULL, &c, &domid, 3, -1,
                                                  NULL, NULL, NULL),
           4201, 1, 1);
    expect("suspend", libxl_domain_suspend(NULL, 7, 3, 0, NULL), 4202, 2, 1);
    expect("destroy", libxl_domain_destroy(NULL, 7, NULL), 4203, 3, 1);
    expect("destroy, async", libxl_domain_destroy(NULL, 7, &ao), 4203, 3, 2);
    expect("setmem", libxl_set_memory_target(NULL, 7, 524288, 0, 1), 4204, 4,
           1);
    expect("setmem, relative", libxl_set_memory_target(NULL, 7, -1024, 1, 1),
           4204, 4, 2);
    expect("setmem, dom0", libxl_set_memory_target(NULL, 0, 524288, 0, 1),
           4204, 4, 3);
    expect("setmaxmem", libxl_domain_setmaxmem(NULL, 7, 1048576), 4205, 5, 1);
    printf("%d passed, %d failed\n", 9 + 2 - failures, failures);
    return failures ? 1 : 0;
}
