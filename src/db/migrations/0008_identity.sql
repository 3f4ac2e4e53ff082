-- 0008_identity.sql — what the guard counts beyond one account: one person
-- behind several accounts, walk-ins who give a contact, and returns soon
-- after purchase (docs/policy.md, "One person, several accounts", "Walk-ins",
-- "Wardrobing with a receipt"). Nothing here holds a phone number, an e-mail
-- address or an ID number: only keyed hashes of them (domain/identity.c).

-- The key the identity hashes are made with (BLAKE2b keyed, 32 random bytes
-- in hex). One row, written by the first transaction that needs it, so that
-- every server and command sharing this database hashes alike and a copy or
-- backup takes it along with the hashes it made.
CREATE TABLE identity_secret (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- Per customer, a keyed hash of each way to reach them that one person keeps
-- across accounts: the phone number (national digits) and the mailbox (the
-- e-mail address without dots or +tag in its local part, lower case).
-- Replaced with the customer's fields; deleted when the customer is erased.
-- Accounts sharing a key count as one person for the guard; nothing else
-- about them is shared.
CREATE TABLE customer_keys (
    key          TEXT NOT NULL,
    customer_id  BIGINT NOT NULL,
    PRIMARY KEY (key, customer_id)
) @WITHOUT_ROWID@;
CREATE INDEX customer_keys_customer ON customer_keys (customer_id);

-- A walk-in's contact (phone, e-mail or ID reference), as the same kind of
-- keyed hash, for the case it was given at; and the walk-in's counts per key
-- and day, store and item, like the customer aggregates of 0003. All of it is
-- purged once it is older than the guard's longest window (90 days).
CREATE TABLE case_walk_ins (
    case_id  BIGINT PRIMARY KEY REFERENCES cases(id) DEFERRABLE INITIALLY IMMEDIATE,
    key      TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX case_walk_ins_at ON case_walk_ins (at);

CREATE TABLE walk_in_days (
    key                 TEXT NOT NULL,
    day                 BIGINT NOT NULL,
    cases               BIGINT NOT NULL DEFAULT 0,
    returns             BIGINT NOT NULL DEFAULT 0,
    no_receipt_returns  BIGINT NOT NULL DEFAULT 0,
    not_sold_here       BIGINT NOT NULL DEFAULT 0,
    worn_soon           BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (key, day)
) @WITHOUT_ROWID@;

CREATE TABLE walk_in_case_stores (
    key           TEXT NOT NULL,
    store_id      BIGINT NOT NULL,
    last_case_at  BIGINT NOT NULL,
    PRIMARY KEY (key, store_id)
) @WITHOUT_ROWID@;

CREATE TABLE walk_in_item_returns (
    key         TEXT NOT NULL,
    product_id  BIGINT NOT NULL,
    store_id    BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (key, product_id, store_id)
) @WITHOUT_ROWID@;

-- Items brought with a receipt (or gift receipt) whose line had already come
-- back in full: the same receipt offered again.
ALTER TABLE customer_days ADD COLUMN spent_lines BIGINT NOT NULL DEFAULT 0;

-- Returns with proof soon after purchase (guard.quick_return.days), one row
-- per item: its category, its style (the product's name up to the first
-- comma, folded: "Jurk Esprit, zwart" is "jurk esprit") and whether the
-- customer kept nothing of that style from that receipt (a buy-return cycle).
-- Rare rows, written when such a return is opened.
CREATE TABLE customer_quick_returns (
    customer_id  BIGINT NOT NULL,
    at           BIGINT NOT NULL,
    case_id      BIGINT NOT NULL,
    item_no      BIGINT NOT NULL,
    category     TEXT,
    style        TEXT NOT NULL,
    whole        BIGINT NOT NULL CHECK (whole IN (0, 1)),
    PRIMARY KEY (customer_id, at, case_id, item_no)
) @WITHOUT_ROWID@;

-- The demo's people (never in a real shop): several accounts of one person
-- share a person number; a walk-in's cases are labelled one by one.
ALTER TABLE demo_labels ADD COLUMN person BIGINT;
CREATE TABLE demo_walk_ins (
    case_id  BIGINT PRIMARY KEY,
    person   BIGINT NOT NULL,
    label    TEXT NOT NULL
);
