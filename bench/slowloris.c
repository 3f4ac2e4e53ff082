/* slowloris.c — `make bench` row (t): N sockets from several loopback
 * addresses (127.0.0.2, .3, ...: PER each, under the server's per-address
 * limit) that send a request's headers a byte at a time and never finish
 * them, for SECONDS. It prints "connected N" once every socket is open (the
 * bench starts its real clients then) and, at the end, "held N": how many
 * the server still had open. The server must keep serving everyone else.
 *
 * Usage: slowloris PORT SOCKETS PER SECONDS */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int connect_from(unsigned addr_no, unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000000u + addr_no)};
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(fd, (struct sockaddr *)&me, sizeof me) != 0 || connect(fd, (struct sockaddr *)&to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: slowloris PORT SOCKETS PER SECONDS\n");
        return 2;
    }
    unsigned port = (unsigned)strtoul(argv[1], NULL, 10);
    int n = (int)strtol(argv[2], NULL, 10), per = (int)strtol(argv[3], NULL, 10);
    double seconds = strtod(argv[4], NULL);
    if (n <= 0 || per <= 0) return 2;
    int *fds = calloc((size_t)n, sizeof *fds);
    if (!fds) return 1;
    int open_n = 0;
    for (int i = 0; i < n; i++) {
        fds[i] = connect_from(2u + (unsigned)(i / per), port);
        if (fds[i] >= 0) open_n++;
    }
    printf("connected %d\n", open_n);
    fflush(stdout);
    /* A header that never ends: one more byte per socket every 200 ms,
     * well inside the server's idle timeout, so only a limit on the whole
     * connection (or on the address) could close it. */
    static const char head[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    size_t k = 0;
    double end = now_s() + seconds;
    while (now_s() < end) {
        char c = k < sizeof head - 1 ? head[k] : 'a';
        for (int i = 0; i < n; i++)
            if (fds[i] >= 0 && send(fds[i], &c, 1, MSG_NOSIGNAL) != 1) {
                close(fds[i]);
                fds[i] = -1;
            }
        k++;
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    int held = 0;
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0) {
            held++;
            close(fds[i]);
        }
    printf("held %d\n", held);
    free(fds);
    return 0;
}
