//! The SMS world: segments, numbers, carriers, customers, the account, and the event
//! dispatch that wires them together.

pub mod observe;
pub mod pacing;
pub mod world;

pub use observe::{EndState, Obs, ObsKind, Observer};
pub use world::{Event, World};
