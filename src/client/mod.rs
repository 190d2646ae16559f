//! The user's side of the protocol: a `Connection` to an engine (in memory
//! now, over WebSocket later) and the `Model` the UI reads.
//!
//! Nothing here blocks the caller: events arrive on background threads, which
//! wake the UI through a callback.

pub mod clips;
mod embedded;
mod model;
pub mod phone_settings;

pub use embedded::Embedded;
pub use model::{Model, Notice, NoticeBody, NoticeKind};

use crate::protocol::{Command, Sequenced};

/// How the workstation reaches its engine.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Link {
    /// The engine runs in this process.
    Embedded,
    /// A remote server, with the last measured round trip.
    Server {
        /// Round-trip time in milliseconds, once measured.
        round_trip_ms: Option<f32>,
    },
}

/// Something that came from the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Inbound {
    /// A numbered event.
    Event(Sequenced),
    /// The link was lost; the connection tries again and resumes.
    Lost(String),
}

/// A link to an engine, used the same way whatever carries it.
pub trait Connection: Send {
    /// Sends a command; returns the request id its `Ack` will carry.
    fn send(&mut self, command: Command) -> u64;
    /// Takes everything that arrived since the last call, without waiting.
    fn poll(&mut self) -> Vec<Inbound>;
    /// What carries this connection.
    fn link(&self) -> Link;
    /// Signs in again as another user (the demo's user switcher).
    fn switch_user(&mut self, login: &str);
}

/// Wakes the UI when something arrives.
pub type Waker = std::sync::Arc<dyn Fn() + Send + Sync>;
