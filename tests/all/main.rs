//! dudao's integration tests: one binary, one module per area.

mod architecture;
mod authoring;
mod cache;
mod cli;
mod cli_exit;
mod cli_lang;
mod data_in;
mod dataset;
mod declarative;
mod explain;
mod fidelity;
mod instances;
mod plans;
mod publish;
mod quality_balance;
mod sandbox;
mod sandbox_limits;
mod support;
