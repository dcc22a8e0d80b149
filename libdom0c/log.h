/*
 * log.h - one message per failure, through the caller's logger.
 */
#ifndef D0_LOG_H
#define D0_LOG_H

#include <xentoollog.h>

#define D0_LOG(lg, lvl, errnoval, ...)                                      \
    do {                                                                    \
        if (lg)                                                             \
            xtl_log((lg), (lvl), (errnoval), "dom0c", __VA_ARGS__);         \
    } while (0)
#define D0_ERR(lg, errnoval, ...) D0_LOG(lg, XTL_ERROR, errnoval, __VA_ARGS__)
#define D0_WARN(lg, ...) D0_LOG(lg, XTL_WARN, -1, __VA_ARGS__)
#define D0_DEBUG(lg, ...) D0_LOG(lg, XTL_DEBUG, -1, __VA_ARGS__)

#endif
