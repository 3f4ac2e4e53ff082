-- 0022_case_outcomes.sql — one compact row per resolved case of a known
-- customer, what the goodwill economics (domain/goodwill_read.c) and the
-- referral outcomes (domain/insight.c) read instead of the decisions' JSON,
-- the cases and every customer's receipts after them (docs/insight.md,
-- "Goodwill economics" and "Referral outcomes").
--
-- Written by the RESOLVED event's subscriber (outcomes_on_event, events.def)
-- in the resolving transaction: the case's store, category (of its referral,
-- else of its first item or that item's product, '' for none), resolution
-- and referral, its goodwill (funded by the ledger, or beyond a strict
-- policy) and the facts its last stored decision was made on (decision_id,
-- decided_at, policy version, tier, lifetime spend before, tenure; NULL /
-- '' / 0 for a case resolved before migration 11 stored decisions). The
-- customer's spend and visits (receipts) in the 30, 90 and 180 days after
-- the resolution are running sums: the PURCHASES_IMPORTED subscriber adds
-- each new receipt of the customer to the windows it falls in, in the
-- import's transaction, so a late import counts too. A window that has not
-- passed yet holds what is known so far; the reports tell open from closed
-- by their clock. At every commit a row equals a recount from the raw
-- tables. A customer's erasure deletes their rows (neither report follows
-- erased customers).
CREATE TABLE case_outcomes (
    case_id            BIGINT PRIMARY KEY REFERENCES cases(id) DEFERRABLE INITIALLY IMMEDIATE,
    customer_id        BIGINT NOT NULL,
    store_id           BIGINT NOT NULL,
    resolved_at        BIGINT NOT NULL,
    decision_id        BIGINT,
    decided_at         BIGINT,
    category           TEXT NOT NULL,
    policy_version     TEXT NOT NULL,
    tier               TEXT NOT NULL,
    spend_before_cents BIGINT NOT NULL,
    tenure_days        BIGINT NOT NULL,
    resolution         TEXT NOT NULL,
    goodwill_cents     BIGINT NOT NULL CHECK (goodwill_cents >= 0),
    funded             BIGINT NOT NULL CHECK (funded IN (0, 1)),
    referred           BIGINT NOT NULL CHECK (referred IN (0, 1)),
    spend_30           BIGINT NOT NULL DEFAULT 0 CHECK (spend_30 >= 0),
    visits_30          BIGINT NOT NULL DEFAULT 0 CHECK (visits_30 >= 0),
    spend_90           BIGINT NOT NULL DEFAULT 0 CHECK (spend_90 >= 0),
    visits_90          BIGINT NOT NULL DEFAULT 0 CHECK (visits_90 >= 0),
    spend_180          BIGINT NOT NULL DEFAULT 0 CHECK (spend_180 >= 0),
    visits_180         BIGINT NOT NULL DEFAULT 0 CHECK (visits_180 >= 0)
);
-- The referral outcomes: a period of the chain, or of one store.
CREATE INDEX case_outcomes_resolved ON case_outcomes (resolved_at);
CREATE INDEX case_outcomes_store ON case_outcomes (store_id, resolved_at);
-- The goodwill economics: the cases decided in a period, in the order their
-- decisions were taken.
CREATE INDEX case_outcomes_decided ON case_outcomes (decided_at, decision_id);
-- A new receipt finds the cases of its customer whose windows it falls in;
-- an erasure finds the customer's rows.
CREATE INDEX case_outcomes_customer ON case_outcomes (customer_id, resolved_at);

-- The backfill: every resolved case of a customer not erased, with its last
-- stored decision (the facts in its JSON, by each backend's own JSON
-- functions) and the receipts after it.
-- @backend sqlite
INSERT INTO case_outcomes (case_id, customer_id, store_id, resolved_at, decision_id, decided_at, category,
                           policy_version, tier, spend_before_cents, tenure_days, resolution, goodwill_cents, funded,
                           referred)
SELECT k.id, k.customer_id, k.store_id, k.resolved_at, d.id, d.decided_at,
       COALESCE(f.category, (SELECT COALESCE(i.category, p.category) FROM case_items i
                             LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id
                             ORDER BY i.item_no LIMIT 1), ''),
       COALESCE(d.policy_version, ''), COALESCE(json_extract(d.inputs_json, '$.facts.tier'), ''),
       COALESCE(json_extract(d.inputs_json, '$.facts.lifetime_spend_cents'), 0),
       COALESCE(json_extract(d.inputs_json, '$.facts.tenure_days'), 0), COALESCE(k.resolution, ''),
       CASE WHEN n.funding = 'goodwill' AND n.amount_cents > 0 THEN n.amount_cents
            WHEN k.resolution IN ('refund', 'store_credit', 'exchange') THEN
                 MAX(0, COALESCE(k.amount_cents, 0) - COALESCE((SELECT SUM(json_extract(e.value, '$.amount_cents'))
                        FROM json_each(d.inputs_json, '$.decision.items') e
                        WHERE json_extract(e.value, '$.proven') = 1), 0))
            ELSE 0 END,
       CASE WHEN n.funding = 'goodwill' AND n.amount_cents > 0 THEN 1 ELSE 0 END,
       CASE WHEN f.case_id IS NULL THEN 0 ELSE 1 END
FROM cases k JOIN customers cu ON cu.id = k.customer_id
LEFT JOIN referrals f ON f.case_id = k.id
LEFT JOIN credit_notes n ON n.id = k.credit_note_id
LEFT JOIN decision_inputs d ON d.id = (SELECT MAX(x.id) FROM decision_inputs x WHERE x.case_id = k.id)
WHERE k.status IN ('resolved', 'followed_up') AND k.resolved_at IS NOT NULL AND cu.erased_at IS NULL;
-- @backend postgres
INSERT INTO case_outcomes (case_id, customer_id, store_id, resolved_at, decision_id, decided_at, category,
                           policy_version, tier, spend_before_cents, tenure_days, resolution, goodwill_cents, funded,
                           referred)
SELECT k.id, k.customer_id, k.store_id, k.resolved_at, d.id, d.decided_at,
       COALESCE(f.category, (SELECT COALESCE(i.category, p.category) FROM case_items i
                             LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = k.id
                             ORDER BY i.item_no LIMIT 1), ''),
       COALESCE(d.policy_version, ''), COALESCE(d.inputs_json::json -> 'facts' ->> 'tier', ''),
       COALESCE((d.inputs_json::json -> 'facts' ->> 'lifetime_spend_cents')::bigint, 0),
       COALESCE((d.inputs_json::json -> 'facts' ->> 'tenure_days')::bigint, 0), COALESCE(k.resolution, ''),
       CASE WHEN n.funding = 'goodwill' AND n.amount_cents > 0 THEN n.amount_cents
            WHEN k.resolution IN ('refund', 'store_credit', 'exchange') THEN
                 GREATEST(0, COALESCE(k.amount_cents, 0) - COALESCE((SELECT SUM((e ->> 'amount_cents')::bigint)
                        FROM json_array_elements(d.inputs_json::json -> 'decision' -> 'items') e
                        WHERE (e ->> 'proven')::boolean), 0))
            ELSE 0 END,
       CASE WHEN n.funding = 'goodwill' AND n.amount_cents > 0 THEN 1 ELSE 0 END,
       CASE WHEN f.case_id IS NULL THEN 0 ELSE 1 END
FROM cases k JOIN customers cu ON cu.id = k.customer_id
LEFT JOIN referrals f ON f.case_id = k.id
LEFT JOIN credit_notes n ON n.id = k.credit_note_id
LEFT JOIN decision_inputs d ON d.id = (SELECT MAX(x.id) FROM decision_inputs x WHERE x.case_id = k.id)
WHERE k.status IN ('resolved', 'followed_up') AND k.resolved_at IS NOT NULL AND cu.erased_at IS NULL;
-- @backend all
-- The windows: each case's customer's receipts after it, once.
UPDATE case_outcomes SET
    spend_30 = COALESCE((SELECT SUM(l.unit_price_cents * l.quantity) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id
                         WHERE r.customer_id = case_outcomes.customer_id AND r.purchased_at > case_outcomes.resolved_at
                         AND r.purchased_at <= case_outcomes.resolved_at + 2592000000000), 0),
    visits_30 = (SELECT COUNT(*) FROM receipts r WHERE r.customer_id = case_outcomes.customer_id
                 AND r.purchased_at > case_outcomes.resolved_at AND r.purchased_at <= case_outcomes.resolved_at + 2592000000000),
    spend_90 = COALESCE((SELECT SUM(l.unit_price_cents * l.quantity) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id
                         WHERE r.customer_id = case_outcomes.customer_id AND r.purchased_at > case_outcomes.resolved_at
                         AND r.purchased_at <= case_outcomes.resolved_at + 7776000000000), 0),
    visits_90 = (SELECT COUNT(*) FROM receipts r WHERE r.customer_id = case_outcomes.customer_id
                 AND r.purchased_at > case_outcomes.resolved_at AND r.purchased_at <= case_outcomes.resolved_at + 7776000000000),
    spend_180 = COALESCE((SELECT SUM(l.unit_price_cents * l.quantity) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id
                          WHERE r.customer_id = case_outcomes.customer_id AND r.purchased_at > case_outcomes.resolved_at
                          AND r.purchased_at <= case_outcomes.resolved_at + 15552000000000), 0),
    visits_180 = (SELECT COUNT(*) FROM receipts r WHERE r.customer_id = case_outcomes.customer_id
                  AND r.purchased_at > case_outcomes.resolved_at AND r.purchased_at <= case_outcomes.resolved_at + 15552000000000);
