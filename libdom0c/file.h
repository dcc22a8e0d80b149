/*
 * file.h - a whole file into memory.
 */
#ifndef D0_FILE_H
#define D0_FILE_H

#include <stddef.h>

/* The file, NUL-terminated, in *text (malloc'd) with its length.
 * -errno of fopen, -EIO, -ENOMEM, or -EFBIG past max bytes. */
int d0_read_file(const char *path, size_t max, char **text, size_t *len);

#endif
