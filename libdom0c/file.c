/*
 * file.c - a whole (configuration or facts) file into memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "file.h"

int d0_read_file(const char *path, size_t max, char **text, size_t *len)
{
    size_t cap = 0, n = 0, got;
    char *buf = NULL, *nb;
    FILE *fp;
    int rc = 0;

    fp = fopen(path, "re");
    if (!fp)
        return -errno;
    do {
        if (cap - n < 4096) {
            cap = cap ? cap * 2 : 65536;
            nb = cap > max + 65536 ? NULL : realloc(buf, cap);
            if (!nb) {
                rc = cap > max + 65536 ? -EFBIG : -ENOMEM;
                goto out;
            }
            buf = nb;
        }
        errno = 0;
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
    } while (got);
    if (ferror(fp))
        rc = errno ? -errno : -EIO;     /* -EISDIR for a directory */
    else if (n > max)
        rc = -EFBIG;
out:
    fclose(fp);
    if (rc) {
        free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return 0;
}

