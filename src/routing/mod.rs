//! The distributor: which waiting interaction goes to which agent, and the
//! figures that say how well it went.
//!
//! Pure and deterministic: no IO, no clock of its own (time is passed in), no
//! tokio, rusqlite or egui. [`Router`] holds queues, agents and work and
//! re-routes on every change; [`events`] is its log of facts and [`kpi`] the
//! formulas computed from that log. `docs/routing.md` states the rules.

pub mod events;
mod explain;
pub mod kpi;
mod model;
mod router;

pub use explain::{Blocker, OfferReason, Trigger, WaitReason};
pub use model::{
    AgentConfig, Capacity, DeferUntil, Disposition, ItemState, LanguageSet, MAX_SKILL_LEVEL, MaxWait, Membership,
    NewItem, OverflowStep, QueueConfig, QueueStatus, Requirement, RoutingError, Settings, SkillSet, Slot, SmartClose,
    StepAction, Strategy, TransferRecord, TransferTarget, WrapUp,
};
pub use router::{AgentView as AgentState, ItemView, Notice, OfferEnd, Outbox, Router};


use crate::domain::{AgentStatus, Interaction, Language, Queue, QueueKind, Timestamp, UserId};
use std::cmp::Reverse;

/// How many interactions of a kind an agent holds at once.
#[must_use]
pub fn capacity(kind: QueueKind) -> u32 {
    match kind {
        QueueKind::Voice => 1,
        QueueKind::Messaging => 3,
        QueueKind::Email => 2,
    }
}

/// Consecutive missed offers after which an agent is paused.
pub const MISSES_BEFORE_AUTO_PAUSE: u32 = 3;

pub use crate::domain::MISSED_OFFERS_REASON;

/// Seconds an agent is left alone after declining or missing an offer.
pub const MISS_COOL_DOWN_SECS: i64 = 10;

/// What the distributor needs to know about an agent.
#[derive(Debug, Clone)]
pub struct AgentView<'a> {
    /// The agent.
    pub id: UserId,
    /// Display name, for explanations.
    pub name: &'a str,
    /// Status.
    pub status: &'a AgentStatus,
    /// Working languages.
    pub languages: &'a [Language],
    /// Since when the agent has had nothing new.
    pub idle_since: Timestamp,
    /// Interactions held or offered, in the queue's kind.
    pub load: u32,
    /// Whether an offer is already waiting for this agent's answer.
    pub has_open_offer: bool,
    /// No offer before this time.
    pub cool_down_until: Timestamp,
}

/// The distributor's choice, with its reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The agent chosen.
    pub agent: UserId,
    /// Why this agent.
    pub reason: String,
}

/// Whether `agent` may be offered work from `queue` in `language` now.
#[must_use]
pub fn is_eligible(agent: &AgentView<'_>, queue: &Queue, language: Language, now: Timestamp) -> bool {
    matches!(agent.status, AgentStatus::Ready)
        && !agent.has_open_offer
        && agent.load < capacity(queue.kind)
        && agent.cool_down_until <= now
        && agent.languages.contains(&language)
        && queue.members.contains(&agent.id)
}

/// Picks the longest-idle eligible agent for work waiting in `queue`.
#[must_use]
pub fn choose_agent<'a>(
    queue: &Queue,
    language: Language,
    agents: impl IntoIterator<Item = AgentView<'a>>,
    now: Timestamp,
) -> Option<Choice> {
    let eligible: Vec<AgentView<'a>> = agents.into_iter().filter(|a| is_eligible(a, queue, language, now)).collect();
    let best = eligible.iter().min_by_key(|a| (a.idle_since, a.id))?;
    let idle_secs = now.millis_since(best.idle_since) / 1000;
    Some(Choice {
        agent: best.id,
        reason: format!(
            "{}: longest idle ({}) of {} eligible agent{} in {}, speaks {}",
            best.name,
            human_duration(idle_secs),
            eligible.len(),
            if eligible.len() == 1 { "" } else { "s" },
            queue.name,
            language.code().to_uppercase(),
        ),
    })
}

/// Sorts waiting interactions in serving order: higher priority first, then oldest.
pub fn sort_waiting(waiting: &mut [&Interaction]) {
    waiting.sort_by_key(|i| (Reverse(i.priority), i.created_at, i.id));
}

/// A short duration such as `45 s`, `3 min` or `2 h 5 min`.
#[must_use]
pub fn human_duration(secs: i64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
mod tests;
