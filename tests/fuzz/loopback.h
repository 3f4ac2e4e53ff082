/* loopback.h — the fuzz targets' side of a connection to the HTTP server
 * they run in their own process on 127.0.0.1 (fuzz_http.c, fuzz_api.c). A
 * broken expectation aborts through the target's CHECK(). */
#ifndef TD_FUZZ_LOOPBACK_H
#define TD_FUZZ_LOOPBACK_H
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int loopback_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    CHECK(connect(fd, (struct sockaddr *)&a, sizeof a) == 0);
    return fd;
}

/* Sends what it can: the server may close early (after a 413, say). */
static void loopback_send(int fd, const void *data, size_t size)
{
    const char *p = data;
    for (size_t off = 0; off < size;) {
        ssize_t w = send(fd, p + off, size - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
}

/* Reads the answer into out (at most n - 1 bytes, NUL-ended) until the
 * server closes; then closes fd. The first byte must come within wait_ms
 * (else the server is wedged) unless first_ms >= 0, which ends the read
 * quietly when nothing came by then; quiet_ms >= 0 ends it after a pause
 * that long once something came. */
static size_t loopback_read(int fd, char *out, size_t n, int first_ms, int quiet_ms, int wait_ms)
{
    size_t got = 0;
    for (;;) {
        int ms = got ? (quiet_ms >= 0 ? quiet_ms : wait_ms) : (first_ms >= 0 ? first_ms : wait_ms);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, ms);
        if (ready == 0 && ((got && quiet_ms >= 0) || (!got && first_ms >= 0))) break;
        CHECK(ready == 1);
        char tmp[8192];
        ssize_t r = recv(fd, tmp, sizeof tmp, 0);
        if (r <= 0) break;
        size_t keep = (size_t)r < n - 1 - got ? (size_t)r : n - 1 - got;
        memcpy(out + got, tmp, keep);
        got += keep;
    }
    out[got] = '\0';
    close(fd);
    return got;
}

#endif
