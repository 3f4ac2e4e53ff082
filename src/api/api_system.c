/* api_system.c — health, readiness and metrics. */
#include "api/handlers.h"
#include "db/db.h"

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
    buf_reset(&a->r->out);
    int rc = http_metrics_render(&a->r->out);
    if (rc != TD_OK) return rc;
    a->r->status = 200;
    a->r->content_type = "text/plain; version=0.0.4";
    return TD_OK;
}
