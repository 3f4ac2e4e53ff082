/* api_desk.h — what api_cases.c and api_repairs.c share (the desk over
 * HTTP); nothing else uses it. */
#ifndef TD_API_DESK_H
#define TD_API_DESK_H
#include <jansson.h>
#include <stdint.h>
#include "core/status.h"

struct api_call;
struct desk_repair;

/* A repair as docs/openapi.yaml names it; the caller owns the object. */
json_t *api_repair_json(const struct desk_repair *r);

#endif
