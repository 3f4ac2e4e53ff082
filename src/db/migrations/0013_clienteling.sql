-- 0013_clienteling.sql — the catalogue (styles, their sizes, stock), the
-- collections that arrive in stores, each associate's book, what customers
-- like and wear, the contact-cap ledger, outreach tasks and holds.
-- Every table that grows with customers carries customer_id.

-- A style as the buying system knows it; its sizes are products (skus).
CREATE TABLE styles (
    id           @ID@,
    code         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    brand        TEXT NOT NULL,
    category     TEXT NOT NULL,
    colour       TEXT NOT NULL DEFAULT '',
    price_cents  BIGINT NOT NULL CHECK (price_cents >= 0),
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
ALTER TABLE products ADD COLUMN style_id BIGINT REFERENCES styles(id);
ALTER TABLE products ADD COLUMN size TEXT;
CREATE INDEX products_style ON products (style_id);

-- On hand per store and sku, as the last stock file said; held counts the
-- active holds, so available = on_hand - held, and a hold is taken only by
-- a conditional UPDATE that keeps it >= 0 (the last unit goes to one).
CREATE TABLE stock (
    store_id    BIGINT NOT NULL REFERENCES stores(id),
    product_id  BIGINT NOT NULL REFERENCES products(id),
    on_hand     BIGINT NOT NULL CHECK (on_hand >= 0),
    held        BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (store_id, product_id)
) @WITHOUT_ROWID@;

CREATE TABLE collections (
    id          @ID@,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE TABLE collection_styles (
    collection_id  BIGINT NOT NULL REFERENCES collections(id),
    style_id       BIGINT NOT NULL REFERENCES styles(id),
    PRIMARY KEY (collection_id, style_id)
) @WITHOUT_ROWID@;
-- Per store: when it arrives, how long the first choice lasts before general
-- sale; arrived_at once matched (by the API, the CLI or the scheduler), with
-- the random key that draws this arrival's hold-out.
CREATE TABLE collection_stores (
    collection_id       BIGINT NOT NULL REFERENCES collections(id),
    store_id            BIGINT NOT NULL REFERENCES stores(id),
    arrives_at          BIGINT NOT NULL,
    first_choice_hours  BIGINT NOT NULL DEFAULT 48 CHECK (first_choice_hours BETWEEN 1 AND 720),
    arrived_at          BIGINT,
    holdout_key         TEXT,
    PRIMARY KEY (collection_id, store_id)
) @WITHOUT_ROWID@;
CREATE INDEX collection_stores_due ON collection_stores (arrived_at, arrives_at);

-- A customer's own associate (and a second one); their store is the pool
-- that takes over when the associate leaves.
CREATE TABLE customer_associates (
    customer_id   BIGINT PRIMARY KEY REFERENCES customers(id),
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    staff_id      BIGINT REFERENCES staff(id),
    second_id     BIGINT REFERENCES staff(id),
    updated_at    BIGINT NOT NULL
);
CREATE INDEX customer_associates_staff ON customer_associates (staff_id, customer_id);
CREATE INDEX customer_associates_store ON customer_associates (store_id, customer_id);

-- Sizes per category, stated by the customer or learned from purchases.
CREATE TABLE customer_sizes (
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    category     TEXT NOT NULL,
    size         TEXT NOT NULL,
    source       TEXT NOT NULL CHECK (source IN ('stated', 'learned')),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, category)
) @WITHOUT_ROWID@;
CREATE INDEX customer_sizes_category ON customer_sizes (category, customer_id);

-- Likes (+1) and dislikes (-1) of brands, categories, colours and styles.
CREATE TABLE customer_prefs (
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    kind         TEXT NOT NULL CHECK (kind IN ('brand', 'category', 'colour', 'style')),
    value        TEXT NOT NULL,
    sentiment    BIGINT NOT NULL CHECK (sentiment IN (-1, 1)),
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (customer_id, kind, value)
) @WITHOUT_ROWID@;
CREATE INDEX customer_prefs_value ON customer_prefs (kind, value, customer_id);

CREATE TABLE customer_dates (
    id           @ID@,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    kind         TEXT NOT NULL CHECK (kind IN ('birthday', 'anniversary', 'other')),
    month        BIGINT NOT NULL CHECK (month BETWEEN 1 AND 12),
    day          BIGINT NOT NULL CHECK (day BETWEEN 1 AND 31),
    label        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX customer_dates_customer ON customer_dates (customer_id);

CREATE TABLE customer_notes (
    id           @ID@,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    staff_id     BIGINT REFERENCES staff(id),
    at           BIGINT NOT NULL,
    text         TEXT NOT NULL
);
CREATE INDEX customer_notes_customer ON customer_notes (customer_id, at);

-- GDPR art. 21: an objection to profiling takes the customer out of all
-- matching at once (their stated data stays, for the desk).
CREATE TABLE customer_objections (
    customer_id  BIGINT PRIMARY KEY REFERENCES customers(id),
    at           BIGINT NOT NULL,
    source       TEXT NOT NULL
);

-- What each customer spent per category (purchase lines as they arrive),
-- and the size they bought most recently there: the matcher's aggregate.
CREATE TABLE customer_category_spend (
    customer_id   BIGINT NOT NULL,
    category      TEXT NOT NULL,
    spend_cents   BIGINT NOT NULL,
    lines         BIGINT NOT NULL,
    last_at       BIGINT NOT NULL,
    last_size     TEXT,
    PRIMARY KEY (customer_id, category)
) @WITHOUT_ROWID@;
CREATE INDEX customer_category_spend_category ON customer_category_spend (category, customer_id);

-- The language a customer is written to in (personal mail, surveys), and
-- the store whose customers a store's arrival matches.
ALTER TABLE customers ADD COLUMN lang TEXT NOT NULL DEFAULT 'nl' CHECK (lang IN ('nl', 'en'));
CREATE INDEX customers_home_store ON customers (home_store_id);
-- The size on a purchase line, for goods the catalogue does not know by
-- size (the optional CSV column); a catalogued sku has its own size.
ALTER TABLE purchase_lines ADD COLUMN size TEXT;

-- The contact-cap ledger: every marketing contact (a call or a mail) and
-- transactional ones for the record; the cap counts marketing of 30 days.
CREATE TABLE contacts (
    id           @ID@,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    at           BIGINT NOT NULL,
    channel      TEXT NOT NULL CHECK (channel IN ('phone', 'email')),
    marketing    BIGINT NOT NULL CHECK (marketing IN (0, 1)),
    staff_id     BIGINT REFERENCES staff(id),
    task_id      BIGINT
);
CREATE INDEX contacts_customer ON contacts (customer_id, at);
CREATE INDEX contacts_recent ON contacts (at, customer_id);

-- How each customer answered outreach so far (kept as outcomes are
-- recorded): the matcher ranks those who answer higher, and never lists
-- one who asked not to be contacted again.
CREATE TABLE customer_outreach (
    customer_id     BIGINT PRIMARY KEY REFERENCES customers(id),
    answered        BIGINT NOT NULL DEFAULT 0,
    ignored         BIGINT NOT NULL DEFAULT 0,
    do_not_contact  BIGINT NOT NULL DEFAULT 0
);

-- One row per matched customer of an arrival: a task for an associate (or
-- the store pool, staff_id NULL), or the hold-out (status 'holdout', no
-- task). The key makes matching the same arrival again write nothing new.
CREATE TABLE outreach_tasks (
    id             @ID@,
    collection_id  BIGINT NOT NULL REFERENCES collections(id),
    store_id       BIGINT NOT NULL REFERENCES stores(id),
    customer_id    BIGINT NOT NULL REFERENCES customers(id),
    staff_id       BIGINT REFERENCES staff(id),
    status         TEXT NOT NULL CHECK (status IN ('open', 'done', 'lapsed', 'holdout')),
    score          BIGINT NOT NULL,
    channel        TEXT NOT NULL CHECK (channel IN ('phone', 'email')),
    why_nl         TEXT NOT NULL,
    why_en         TEXT NOT NULL,
    size           TEXT,
    outcome        TEXT CHECK (outcome IN ('reached', 'voicemail', 'not_interested', 'hold_made', 'bought', 'mailed',
                                           'do_not_contact')),
    outcome_at     BIGINT,
    due_day        BIGINT NOT NULL,
    lapses_at      BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    UNIQUE (collection_id, store_id, customer_id)
);
CREATE INDEX outreach_tasks_staff ON outreach_tasks (staff_id, status, due_day);
CREATE INDEX outreach_tasks_store ON outreach_tasks (store_id, status, due_day);
CREATE INDEX outreach_tasks_customer ON outreach_tasks (customer_id);
CREATE INDEX outreach_tasks_lapse ON outreach_tasks (status, lapses_at);

CREATE TABLE holds (
    id           @ID@,
    store_id     BIGINT NOT NULL REFERENCES stores(id),
    product_id   BIGINT NOT NULL REFERENCES products(id),
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    staff_id     BIGINT REFERENCES staff(id),
    task_id      BIGINT REFERENCES outreach_tasks(id),
    status       TEXT NOT NULL CHECK (status IN ('active', 'released', 'converted', 'cancelled')),
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    closed_at    BIGINT
);
CREATE INDEX holds_product ON holds (store_id, product_id, status);
CREATE INDEX holds_customer ON holds (customer_id, status);
CREATE INDEX holds_expiry ON holds (status, expires_at);

-- One-click unsubscribe links (RFC 8058) in marketing mail: the link holds
-- a random token, this table only its hash.
CREATE TABLE unsubscribe_tokens (
    token_hash   TEXT PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers(id),
    created_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX unsubscribe_tokens_customer ON unsubscribe_tokens (customer_id);
