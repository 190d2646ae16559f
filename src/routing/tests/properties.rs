//! Property tests: random days of arrivals, answers, status changes,
//! transfers, defers and completions on a manual clock. After every step the
//! distributor's invariants must hold; when one breaks, proptest shrinks the
//! day to the few steps that break it, printed as readable `Step`s.

use super::harness::{EN, FR};
use crate::domain::{DeferUntil, InteractionId, QueueId, TeamId, Timestamp, UserId};
use crate::routing::{
    AgentConfig, Blocker, ItemState, LanguageSet, Membership, NewItem, Notice, OverflowStep, QueueConfig, QueueStatus,
    Requirement, Router, Settings, SkillSet, Slot, SmartClose, StepAction, Strategy as Choice, TransferTarget, WrapUp,
};
use proptest::prelude::*;
use std::collections::BTreeSet;

const AGENTS: i64 = 5;
const QUEUES: i64 = 3;

/// One thing that happens in the centre.
#[derive(Debug, Clone)]
enum Step {
    Arrive { queue: i64, french: bool, skill: Option<u8>, urgent: bool },
    Wait { secs: i64 },
    Accept { agent: i64 },
    Reject { agent: i64 },
    Busy { agent: i64 },
    Ready { agent: i64, queue: Option<i64> },
    Pause { agent: i64 },
    LogOut { agent: i64, queue: Option<i64> },
    Complete { agent: i64, smart: bool },
    Defer { agent: i64, secs: Option<i64> },
    CustomerWrites { nth: usize },
    CustomerLeaves { nth: usize },
    Callback { nth: usize },
    Transfer { agent: i64, to: u8, target: i64 },
    Unassign { agent: i64 },
    Resume { agent: i64, nth: usize },
    Force { agent: i64, nth: usize },
    EndWrapUp { agent: i64 },
    RemoveAccess { agent: i64, queue: i64 },
    GrantAccess { agent: i64, queue: i64, priority: u8, delay: u32 },
}

fn step() -> impl Strategy<Value = Step> {
    let agent = 1..=AGENTS;
    let queue = 1..=QUEUES;
    prop_oneof![
        4 => (queue.clone(), any::<bool>(), prop::option::of(0u8..2), prop::bool::weighted(0.2))
            .prop_map(|(queue, french, skill, urgent)| Step::Arrive { queue, french, skill, urgent }),
        3 => (1i64..40).prop_map(|secs| Step::Wait { secs }),
        3 => agent.clone().prop_map(|agent| Step::Accept { agent }),
        1 => agent.clone().prop_map(|agent| Step::Reject { agent }),
        1 => agent.clone().prop_map(|agent| Step::Busy { agent }),
        1 => (agent.clone(), prop::option::of(queue.clone())).prop_map(|(agent, queue)| Step::Ready { agent, queue }),
        1 => agent.clone().prop_map(|agent| Step::Pause { agent }),
        1 => (agent.clone(), prop::option::of(queue.clone())).prop_map(|(agent, queue)| Step::LogOut { agent, queue }),
        3 => (agent.clone(), prop::bool::weighted(0.2)).prop_map(|(agent, smart)| Step::Complete { agent, smart }),
        1 => (agent.clone(), prop::option::of(1i64..100)).prop_map(|(agent, secs)| Step::Defer { agent, secs }),
        2 => (0usize..40).prop_map(|nth| Step::CustomerWrites { nth }),
        1 => (0usize..40).prop_map(|nth| Step::CustomerLeaves { nth }),
        1 => (0usize..40).prop_map(|nth| Step::Callback { nth }),
        1 => (agent.clone(), 0u8..5, 1i64..=AGENTS).prop_map(|(agent, to, target)| Step::Transfer { agent, to, target }),
        1 => agent.clone().prop_map(|agent| Step::Unassign { agent }),
        1 => (agent.clone(), 0usize..40).prop_map(|(agent, nth)| Step::Resume { agent, nth }),
        1 => (agent.clone(), 0usize..40).prop_map(|(agent, nth)| Step::Force { agent, nth }),
        1 => agent.clone().prop_map(|agent| Step::EndWrapUp { agent }),
        1 => (agent.clone(), queue.clone()).prop_map(|(agent, queue)| Step::RemoveAccess { agent, queue }),
        1 => (agent, queue, 1u8..4, prop_oneof![Just(0u32), Just(15)])
            .prop_map(|(agent, queue, priority, delay)| Step::GrantAccess { agent, queue, priority, delay }),
    ]
}

/// Three queues that between them use every rule: a voice line ringing
/// everyone with a wrap-up and an overflow tier, a chat queue with a skill
/// step, a delay and a maximum wait, and an email queue choosing by fewest open.
fn centre(now: Timestamp) -> Router {
    let mut router = Router::new(Settings::default());
    let mut voice = QueueConfig::new(QueueId(1), "Calls", Slot::Voice);
    voice.strategy = Choice::RingAll;
    voice.wrap_up = WrapUp::Timed { secs: 10 };
    voice.member_priority = 1;
    voice.steps = vec![OverflowStep { after_secs: 30, action: StepAction::Widen { member_priority: 3, min_level: 1 } }];
    voice.inactivity_secs = 60;
    let mut chat = QueueConfig::new(QueueId(2), "Chat", Slot::Messaging);
    chat.min_level = 3;
    chat.steps = vec![OverflowStep { after_secs: 20, action: StepAction::Widen { member_priority: 99, min_level: 1 } }];
    chat.max_wait = crate::routing::MaxWait::MoveTo { secs: 120, queue: QueueId(3) };
    chat.leave_empty = true;
    let mut email = QueueConfig::new(QueueId(3), "Email", Slot::Email);
    email.strategy = Choice::FewestOpen;
    email.wrap_up = WrapUp::UntilEnded;
    for config in [voice, chat, email] {
        router.upsert_queue(config, now);
    }
    for a in 1..=AGENTS {
        let languages = if a % 2 == 0 { LanguageSet::of(&[EN, FR]) } else { LanguageSet::of(&[EN]) };
        let mut config = AgentConfig::new(UserId(a), format!("Agent {a}"), languages);
        config.skills = vec![(0, (a % 5) as u8 + 1), (1, ((a + 2) % 5) as u8 + 1)];
        config.team = Some(TeamId(a % 2));
        router.upsert_agent(config, now);
        for q in 1..=QUEUES {
            if (a + q) % 4 != 0 {
                let membership = Membership { priority: ((a + q) % 3) as u8 + 1, delay_secs: 0 };
                router.add_member(UserId(a), QueueId(q), membership, now).expect("known agent and queue");
            }
        }
        router.set_status(UserId(a), None, &QueueStatus::Ready, now).expect("known agent");
    }
    router
}

struct Day {
    router: Router,
    now: Timestamp,
    arrived: Vec<InteractionId>,
}

impl Day {
    fn nth(&self, nth: usize) -> Option<InteractionId> {
        (!self.arrived.is_empty()).then(|| self.arrived[nth % self.arrived.len()])
    }

    fn offered_to(&self, agent: UserId) -> Option<InteractionId> {
        self.router.agent_view(agent).and_then(|v| v.open_offer)
    }

    fn held_by(&self, agent: UserId) -> Option<InteractionId> {
        self.arrived.iter().copied().find(|&id| {
            matches!(self.router.item(id).map(|v| v.state), Some(ItemState::Assigned { agent: a } | ItemState::Closing { agent: a, .. }) if a == agent)
        })
    }

    /// Runs one step; refusals are fine (the step did not fit the state), as long as nothing breaks.
    fn run(&mut self, step: &Step) {
        let now = self.now;
        let r = &mut self.router;
        let _ = match *step {
            Step::Arrive { queue, french, skill, urgent } => {
                let id = InteractionId(self.arrived.len() as i64 + 1);
                self.arrived.push(id);
                let requirement = Requirement {
                    language: if french { FR } else { EN },
                    skills: skill.map_or(SkillSet::EMPTY, SkillSet::of),
                };
                let item = NewItem {
                    id,
                    queue: QueueId(queue),
                    requirement,
                    priority: urgent.then_some(5),
                    created_at: now,
                    callback: false,
                };
                r.arrive(&item, now)
            }
            Step::Wait { secs } => {
                self.now = now.plus_secs(secs);
                r.advance(self.now);
                Ok(())
            }
            Step::Accept { agent } => match self.offered_to(UserId(agent)) {
                Some(id) => self.router.accept(UserId(agent), id, now),
                None => Ok(()),
            },
            Step::Reject { agent } => match self.offered_to(UserId(agent)) {
                Some(id) => self.router.reject(UserId(agent), id, now),
                None => Ok(()),
            },
            Step::Busy { agent } => match self.offered_to(UserId(agent)) {
                Some(id) => self.router.busy(UserId(agent), id, now),
                None => Ok(()),
            },
            Step::Ready { agent, queue } => r.set_status(UserId(agent), queue.map(QueueId), &QueueStatus::Ready, now),
            Step::Pause { agent } => r.set_status(UserId(agent), None, &QueueStatus::Paused("Break".into()), now),
            Step::LogOut { agent, queue } => {
                r.set_status(UserId(agent), queue.map(QueueId), &QueueStatus::LoggedOut, now)
            }
            Step::Complete { agent, smart } => match self.held_by(UserId(agent)) {
                Some(id) => {
                    let smart = smart.then_some(SmartClose { timeout_secs: 30, wait_for_reply: true });
                    self.router.complete(UserId(agent), id, None, smart, now)
                }
                None => Ok(()),
            },
            Step::Defer { agent, secs } => match self.held_by(UserId(agent)) {
                Some(id) => {
                    let until = secs.map_or(DeferUntil::NextReply, |s| DeferUntil::Time(now.plus_secs(s)));
                    self.router.defer(UserId(agent), id, until, now)
                }
                None => Ok(()),
            },
            Step::CustomerWrites { nth } => match self.nth(nth) {
                Some(id) => self.router.message(id, true, now),
                None => Ok(()),
            },
            Step::CustomerLeaves { nth } => match self.nth(nth) {
                Some(id) => self.router.customer_left(id, now),
                None => Ok(()),
            },
            Step::Callback { nth } => match self.nth(nth) {
                Some(id) => self.router.request_callback(id, now),
                None => Ok(()),
            },
            Step::Transfer { agent, to, target } => match self.held_by(UserId(agent)) {
                Some(id) => {
                    let target = match to {
                        0 => TransferTarget::Agent(UserId(target)),
                        1 => TransferTarget::Team(TeamId(target % 2)),
                        2 => TransferTarget::Skill((target % 2) as u8),
                        3 => TransferTarget::Language(FR),
                        _ => TransferTarget::Queue(QueueId(target % QUEUES + 1)),
                    };
                    self.router.transfer(UserId(agent), id, target, "over to you", now)
                }
                None => Ok(()),
            },
            Step::Unassign { agent } => match self.held_by(UserId(agent)) {
                Some(id) => self.router.unassign(UserId(agent), id, now),
                None => Ok(()),
            },
            Step::Resume { agent, nth } => match self.nth(nth) {
                Some(id) => self.router.resume(UserId(agent), id, now),
                None => Ok(()),
            },
            Step::Force { agent, nth } => match self.nth(nth) {
                Some(id) => self.router.force_assign(UserId(900), id, UserId(agent), now),
                None => Ok(()),
            },
            Step::EndWrapUp { agent } => r.end_wrap_up(UserId(agent), now),
            Step::RemoveAccess { agent, queue } => r.remove_member(UserId(agent), QueueId(queue), now),
            Step::GrantAccess { agent, queue, priority, delay } => {
                r.add_member(UserId(agent), QueueId(queue), Membership { priority, delay_secs: delay }, now)
            }
        };
    }

    /// Offers made in this step went to the first eligible work: no older item
    /// of the same or higher priority waits in that queue for the same agent.
    fn check_fifo(&self, offers: &[(InteractionId, UserId)]) -> Result<(), String> {
        for &(offered, agent) in offers {
            let Some(view) = self.router.item(offered) else { continue };
            if view.direct.is_some() {
                continue;
            }
            for waiting in self.router.waiting(view.queue) {
                let Some(other) = self.router.item(waiting) else { continue };
                let better = (other.priority, std::cmp::Reverse(other.created_at))
                    > (view.priority, std::cmp::Reverse(view.created_at));
                let could = matches!(self.router.blocker(agent, waiting, self.now), None | Some(Blocker::Offered));
                if better && could && other.requirement == view.requirement {
                    return Err(format!("{offered:?} was offered to {agent:?} while older {waiting:?} waited"));
                }
            }
        }
        Ok(())
    }
}

fn run_day(steps: &[Step]) -> Result<(), TestCaseError> {
    let start = Timestamp(1_800_000_000_000);
    let mut day = Day { router: centre(start), now: start, arrived: Vec::new() };
    drop(day.router.drain());
    for (n, step) in steps.iter().enumerate() {
        let before: Vec<(InteractionId, ItemState)> =
            day.arrived.iter().filter_map(|&id| day.router.item(id).map(|v| (id, v.state))).collect();
        day.run(step);
        let out = day.router.drain();
        let broken = day.router.audit(day.now);
        prop_assert!(broken.is_empty(), "after step {n} {step:?}: {broken:#?}");
        // Nothing lost: every item that arrived is still known, in exactly one state.
        let known: BTreeSet<InteractionId> = day.router.item_ids().collect();
        for id in &day.arrived {
            prop_assert!(known.contains(id), "after step {n} {step:?}: {id:?} was lost");
        }
        // Never assigned to two agents: an item changes hands only through its own state.
        for (id, old) in before {
            if let (ItemState::Assigned { agent: was }, Some(ItemState::Assigned { agent })) =
                (&old, day.router.item(id).map(|v| v.state))
            {
                prop_assert!(
                    agent == *was || matches!(step, Step::Force { .. } | Step::Resume { .. }),
                    "after step {n} {step:?}: {id:?} moved from {was:?} to {agent:?}"
                );
            }
        }
        let offers: Vec<(InteractionId, UserId)> = out
            .notices
            .iter()
            .filter_map(|n| match n {
                Notice::Offered { item, agents, .. } if agents.len() == 1 => Some((*item, agents[0])),
                _ => None,
            })
            .collect();
        if let Err(message) = day.check_fifo(&offers) {
            return Err(TestCaseError::fail(format!("after step {n} {step:?}: {message}")));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn every_invariant_holds_after_every_step(steps in prop::collection::vec(step(), 1..80)) {
        run_day(&steps)?;
    }
}
