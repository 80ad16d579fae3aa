//! The platform's tests: one binary, one module per area. Every test runs on SQLite; when
//! `DATABASE_URL` names a PostgreSQL server (`.ci/run` starts one), it runs on PostgreSQL too,
//! each test in a fresh database.

mod common;

mod access;
mod browser;
mod lifecycle;
mod packs;
mod paging;
mod storage;
mod submission;
