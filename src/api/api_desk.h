/* api_desk.h — what api_cases.c, api_repairs.c and api_cards.c share (the
 * desk over HTTP); nothing else uses it. */
#ifndef TD_API_DESK_H
#define TD_API_DESK_H
#include <jansson.h>
#include <stdint.h>
#include "core/status.h"

struct api_call;
struct desk_repair;

/* A repair as docs/openapi.yaml names it; the caller owns the object. */
json_t *api_repair_json(const struct desk_repair *r);
/* The "value_card" of a case's decision (api_cards.c): the card the desk
 * shows for it, or JSON null when it needs none or none is shown. *out is
 * the caller's. */
int api_cards_decision(struct api_call *a, int64_t case_id, json_t **out /* OUT */) TD_MUST_CHECK;

#endif
