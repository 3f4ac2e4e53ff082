/* api_system.c — health, readiness and metrics.
 *
 * /metrics is public unless TRUSTDESK_METRICS_TOKEN is set; then it needs
 * "Authorization: Bearer <that token>" (compared in constant time), so a
 * shop can keep its request counts to its monitoring. */
#include "api/handlers.h"
#include "core/token.h"
#include "db/db.h"
#include <string.h>

int api_health(struct api_call *a)
{
    return api_reply_json(a, 200, json_pack("{s:s}", "status", "ok"));
}

int api_ready(struct api_call *a)
{
    int64_t v = 0;
    int rc = db_query_int64(a->d.db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &v);
    if (rc != TD_OK || v == 0) return TD_E_UNAVAILABLE;
    return api_reply_json(a, 200, json_pack("{s:s,s:I}", "status", "ready", "schema_version", (json_int_t)v));
}

int api_metrics(struct api_call *a)
{
    if (a->app->metrics_token[0]) {
        const char *authz = http_header(a->r, "Authorization");
        if (!authz || strncmp(authz, "Bearer ", 7) != 0 || !token_equal(authz + 7, a->app->metrics_token))
            return TD_E_UNAUTHORIZED;
    }
    buf_reset(&a->r->out);
    int rc = http_metrics_render(&a->r->out);
    if (rc == TD_OK)
        rc = buf_printf(&a->r->out, "# HELP trustdesk_http_open_connections Connections held open now.\n"
                                    "# TYPE trustdesk_http_open_connections gauge\n"
                                    "trustdesk_http_open_connections %u\n", http_open_connections());
    if (rc != TD_OK) return rc;
    a->r->status = 200;
    a->r->content_type = "text/plain; version=0.0.4";
    return TD_OK;
}
