-- Indexes for the access filter in SQL (access::sees_sql): lists of units, results and items
-- are selected by county or zone. Schema version 3; the same in ../postgres/0003_scope_indexes.sql.
CREATE INDEX units_county ON units (county_id);
CREATE INDEX units_zone ON units (zone_id);
CREATE INDEX results_level_county ON results (round_id, level, county_id);
CREATE INDEX results_level_zone ON results (round_id, level, zone_id);
CREATE INDEX items_county ON items (county_id, round_id);
CREATE INDEX items_zone ON items (zone_id, round_id);
