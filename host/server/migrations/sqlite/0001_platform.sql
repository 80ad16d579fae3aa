-- 督导综合管理平台, schema version 1 (SQLite). Keep in step with ../postgres/0001_platform.sql.
CREATE TABLE units (
    id TEXT PRIMARY KEY,
    level TEXT NOT NULL,
    name TEXT NOT NULL,
    county_id TEXT,
    zone_id TEXT,
    position INTEGER NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE accounts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    unit_id TEXT NOT NULL REFERENCES units(id),
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    token_sha256 TEXT PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    csrf TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    account_id INTEGER,
    username TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before_sha256 TEXT,
    after_sha256 TEXT
);
CREATE TABLE rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_path TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    title TEXT NOT NULL,
    status TEXT NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    previous_round INTEGER,
    created_at TEXT NOT NULL,
    finished_at TEXT,
    published_at TEXT
);
CREATE TABLE submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    unit_id TEXT NOT NULL REFERENCES units(id),
    version INTEGER NOT NULL,
    account_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    filename TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows TEXT NOT NULL,
    UNIQUE (round_id, unit_id, version)
);
CREATE TABLE visits (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    school_id TEXT NOT NULL REFERENCES units(id),
    kind TEXT NOT NULL,
    account_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    visit_date TEXT NOT NULL,
    fields TEXT NOT NULL,
    notes TEXT NOT NULL
);
CREATE TABLE results (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    level TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    county_id TEXT,
    zone_id TEXT,
    total DOUBLE PRECISION,
    grade TEXT,
    detail TEXT NOT NULL,
    PRIMARY KEY (round_id, level, unit_id)
);
CREATE TABLE reports (
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    public INTEGER NOT NULL,
    html TEXT NOT NULL,
    results_json TEXT,
    PRIMARY KEY (round_id, public)
);
CREATE TABLE items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id INTEGER NOT NULL REFERENCES rounds(id),
    item_key TEXT NOT NULL,
    item_ref TEXT NOT NULL,
    level TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    unit_name TEXT NOT NULL,
    county_id TEXT,
    zone_id TEXT,
    pack_title TEXT NOT NULL,
    indicator TEXT NOT NULL,
    indicator_name TEXT NOT NULL,
    value_text TEXT NOT NULL,
    threshold TEXT,
    deadline TEXT,
    found_status TEXT NOT NULL,
    state TEXT NOT NULL,
    UNIQUE (round_id, item_key)
);
CREATE TABLE item_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id INTEGER NOT NULL REFERENCES items(id),
    account_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    body TEXT NOT NULL,
    attachment_name TEXT,
    attachment_type TEXT,
    attachment BLOB,
    decision TEXT,
    decided_by INTEGER,
    decided_at TEXT,
    comment TEXT
);
CREATE INDEX results_county ON results (round_id, county_id);
CREATE INDEX items_unit ON items (round_id, unit_id);
