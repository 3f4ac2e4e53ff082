/* handlers.h — a prototype for every handler named in routes.def. */
#ifndef TD_HANDLERS_H
#define TD_HANDLERS_H
#include "api/api.h"

#define ROUTE(method, path, handler, roles, flags) int handler(struct api_call *a);
#include "api/routes.def"
#undef ROUTE

#endif
