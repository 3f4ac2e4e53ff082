/* log.c — JSON lines on stderr. One write per line (or per batch of access
 * lines) keeps lines whole when several threads log at once.
 *
 * Buffered (log_buffer_start): access lines gather in one buffer under a
 * lock and go out in one write when it is full, when the ticker comes by
 * (every second), before any other line (so the order holds) and at
 * log_buffer_stop(). Without it every line is written at once. */
#include "core/log.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/ticker.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PENDING_CAP (64 * 1024)

static pthread_mutex_t pending_lock = PTHREAD_MUTEX_INITIALIZER;
static char pending[PENDING_CAP];
static size_t pending_len;
static int buffered;                     /* read and written under pending_lock */
static struct ticker *flusher;

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

/* Under pending_lock. */
static void write_pending(void)
{
    if (pending_len) fwrite(pending, 1, pending_len, stderr);
    pending_len = 0;
}

void log_flush(void)
{
    pthread_mutex_lock(&pending_lock);
    write_pending();
    pthread_mutex_unlock(&pending_lock);
}

static void flush_tick(void *arg)
{
    (void)arg;
    log_flush();
}

int log_buffer_start(void)
{
    int rc = ticker_start(1, flush_tick, NULL, &flusher);
    if (rc != TD_OK) return rc;
    pthread_mutex_lock(&pending_lock);
    buffered = 1;
    pthread_mutex_unlock(&pending_lock);
    return TD_OK;
}

void log_buffer_stop(void)
{
    ticker_stop(flusher);
    flusher = NULL;
    pthread_mutex_lock(&pending_lock);
    buffered = 0;
    write_pending();
    pthread_mutex_unlock(&pending_lock);
}

/* Ends the line and writes it: an access line (gather) into the buffer
 * when buffered, any other line at once, after what the buffer holds. */
static void finish(struct buf *b, int gather)
{
    TD_BEST_EFFORT(buf_puts(b, "}\n"));
    if (b->data) {
        pthread_mutex_lock(&pending_lock);
        if (!gather || !buffered || b->len > PENDING_CAP) {
            write_pending();
            fputs(b->data, stderr);
        } else {
            if (pending_len + b->len > PENDING_CAP) write_pending();
            memcpy(pending + pending_len, b->data, b->len);
            pending_len += b->len;
        }
        pthread_mutex_unlock(&pending_lock);
    }
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
    finish(&b, 0);
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
    finish(&b, 1);
}
