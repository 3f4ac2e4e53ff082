/* addr.h — IP addresses, sets of them, and who the client of a request is.
 *
 * Behind a reverse proxy (nginx) every connection comes from the proxy, and
 * the proxy names the real client in X-Forwarded-For, appending the address
 * it saw to whatever list the client sent. Only the entries appended by
 * proxies we trust can be believed; everything to their left is the
 * client's own claim. So the client is the rightmost entry that is not a
 * trusted proxy, and the header is read at all only when the direct peer is
 * a trusted proxy. With no trusted proxies (the default) the header is
 * ignored and the client is the peer.
 */
#ifndef TD_ADDR_H
#define TD_ADDR_H
#include <stddef.h>
#include "core/status.h"

#define ADDR_SET_MAX 32
#define ADDR_TEXT_SZ 46          /* INET6_ADDRSTRLEN */

/* Addresses and networks ("10.0.0.5", "10.1.0.0/16", "::1", "fd00::/8").
 * IPv4-mapped IPv6 addresses (::ffff:10.0.0.5) count as their IPv4 one. */
struct addr_set {
    size_t n;
    struct addr_net {
        unsigned char ip[16];    /* IPv4 in the first 4 bytes */
        int v6;
        int prefix;              /* leading bits that must match */
    } net[ADDR_SET_MAX];
};

/* Parses a comma-separated list (spaces allowed; "" or NULL: the empty set).
 * TD_E_INVALID naming the bad entry in why, or when there are more than
 * ADDR_SET_MAX entries. */
int addr_set_parse(const char *list, struct addr_set *out /* OUT */, char *why, size_t why_size) TD_MUST_CHECK;
/* 1 when the address text is in the set (0 for text that is no address). */
int addr_set_has(const struct addr_set *s, const char *addr);

/* The client of a request whose direct peer is `peer` and whose
 * X-Forwarded-For headers are xff[0..nxff) in the order received (a list
 * split over several headers reads as one), into out: the address in
 * canonical text. Pure. */
void addr_client(const struct addr_set *trusted, const char *peer, const char *const *xff, size_t nxff, char *out,
                 size_t n);

#endif
