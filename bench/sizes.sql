-- Row and index sizes for docs/scaling.md, measured by PostgreSQL itself.
--
--   psql -d steward_bench_jobs -f bench/sizes.sql
--
-- Contracts: the rows of the database bench/jobs.py leaves behind (40,000 contracts imported
-- through Steward's own register import, with their history rows). Indicator values: a table of
-- the same definition as performance_indicatorvalue (and one as its history table), CREATE TABLE
-- ... (LIKE ... INCLUDING ALL) copies the columns, defaults, the unique constraint and the
-- indexes, filled with 1,000,000 values of 5 indicators per return: what one row and its index
-- entries take on disk. The scratch tables are dropped at the end.

\pset footer off
\echo '== contracts (imported by bench/jobs.py)'
SELECT count(*) AS contracts,
       round(avg(pg_column_size(c.*))) AS avg_row_bytes,
       round(pg_relation_size('contracts_contract')::numeric / count(*)) AS heap_bytes_per_row,
       round((pg_indexes_size('contracts_contract'))::numeric / count(*)) AS index_bytes_per_row,
       round(pg_total_relation_size('contracts_contract')::numeric / count(*)) AS total_bytes_per_row
FROM contracts_contract c;
SELECT count(*) AS history_rows,
       round(pg_total_relation_size('contracts_historicalcontract')::numeric / greatest(count(*), 1))
         AS history_total_bytes_per_row
FROM contracts_historicalcontract;
SELECT indexrelid::regclass AS contract_index,
       round(pg_relation_size(indexrelid)::numeric / (SELECT count(*) FROM contracts_contract), 1)
         AS bytes_per_row
FROM pg_index WHERE indrelid = 'contracts_contract'::regclass ORDER BY 2 DESC;

\echo '== indicator values (1,000,000 rows in tables LIKE the real ones)'
CREATE TEMP TABLE bench_value (LIKE performance_indicatorvalue INCLUDING ALL);
CREATE TEMP TABLE bench_value_history (LIKE performance_historicalindicatorvalue INCLUDING ALL);
INSERT INTO bench_value (id, ret_id, indicator_id, value, created_at, updated_at)
SELECT g, 1 + g / 5, 1 + g % 5 + (g / 400) * 5, ((g::bigint * 7919) % 100000) / 100.0, now(), now()
FROM generate_series(1, 1000000) AS g;
INSERT INTO bench_value_history
  (id, ret_id, indicator_id, value, created_at, updated_at, history_date,
   history_change_reason, history_type, history_user_id)
SELECT id, ret_id, indicator_id, value, created_at, updated_at, now(), NULL, '+', NULL
FROM bench_value;
VACUUM ANALYZE bench_value;
VACUUM ANALYZE bench_value_history;
SELECT round(avg(pg_column_size(v.*))) AS avg_row_bytes,
       round(pg_relation_size('bench_value')::numeric / 1000000, 1) AS heap_bytes_per_row,
       round(pg_indexes_size('bench_value')::numeric / 1000000, 1) AS index_bytes_per_row,
       round(pg_total_relation_size('bench_value')::numeric / 1000000, 1) AS total_bytes_per_row
FROM bench_value v;
SELECT round(pg_total_relation_size('bench_value_history')::numeric / 1000000, 1)
         AS history_total_bytes_per_row,
       round(pg_indexes_size('bench_value_history')::numeric / 1000000, 1)
         AS history_index_bytes_per_row
;
SELECT indexrelid::regclass AS value_index,
       round(pg_relation_size(indexrelid)::numeric / 1000000, 1) AS bytes_per_row
FROM pg_index WHERE indrelid = 'bench_value'::regclass ORDER BY 2 DESC;
DROP TABLE bench_value;
DROP TABLE bench_value_history;
