//! The engine's in-memory view of the workspace. It changes only by applying
//! `Change`s that the store has already committed.

use super::hub::Audience;
use crate::domain::{
    AgentStatus, Campaign, Category, Channel, Directory, Interaction, InteractionId, InteractionState, Offer,
    PauseReason, Queue, QueueId, QueueKind, Team, ThreadId, ThreadSummary, Timestamp, User, UserId,
};
use crate::protocol::{DemoState, Event, Snapshot};
use crate::routing::AgentView;
use crate::store::{Change, Workspace};
use std::collections::{BTreeMap, HashMap};

/// What the engine knows about an agent beyond the stored user.
#[derive(Debug, Clone, Copy)]
pub struct AgentRuntime {
    /// Since when the agent has had nothing new to do.
    pub idle_since: Timestamp,
    /// No offer before this time.
    pub cool_down_until: Timestamp,
    /// Offers missed in a row.
    pub consecutive_misses: u32,
}

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
    pub runtime: HashMap<UserId, AgentRuntime>,
    pub offer_reasons: HashMap<InteractionId, String>,
    pub demo: Option<DemoState>,
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

impl State {
    /// Builds the state from what the store loaded.
    #[must_use]
    pub fn new(workspace: Workspace, now: Timestamp, demo: Option<DemoState>) -> Self {
        let Workspace { directory, threads, interactions, max_ids } = workspace;
        let runtime = directory
            .users
            .iter()
            .map(|u| {
                let idle = AgentRuntime {
                    idle_since: u.status_since.min(now),
                    cool_down_until: Timestamp(0),
                    consecutive_misses: 0,
                };
                (u.id, idle)
            })
            .collect();
        let interaction_of_thread = interactions.iter().map(|i| (i.thread, i.id)).collect();
        Self {
            users: directory.users.into_iter().map(|u| (u.id, u)).collect(),
            teams: directory.teams,
            queues: directory.queues.into_iter().map(|q| (q.id, q)).collect(),
            campaigns: directory.campaigns,
            categories: directory.categories,
            pause_reasons: directory.pause_reasons,
            threads: threads.into_iter().map(|t| (t.id, t)).collect(),
            interactions: interactions.into_iter().map(|i| (i.id, i)).collect(),
            interaction_of_thread,
            runtime,
            offer_reasons: HashMap::new(),
            demo,
            next_customer: max_ids.customer + 1,
            next_thread: max_ids.thread + 1,
            next_message: max_ids.message + 1,
            next_interaction: max_ids.interaction + 1,
        }
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
                    if matches!(status, AgentStatus::Ready) {
                        let runtime = self.runtime(*user, *since);
                        runtime.consecutive_misses = 0;
                        if runtime.idle_since < *since && self.load(*user, None) == 0 {
                            self.runtime(*user, *since).idle_since = *since;
                        }
                    }
                    events.push((
                        Audience::All,
                        Event::StatusChanged { user: *user, status: status.clone(), since: *since },
                    ));
                }
            }
            Change::Thread { thread, .. } => {
                self.threads.insert(thread.id, thread.clone());
                // Pruning in batches keeps its cost off most changes.
                if thread.status.is_closed() && self.threads.len() > KEEP_CLOSED_THREADS + PRUNE_BATCH {
                    crate::domain::forget_old_closed_threads(&mut self.threads, KEEP_CLOSED_THREADS);
                }
                events.push((Audience::All, Event::ThreadUpdated(thread.clone())));
            }
            Change::NewMessage { message, .. } => {
                events.push((Audience::All, Event::MessageAdded(message.clone())));
            }
            Change::Interaction { interaction, .. } => {
                if let InteractionState::Offered { agent, .. } = interaction.state
                    && let Some(offer) = self.offer_for(interaction, agent)
                {
                    events.push((Audience::User(agent), Event::OfferMade(offer)));
                }
                if interaction.state == InteractionState::Completed {
                    self.interaction_of_thread.remove(&interaction.thread);
                    self.interactions.remove(&interaction.id);
                    self.offer_reasons.remove(&interaction.id);
                } else {
                    self.interaction_of_thread.insert(interaction.thread, interaction.id);
                    self.interactions.insert(interaction.id, interaction.clone());
                }
            }
            Change::Setting { key, value } => {
                if key == DEMO_PAUSED_SETTING
                    && let Some(demo) = &mut self.demo
                {
                    demo.paused = value == "true";
                    events.push((Audience::All, Event::DemoChanged(*demo)));
                }
            }
            Change::NewCustomer { .. } | Change::Audit { .. } => {}
        }
    }

    /// The runtime record of an agent, created on first use.
    pub fn runtime(&mut self, user: UserId, now: Timestamp) -> &mut AgentRuntime {
        self.runtime.entry(user).or_insert(AgentRuntime {
            idle_since: now,
            cool_down_until: Timestamp(0),
            consecutive_misses: 0,
        })
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

    /// How many interactions `user` holds or has on offer, of one kind or of all.
    #[must_use]
    pub fn load(&self, user: UserId, kind: Option<QueueKind>) -> u32 {
        self.interactions
            .values()
            .filter(|i| i.state.agent() == Some(user))
            .filter(|i| kind.is_none_or(|k| self.queues.get(&i.queue).is_some_and(|q| q.kind == k)))
            .count() as u32
    }

    /// The distributor's view of every agent, for one kind of queue, in one
    /// pass over the open interactions.
    #[must_use]
    pub fn agent_views(&self, kind: QueueKind, now: Timestamp) -> Vec<AgentView<'_>> {
        let mut load: HashMap<UserId, (u32, bool)> = HashMap::new();
        for interaction in self.interactions.values() {
            let Some(agent) = interaction.state.agent() else { continue };
            let entry = load.entry(agent).or_default();
            if self.queues.get(&interaction.queue).is_some_and(|q| q.kind == kind) {
                entry.0 += 1;
            }
            if matches!(interaction.state, InteractionState::Offered { .. }) {
                entry.1 = true;
            }
        }
        self.users
            .values()
            .map(|u| {
                let runtime = self.runtime.get(&u.id);
                let (load, has_open_offer) = load.get(&u.id).copied().unwrap_or_default();
                AgentView {
                    id: u.id,
                    name: &u.name,
                    status: &u.status,
                    languages: &u.languages,
                    idle_since: runtime.map_or(now, |r| r.idle_since),
                    load,
                    has_open_offer,
                    cool_down_until: runtime.map_or(Timestamp(0), |r| r.cool_down_until),
                }
            })
            .collect()
    }

    /// The open interaction of a thread.
    #[must_use]
    pub fn interaction_of(&self, thread: ThreadId) -> Option<&Interaction> {
        self.interaction_of_thread.get(&thread).and_then(|id| self.interactions.get(id))
    }

    /// The earliest offer expiry.
    #[must_use]
    pub fn next_offer_expiry(&self) -> Option<Timestamp> {
        self.interactions
            .values()
            .filter_map(|i| match i.state {
                InteractionState::Offered { expires_at, .. } => Some(expires_at),
                _ => None,
            })
            .min()
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
            threads,
            offers,
            demo: self.demo,
            now,
            epoch,
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
