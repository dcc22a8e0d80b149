/* dirty: the lab domU's memory dirtier (benchmark B2, live migration of a
 * memory-busy guest).  Keeps MB megabytes allocated and writes one word
 * in every 4 KiB page of CHUNK_MB of it every PERIOD_MS milliseconds,
 * round robin, for SECS seconds (0: forever).  Static, no libc beyond
 * the basics:  dirty [MB [CHUNK_MB [PERIOD_MS [SECS]]]]
 * Defaults: 32 MB, 8 MB every 100 ms (~80 MB/s of dirtied pages), forever. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
    long mb = argc > 1 ? atol(argv[1]) : 32;
    long chunk = argc > 2 ? atol(argv[2]) : 8;
    long period = argc > 3 ? atol(argv[3]) : 100;
    long secs = argc > 4 ? atol(argv[4]) : 0;
    size_t size = (size_t)mb << 20, step = 4096, pos = 0, i, n;
    volatile unsigned char *buf;
    struct timespec ts = { period / 1000, (period % 1000) * 1000000L };
    time_t end = secs > 0 ? time(NULL) + secs : 0;
    unsigned long pass = 0;

    if (mb <= 0 || chunk <= 0 || chunk > mb || period < 0)
        return 2;
    buf = malloc(size);
    if (!buf)
        return 1;
    n = ((size_t)chunk << 20) / step;
    for (;;) {
        for (i = 0; i < n; i++) {
            buf[pos] = (unsigned char)(pass + i);
            pos = (pos + step) % size;
        }
        pass++;
        if (end && time(NULL) >= end)
            break;
        if (period)
            nanosleep(&ts, NULL);
    }
    printf("dirty: %lu passes\n", pass);
    return 0;
}
