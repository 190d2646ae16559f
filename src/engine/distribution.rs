//! The engine's side of routing: building the distributor from the stored
//! workspace, and turning what it decided into changes for the store and
//! events for users.
//!
//! The distributor runs first and the store commits after; if the commit
//! fails, the distributor is rebuilt from the state the engine last committed,
//! so memory never runs ahead of the database.

use super::Plan;
use super::hub::Audience;
use super::state::State;
use crate::domain::{
    AgentStatus, Author, Category, Interaction, InteractionId, InteractionState, Language, Message, MessageId, Offer,
    Queue, QueueId, QueueMembership, ThreadStatus, ThreadSummary, Timestamp, User, UserId,
};
use crate::protocol::{Event, OfferOutcome};
use crate::routing::events::{RoutingEvent, Stamped};
use crate::routing::{
    AgentConfig, Capacity, ItemState, LanguageSet, MaxWait, Membership, NewItem, Notice, OfferEnd, OverflowStep,
    QueueConfig, QueueStatus, Requirement, Router, Settings, SkillSet, Slot, SmartClose, Strategy, WrapUp,
};
use crate::store::Change;
use serde::{Deserialize, Serialize};

/// A queue's routing rules beyond what every queue stores (JSON in the queue's row).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueProfile {
    /// How the agent is chosen.
    pub strategy: Strategy,
    /// Priority of new work.
    pub priority: i32,
    /// Category keys every item needs as skills.
    pub skills: Vec<String>,
    /// Lowest skill level accepted before overflow.
    pub min_level: u8,
    /// Abandons faster than this do not count against the service level.
    pub short_abandon_secs: u32,
    /// Quiet seconds before the inactivity prompt (0 = never).
    pub inactivity_secs: u32,
    /// Wrap-up after each item.
    pub wrap_up: WrapUp,
    /// Highest membership priority eligible before overflow.
    pub member_priority: u8,
    /// Overflow steps.
    pub steps: Vec<OverflowStep>,
    /// Maximum wait.
    pub max_wait: MaxWait,
    /// Whether work joins while nobody is logged in.
    pub join_empty: bool,
    /// Whether waiting work leaves when the last member logs out.
    pub leave_empty: bool,
    /// Whether it is a campaign of calls to make.
    pub campaign: bool,
    /// Smart close on completion (C7), if on.
    pub smart_close: Option<SmartClose>,
}

impl Default for QueueProfile {
    fn default() -> Self {
        Self {
            strategy: Strategy::LongestIdle,
            priority: 0,
            skills: Vec::new(),
            min_level: 1,
            short_abandon_secs: 5,
            inactivity_secs: 0,
            wrap_up: WrapUp::None,
            member_priority: 99,
            steps: Vec::new(),
            max_wait: MaxWait::None,
            join_empty: true,
            leave_empty: false,
            campaign: false,
            smart_close: None,
        }
    }
}

/// An agent's routing profile (JSON in the user's row).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AgentProfile {
    /// Skills as category keys with a level from 1 to 5.
    pub skills: Vec<(String, u8)>,
    /// Capacity per slot (voice, messaging, email); `None` for the usual 1/3/2.
    pub capacity: Option<[Capacity; 3]>,
    /// Whether a call blocks new digital work; `None` for yes.
    pub no_digital_during_call: Option<bool>,
    /// Wrap-up that overrides every queue's.
    pub wrap_up: Option<WrapUp>,
}

/// Parses a stored profile; a damaged one falls back to the defaults, loudly.
pub fn parse_profile<T: Default + for<'de> Deserialize<'de>>(json: &str, whose: &str) -> T {
    serde_json::from_str(json).unwrap_or_else(|error| {
        tracing::error!(%error, whose, "routing profile unreadable; defaults used");
        T::default()
    })
}

/// The distributor's index for a language.
#[must_use]
pub fn language_index(language: Language) -> u8 {
    match language {
        Language::En => 0,
        Language::Fr => 1,
    }
}

fn language_of(index: u8) -> Language {
    if index == 1 { Language::Fr } else { Language::En }
}

/// Categories double as skills: the n-th category is skill n.
fn skill_index(categories: &[Category], key: &str) -> Option<u8> {
    categories.iter().position(|c| c.key == key).and_then(|p| u8::try_from(p).ok()).filter(|&p| p < 64)
}

/// A domain status as a queue status.
#[must_use]
pub fn queue_status(status: &AgentStatus) -> QueueStatus {
    match status {
        AgentStatus::Ready => QueueStatus::Ready,
        AgentStatus::Paused { reason } => QueueStatus::Paused(reason.clone()),
        AgentStatus::LoggedOut => QueueStatus::LoggedOut,
    }
}

fn agent_status(status: &QueueStatus) -> AgentStatus {
    match status {
        QueueStatus::Ready => AgentStatus::Ready,
        QueueStatus::Paused(reason) => AgentStatus::Paused { reason: reason.clone() },
        QueueStatus::LoggedOut => AgentStatus::LoggedOut,
    }
}

/// The one status shown for an agent: ready if ready anywhere, else paused if logged in anywhere.
fn summary(statuses: impl IntoIterator<Item = AgentStatus>) -> AgentStatus {
    let mut best = AgentStatus::LoggedOut;
    for status in statuses {
        match status {
            AgentStatus::Ready => return AgentStatus::Ready,
            paused @ AgentStatus::Paused { .. } if best == AgentStatus::LoggedOut => best = paused,
            _ => {}
        }
    }
    best
}

fn queue_config(queue: &Queue, profile: &QueueProfile, categories: &[Category]) -> QueueConfig {
    let mut config = QueueConfig::new(queue.id, queue.name.clone(), Slot::from(queue.kind));
    config.campaign = profile.campaign;
    config.skills = profile
        .skills
        .iter()
        .filter_map(|k| skill_index(categories, k))
        .fold(SkillSet::EMPTY, |set, s| set.with(SkillSet::of(s)));
    config.min_level = profile.min_level;
    config.priority = profile.priority;
    config.sla_percent = queue.sla_percent;
    config.sla_secs = queue.sla_secs;
    config.short_abandon_secs = profile.short_abandon_secs;
    config.acceptance_secs = queue.acceptance_limit_secs;
    config.inactivity_secs = profile.inactivity_secs;
    config.wrap_up = profile.wrap_up;
    config.strategy = profile.strategy;
    config.member_priority = profile.member_priority;
    config.steps.clone_from(&profile.steps);
    config.max_wait = profile.max_wait;
    config.join_empty = profile.join_empty;
    config.leave_empty = profile.leave_empty;
    config
}

fn agent_config(user: &User, profile: &AgentProfile, categories: &[Category]) -> AgentConfig {
    let languages: Vec<u8> = user.languages.iter().map(|&l| language_index(l)).collect();
    let mut config = AgentConfig::new(user.id, user.name.clone(), LanguageSet::of(&languages));
    config.team = user.team;
    config.skills =
        profile.skills.iter().filter_map(|(key, level)| skill_index(categories, key).map(|s| (s, *level))).collect();
    if let Some(capacity) = profile.capacity {
        config.capacity = capacity;
    }
    if let Some(block) = profile.no_digital_during_call {
        config.no_digital_during_call = block;
    }
    config.wrap_up = profile.wrap_up;
    config
}

/// What the distributor needs of an interaction to route it.
#[must_use]
pub fn new_item(interaction: &Interaction, callback: bool) -> NewItem {
    NewItem {
        id: interaction.id,
        queue: interaction.queue,
        requirement: Requirement {
            language: language_index(interaction.language),
            skills: SkillSet(interaction.skills),
        },
        priority: Some(interaction.priority),
        created_at: interaction.created_at,
        callback,
    }
}

impl State {
    /// Builds the distributor from the committed state: queues, agents, their
    /// statuses per queue, and the open work (offers are withdrawn: nobody is
    /// looking at them any more).
    pub fn build_router(&mut self, now: Timestamp) {
        let mut router = Router::new(Settings::default());
        // Rebuilding restores what was committed; routing resumes at the next step.
        router.hold_settling(true);
        router.set_names(vec!["en".into(), "fr".into()], self.categories.iter().map(|c| c.name.clone()).collect());
        for queue in self.queues.values() {
            let profile = self.queue_profiles.get(&queue.id).cloned().unwrap_or_default();
            router.upsert_queue(queue_config(queue, &profile, &self.categories), now);
        }
        for user in self.users.values() {
            let profile = self.agent_profiles.get(&user.id).cloned().unwrap_or_default();
            router.upsert_agent(agent_config(user, &profile, &self.categories), now);
        }
        for m in self.memberships.values() {
            let membership = Membership { priority: m.priority.clamp(1, 99), delay_secs: m.delay_secs };
            let _ = router.add_member(m.agent, m.queue, membership, now);
            if m.status != AgentStatus::LoggedOut {
                let _ = router.set_status(m.agent, Some(m.queue), &queue_status(&m.status), now);
            }
            if !m.access {
                let _ = router.remove_member(m.agent, m.queue, now);
            }
        }
        let mut open: Vec<&Interaction> = self.interactions.values().collect();
        open.sort_by_key(|i| (i.created_at, i.id));
        for interaction in open {
            let item = new_item(interaction, false);
            let restored = match interaction.state {
                InteractionState::Waiting | InteractionState::Offered { .. } => {
                    router.restore_waiting(&item, interaction.queued_at, interaction.direct, now)
                }
                InteractionState::Assigned { agent } => router.restore_held(
                    &item,
                    ItemState::Assigned { agent },
                    interaction.answered_at.unwrap_or(interaction.queued_at),
                    now,
                ),
                InteractionState::Deferred { agent, until } => router.restore_held(
                    &item,
                    ItemState::Deferred {
                        agent,
                        until: until.map_or(crate::domain::DeferUntil::NextReply, crate::domain::DeferUntil::Time),
                    },
                    interaction.answered_at.unwrap_or(interaction.queued_at),
                    now,
                ),
                InteractionState::Completed => Ok(()),
            };
            if let Err(error) = restored {
                tracing::error!(%error, interaction = interaction.id.0, "open work could not be restored to routing");
            }
        }
        // What the rebuild itself reports is already in the store.
        drop(router.drain());
        router.hold_settling(false);
        self.router = router;
    }

    /// Turns what the distributor did into changes and events in `plan`.
    pub fn collect_routing(&mut self, plan: &mut Plan, now: Timestamp) {
        let out = self.router.drain();
        for id in out.items {
            self.plan_item(id, plan, now);
        }
        for agent in out.agents {
            self.plan_agent(agent, plan, now);
        }
        for notice in out.notices {
            self.plan_notice(notice, plan, now);
        }
        for stamped in out.events {
            let (kind, item, agent, queue) = describe_event(&stamped.event);
            match serde_json::to_string(&stamped) {
                Ok(json) => plan.changes.push(Change::RoutingEvent { at: stamped.at, kind, item, agent, queue, json }),
                Err(error) => tracing::error!(%error, "a routing fact could not be encoded"),
            }
            plan.routing_events.push(stamped);
        }
    }

    /// The latest planned or committed version of an interaction.
    fn current_interaction(&self, id: InteractionId, plan: &Plan) -> Option<Interaction> {
        plan.changes
            .iter()
            .rev()
            .find_map(|c| match c {
                Change::Interaction { interaction, .. } if interaction.id == id => Some(interaction.clone()),
                _ => None,
            })
            .or_else(|| self.interactions.get(&id).cloned())
    }

    /// The latest planned or committed version of a thread.
    pub fn current_thread(&self, id: crate::domain::ThreadId, plan: &Plan) -> Option<ThreadSummary> {
        plan.changes
            .iter()
            .rev()
            .find_map(|c| match c {
                Change::Thread { thread, .. } if thread.id == id => Some(thread.clone()),
                _ => None,
            })
            .or_else(|| self.threads.get(&id).cloned())
    }

    pub(super) fn plan_item(&mut self, id: InteractionId, plan: &mut Plan, now: Timestamp) {
        let Some(view) = self.router.item(id) else { return };
        let Some(mut interaction) = self.current_interaction(id, plan) else { return };
        let (state, status, assignee) = match &view.state {
            ItemState::Waiting => (InteractionState::Waiting, ThreadStatus::Waiting, None),
            ItemState::Offered { agents, expires_at } => (
                agents.first().map_or(InteractionState::Waiting, |&agent| InteractionState::Offered {
                    agent,
                    expires_at: *expires_at,
                }),
                ThreadStatus::Offered,
                None,
            ),
            ItemState::Assigned { agent } | ItemState::Closing { agent, .. } => {
                (InteractionState::Assigned { agent: *agent }, ThreadStatus::Assigned, Some(*agent))
            }
            ItemState::Deferred { agent, until } => {
                let until = match until {
                    crate::domain::DeferUntil::Time(t) => Some(*t),
                    crate::domain::DeferUntil::NextReply => None,
                };
                (InteractionState::Deferred { agent: *agent, until }, ThreadStatus::Deferred, Some(*agent))
            }
            ItemState::Completed => (InteractionState::Completed, ThreadStatus::Completed, None),
            ItemState::Left(_) => (InteractionState::Completed, ThreadStatus::Abandoned, None),
        };
        interaction.state = state;
        interaction.queue = view.queue;
        interaction.direct = view.direct;
        interaction.priority = view.priority;
        interaction.queued_at = view.queued_at;
        interaction.answered_at = view.answered_at;
        interaction.skills = view.requirement.skills.0;
        interaction.language = language_of(view.requirement.language);
        let thread_id = interaction.thread;
        plan.changes.push(Change::Interaction { interaction, demo: false });
        if matches!(view.state, ItemState::Completed | ItemState::Left(_)) {
            plan.finished.push(id);
        }
        if let Some(mut thread) = self.current_thread(thread_id, plan) {
            let assignee_changed = thread.assignee != assignee;
            if thread.status != status || assignee_changed || thread.queue != Some(view.queue) {
                thread.status = status;
                thread.assignee = assignee;
                thread.queue = Some(view.queue);
                if status.is_closed() {
                    thread.unread = 0;
                }
                thread.updated_at = thread.updated_at.max(now);
                plan.changes.push(Change::Thread { thread, demo: false });
            }
        }
    }

    fn plan_agent(&mut self, agent: UserId, plan: &mut Plan, now: Timestamp) {
        let Some(view) = self.router.agent_view(agent) else { return };
        for (queue, status) in &view.queues {
            let status = agent_status(status);
            let key = (agent, *queue);
            match self.memberships.get(&key) {
                Some(m) if m.status == status => {}
                Some(m) => {
                    plan.changes.push(Change::Membership(QueueMembership { status, ..m.clone() }));
                }
                None => {}
            }
        }
        // Memberships the distributor dropped (access removed, then logged out: H3).
        let dropped: Vec<QueueId> = self
            .memberships
            .keys()
            .filter(|(a, q)| *a == agent && !view.queues.iter().any(|(vq, _)| vq == q))
            .map(|(_, q)| *q)
            .collect();
        for queue in dropped {
            plan.changes.push(Change::MembershipRemoved { agent, queue });
        }
        if view.queues.is_empty() {
            return;
        }
        let status = summary(view.queues.iter().map(|(_, s)| agent_status(s)));
        let planned = plan.changes.iter().rev().find_map(|c| match c {
            Change::UserStatus { user, status, .. } if *user == agent => Some(status.clone()),
            _ => None,
        });
        let current = planned.or_else(|| self.users.get(&agent).map(|u| u.status.clone()));
        if current.as_ref() != Some(&status) {
            plan.changes.push(Change::UserStatus { user: agent, status, since: now });
        }
    }

    fn plan_notice(&mut self, notice: Notice, plan: &mut Plan, now: Timestamp) {
        match notice {
            Notice::Offered { item, agents, expires_at, reason } => {
                let Some(interaction) = self.current_interaction(item, plan) else { return };
                let Some(thread) = self.current_thread(interaction.thread, plan) else { return };
                let text = self.router.explain(&reason).describe();
                self.offer_reasons.insert(item, text.clone());
                for agent in agents {
                    let offer = Offer {
                        interaction: item,
                        thread: thread.id,
                        agent,
                        queue: interaction.queue,
                        channel: thread.channel,
                        customer_name: thread.customer_name.clone(),
                        preview: thread.preview.clone(),
                        offered_at: now,
                        expires_at,
                        reason: text.clone(),
                    };
                    plan.events.push((Audience::User(agent), Event::OfferMade(offer)));
                }
            }
            Notice::OfferClosed { item, agent, end } => {
                let outcome = match end {
                    OfferEnd::Accepted => OfferOutcome::Accepted,
                    OfferEnd::Rejected => OfferOutcome::Rejected,
                    OfferEnd::Expired | OfferEnd::Busy => OfferOutcome::Expired,
                    OfferEnd::Withdrawn => OfferOutcome::Withdrawn,
                };
                plan.events.push((Audience::User(agent), Event::OfferClosed { interaction: item, outcome }));
            }
            Notice::AutoPaused { agent } => {
                plan.changes.push(super::commands::audit(
                    now,
                    None,
                    "status.set",
                    format!("user:{}", agent.0),
                    format!(
                        "paused: {} after {} missed offers",
                        crate::domain::MISSED_OFFERS_REASON,
                        self.router.settings().misses_before_pause
                    ),
                ));
            }
            Notice::Inactive { item, agent } => {
                if let Some(interaction) = self.current_interaction(item, plan) {
                    plan.events.push((Audience::User(agent), Event::Inactive { thread: interaction.thread }));
                }
            }
            Notice::AskToClose { item } => {
                let Some(interaction) = self.current_interaction(item, plan) else { return };
                let body = match interaction.language {
                    Language::En => "Is there anything else I can help you with? (Yes / No)",
                    Language::Fr => "Puis-je vous aider pour autre chose ? (Oui / Non)",
                };
                let message = Message {
                    id: MessageId(self.take_message_id()),
                    thread: interaction.thread,
                    author: Author::System,
                    body: body.to_owned(),
                    at: now,
                };
                plan.changes.push(Change::NewMessage { message, demo: false });
            }
            Notice::DeferReturned { item, agent } => {
                if let Some(interaction) = self.current_interaction(item, plan) {
                    plan.events.push((Audience::User(agent), Event::DeferReturned { thread: interaction.thread }));
                }
            }
            Notice::CustomerClosed { .. } => {}
            Notice::WrapUp { agent, until } => {
                plan.events.push((Audience::All, Event::WrapUpChanged { agent, until }));
            }
        }
    }
}

/// A routing fact's kind and the ids it concerns, for the stored log's columns.
fn describe_event(event: &RoutingEvent) -> (&'static str, Option<InteractionId>, Option<UserId>, Option<QueueId>) {
    match event {
        RoutingEvent::Queued { item, queue, .. } => ("queued", Some(*item), None, Some(*queue)),
        RoutingEvent::Offered { item, queue, agent } => ("offered", Some(*item), Some(*agent), Some(*queue)),
        RoutingEvent::Missed { item, queue, agent, .. } => ("missed", Some(*item), Some(*agent), Some(*queue)),
        RoutingEvent::Answered { item, queue, agent } => ("answered", Some(*item), Some(*agent), Some(*queue)),
        RoutingEvent::Left { item, queue, .. } => ("left", Some(*item), None, Some(*queue)),
        RoutingEvent::FirstResponse { item } => ("first_response", Some(*item), None, None),
        RoutingEvent::HoldStarted { item } => ("hold_started", Some(*item), None, None),
        RoutingEvent::HoldEnded { item } => ("hold_ended", Some(*item), None, None),
        RoutingEvent::Completed { item, queue, agent } => ("completed", Some(*item), Some(*agent), Some(*queue)),
        RoutingEvent::WrapUpEnded { item, agent } => ("wrap_up_ended", Some(*item), Some(*agent), None),
        RoutingEvent::Activity { agent, .. } => ("activity", None, Some(*agent), None),
    }
}

/// Decodes stored routing facts, skipping (and reporting) any that cannot be read.
#[must_use]
pub fn decode_events(rows: &[String]) -> Vec<Stamped> {
    rows.iter()
        .filter_map(|json| match serde_json::from_str(json) {
            Ok(stamped) => Some(stamped),
            Err(error) => {
                tracing::warn!(%error, "a stored routing fact could not be read");
                None
            }
        })
        .collect()
}
