-- County local packs (县级指标包), schema version 2 (SQLite). Keep in step with
-- ../postgres/0002_local_packs.sql.
CREATE TABLE local_packs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    county_id TEXT NOT NULL REFERENCES units(id),
    round_id INTEGER REFERENCES rounds(id),
    pack_id TEXT NOT NULL,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    module BLOB NOT NULL,
    manifest TEXT NOT NULL,
    uploaded_by INTEGER NOT NULL REFERENCES accounts(id),
    uploaded_at TEXT NOT NULL,
    status TEXT NOT NULL,
    bonus_cap TEXT,
    decided_by INTEGER REFERENCES accounts(id),
    decided_at TEXT,
    reason TEXT
);
CREATE TABLE round_packs (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    local_pack_id INTEGER NOT NULL REFERENCES local_packs(id),
    pinned_at TEXT NOT NULL,
    PRIMARY KEY (round_id, local_pack_id)
);
CREATE INDEX local_packs_county ON local_packs (county_id, id);
