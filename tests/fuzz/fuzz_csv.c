/* fuzz_csv.c — libFuzzer target for the CSV tokenizer.
 *
 * Properties checked on any input:
 *  - fields are NUL-terminated and within the bounds given to csv_new;
 *  - line numbers never go down from one record to the next;
 *  - feeding the input whole, or cut in pieces (sizes taken from the first
 *    byte), gives exactly the same records.
 *
 *   cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DFUZZ=ON \
 *         -DCMAKE_C_FLAGS=-fsanitize=fuzzer-no-link,address
 *   cmake --build build-fuzz --target fuzz_csv
 *   mkdir -p /tmp/csv-corpus && build-fuzz/fuzz_csv -max_total_time=60 /tmp/csv-corpus tests/data
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "core/csv.h"

#define MAX_FIELD 32
#define MAX_FIELDS 8

struct out {
    struct buf b;
    int64_t last_line;
};

static int collect(void *arg, struct csv_record *rec)
{
    struct out *o = arg;
    if (rec->n > MAX_FIELDS || rec->n > rec->n_total || rec->line < o->last_line) abort();
    o->last_line = rec->line;
    int rc = buf_printf(&o->b, "[%lld %d %lld %zu]", (long long)rec->line, rec->error, (long long)rec->error_line,
                        rec->n_total);
    for (size_t i = 0; i < rec->n && rc == TD_OK; i++) {
        const struct csv_field *f = &rec->field[i];
        if (f->len > MAX_FIELD || f->data[f->len] != '\0' || f->line < rec->line) abort();
        rc = buf_printf(&o->b, "(%lld %d %d %zu)", (long long)f->line, f->quoted, f->too_long, f->len);
        if (rc == TD_OK) rc = buf_append(&o->b, f->data, f->len);
    }
    return rc;
}

static void tokenize(const uint8_t *data, size_t size, size_t piece, struct out *o)
{
    struct csv *p = NULL;
    buf_init(&o->b, 1 << 24);
    o->last_line = 0;
    if (csv_new(0, MAX_FIELD, MAX_FIELDS, &p) != TD_OK) abort();
    for (size_t i = 0; i < size; i += piece) {
        size_t n = size - i < piece ? size - i : piece;
        if (csv_feed(p, (const char *)data + i, n, collect, o) != TD_OK) abort();
    }
    if (csv_finish(p, collect, o) != TD_OK) abort();
    csv_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    size_t piece = (size_t)(data[0] % 7) + 1;
    data++;
    size--;
    struct out whole, cut;
    tokenize(data, size, size ? size : 1, &whole);
    tokenize(data, size, piece, &cut);
    if (whole.b.len != cut.b.len || (whole.b.len && memcmp(whole.b.data, cut.b.data, whole.b.len) != 0)) abort();
    buf_free(&whole.b);
    buf_free(&cut.b);
    return 0;
}
