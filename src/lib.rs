//! smsim: a deterministic discrete-event simulator of two-way SMS, for capacity and cost
//! planning. See the README for the command line and `docs/` for the scenario reference.
//!
//! Dependencies run one way, down the layers `experiment -> run, check -> report ->
//! metrics -> model -> scenario -> sms, calendar, output -> engine, table, error` (checked by
//! `tests/architecture.rs`); the model emits observations that `metrics` records and
//! `report` writes. `docs/design.md` has the rooms and why.

#![warn(missing_docs, unreachable_pub)]

pub mod calendar;
pub mod check;
pub mod engine;
pub mod error;
pub mod experiment;
pub mod metrics;
pub mod model;
pub mod output;
pub mod report;
pub mod run;
pub mod scenario;
pub mod sms;
pub mod table;

pub use error::{Error, Result};
