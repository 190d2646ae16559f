//! The engine's decisions as data. The engine applies each `Change` to its own
//! state only after the store has committed the whole batch.

use crate::domain::{
    AgentStatus, Author, CallDirection, CallOutcome, Customer, Interaction, InteractionId, InteractionState, Message,
    PhoneCall, QueueId, QueueMembership, ThreadSummary, Timestamp, UserId,
};
use rusqlite::{Transaction, params};

/// One write the engine wants made.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A user's status changed.
    UserStatus {
        /// The user.
        user: UserId,
        /// The new status.
        status: AgentStatus,
        /// When it changed.
        since: Timestamp,
    },
    /// A new customer.
    NewCustomer {
        /// The customer.
        customer: Customer,
        /// Made by the demo generator.
        demo: bool,
    },
    /// A thread was created or changed (written whole).
    Thread {
        /// The thread.
        thread: ThreadSummary,
        /// Made by the demo generator.
        demo: bool,
    },
    /// A new message.
    NewMessage {
        /// The message.
        message: Message,
        /// Made by the demo generator.
        demo: bool,
    },
    /// An interaction was created or changed (written whole).
    Interaction {
        /// The interaction.
        interaction: Interaction,
        /// Made by the demo generator.
        demo: bool,
    },
    /// An agent's status or rules in one queue changed (written whole).
    Membership(QueueMembership),
    /// An agent no longer belongs to a queue.
    MembershipRemoved {
        /// The agent.
        agent: UserId,
        /// The queue.
        queue: QueueId,
    },
    /// The outcome recorded when an interaction was completed.
    Disposition {
        /// The interaction.
        interaction: InteractionId,
        /// The disposition, as JSON.
        json: String,
    },
    /// A fact of the routing log, from which KPIs are computed.
    RoutingEvent {
        /// When it happened.
        at: Timestamp,
        /// Its kind, e.g. `answered`.
        kind: &'static str,
        /// The interaction concerned.
        item: Option<InteractionId>,
        /// The agent concerned.
        agent: Option<UserId>,
        /// The queue concerned.
        queue: Option<QueueId>,
        /// The whole fact, as JSON.
        json: String,
    },
    /// A phone call to keep.
    PhoneCall(PhoneCall),
    /// A setting changed.
    Setting {
        /// Its key.
        key: String,
        /// Its value.
        value: String,
    },
    /// A line of the audit log.
    Audit {
        /// When.
        at: Timestamp,
        /// Who did it (none for the system).
        actor: Option<UserId>,
        /// What was done, e.g. `status.set`.
        action: String,
        /// What it was done to, e.g. `user:4`.
        subject: String,
        /// Details, without message bodies.
        detail: String,
    },
}

impl Change {
    pub(super) fn write(&self, tx: &Transaction<'_>) -> rusqlite::Result<()> {
        match self {
            Change::UserStatus { user, status, since } => {
                let (key, reason) = status_columns(status);
                tx.prepare_cached("UPDATE users SET status = ?1, pause_reason = ?2, status_since = ?3 WHERE id = ?4")?
                    .execute(params![key, reason, since.0, user.0])?;
            }
            Change::NewCustomer { customer, demo } => {
                tx.prepare_cached("INSERT INTO customers (id, name, language, demo) VALUES (?1, ?2, ?3, ?4)")?
                    .execute(params![customer.id.0, customer.name, customer.language.code(), demo])?;
            }
            Change::Thread { thread: t, demo } => {
                tx.prepare_cached(
                    "INSERT INTO threads (id, customer_id, channel, subject, preview, language, category_id, queue_id,
                        status, assignee_id, unread, customer_closed, created_at, updated_at, demo)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
                     ON CONFLICT(id) DO UPDATE SET subject = excluded.subject, preview = excluded.preview,
                        category_id = excluded.category_id, queue_id = excluded.queue_id, status = excluded.status,
                        assignee_id = excluded.assignee_id, unread = excluded.unread,
                        customer_closed = excluded.customer_closed, updated_at = excluded.updated_at",
                )?
                .execute(params![
                    t.id.0,
                    t.customer.0,
                    t.channel.key(),
                    t.subject,
                    t.preview,
                    t.language.code(),
                    t.category.map(|c| c.0),
                    t.queue.map(|q| q.0),
                    t.status.key(),
                    t.assignee.map(|a| a.0),
                    t.unread,
                    t.customer_closed,
                    t.created_at.0,
                    t.updated_at.0,
                    demo
                ])?;
            }
            Change::NewMessage { message: m, demo } => {
                let (kind, author) = match m.author {
                    Author::Customer => ("customer", None),
                    Author::Agent(id) => ("agent", Some(id.0)),
                    Author::System => ("system", None),
                };
                tx.prepare_cached(
                    "INSERT INTO messages (id, thread_id, author_kind, author_id, body, at, demo)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![m.id.0, m.thread.0, kind, author, m.body, m.at.0, demo])?;
            }
            Change::Interaction { interaction: i, demo } => {
                // `expires_at` holds the offer's deadline, or the end of a defer.
                let expires = match i.state {
                    InteractionState::Offered { expires_at, .. } => Some(expires_at.0),
                    InteractionState::Deferred { until, .. } => until.map(|t| t.0),
                    _ => None,
                };
                tx.prepare_cached(
                    "INSERT INTO interactions (id, thread_id, queue_id, priority, state, agent_id, created_at,
                        queued_at, expires_at, demo, answered_at, skills, language, direct)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
                     ON CONFLICT(id) DO UPDATE SET queue_id = excluded.queue_id, priority = excluded.priority,
                        state = excluded.state, agent_id = excluded.agent_id, queued_at = excluded.queued_at,
                        expires_at = excluded.expires_at, answered_at = excluded.answered_at,
                        skills = excluded.skills, language = excluded.language, direct = excluded.direct",
                )?
                .execute(params![
                    i.id.0,
                    i.thread.0,
                    i.queue.0,
                    i.priority,
                    i.state.key(),
                    i.state.agent().map(|a| a.0),
                    i.created_at.0,
                    i.queued_at.0,
                    expires,
                    demo,
                    i.answered_at.map(|t| t.0),
                    i.skills as i64,
                    i.language.code(),
                    i.direct.map(crate::domain::Direct::key),
                ])?;
            }
            Change::Membership(m) => {
                let (status, reason) = status_columns(&m.status);
                tx.prepare_cached(
                    "INSERT INTO queue_members (queue_id, user_id, status, pause_reason, priority, delay_secs, access)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT(queue_id, user_id) DO UPDATE SET status = excluded.status,
                        pause_reason = excluded.pause_reason, priority = excluded.priority,
                        delay_secs = excluded.delay_secs, access = excluded.access",
                )?
                .execute(params![
                    m.queue.0,
                    m.agent.0,
                    status,
                    reason,
                    m.priority,
                    m.delay_secs,
                    m.access
                ])?;
            }
            Change::MembershipRemoved { agent, queue } => {
                tx.prepare_cached("DELETE FROM queue_members WHERE queue_id = ?1 AND user_id = ?2")?
                    .execute(params![queue.0, agent.0])?;
            }
            Change::Disposition { interaction, json } => {
                tx.prepare_cached("UPDATE interactions SET disposition = ?1 WHERE id = ?2")?
                    .execute(params![json, interaction.0])?;
            }
            Change::RoutingEvent { at, kind, item, agent, queue, json } => {
                tx.prepare_cached(
                    "INSERT INTO routing_events (at, kind, item, agent, queue, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?
                .execute(params![
                    at.0,
                    kind,
                    item.map(|i| i.0),
                    agent.map(|a| a.0),
                    queue.map(|q| q.0),
                    json
                ])?;
            }
            Change::PhoneCall(call) => {
                tx.prepare_cached(
                    "INSERT INTO phone_calls
                     (agent, direction, remote, started_at, answered_at, ended_at, outcome, notes, queue, disposition, tags, contact)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    call.agent.0,
                    call_direction_key(call.direction),
                    call.remote,
                    call.started_at.0,
                    call.answered_at.map(|a| a.0),
                    call.ended_at.0,
                    call_outcome_key(call.outcome),
                    call.notes,
                    call.queue.map(|q| q.0),
                    call.disposition,
                    // Tags never hold a comma (the engine refuses them), so a comma joins them.
                    call.tags.join(","),
                    call.contact.map(|c| c.0)
                ])?;
            }
            Change::Setting { key, value } => {
                tx.prepare_cached(
                    "INSERT INTO settings (key, value) VALUES (?1, ?2)
                     ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                )?
                .execute(params![key, value])?;
            }
            Change::Audit { at, actor, action, subject, detail } => {
                tx.prepare_cached(
                    "INSERT INTO audit (at, actor_id, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![at.0, actor.map(|a| a.0), action, subject, detail])?;
            }
        }
        Ok(())
    }
}

/// A call's direction as stored.
pub(super) fn call_direction_key(direction: CallDirection) -> &'static str {
    match direction {
        CallDirection::Made => "made",
        CallDirection::Taken => "taken",
    }
}

/// A call's outcome as stored.
pub(super) fn call_outcome_key(outcome: CallOutcome) -> &'static str {
    match outcome {
        CallOutcome::Answered => "answered",
        CallOutcome::Unanswered => "unanswered",
        CallOutcome::Busy => "busy",
        CallOutcome::Transferred => "transferred",
        CallOutcome::Failed => "failed",
    }
}

/// The status as its two stored columns.
pub(super) fn status_columns(status: &AgentStatus) -> (&'static str, Option<&str>) {
    match status {
        AgentStatus::Ready => ("ready", None),
        AgentStatus::Paused { reason } => ("paused", Some(reason.as_str())),
        AgentStatus::LoggedOut => ("logged_out", None),
    }
}
