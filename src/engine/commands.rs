//! Checking and planning user commands: each becomes a list of changes for the
//! store and the events to send once they are committed, or a typed error with
//! nothing written.

use super::Plan;
use super::hub::Audience;
use super::state::{DEMO_PAUSED_SETTING, State};
use crate::domain::{
    AgentStatus, Author, Category, DeferUntil, InteractionId, MAX_NOTES, MAX_REMOTE, MAX_TAGS, Message, MessageId,
    Permission, PhoneCall, QueueId, Role, ThreadId, ThreadStatus, ThreadSummary, Timestamp, TransferTo, User, UserId,
};
use crate::protocol::{Command, CommandError, Event, MAX_BODY_CHARS};
use crate::routing::{MISSED_OFFERS_REASON, RoutingError, TransferTarget};
use crate::store::Change;

/// The longest transfer comment, in characters.
const MAX_COMMENT_CHARS: usize = 1000;

/// The longest preview kept on a thread, in characters.
const PREVIEW_CHARS: usize = 140;

/// The start of a message, on one line, for previews.
#[must_use]
pub fn preview(body: &str) -> String {
    let flat: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW_CHARS {
        flat
    } else {
        let cut: String = flat.chars().take(PREVIEW_CHARS - 1).collect();
        format!("{cut}…")
    }
}

fn require(actor: &User, permission: Permission, command: &Command) -> Result<(), CommandError> {
    if actor.role.allows(permission) {
        Ok(())
    } else {
        Err(CommandError::Forbidden { command: command.name().to_owned() })
    }
}

/// An audit line for an action on a thread, with no further detail.
fn thread_audit(now: Timestamp, actor: UserId, action: &str, thread: ThreadId) -> Change {
    audit(now, Some(actor), action, format!("thread:{}", thread.0), String::new())
}

pub(super) fn audit(now: Timestamp, actor: Option<UserId>, action: &str, subject: String, detail: String) -> Change {
    Change::Audit { at: now, actor, action: action.to_owned(), subject, detail }
}

fn status_detail(status: &AgentStatus) -> String {
    match status {
        AgentStatus::Ready => "ready".to_owned(),
        AgentStatus::Paused { reason } => format!("paused: {reason}"),
        AgentStatus::LoggedOut => "logged out".to_owned(),
    }
}

impl State {
    fn thread_or_err(&self, thread: ThreadId) -> Result<&ThreadSummary, CommandError> {
        self.threads.get(&thread).ok_or(CommandError::NotFound { what: "thread".into(), id: thread.0 })
    }

    /// A thread `actor` holds and may still work on, or why not (`action` names
    /// what they tried, for the message).
    fn held_thread(&self, actor: &User, thread: ThreadId, action: &str) -> Result<&ThreadSummary, CommandError> {
        let summary = self.thread_or_err(thread)?;
        if summary.status.is_closed() {
            return Err(CommandError::InvalidState("this conversation is already closed".into()));
        }
        if summary.assignee != Some(actor.id) || summary.status != ThreadStatus::Assigned {
            return Err(CommandError::InvalidState(format!("only the agent holding this conversation can {action}")));
        }
        Ok(summary)
    }

    /// Plans `command` for `actor`, or says why it cannot be done.
    pub fn plan_command(
        &mut self,
        actor: UserId,
        command: &Command,
        now: Timestamp,
        plan: &mut Plan,
    ) -> Result<(), CommandError> {
        let actor =
            self.users.get(&actor).cloned().ok_or(CommandError::NotFound { what: "user".into(), id: actor.0 })?;
        match command {
            Command::SetStatus { status } => {
                require(&actor, Permission::SetOwnStatus, command)?;
                self.plan_status(&actor, actor.id, status, now, plan)
            }
            Command::SetAgentStatus { agent, status } => {
                require(&actor, Permission::ManageAgents, command)?;
                self.check_team(&actor, *agent, command)?;
                self.plan_status(&actor, *agent, status, now, plan)
            }
            Command::AcceptOffer { interaction } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.router.accept(actor.id, *interaction, now).map_err(routing_error)?;
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "offer.accepted",
                    format!("interaction:{}", interaction.0),
                    String::new(),
                ));
                Ok(())
            }
            Command::RejectOffer { interaction } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.router.reject(actor.id, *interaction, now).map_err(routing_error)
            }
            Command::OpenThread { thread } => {
                require(&actor, Permission::HandleInteractions, command)?;
                // An old closed thread may be only in the store; the engine checks there.
                if let Some(summary) = self.threads.get(thread)
                    && summary.assignee == Some(actor.id)
                    && summary.unread > 0
                {
                    let mut read = summary.clone();
                    read.unread = 0;
                    plan.changes.push(Change::Thread { thread: read, demo: false });
                }
                plan.open_thread = Some(*thread);
                Ok(())
            }
            Command::SendMessage { thread, body } => {
                require(&actor, Permission::HandleInteractions, command)?;
                let body = body.trim();
                if body.is_empty() {
                    return Err(CommandError::InvalidInput("a reply cannot be empty".into()));
                }
                if body.chars().count() > MAX_BODY_CHARS {
                    return Err(CommandError::InvalidInput(format!(
                        "a reply is limited to {MAX_BODY_CHARS} characters"
                    )));
                }
                let summary = self.held_thread(&actor, *thread, "reply")?.clone();
                if let Some(interaction) = self.interaction_of(*thread).map(|i| i.id) {
                    if self.first_replies.insert(interaction) {
                        self.router.first_response(interaction, now);
                    }
                    self.router.message(interaction, false, now).map_err(routing_error)?;
                }
                let mut updated = summary.clone();
                updated.preview = preview(body);
                updated.updated_at = now;
                updated.unread = 0;
                let message = Message {
                    id: MessageId(self.take_message_id()),
                    thread: *thread,
                    author: Author::Agent(actor.id),
                    body: body.to_owned(),
                    at: now,
                };
                plan.changes.push(Change::NewMessage { message, demo: actor.simulated });
                plan.changes.push(Change::Thread { thread: updated, demo: actor.simulated });
                plan.changes.push(thread_audit(now, actor.id, "message.sent", *thread));
                Ok(())
            }
            Command::Complete { thread, disposition } => {
                require(&actor, Permission::HandleInteractions, command)?;
                let summary = self.held_thread(&actor, *thread, "complete it")?;
                let interaction = self.open_interaction(*thread)?;
                let smart_close =
                    self.queue_profiles.get(&summary.queue.unwrap_or(QueueId(0))).and_then(|p| p.smart_close);
                if let Some(disposition) = disposition {
                    if disposition.notes.chars().count() > MAX_BODY_CHARS {
                        return Err(CommandError::InvalidInput(format!(
                            "notes are limited to {MAX_BODY_CHARS} characters"
                        )));
                    }
                    if let Some(category) = disposition.category
                        && !self.categories.iter().any(|c| c.id == category)
                    {
                        return Err(CommandError::NotFound { what: "category".into(), id: category.0 });
                    }
                    let json =
                        serde_json::to_string(disposition).map_err(|e| CommandError::InvalidInput(e.to_string()))?;
                    plan.changes.push(Change::Disposition { interaction, json });
                }
                self.router.complete(actor.id, interaction, None, smart_close, now).map_err(routing_error)?;
                plan.changes.push(thread_audit(now, actor.id, "thread.completed", *thread));
                Ok(())
            }
            Command::SetQueueStatus { agent, queue, status } => {
                let target = self.acting_on(&actor, *agent, Permission::SetOwnStatus, command)?;
                self.check_pause_reason(status)?;
                if !self.memberships.contains_key(&(target, *queue)) {
                    return Err(CommandError::InvalidState("that agent is not a member of this queue".into()));
                }
                self.router
                    .set_status(target, Some(*queue), &super::distribution::queue_status(status), now)
                    .map_err(routing_error)?;
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "queue_status.set",
                    format!("user:{} queue:{}", target.0, queue.0),
                    status_detail(status),
                ));
                Ok(())
            }
            Command::Defer { thread, until } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.held_thread(&actor, *thread, "defer it")?;
                let interaction = self.open_interaction(*thread)?;
                self.router.defer(actor.id, interaction, *until, now).map_err(routing_error)?;
                let detail = match until {
                    DeferUntil::Time(at) => format!("until {}", at.0),
                    DeferUntil::NextReply => "until the customer's reply".to_owned(),
                };
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "thread.deferred",
                    format!("thread:{}", thread.0),
                    detail,
                ));
                Ok(())
            }
            Command::Resume { thread } => {
                require(&actor, Permission::HandleInteractions, command)?;
                let interaction = self.resumable(*thread, plan)?;
                self.router.resume(actor.id, interaction, now).map_err(routing_error)?;
                plan.changes.push(thread_audit(now, actor.id, "thread.resumed", *thread));
                Ok(())
            }
            Command::Transfer { thread, to, comment } => {
                require(&actor, Permission::HandleInteractions, command)?;
                if comment.chars().count() > MAX_COMMENT_CHARS {
                    return Err(CommandError::InvalidInput(format!(
                        "a transfer comment is limited to {MAX_COMMENT_CHARS} characters"
                    )));
                }
                self.held_thread(&actor, *thread, "transfer it")?;
                let interaction = self.open_interaction(*thread)?;
                let target = self.transfer_target(*to)?;
                self.router.transfer(actor.id, interaction, target, comment, now).map_err(routing_error)?;
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "thread.transferred",
                    format!("thread:{}", thread.0),
                    format!("{to:?}: {comment}"),
                ));
                Ok(())
            }
            Command::ForceAssign { thread, agent } => {
                if !(actor.role.allows(Permission::Monitor) && actor.role.allows(Permission::ManageAgents)) {
                    return Err(CommandError::Forbidden { command: command.name().to_owned() });
                }
                self.check_team(&actor, *agent, command)?;
                let interaction = self.open_interaction(*thread)?;
                self.router.force_assign(actor.id, interaction, *agent, now).map_err(routing_error)?;
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "thread.force_assigned",
                    format!("thread:{}", thread.0),
                    format!("to user:{}", agent.0),
                ));
                Ok(())
            }
            Command::Unassign { thread } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.held_thread(&actor, *thread, "unassign it")?;
                let interaction = self.open_interaction(*thread)?;
                self.router.unassign(actor.id, interaction, now).map_err(routing_error)?;
                plan.changes.push(thread_audit(now, actor.id, "thread.unassigned", *thread));
                Ok(())
            }
            Command::EndWrapUp { agent } => {
                let target = self.acting_on(&actor, *agent, Permission::HandleInteractions, command)?;
                self.router.end_wrap_up(target, now).map_err(routing_error)?;
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "wrap_up.ended",
                    format!("user:{}", target.0),
                    String::new(),
                ));
                Ok(())
            }
            Command::ExplainWait { thread } => {
                let summary = self.thread_or_err(*thread)?;
                let text = match self.interaction_of(*thread) {
                    Some(interaction) => self
                        .router
                        .why_waiting(interaction.id, now)
                        .map_or_else(|| "not waiting".to_owned(), |why| why.describe()),
                    None if summary.status.is_closed() => "this conversation is closed".to_owned(),
                    None => "not waiting".to_owned(),
                };
                plan.events.push((Audience::User(actor.id), Event::WaitExplained { thread: *thread, text }));
                Ok(())
            }
            Command::MyActivity { from, to } => {
                if to.0 <= from.0 || to.0 - from.0 > 31 * 86_400_000 {
                    return Err(CommandError::InvalidInput(
                        "an activity period runs forward, for at most 31 days".into(),
                    ));
                }
                plan.activity = Some((*from, *to));
                Ok(())
            }
            Command::RecordCall { call } => {
                require(&actor, Permission::HandleInteractions, command)?;
                let call = checked_call(call, actor.id, now, &self.categories)?;
                if let Some(contact) = call.contact
                    && !self.threads.values().any(|t| t.customer == contact)
                {
                    return Err(CommandError::NotFound { what: "customer".into(), id: contact.0 });
                }
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "call.recorded",
                    format!("user:{}", actor.id.0),
                    format!("{:?} {:?}", call.direction, call.outcome),
                ));
                let answered = call.answered_at.is_some();
                plan.changes.push(Change::PhoneCall(call));
                // After a call that was talked, the agent wraps up before new work (E3).
                // Someone the router does not know (no queue at all) takes no routed work anyway.
                if answered {
                    let _ = self.router.wrap_up_after_direct_call(actor.id, now);
                }
                Ok(())
            }
            Command::SetDemoPaused { paused } => {
                require(&actor, Permission::Administer, command)?;
                if self.demo.is_none() {
                    return Err(CommandError::InvalidState("no demo traffic runs in this engine".into()));
                }
                plan.changes.push(Change::Setting { key: DEMO_PAUSED_SETTING.into(), value: paused.to_string() });
                plan.changes.push(audit(now, Some(actor.id), "demo.paused", "demo".into(), paused.to_string()));
                Ok(())
            }
        }
    }

    fn check_pause_reason(&self, status: &AgentStatus) -> Result<(), CommandError> {
        if let AgentStatus::Paused { reason } = status {
            let known = self.pause_reasons.iter().any(|r| &r.label == reason) || reason == MISSED_OFFERS_REASON;
            if !known {
                return Err(CommandError::InvalidInput(format!("{reason:?} is not a pause reason of this workspace")));
            }
        }
        Ok(())
    }

    /// The agent a command acts on: the actor, with `own`, or an agent of
    /// theirs, which needs the right to manage agents and the same team.
    fn acting_on(
        &self,
        actor: &User,
        agent: Option<UserId>,
        own: Permission,
        command: &Command,
    ) -> Result<UserId, CommandError> {
        match agent {
            Some(agent) if agent != actor.id => {
                require(actor, Permission::ManageAgents, command)?;
                self.check_team(actor, agent, command)?;
                Ok(agent)
            }
            _ => {
                require(actor, own, command)?;
                Ok(actor.id)
            }
        }
    }

    /// Supervisors act on their own team; admins on everyone.
    fn check_team(&self, actor: &User, agent: UserId, command: &Command) -> Result<(), CommandError> {
        let target = self.users.get(&agent).ok_or(CommandError::NotFound { what: "user".into(), id: agent.0 })?;
        if actor.role != Role::Admin && target.team != actor.team {
            return Err(CommandError::Forbidden { command: format!("{} for another team", command.name()) });
        }
        Ok(())
    }

    /// The open interaction of a thread, or why there is none.
    fn open_interaction(&self, thread: ThreadId) -> Result<InteractionId, CommandError> {
        self.interaction_of(thread)
            .map(|i| i.id)
            .ok_or_else(|| CommandError::InvalidState("this conversation has no open work".into()))
    }

    /// The interaction to resume for a thread: a deferred one, or the last one of a closed thread,
    /// put back into the distributor's memory.
    fn resumable(&mut self, thread: ThreadId, plan: &mut Plan) -> Result<InteractionId, CommandError> {
        if let Some(interaction) = self.interaction_of(thread) {
            return Ok(interaction.id);
        }
        let summary = self.thread_or_err(thread)?.clone();
        if !summary.status.is_closed() {
            return Err(CommandError::InvalidState("only deferred or completed conversations can be resumed".into()));
        }
        let last = plan.closed_interaction.take().filter(|i| i.thread == thread).ok_or_else(|| {
            CommandError::InvalidState("this conversation's history is not available to resume".into())
        })?;
        let item = super::distribution::new_item(&last, false);
        self.router.restore_closed(&item, last.created_at).map_err(routing_error)?;
        plan.changes.push(Change::Interaction { interaction: last.clone(), demo: false });
        Ok(last.id)
    }

    fn transfer_target(&self, to: TransferTo) -> Result<TransferTarget, CommandError> {
        Ok(match to {
            TransferTo::Agent(agent) => {
                self.users.get(&agent).ok_or(CommandError::NotFound { what: "user".into(), id: agent.0 })?;
                TransferTarget::Agent(agent)
            }
            TransferTo::Team(team) => {
                if !self.teams.iter().any(|t| t.id == team) {
                    return Err(CommandError::NotFound { what: "team".into(), id: team.0 });
                }
                TransferTarget::Team(team)
            }
            TransferTo::Category(category) => {
                let index = self
                    .categories
                    .iter()
                    .position(|c| c.id == category)
                    .and_then(|p| u8::try_from(p).ok())
                    .ok_or(CommandError::NotFound { what: "category".into(), id: category.0 })?;
                TransferTarget::Skill(index)
            }
            TransferTo::Language(language) => TransferTarget::Language(super::distribution::language_index(language)),
            TransferTo::Queue(queue) => {
                if !self.queues.contains_key(&queue) {
                    return Err(CommandError::NotFound { what: "queue".into(), id: queue.0 });
                }
                TransferTarget::Queue(queue)
            }
        })
    }

    fn plan_status(
        &mut self,
        actor: &User,
        target: UserId,
        status: &AgentStatus,
        now: Timestamp,
        plan: &mut Plan,
    ) -> Result<(), CommandError> {
        self.check_pause_reason(status)?;
        let current = self.users.get(&target).map(|u| &u.status);
        if current == Some(status) {
            return Ok(());
        }
        plan.changes.push(Change::UserStatus { user: target, status: status.clone(), since: now });
        plan.changes.push(audit(
            now,
            Some(actor.id),
            "status.set",
            format!("user:{}", target.0),
            status_detail(status),
        ));
        // Every queue follows; the distributor withdraws an offer the agent can no longer take.
        self.router.set_status(target, None, &super::distribution::queue_status(status), now).map_err(routing_error)?;
        Ok(())
    }
}

/// A distributor refusal in the protocol's terms; nothing was changed.
fn routing_error(error: RoutingError) -> CommandError {
    match error {
        RoutingError::UnknownItem(id) => CommandError::NotFound { what: "interaction".into(), id },
        RoutingError::UnknownAgent(id) => CommandError::NotFound { what: "user".into(), id },
        RoutingError::UnknownQueue(id) => CommandError::NotFound { what: "queue".into(), id },
        RoutingError::UnknownTeam(id) => CommandError::NotFound { what: "team".into(), id },
        RoutingError::InvalidInput(text) => CommandError::InvalidInput(text),
        other => CommandError::InvalidState(other.to_string()),
    }
}

/// A call as the client reported it, checked: the agent is the one who
/// reports it, the times are in order and not in the future, texts are
/// bounded, and a call recorded by an agent never claims a queue (queue
/// calls are recorded by the routing core).
fn checked_call(
    call: &PhoneCall,
    agent: UserId,
    now: Timestamp,
    categories: &[Category],
) -> Result<PhoneCall, CommandError> {
    // A minute of slack for clocks that differ between machines.
    const SLACK_MS: i64 = 60_000;
    if call.ended_at.0 < call.started_at.0
        || call.answered_at.is_some_and(|a| a.0 < call.started_at.0 || a.0 > call.ended_at.0)
    {
        return Err(CommandError::InvalidInput("the call's times are out of order".into()));
    }
    if call.ended_at.0 > now.0 + SLACK_MS {
        return Err(CommandError::InvalidInput("the call ends in the future".into()));
    }
    if call.remote.trim().is_empty() || call.remote.chars().count() > MAX_REMOTE {
        return Err(CommandError::InvalidInput(format!("the other party must be 1 to {MAX_REMOTE} characters")));
    }
    if call.notes.chars().count() > MAX_NOTES {
        return Err(CommandError::InvalidInput(format!("call notes are limited to {MAX_NOTES} characters")));
    }
    let (most, longest) = MAX_TAGS;
    if call.tags.len() > most
        || call.tags.iter().any(|t| t.trim().is_empty() || t.chars().count() > longest || t.contains(','))
    {
        return Err(CommandError::InvalidInput(format!(
            "a call takes at most {most} tags of 1 to {longest} characters, without commas"
        )));
    }
    if let Some(disposition) = &call.disposition
        && !categories.iter().any(|c| &c.key == disposition)
    {
        return Err(CommandError::InvalidInput(format!("{disposition:?} is not a disposition of this workspace")));
    }
    Ok(PhoneCall { agent, queue: None, ..call.clone() })
}
