-- 0019_insight_days.sql — the desk's cases counted per store, category and
-- Amsterdam day, so the daily dashboard (GET /api/v1/insight/daily,
-- domain/insight_daily.c, docs/insight.md "Daily rollups") reads day rows,
-- never the history of cases.
--
-- One row per store, Amsterdam day (days since 1970-01-01 of the local
-- date) and category (of the case's first item, or of its product; '' for
-- none, as the referral outcomes read it).
-- insight_daily_on_event() (events.def) adds to it in the transaction of
-- each event it counts, on the day of the event: opened (OPENED), resolved
-- with its resolution, amount, credit note and time to resolve (RESOLVED),
-- overrides (OVERRIDDEN), approvals asked (APPROVAL_REQUESTED), cancelled
-- (CANCELLED). Counts only grow; a CHECK keeps each at 0 or more.
CREATE TABLE insight_days (
    day                 BIGINT NOT NULL,
    store_id            BIGINT NOT NULL REFERENCES stores(id),
    category            TEXT NOT NULL,
    opened              BIGINT NOT NULL DEFAULT 0 CHECK (opened >= 0),
    resolved            BIGINT NOT NULL DEFAULT 0 CHECK (resolved >= 0),
    refunds             BIGINT NOT NULL DEFAULT 0 CHECK (refunds >= 0),
    store_credits       BIGINT NOT NULL DEFAULT 0 CHECK (store_credits >= 0),
    exchanges           BIGINT NOT NULL DEFAULT 0 CHECK (exchanges >= 0),
    repairs             BIGINT NOT NULL DEFAULT 0 CHECK (repairs >= 0),
    referrals           BIGINT NOT NULL DEFAULT 0 CHECK (referrals >= 0),
    declined            BIGINT NOT NULL DEFAULT 0 CHECK (declined >= 0),
    overrides           BIGINT NOT NULL DEFAULT 0 CHECK (overrides >= 0),
    approvals_requested BIGINT NOT NULL DEFAULT 0 CHECK (approvals_requested >= 0),
    cancelled           BIGINT NOT NULL DEFAULT 0 CHECK (cancelled >= 0),
    refund_cents        BIGINT NOT NULL DEFAULT 0 CHECK (refund_cents >= 0),
    store_credit_cents  BIGINT NOT NULL DEFAULT 0 CHECK (store_credit_cents >= 0),
    goodwill_cents      BIGINT NOT NULL DEFAULT 0 CHECK (goodwill_cents >= 0),
    resolve_seconds     BIGINT NOT NULL DEFAULT 0 CHECK (resolve_seconds >= 0),
    PRIMARY KEY (day, store_id, category)
) @WITHOUT_ROWID@;
-- Day first: every read is a period, of the chain or of one store, and a
-- day holds at most stores x categories rows, so a year of the chain is a
-- few tens of thousands of rows read in order.

-- The backfill: what the events of the cases already stored would have
-- added, from their case_events rows (the same transitions the subscriber
-- hears; a case's resolution, amount and credit note are final once it is
-- resolved). Amsterdam's day needs its summer time: the EU rule (from the
-- last Sunday of March to the last Sunday of October, 01:00 UTC), the same
-- as core/clock.c's clock_amsterdam_offset(), as a table of the years
-- 1970-2100 used here and dropped.
CREATE TABLE insight_dst (
    starts_us BIGINT PRIMARY KEY,
    ends_us   BIGINT NOT NULL
);
INSERT INTO insight_dst (starts_us, ends_us) VALUES
  (7520400000000, 25664400000000), (38970000000000, 57718800000000), (70419600000000, 89168400000000),
  (101869200000000, 120618000000000), (133923600000000, 152067600000000), (165373200000000, 183517200000000),
  (196822800000000, 215571600000000), (228272400000000, 247021200000000), (259722000000000, 278470800000000),
  (291171600000000, 309920400000000), (323226000000000, 341370000000000), (354675600000000, 372819600000000),
  (386125200000000, 404874000000000), (417574800000000, 436323600000000), (449024400000000, 467773200000000),
  (481078800000000, 499222800000000), (512528400000000, 530672400000000), (543978000000000, 562122000000000),
  (575427600000000, 594176400000000), (606877200000000, 625626000000000), (638326800000000, 657075600000000),
  (670381200000000, 688525200000000), (701830800000000, 719974800000000), (733280400000000, 752029200000000),
  (764730000000000, 783478800000000), (796179600000000, 814928400000000), (828234000000000, 846378000000000),
  (859683600000000, 877827600000000), (891133200000000, 909277200000000), (922582800000000, 941331600000000),
  (954032400000000, 972781200000000), (985482000000000, 1004230800000000), (1017536400000000, 1035680400000000),
  (1048986000000000, 1067130000000000), (1080435600000000, 1099184400000000), (1111885200000000, 1130634000000000),
  (1143334800000000, 1162083600000000), (1174784400000000, 1193533200000000), (1206838800000000, 1224982800000000),
  (1238288400000000, 1256432400000000), (1269738000000000, 1288486800000000), (1301187600000000, 1319936400000000),
  (1332637200000000, 1351386000000000), (1364691600000000, 1382835600000000), (1396141200000000, 1414285200000000),
  (1427590800000000, 1445734800000000), (1459040400000000, 1477789200000000), (1490490000000000, 1509238800000000),
  (1521939600000000, 1540688400000000), (1553994000000000, 1572138000000000), (1585443600000000, 1603587600000000),
  (1616893200000000, 1635642000000000), (1648342800000000, 1667091600000000), (1679792400000000, 1698541200000000),
  (1711846800000000, 1729990800000000), (1743296400000000, 1761440400000000), (1774746000000000, 1792890000000000),
  (1806195600000000, 1824944400000000), (1837645200000000, 1856394000000000), (1869094800000000, 1887843600000000),
  (1901149200000000, 1919293200000000), (1932598800000000, 1950742800000000), (1964048400000000, 1982797200000000),
  (1995498000000000, 2014246800000000), (2026947600000000, 2045696400000000), (2058397200000000, 2077146000000000),
  (2090451600000000, 2108595600000000), (2121901200000000, 2140045200000000), (2153350800000000, 2172099600000000),
  (2184800400000000, 2203549200000000), (2216250000000000, 2234998800000000), (2248304400000000, 2266448400000000),
  (2279754000000000, 2297898000000000), (2311203600000000, 2329347600000000), (2342653200000000, 2361402000000000),
  (2374102800000000, 2392851600000000), (2405552400000000, 2424301200000000), (2437606800000000, 2455750800000000),
  (2469056400000000, 2487200400000000), (2500506000000000, 2519254800000000), (2531955600000000, 2550704400000000),
  (2563405200000000, 2582154000000000), (2595459600000000, 2613603600000000), (2626909200000000, 2645053200000000),
  (2658358800000000, 2676502800000000), (2689808400000000, 2708557200000000), (2721258000000000, 2740006800000000),
  (2752707600000000, 2771456400000000), (2784762000000000, 2802906000000000), (2816211600000000, 2834355600000000),
  (2847661200000000, 2866410000000000), (2879110800000000, 2897859600000000), (2910560400000000, 2929309200000000),
  (2942010000000000, 2960758800000000), (2974064400000000, 2992208400000000), (3005514000000000, 3023658000000000),
  (3036963600000000, 3055712400000000), (3068413200000000, 3087162000000000), (3099862800000000, 3118611600000000),
  (3131917200000000, 3150061200000000), (3163366800000000, 3181510800000000), (3194816400000000, 3212960400000000),
  (3226266000000000, 3245014800000000), (3257715600000000, 3276464400000000), (3289165200000000, 3307914000000000),
  (3321219600000000, 3339363600000000), (3352669200000000, 3370813200000000), (3384118800000000, 3402867600000000),
  (3415568400000000, 3434317200000000), (3447018000000000, 3465766800000000), (3479072400000000, 3497216400000000),
  (3510522000000000, 3528666000000000), (3541971600000000, 3560115600000000), (3573421200000000, 3592170000000000),
  (3604870800000000, 3623619600000000), (3636320400000000, 3655069200000000), (3668374800000000, 3686518800000000),
  (3699824400000000, 3717968400000000), (3731274000000000, 3750022800000000), (3762723600000000, 3781472400000000),
  (3794173200000000, 3812922000000000), (3825622800000000, 3844371600000000), (3857677200000000, 3875821200000000),
  (3889126800000000, 3907270800000000), (3920576400000000, 3939325200000000), (3952026000000000, 3970774800000000),
  (3983475600000000, 4002224400000000), (4015530000000000, 4033674000000000), (4046979600000000, 4065123600000000),
  (4078429200000000, 4096573200000000), (4109878800000000, 4128627600000000);

INSERT INTO insight_days (day, store_id, category, opened, resolved, refunds, store_credits, exchanges, repairs, referrals, declined, overrides, approvals_requested, cancelled, refund_cents, store_credit_cents, goodwill_cents, resolve_seconds)
SELECT day, store_id, category, SUM(opened), SUM(resolved), SUM(refunds), SUM(store_credits), SUM(exchanges), SUM(repairs), SUM(referrals), SUM(declined), SUM(overrides), SUM(approvals_requested), SUM(cancelled), SUM(refund_cents), SUM(store_credit_cents), SUM(goodwill_cents), SUM(resolve_seconds)
  FROM (SELECT k.store_id,
               (e.at + CASE WHEN EXISTS (SELECT 1 FROM insight_dst d WHERE d.starts_us <= e.at AND d.ends_us > e.at)
                            THEN 7200000000 ELSE 3600000000 END) / 86400000000 AS day,
               COALESCE((SELECT COALESCE(i.category, p.category) FROM case_items i
                           LEFT JOIN products p ON p.id = i.product_id
                          WHERE i.case_id = k.id ORDER BY i.item_no LIMIT 1), '') AS category,
               CASE WHEN e.action = 'opened' THEN 1 ELSE 0 END AS opened,
               CASE WHEN e.action = 'resolved' THEN 1 ELSE 0 END AS resolved,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'refund' THEN 1 ELSE 0 END AS refunds,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'store_credit' THEN 1 ELSE 0 END AS store_credits,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'exchange' THEN 1 ELSE 0 END AS exchanges,
               CASE WHEN e.action = 'resolved' AND k.resolution IN ('repair_manufacturer', 'repair_in_store')
                    THEN 1 ELSE 0 END AS repairs,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'refer_elsewhere' THEN 1 ELSE 0 END AS referrals,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'decline' THEN 1 ELSE 0 END AS declined,
               CASE WHEN e.action = 'overridden' THEN 1 ELSE 0 END AS overrides,
               CASE WHEN e.action = 'approval_requested' THEN 1 ELSE 0 END AS approvals_requested,
               CASE WHEN e.action = 'cancelled' THEN 1 ELSE 0 END AS cancelled,
               CASE WHEN e.action = 'resolved' AND k.resolution = 'refund' THEN COALESCE(k.amount_cents, 0)
                    ELSE 0 END AS refund_cents,
               CASE WHEN e.action = 'resolved' THEN COALESCE(n.amount_cents, 0) ELSE 0 END AS store_credit_cents,
               CASE WHEN e.action = 'resolved' AND n.funding = 'goodwill' THEN n.amount_cents ELSE 0 END AS goodwill_cents,
               CASE WHEN e.action = 'resolved' AND e.at > k.created_at THEN (e.at - k.created_at) / 1000000
                    ELSE 0 END AS resolve_seconds
          FROM case_events e
          JOIN cases k ON k.id = e.case_id
          LEFT JOIN credit_notes n ON n.id = k.credit_note_id
         WHERE e.action IN ('opened', 'resolved', 'overridden', 'approval_requested', 'cancelled')) x
 GROUP BY day, store_id, category;

DROP TABLE insight_dst;
