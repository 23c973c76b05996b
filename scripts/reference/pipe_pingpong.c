/*
 * pipe_pingpong: reference round trip of a plain C pipe ping-pong.
 *
 * Two processes (fork), two pipes, blocking read/write of SIZE bytes
 * (default 64), N round trips (default 100000) after 1000 warm-up round
 * trips. Prints the mean nanoseconds per round trip on stdout:
 *
 *     pipe_pingpong [N] [SIZE] [pipe|socketpair]
 *
 * With "socketpair" the two processes talk over one AF_UNIX SOCK_STREAM
 * socketpair instead (what multiprocessing.Pipe() and the native Pipe
 * channel use).
 *
 * CPU placement is left to the caller (run.sh uses taskset).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

static void full(int fd, char *buf, size_t n, int writing) {
	while (n > 0) {
		ssize_t r = writing ? write(fd, buf, n) : read(fd, buf, n);
		if (r <= 0) {
			perror(writing ? "write" : "read");
			exit(1);
		}
		buf += r;
		n -= (size_t)r;
	}
}

static long long now_ns(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
	long n = argc > 1 ? atol(argv[1]) : 100000;
	size_t size = argc > 2 ? (size_t)atol(argv[2]) : 64;
	const long warm = 1000;
	int down[2], up[2];
	char *buf = calloc(1, size ? size : 1);
	int sock = argc > 3 && strcmp(argv[3], "socketpair") == 0;
	if (sock) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv)) {
			perror("socketpair");
			return 1;
		}
		/* parent writes down[1], reads up[0]; child reads down[0], writes up[1] */
		down[1] = up[0] = sv[0];
		down[0] = up[1] = sv[1];
	} else if (pipe(down) || pipe(up)) {
		perror("pipe");
		return 1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (long i = 0; i < warm + n; i++) {
			full(down[0], buf, size, 0);
			full(up[1], buf, size, 1);
		}
		_exit(0);
	}
	for (long i = 0; i < warm; i++) {
		full(down[1], buf, size, 1);
		full(up[0], buf, size, 0);
	}
	long long t0 = now_ns();
	for (long i = 0; i < n; i++) {
		full(down[1], buf, size, 1);
		full(up[0], buf, size, 0);
	}
	long long t1 = now_ns();
	int st;
	waitpid(pid, &st, 0);
	printf("%.1f ns/roundtrip (%ld round trips of %zu B over %s)\n", (double)(t1 - t0) / (double)n, n, size,
	       sock ? "socketpair" : "pipe");
	return 0;
}
