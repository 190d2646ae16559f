//! Carrying out what the demo generator's customers and colleagues do.
//! Colleagues go through the same command path as people; customers' actions
//! are planned here, as the web widget and channel webhooks will be.

use super::{Engine, Plan};
use crate::domain::{
    Author, Customer, CustomerId, Interaction, InteractionId, InteractionState, Message, MessageId, ThreadId,
    ThreadStatus, ThreadSummary, Timestamp,
};
use crate::sim::SimAction;
use crate::store::Change;

impl Engine {
    pub(super) fn run_sim(&mut self, now: Timestamp) {
        let Some(sim) = &mut self.sim else { return };
        let actions = sim.take_due(now);
        for action in actions {
            match action {
                SimAction::Colleague { agent, command } => {
                    if let Err(error) = self.execute(agent, &command) {
                        tracing::debug!(%error, "a simulated colleague's command was refused");
                    }
                }
                customer => {
                    let mut plan = Plan::default();
                    self.plan_customer(customer, now, &mut plan);
                    self.state.collect_routing(&mut plan, now);
                    if let Err(error) = self.commit(plan, now) {
                        tracing::warn!(%error, "simulated customer traffic could not be saved");
                    }
                }
            }
        }
    }

    pub(super) fn plan_customer(&mut self, action: SimAction, now: Timestamp, plan: &mut Plan) {
        let state = &mut self.state;
        match action {
            SimAction::NewContact { customer_name, language, channel, category, subject, body } => {
                let Some(queue) = state.queue_for(channel, language).map(|q| q.id) else {
                    tracing::warn!(channel = channel.key(), "no queue takes this channel; contact dropped");
                    return;
                };
                let customer = Customer { id: CustomerId(state.take_customer_id()), name: customer_name, language };
                let thread = ThreadSummary {
                    id: ThreadId(state.take_thread_id()),
                    customer: customer.id,
                    customer_name: customer.name.clone(),
                    channel,
                    subject: subject.unwrap_or_else(|| super::preview(&body)),
                    preview: super::preview(&body),
                    language,
                    category: state.categories.iter().find(|c| c.key == category).map(|c| c.id),
                    queue: Some(queue),
                    status: ThreadStatus::Waiting,
                    assignee: None,
                    unread: 1,
                    customer_closed: false,
                    created_at: now,
                    updated_at: now,
                };
                let message = Message {
                    id: MessageId(state.take_message_id()),
                    thread: thread.id,
                    author: Author::Customer,
                    body,
                    at: now,
                };
                let priority = state.queue_profiles.get(&queue).map_or(0, |p| p.priority);
                let interaction = Interaction {
                    id: InteractionId(state.take_interaction_id()),
                    thread: thread.id,
                    queue,
                    priority,
                    state: InteractionState::Waiting,
                    created_at: now,
                    queued_at: now,
                    answered_at: None,
                    skills: 0,
                    language,
                    direct: None,
                };
                let item = super::distribution::new_item(&interaction, false);
                plan.changes.push(Change::NewCustomer { customer, demo: true });
                plan.changes.push(Change::Thread { thread, demo: true });
                plan.changes.push(Change::NewMessage { message, demo: true });
                plan.changes.push(Change::Interaction { interaction, demo: true });
                if let Err(error) = state.router.arrive(&item, now) {
                    // The queue turns work away (join-empty); the contact is kept, unrouted.
                    tracing::info!(%error, "new contact not queued");
                }
            }
            SimAction::CustomerMessage { thread, body } => {
                let Some(summary) = state.threads.get(&thread).filter(|t| !t.status.is_closed() && !t.customer_closed)
                else {
                    return;
                };
                let mut updated = summary.clone();
                updated.preview = super::preview(&body);
                updated.updated_at = now;
                updated.unread += 1;
                let message =
                    Message { id: MessageId(state.take_message_id()), thread, author: Author::Customer, body, at: now };
                plan.changes.push(Change::NewMessage { message, demo: true });
                plan.changes.push(Change::Thread { thread: updated, demo: true });
                if let Some(interaction) = state.interaction_of(thread).map(|i| i.id) {
                    // Ends a defer-until-reply, answers smart close, counts as activity.
                    let _ = state.router.message(interaction, true, now);
                }
            }
            SimAction::CustomerCloses { thread } => {
                let Some(summary) = state.threads.get(&thread).filter(|t| !t.status.is_closed() && !t.customer_closed)
                else {
                    return;
                };
                let mut updated = summary.clone();
                updated.customer_closed = true;
                updated.updated_at = now;
                let body = "The customer closed the conversation.".to_owned();
                updated.preview.clone_from(&body);
                if let Some(interaction) = state.interaction_of(thread).map(|i| i.id) {
                    // Waiting or offered work is abandoned; held work is flagged for its agent (C9).
                    let _ = state.router.customer_left(interaction, now);
                } else if matches!(summary.status, ThreadStatus::Waiting | ThreadStatus::Offered) {
                    updated.status = ThreadStatus::Abandoned;
                }
                let message =
                    Message { id: MessageId(state.take_message_id()), thread, author: Author::System, body, at: now };
                plan.changes.push(Change::NewMessage { message, demo: true });
                plan.changes.push(Change::Thread { thread: updated, demo: true });
            }
            SimAction::Colleague { .. } => {}
        }
    }
}
