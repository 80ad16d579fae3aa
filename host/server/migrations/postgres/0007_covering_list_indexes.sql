-- A page of a result list is found on an index that holds each row's unit id, then only the
-- page's rows are read (`web.rs`, `result_page_sql`; on PostgreSQL, where SQLite reads a page
-- straight and uses these indexes for the lists' counts and order). With `LIMIT 100 OFFSET 99900` over a
-- national round's 196 000 schools, reading every skipped row from the table took about
-- 130 ms on PostgreSQL; finding the page on the index alone, about 18 ms. The same three lists
-- as before, each index extended by `unit_id`.
DROP INDEX results_level_position;
DROP INDEX results_level_county_position;
DROP INDEX results_level_zone_position;
CREATE INDEX results_level_position_unit ON results (round_id, level, position, unit_id);
CREATE INDEX results_level_county_position_unit ON results (round_id, level, county_id, position, unit_id);
CREATE INDEX results_level_zone_position_unit ON results (round_id, level, zone_id, position, unit_id);
