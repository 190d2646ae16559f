//! Phone calls as the contact centre records them: who made or took the
//! call, with whom, when, and how it ended. Non-queue calls (dialled or
//! received directly) count in the agent's activity figures.

use super::{CustomerId, QueueId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// Longest remote party text kept.
pub const MAX_REMOTE: usize = 256;
/// Longest call notes kept.
pub const MAX_NOTES: usize = 4000;
/// Most tags on a call, and the longest tag.
pub const MAX_TAGS: (usize, usize) = (10, 40);

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallDirection {
    /// The agent dialled.
    Made,
    /// The agent was called.
    Taken,
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallOutcome {
    /// Talked, then someone hung up.
    Answered,
    /// Never answered: cancelled, declined, no answer.
    Unanswered,
    /// The other side was busy.
    Busy,
    /// Handed to a third party.
    Transferred,
    /// It failed (network, refused).
    Failed,
}

/// One phone call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhoneCall {
    /// The agent.
    pub agent: UserId,
    /// Made or taken.
    pub direction: CallDirection,
    /// The other party, as the phone showed it.
    pub remote: String,
    /// When it started ringing.
    pub started_at: Timestamp,
    /// When it was answered.
    pub answered_at: Option<Timestamp>,
    /// When it ended.
    pub ended_at: Timestamp,
    /// How it ended.
    pub outcome: CallOutcome,
    /// The agent's notes.
    pub notes: String,
    /// The disposition: the key of one of the workspace's categories.
    #[serde(default)]
    pub disposition: Option<String>,
    /// Free tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The customer the agent linked the call to.
    #[serde(default)]
    pub contact: Option<CustomerId>,
    /// The queue it came through; `None` for a non-queue call.
    pub queue: Option<QueueId>,
}

impl PhoneCall {
    /// How long it was answered, in milliseconds.
    #[must_use]
    pub fn talk_millis(&self) -> i64 {
        self.answered_at.map_or(0, |at| (self.ended_at.0 - at.0).max(0))
    }
}

/// An agent's figures over a period (G1): phone and digital.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityFigures {
    /// Queue calls taken (answered).
    pub queue_calls_taken: u32,
    /// Direct calls taken (answered).
    pub direct_calls_taken: u32,
    /// Direct calls made (dialled, answered or not).
    pub direct_calls_made: u32,
    /// Time talked on all of them, in seconds.
    pub talk_secs: u64,
    /// Digital interactions completed.
    pub interactions_handled: u32,
    /// Average time from taking an interaction to completing it, in seconds.
    pub average_handle_secs: Option<u32>,
    /// Average time from taking an interaction to the first reply, in seconds.
    pub average_first_response_secs: Option<u32>,
}
