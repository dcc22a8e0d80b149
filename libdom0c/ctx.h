/*
 * ctx.h - what a dom0c_ctx holds.  Internal.
 */
#ifndef D0_CTX_H
#define D0_CTX_H

#include <stdbool.h>

#include "config.h"
#include "dom0c.h"
#include "facts.h"
#include "policy.h"

struct dom0c_ctx {
    xentoollog_logger *lg;
    bool offline;               /* facts from a file: no effects */
    struct d0_config cfg;
    struct d0_facts facts;
    struct d0_layout layout;
    struct d0_host_load load;
};

#endif
