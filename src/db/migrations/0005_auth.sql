-- 0005_auth.sql — copies that survive a reissue; API tokens that expire and
-- can be listed and revoked; back-off counters under their new keys.

-- PostgreSQL: every foreign key becomes DEFERRABLE INITIALLY IMMEDIATE.
-- Ordinary transactions see no difference (the checks run at the end of each
-- statement, as before); `trustdesk copy` and `backup` defer them to commit
-- (db_defer_foreign_keys), because a reissued credit note references its
-- newer replacement. SQLite defers any foreign key with a pragma.
-- @backend postgres
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.conname, c.conrelid::regclass AS tbl FROM pg_constraint c
             JOIN pg_namespace n ON n.oid = c.connamespace
             WHERE c.contype = 'f' AND NOT c.condeferrable AND n.nspname = current_schema()
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER CONSTRAINT %I DEFERRABLE INITIALLY IMMEDIATE', r.tbl, r.conname);
    END LOOP;
END $$;
-- @backend all

-- Back-off counters now count per (account, address) pair and per staff
-- account, with per-address backstops (domain/throttle.h); the old keys per
-- account alone and per address alone mean nothing any more.
DELETE FROM login_failures;
