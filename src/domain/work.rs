//! The vocabulary of handling work that users send to the engine: defers,
//! transfers, dispositions and queue membership.

use super::{CategoryId, Language, QueueId, TeamId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// Until when an interaction is deferred (C5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DeferUntil {
    /// Until this time.
    Time(Timestamp),
    /// Until the customer writes again.
    NextReply,
}

/// Where a transfer sends an interaction (C6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TransferTo {
    /// A named agent, who must be logged in.
    Agent(UserId),
    /// The next available agent of a team.
    Team(TeamId),
    /// Any agent handling this category.
    Category(CategoryId),
    /// Any agent speaking this language.
    Language(Language),
    /// Another queue.
    Queue(QueueId),
}

/// A direct or team transfer an interaction is waiting under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direct {
    /// Waiting for one agent.
    Agent(UserId),
    /// Waiting for any member of a team.
    Team(TeamId),
}

impl Direct {
    /// The stable form used in storage, e.g. `agent:4`.
    #[must_use]
    pub fn key(self) -> String {
        match self {
            Direct::Agent(user) => format!("agent:{}", user.0),
            Direct::Team(team) => format!("team:{}", team.0),
        }
    }

    /// Parses the stored form.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once(':')?;
        let id: i64 = id.parse().ok()?;
        match kind {
            "agent" => Some(Direct::Agent(UserId(id))),
            "team" => Some(Direct::Team(TeamId(id))),
            _ => None,
        }
    }
}

/// What the agent records when completing (C7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Disposition {
    /// The outcome's category, when dispositions are on.
    pub category: Option<CategoryId>,
    /// Free notes.
    pub notes: String,
}

/// An agent's status in one queue or campaign (E1, H2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QueueMembership {
    /// The agent.
    pub agent: UserId,
    /// The queue.
    pub queue: QueueId,
    /// Ready, paused or logged out there.
    pub status: super::AgentStatus,
    /// 1 (served first) to 99.
    pub priority: u8,
    /// Seconds an interaction waits before this agent becomes eligible.
    pub delay_secs: u32,
    /// False once an admin removed access; the agent stays logged in until logging out (H3).
    pub access: bool,
}
