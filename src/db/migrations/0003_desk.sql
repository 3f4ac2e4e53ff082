-- 0003_desk.sql — the service desk: policies, cases, repairs, referrals, and
-- the customer aggregates the policy and the guard read (docs/desk.md).
-- Days are whole days since 1970-01-01 UTC (BIGINT).

-- Versions of the service policy: store_id 0 is the chain's document, any
-- other id that store's override. Rows are never changed; the newest version
-- of a scope is the one in force.
CREATE TABLE policies (
    store_id    BIGINT NOT NULL,
    version     BIGINT NOT NULL CHECK (version >= 1),
    document    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    created_by  BIGINT REFERENCES staff(id),
    PRIMARY KEY (store_id, version)
);

CREATE TABLE cases (
    id                 @ID@,
    store_id           BIGINT NOT NULL REFERENCES stores(id),
    customer_id        BIGINT REFERENCES customers(id),          -- NULL: a walk-in
    associate_id       BIGINT REFERENCES staff(id),
    kind               TEXT NOT NULL CHECK (kind IN ('return', 'exchange', 'repair', 'complaint',
                                                      'price_adjustment', 'referral')),
    receipt            BIGINT NOT NULL,
    customer_words     TEXT NOT NULL,
    referral_to        TEXT,                                     -- the customer prefers another shop
    referral_reason    TEXT CHECK (referral_reason IN ('not_in_range', 'cheaper_elsewhere', 'out_of_stock', 'other')),
    status             TEXT NOT NULL CHECK (status IN ('open', 'awaiting_approval', 'resolved',
                                                        'followed_up', 'cancelled')),
    version            BIGINT NOT NULL DEFAULT 1,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    -- the recommendation the case was resolved against
    rec_resolution     TEXT,
    rec_amount_cents   BIGINT,
    rec_needs_approval BIGINT,
    policy_version     TEXT,
    risk_score         BIGINT,
    risk_level         TEXT,
    rec_reasons        TEXT,                                     -- JSON: {"reasons":[...],"risk":[...]}
    -- what was chosen (and, while awaiting approval, what waits)
    resolution         TEXT CHECK (resolution IN ('refund', 'store_credit', 'exchange', 'repair_manufacturer',
                                                  'repair_in_store', 'refer_elsewhere', 'decline')),
    amount_cents       BIGINT CHECK (amount_cents >= 0),
    override_reason    TEXT,
    resolved_at        BIGINT,
    resolved_by        BIGINT REFERENCES staff(id),
    approval_by        BIGINT REFERENCES staff(id),
    approval_note      TEXT,
    credit_note_id     BIGINT REFERENCES credit_notes(id),
    pending_json       TEXT                                      -- repair/referral details awaiting approval
);
CREATE INDEX cases_store_status ON cases (store_id, status, id);
CREATE INDEX cases_store_created ON cases (store_id, created_at);
CREATE INDEX cases_customer ON cases (customer_id, id);

CREATE TABLE case_items (
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    item_no      BIGINT NOT NULL,
    sold_here    BIGINT NOT NULL,
    receipt_id   BIGINT REFERENCES receipts(id),
    product_id   BIGINT REFERENCES products(id),
    brand        TEXT,
    description  TEXT,
    category     TEXT,
    price_cents  BIGINT NOT NULL CHECK (price_cents >= 0),       -- paid (ours) or stated (not sold here)
    lowest_cents BIGINT NOT NULL DEFAULT 0,
    days_since_purchase BIGINT NOT NULL DEFAULT -1,
    item_condition TEXT NOT NULL CHECK (item_condition IN ('new', 'used', 'worn', 'defective')),
    PRIMARY KEY (case_id, item_no)
) @WITHOUT_ROWID@;

-- Every step of a case: who, when, what.
CREATE TABLE case_events (
    id        @ID@,
    case_id   BIGINT NOT NULL REFERENCES cases(id),
    at        BIGINT NOT NULL,
    staff_id  BIGINT REFERENCES staff(id),
    action    TEXT NOT NULL,
    detail    TEXT
);
CREATE INDEX case_events_case ON case_events (case_id, id);

CREATE TABLE repairs (
    case_id       BIGINT PRIMARY KEY REFERENCES cases(id),
    store_id      BIGINT NOT NULL REFERENCES stores(id),
    via           TEXT NOT NULL CHECK (via IN ('manufacturer', 'store')),
    manufacturer  TEXT,
    rma_number    TEXT,
    status        TEXT NOT NULL CHECK (status IN ('taken_in', 'sent', 'at_manufacturer', 'back_in_store',
                                                    'customer_told', 'collected')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX repairs_store_status ON repairs (store_id, status);

CREATE TABLE referrals (
    case_id      BIGINT PRIMARY KEY REFERENCES cases(id),
    store_id     BIGINT NOT NULL REFERENCES stores(id),
    customer_id  BIGINT REFERENCES customers(id),
    to_name      TEXT NOT NULL,
    reason       TEXT NOT NULL CHECK (reason IN ('not_in_range', 'cheaper_elsewhere', 'out_of_stock', 'other')),
    category     TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX referrals_store ON referrals (store_id, created_at);

-- Customer aggregates, kept up to date by every purchase load and every case.
CREATE TABLE customer_facts (
    customer_id           BIGINT PRIMARY KEY,
    lifetime_spend_cents  BIGINT NOT NULL DEFAULT 0,
    visits                BIGINT NOT NULL DEFAULT 0,
    first_seen_at         BIGINT,
    last_purchase_at      BIGINT,
    cases                 BIGINT NOT NULL DEFAULT 0,
    returns               BIGINT NOT NULL DEFAULT 0
);

-- Per customer and day, the counts the time windows (30, 90 days) add up;
-- rows older than a year are purged by the scheduler.
CREATE TABLE customer_days (
    customer_id         BIGINT NOT NULL,
    day                 BIGINT NOT NULL,
    purchases           BIGINT NOT NULL DEFAULT 0,
    cases               BIGINT NOT NULL DEFAULT 0,
    returns             BIGINT NOT NULL DEFAULT 0,
    no_receipt_returns  BIGINT NOT NULL DEFAULT 0,
    not_sold_here       BIGINT NOT NULL DEFAULT 0,
    worn_soon           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (customer_id, day)
) @WITHOUT_ROWID@;

-- The stores a customer brought cases to, and when last.
CREATE TABLE customer_case_stores (
    customer_id   BIGINT NOT NULL,
    store_id      BIGINT NOT NULL,
    last_case_at  BIGINT NOT NULL,
    PRIMARY KEY (customer_id, store_id)
) @WITHOUT_ROWID@;

-- Returns of one product by one customer, per store.
CREATE TABLE customer_item_returns (
    customer_id  BIGINT NOT NULL,
    product_id   BIGINT NOT NULL,
    store_id     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (customer_id, product_id, store_id)
) @WITHOUT_ROWID@;

-- Lowest selling price of a product per day (for "lowest recent price").
CREATE TABLE product_price_days (
    product_id  BIGINT NOT NULL,
    day         BIGINT NOT NULL,
    min_cents   BIGINT NOT NULL,
    PRIMARY KEY (product_id, day)
) @WITHOUT_ROWID@;

-- Purchase lines and returns per category: the category's return norm.
CREATE TABLE category_stats (
    category   TEXT PRIMARY KEY,
    purchases  BIGINT NOT NULL DEFAULT 0,
    returns    BIGINT NOT NULL DEFAULT 0
);

CREATE INDEX products_brand ON products (lower(brand));
CREATE INDEX credit_notes_store_issued ON credit_notes (store_id, issued_at);

-- Labels the demo generator plants for `trustdesk evaluate` (never in a real shop).
CREATE TABLE demo_labels (
    customer_id  BIGINT PRIMARY KEY,
    label        TEXT NOT NULL
);
