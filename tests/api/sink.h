/* sink.h — a real SMTP server on loopback for the API tests:
 * tests/api/smtp_sink.py (Debian's python3-aiosmtpd) writes each message it
 * receives to DIR/N.eml; in mode "refuse" it answers 550. Every wait is for
 * a condition (a file in the folder), up to SINK_WAIT_US. */
#ifndef TD_TEST_SINK_H
#define TD_TEST_SINK_H
#include <stdint.h>
#include <sys/types.h>

#define SINK_WAIT_US (60LL * 1000000)     /* the most any condition is waited for (a loaded machine is slow) */

struct sink {
    pid_t pid;
    int port;
    char dir[128];
};

/* Starts the sink ("accept" or "refuse") on port, or a free port when 0, and
 * waits until it listens; keeps s->dir across a restart. */
void sink_start(struct sink *s, const char *mode, int port);
void sink_stop(struct sink *s);
/* Stops it and removes its folder (kept with KEEP_TEST_DIR). */
void sink_free(struct sink *s);
/* How many messages it holds. */
int sink_count(const struct sink *s);
/* Waits until it holds n messages; message n's text (malloc'd). */
char *sink_wait(const struct sink *s, int n);
/* Asserts that msg holds each of the needles (a NULL-terminated list),
 * naming the first one missing. */
void sink_expect(const char *msg, const char *const *needles);
/* A port nothing listens on (for "the server is down"). */
int sink_dead_port(void);

/* The end of a wait that starts now, and the pause between two looks. */
int64_t sink_deadline(void);
void sink_pause(void);

#endif
