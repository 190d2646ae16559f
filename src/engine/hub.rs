//! The event stream: numbering, a bounded history for resuming clients, and
//! delivery to connected subscribers without ever blocking the engine.
//!
//! Events are numbered as they are published and delivered together when the
//! engine has committed a batch: one hand-over per subscriber per commit, not
//! one per event, so a busy centre with hundreds of signed-in agents does not
//! spend its time on channel operations.

use crate::domain::UserId;
use crate::protocol::{Event, Sequenced};
use std::collections::VecDeque;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Who an event is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Every signed-in user.
    All,
    /// One user, on each of their connections.
    User(UserId),
}

impl Audience {
    fn includes(self, user: UserId) -> bool {
        match self {
            Audience::All => true,
            Audience::User(u) => u == user,
        }
    }
}

/// A connection's id within the engine.
pub type ConnectionId = u64;

/// What a subscriber receives at once: the events of one commit, in order.
pub type Delivery = Vec<Sequenced>;

struct Subscriber {
    id: ConnectionId,
    user: UserId,
    sender: mpsc::Sender<Delivery>,
}

/// Numbers events, keeps the recent ones, and hands them to subscribers.
pub struct Hub {
    next_seq: u64,
    history: VecDeque<(u64, Audience, Arc<Event>)>,
    capacity: usize,
    subscribers: Vec<Subscriber>,
    /// Published since the last delivery.
    pending: Vec<(u64, Audience, Arc<Event>)>,
}

/// What a resuming client gets: the events it missed, or nothing when it is too
/// far behind and needs a fresh snapshot.
pub enum Resume {
    /// Every missed event for that user, in order.
    Replay(Vec<Sequenced>),
    /// The history no longer reaches back far enough.
    TooFarBehind,
}

impl Hub {
    /// A hub that remembers the last `capacity` events.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            next_seq: 1,
            history: VecDeque::with_capacity(capacity),
            capacity,
            subscribers: Vec::new(),
            pending: Vec::new(),
        }
    }

    /// The sequence number of the latest event (0 before any).
    #[must_use]
    pub fn last_seq(&self) -> u64 {
        self.next_seq - 1
    }

    /// Numbers an event and remembers it; [`Hub::deliver`] hands it out.
    pub fn publish(&mut self, audience: Audience, event: Event) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let event = Arc::new(event);
        if self.history.len() == self.capacity {
            self.history.pop_front();
        }
        self.history.push_back((seq, audience, Arc::clone(&event)));
        self.pending.push((seq, audience, event));
    }

    /// Hands every subscriber the events published for them since the last
    /// delivery, in one piece. A subscriber whose queue is full is dropped:
    /// it reconnects and resumes from its last sequence number rather than
    /// making the engine wait.
    pub fn deliver(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        self.subscribers.retain(|s| {
            let delivery: Delivery = pending
                .iter()
                .filter(|(_, audience, _)| audience.includes(s.user))
                .map(|(seq, _, event)| Sequenced { seq: *seq, event: Arc::clone(event) })
                .collect();
            if delivery.is_empty() {
                return !s.sender.is_closed();
            }
            match s.sender.try_send(delivery) {
                Ok(()) => true,
                Err(mpsc::error::TrySendError::Full(_)) => {
                    tracing::warn!(connection = s.id, "client too slow; dropping it so it resumes");
                    false
                }
                Err(mpsc::error::TrySendError::Closed(_)) => false,
            }
        });
        self.pending = pending;
        self.pending.clear();
    }

    /// The events after `after` that `user` should see.
    #[must_use]
    pub fn resume(&self, user: UserId, after: u64) -> Resume {
        if after > self.last_seq() {
            return Resume::TooFarBehind;
        }
        let oldest = self.history.front().map_or(self.next_seq, |(seq, _, _)| *seq);
        if after + 1 < oldest {
            return Resume::TooFarBehind;
        }
        Resume::Replay(
            self.history
                .iter()
                .filter(|(seq, audience, _)| *seq > after && audience.includes(user))
                .map(|(seq, _, event)| Sequenced { seq: *seq, event: Arc::clone(event) })
                .collect(),
        )
    }

    /// Adds a subscriber.
    pub fn subscribe(&mut self, id: ConnectionId, user: UserId, sender: mpsc::Sender<Delivery>) {
        self.subscribers.push(Subscriber { id, user, sender });
    }

    /// Removes a subscriber.
    pub fn unsubscribe(&mut self, id: ConnectionId) {
        self.subscribers.retain(|s| s.id != id);
    }
}
