//! The engine's in-memory view of the workspace. It changes only by applying
//! `Change`s that the store has already committed.

use super::distribution::{AgentProfile, QueueProfile, parse_profile};
use super::hub::Audience;
use crate::domain::{
    Campaign, Category, Channel, Directory, Interaction, InteractionId, InteractionState, Offer, PauseReason,
    PhoneCall, Queue, QueueId, QueueMembership, Team, ThreadId, ThreadSummary, Timestamp, User, UserId,
};
use crate::protocol::{DemoState, Event, Snapshot};
use crate::routing::Router;
use crate::routing::kpi::Ledger;
use crate::store::{Change, RECENT_CALLS, Workspace};
use std::collections::{BTreeMap, HashMap, HashSet};

/// The workspace as the engine holds it.
pub struct State {
    pub users: BTreeMap<UserId, User>,
    pub teams: Vec<Team>,
    pub queues: BTreeMap<QueueId, Queue>,
    pub campaigns: Vec<Campaign>,
    pub categories: Vec<Category>,
    pub pause_reasons: Vec<PauseReason>,
    pub threads: HashMap<ThreadId, ThreadSummary>,
    pub interactions: BTreeMap<InteractionId, Interaction>,
    /// The open interaction of each thread.
    pub interaction_of_thread: HashMap<ThreadId, InteractionId>,
    /// Every agent's status and rules per queue, as committed.
    pub memberships: BTreeMap<(UserId, QueueId), QueueMembership>,
    pub queue_profiles: HashMap<QueueId, QueueProfile>,
    pub agent_profiles: HashMap<UserId, AgentProfile>,
    /// The distributor; see `distribution` for how it stays in step with the store.
    pub router: Router,
    /// Today's routing facts, folded for the KPIs.
    pub ledger: Ledger,
    pub offer_reasons: HashMap<InteractionId, String>,
    pruner: crate::domain::ClosedThreadPruner,
    /// Interactions whose first agent reply was logged (first-response figures).
    pub first_replies: HashSet<InteractionId>,
    pub demo: Option<DemoState>,
    /// Recent phone calls of every agent, newest first.
    pub calls: std::collections::VecDeque<PhoneCall>,
    next_customer: i64,
    next_thread: i64,
    next_message: i64,
    next_interaction: i64,
}

/// The setting that remembers whether the demo generator is paused.
pub const DEMO_PAUSED_SETTING: &str = "demo.paused";

/// Closed threads kept in memory; older ones are read from the store.
const KEEP_CLOSED_THREADS: usize = 2000;
/// How far past that the memory may grow before it is pruned.
const PRUNE_BATCH: usize = 500;

/// Threads listed in a snapshot at most (all open ones are listed first).
const SNAPSHOT_THREADS: usize = 2000;
/// A user's phone calls listed in a snapshot at most.
const SNAPSHOT_CALLS: usize = 200;

impl State {
    /// Builds the state from what the store loaded.
    #[must_use]
    pub fn new(workspace: Workspace, now: Timestamp, demo: Option<DemoState>) -> Self {
        let Workspace { directory, threads, interactions, memberships, queue_routing, agent_routing, max_ids, calls } =
            workspace;
        let interaction_of_thread = interactions.iter().map(|i| (i.thread, i.id)).collect();
        let queue_profiles =
            queue_routing.iter().map(|(q, json)| (*q, parse_profile(json, &format!("queue {}", q.0)))).collect();
        let agent_profiles =
            agent_routing.iter().map(|(u, json)| (*u, parse_profile(json, &format!("user {}", u.0)))).collect();
        let mut state = Self {
            users: directory.users.into_iter().map(|u| (u.id, u)).collect(),
            teams: directory.teams,
            queues: directory.queues.into_iter().map(|q| (q.id, q)).collect(),
            campaigns: directory.campaigns,
            categories: directory.categories,
            pause_reasons: directory.pause_reasons,
            threads: threads.into_iter().map(|t| (t.id, t)).collect(),
            interactions: interactions.into_iter().map(|i| (i.id, i)).collect(),
            interaction_of_thread,
            memberships: memberships.into_iter().map(|m| ((m.agent, m.queue), m)).collect(),
            queue_profiles,
            agent_profiles,
            router: Router::new(crate::routing::Settings::default()),
            ledger: Ledger::new(),
            offer_reasons: HashMap::new(),
            first_replies: HashSet::new(),
            pruner: crate::domain::ClosedThreadPruner::default(),
            demo,
            calls: calls.into(),
            next_customer: max_ids.customer + 1,
            next_thread: max_ids.thread + 1,
            next_message: max_ids.message + 1,
            next_interaction: max_ids.interaction + 1,
        };
        state.build_router(now);
        state
    }

    /// Ids for new rows. They are taken before the store commits; a failed
    /// commit only leaves a gap.
    pub fn take_customer_id(&mut self) -> i64 {
        take(&mut self.next_customer)
    }

    /// See [`State::take_customer_id`].
    pub fn take_thread_id(&mut self) -> i64 {
        take(&mut self.next_thread)
    }

    /// See [`State::take_customer_id`].
    pub fn take_message_id(&mut self) -> i64 {
        take(&mut self.next_message)
    }

    /// The id of the newest interaction, if any was created.
    #[must_use]
    pub fn newest_interaction_id(&self) -> Option<InteractionId> {
        (self.next_interaction > 1).then(|| InteractionId(self.next_interaction - 1))
    }

    /// See [`State::take_customer_id`].
    pub fn take_interaction_id(&mut self) -> i64 {
        take(&mut self.next_interaction)
    }

    /// Applies a committed change and returns the events it causes.
    pub fn apply(&mut self, change: &Change, events: &mut Vec<(Audience, Event)>) {
        match change {
            Change::UserStatus { user, status, since } => {
                if let Some(u) = self.users.get_mut(user) {
                    u.status = status.clone();
                    u.status_since = *since;
                    events.push((
                        Audience::All,
                        Event::StatusChanged { user: *user, status: status.clone(), since: *since },
                    ));
                }
            }
            Change::Thread { thread, .. } => {
                self.threads.insert(thread.id, thread.clone());
                // Pruning in batches keeps its cost off most changes.
                if thread.status.is_closed() {
                    self.pruner.closed(&mut self.threads, KEEP_CLOSED_THREADS, PRUNE_BATCH);
                }
                events.push((Audience::All, Event::ThreadUpdated(thread.clone())));
            }
            Change::NewMessage { message, .. } => {
                events.push((Audience::All, Event::MessageAdded(message.clone())));
            }
            Change::Interaction { interaction, .. } => {
                if interaction.state == InteractionState::Completed {
                    self.interaction_of_thread.remove(&interaction.thread);
                    self.interactions.remove(&interaction.id);
                    self.offer_reasons.remove(&interaction.id);
                } else {
                    self.interaction_of_thread.insert(interaction.thread, interaction.id);
                    self.interactions.insert(interaction.id, interaction.clone());
                }
            }
            Change::PhoneCall(call) => {
                self.calls.push_front(call.clone());
                self.calls.truncate(RECENT_CALLS);
                events.push((Audience::User(call.agent), Event::CallRecorded(call.clone())));
            }
            Change::Setting { key, value } => {
                if key == DEMO_PAUSED_SETTING
                    && let Some(demo) = &mut self.demo
                {
                    demo.paused = value == "true";
                    events.push((Audience::All, Event::DemoChanged(*demo)));
                }
            }
            Change::Membership(m) => {
                self.memberships.insert((m.agent, m.queue), m.clone());
                events.push((
                    Audience::All,
                    Event::QueueStatusChanged { agent: m.agent, queue: m.queue, status: m.status.clone() },
                ));
            }
            Change::MembershipRemoved { agent, queue } => {
                self.memberships.remove(&(*agent, *queue));
                if let Some(q) = self.queues.get_mut(queue) {
                    q.members.retain(|m| m != agent);
                }
            }
            Change::NewCustomer { .. }
            | Change::Audit { .. }
            | Change::Disposition { .. }
            | Change::RoutingEvent { .. } => {}
        }
    }

    /// The offer an interaction in the Offered state makes to `agent`.
    #[must_use]
    pub fn offer_for(&self, interaction: &Interaction, agent: UserId) -> Option<Offer> {
        let InteractionState::Offered { expires_at, .. } = interaction.state else {
            return None;
        };
        let thread = self.threads.get(&interaction.thread)?;
        let limit = self.queues.get(&interaction.queue).map_or(30, |q| i64::from(q.acceptance_limit_secs));
        Some(Offer {
            interaction: interaction.id,
            thread: interaction.thread,
            agent,
            queue: interaction.queue,
            channel: thread.channel,
            customer_name: thread.customer_name.clone(),
            preview: thread.preview.clone(),
            offered_at: expires_at.plus_secs(-limit),
            expires_at,
            reason: self.offer_reasons.get(&interaction.id).cloned().unwrap_or_default(),
        })
    }

    /// The open interaction of a thread.
    #[must_use]
    pub fn interaction_of(&self, thread: ThreadId) -> Option<&Interaction> {
        self.interaction_of_thread.get(&thread).and_then(|id| self.interactions.get(id))
    }

    /// Everything `me` needs to draw, as one event.
    #[must_use]
    pub fn snapshot(&self, me: UserId, now: Timestamp, epoch: u64) -> Snapshot {
        let mut threads: Vec<ThreadSummary> = self.threads.values().cloned().collect();
        threads.sort_by_key(|t| (t.status.is_closed(), std::cmp::Reverse(t.updated_at), t.id));
        threads.truncate(SNAPSHOT_THREADS);
        let offers = self
            .interactions
            .values()
            .filter(|i| i.state.agent() == Some(me))
            .filter_map(|i| self.offer_for(i, me))
            .collect();
        Snapshot {
            me,
            directory: Directory {
                users: self.users.values().cloned().collect(),
                teams: self.teams.clone(),
                queues: self.queues.values().cloned().collect(),
                campaigns: self.campaigns.clone(),
                categories: self.categories.clone(),
                pause_reasons: self.pause_reasons.clone(),
            },
            memberships: self.memberships.values().cloned().collect(),
            threads,
            offers,
            demo: self.demo,
            now,
            epoch,
            calls: self.calls.iter().filter(|c| c.agent == me).take(SNAPSHOT_CALLS).cloned().collect(),
        }
    }

    /// The queue that takes new work of this channel and language: web chat
    /// goes to the queue of its language, other messaging to a bilingual queue.
    #[must_use]
    pub fn queue_for(&self, channel: Channel, language: crate::domain::Language) -> Option<&Queue> {
        let kind = channel.queue_kind();
        let of_kind = || self.queues.values().filter(move |q| q.kind == kind);
        let by_language = || of_kind().find(|q| q.language == Some(language));
        let bilingual = || of_kind().find(|q| q.language.is_none());
        if channel == Channel::WebChat { by_language().or_else(bilingual) } else { bilingual().or_else(by_language) }
    }
}

fn take(counter: &mut i64) -> i64 {
    let id = *counter;
    *counter += 1;
    id
}
