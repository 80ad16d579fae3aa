//! dudao's integration tests: one binary, one module per area.

mod authoring;
mod cli;
mod dataset;
mod plans;
mod publish;
mod quality_balance;
mod sandbox;
mod sandbox_limits;
mod support;
