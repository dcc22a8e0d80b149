/*
 * num.h - strict decimal numbers, as read from config and cgroup files.
 */
#ifndef D0_NUM_H
#define D0_NUM_H

#include <stddef.h>
#include <stdint.h>

/* n bytes of digits only (no sign, blank or base prefix) into *out:
 * 0, -EINVAL for anything else, -ERANGE past UINT64_MAX. */
int d0_parse_dec(const char *s, size_t n, uint64_t *out);

#endif
