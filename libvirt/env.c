/*
 * env.c - the shim is for libvirtd (or virtxend) alone.  systemd's
 * Environment=LD_PRELOAD would hand it to every process libvirtd
 * starts (qemu, hotplug and hook scripts, the save helper, an xl a hook
 * might run); so, while libvirtd is still single-threaded (a preloaded
 * library's constructor runs before main), the shim takes itself out of
 * LD_PRELOAD.  The dynamic loader read it already: the shim stays.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

static bool is_shim(const char *entry, size_t len)
{
    size_t n = strlen(SHIM_SONAME);
    const char *name = entry;

    for (size_t i = 0; i < len; i++)
        if (entry[i] == '/')
            name = entry + i + 1;
    return (size_t)(entry + len - name) == n && !memcmp(name, SHIM_SONAME, n);
}

int shim_preload_without(const char *preload, char *out, size_t len)
{
    size_t used = 0;

    if (!len)
        return -ENAMETOOLONG;
    out[0] = '\0';
    for (const char *p = preload; p && *p;) {
        size_t n = strcspn(p, ": ");
        if (n && !is_shim(p, n)) {
            if (used + !!used + n >= len)
                return -ENAMETOOLONG;
            if (used)
                out[used++] = ' ';
            memcpy(out + used, p, n);
            out[used += n] = '\0';
        }
        p += n + (p[n] != '\0');
    }
    return 0;
}

static void __attribute__((constructor)) unexport(void)
{
    const char *preload = getenv("LD_PRELOAD");
    char rest[4096];

    if (!preload || !strstr(preload, SHIM_SONAME) ||
        shim_preload_without(preload, rest, sizeof(rest)))
        return;
    if (rest[0])
        setenv("LD_PRELOAD", rest, 1);
    else
        unsetenv("LD_PRELOAD");
}
