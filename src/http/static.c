/* static.c — the built web app's files (web/dist), from the same origin as
 * the API so the session cookie and CSRF token work as designed.
 *
 * Safety: a path with "..", "//", "/." (dot-files), a backslash or a control character is
 * not a file; the resolved path must lie inside the resolved root (no
 * symlink escapes). A path whose last segment has no dot and names no file
 * is an app route and gets index.html. Precompressed .br / .gz twins are
 * sent when the browser accepts them. Hashed assets (assets/...) are cached
 * for a year; everything else is revalidated (no-cache). The server adds
 * nosniff, Referrer-Policy and X-Frame-Options to every answer; pages get a
 * Content-Security-Policy that allows only their own origin.
 */
#include "http/http.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATIC_FILE_MAX (16u << 20)

static const char *type_of(const char *path)
{
    static const struct { const char *ext, *type; } types[] = {
        {".html", "text/html; charset=utf-8"}, {".js", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"}, {".svg", "image/svg+xml"}, {".png", "image/png"},
        {".ico", "image/x-icon"}, {".json", "application/json"}, {".woff2", "font/woff2"},
        {".txt", "text/plain; charset=utf-8"}, {".webmanifest", "application/manifest+json"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i].ext) == 0) return types[i].type;
    return "application/octet-stream";
}

static int safe_path(const char *p)
{
    if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\')) return 0;
    if (strstr(p, "/.")) return 0;        /* no dot-files or dot-folders (.git, .env) */
    for (const unsigned char *c = (const unsigned char *)p; *c; c++)
        if (*c < 0x20 || *c == 0x7f) return 0;
    return 1;
}

static int is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static int accepts(struct http_req *r, const char *coding)
{
    const char *ae = http_header(r, "Accept-Encoding");
    return ae && strstr(ae, coding) != NULL;
}

static int read_into(const char *path, struct buf *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) return TD_E_NOT_FOUND;
    buf_reset(out);
    char chunk[16384];
    size_t n;
    int rc = TD_OK;
    while (rc == TD_OK && (n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (out->len + n > STATIC_FILE_MAX) rc = TD_E_TOO_LARGE;
        else rc = buf_append(out, chunk, n);
    }
    if (rc == TD_OK && ferror(f)) rc = TD_E_IO;
    fclose(f);
    return rc;
}

int http_static_serve(struct http_req *r, const char *root)
{
    if (!root || !*root || !safe_path(r->path)) return TD_E_NOT_FOUND;
    char real_root[PATH_MAX], full[PATH_MAX], real[PATH_MAX];
    if (!realpath(root, real_root)) return TD_E_NOT_FOUND;
    const char *rel = r->path + 1;
    if (!*rel) rel = "index.html";
    if (snprintf(full, sizeof full, "%s/%s", real_root, rel) >= (int)sizeof full) return TD_E_NOT_FOUND;
    if (!is_file(full)) {
        const char *last = strrchr(r->path, '/');
        if (strchr(last, '.')) return TD_E_NOT_FOUND;       /* a missing file, not an app route */
        rel = "index.html";
        if (snprintf(full, sizeof full, "%s/index.html", real_root) >= (int)sizeof full || !is_file(full))
            return TD_E_NOT_FOUND;
    }
    size_t rl = strlen(real_root);
    if (!realpath(full, real) || strncmp(real, real_root, rl) != 0 || real[rl] != '/') return TD_E_NOT_FOUND;

    char variant[PATH_MAX + 4];
    const char *send = real, *encoding = NULL;
    if (accepts(r, "br") && snprintf(variant, sizeof variant, "%s.br", real) < (int)sizeof variant && is_file(variant)) {
        send = variant;
        encoding = "br";
    } else if (accepts(r, "gzip") && snprintf(variant, sizeof variant, "%s.gz", real) < (int)sizeof variant &&
               is_file(variant)) {
        send = variant;
        encoding = "gzip";
    }
    int rc = read_into(send, &r->out);
    if (rc != TD_OK) return rc;
    r->status = 200;
    r->content_type = type_of(real);
    int html = strncmp(r->content_type, "text/html", 9) == 0;
    if (encoding && (rc = http_add_header(r, "Content-Encoding", encoding)) != TD_OK) return rc;
    if ((rc = http_add_header(r, "Vary", "Accept-Encoding")) != TD_OK) return rc;
    rc = http_add_header(r, "Cache-Control",
                         strncmp(rel, "assets/", 7) == 0 ? "public, max-age=31536000, immutable" : "no-cache");
    if (rc == TD_OK && html)
        rc = http_add_header(r, "Content-Security-Policy",
                             "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                             " connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none';"
                             " form-action 'self'");
    return rc;
}
