//! What the distributor is configured with and what it holds: queues, agents,
//! their memberships, and the items of work moving through them.

use crate::domain::{InteractionId, QueueId, TeamId, Timestamp, UserId};
use serde::{Deserialize, Serialize};

/// The capacity slot a queue's work uses: each has its own per-agent limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Slot {
    /// Calls, including callbacks and campaign calls.
    Voice,
    /// Chats, SMS and social messages.
    Messaging,
    /// Email.
    Email,
}

impl Slot {
    /// Every slot, in index order.
    pub const ALL: [Slot; 3] = [Slot::Voice, Slot::Messaging, Slot::Email];

    pub(crate) fn index(self) -> usize {
        match self {
            Slot::Voice => 0,
            Slot::Messaging => 1,
            Slot::Email => 2,
        }
    }

    /// The default acceptance limit of an offer (voice 20 s, digital 30 s).
    #[must_use]
    pub fn default_acceptance_secs(self) -> u32 {
        match self {
            Slot::Voice => 20,
            Slot::Messaging | Slot::Email => 30,
        }
    }
}

impl From<crate::domain::QueueKind> for Slot {
    fn from(kind: crate::domain::QueueKind) -> Self {
        match kind {
            crate::domain::QueueKind::Voice => Slot::Voice,
            crate::domain::QueueKind::Messaging => Slot::Messaging,
            crate::domain::QueueKind::Email => Slot::Email,
        }
    }
}

/// A set of up to 64 skills, by index.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkillSet(pub u64);

impl SkillSet {
    /// No skill.
    pub const EMPTY: SkillSet = SkillSet(0);

    /// The set holding one skill; indexes beyond 63 are ignored.
    #[must_use]
    pub fn of(skill: u8) -> Self {
        if skill < 64 { SkillSet(1 << skill) } else { SkillSet(0) }
    }

    /// This set plus another.
    #[must_use]
    pub fn with(self, other: SkillSet) -> Self {
        SkillSet(self.0 | other.0)
    }

    /// Whether every skill of `other` is in this set.
    #[must_use]
    pub fn contains_all(self, other: SkillSet) -> bool {
        other.0 & !self.0 == 0
    }

    /// The skills in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = u8> {
        (0..64u8).filter(move |s| self.0 & (1 << s) != 0)
    }
}

/// A set of up to 64 languages, by index (the engine maps its languages to indexes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LanguageSet(pub u64);

impl LanguageSet {
    /// Whether the set holds language `index`.
    #[must_use]
    pub fn contains(self, index: u8) -> bool {
        index < 64 && self.0 & (1 << index) != 0
    }

    /// The set holding these languages.
    #[must_use]
    pub fn of(indexes: &[u8]) -> Self {
        LanguageSet(indexes.iter().filter(|&&i| i < 64).fold(0, |set, i| set | (1 << i)))
    }
}

/// Highest skill level; levels run from 1 (basic) to this.
pub const MAX_SKILL_LEVEL: u8 = 5;

/// What an item asks of the agent who takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Requirement {
    /// The language index the customer speaks.
    pub language: u8,
    /// Skills needed, beyond the queue's own.
    pub skills: SkillSet,
}

/// How a queue picks among eligible agents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Strategy {
    /// The agent idle longest (the default).
    LongestIdle,
    /// The agent holding the fewest interactions.
    FewestOpen,
    /// The agent with the least talk time today.
    LeastTalkTime,
    /// The agent offered work from this queue least recently.
    RoundRobin,
    /// Members in their fixed order (membership priority, then join order).
    FixedOrder,
    /// Any eligible agent, uniformly.
    Random,
    /// Any eligible agent, weighted by membership priority (priority 1 weighs most).
    WeightedRandom,
    /// Every eligible agent at once, the first to accept takes it (voice only).
    RingAll,
}

/// How long an agent stays in wrap-up after finishing an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WrapUp {
    /// No wrap-up.
    None,
    /// A fixed time, which the agent or a supervisor can end early.
    Timed {
        /// Length in seconds.
        secs: u32,
    },
    /// Until the agent or a supervisor ends it.
    UntilEnded,
}

/// What an overflow step does once an item has waited long enough.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StepAction {
    /// Widens the eligible set: members with a membership priority up to
    /// `member_priority` (tiers), and skill levels down to `min_level`.
    Widen {
        /// Highest membership priority number now eligible.
        member_priority: u8,
        /// Lowest skill level now accepted.
        min_level: u8,
    },
    /// Moves the item to another queue, keeping its age.
    MoveTo(QueueId),
}

/// One overflow step of a queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverflowStep {
    /// Seconds in the queue after which the step applies.
    pub after_secs: u32,
    /// What it does.
    pub action: StepAction,
}

/// What happens when an item waits longer than the queue's maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MaxWait {
    /// No maximum.
    None,
    /// The item leaves the queue, timed out (voicemail, a message to the customer).
    Leave {
        /// Seconds in the queue.
        secs: u32,
    },
    /// The item moves to another queue.
    MoveTo {
        /// Seconds in the queue.
        secs: u32,
        /// Where to.
        queue: QueueId,
    },
}

/// A queue's routing configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueConfig {
    /// The queue.
    pub id: QueueId,
    /// Display name, for explanations.
    pub name: String,
    /// The capacity slot its work uses.
    pub slot: Slot,
    /// Whether it is a campaign of calls to make rather than a queue of arrivals.
    pub campaign: bool,
    /// Skills every item of the queue needs.
    pub skills: SkillSet,
    /// Lowest skill level accepted before any overflow step.
    pub min_level: u8,
    /// Priority given to new items.
    pub priority: i32,
    /// Service-level target: this share (percent) answered within `sla_secs`.
    pub sla_percent: u8,
    /// Service-level threshold in seconds.
    pub sla_secs: u32,
    /// Abandons faster than this (seconds) do not count against the service level.
    pub short_abandon_secs: u32,
    /// Seconds an offer waits for acceptance.
    pub acceptance_secs: u32,
    /// Seconds without activity on an assigned item before the agent is prompted (C4); 0 = never.
    pub inactivity_secs: u32,
    /// Wrap-up after each item.
    pub wrap_up: WrapUp,
    /// How the agent is chosen.
    pub strategy: Strategy,
    /// Highest membership priority eligible before any overflow step (99 = everyone).
    pub member_priority: u8,
    /// Overflow steps, in time order.
    pub steps: Vec<OverflowStep>,
    /// Maximum wait.
    pub max_wait: MaxWait,
    /// Whether items may join while nobody is logged in.
    pub join_empty: bool,
    /// Whether waiting items leave when the last member logs out.
    pub leave_empty: bool,
}

impl QueueConfig {
    /// A queue with the field's defaults: longest idle, no steps, 80 % in 20 s.
    #[must_use]
    pub fn new(id: QueueId, name: impl Into<String>, slot: Slot) -> Self {
        Self {
            id,
            name: name.into(),
            slot,
            campaign: false,
            skills: SkillSet::EMPTY,
            min_level: 1,
            priority: 0,
            sla_percent: 80,
            sla_secs: 20,
            short_abandon_secs: 5,
            acceptance_secs: slot.default_acceptance_secs(),
            inactivity_secs: 0,
            wrap_up: WrapUp::None,
            strategy: Strategy::LongestIdle,
            member_priority: 99,
            steps: Vec::new(),
            max_wait: MaxWait::None,
            join_empty: true,
            leave_empty: false,
        }
    }
}

/// How many items of a slot an agent holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capacity {
    /// Routing offers work up to this many.
    pub soft: u32,
    /// Never exceeded, not even by a pull, a force-assignment or a resume.
    pub hard: u32,
}

/// An agent's routing profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentConfig {
    /// The agent.
    pub id: UserId,
    /// Display name, for explanations.
    pub name: String,
    /// Team, for transfers to a team.
    pub team: Option<TeamId>,
    /// Languages spoken.
    pub languages: LanguageSet,
    /// Skill levels, by skill index (0 = not held).
    pub skills: Vec<(u8, u8)>,
    /// Capacity per slot (voice, messaging, email).
    pub capacity: [Capacity; 3],
    /// Whether a call in progress blocks new digital offers.
    pub no_digital_during_call: bool,
    /// Wrap-up that overrides every queue's.
    pub wrap_up: Option<WrapUp>,
}

impl AgentConfig {
    /// An agent with the field's usual capacities: one call, three chats, two emails.
    #[must_use]
    pub fn new(id: UserId, name: impl Into<String>, languages: LanguageSet) -> Self {
        Self {
            id,
            name: name.into(),
            team: None,
            languages,
            skills: Vec::new(),
            capacity: [Capacity { soft: 1, hard: 1 }, Capacity { soft: 3, hard: 4 }, Capacity { soft: 2, hard: 3 }],
            no_digital_during_call: true,
            wrap_up: None,
        }
    }
}

/// An agent's status in one queue (E1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QueueStatus {
    /// Takes offers from the queue.
    Ready,
    /// Logged in, no offers, for a reason.
    Paused(String),
    /// Not logged into the queue.
    LoggedOut,
}

impl QueueStatus {
    /// Whether the agent is logged in (ready or paused).
    #[must_use]
    pub fn is_logged_in(&self) -> bool {
        !matches!(self, QueueStatus::LoggedOut)
    }
}

/// An agent's place in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    /// 1 (first served) to 99.
    pub priority: u8,
    /// Seconds an item must have waited before this agent is eligible.
    pub delay_secs: u32,
}

impl Default for Membership {
    fn default() -> Self {
        Self { priority: 1, delay_secs: 0 }
    }
}

/// A new item of work arriving in a queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewItem {
    /// Its id.
    pub id: InteractionId,
    /// The queue it arrives in.
    pub queue: QueueId,
    /// What it needs of the agent.
    pub requirement: Requirement,
    /// Priority; `None` takes the queue's.
    pub priority: Option<i32>,
    /// When the customer first made contact (before any transfer).
    pub created_at: Timestamp,
    /// Whether it is a callback request.
    pub callback: bool,
}

pub use crate::domain::DeferUntil;

/// Where a transfer sends an item (C6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransferTarget {
    /// A named agent, who must be logged in.
    Agent(UserId),
    /// The next available agent of a team.
    Team(TeamId),
    /// Any agent with this skill (a category), in the same queue.
    Skill(u8),
    /// Any agent speaking this language, in the same queue.
    Language(u8),
    /// Another queue.
    Queue(QueueId),
}

/// A transfer in an item's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TransferRecord {
    /// When.
    pub at: Timestamp,
    /// Who transferred it.
    pub by: UserId,
    /// Where to.
    pub target: TransferTarget,
    /// The comment for the next agent.
    pub comment: String,
}

/// The outcome the agent records when completing (C7).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disposition {
    /// Category index, if dispositions are on.
    pub category: Option<u8>,
    /// Free notes.
    pub notes: String,
}

/// Smart close (C7): ask the customer whether anything else is needed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmartClose {
    /// Seconds of silence after the question before the item completes.
    pub timeout_secs: u32,
    /// Whether to wait for the customer's reply to the agent's last message before asking.
    pub wait_for_reply: bool,
}

/// Where an item stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ItemState {
    /// Waiting in its queue.
    Waiting,
    /// Offered to one agent, or to several at once (ring-all), until `expires_at`.
    Offered {
        /// The agents it rings for.
        agents: Vec<UserId>,
        /// When the offer lapses.
        expires_at: Timestamp,
    },
    /// Held by an agent (In progress).
    Assigned {
        /// The agent.
        agent: UserId,
    },
    /// Put aside by its agent (Deferred).
    Deferred {
        /// The agent it returns to.
        agent: UserId,
        /// Until when.
        until: DeferUntil,
    },
    /// Smart close is under way; the agent still holds it.
    Closing {
        /// The agent.
        agent: UserId,
        /// Whether the question was asked (else the customer's reply is awaited first).
        asked: bool,
        /// When silence completes it.
        until: Timestamp,
    },
    /// Completed by an agent (History).
    Completed,
    /// Left its queue unanswered.
    Left(super::events::LeaveCause),
}

impl ItemState {
    /// The agent holding the item, if any (offers excluded).
    #[must_use]
    pub fn holder(&self) -> Option<UserId> {
        match self {
            ItemState::Assigned { agent } | ItemState::Deferred { agent, .. } | ItemState::Closing { agent, .. } => {
                Some(*agent)
            }
            _ => None,
        }
    }
}

/// Tunables shared by every queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    /// Consecutive misses after which the agent is paused.
    pub misses_before_pause: u32,
    /// Cool-down after a declined offer, in seconds.
    pub reject_cool_down_secs: u32,
    /// Cool-down after an unanswered offer, in seconds.
    pub no_answer_cool_down_secs: u32,
    /// Cool-down after a busy line, in seconds.
    pub busy_cool_down_secs: u32,
    /// Whether an item returning from defer to a queue keeps its age (else it queues as new).
    pub defer_keeps_age: bool,
    /// Priority added by a forced assignment.
    pub force_priority_boost: i32,
    /// Latest a defer may reach, in days.
    pub max_defer_days: u32,
    /// Wrap-up after a direct (non-queue) phone call, unless the agent has their own rule.
    pub direct_call_wrap_up: WrapUp,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            misses_before_pause: 3,
            reject_cool_down_secs: 5,
            no_answer_cool_down_secs: 10,
            busy_cool_down_secs: 30,
            defer_keeps_age: true,
            force_priority_boost: 100,
            max_defer_days: 366,
            direct_call_wrap_up: WrapUp::Timed { secs: 30 },
        }
    }
}

/// Why a routing command was refused; nothing changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum RoutingError {
    /// No such item.
    #[error("interaction {0} is unknown")]
    UnknownItem(i64),
    /// No such agent.
    #[error("agent {0} is unknown")]
    UnknownAgent(i64),
    /// No such queue.
    #[error("queue {0} is unknown")]
    UnknownQueue(i64),
    /// No such team, or it has no members.
    #[error("team {0} is unknown or has no members")]
    UnknownTeam(i64),
    /// The item already exists.
    #[error("interaction {0} already exists")]
    DuplicateItem(i64),
    /// The item is not in a state that allows this.
    #[error("{0}")]
    InvalidState(String),
    /// The input makes no sense (a defer in the past, an absurd date).
    #[error("{0}")]
    InvalidInput(String),
    /// The agent has no room for more work on that channel.
    #[error("{name} is at full capacity")]
    AtCapacity {
        /// The agent's name.
        name: String,
    },
    /// The queue turns items away while nobody is logged in.
    #[error("nobody is logged into {0}")]
    QueueEmpty(String),
}
