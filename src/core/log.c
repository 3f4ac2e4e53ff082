/* log.c — JSON lines on stderr. One fputs per line keeps lines whole when
 * several threads log at once (stdio locks the stream per call). */
#include "core/log.h"
#include "core/buf.h"
#include "core/clock.h"
#include <stdarg.h>
#include <stdio.h>

static enum log_level min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

void log_set_level(enum log_level min) { min_level = min; }

static void put_json_string(struct buf *b, const char *s)
{
    TD_BEST_EFFORT(buf_putc(b, '"'));
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') TD_BEST_EFFORT(buf_printf(b, "\\%c", c));
        else if (c < 0x20) TD_BEST_EFFORT(buf_printf(b, "\\u%04x", c));
        else TD_BEST_EFFORT(buf_putc(b, (char)c));
    }
    TD_BEST_EFFORT(buf_putc(b, '"'));
}

static void start(struct buf *b, enum log_level lvl, const char *msg)
{
    char ts[40];
    clock_format_rfc3339(clock_now_us(NULL), ts, sizeof ts);
    TD_BEST_EFFORT(buf_puts(b, "{\"time\":"));
    put_json_string(b, ts);
    TD_BEST_EFFORT(buf_printf(b, ",\"level\":\"%s\",\"msg\":", level_names[lvl]));
    put_json_string(b, msg);
}

static void finish(struct buf *b)
{
    TD_BEST_EFFORT(buf_puts(b, "}\n"));
    if (b->data) fputs(b->data, stderr);
    buf_free(b);
}

void log_msg(enum log_level lvl, const char *msg, ...)
{
    if (lvl < min_level) return;
    struct buf b;
    buf_init(&b, 8192);
    start(&b, lvl, msg);
    va_list ap;
    va_start(ap, msg);
    const char *k;
    while ((k = va_arg(ap, const char *)) != NULL) {
        const char *v = va_arg(ap, const char *);
        TD_BEST_EFFORT(buf_putc(&b, ','));
        put_json_string(&b, k);
        TD_BEST_EFFORT(buf_putc(&b, ':'));
        put_json_string(&b, v ? v : "");
    }
    va_end(ap);
    finish(&b);
}

void log_request(const char *request_id, const char *method, const char *route, int status,
                 int64_t micros)
{
    if (LOG_INFO < min_level) return;
    struct buf b;
    buf_init(&b, 4096);
    start(&b, LOG_INFO, "request");
    TD_BEST_EFFORT(buf_puts(&b, ",\"request_id\":"));
    put_json_string(&b, request_id);
    TD_BEST_EFFORT(buf_puts(&b, ",\"method\":"));
    put_json_string(&b, method);
    TD_BEST_EFFORT(buf_puts(&b, ",\"route\":"));
    put_json_string(&b, route);
    TD_BEST_EFFORT(buf_printf(&b, ",\"status\":%d,\"us\":%lld", status, (long long)micros));
    finish(&b);
}
