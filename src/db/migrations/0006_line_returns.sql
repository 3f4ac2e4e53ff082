-- 0006_line_returns.sql — what was returned of each purchase line, so that one
-- receipt line is never refunded beyond its quantity (docs/desk.md, "One
-- receipt line, returned once"); how each item of a case is proven; and
-- purchases and returns per category and day, for a return norm that
-- compares like with like (docs/policy.md, "The categories' norm").

-- Per case item: the purchase line it was matched to (with receipt_id) and
-- how the purchase is proven: the receipt the customer has, the loyalty card
-- (no receipt, but the line is on the customer's card), or a gift receipt
-- brought by someone other than the buyer. NULL: no proof (or a case opened
-- before this migration).
ALTER TABLE case_items ADD COLUMN line_no BIGINT;
ALTER TABLE case_items ADD COLUMN proof TEXT CHECK (proof IN ('receipt', 'card', 'gift_receipt'));

-- The units of a purchase line that came back. `returned` never exceeds what
-- was bought: a claim is a conditional upsert (WHERE returned < bought), and
-- the CHECK holds it on both backends whatever the interleaving. `beyond`
-- counts units taken back on top of that, each with a manager's approval
-- recorded in line_return_claims.
CREATE TABLE line_returns (
    receipt_id   BIGINT NOT NULL REFERENCES receipts(id),
    line_no      BIGINT NOT NULL,
    customer_id  BIGINT,                                   -- the buyer (NULL: anonymous or erased)
    bought       BIGINT NOT NULL CHECK (bought > 0),
    returned     BIGINT NOT NULL DEFAULT 0 CHECK (returned >= 0),
    beyond       BIGINT NOT NULL DEFAULT 0 CHECK (beyond >= 0),
    CHECK (returned <= bought),
    PRIMARY KEY (receipt_id, line_no)
) @WITHOUT_ROWID@;

-- One row per unit claimed: which case and item, where and when, and — for a
-- unit beyond the quantity bought — the manager who approved it.
CREATE TABLE line_return_claims (
    case_id      BIGINT NOT NULL REFERENCES cases(id),
    item_no      BIGINT NOT NULL,
    receipt_id   BIGINT NOT NULL REFERENCES receipts(id),
    line_no      BIGINT NOT NULL,
    store_id     BIGINT NOT NULL REFERENCES stores(id),
    at           BIGINT NOT NULL,
    beyond       BIGINT NOT NULL DEFAULT 0 CHECK (beyond IN (0, 1)),
    approved_by  BIGINT REFERENCES staff(id),
    CHECK (beyond = 0 OR approved_by IS NOT NULL),
    PRIMARY KEY (case_id, item_no)
) @WITHOUT_ROWID@;
CREATE INDEX line_return_claims_line ON line_return_claims (receipt_id, line_no, at);

-- Cases resolved before this migration already took units back: match their
-- items to the first line of the product on their receipt and count them, at
-- most the quantity bought (the earliest first), so that upgrading does not
-- make those lines returnable again.
UPDATE case_items SET line_no = (SELECT MIN(l.line_no) FROM purchase_lines l
                                 WHERE l.receipt_id = case_items.receipt_id AND l.product_id = case_items.product_id)
 WHERE receipt_id IS NOT NULL AND product_id IS NOT NULL;

INSERT INTO line_return_claims (case_id, item_no, receipt_id, line_no, store_id, at, beyond, approved_by)
SELECT case_id, item_no, receipt_id, line_no, store_id, at, 0, approval_by FROM (
    SELECT i.case_id, i.item_no, i.receipt_id, i.line_no, k.store_id, COALESCE(k.resolved_at, k.updated_at) AS at,
           k.approval_by, l.quantity,
           ROW_NUMBER() OVER (PARTITION BY i.receipt_id, i.line_no
                              ORDER BY COALESCE(k.resolved_at, k.updated_at), i.case_id, i.item_no) AS n
      FROM case_items i
      JOIN cases k ON k.id = i.case_id
      JOIN purchase_lines l ON l.receipt_id = i.receipt_id AND l.line_no = i.line_no
     WHERE i.line_no IS NOT NULL AND i.sold_here = 1
       AND k.status IN ('resolved', 'followed_up') AND k.amount_cents > 0
       AND k.kind IN ('return', 'exchange', 'referral')
       AND k.resolution IN ('refund', 'store_credit', 'exchange', 'refer_elsewhere')
) AS earlier
 WHERE n <= quantity;

INSERT INTO line_returns (receipt_id, line_no, customer_id, bought, returned)
SELECT c.receipt_id, c.line_no, MIN(l.customer_id), MIN(l.quantity), COUNT(*)
  FROM line_return_claims c
  JOIN purchase_lines l ON l.receipt_id = c.receipt_id AND l.line_no = c.line_no
 GROUP BY c.receipt_id, c.line_no;

-- Purchases and returns per category and (UTC) day, kept as long as
-- customer_days. A category's return norm compares its returns with its
-- purchases of the same days since the desk went live, starting from a
-- documented prior (facts.c); category_stats divided returns since go-live
-- by every purchase ever imported, which read far too low for months.
CREATE TABLE category_days (
    category   TEXT NOT NULL,
    day        BIGINT NOT NULL,
    purchases  BIGINT NOT NULL DEFAULT 0,
    returns    BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (category, day)
) @WITHOUT_ROWID@;

INSERT INTO category_days (category, day, purchases)
SELECT p.category, r.purchased_at / 86400000000, SUM(l.quantity)
  FROM receipts r
  JOIN purchase_lines l ON l.receipt_id = r.id
  JOIN products p ON p.id = l.product_id
 WHERE r.purchased_at >= (SELECT MAX(purchased_at) FROM receipts) - 400 * 86400000000
 GROUP BY p.category, r.purchased_at / 86400000000;

INSERT INTO category_days (category, day, returns)
SELECT i.category, k.created_at / 86400000000, COUNT(*)
  FROM cases k
  JOIN case_items i ON i.case_id = k.id
 WHERE k.kind IN ('return', 'exchange', 'referral') AND i.sold_here = 1 AND i.category IS NOT NULL
 GROUP BY i.category, k.created_at / 86400000000
    ON CONFLICT (category, day) DO UPDATE SET returns = excluded.returns;

DROP TABLE category_stats;
