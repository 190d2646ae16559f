//! Reading what the engine needs at start and on demand.

use super::{Store, StoreError};
use crate::domain::{
    ActivityFigures, AgentStatus, Author, CallDirection, CallOutcome, Campaign, CampaignId, Category, CategoryId,
    Channel, CustomerId, Directory, Interaction, InteractionId, InteractionState, Language, Message, MessageId,
    PauseReason, PhoneCall, Queue, QueueId, QueueKind, QueueMembership, Role, Team, TeamId, ThreadId, ThreadStatus,
    ThreadSummary, Timestamp, User, UserId,
};
use rusqlite::{Row, params};

/// How many recent phone calls are loaded at start.
pub const RECENT_CALLS: usize = 2000;

/// The workspace as stored: configuration, people, open work and recent calls.
#[derive(Debug, Default, Clone)]
pub struct Workspace {
    /// Users, teams, queues and the rest of the organisation.
    pub directory: Directory,
    /// Threads that are not closed, plus the most recent closed ones.
    pub threads: Vec<ThreadSummary>,
    /// Interactions that are not completed.
    pub interactions: Vec<Interaction>,
    /// Every agent's status and rules per queue.
    pub memberships: Vec<QueueMembership>,
    /// Queues' routing profiles, as stored JSON (absent: the defaults).
    pub queue_routing: Vec<(QueueId, String)>,
    /// Agents' routing profiles, as stored JSON (absent: the defaults).
    pub agent_routing: Vec<(UserId, String)>,
    /// The largest ids in use, so that new ones follow them.
    pub max_ids: MaxIds,
    /// Recent phone calls of every agent, newest first.
    pub calls: Vec<PhoneCall>,
}

/// The largest id in use per table.
#[derive(Debug, Default, Clone, Copy)]
pub struct MaxIds {
    /// Customers.
    pub customer: i64,
    /// Threads.
    pub thread: i64,
    /// Messages.
    pub message: i64,
    /// Interactions.
    pub interaction: i64,
}

/// How many closed threads the engine keeps in memory for the first snapshot.
const RECENT_CLOSED_THREADS: i64 = 500;

fn bad_value(column: usize, what: &str, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown {what} {value:?}").into(),
    )
}

fn language(row: &Row<'_>, column: usize) -> rusqlite::Result<Language> {
    let code: String = row.get(column)?;
    Language::from_code(&code).ok_or_else(|| bad_value(column, "language", &code))
}

fn languages(row: &Row<'_>, column: usize) -> rusqlite::Result<Vec<Language>> {
    let codes: String = row.get(column)?;
    codes
        .split(',')
        .filter(|c| !c.is_empty())
        .map(|c| Language::from_code(c).ok_or_else(|| bad_value(column, "language", c)))
        .collect()
}

impl Store {
    /// Loads the workspace for the engine's start.
    pub fn load_workspace(&self) -> Result<Workspace, StoreError> {
        self.load_workspace_inner().map_err(|e| self.classify(e))
    }

    fn load_workspace_inner(&self) -> rusqlite::Result<Workspace> {
        let conn = &self.conn;
        let users = conn
            .prepare(
                "SELECT id, name, login, role, team_id, languages, status, pause_reason, status_since, simulated
                 FROM users ORDER BY id",
            )?
            .query_map([], |row| {
                let role: String = row.get(3)?;
                let status: String = row.get(6)?;
                let status = match status.as_str() {
                    "ready" => AgentStatus::Ready,
                    "paused" => AgentStatus::Paused { reason: row.get::<_, Option<String>>(7)?.unwrap_or_default() },
                    "logged_out" => AgentStatus::LoggedOut,
                    other => return Err(bad_value(6, "status", other)),
                };
                Ok(User {
                    id: UserId(row.get(0)?),
                    name: row.get(1)?,
                    login: row.get(2)?,
                    role: Role::from_key(&role).ok_or_else(|| bad_value(3, "role", &role))?,
                    team: row.get::<_, Option<i64>>(4)?.map(TeamId),
                    languages: languages(row, 5)?,
                    status,
                    status_since: Timestamp(row.get(8)?),
                    simulated: row.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let teams = conn
            .prepare("SELECT id, name FROM teams ORDER BY id")?
            .query_map([], |row| Ok(Team { id: TeamId(row.get(0)?), name: row.get(1)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut queues = conn
            .prepare(
                "SELECT id, name, kind, language, acceptance_limit_secs, sla_percent, sla_secs FROM queues ORDER BY id",
            )?
            .query_map([], |row| {
                let kind: String = row.get(2)?;
                Ok(Queue {
                    id: QueueId(row.get(0)?),
                    name: row.get(1)?,
                    kind: QueueKind::from_key(&kind).ok_or_else(|| bad_value(2, "queue kind", &kind))?,
                    language: row.get::<_, Option<String>>(3)?.and_then(|c| Language::from_code(&c)),
                    acceptance_limit_secs: row.get(4)?,
                    sla_percent: row.get(5)?,
                    sla_secs: row.get(6)?,
                    members: Vec::new(),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let memberships = conn
            .prepare(
                "SELECT queue_id, user_id, status, pause_reason, priority, delay_secs, access FROM queue_members
                 ORDER BY user_id, queue_id",
            )?
            .query_map([], |row| {
                let status: String = row.get(2)?;
                Ok(QueueMembership {
                    queue: QueueId(row.get(0)?),
                    agent: UserId(row.get(1)?),
                    status: status_from_columns(&status, row.get(3)?).ok_or_else(|| bad_value(2, "status", &status))?,
                    priority: row.get(4)?,
                    delay_secs: row.get(5)?,
                    access: row.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for m in memberships.iter().filter(|m| m.access) {
            if let Some(q) = queues.iter_mut().find(|q| q.id == m.queue) {
                q.members.push(m.agent);
            }
        }
        let queue_routing = conn
            .prepare("SELECT id, routing FROM queues WHERE routing IS NOT NULL ORDER BY id")?
            .query_map([], |row| Ok((QueueId(row.get(0)?), row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let agent_routing = conn
            .prepare("SELECT id, routing FROM users WHERE routing IS NOT NULL ORDER BY id")?
            .query_map([], |row| Ok((UserId(row.get(0)?), row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut campaigns = conn
            .prepare("SELECT id, name FROM campaigns ORDER BY id")?
            .query_map([], |row| Ok(Campaign { id: CampaignId(row.get(0)?), name: row.get(1)?, members: Vec::new() }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut members = conn.prepare("SELECT campaign_id, user_id FROM campaign_members ORDER BY user_id")?;
        for pair in members.query_map([], |row| Ok((CampaignId(row.get(0)?), UserId(row.get(1)?))))? {
            let (campaign, user) = pair?;
            if let Some(c) = campaigns.iter_mut().find(|c| c.id == campaign) {
                c.members.push(user);
            }
        }
        let categories = conn
            .prepare("SELECT id, key, name FROM categories ORDER BY id")?
            .query_map([], |row| Ok(Category { id: CategoryId(row.get(0)?), key: row.get(1)?, name: row.get(2)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let pause_reasons = conn
            .prepare("SELECT label FROM pause_reasons ORDER BY id")?
            .query_map([], |row| Ok(PauseReason { label: row.get(0)? }))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let threads = conn
            .prepare(&format!(
                "{THREAD_SELECT} WHERE t.status NOT IN ('completed', 'abandoned')
                 UNION ALL
                 SELECT * FROM ({THREAD_SELECT} WHERE t.status IN ('completed', 'abandoned')
                     ORDER BY t.updated_at DESC LIMIT {RECENT_CLOSED_THREADS})"
            ))?
            .query_map([], thread_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let interactions = conn
            .prepare(
                "SELECT i.id, i.thread_id, i.queue_id, i.priority, i.state, i.agent_id, i.created_at, i.queued_at,
                    i.expires_at, i.answered_at, i.skills, COALESCE(i.language, t.language), i.direct
                 FROM interactions i JOIN threads t ON t.id = i.thread_id
                 WHERE i.state <> 'completed' ORDER BY i.id",
            )?
            .query_map([], interaction_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let max = |table: &str| -> rusqlite::Result<i64> {
            conn.query_row(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}"), [], |row| row.get(0))
        };
        let max_ids = MaxIds {
            customer: max("customers")?,
            thread: max("threads")?,
            message: max("messages")?,
            interaction: max("interactions")?,
        };
        let calls = conn
            .prepare(&format!(
                "SELECT agent, direction, remote, started_at, answered_at, ended_at, outcome, notes, queue, disposition, tags, contact
                 FROM phone_calls ORDER BY started_at DESC, id DESC LIMIT {RECENT_CALLS}"
            ))?
            .query_map([], |row| {
                let direction: String = row.get(1)?;
                let outcome: String = row.get(6)?;
                Ok(PhoneCall {
                    agent: UserId(row.get(0)?),
                    direction: match direction.as_str() {
                        "made" => CallDirection::Made,
                        "taken" => CallDirection::Taken,
                        other => return Err(bad_value(1, "direction", other)),
                    },
                    remote: row.get(2)?,
                    started_at: Timestamp(row.get(3)?),
                    answered_at: row.get::<_, Option<i64>>(4)?.map(Timestamp),
                    ended_at: Timestamp(row.get(5)?),
                    outcome: match outcome.as_str() {
                        "answered" => CallOutcome::Answered,
                        "unanswered" => CallOutcome::Unanswered,
                        "busy" => CallOutcome::Busy,
                        "transferred" => CallOutcome::Transferred,
                        "failed" => CallOutcome::Failed,
                        other => return Err(bad_value(6, "outcome", other)),
                    },
                    notes: row.get(7)?,
                    queue: row.get::<_, Option<i64>>(8)?.map(QueueId),
                    disposition: row.get(9)?,
                    tags: row.get::<_, String>(10)?.split(',').filter(|t| !t.is_empty()).map(str::to_owned).collect(),
                    contact: row.get::<_, Option<i64>>(11)?.map(CustomerId),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Workspace {
            directory: Directory { users, teams, queues, campaigns, categories, pause_reasons },
            threads,
            interactions,
            memberships,
            queue_routing,
            agent_routing,
            max_ids,
            calls,
        })
    }

    /// An agent's figures for `[from, to)`: calls that started then, and
    /// interactions completed then (handle time from the agent's answer).
    pub fn activity_figures(
        &self,
        agent: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<ActivityFigures, StoreError> {
        self.activity_figures_inner(agent, from, to).map_err(|e| self.classify(e))
    }

    fn activity_figures_inner(
        &self,
        agent: UserId,
        from: Timestamp,
        to: Timestamp,
    ) -> rusqlite::Result<ActivityFigures> {
        let mut figures = self.conn.query_row(
            "SELECT
                COUNT(*) FILTER (WHERE direction = 'taken' AND queue IS NOT NULL AND answered_at IS NOT NULL),
                COUNT(*) FILTER (WHERE direction = 'taken' AND queue IS NULL AND answered_at IS NOT NULL),
                COUNT(*) FILTER (WHERE direction = 'made' AND queue IS NULL),
                COALESCE(SUM(CASE WHEN answered_at IS NOT NULL THEN ended_at - answered_at ELSE 0 END), 0)
             FROM phone_calls WHERE agent = ?1 AND started_at >= ?2 AND started_at < ?3",
            params![agent.0, from.0, to.0],
            |row| {
                Ok(ActivityFigures {
                    queue_calls_taken: row.get(0)?,
                    direct_calls_taken: row.get(1)?,
                    direct_calls_made: row.get(2)?,
                    talk_secs: u64::try_from(row.get::<_, i64>(3)?.max(0) / 1000).unwrap_or(0),
                    ..ActivityFigures::default()
                })
            },
        )?;
        // Each completion, with the agent's latest answer of the same item before it.
        let (handled, handle_ms) = self.conn.query_row(
            "SELECT COUNT(*), AVG(c.at - (SELECT MAX(a.at) FROM routing_events a
                                          WHERE a.kind = 'answered' AND a.item = c.item AND a.agent = c.agent AND a.at <= c.at))
             FROM routing_events c WHERE c.kind = 'completed' AND c.agent = ?1 AND c.at >= ?2 AND c.at < ?3",
            params![agent.0, from.0, to.0],
            |row| Ok((row.get::<_, u32>(0)?, row.get::<_, Option<f64>>(1)?)),
        )?;
        let first_response_ms: Option<f64> = self.conn.query_row(
            "SELECT AVG(f.at - a.at) FROM routing_events f
             JOIN routing_events a ON a.item = f.item AND a.kind = 'answered' AND a.agent = ?1 AND a.at <= f.at
             WHERE f.kind = 'first_response' AND f.at >= ?2 AND f.at < ?3",
            params![agent.0, from.0, to.0],
            |row| row.get(0),
        )?;
        figures.interactions_handled = handled;
        figures.average_handle_secs = handle_ms.map(|ms| (ms.max(0.0) / 1000.0).round() as u32);
        figures.average_first_response_secs = first_response_ms.map(|ms| (ms.max(0.0) / 1000.0).round() as u32);
        Ok(figures)
    }

    /// A thread's messages, oldest first.
    pub fn messages(&self, thread: ThreadId) -> Result<Vec<Message>, StoreError> {
        let run = || -> rusqlite::Result<Vec<Message>> {
            self.conn
                .prepare_cached(
                    "SELECT id, thread_id, author_kind, author_id, body, at FROM messages
                     WHERE thread_id = ?1 ORDER BY at, id",
                )?
                .query_map(params![thread.0], |row| {
                    let kind: String = row.get(2)?;
                    let author = match (kind.as_str(), row.get::<_, Option<i64>>(3)?) {
                        ("customer", _) => Author::Customer,
                        ("agent", Some(id)) => Author::Agent(UserId(id)),
                        ("system", _) => Author::System,
                        (other, _) => return Err(bad_value(2, "author", other)),
                    };
                    Ok(Message {
                        id: MessageId(row.get(0)?),
                        thread: ThreadId(row.get(1)?),
                        author,
                        body: row.get(4)?,
                        at: Timestamp(row.get(5)?),
                    })
                })?
                .collect()
        };
        run().map_err(|e| self.classify(e))
    }

    /// One thread's summary, whether or not the engine keeps it in memory.
    pub fn thread(&self, thread: ThreadId) -> Result<Option<ThreadSummary>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(&format!("{THREAD_SELECT} WHERE t.id = ?1"), params![thread.0], thread_row)
            .optional()
            .map_err(|e| self.classify(e))
    }

    /// Counts rows of a table, for tests and diagnostics.
    pub fn count(&self, table: &str) -> Result<i64, StoreError> {
        self.conn
            .query_row(&format!("SELECT COUNT(*) FROM {table}"), [], |row| row.get(0))
            .map_err(|e| self.classify(e))
    }
}

const THREAD_SELECT: &str = "SELECT t.id, t.customer_id, c.name, t.channel, t.subject, t.preview, t.language,
    t.category_id, t.queue_id, t.status, t.assignee_id, t.unread, t.customer_closed, t.created_at, t.updated_at
    FROM threads t JOIN customers c ON c.id = t.customer_id";

fn thread_row(row: &Row<'_>) -> rusqlite::Result<ThreadSummary> {
    let channel: String = row.get(3)?;
    let status: String = row.get(9)?;
    Ok(ThreadSummary {
        id: ThreadId(row.get(0)?),
        customer: CustomerId(row.get(1)?),
        customer_name: row.get(2)?,
        channel: Channel::from_key(&channel).ok_or_else(|| bad_value(3, "channel", &channel))?,
        subject: row.get(4)?,
        preview: row.get(5)?,
        language: language(row, 6)?,
        category: row.get::<_, Option<i64>>(7)?.map(CategoryId),
        queue: row.get::<_, Option<i64>>(8)?.map(QueueId),
        status: ThreadStatus::from_key(&status).ok_or_else(|| bad_value(9, "thread status", &status))?,
        assignee: row.get::<_, Option<i64>>(10)?.map(UserId),
        unread: row.get(11)?,
        customer_closed: row.get(12)?,
        created_at: Timestamp(row.get(13)?),
        updated_at: Timestamp(row.get(14)?),
    })
}

fn interaction_row(row: &Row<'_>) -> rusqlite::Result<Interaction> {
    let state: String = row.get(4)?;
    let agent = row.get::<_, Option<i64>>(5)?.map(UserId);
    let expires = row.get::<_, Option<i64>>(8)?.map(Timestamp);
    let state = match (state.as_str(), agent, expires) {
        ("waiting", _, _) => InteractionState::Waiting,
        ("offered", Some(agent), Some(expires_at)) => InteractionState::Offered { agent, expires_at },
        ("assigned", Some(agent), _) => InteractionState::Assigned { agent },
        ("deferred", Some(agent), until) => InteractionState::Deferred { agent, until },
        ("completed", _, _) => InteractionState::Completed,
        (other, _, _) => return Err(bad_value(4, "interaction state", other)),
    };
    let direct: Option<String> = row.get(12)?;
    Ok(Interaction {
        id: InteractionId(row.get(0)?),
        thread: ThreadId(row.get(1)?),
        queue: QueueId(row.get(2)?),
        priority: row.get(3)?,
        state,
        created_at: Timestamp(row.get(6)?),
        queued_at: Timestamp(row.get(7)?),
        answered_at: row.get::<_, Option<i64>>(9)?.map(Timestamp),
        skills: row.get::<_, i64>(10)? as u64,
        language: language(row, 11)?,
        direct: direct.as_deref().and_then(crate::domain::Direct::from_key),
    })
}

fn status_from_columns(status: &str, reason: Option<String>) -> Option<AgentStatus> {
    match status {
        "ready" => Some(AgentStatus::Ready),
        "paused" => Some(AgentStatus::Paused { reason: reason.unwrap_or_default() }),
        "logged_out" => Some(AgentStatus::LoggedOut),
        _ => None,
    }
}

impl Store {
    /// The routing facts logged in `[from, to)`, oldest first, as stored JSON.
    pub fn routing_events(&self, from: Timestamp, to: Timestamp) -> Result<Vec<String>, StoreError> {
        let run = || -> rusqlite::Result<Vec<String>> {
            self.conn
                .prepare_cached("SELECT body FROM routing_events WHERE at >= ?1 AND at < ?2 ORDER BY id")?
                .query_map(params![from.0, to.0], |row| row.get(0))?
                .collect()
        };
        run().map_err(|e| self.classify(e))
    }
}

impl Store {
    /// The most recent interaction of a thread, whatever its state (for resuming from History).
    pub fn last_interaction(&self, thread: ThreadId) -> Result<Option<Interaction>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row(
                "SELECT i.id, i.thread_id, i.queue_id, i.priority, i.state, i.agent_id, i.created_at, i.queued_at,
                    i.expires_at, i.answered_at, i.skills, COALESCE(i.language, t.language), i.direct
                 FROM interactions i JOIN threads t ON t.id = i.thread_id
                 WHERE i.thread_id = ?1 ORDER BY i.id DESC LIMIT 1",
                params![thread.0],
                interaction_row,
            )
            .optional()
            .map_err(|e| self.classify(e))
    }
}
