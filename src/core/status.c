/* status.c — lookups over the TD_STATUS_MAP table (see status.h). */
#include "core/status.h"

struct status_row { int rc; const char *code; int http; const char *msg; };

static const struct status_row rows[] = {
#define TD_X(name, val, code, http, msg) { (val), (code), (http), (msg) },
    TD_STATUS_MAP(TD_X)
#undef TD_X
};

static const struct status_row *find(int rc)
{
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].rc == rc) return &rows[i];
    for (unsigned i = 0; i < sizeof rows / sizeof rows[0]; i++)
        if (rows[i].rc == TD_E_INTERNAL) return &rows[i];
    return &rows[0];
}

const char *td_status_code(int rc) { return find(rc)->code; }
const char *td_status_message(int rc) { return find(rc)->msg; }
int td_status_http(int rc) { return find(rc)->http; }
