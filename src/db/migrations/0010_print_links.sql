-- Short-lived links to the printable credit note, so that a code never
-- travels in a URL (proxy logs, browser history). The link's token is not
-- stored: id is derived from it, and the code is sealed with a key derived
-- from it too (token_derive, token_seal), so this table spends nothing.
CREATE TABLE print_links (
    id          TEXT PRIMARY KEY,
    sealed      TEXT NOT NULL,
    staff_id    BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX print_links_expiry ON print_links (expires_at);
