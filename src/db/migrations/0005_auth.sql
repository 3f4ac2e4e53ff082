-- 0005_auth.sql — copies that survive a reissue; API tokens that expire and
-- can be listed and revoked; back-off counters under their new keys.

-- PostgreSQL: every foreign key becomes DEFERRABLE INITIALLY IMMEDIATE, from
-- here on after every migration (db_pg.c's after_migration says why).

-- Back-off counters now count per (account, address) pair and per staff
-- account, with per-address backstops (domain/throttle.h); the old keys per
-- account alone and per address alone mean nothing any more.
DELETE FROM login_failures;

-- API tokens get an id (to list and revoke them by) and an expiry. A token
-- made before tokens expired gets a year from this upgrade, so that no
-- integration stops on the day of the upgrade.
CREATE TABLE api_tokens_new (
    id          @ID@,
    token_hash  TEXT NOT NULL UNIQUE,
    staff_id    BIGINT NOT NULL REFERENCES staff(id) DEFERRABLE INITIALLY IMMEDIATE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
-- @backend sqlite
INSERT INTO api_tokens_new (token_hash, staff_id, created_at, expires_at, revoked_at)
    SELECT token_hash, staff_id, created_at, CAST(strftime('%s', 'now') AS INTEGER) * 1000000 + 31536000000000, revoked_at
    FROM api_tokens ORDER BY created_at, token_hash;
-- @backend postgres
INSERT INTO api_tokens_new (token_hash, staff_id, created_at, expires_at, revoked_at)
    SELECT token_hash, staff_id, created_at, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT) * 1000000 + 31536000000000, revoked_at
    FROM api_tokens ORDER BY created_at, token_hash;
-- @backend all
DROP TABLE api_tokens;
ALTER TABLE api_tokens_new RENAME TO api_tokens;
CREATE INDEX api_tokens_staff ON api_tokens (staff_id);
