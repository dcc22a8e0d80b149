/*
 * helper_args.c - the argv libxl gives libxl-save-helper (Xen 4.17,
 * tools/libs/light/libxl_save_callout.c run_helper(), read back by
 * libxl_save_helper.c main()):
 *
 *   argv[0]  the helper ($LIBXL_SAVE_HELPER, else libxl's own path)
 *   argv[1]  --save-domain | --restore-domain
 *   argv[2]  the stream fd          argv[3]  the back-channel fd
 *   argv[4]  the domid
 *   save:    FLAGS CBFLAGS STREAM_TYPE
 *   restore: STORE_EVTCHN STORE_DOMID CONSOLE_EVTCHN CONSOLE_DOMID
 *            CBFLAGS STREAM_TYPE
 *
 * Only the mode and the domid matter here; the rest is passed on as it
 * came, so a later libxl that adds numbers needs no change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shim.h"

#define FIRST_RESERVED 0x7ff0u      /* DOMID_FIRST_RESERVED */

static int mode(const char *arg, dom0c_op *op)
{
    if (!strcmp(arg, "--save-domain"))
        *op = DOM0C_OP_SAVE;
    else if (!strcmp(arg, "--restore-domain"))
        *op = DOM0C_OP_RESTORE;
    else
        return -EINVAL;
    return 0;
}

static int domid_of(const char *arg, uint32_t *domid)
{
    char *end;
    unsigned long v;

    if (*arg < '1' || *arg > '9')
        return -EINVAL;
    errno = 0;
    v = strtoul(arg, &end, 10);
    if (errno || *end || v >= FIRST_RESERVED)
        return -EINVAL;
    *domid = (uint32_t)v;
    return 0;
}

int shim_helper_args(int argc, char *const *argv, uint32_t *domid,
                     dom0c_op *op, char *err, size_t errlen)
{
    dom0c_op o;
    uint32_t d;

    if (argc < 5 || !argv) {
        snprintf(err, errlen, "%d argument%s: expected --save-domain or "
                 "--restore-domain, the stream fd, the back-channel fd and "
                 "the domid, as libxl passes them", argc > 0 ? argc - 1 : 0,
                 argc == 2 ? "" : "s");
        return -EINVAL;
    }
    if (mode(argv[1], &o)) {
        snprintf(err, errlen, "mode '%s' (argument 1): expected "
                 "--save-domain or --restore-domain", argv[1]);
        return -EINVAL;
    }
    if (domid_of(argv[4], &d)) {
        snprintf(err, errlen, "domid '%s' (argument 4): expected a domU's "
                 "domid, 1 to %u", argv[4], FIRST_RESERVED - 1);
        return -EINVAL;
    }
    *domid = d;
    *op = o;
    return 0;
}
