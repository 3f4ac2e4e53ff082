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
-- about them is shared. `shared` is how many accounts carry the key (this
-- one included), kept on every row of the key, so that a decision reads a
-- customer's keys and whether anyone shares them from the by-customer index
-- alone, without a look-up by key in a table as large as the customers.
CREATE TABLE customer_keys (
    key          TEXT NOT NULL,
    customer_id  BIGINT NOT NULL,
    shared       BIGINT NOT NULL DEFAULT 1 CHECK (shared >= 1),
    PRIMARY KEY (key, customer_id)
) @WITHOUT_ROWID@;
CREATE INDEX customer_keys_customer ON customer_keys (customer_id, key, shared);

-- The accounts per key, the row a writer of a key takes first (an upsert),
-- so that two tills adding the same phone number at once count each other.
-- A key no write path touched yet (the demo's, of one account) has no row;
-- its count is then read from customer_keys.
CREATE TABLE identity_key_counts (
    key       TEXT PRIMARY KEY,
    accounts  BIGINT NOT NULL CHECK (accounts >= 0)
) @WITHOUT_ROWID@;

-- Customers that existed before this migration get their keys from a
-- backfill (identity_backfill_step: the scheduler a batch at a time, and
-- `trustdesk migrate` at once), which cannot be SQL: the keys need the secret
-- and the normalisation in C. The row says which ids are left; a new database
-- (no customers yet) gets no row, so a copy's destination stays empty.
CREATE TABLE identity_backfill (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    next_id  BIGINT NOT NULL,
    last_id  BIGINT NOT NULL
);
INSERT INTO identity_backfill (id, next_id, last_id) SELECT 1, 1, MAX(id) FROM customers HAVING COUNT(*) > 0;

-- A walk-in's contact (phone, e-mail or ID reference), as the same kind of
-- keyed hash, for the case it was given at; and the walk-in's counts per key
-- and day, store and item, like the customer aggregates of 0003 (an item as
-- in customer_item_stores, below). All of it is
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

CREATE TABLE walk_in_item_stores (
    key       TEXT NOT NULL,
    item      TEXT NOT NULL,
    store_id  BIGINT NOT NULL,
    last_at   BIGINT NOT NULL,
    PRIMARY KEY (key, item, store_id)
) @WITHOUT_ROWID@;

-- One item returned at several stores, where "one item" is one purchase
-- line when the return has proof of purchase ("p" product id "/l" receipt
-- id "." line number) and the product when it has none ("p" product id): a
-- family returning one size of the same pyjama, bought twice, at two stores
-- has returned two purchases once each, while units of one purchase, or the
-- same product without proof, coming back store after store is what the
-- signal is for (facts.c, most_stores). Replaces customer_item_returns (per
-- product), whose rows become products.
CREATE TABLE customer_item_stores (
    customer_id  BIGINT NOT NULL,
    item         TEXT NOT NULL,
    store_id     BIGINT NOT NULL,
    last_at      BIGINT NOT NULL,
    PRIMARY KEY (customer_id, item, store_id)
) @WITHOUT_ROWID@;
INSERT INTO customer_item_stores (customer_id, item, store_id, last_at)
SELECT customer_id, 'p' || CAST(product_id AS TEXT), store_id, last_at FROM customer_item_returns;
DROP TABLE customer_item_returns;

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
