-- bench/match.sql — the baseline of bench row (k): the match of
-- clienteling_arrive() (docs/clienteling.md, "The rules") for collection
-- :code in every store at :now, written as one INSERT ... SELECT that sqlite3
-- runs on a copy of the same database. bench/run.sh replaces :code and :now.
-- The same facts, eligibility in the same order, the same score; two
-- simplifications, both in the baseline's favour: the hold-out is drawn
-- from the customer id instead of a keyed hash, and the reason is one
-- printf instead of the rendered sentence with its parts.
INSERT INTO outreach_tasks (collection_id, store_id, customer_id, staff_id, status, score, channel, why_nl, why_en,
                            size, due_day, lapses_at, created_at)
WITH coll AS (SELECT id FROM collections WHERE code = ':code'),
     styles_in AS (SELECT s.* FROM collection_styles y JOIN styles s ON s.id = y.style_id
                   WHERE y.collection_id = (SELECT id FROM coll)),
     cats AS (SELECT DISTINCT category FROM styles_in),
     facets AS (SELECT 'category' AS kind, category AS value FROM cats
                UNION SELECT 'style', code FROM styles_in
                UNION SELECT 'brand', brand FROM styles_in
                UNION SELECT 'colour', colour FROM styles_in WHERE colour <> ''),
     instock AS (SELECT DISTINCT k.store_id, s.category, p.size FROM styles_in s JOIN products p ON p.style_id = s.id
                 JOIN stock k ON k.product_id = p.id WHERE k.on_hand - k.held > 0 AND p.size IS NOT NULL),
     cand AS (SELECT c.id, COALESCE(ca.store_id, c.home_store_id) AS store_id, ca.staff_id,
                     CASE WHEN c.phone_consent = 1 AND COALESCE(c.phone, '') <> '' THEN 'phone'
                          WHEN c.email_consent = 1 AND COALESCE(c.email, '') <> '' THEN 'email' END AS channel,
                     CASE WHEN c.loyalty_number IS NULL THEN 0 WHEN COALESCE(f.lifetime_spend_cents, 0) >= 500000 THEN 150
                          WHEN f.lifetime_spend_cents >= 150000 THEN 100 WHEN f.lifetime_spend_cents >= 50000 THEN 60
                          ELSE 30 END AS tier_points,
                     (:now - f.last_purchase_at) / 86400000000 AS days
              FROM customers c LEFT JOIN customer_associates ca ON ca.customer_id = c.id
              LEFT JOIN customer_facts f ON f.customer_id = c.id
              WHERE c.erased_at IS NULL AND COALESCE(ca.store_id, c.home_store_id) IS NOT NULL),
     spend AS (SELECT customer_id, SUM(spend_cents) AS cents FROM customer_category_spend
               WHERE category IN (SELECT category FROM cats) AND last_at >= :now - 730 * 86400000000
               GROUP BY customer_id),
     likes AS (SELECT f.customer_id, SUM(f.sentiment > 0) AS likes, SUM(f.sentiment < 0) AS dislikes
               FROM customer_prefs f JOIN facets x ON x.kind = f.kind AND x.value = f.value GROUP BY f.customer_id),
     sized AS (SELECT cd.id, MIN(COALESCE(z.size, s.last_size)) AS size
               FROM cand cd JOIN cats k
               LEFT JOIN customer_sizes z ON z.customer_id = cd.id AND z.category = k.category AND z.source = 'stated'
               LEFT JOIN customer_category_spend s ON s.customer_id = cd.id AND s.category = k.category
                    AND s.last_at >= :now - 730 * 86400000000
               JOIN instock i ON i.store_id = cd.store_id AND i.category = k.category AND i.size = COALESCE(z.size, s.last_size)
               GROUP BY cd.id),
     contacted AS (SELECT customer_id, COUNT(*) AS n FROM contacts WHERE marketing = 1 AND at >= :now - 30 * 86400000000
                   GROUP BY customer_id),
     elig AS (SELECT cd.*, COALESCE(sp.cents, 0) AS cents, COALESCE(l.likes, 0) AS likes, z.size,
                     MIN(1000, MAX(0, MIN(300, CAST(60 * log2(1 + COALESCE(sp.cents, 0) / 2500.0) AS INTEGER)) + cd.tier_points
                         + CASE WHEN cd.days IS NULL THEN 0 WHEN cd.days <= 30 THEN 150 WHEN cd.days <= 90 THEN 100
                                WHEN cd.days <= 180 THEN 60 WHEN cd.days <= 365 THEN 25 ELSE 0 END
                         + 70 * MIN(COALESCE(l.likes, 0), 3) + 40 * MIN(COALESCE(o.answered, 0), 3)
                         - 30 * MIN(COALESCE(o.ignored, 0), 3))) AS score
              FROM cand cd LEFT JOIN spend sp ON sp.customer_id = cd.id LEFT JOIN likes l ON l.customer_id = cd.id
              LEFT JOIN sized z ON z.id = cd.id LEFT JOIN customer_outreach o ON o.customer_id = cd.id
              LEFT JOIN contacted n ON n.customer_id = cd.id
              WHERE NOT EXISTS (SELECT 1 FROM customer_objections j WHERE j.customer_id = cd.id)
                AND COALESCE(o.do_not_contact, 0) = 0 AND cd.channel IS NOT NULL AND COALESCE(n.n, 0) < 2
                AND COALESCE(l.dislikes, 0) <= COALESCE(l.likes, 0) AND (COALESCE(l.likes, 0) > 0 OR COALESCE(sp.cents, 0) > 0)
                AND z.size IS NOT NULL),
     ranked AS (SELECT e.*, (e.id * 2654435761) % 1000 < 100 AS holdout,
                       ROW_NUMBER() OVER (PARTITION BY e.store_id, e.staff_id, (e.id * 2654435761) % 1000 < 100
                                          ORDER BY e.score DESC, e.id) AS rn
                FROM elig e)
SELECT (SELECT id FROM coll), store_id, id,
       CASE WHEN NOT holdout AND staff_id IS NOT NULL AND rn <= 25 THEN staff_id END,
       CASE WHEN holdout THEN 'holdout' ELSE 'open' END, score, channel,
       printf('€ %d besteed; maat %s op voorraad', (cents + 50) / 100, size),
       printf('spent €%d; size %s in stock', (cents + 50) / 100, size),
       size, :now / 86400000000, :now + 48 * 3600000000, :now
FROM ranked WHERE true
ON CONFLICT (collection_id, store_id, customer_id) DO NOTHING;
