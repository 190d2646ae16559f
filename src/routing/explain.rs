//! Explanations: why an offer went to this agent, and why an item still waits.
//! No peer product answers either question; agents and supervisors see both.

use super::model::{SkillSet, Strategy};
use crate::domain::{QueueId, UserId};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// How the match was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Trigger {
    /// The agent became free and this was the best work they could take.
    AgentFreed,
    /// The work arrived (or became eligible) and this agent ranked first.
    WorkArrived,
}

/// Why this agent got this offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OfferReason {
    /// The agent.
    pub agent: UserId,
    /// The agent's name.
    pub agent_name: String,
    /// The queue the work waits in.
    pub queue: QueueId,
    /// The queue's name.
    pub queue_name: String,
    /// The queue's choice rule.
    pub strategy: Strategy,
    /// How the match was found.
    pub trigger: Trigger,
    /// The skills the work needed and the agent has.
    pub matched_skills: SkillSet,
    /// The names of those skills, when the engine knows them.
    pub skill_names: Vec<String>,
    /// The customer's language index.
    pub language: u8,
    /// The language's code, when the engine knows it.
    pub language_code: String,
    /// The agent's rank among the eligible agents under the strategy (1 = first).
    pub rank: u32,
    /// Agents who could take work from the queue at that moment.
    pub ready_agents: u32,
    /// How long the agent had been idle, in milliseconds.
    pub idle_ms: i64,
    /// The agent's membership priority in the queue.
    pub member_priority: u8,
    /// The overflow step the item had reached (0 = none).
    pub step: u32,
    /// Waiting items the agent could also have taken (when the agent became free).
    pub alternatives: u32,
}

impl OfferReason {
    /// The explanation in one line, as shown to the agent under the offer.
    #[must_use]
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match self.trigger {
            Trigger::AgentFreed => parts.push(if self.alternatives > 0 {
                format!("oldest highest-priority work of {} you can take", self.alternatives + 1)
            } else {
                "the only waiting work you can take".to_owned()
            }),
            Trigger::WorkArrived => parts.push(format!(
                "{}, rank {} of {} ready in {}",
                strategy_phrase(self.strategy, self.idle_ms),
                self.rank,
                self.ready_agents.max(self.rank),
                self.queue_name
            )),
        }
        if self.trigger == Trigger::AgentFreed {
            parts.push(format!("from {}", self.queue_name));
        }
        if !self.language_code.is_empty() {
            parts.push(format!("speaks {}", self.language_code.to_uppercase()));
        }
        if !self.skill_names.is_empty() {
            parts.push(format!("skills {}", self.skill_names.join(", ")));
        }
        if self.step > 0 {
            parts.push(format!("overflow step {}", self.step));
        }
        // Shown to the agent the offer is for, so their own name is left out.
        parts.join("; ")
    }
}

fn strategy_phrase(strategy: Strategy, idle_ms: i64) -> String {
    match strategy {
        Strategy::LongestIdle => format!("longest idle ({})", super::human_duration(idle_ms / 1000)),
        Strategy::FewestOpen => "fewest open interactions".to_owned(),
        Strategy::LeastTalkTime => "least talk time today".to_owned(),
        Strategy::RoundRobin => "next in turn".to_owned(),
        Strategy::FixedOrder => "first in the queue's order".to_owned(),
        Strategy::Random => "drawn at random".to_owned(),
        Strategy::WeightedRandom => "drawn at random by weight".to_owned(),
        Strategy::RingAll => "rings every ready agent".to_owned(),
    }
}

/// What keeps one agent from taking an item now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Blocker {
    /// Not logged into the queue.
    LoggedOut,
    /// Logged in but paused.
    Paused,
    /// Does not speak the customer's language.
    Language,
    /// Lacks a needed skill or level.
    Skill,
    /// Beyond the tiers the item has reached so far.
    Tier,
    /// The membership delay has not elapsed yet.
    Delay,
    /// An offer is already waiting for the agent's answer.
    Offered,
    /// No room on that channel.
    Capacity,
    /// A call in progress blocks digital work.
    OnCall,
    /// In wrap-up.
    WrapUp,
    /// Cooling down after a missed offer.
    CoolDown,
    /// Restricted to other agents (a direct or team transfer).
    NotTarget,
}

impl Blocker {
    /// Whether it is a passing state of an otherwise eligible agent.
    fn is_busy(self) -> bool {
        matches!(
            self,
            Blocker::Paused
                | Blocker::Offered
                | Blocker::Capacity
                | Blocker::OnCall
                | Blocker::WrapUp
                | Blocker::CoolDown
        )
    }

    fn phrase(self) -> &'static str {
        match self {
            Blocker::LoggedOut => "logged out",
            Blocker::Paused => "paused",
            Blocker::Language => "without the language",
            Blocker::Skill => "without the skills",
            Blocker::Tier => "in a later tier",
            Blocker::Delay => "not yet eligible (delay)",
            Blocker::Offered => "answering another offer",
            Blocker::Capacity => "at capacity",
            Blocker::OnCall => "on a call",
            Blocker::WrapUp => "in wrap-up",
            Blocker::CoolDown => "cooling down after a miss",
            Blocker::NotTarget => "not the transfer's target",
        }
    }
}

/// Why an item is still waiting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WaitReason {
    /// The queue's name.
    pub queue_name: String,
    /// The customer's language code.
    pub language_code: String,
    /// Members of the queue.
    pub members: u32,
    /// Members logged in.
    pub logged_in: u32,
    /// Items ahead of it in its queue that the same agents would take first.
    pub ahead: u32,
    /// For each member, the first thing that keeps them from taking it, counted.
    pub blockers: Vec<(Blocker, u32)>,
    /// Whether it is offered right now.
    pub offered: bool,
    /// Seconds until the next overflow step or delay makes more agents eligible.
    pub next_widening_secs: Option<i64>,
}

impl WaitReason {
    /// The explanation in one line, e.g. "no agent with French logged into Billing".
    #[must_use]
    pub fn describe(&self) -> String {
        if self.offered {
            return "offered to an agent, waiting for the answer".to_owned();
        }
        if self.members == 0 {
            return format!("{} has no members", self.queue_name);
        }
        if self.logged_in == 0 {
            return format!("nobody is logged into {}", self.queue_name);
        }
        let count = |b: Blocker| self.blockers.iter().find(|(x, _)| *x == b).map_or(0, |(_, n)| *n);
        let (language, skill, other_target) =
            (count(Blocker::Language), count(Blocker::Skill), count(Blocker::NotTarget));
        let candidates = self.logged_in.saturating_sub(language + skill + other_target);
        if candidates == 0 {
            return match (language > 0, skill > 0) {
                (true, false) => {
                    format!("no agent with {} logged into {}", language_name(&self.language_code), self.queue_name)
                }
                (false, true) => format!("no agent with the needed skills logged into {}", self.queue_name),
                _ => format!("no agent logged into {} has the language and skills it needs", self.queue_name),
            };
        }
        let later = count(Blocker::Tier) + count(Blocker::Delay);
        let eligible = candidates.saturating_sub(later);
        let busy: Vec<(Blocker, u32)> = self.blockers.iter().copied().filter(|(b, n)| *n > 0 && b.is_busy()).collect();
        let mut line = if eligible == 0 {
            format!(
                "the agent{} who could take it become{} eligible later",
                plural(later),
                if later == 1 { "s" } else { "" }
            )
        } else if busy.len() == 1 && busy[0].1 >= eligible {
            if eligible == 1 {
                format!("the only eligible agent is {}", busy[0].0.phrase())
            } else {
                format!("all {eligible} eligible agents {}", busy[0].0.phrase())
            }
        } else if busy.is_empty() {
            format!("{eligible} eligible agent{} about to be offered it", plural(eligible))
        } else {
            let parts: Vec<String> = busy.iter().map(|(b, n)| format!("{n} {}", b.phrase())).collect();
            format!("{eligible} eligible agent{}: {}", plural(eligible), parts.join(", "))
        };
        if eligible > 0 && later > 0 && self.next_widening_secs.is_none() {
            let _ = write!(line, "; {later} more eligible later");
        }
        if self.ahead > 0 {
            let _ = write!(line, "; {} ahead of it", self.ahead);
        }
        if let Some(secs) = self.next_widening_secs {
            let _ = write!(line, "; more agents eligible in {}", super::human_duration(secs));
        }
        line
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn language_name(code: &str) -> String {
    match code {
        "en" => "English".to_owned(),
        "fr" => "French".to_owned(),
        "" => "the language".to_owned(),
        other => other.to_uppercase(),
    }
}
