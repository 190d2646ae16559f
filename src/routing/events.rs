//! What the distributor did, as a log of facts: the source every KPI is
//! computed from, and what the engine stores so that figures survive restarts
//! and can be recomputed for any interval.

use crate::domain::{InteractionId, QueueId, QueueKind, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// Why an offer was missed, which sets the agent's cool-down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MissCause {
    /// The agent declined the offer.
    Rejected,
    /// The acceptance limit passed without an answer.
    NoAnswer,
    /// The agent's device or line was busy.
    Busy,
}

/// Why an item left its queue without being answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LeaveCause {
    /// The customer hung up or left the chat while waiting.
    Abandoned,
    /// The queue's maximum wait passed.
    TimedOut,
    /// The queue had nobody logged in and its leave-empty rule applies.
    LeftEmpty,
    /// The queue had nobody logged in when the item arrived (join-empty rule).
    RefusedEmpty,
    /// Moved to another queue by a transfer or an overflow step.
    Transferred,
    /// The customer asked to be called back; the item stays as a callback.
    Callback,
}

/// What an agent is doing, for occupancy and agent-time figures.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Activity {
    /// Logged in, ready, with no work in hand.
    Idle,
    /// Handling at least one interaction, or in wrap-up.
    OnWork,
    /// Logged in but paused, for this reason.
    Paused(String),
    /// Not logged into any queue.
    LoggedOut,
}

/// One fact in the distributor's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RoutingEvent {
    /// An item entered a queue (a new arrival, a transfer, a return from defer).
    Queued {
        /// The item.
        item: InteractionId,
        /// The queue entered.
        queue: QueueId,
        /// The queue's channel kind.
        kind: QueueKind,
        /// When the customer first made contact (the service-level clock).
        created_at: Timestamp,
        /// Whether the item is a callback request (never counted as abandoned).
        callback: bool,
    },
    /// An item was offered to an agent.
    Offered {
        /// The item.
        item: InteractionId,
        /// Its queue.
        queue: QueueId,
        /// The agent.
        agent: UserId,
    },
    /// An offer was declined, lapsed or hit a busy line.
    Missed {
        /// The item.
        item: InteractionId,
        /// Its queue.
        queue: QueueId,
        /// The agent who missed it.
        agent: UserId,
        /// Why.
        cause: MissCause,
    },
    /// An agent accepted an item: it left the queue answered.
    Answered {
        /// The item.
        item: InteractionId,
        /// Its queue.
        queue: QueueId,
        /// The agent.
        agent: UserId,
    },
    /// An item left its queue unanswered.
    Left {
        /// The item.
        item: InteractionId,
        /// Its queue.
        queue: QueueId,
        /// Why.
        cause: LeaveCause,
    },
    /// The agent sent the first reply of a digital interaction.
    FirstResponse {
        /// The item.
        item: InteractionId,
    },
    /// A call was put on hold.
    HoldStarted {
        /// The item.
        item: InteractionId,
    },
    /// A call was taken off hold.
    HoldEnded {
        /// The item.
        item: InteractionId,
    },
    /// The agent finished handling an item (before any wrap-up).
    Completed {
        /// The item.
        item: InteractionId,
        /// The queue it was answered from.
        queue: QueueId,
        /// The agent.
        agent: UserId,
    },
    /// The agent's wrap-up after an item ended.
    WrapUpEnded {
        /// The item the wrap-up followed.
        item: InteractionId,
        /// The agent.
        agent: UserId,
    },
    /// An agent's activity changed.
    Activity {
        /// The agent.
        agent: UserId,
        /// The new activity.
        activity: Activity,
        /// Slots in use over all channels, for slot utilisation.
        slots_used: u32,
        /// Slots the agent has over all channels.
        slots: u32,
    },
}

/// A [`RoutingEvent`] with the time it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamped {
    /// When.
    pub at: Timestamp,
    /// What.
    pub event: RoutingEvent,
}
