//! The SMS world, one actor per file, each a plain struct with its own state and rules,
//! testable alone: number pools and their numbers, carrier limits, carriers, customers,
//! the account, keywords, topics, flows and the workload. `world` holds the event enum
//! and the dispatch that wires them together; `observe` is what the world reports.

mod account;
mod batch;
mod carrier;
mod customer;
mod draws;
mod flow;
mod keyword;
mod limit;
mod message;
mod number;
pub mod observe;
mod pacing;
mod pool;
mod topic;
mod workload;
pub mod world;

pub use observe::{BlastObs, EndState, Obs, ObsKind, Observer};
pub use world::{Event, World};
