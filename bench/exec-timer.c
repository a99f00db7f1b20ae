/* exec-timer RUNS INPUT CMD [ARG...]: runs CMD RUNS times with stdin from INPUT and stdout to
 * /dev/null, and prints the wall time per run: median, p10, p90, min (microseconds). Measures the
 * whole fork+exec+run as a runtime pays it, without a shell in the way. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: exec-timer RUNS INPUT CMD [ARG...]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    if (runs < 1)
        return 2;
    double *us = calloc((size_t)runs, sizeof(*us));
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (!us || devnull < 0)
        return 1;
    for (int i = 0; i < runs; i++) {
        int in = open(argv[2], O_RDONLY | O_CLOEXEC);
        if (in < 0) {
            perror(argv[2]);
            return 1;
        }
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(in, 0);
            dup2(devnull, 1);
            dup2(devnull, 2);
            execv(argv[3], argv + 3);
            _exit(127);
        }
        int status;
        waitpid(pid, &status, 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        close(in);
        if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
            fprintf(stderr, "exec-timer: %s failed\n", argv[3]);
            return 1;
        }
        us[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3;
    }
    qsort(us, (size_t)runs, sizeof(*us), cmp_double);
    printf("median_us=%.0f p10_us=%.0f p90_us=%.0f min_us=%.0f runs=%d\n", us[runs / 2], us[runs / 10],
           us[runs * 9 / 10], us[0], runs);
    return 0;
}
