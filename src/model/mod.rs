//! The SMS world: segments, numbers, carriers, customers, the account, and the event
//! dispatch that wires them together.

pub mod address;
pub mod observe;
pub mod pacing;
pub mod retry;
pub mod segments;
pub mod world;

pub use observe::{EndState, Obs, ObsKind, Observer};
pub use world::{Event, World};
