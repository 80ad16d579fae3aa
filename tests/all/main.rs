//! dudao's integration tests: one binary, one module per area.

mod authoring;
mod cli;
mod dataset;
mod declarative;
mod plans;
mod publish;
mod quality_balance;
mod sandbox;
mod support;
