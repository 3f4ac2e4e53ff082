/* html.c — server-written pages with a strict CSP (see html.h). */
#include "api/html.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include "core/arena.h"

int api_html_begin(struct api_call *a, const char *lang, const char *title, const char *css, unsigned flags,
                   char *nonce)
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(nonce, API_NONCE_SZ, raw, sizeof raw);
    char *csp = arena_printf(&a->r->arena,
                             "default-src 'none'; style-src 'nonce-%s'; script-src 'nonce-%s'; img-src %s; "
                             "base-uri 'none'; form-action %s; frame-ancestors 'none'",
                             nonce, nonce, (flags & API_HTML_IMAGES) ? "data:" : "'none'",
                             (flags & API_HTML_FORMS) ? "'self'" : "'none'");
    if (!csp) return TD_E_NOMEM;
    int rc = http_add_header(a->r, "Content-Security-Policy", csp);
    if (rc != TD_OK) return rc;
    struct buf *b = &a->r->out;
    buf_reset(b);
    rc = buf_printf(b, "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
                       "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>",
                    lang);
    if (rc == TD_OK) rc = api_html_text(b, title);
    if (rc == TD_OK) rc = buf_printf(b, "</title><style nonce=\"%s\">", nonce);
    if (rc == TD_OK) rc = buf_puts(b, css);
    if (rc == TD_OK) rc = buf_puts(b, "</style></head><body>");
    return rc;
}

int api_html_text(struct buf *b, const char *s)
{
    static const char *const entities[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
    return buf_put_escaped(b, s, "<>&\"'", entities);
}

int api_html_sentence(struct buf *b, const char *fmt, const char *name)
{
    const char *at = strstr(fmt, "%s");
    if (!at) return api_html_text(b, fmt);
    char head[400];
    snprintf(head, sizeof head, "%.*s", (int)(at - fmt), fmt);
    int rc = api_html_text(b, head);
    if (rc == TD_OK) rc = api_html_text(b, name ? name : "");
    if (rc == TD_OK) rc = api_html_text(b, at + 2);
    return rc;
}

int api_html_end(struct api_call *a, int status)
{
    int rc = buf_puts(&a->r->out, "</body></html>");
    if (rc != TD_OK) return rc;
    a->r->status = status;
    a->r->content_type = "text/html; charset=utf-8";
    return http_add_header(a->r, "Cache-Control", "no-store");
}
