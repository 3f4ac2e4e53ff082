-- 0017_outreach_list.sql — today's outreach list reads only what it shows.
-- The list of an associate (store, staff member, open, most valued first)
-- and of the store pool (staff_id NULL) walk this index in the order they
-- show and stop at the page's end, however many open tasks the store has;
-- a book moved to another associate updates through it too. It replaces
-- outreach_tasks_staff, which no query used once this one exists (one index
-- fewer to keep up for every task an arrival writes).
CREATE INDEX outreach_tasks_list ON outreach_tasks (store_id, staff_id, status, score DESC, id);
DROP INDEX outreach_tasks_staff;
