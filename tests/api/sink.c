/* sink.c — the SMTP sink of the API tests (see sink.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "sink.h"

static void sink_script(char *out, size_t n)
{
    const char *env = getenv("TEST_DATA_DIR");   /* .../tests/data */
    if (env && *env) {
        snprintf(out, n, "%s/../api/smtp_sink.py", env);
        return;
    }
    const char *slash = strrchr(__FILE__, '/');
    snprintf(out, n, "%.*s/smtp_sink.py", slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".");
}

int64_t sink_deadline(void) { return clock_mono_us() + SINK_WAIT_US; }

void sink_pause(void)
{
    struct timespec ts = {0, 20 * 1000000L};   /* between two looks at a condition */
    nanosleep(&ts, NULL);
}

/* Starts the sink (on port, or a free port when 0) and waits until it
 * listens. */
void sink_start(struct sink *s, const char *mode, int port)
{
    char script[600], portfile[200], portarg[16];
    if (!s->dir[0]) {
        snprintf(s->dir, sizeof s->dir, "/tmp/td-smtp-XXXXXX");
        assert_non_null(mkdtemp(s->dir));
    }
    sink_script(script, sizeof script);
    snprintf(portfile, sizeof portfile, "%s/port", s->dir);
    unlink(portfile);
    snprintf(portarg, sizeof portarg, "%d", port);
    s->pid = fork();
    assert_true(s->pid >= 0);
    if (s->pid == 0) {
        execl("/usr/bin/python3", "python3", script, s->dir, portfile, mode, port ? portarg : NULL, (char *)NULL);
        _exit(127);
    }
    for (int64_t end = sink_deadline(); clock_mono_us() < end; sink_pause()) {
        FILE *f = fopen(portfile, "r");
        if (!f) continue;
        int ok = fscanf(f, "%d", &s->port) == 1;
        fclose(f);
        if (ok) return;
    }
    fail_msg("the SMTP sink did not start (is python3-aiosmtpd installed? scripts/deps.sh)");
}

void sink_stop(struct sink *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
    }
}

void sink_free(struct sink *s)
{
    sink_stop(s);
    if (getenv("KEEP_TEST_DIR")) return;
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
    if (system(cmd) != 0) fprintf(stderr, "sink: could not remove %s\n", s->dir);
}

/* How many messages the sink holds. */
int sink_count(const struct sink *s)
{
    DIR *d = opendir(s->dir);
    if (!d) return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) n += strstr(e->d_name, ".eml") != NULL;
    closedir(d);
    return n;
}

/* Waits until the sink holds n messages; returns message number n's text
 * (malloc'd). */
char *sink_wait(const struct sink *s, int n)
{
    for (int64_t end = sink_deadline(); clock_mono_us() < end && sink_count(s) < n; sink_pause()) {}
    assert_int_equal(sink_count(s), n);
    char path[200];
    snprintf(path, sizeof path, "%s/%d.eml", s->dir, n);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = calloc(1, 1 << 20);
    assert_non_null(text);
    size_t len = fread(text, 1, (1 << 20) - 1, f);
    text[len] = '\0';
    fclose(f);
    return text;
}

/* A port nothing listens on (for "the server is down"). */
int sink_dead_port(void)
{
    struct sink s = {0};
    sink_start(&s, "accept", 0);
    int port = s.port;
    sink_free(&s);
    return port;
}


void sink_expect(const char *msg, const char *const *needles)
{
    for (; *needles; needles++)
        if (!strstr(msg, *needles)) fail_msg("the message lacks \"%s\":\n%s", *needles, msg);
}
