/*
 * memcpy_bw: single-core memcpy bandwidth of a buffer (default 1 MiB),
 * the reference for the shm stream. Copies the buffer back and forth
 * between two buffers for about SECONDS (default 1) after a warm-up and
 * prints the bandwidth in MB/s (1e6 bytes per second) of the best of 5
 * runs:
 *
 *     memcpy_bw [SIZE_BYTES] [SECONDS]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
	size_t size = argc > 1 ? (size_t)atol(argv[1]) : (1 << 20);
	double secs = argc > 2 ? atof(argv[2]) : 1.0;
	char *a = aligned_alloc(4096, size), *b = aligned_alloc(4096, size);
	memset(a, 1, size);
	memset(b, 2, size);
	for (int i = 0; i < 100; i++)
		memcpy(b, a, size);
	double best = 0;
	for (int run = 0; run < 5; run++) {
		long n = 0;
		double t0 = now_s(), t;
		do {
			for (int i = 0; i < 16; i++, n++) {
				if (n & 1)
					memcpy(a, b, size);
				else
					memcpy(b, a, size);
			}
			t = now_s();
		} while (t - t0 < secs / 5);
		double bw = (double)size * (double)n / (t - t0) / 1e6;
		if (bw > best)
			best = bw;
	}
	/* keep the copies observable */
	if (a[size / 2] == 42)
		puts("");
	printf("%.1f MB/s (memcpy of %zu B, best of 5)\n", best, size);
	return 0;
}
