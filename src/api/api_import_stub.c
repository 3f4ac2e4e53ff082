/* placeholder until api_import.c lands */
#include "api/handlers.h"
int api_imports_customers(struct api_call *a) { (void)a; return TD_E_UNAVAILABLE; }
int api_imports_purchases(struct api_call *a) { (void)a; return TD_E_UNAVAILABLE; }
