-- 0021_spend_size_at.sql — when the size of customer_category_spend was
-- bought. last_size is the size of the customer's latest line with a size in
-- the category; last_size_at is that line's purchased_at. With it an import
-- that counts its purchases in memory decides whether its own latest size is
-- later than the one already stored without reading a line back (a tie goes
-- to the import: its receipts have the higher ids). NULL while last_size is
-- NULL. The rows already there get it from their lines, once.
ALTER TABLE customer_category_spend ADD COLUMN last_size_at BIGINT;
UPDATE customer_category_spend SET last_size_at = (SELECT MAX(r.purchased_at)
    FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id
    WHERE r.customer_id = customer_category_spend.customer_id AND p.category = customer_category_spend.category
    AND COALESCE(l.size, p.size) IS NOT NULL)
  WHERE last_size IS NOT NULL;
