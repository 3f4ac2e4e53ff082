-- 0001_foundation.sql — stores, staff, sessions, customers, purchases.
-- Shared by every backend; see db.c for the @PLACEHOLDERS@.
-- Times are UTC microseconds since the epoch (BIGINT). Money is BIGINT cents.

CREATE TABLE stores (
    id          @ID@,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    city        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE staff (
    id             @ID@,
    login          TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('associate', 'manager', 'admin')),
    store_id       BIGINT REFERENCES stores(id),
    password_hash  TEXT NOT NULL,
    lang           TEXT NOT NULL DEFAULT 'nl',
    active         BIGINT NOT NULL DEFAULT 1,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- A session is known only by the hash of its token.
CREATE TABLE sessions (
    token_hash    TEXT PRIMARY KEY,
    staff_id      BIGINT NOT NULL REFERENCES staff(id),
    csrf_token    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL
);
CREATE INDEX sessions_staff ON sessions (staff_id);

CREATE TABLE api_tokens (
    token_hash    TEXT PRIMARY KEY,
    staff_id      BIGINT NOT NULL REFERENCES staff(id),
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);

-- Failed logins per account ("login:NAME") and per address ("addr:IP").
CREATE TABLE login_failures (
    key       TEXT PRIMARY KEY,
    failures  BIGINT NOT NULL,
    last_at   BIGINT NOT NULL
);

CREATE TABLE customers (
    id                    @ID@,
    loyalty_number        TEXT UNIQUE,
    name                  TEXT,
    email                 TEXT,
    phone                 TEXT,
    home_store_id         BIGINT REFERENCES stores(id),
    email_consent         BIGINT NOT NULL DEFAULT 0,
    email_consent_at      BIGINT,
    email_consent_source  TEXT,
    phone_consent         BIGINT NOT NULL DEFAULT 0,
    phone_consent_at      BIGINT,
    phone_consent_source  TEXT,
    search_text           TEXT,
    version               BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    erased_at             BIGINT
);

-- Every change of marketing consent, for the GDPR record of consent.
CREATE TABLE consent_events (
    id           @ID@,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    channel      TEXT NOT NULL CHECK (channel IN ('email_marketing', 'phone_marketing')),
    given        BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    source       TEXT NOT NULL,
    staff_id     BIGINT REFERENCES staff(id)
);
CREATE INDEX consent_events_customer ON consent_events (customer_id);

-- Search terms: folded name words, the e-mail address, the phone number and
-- the loyalty number; a prefix query is a range scan of the primary key.
CREATE TABLE customer_search (
    term         TEXT @BINARY@ NOT NULL,
    customer_id  BIGINT NOT NULL,
    PRIMARY KEY (term, customer_id)
) @WITHOUT_ROWID@;
CREATE INDEX customer_search_customer ON customer_search (customer_id, term);

CREATE TABLE products (
    id        @ID@,
    sku       TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    brand     TEXT NOT NULL,
    category  TEXT NOT NULL
);

CREATE TABLE receipts (
    id            @ID@,
    receipt_ref   TEXT NOT NULL UNIQUE,
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    customer_id   BIGINT REFERENCES customers(id),
    purchased_at  BIGINT NOT NULL
);
CREATE INDEX receipts_customer ON receipts (customer_id, purchased_at);

CREATE TABLE purchase_lines (
    receipt_id        BIGINT NOT NULL REFERENCES receipts(id),
    line_no           BIGINT NOT NULL,
    customer_id       BIGINT,
    product_id        BIGINT NOT NULL REFERENCES products(id),
    unit_price_cents  BIGINT NOT NULL CHECK (unit_price_cents >= 0),
    quantity          BIGINT NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (receipt_id, line_no)
) @WITHOUT_ROWID@;

-- Who did what, for actions that matter later (erasure, staff changes,
-- imports). Never holds personal fields of customers.
CREATE TABLE audit_log (
    id        @ID@,
    at        BIGINT NOT NULL,
    staff_id  BIGINT,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT
);
