/* metrics.c — request counters and latency histograms per route, in the
 * Prometheus text format.
 *
 * Routes are few and their names are static strings (route patterns, or a
 * few fixed names such as "unmatched"), methods fold into six labels (any
 * other method is "OTHER") and statuses into five classes, so the number of
 * series is bounded by the code, not by what clients send: the table is
 * sized for all of them (METRICS_MAX), and no client can fill it so that
 * real routes go uncounted. A fixed table with a mutex is enough; it is
 * touched once per request.
 */
#include "http/http.h"
#include <pthread.h>
#include <string.h>

#define METRICS_MAX HTTP_METRICS_SERIES
static const int64_t bounds_us[] = {500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
#define NBOUNDS (sizeof bounds_us / sizeof bounds_us[0])

struct series {
    const char *route, *method;
    int status_class;            /* 2, 3, 4, 5 */
    uint64_t count;
    uint64_t bucket[NBOUNDS];
    double sum_s;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct series table[METRICS_MAX];
static size_t nseries;

void http_metrics_observe(const char *route, const char *method, int status, int64_t micros)
{
    int cls = status / 100;
    pthread_mutex_lock(&lock);
    struct series *s = NULL;
    for (size_t i = 0; i < nseries; i++)
        if (table[i].route == route && table[i].status_class == cls && strcmp(table[i].method, method) == 0) {
            s = &table[i];
            break;
        }
    if (!s && nseries < METRICS_MAX) {
        s = &table[nseries++];
        s->route = route;
        s->method = strcmp(method, "GET") == 0 ? "GET" : strcmp(method, "POST") == 0 ? "POST"
                  : strcmp(method, "PATCH") == 0 ? "PATCH" : strcmp(method, "DELETE") == 0 ? "DELETE"
                  : strcmp(method, "PUT") == 0 ? "PUT" : "OTHER";
        s->status_class = cls;
    }
    if (s) {
        s->count++;
        s->sum_s += (double)micros / 1e6;
        for (size_t b = 0; b < NBOUNDS; b++)
            if (micros <= bounds_us[b]) s->bucket[b]++;
    }
    pthread_mutex_unlock(&lock);
}

int http_metrics_render(struct buf *out)
{
    int rc = TD_OK;
    pthread_mutex_lock(&lock);
    rc = buf_puts(out, "# HELP trustdesk_http_requests_total Requests answered, by route, method and status class.\n"
                       "# TYPE trustdesk_http_requests_total counter\n");
    for (size_t i = 0; i < nseries && rc == TD_OK; i++)
        rc = buf_printf(out, "trustdesk_http_requests_total{route=\"%s\",method=\"%s\",status=\"%dxx\"} %llu\n",
                        table[i].route, table[i].method, table[i].status_class,
                        (unsigned long long)table[i].count);
    if (rc == TD_OK)
        rc = buf_puts(out, "# HELP trustdesk_http_request_duration_seconds Time to answer, by route.\n"
                           "# TYPE trustdesk_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i < nseries && rc == TD_OK; i++) {
        const struct series *s = &table[i];
        for (size_t b = 0; b < NBOUNDS && rc == TD_OK; b++)
            rc = buf_printf(out, "trustdesk_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%dxx\",le=\"%g\"} %llu\n",
                            s->route, s->method, s->status_class, (double)bounds_us[b] / 1e6,
                            (unsigned long long)s->bucket[b]);
        if (rc == TD_OK)
            rc = buf_printf(out, "trustdesk_http_request_duration_seconds_bucket{route=\"%s\",method=\"%s\",status=\"%dxx\",le=\"+Inf\"} %llu\n"
                                 "trustdesk_http_request_duration_seconds_sum{route=\"%s\",method=\"%s\",status=\"%dxx\"} %.6f\n"
                                 "trustdesk_http_request_duration_seconds_count{route=\"%s\",method=\"%s\",status=\"%dxx\"} %llu\n",
                            s->route, s->method, s->status_class, (unsigned long long)s->count,
                            s->route, s->method, s->status_class, s->sum_s,
                            s->route, s->method, s->status_class, (unsigned long long)s->count);
    }
    pthread_mutex_unlock(&lock);
    return rc;
}
