/* addr.c — IP address sets and the client behind trusted proxies (see
 * addr.h). No allocation: the header is walked in place, right to left. */
#include "core/addr.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parses one address of len bytes into *a (prefix: all of it). */
static int parse_ip(const char *s, size_t len, struct addr_net *a)
{
    char text[ADDR_TEXT_SZ];
    if (len == 0 || len >= sizeof text) return TD_E_INVALID;
    memcpy(text, s, len);
    text[len] = '\0';
    memset(a, 0, sizeof *a);
    if (inet_pton(AF_INET, text, a->ip) == 1) {
        a->prefix = 32;
        return TD_OK;
    }
    if (inet_pton(AF_INET6, text, a->ip) != 1) return TD_E_INVALID;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (memcmp(a->ip, mapped, sizeof mapped) == 0) {
        memmove(a->ip, a->ip + 12, 4);
        memset(a->ip + 4, 0, 12);
        a->prefix = 32;
        return TD_OK;
    }
    a->v6 = 1;
    a->prefix = 128;
    return TD_OK;
}

static int in_net(const struct addr_net *net, const struct addr_net *a)
{
    if (net->v6 != a->v6) return 0;
    int full = net->prefix / 8, rest = net->prefix % 8;
    if (memcmp(net->ip, a->ip, (size_t)full) != 0) return 0;
    if (!rest) return 1;
    unsigned char mask = (unsigned char)(0xff << (8 - rest));
    return (net->ip[full] & mask) == (a->ip[full] & mask);
}

static int set_has(const struct addr_set *s, const struct addr_net *a)
{
    for (size_t i = 0; i < s->n; i++)
        if (in_net(&s->net[i], a)) return 1;
    return 0;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

int addr_set_parse(const char *list, struct addr_set *out, char *why, size_t why_size)
{
    memset(out, 0, sizeof *out);
    why[0] = '\0';
    const char *p = list ? list : "";
    while (*p) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && is_space(*a)) a++;
        while (b > a && is_space(b[-1])) b--;
        if (a < b) {
            if (out->n == ADDR_SET_MAX) {
                snprintf(why, why_size, "more than %d addresses", ADDR_SET_MAX);
                return TD_E_INVALID;
            }
            const char *slash = memchr(a, '/', (size_t)(b - a));
            struct addr_net *net = &out->net[out->n];
            int rc = parse_ip(a, (size_t)((slash ? slash : b) - a), net);
            if (rc == TD_OK && slash) {
                char *stop = NULL;
                long bits = strtol(slash + 1, &stop, 10);
                if (stop != b || slash + 1 == b || bits < 0 || bits > (net->v6 ? 128 : 32)) rc = TD_E_INVALID;
                else net->prefix = (int)bits;
            }
            if (rc != TD_OK) {
                snprintf(why, why_size, "'%.*s' is not an IP address or network", (int)(b - a > 60 ? 60 : b - a), a);
                return TD_E_INVALID;
            }
            out->n++;
        }
        p = *end ? end + 1 : end;
    }
    return TD_OK;
}

int addr_set_has(const struct addr_set *s, const char *addr)
{
    struct addr_net a;
    return addr && parse_ip(addr, strlen(addr), &a) == TD_OK && set_has(s, &a);
}

static void put_text(const struct addr_net *a, char *out, size_t n)
{
    char text[ADDR_TEXT_SZ];
    if (!inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->ip, text, sizeof text)) text[0] = '\0';
    snprintf(out, n, "%s", text);
}

/* Walks one header value right to left from the hop *client (trusted so
 * far); 1 when the walk is over (an untrusted client, or an entry that is no
 * address), 0 when every entry was a trusted hop. */
static int walk(const struct addr_set *trusted, const char *v, struct addr_net *client)
{
    const char *end = v + strlen(v);
    while (end > v) {
        const char *start = end;
        while (start > v && start[-1] != ',') start--;
        const char *a = start, *b = end;
        while (a < b && is_space(*a)) a++;
        while (b > a && is_space(b[-1])) b--;
        end = start > v ? start - 1 : v;
        if (a == b) continue;                /* "a,,b" or a trailing comma */
        struct addr_net hop;
        if (parse_ip(a, (size_t)(b - a), &hop) != TD_OK) return 1;
        *client = hop;
        if (!set_has(trusted, &hop)) return 1;
    }
    return 0;
}

void addr_client(const struct addr_set *trusted, const char *peer, const char *const *xff, size_t nxff, char *out,
                 size_t n)
{
    struct addr_net client;
    if (parse_ip(peer, strlen(peer), &client) != TD_OK) {
        snprintf(out, n, "%s", peer);        /* e.g. "unknown": nothing to resolve */
        return;
    }
    /* Right to left: each entry was appended by the hop to its right, which
     * is trusted so far; the first untrusted one is the client. An entry
     * that is no address stops the walk at the hop that reported it:
     * nothing left of it can be believed. */
    if (set_has(trusted, &client))
        for (size_t i = nxff; i-- > 0;)
            if (xff[i] && walk(trusted, xff[i], &client)) break;
    put_text(&client, out, n);
}
