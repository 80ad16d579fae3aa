//! Tools for pack authors that work on a pack *crate*: scaffolding a new one ([`scaffold`],
//! `dudao new`) and building one to a checked WebAssembly module ([`build`], `dudao build`).
//!
//! Running a pack's test cases and measuring the impact of a rule change compare evaluations,
//! so they live in the engine (`dudao_engine::casetest`, `dudao_engine::impact`); rendering is
//! `dudao-publish`'s.

pub mod build;
pub mod scaffold;
pub mod scaffold_declarative;
