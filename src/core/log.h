/* log.h — one JSON object per line on stderr.
 *
 * Fields are given as key/value pairs; values are escaped. Never pass a
 * password, token, cookie or personal field: the log is not a place for them.
 */
#ifndef TD_LOG_H
#define TD_LOG_H
#include <stdint.h>
#include "core/status.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level min);
/* log_msg(LOG_INFO, "listening", "addr", "127.0.0.1:8080", NULL): pairs of
 * string key and string value, ended by NULL. */
void log_msg(enum log_level lvl, const char *msg, ...) __attribute__((sentinel));
/* The access line for one request (gathered when buffered). */
void log_request(const char *request_id, const char *method, const char *route, int status,
                 int64_t micros);

/* From log_buffer_start() to log_buffer_stop(), access lines are gathered
 * and written at the latest a second later, together; every other line
 * still goes out at once (after them). log_buffer_stop() writes what is
 * left: call it on a clean stop. A crash loses at most the last second's
 * access lines. */
int log_buffer_start(void);
void log_buffer_stop(void);
void log_flush(void);

#endif
