-- The audit log becomes a hash chain: each row carries the hash of the row
-- before it and its own (domain_audit), so that `trustdesk audit verify`
-- finds a row altered, removed or inserted. audit_head holds the newest
-- hash; taking its row lock is what puts concurrent writers in one line.
-- Rows written before this migration stay unchained (hash NULL) and come
-- before the chain.
ALTER TABLE audit_log ADD COLUMN prev_hash TEXT;
ALTER TABLE audit_log ADD COLUMN hash TEXT;

CREATE TABLE audit_head (
    id        BIGINT PRIMARY KEY CHECK (id = 1),
    rows      BIGINT NOT NULL,
    hash      TEXT NOT NULL
);
