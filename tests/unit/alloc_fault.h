/* alloc_fault.h — the N-th allocation fails, for the fault tests.
 *
 * Two sources, armed one at a time or together:
 *  - ALLOC_LIBS: SQLite's allocations (SQLITE_CONFIG_MALLOC) and jansson's
 *    (json_set_alloc_funcs), installed by alloc_fault_install();
 *  - ALLOC_OWN: the project's own malloc, calloc, realloc, strdup and
 *    strndup calls. The test binary is linked with
 *    -Wl,--wrap=malloc,... (CMakeLists.txt), so every such call made from
 *    the statically linked code (libtdcore.a, the test's own objects)
 *    goes to __wrap_malloc here, which calls the real one; calls made
 *    inside libc, SQLite, jansson, libcurl or libmicrohttpd are not
 *    wrapped (those libraries are shared objects) and are not counted.
 *
 * The counter is atomic: a test that runs the HTTP server in its process
 * counts the allocations of its worker threads too. ALLOC_FAULT_TRACE=1 in
 * the environment prints the stack of each allocation that is made to fail
 * (addr2line -e BINARY turns its addresses into lines).
 */
#ifndef TD_ALLOC_FAULT_H
#define TD_ALLOC_FAULT_H
#include <stddef.h>

enum alloc_source { ALLOC_LIBS = 1, ALLOC_OWN = 2 };

/* SQLite's and jansson's hooks; before SQLite is first used. 0 on success. */
int alloc_fault_install(void);
/* From now on the n-th allocation of the given sources fails, once (n 0:
 * none fails). */
void alloc_fault_at(int sources, long n);
/* 1 when the armed allocation came (and failed); disarms. */
int alloc_fault_disarm(void);

/* The real allocator, for test code that must not be counted. */
void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *p, size_t n);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);

#endif
