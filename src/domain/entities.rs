//! The entities of the contact centre as the engine and its clients see them.

use super::{
    CampaignId, CategoryId, CustomerId, InteractionId, MessageId, QueueId, Role, TeamId, ThreadId, Timestamp, UserId,
};
use serde::{Deserialize, Serialize};

/// How a customer reaches the contact centre.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Channel {
    /// A phone call.
    Voice,
    /// The web chat widget.
    WebChat,
    /// Text messages.
    Sms,
    /// Email.
    Email,
    /// Facebook Messenger.
    Facebook,
    /// Instagram direct messages.
    Instagram,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 6] =
        [Channel::Voice, Channel::WebChat, Channel::Sms, Channel::Email, Channel::Facebook, Channel::Instagram];

    /// The stable name used in storage.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Channel::Voice => "voice",
            Channel::WebChat => "webchat",
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Facebook => "facebook",
            Channel::Instagram => "instagram",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.key() == key)
    }

    /// The kind of queue this channel's work waits in.
    #[must_use]
    pub fn queue_kind(self) -> QueueKind {
        match self {
            Channel::Voice => QueueKind::Voice,
            Channel::Email => QueueKind::Email,
            Channel::WebChat | Channel::Sms | Channel::Facebook | Channel::Instagram => QueueKind::Messaging,
        }
    }
}

/// The kind of a queue, which sets its defaults (acceptance limit, capacity slot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum QueueKind {
    /// Phone calls.
    Voice,
    /// Chats, SMS and social messages.
    Messaging,
    /// Email.
    Email,
}

impl QueueKind {
    /// The stable name used in storage.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            QueueKind::Voice => "voice",
            QueueKind::Messaging => "messaging",
            QueueKind::Email => "email",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "voice" => Some(QueueKind::Voice),
            "messaging" => Some(QueueKind::Messaging),
            "email" => Some(QueueKind::Email),
            _ => None,
        }
    }
}

/// A UI and content language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Language {
    /// English.
    En,
    /// French.
    Fr,
}

impl Language {
    /// The ISO 639-1 code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }

    /// Parses an ISO 639-1 code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "en" => Some(Language::En),
            "fr" => Some(Language::Fr),
            _ => None,
        }
    }
}

/// An agent's availability for work (A2, E1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AgentStatus {
    /// Takes offers.
    Ready,
    /// Logged in but takes no offers, for a reason from the admin's list.
    Paused {
        /// The reason shown to supervisors.
        reason: String,
    },
    /// Not logged into any queue.
    LoggedOut,
}

impl AgentStatus {
    /// Whether the agent is logged in (ready or paused).
    #[must_use]
    pub fn is_logged_in(&self) -> bool {
        !matches!(self, AgentStatus::LoggedOut)
    }
}

/// The pause reason given when an agent misses too many offers in a row.
pub const MISSED_OFFERS_REASON: &str = "Missed offers";

/// The workspace's people and how work is organised: what the engine loads at
/// start and what every client receives first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Directory {
    /// Users.
    pub users: Vec<User>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Queues with their members.
    pub queues: Vec<Queue>,
    /// Campaigns with their members.
    pub campaigns: Vec<Campaign>,
    /// Categories.
    pub categories: Vec<Category>,
    /// The admin's list of pause reasons.
    pub pause_reasons: Vec<PauseReason>,
}

/// A user as every client sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// Display name.
    pub name: String,
    /// Sign-in name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// The team the user belongs to.
    pub team: Option<TeamId>,
    /// Languages the user can work in.
    pub languages: Vec<Language>,
    /// Current status.
    pub status: AgentStatus,
    /// When the status last changed.
    pub status_since: Timestamp,
    /// Whether the demo simulator acts for this user.
    pub simulated: bool,
}

/// A team of users.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Team {
    /// The team's id.
    pub id: TeamId,
    /// Display name.
    pub name: String,
}

/// A queue that work waits in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    /// The queue's id.
    pub id: QueueId,
    /// Display name.
    pub name: String,
    /// Voice, messaging or email.
    pub kind: QueueKind,
    /// The language the queue serves, if it serves one only.
    pub language: Option<Language>,
    /// Seconds an offer waits for acceptance before it is withdrawn.
    pub acceptance_limit_secs: u32,
    /// Service-level target: this share (percent) answered within `sla_secs`.
    pub sla_percent: u8,
    /// Service-level threshold in seconds.
    pub sla_secs: u32,
    /// The users who belong to the queue.
    pub members: Vec<UserId>,
}

/// An outbound campaign of calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Campaign {
    /// The campaign's id.
    pub id: CampaignId,
    /// Display name.
    pub name: String,
    /// The users who may be logged into it.
    pub members: Vec<UserId>,
}

/// A category (theme) work is sorted by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    /// The category's id.
    pub id: CategoryId,
    /// Stable key.
    pub key: String,
    /// Display name.
    pub name: String,
}

/// A pause reason from the admin's list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PauseReason {
    /// The text shown in the status menu.
    pub label: String,
}

/// Where a thread stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ThreadStatus {
    /// Waiting in a queue for an agent.
    Waiting,
    /// Offered to an agent who has not accepted yet.
    Offered,
    /// Held by an agent.
    Assigned,
    /// Put aside until later.
    Deferred,
    /// Finished.
    Completed,
    /// The customer left before an agent took it.
    Abandoned,
}

impl ThreadStatus {
    /// The stable name used in storage.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            ThreadStatus::Waiting => "waiting",
            ThreadStatus::Offered => "offered",
            ThreadStatus::Assigned => "assigned",
            ThreadStatus::Deferred => "deferred",
            ThreadStatus::Completed => "completed",
            ThreadStatus::Abandoned => "abandoned",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        [
            ThreadStatus::Waiting,
            ThreadStatus::Offered,
            ThreadStatus::Assigned,
            ThreadStatus::Deferred,
            ThreadStatus::Completed,
            ThreadStatus::Abandoned,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }

    /// Whether no more work is expected on the thread.
    #[must_use]
    pub fn is_closed(self) -> bool {
        matches!(self, ThreadStatus::Completed | ThreadStatus::Abandoned)
    }
}

/// A conversation with a customer, as listed in the inbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadSummary {
    /// The thread's id.
    pub id: ThreadId,
    /// The customer.
    pub customer: CustomerId,
    /// The customer's display name.
    pub customer_name: String,
    /// The channel.
    pub channel: Channel,
    /// The subject line (email) or the start of the first message.
    pub subject: String,
    /// The start of the latest message.
    pub preview: String,
    /// The conversation's language.
    pub language: Language,
    /// The category, if known.
    pub category: Option<CategoryId>,
    /// The queue it was routed through.
    pub queue: Option<QueueId>,
    /// Where it stands.
    pub status: ThreadStatus,
    /// The agent holding it.
    pub assignee: Option<UserId>,
    /// Messages from the customer not yet read by the assignee.
    pub unread: u32,
    /// Whether the customer closed the conversation (C9).
    pub customer_closed: bool,
    /// When it started.
    pub created_at: Timestamp,
    /// When its latest message arrived.
    pub updated_at: Timestamp,
}

/// Keeps every open thread and only the `keep` most recently updated closed
/// ones, so that a long-running engine or workstation does not grow without
/// bound; older closed threads stay in the database.
pub fn forget_old_closed_threads<S: std::hash::BuildHasher>(
    threads: &mut std::collections::HashMap<ThreadId, ThreadSummary, S>,
    keep: usize,
) {
    let mut closed: Vec<(Timestamp, ThreadId)> =
        threads.values().filter(|t| t.status.is_closed()).map(|t| (t.updated_at, t.id)).collect();
    if closed.len() <= keep {
        return;
    }
    closed.sort_unstable_by_key(|(at, id)| std::cmp::Reverse((*at, *id)));
    for (_, id) in &closed[keep..] {
        threads.remove(id);
    }
}

/// Prunes closed threads from memory in batches: pruning sorts every closed
/// thread, so it runs once per `batch` closures, not on each one.
#[derive(Debug, Default, Clone)]
pub struct ClosedThreadPruner {
    since_prune: usize,
}

impl ClosedThreadPruner {
    /// Notes that a thread closed, and prunes to the `keep` most recent closed
    /// threads once `batch` have closed since the last prune.
    pub fn closed<S: std::hash::BuildHasher>(
        &mut self,
        threads: &mut std::collections::HashMap<ThreadId, ThreadSummary, S>,
        keep: usize,
        batch: usize,
    ) {
        self.since_prune += 1;
        if self.since_prune >= batch {
            self.since_prune = 0;
            forget_old_closed_threads(threads, keep);
        }
    }
}

/// Who wrote a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Author {
    /// The customer.
    Customer,
    /// An agent.
    Agent(UserId),
    /// The system (routing notes, smart close questions).
    System,
}

/// One message of a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The message's id.
    pub id: MessageId,
    /// The thread it belongs to.
    pub thread: ThreadId,
    /// Who wrote it.
    pub author: Author,
    /// Its text.
    pub body: String,
    /// When it was written.
    pub at: Timestamp,
}

/// An offer of work to one agent, waiting for acceptance (C3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    /// The interaction offered.
    pub interaction: InteractionId,
    /// Its thread.
    pub thread: ThreadId,
    /// The agent it is offered to.
    pub agent: UserId,
    /// The queue it comes from.
    pub queue: QueueId,
    /// The channel.
    pub channel: Channel,
    /// The customer's display name.
    pub customer_name: String,
    /// The start of the customer's message.
    pub preview: String,
    /// When the offer was made.
    pub offered_at: Timestamp,
    /// When the offer expires.
    pub expires_at: Timestamp,
    /// Why this agent got it, in plain words.
    pub reason: String,
}

/// Where a routed interaction stands (ROUTING.md: New → Offered → Assigned ⇄ Deferred → Completed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InteractionState {
    /// Waiting in its queue.
    Waiting,
    /// Offered to an agent until `expires_at`.
    Offered {
        /// The agent it is offered to.
        agent: UserId,
        /// When the offer lapses.
        expires_at: Timestamp,
    },
    /// Held by an agent.
    Assigned {
        /// The agent holding it.
        agent: UserId,
    },
    /// Put aside by its agent until a time or the customer's next reply.
    Deferred {
        /// The agent it returns to.
        agent: UserId,
        /// Until when; `None` until the customer writes again.
        until: Option<Timestamp>,
    },
    /// Finished or abandoned.
    Completed,
}

impl InteractionState {
    /// The stable name used in storage.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            InteractionState::Waiting => "waiting",
            InteractionState::Offered { .. } => "offered",
            InteractionState::Assigned { .. } => "assigned",
            InteractionState::Deferred { .. } => "deferred",
            InteractionState::Completed => "completed",
        }
    }

    /// The agent offered, holding or owning the deferred interaction.
    #[must_use]
    pub fn agent(self) -> Option<UserId> {
        match self {
            InteractionState::Offered { agent, .. }
            | InteractionState::Assigned { agent }
            | InteractionState::Deferred { agent, .. } => Some(agent),
            InteractionState::Waiting | InteractionState::Completed => None,
        }
    }
}

/// A unit of routed work: one thread waiting for, offered to or held by an agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interaction {
    /// The interaction's id.
    pub id: InteractionId,
    /// The thread it carries.
    pub thread: ThreadId,
    /// The queue it waits in.
    pub queue: QueueId,
    /// Higher is served first.
    pub priority: i32,
    /// Where it stands.
    pub state: InteractionState,
    /// When the customer first wrote (the service-level clock).
    pub created_at: Timestamp,
    /// When it entered its current queue (the queue statistics clock).
    pub queued_at: Timestamp,
    /// When an agent took it, if one has.
    pub answered_at: Option<Timestamp>,
    /// Skills it needs beyond its queue's, by category index (a transfer to a category adds one).
    pub skills: u64,
    /// The conversation's language as routed (a transfer to a language changes it).
    pub language: Language,
    /// A direct or team transfer it waits under.
    pub direct: Option<super::Direct>,
}

/// A customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// The customer's id.
    pub id: CustomerId,
    /// Display name.
    pub name: String,
    /// Preferred language.
    pub language: Language,
}
