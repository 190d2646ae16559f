//! Checking and planning user commands: each becomes a list of changes for the
//! store and the events to send once they are committed, or a typed error with
//! nothing written.

use super::Plan;
use super::hub::Audience;
use super::state::{DEMO_PAUSED_SETTING, State};
use crate::domain::{
    AgentStatus, Author, InteractionId, InteractionState, Message, MessageId, Permission, Role, ThreadId, ThreadStatus,
    ThreadSummary, Timestamp, User, UserId,
};
use crate::protocol::{Command, CommandError, Event, MAX_BODY_CHARS, OfferOutcome};
use crate::routing::MISSED_OFFERS_REASON;
use crate::store::Change;

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
                let target =
                    self.users.get(agent).ok_or(CommandError::NotFound { what: "user".into(), id: agent.0 })?;
                if actor.role != Role::Admin && target.team != actor.team {
                    return Err(CommandError::Forbidden { command: format!("{} for another team", command.name()) });
                }
                self.plan_status(&actor, *agent, status, now, plan)
            }
            Command::AcceptOffer { interaction } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.plan_accept(&actor, *interaction, now, plan)
            }
            Command::RejectOffer { interaction } => {
                require(&actor, Permission::HandleInteractions, command)?;
                self.open_offer(actor.id, *interaction, now)?;
                self.plan_return_to_queue(*interaction, OfferOutcome::Rejected, plan);
                Ok(())
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
                let summary = self.held_thread(&actor, *thread, "reply")?;
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
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "message.sent",
                    format!("thread:{}", thread.0),
                    String::new(),
                ));
                Ok(())
            }
            Command::Complete { thread } => {
                require(&actor, Permission::HandleInteractions, command)?;
                let summary = self.held_thread(&actor, *thread, "complete it")?;
                let mut done = summary.clone();
                done.status = ThreadStatus::Completed;
                done.unread = 0;
                done.updated_at = now;
                if let Some(interaction) = self.interaction_of(*thread) {
                    let mut finished = interaction.clone();
                    finished.state = InteractionState::Completed;
                    plan.changes.push(Change::Interaction { interaction: finished, demo: actor.simulated });
                }
                plan.changes.push(Change::Thread { thread: done, demo: actor.simulated });
                plan.changes.push(audit(
                    now,
                    Some(actor.id),
                    "thread.completed",
                    format!("thread:{}", thread.0),
                    String::new(),
                ));
                plan.idle.push(actor.id);
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

    fn plan_status(
        &mut self,
        actor: &User,
        target: UserId,
        status: &AgentStatus,
        now: Timestamp,
        plan: &mut Plan,
    ) -> Result<(), CommandError> {
        if let AgentStatus::Paused { reason } = status {
            let known = self.pause_reasons.iter().any(|r| &r.label == reason) || reason == MISSED_OFFERS_REASON;
            if !known {
                return Err(CommandError::InvalidInput(format!("{reason:?} is not a pause reason of this workspace")));
            }
        }
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
        if !matches!(status, AgentStatus::Ready) {
            let offered: Vec<InteractionId> = self
                .interactions
                .values()
                .filter(|i| matches!(i.state, InteractionState::Offered { agent, .. } if agent == target))
                .map(|i| i.id)
                .collect();
            for interaction in offered {
                self.plan_return_to_queue(interaction, OfferOutcome::Withdrawn, plan);
            }
        }
        Ok(())
    }

    /// The offer of `interaction` to `agent`, if it is still open.
    fn open_offer(
        &self,
        agent: UserId,
        interaction: InteractionId,
        now: Timestamp,
    ) -> Result<(UserId, Timestamp), CommandError> {
        let found = self
            .interactions
            .get(&interaction)
            .ok_or(CommandError::NotFound { what: "interaction".into(), id: interaction.0 })?;
        match found.state {
            InteractionState::Offered { agent: offered_to, expires_at } if offered_to == agent => {
                if now >= expires_at {
                    Err(CommandError::InvalidState("this offer has expired".into()))
                } else {
                    Ok((offered_to, expires_at))
                }
            }
            _ => Err(CommandError::InvalidState("this offer is no longer open to you".into())),
        }
    }

    fn plan_accept(
        &mut self,
        actor: &User,
        interaction: InteractionId,
        now: Timestamp,
        plan: &mut Plan,
    ) -> Result<(), CommandError> {
        self.open_offer(actor.id, interaction, now)?;
        let Some(found) = self.interactions.get(&interaction) else {
            return Err(CommandError::NotFound { what: "interaction".into(), id: interaction.0 });
        };
        let mut assigned = found.clone();
        assigned.state = InteractionState::Assigned { agent: actor.id };
        let mut thread = self.thread_or_err(assigned.thread)?.clone();
        thread.status = ThreadStatus::Assigned;
        thread.assignee = Some(actor.id);
        plan.changes.push(audit(
            now,
            Some(actor.id),
            "offer.accepted",
            format!("thread:{}", thread.id.0),
            String::new(),
        ));
        plan.changes.push(Change::Interaction { interaction: assigned, demo: actor.simulated });
        plan.changes.push(Change::Thread { thread, demo: actor.simulated });
        plan.events
            .push((Audience::User(actor.id), Event::OfferClosed { interaction, outcome: OfferOutcome::Accepted }));
        plan.idle.push(actor.id);
        plan.accepted.push(actor.id);
        Ok(())
    }

    /// Puts an offered interaction back in its queue, keeping its place and age.
    pub(super) fn plan_return_to_queue(&mut self, interaction: InteractionId, outcome: OfferOutcome, plan: &mut Plan) {
        let Some(found) = self.interactions.get(&interaction) else { return };
        let Some(agent) = found.state.agent() else { return };
        let mut waiting = found.clone();
        waiting.state = InteractionState::Waiting;
        if let Some(thread) = self.threads.get(&waiting.thread) {
            let mut thread = thread.clone();
            thread.status = ThreadStatus::Waiting;
            thread.assignee = None;
            plan.changes.push(Change::Thread { thread, demo: false });
        }
        plan.changes.push(Change::Interaction { interaction: waiting, demo: false });
        plan.events.push((Audience::User(agent), Event::OfferClosed { interaction, outcome }));
        if matches!(outcome, OfferOutcome::Rejected | OfferOutcome::Expired) {
            plan.missed.push(agent);
        }
    }
}
