-- Indexes for lists read a page at a time (paging.rs) in the order they are shown: a round's
-- results of one level in dataset order, units by level, items newest round first, and the
-- overdue items. Schema version 4; the same in ../sqlite/0004_page_indexes.sql.
CREATE INDEX results_level_position ON results (round_id, level, position);
CREATE INDEX units_level_position ON units (level, position);
CREATE INDEX items_round_order ON items (round_id DESC, id);
CREATE INDEX items_deadline ON items (deadline, state);
