//! Ids and entities of the contact centre, permissions and time.
//!
//! This module owns the vocabulary every other module speaks. It must not do IO,
//! spawn tasks or know about SQLite, tokio or egui.

mod calls;
mod entities;
mod ids;
mod permission;
mod time;
mod work;

pub use calls::{ActivityFigures, CallDirection, CallOutcome, MAX_NOTES, MAX_REMOTE, MAX_TAGS, PhoneCall};
pub use entities::*;
pub use ids::*;
pub use permission::{Permission, Role};
pub use time::{Clock, ManualClock, SystemClock, Timestamp};
pub use work::{DeferUntil, Direct, Disposition, QueueMembership, TransferTo};
