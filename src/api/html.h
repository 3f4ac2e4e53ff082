/* html.h — the few pages the server writes itself (a credit note to print,
 * the unsubscribe confirmation): each with a strict Content-Security-Policy
 * whose style and script are named by a nonce fresh for every answer, so
 * nothing injected could run or restyle it, and not cached.
 *
 *   char nonce[API_NONCE_SZ];
 *   rc = api_html_begin(a, "nl", "Afmelden", css, API_HTML_FORMS, nonce);
 *   rc = api_html_text(&a->r->out, name);        (escaped)
 *   rc = api_html_end(a, 200);
 */
#ifndef TD_API_HTML_H
#define TD_API_HTML_H
#include "api/api.h"
#include "core/buf.h"

#define API_NONCE_SZ 33

enum api_html_flags {
    API_HTML_FORMS = 1,                 /* the page may post its forms to itself (form-action 'self') */
    API_HTML_IMAGES = 2,                /* data: images (an inline QR code) */
};

/* Starts the answer in a->r->out: doctype, <html lang>, title, the style in
 * a <style nonce>, </head><body>. nonce (API_NONCE_SZ) is for a <script>. */
int api_html_begin(struct api_call *a, const char *lang, const char *title, const char *css, unsigned flags,
                   char *nonce /* OUT */) TD_MUST_CHECK;
/* Appends text with <>&"' escaped. */
int api_html_text(struct buf *b, const char *s) TD_MUST_CHECK;
/* Appends a sentence with at most one %s in it, the sentence and the name
 * both escaped (the name may be a shop's or a customer's). */
int api_html_sentence(struct buf *b, const char *fmt, const char *name) TD_MUST_CHECK;
/* Closes body and html; the status, content type and headers. */
int api_html_end(struct api_call *a, int status) TD_MUST_CHECK;

#endif
