//! SMS knowledge with no state: segments and encodings, number kinds and their defaults,
//! subscription protocols and their retry schedules, addresses, money and the price of a
//! message. The scenario schema and the model both use it; of the crate it uses only the
//! engine's time and random streams and the enum-indexed tables (a leaf).

pub mod address;
pub mod kind;
pub mod money;
pub mod price;
pub mod protocol;
pub mod retry;
pub mod segments;
pub mod smart;

pub use kind::{Kind, KindTable};
pub use money::Money;
pub use protocol::Protocol;
pub use retry::{Backoff, RetryPolicy};
