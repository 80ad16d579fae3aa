-- What a unit's row shows beside its score: the schools below it (a zone's, a county's, the
-- city's; NULL for a school) and the not-met findings (rectification items) of the unit and
-- every unit below it. A zone has no score of its own, so these are what its row says.
-- Schema version 5; the same in ../sqlite/0005_result_counts.sql.
ALTER TABLE results ADD COLUMN schools BIGINT;
ALTER TABLE results ADD COLUMN not_met BIGINT;
