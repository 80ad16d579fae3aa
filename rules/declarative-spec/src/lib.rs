//! Declarative dudao packs: a county author writes `pack.toml` (or an XLSX indicator table)
//! instead of a Rust crate.
//!
//! - [`program`]: the checked, compiled form carried by the interpreter module;
//! - [`eval`]: evaluating it on one unit with CEL expressions (native and wasm32);
//! - [`slot`]: the reserved buffer of the interpreter the program is written into;
//! - with the `authoring` feature: [`spec`] (the authoring model), [`toml_spec`] (reading
//!   `pack.toml` with line and column positions) and [`check`] (every check, all problems
//!   listed with their positions).

pub mod eval;
pub mod program;
pub mod slot;

#[cfg(feature = "authoring")]
pub mod check;
#[cfg(feature = "authoring")]
pub mod spec;
#[cfg(feature = "authoring")]
pub mod toml_spec;
