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
mod ordered;
mod router;

pub use explain::{Blocker, OfferReason, Trigger, WaitReason};
pub use model::{
    AgentConfig, Capacity, DeferUntil, Disposition, ItemState, LanguageSet, MAX_SKILL_LEVEL, MaxWait, Membership,
    NewItem, OverflowStep, QueueConfig, QueueStatus, Requirement, RoutingError, Settings, SkillSet, Slot, SmartClose,
    StepAction, Strategy, TransferRecord, TransferTarget, WrapUp,
};
pub use router::{AgentView as AgentState, ItemView, Notice, OfferEnd, OfferFacts, Outbox, Router};

pub use crate::domain::MISSED_OFFERS_REASON;

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
