-- Lookups by unit, indexed so that a national round (about 200 000 result rows) is not read
-- whole to show one county's page.
--
-- The results page reads one unit's row of a round by its id (the primary key leads with the
-- level, which that page does not know).
CREATE INDEX results_unit ON results (round_id, unit_id);
-- A county's or a zone's rows of one level, in the order lists show them: the list's filter
-- and its order from one index (without `position`, a database that has to choose between
-- filtering and ordering may read every row of the level in order).
DROP INDEX results_level_county;
DROP INDEX results_level_zone;
CREATE INDEX results_level_county_position ON results (round_id, level, county_id, position);
CREATE INDEX results_level_zone_position ON results (round_id, level, zone_id, position);
-- The item lists' access condition for a county or zone (`unit_id = $1 OR county_id = $1`)
-- can use an index for each side of the `OR` only when `unit_id` leads one (`items_unit`
-- leads with the round).
CREATE INDEX items_by_unit ON items (unit_id, round_id);
