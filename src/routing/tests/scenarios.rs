//! One scenario per rule of ROUTING.md and SPEC C3–C8, D5, E1–E3, F3, H2–H3.
//!
//! Each reads as a table: the time (seconds after the start), the event, and
//! what a user would then notice — who is offered the work, the item's state,
//! the notices, the why-waiting text, the KPI facts logged. The harness audits
//! every invariant after every step; each scenario ends with `c.sound()`.

use super::harness::{BILLING, Centre, EN, FR, SUPERVISOR, TECH};
use crate::domain::{Direct, InteractionId, QueueId, QueueKind, TeamId, UserId};
use crate::routing::events::{Activity, LeaveCause, MissCause, RoutingEvent};
use crate::routing::{
    Capacity, DeferUntil, ItemState, MaxWait, Notice, OfferEnd, OverflowStep, QueueStatus, RoutingError, Settings,
    SkillSet, Slot, SmartClose, StepAction, Strategy, TransferRecord, TransferTarget, Trigger, WrapUp,
};

fn offered_notice(c: &Centre, item: InteractionId) -> bool {
    c.notices.iter().any(|n| matches!(n, Notice::Offered { item: i, .. } if *i == item))
}

fn closed(c: &Centre, item: InteractionId, agent: UserId, end: OfferEnd) -> bool {
    c.notices.contains(&Notice::OfferClosed { item, agent, end })
}

fn left(c: &Centre, item: InteractionId, cause: LeaveCause) -> bool {
    c.events_of(item).iter().any(|e| matches!(e, RoutingEvent::Left { cause: x, .. } if *x == cause))
}

fn missed(c: &Centre, item: InteractionId, agent: UserId, cause: MissCause) -> bool {
    c.events_of(item)
        .iter()
        .any(|e| matches!(e, RoutingEvent::Missed { agent: a, cause: x, .. } if *a == agent && *x == cause))
}

// ----- 1. Waiting order -----

#[test]
fn longest_idle_agent_gets_new_work_and_accepting_assigns_it() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let first = c.agent(1, &[EN], &[q]);
    c.advance_secs(10);
    let _second = c.agent(2, &[EN], &[q]);
    c.advance_secs(10);
    let item = c.arrive(100, q, EN);
    assert_eq!(c.offered_to(item), Some(first), "agent 1 has been idle longest");
    c.accept(first, item);
    assert_eq!(c.state(item), ItemState::Assigned { agent: first });
    c.sound();
}

#[test]
fn higher_priority_is_served_first_then_the_oldest() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    // t=0   a normal chat arrives, nobody is logged in
    c.at(0);
    let old = c.arrive(1, q, EN);
    // t=10  another normal chat
    c.at(10);
    let newer = c.arrive(2, q, EN);
    // t=20  an urgent chat, the youngest of all
    c.at(20);
    let urgent = c.arrive_with(3, q, EN, SkillSet::EMPTY, Some(5));
    assert_eq!(c.router.waiting(q), vec![urgent, old, newer], "priority first, then age");
    // t=30  an agent logs in: the urgent one first, then oldest-first as the agent takes each
    c.at(30);
    let a = c.agent(1, &[EN], &[q]);
    assert_eq!(c.offered_to(urgent), Some(a));
    c.accept(a, urgent);
    assert_eq!(c.offered_to(old), Some(a), "FIFO within a priority");
    assert_eq!(c.state(newer), ItemState::Waiting);
    c.accept(a, old);
    assert_eq!(c.offered_to(newer), Some(a));
    c.sound();
}

#[test]
fn an_agent_freed_takes_the_oldest_highest_priority_work_across_their_queues() {
    let mut c = Centre::new();
    let sales = c.queue(1, Slot::Voice, |q| q.name = "Sales".into());
    let support = c.queue(2, Slot::Voice, |q| q.name = "Support".into());
    let returns = c.queue(3, Slot::Voice, |q| q.name = "Returns".into());
    let a = c.agent_with(1, &[EN], &[], |_| {});
    c.member(a, sales, 1, 0);
    c.member(a, support, 2, 0); // Support comes second for this agent
    c.member(a, returns, 1, 0);
    c.status(a, None, &QueueStatus::Ready);
    // t=0  a call → the agent takes it; everything after waits
    c.at(0);
    let first = c.arrive(10, sales, EN);
    c.accept(a, first);
    c.at(1);
    let support_old = c.arrive(21, support, EN);
    c.at(2);
    let returns_old = c.arrive(31, returns, EN);
    c.at(3);
    let sales_new = c.arrive(11, sales, EN);
    c.at(4);
    let support_urgent = c.arrive_with(22, support, EN, SkillSet::EMPTY, Some(5));
    // t=10  the call ends: the urgent call first, though its queue is the agent's second
    c.at(10);
    c.complete(a, first);
    assert_eq!(c.offered_to(support_urgent), Some(a));
    let reason = c.view(support_urgent).reason.unwrap();
    assert_eq!(reason.trigger, Trigger::AgentFreed);
    assert_eq!(reason.queue_name, "Support");
    c.accept(a, support_urgent);
    c.complete(a, support_urgent);
    // Equal item priority: the queues where the agent has membership priority 1 come first,
    // oldest first among them; Support's older call comes last.
    assert_eq!(c.offered_to(returns_old), Some(a));
    c.accept(a, returns_old);
    c.complete(a, returns_old);
    assert_eq!(c.offered_to(sales_new), Some(a));
    c.accept(a, sales_new);
    c.complete(a, sales_new);
    assert_eq!(c.offered_to(support_old), Some(a));
    c.sound();
}

// ----- 2. Eligibility -----

#[test]
fn work_in_a_language_nobody_speaks_waits_and_says_why() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.name = "Billing".into());
    c.agent(1, &[EN], &[q]);
    let item = c.arrive(100, q, FR);
    assert_eq!(c.state(item), ItemState::Waiting);
    let why = c.router.why_waiting(item, c.now).unwrap().describe();
    assert_eq!(why, "no agent with French logged into Billing");
    // A French speaker logs in, though idle for less time: the item is theirs.
    c.advance_secs(5);
    let french = c.agent(2, &[EN, FR], &[q]);
    assert_eq!(c.offered_to(item), Some(french));
    c.sound();
}

#[test]
fn skills_and_levels_of_the_queue_and_the_item_must_both_match() {
    let mut c = Centre::new();
    // Billing needs the billing skill at level 3; this item also needs tech.
    let q = c.queue(1, Slot::Messaging, |q| {
        q.name = "Billing".into();
        q.skills = SkillSet::of(BILLING);
        q.min_level = 3;
    });
    c.at(0);
    let _low_tech = c.agent_with(1, &[EN], &[q], |a| a.skills = vec![(BILLING, 5), (TECH, 2)]);
    c.at(1);
    let _no_tech = c.agent_with(2, &[EN], &[q], |a| a.skills = vec![(BILLING, 5)]);
    c.at(2);
    let _french = c.agent_with(3, &[FR], &[q], |a| a.skills = vec![(BILLING, 5), (TECH, 5)]);
    c.at(3);
    let item = c.arrive_with(100, q, EN, SkillSet::of(TECH), None);
    assert_eq!(c.state(item), ItemState::Waiting);
    assert_eq!(c.why(item), "no agent logged into Billing has the language and skills it needs");
    // t=4  an agent with both skills at level 3 logs in: it is theirs, though idle for the shortest time
    c.at(4);
    let able = c.agent_with(4, &[EN], &[q], |a| a.skills = vec![(BILLING, 3), (TECH, 3)]);
    assert_eq!(c.offered_to(item), Some(able));
    assert_eq!(c.view(item).reason.unwrap().skill_names, vec!["billing".to_owned(), "tech".to_owned()]);
    c.sound();
}

#[test]
fn routing_stops_at_the_soft_limit_and_force_assign_stops_at_the_hard_limit() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent_with(1, &[EN], &[q], |a| a.capacity[Slot::Messaging.index()] = Capacity { soft: 2, hard: 3 });
    let one = c.arrive(1, q, EN);
    c.accept(a, one);
    let two = c.arrive(2, q, EN);
    c.accept(a, two);
    // At the soft limit: routing offers nothing more.
    let three = c.arrive(3, q, EN);
    assert_eq!(c.state(three), ItemState::Waiting);
    assert_eq!(c.why(three), "the only eligible agent is at capacity");
    // A supervisor may force one more, up to the hard limit; its priority is raised.
    c.ok(|r, now| r.force_assign(SUPERVISOR, three, a, now));
    assert_eq!(c.state(three), ItemState::Assigned { agent: a });
    assert_eq!(c.agent_view(a).load, [0, 3, 0]);
    assert_eq!(c.view(three).priority, 100);
    assert_eq!(c.view(three).transfers[0].comment, "forced");
    assert!(c.events_of(three).iter().any(|e| matches!(e, RoutingEvent::Answered { agent, .. } if *agent == a)));
    // Beyond the hard limit: refused, nothing changed.
    let four = c.arrive(4, q, EN);
    let error = c.refused(|r, now| r.force_assign(SUPERVISOR, four, a, now));
    assert_eq!(error, RoutingError::AtCapacity { name: "Agent 1".into() });
    assert_eq!(c.state(four), ItemState::Waiting);
    c.sound();
}

#[test]
fn no_digital_offer_during_a_call_unless_the_agent_allows_it() {
    let mut c = Centre::new();
    let calls = c.queue(1, Slot::Voice, |_| {});
    let chats = c.queue(2, Slot::Messaging, |_| {});
    let strict = c.agent(1, &[EN], &[calls, chats]);
    let relaxed = c.agent_with(2, &[EN], &[calls, chats], |a| a.no_digital_during_call = false);
    // t=0  a call for the strict agent, t=5 one for the relaxed agent
    c.at(0);
    let strict_call = c.arrive(1, calls, EN);
    assert_eq!(c.offered_to(strict_call), Some(strict));
    c.accept(strict, strict_call);
    c.at(5);
    let relaxed_call = c.arrive(2, calls, EN);
    c.accept(relaxed, relaxed_call);
    // t=10  a chat: the strict agent has been idle longer but is on a call
    c.at(10);
    let chat = c.arrive(3, chats, EN);
    assert_eq!(c.offered_to(chat), Some(relaxed));
    c.reject(relaxed, chat);
    assert_eq!(c.state(chat), ItemState::Waiting);
    assert!(c.why(chat).contains("1 on a call"), "{}", c.why(chat));
    // t=12  the strict agent hangs up: the chat is theirs
    c.at(12);
    c.complete(strict, strict_call);
    assert_eq!(c.offered_to(chat), Some(strict));
    c.sound();
}

#[test]
fn a_membership_delay_holds_the_agent_back_until_the_item_has_waited_that_long() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent_with(1, &[EN], &[], |_| {});
    c.member(a, q, 1, 30);
    c.ready(a, q);
    // t=0  the item arrives; the only agent may take it after 30 s
    c.at(0);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.state(item), ItemState::Waiting);
    assert!(c.why(item).ends_with("more agents eligible in 30 s"), "{}", c.why(item));
    c.at(29);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.at(30);
    assert_eq!(c.offered_to(item), Some(a));
    c.sound();
}

#[test]
fn a_membership_delay_counts_from_queue_entry_for_an_agent_added_while_work_waits() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let item = c.arrive(1, q, EN);
    // t=10  an agent is given the queue with a 30 s delay and logs in
    c.at(10);
    let a = c.agent_with(1, &[EN], &[], |_| {});
    c.member(a, q, 1, 30);
    c.ready(a, q);
    assert_eq!(c.state(item), ItemState::Waiting);
    // t=30  the item has waited 30 s in the queue: the agent may take it
    c.at(30);
    assert_eq!(c.offered_to(item), Some(a));
    c.sound();
}

// ----- 3. Strategies -----

#[test]
fn fewest_open_prefers_the_agent_holding_least_work() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = Strategy::FewestOpen);
    let side = c.queue(2, Slot::Messaging, |_| {});
    c.at(0);
    let busy = c.agent(1, &[EN], &[q]);
    c.at(1);
    let free = c.agent(2, &[EN], &[q]);
    // Two chats forced onto the first agent, who stays idle longest (a force does not reset idle time).
    for id in [91, 92] {
        let item = c.arrive(id, side, EN);
        c.ok(|r, now| r.force_assign(SUPERVISOR, item, busy, now));
    }
    c.at(5);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(item), Some(free), "0 open beats 2 open");
    assert!(c.view(item).reason.unwrap().describe().contains("fewest open interactions"));
    c.sound();
}

#[test]
fn least_talk_time_prefers_the_agent_who_talked_least() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = Strategy::LeastTalkTime);
    c.at(0);
    let long_talker = c.agent(1, &[EN], &[q]);
    c.at(1);
    let short_talker = c.agent(2, &[EN], &[q]);
    // t=10  both get a chat
    c.at(10);
    let one = c.arrive(1, q, EN);
    c.accept(long_talker, one);
    let two = c.arrive(2, q, EN);
    assert_eq!(c.offered_to(two), Some(short_talker));
    // t=25  the first has talked 15 s; t=30..35 the second talks 5 s
    c.at(25);
    c.complete(long_talker, one);
    c.at(30);
    c.accept(short_talker, two);
    c.at(35);
    c.complete(short_talker, two);
    // t=40  the first has been idle longer, but talked more
    c.at(40);
    let three = c.arrive(3, q, EN);
    assert_eq!(c.offered_to(three), Some(short_talker));
    c.sound();
}

#[test]
fn round_robin_remembers_whose_turn_it_is() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = Strategy::RoundRobin);
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    // t=10  first turn to A, second to B
    c.at(10);
    let one = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(one), Some(a));
    c.accept(a, one);
    let two = c.arrive(2, q, EN);
    assert_eq!(c.offered_to(two), Some(b));
    c.accept(b, two);
    // t=11 B finishes, t=12 A finishes: B is now idle longest, but it is A's turn
    c.at(11);
    c.complete(b, two);
    c.at(12);
    c.complete(a, one);
    c.at(13);
    let three = c.arrive(3, q, EN);
    assert_eq!(c.offered_to(three), Some(a));
    c.accept(a, three);
    let four = c.arrive(4, q, EN);
    assert_eq!(c.offered_to(four), Some(b));
    assert!(c.view(four).reason.unwrap().describe().contains("next in turn"));
    c.sound();
}

#[test]
fn fixed_order_follows_membership_priority_then_join_order() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = Strategy::FixedOrder);
    let join = |c: &mut Centre, id, priority| {
        let agent = c.agent_with(id, &[EN], &[], |_| {});
        c.member(agent, q, priority, 0);
        c.ready(agent, q);
        agent
    };
    let third = join(&mut c, 1, 2);
    let first = join(&mut c, 2, 1);
    let second = join(&mut c, 3, 1);
    let one = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(one), Some(first));
    let two = c.arrive(2, q, EN);
    assert_eq!(c.offered_to(two), Some(second), "the first is answering an offer");
    let three = c.arrive(3, q, EN);
    assert_eq!(c.offered_to(three), Some(third));
    // The first in order, with room left, is always asked first.
    c.accept(first, one);
    let four = c.arrive(4, q, EN);
    assert_eq!(c.offered_to(four), Some(first));
    c.sound();
}

/// Draws `draws` offers from a queue of four eligible agents (plus a French speaker
/// and a paused agent who must never be drawn); each offer is withdrawn at once.
fn draws(strategy: Strategy, draws: i64) -> Vec<UserId> {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = strategy);
    for (id, priority) in [(1, 1), (2, 50), (3, 90), (4, 99)] {
        let agent = c.agent_with(id, &[EN], &[], |_| {});
        c.member(agent, q, priority, 0);
        c.ready(agent, q);
    }
    c.agent(5, &[FR], &[q]);
    let paused = c.agent(6, &[EN], &[q]);
    c.pause(paused, "Lunch");
    let mut picks = Vec::new();
    for id in 0..draws {
        let item = c.arrive(100 + id, q, EN);
        picks.push(c.offered_to(item).expect("an eligible agent is always drawn"));
        c.ok(|r, now| r.customer_left(item, now));
        c.advance_secs(1);
    }
    c.sound();
    picks
}

#[test]
fn random_is_deterministic_and_only_draws_eligible_agents() {
    let picks = draws(Strategy::Random, 40);
    assert_eq!(picks, draws(Strategy::Random, 40), "the same seed draws the same agents");
    assert!(picks.iter().all(|p| (1..=4).contains(&p.0)), "{picks:?}");
    for agent in 1..=4 {
        assert!(picks.contains(&UserId(agent)), "agent {agent} is never drawn: {picks:?}");
    }
}

#[test]
fn weighted_random_favours_the_first_membership_priority() {
    let picks = draws(Strategy::WeightedRandom, 200);
    assert_eq!(picks, draws(Strategy::WeightedRandom, 200), "the same seed draws the same agents");
    assert!(picks.iter().all(|p| (1..=4).contains(&p.0)), "{picks:?}");
    let count = |agent| picks.iter().filter(|p| p.0 == agent).count();
    // Weights 99, 50, 10, 1.
    assert!(count(1) > count(2) && count(2) > count(3) && count(3) >= count(4), "{:?}", (1..=4).map(count));
}

#[test]
fn ring_all_rings_every_ready_agent_and_the_first_to_accept_wins() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.strategy = Strategy::RingAll);
    let ann = c.agent(1, &[EN], &[q]);
    let bob = c.agent(2, &[EN], &[q]);
    let dee = c.agent(3, &[EN], &[q]);
    // A call rings for all three.
    let call = c.arrive(1, q, EN);
    assert_eq!(c.ringing(call), vec![ann, bob, dee]);
    assert!(c.notices.iter().any(|n| matches!(n, Notice::Offered { agents, .. } if agents.len() == 3)));
    // Bob answers: the others' rings stop.
    c.accept(bob, call);
    assert_eq!(c.state(call), ItemState::Assigned { agent: bob });
    assert!(closed(&c, call, ann, OfferEnd::Withdrawn) && closed(&c, call, dee, OfferEnd::Withdrawn));
    assert!(closed(&c, call, bob, OfferEnd::Accepted));
    // A second call rings for the two free agents; a reject drops only that agent.
    let second = c.arrive(2, q, EN);
    assert_eq!(c.ringing(second), vec![ann, dee]);
    c.reject(ann, second);
    assert_eq!(c.ringing(second), vec![dee]);
    assert!(missed(&c, second, ann, MissCause::Rejected));
    c.accept(dee, second);
    assert_eq!(c.state(second), ItemState::Assigned { agent: dee });
    c.sound();
}

#[test]
fn ring_all_on_a_chat_queue_offers_to_one_agent() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.strategy = Strategy::RingAll);
    let a = c.agent(1, &[EN], &[q]);
    c.agent(2, &[EN], &[q]);
    let chat = c.arrive(1, q, EN);
    assert_eq!(c.ringing(chat), vec![a], "ring-all is for voice only");
    c.sound();
}

// ----- 4. Overflow -----

fn tiered(c: &mut Centre) -> (QueueId, UserId, UserId) {
    let q = c.queue(1, Slot::Voice, |q| {
        q.name = "Support".into();
        q.member_priority = 1;
        q.steps = vec![OverflowStep { after_secs: 20, action: StepAction::Widen { member_priority: 2, min_level: 1 } }];
    });
    let first_tier = c.agent_with(1, &[EN], &[], |_| {});
    c.member(first_tier, q, 1, 0);
    let second_tier = c.agent_with(2, &[EN], &[], |_| {});
    c.member(second_tier, q, 2, 0);
    c.ready(second_tier, q);
    (q, first_tier, second_tier)
}

#[test]
fn a_widen_step_lets_the_second_tier_take_it_after_n_seconds() {
    let mut c = Centre::new();
    let (q, first_tier, second_tier) = tiered(&mut c);
    c.ready(first_tier, q);
    // t=0  a call for the first tier
    c.at(0);
    let call = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(call), Some(first_tier));
    c.accept(first_tier, call);
    // t=5  another call: the first tier is busy, the second not yet allowed
    c.at(5);
    let next = c.arrive(2, q, EN);
    assert_eq!(c.state(next), ItemState::Waiting);
    assert_eq!(c.why(next), "the only eligible agent is at capacity; more agents eligible in 20 s");
    c.at(24);
    assert_eq!(c.state(next), ItemState::Waiting);
    // t=25  20 s in the queue: the second tier takes it
    c.at(25);
    assert_eq!(c.offered_to(next), Some(second_tier));
    let reason = c.view(next).reason.unwrap();
    assert_eq!(reason.step, 1);
    assert!(reason.describe().ends_with("overflow step 1"), "{}", reason.describe());
    c.sound();
}

#[test]
fn a_widen_step_can_lower_the_skill_level_accepted() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| {
        q.skills = SkillSet::of(BILLING);
        q.min_level = 3;
        q.steps =
            vec![OverflowStep { after_secs: 30, action: StepAction::Widen { member_priority: 99, min_level: 1 } }];
    });
    let junior = c.agent_with(1, &[EN], &[q], |a| a.skills = vec![(BILLING, 1)]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.state(item), ItemState::Waiting);
    assert!(c.why(item).starts_with("no agent with the needed skills"), "{}", c.why(item));
    c.at(29);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.at(30);
    assert_eq!(c.offered_to(item), Some(junior));
    assert_eq!(c.view(item).reason.unwrap().step, 1);
    c.sound();
}

#[test]
fn a_step_is_skipped_when_nobody_in_the_current_tier_is_logged_in() {
    let mut c = Centre::new();
    let (q, first_tier, second_tier) = tiered(&mut c);
    // t=0  the first tier is logged out: the step applies at once
    c.at(0);
    let call = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(call), Some(second_tier));
    assert_eq!(c.view(call).reason.unwrap().step, 1);
    c.accept(second_tier, call);
    c.complete(second_tier, call);
    // t=3  the first tier logs in, paused: the next call waits for the step
    c.at(3);
    c.ready(first_tier, q);
    c.status(first_tier, Some(q), &QueueStatus::Paused("Lunch".into()));
    c.at(4);
    let next = c.arrive(2, q, EN);
    assert_eq!(c.state(next), ItemState::Waiting);
    // t=10  the first tier logs out: nobody is left in it, the second tier takes the call now
    c.at(10);
    c.log_out(first_tier, q);
    assert_eq!(c.offered_to(next), Some(second_tier));
    c.sound();
}

#[test]
fn a_move_step_sends_the_item_to_another_queue_keeping_its_age() {
    let mut c = Centre::new();
    let front = c.queue(1, Slot::Messaging, |q| {
        q.steps = vec![OverflowStep { after_secs: 30, action: StepAction::MoveTo(QueueId(2)) }];
    });
    let back = c.queue(2, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[back]);
    c.at(0);
    let item = c.arrive(1, front, EN);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.at(29);
    assert_eq!(c.view(item).queue, front);
    // t=30  moved: offered in the second queue, the service-level clock unchanged
    c.at(30);
    let view = c.view(item);
    assert_eq!((view.queue, view.created_at, view.queued_at), (back, c.t(0), c.t(30)));
    assert_eq!(c.offered_to(item), Some(a));
    assert!(left(&c, item, LeaveCause::Transferred));
    let created = c.t(0);
    assert!(c.events_of(item).iter().any(
        |e| matches!(e, RoutingEvent::Queued { queue, created_at, .. } if *queue == back && *created_at == created)
    ));
    c.sound();
}

#[test]
fn max_wait_times_the_item_out_or_moves_it() {
    let mut c = Centre::new();
    let leave = c.queue(1, Slot::Voice, |q| q.max_wait = MaxWait::Leave { secs: 60 });
    let moving = c.queue(2, Slot::Voice, |q| q.max_wait = MaxWait::MoveTo { secs: 60, queue: QueueId(3) });
    let overflow = c.queue(3, Slot::Voice, |_| {});
    c.at(0);
    let timing_out = c.arrive(1, leave, EN);
    let moved = c.arrive(2, moving, EN);
    c.at(59);
    assert_eq!(c.state(timing_out), ItemState::Waiting);
    assert_eq!(c.view(moved).queue, moving);
    // t=60  the maximum wait
    c.at(60);
    assert_eq!(c.state(timing_out), ItemState::Left(LeaveCause::TimedOut));
    assert!(left(&c, timing_out, LeaveCause::TimedOut));
    assert_eq!(c.router.waiting(leave), Vec::<InteractionId>::new());
    assert_eq!(c.state(moved), ItemState::Waiting);
    assert_eq!(c.view(moved).queue, overflow);
    assert_eq!(c.router.waiting(overflow), vec![moved]);
    assert!(left(&c, moved, LeaveCause::Transferred));
    c.sound();
}

#[test]
fn join_empty_refuses_work_while_nobody_is_logged_in() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.join_empty = false);
    let a = c.agent_with(1, &[EN], &[], |_| {});
    c.member(a, q, 1, 0);
    let before = c.snapshot();
    let refused = c.try_arrive(1, q, EN, SkillSet::EMPTY, None);
    assert_eq!(refused, Err(RoutingError::QueueEmpty("Queue 1".into())));
    assert!(c.router.item(InteractionId(1)).is_none());
    assert_eq!(c.snapshot(), before);
    // Logged in, even paused, is enough to join.
    c.ready(a, q);
    c.pause(a, "Training");
    let item = c.arrive(2, q, EN);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.sound();
}

#[test]
fn leave_empty_empties_the_queue_when_the_last_member_logs_out() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.leave_empty = true);
    let a = c.agent(1, &[EN], &[q]);
    let b = c.agent(2, &[EN], &[q]);
    c.pause(a, "Training");
    c.pause(b, "Training");
    let one = c.arrive(1, q, EN);
    let two = c.arrive(2, q, EN);
    c.log_out(a, q);
    assert_eq!(c.router.waiting(q), vec![one, two], "one member is still logged in");
    c.log_out(b, q);
    assert_eq!(c.state(one), ItemState::Left(LeaveCause::LeftEmpty));
    assert_eq!(c.state(two), ItemState::Left(LeaveCause::LeftEmpty));
    assert!(left(&c, one, LeaveCause::LeftEmpty) && left(&c, two, LeaveCause::LeftEmpty));
    assert_eq!(c.router.waiting_count(q), 0);
    c.sound();
}

// ----- 5. Offers -----

#[test]
fn an_unanswered_offer_is_a_miss_and_the_item_keeps_its_place_and_age() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    c.pause(b, "Coffee");
    // t=10  offered to A (30 s to accept); t=15 another item waits behind it
    c.at(10);
    let first = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(first), Some(a));
    c.at(15);
    let second = c.arrive(2, q, EN);
    c.at(39);
    assert_eq!(c.offered_to(first), Some(a));
    // t=40  the offer lapses: a no-answer miss, and the item is back at the head of the queue
    c.at(40);
    assert!(closed(&c, first, a, OfferEnd::Expired));
    assert!(missed(&c, first, a, MissCause::NoAnswer));
    assert_eq!(c.router.waiting(q), vec![first, second]);
    assert_eq!((c.view(first).created_at, c.view(first).queued_at), (c.t(10), c.t(10)));
    assert_eq!(c.agent_view(a).consecutive_misses, 1);
    assert_eq!(c.agent_view(a).cool_down_until, c.t(50));
    // t=41  B comes back: the missed item, still first, is routed again
    c.at(41);
    c.ready(b, q);
    assert_eq!(c.offered_to(first), Some(b));
    assert_eq!(c.state(second), ItemState::Waiting);
    // t=50  A's cool-down ends: the next item
    c.at(50);
    assert_eq!(c.offered_to(second), Some(a));
    c.sound();
}

#[test]
fn a_rejected_offer_cools_the_agent_down_for_five_seconds() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.at(2);
    c.reject(a, item);
    assert!(closed(&c, item, a, OfferEnd::Rejected));
    assert!(missed(&c, item, a, MissCause::Rejected));
    assert_eq!(c.state(item), ItemState::Waiting);
    assert_eq!(c.why(item), "the only eligible agent is cooling down after a miss");
    c.at(6);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.at(7);
    assert_eq!(c.offered_to(item), Some(a));
    c.sound();
}

#[test]
fn a_busy_line_cools_the_agent_down_for_thirty_seconds() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let call = c.arrive(1, q, EN);
    c.at(1);
    c.ok(|r, now| r.busy(a, call, now));
    assert!(closed(&c, call, a, OfferEnd::Busy));
    assert!(missed(&c, call, a, MissCause::Busy));
    c.at(30);
    assert_eq!(c.state(call), ItemState::Waiting);
    c.at(31);
    assert_eq!(c.offered_to(call), Some(a));
    c.sound();
}

#[test]
fn three_misses_in_a_row_pause_the_agent() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    // t=1 reject; t=6 offered again, t=7 reject
    c.at(1);
    c.reject(a, item);
    c.at(6);
    assert_eq!(c.offered_to(item), Some(a));
    c.at(7);
    c.reject(a, item);
    assert_eq!(c.agent_view(a).consecutive_misses, 2);
    // t=12 offered again; t=42 it lapses: the third miss in a row
    c.at(12);
    assert_eq!(c.offered_to(item), Some(a));
    c.take_notices();
    c.at(42);
    assert!(c.notices.contains(&Notice::AutoPaused { agent: a }));
    let view = c.agent_view(a);
    assert_eq!(view.queues, vec![(q, QueueStatus::Paused("Missed offers".into()))]);
    assert_eq!(view.activity, Activity::Paused("Missed offers".into()));
    assert_eq!(view.consecutive_misses, 0);
    assert_eq!(c.state(item), ItemState::Waiting);
    c.at(100);
    assert_eq!(c.state(item), ItemState::Waiting, "a paused agent gets no offer");
    // Ready again: offered again.
    c.ready(a, q);
    assert_eq!(c.offered_to(item), Some(a));
    c.sound();
}

#[test]
fn an_acceptance_breaks_the_run_of_misses() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let one = c.arrive(1, q, EN);
    c.reject(a, one);
    c.at(5);
    c.reject(a, one);
    c.at(10);
    c.accept(a, one);
    assert_eq!(c.agent_view(a).consecutive_misses, 0);
    let two = c.arrive(2, q, EN);
    c.reject(a, two);
    assert_eq!(c.agent_view(a).queues, vec![(q, QueueStatus::Ready)], "one miss, not three in a row");
    c.sound();
}

#[test]
fn accepting_an_expired_or_someone_elses_offer_is_refused() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    c.at(2);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(item), Some(a));
    // B tries to take A's offer.
    let error = c.refused(|r, now| r.accept(b, item, now));
    assert_eq!(error, RoutingError::InvalidState("this offer is no longer open to you".into()));
    // A answers after the limit, before the expiry has been processed.
    let error = c.refused(|r, now| r.accept(a, item, now.plus_secs(30)));
    assert_eq!(error, RoutingError::InvalidState("this offer has expired".into()));
    // t=32  the expiry runs: the offer went on to B; A's late accept is refused.
    c.at(32);
    assert_eq!(c.offered_to(item), Some(b));
    let error = c.refused(|r, now| r.accept(a, item, now));
    assert_eq!(error, RoutingError::InvalidState("this offer is no longer open to you".into()));
    c.sound();
}

#[test]
fn acceptance_limits_default_to_twenty_seconds_for_calls_and_thirty_for_chats() {
    let mut c = Centre::new();
    let calls = c.queue(1, Slot::Voice, |_| {});
    let chats = c.queue(2, Slot::Email, |_| {});
    let a = c.agent(1, &[EN], &[calls]);
    let b = c.agent(2, &[EN], &[chats]);
    c.at(0);
    let call = c.arrive(1, calls, EN);
    let email = c.arrive(2, chats, EN);
    assert_eq!(c.state(call), ItemState::Offered { agents: vec![a], expires_at: c.t(20) });
    assert_eq!(c.state(email), ItemState::Offered { agents: vec![b], expires_at: c.t(30) });
    c.at(20);
    assert!(missed(&c, call, a, MissCause::NoAnswer));
    assert!(!missed(&c, email, b, MissCause::NoAnswer));
    c.sound();
}

#[test]
fn pausing_withdraws_an_open_offer_without_a_miss() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(item), Some(a));
    c.pause(a, "Coffee");
    assert!(closed(&c, item, a, OfferEnd::Withdrawn));
    assert!(!missed(&c, item, a, MissCause::NoAnswer) && !missed(&c, item, a, MissCause::Rejected));
    assert_eq!(c.agent_view(a).consecutive_misses, 0);
    assert_eq!(c.offered_to(item), Some(b));
    c.sound();
}

// ----- 6. Inactivity (C4) -----

#[test]
fn an_idle_conversation_prompts_its_agent_and_a_message_resets_the_clock() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.inactivity_secs = 60);
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    let prompts = |c: &Centre| c.notices.iter().filter(|n| **n == Notice::Inactive { item, agent: a }).count();
    c.at(59);
    assert_eq!(prompts(&c), 0);
    // t=60  a minute without activity
    c.at(60);
    assert_eq!(prompts(&c), 1);
    // t=90  the customer writes: the clock starts again
    c.at(90);
    c.message(item, true);
    c.at(149);
    assert_eq!(prompts(&c), 1);
    c.at(150);
    assert_eq!(prompts(&c), 2);
    c.sound();
}

// ----- 7. Defer (C5) -----

#[test]
fn a_deferred_item_frees_its_slot_and_returns_to_its_agent_at_the_time() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent_with(1, &[EN], &[q], |a| a.capacity[Slot::Messaging.index()] = Capacity { soft: 1, hard: 2 });
    c.at(0);
    let deferred = c.arrive(1, q, EN);
    c.accept(a, deferred);
    c.at(5);
    let next = c.arrive(2, q, EN);
    assert_eq!(c.state(next), ItemState::Waiting, "the agent is at capacity");
    // t=10  deferred for an hour: the slot is free for the waiting item
    c.at(10);
    let until = DeferUntil::Time(c.t(3610));
    c.ok(|r, now| r.defer(a, deferred, until, now));
    assert_eq!(c.state(deferred), ItemState::Deferred { agent: a, until });
    assert_eq!(c.offered_to(next), Some(a));
    c.accept(a, next);
    c.at(3609);
    assert_eq!(c.state(deferred), ItemState::Deferred { agent: a, until });
    // t=3610  back in progress with the same agent, by itself
    c.at(3610);
    assert_eq!(c.state(deferred), ItemState::Assigned { agent: a });
    assert!(c.notices.contains(&Notice::DeferReturned { item: deferred, agent: a }));
    assert_eq!(c.agent_view(a).load, [0, 2, 0]);
    c.sound();
}

#[test]
fn an_item_deferred_until_the_next_reply_returns_when_the_customer_writes() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.at(5);
    c.ok(|r, now| r.defer(a, item, DeferUntil::NextReply, now));
    assert_eq!(c.agent_view(a).load, [0, 0, 0]);
    // t=100  the agent's own message does not bring it back
    c.at(100);
    c.message(item, false);
    assert_eq!(c.state(item), ItemState::Deferred { agent: a, until: DeferUntil::NextReply });
    // t=200  the customer's does
    c.at(200);
    c.message(item, true);
    assert_eq!(c.state(item), ItemState::Assigned { agent: a });
    assert!(c.notices.contains(&Notice::DeferReturned { item, agent: a }));
    c.sound();
}

#[test]
fn resume_brings_a_deferred_item_back_early() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let b = c.agent(2, &[EN], &[q]);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    let until = DeferUntil::Time(c.t(3600));
    c.ok(|r, now| r.defer(a, item, until, now));
    // Only the agent who deferred it may resume it.
    let error = c.refused(|r, now| r.resume(b, item, now));
    assert!(matches!(error, RoutingError::InvalidState(_)), "{error:?}");
    // t=60  resumed early
    c.at(60);
    c.ok(|r, now| r.resume(a, item, now));
    assert_eq!(c.state(item), ItemState::Assigned { agent: a });
    assert_eq!(c.agent_view(a).load, [0, 1, 0]);
    // t=3600  the old time passes without effect
    c.take_notices();
    c.at(3600);
    assert_eq!(c.state(item), ItemState::Assigned { agent: a });
    assert!(!c.notices.iter().any(|n| matches!(n, Notice::DeferReturned { .. })), "{:?}", c.notices);
    c.sound();
}

#[test]
fn a_defer_in_the_past_or_beyond_366_days_is_refused() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.at(100);
    let past = DeferUntil::Time(c.t(50));
    let error = c.refused(|r, now| r.defer(a, item, past, now));
    assert_eq!(error, RoutingError::InvalidInput("a defer must end in the future".into()));
    let present = DeferUntil::Time(c.t(100));
    assert!(matches!(c.refused(|r, now| r.defer(a, item, present, now)), RoutingError::InvalidInput(_)));
    let too_far = DeferUntil::Time(c.t(100 + 366 * 86_400 + 1));
    let error = c.refused(|r, now| r.defer(a, item, too_far, now));
    assert_eq!(error, RoutingError::InvalidInput("a defer can last at most 366 days".into()));
    let furthest = DeferUntil::Time(c.t(100 + 366 * 86_400));
    c.ok(|r, now| r.defer(a, item, furthest, now));
    assert_eq!(c.state(item), ItemState::Deferred { agent: a, until: furthest });
    c.sound();
}

#[test]
fn a_deferred_item_whose_agent_has_logged_out_is_routed_again_keeping_its_age() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    c.at(10);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.ok(|r, now| r.transfer(a, item, TransferTarget::Agent(b), "call back tomorrow", now));
    c.accept(b, item);
    let until = DeferUntil::Time(c.t(3600));
    c.ok(|r, now| r.defer(b, item, until, now));
    c.log_out(b, q);
    // t=3600  B is gone: the item is routed again in its queue, keeping its age
    c.at(3600);
    assert_eq!(c.view(item).direct, None);
    assert_eq!(c.view(item).created_at, c.t(10));
    assert_eq!(c.offered_to(item), Some(a));
    c.sound();
}

/// An item deferred by an agent who then logs out comes back to the queue, where
/// a newer item waits; `keeps_age` is the setting under test.
fn defer_return_order(keeps_age: bool) -> Vec<InteractionId> {
    let mut c = Centre::with_settings(Settings { defer_keeps_age: keeps_age, ..Settings::default() });
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let b = c.agent(2, &[EN], &[q]);
    c.pause(b, "Meeting");
    c.at(0);
    let old = c.arrive(1, q, EN);
    c.accept(a, old);
    let until = DeferUntil::Time(c.t(3600));
    c.ok(|r, now| r.defer(a, old, until, now));
    c.log_out(a, q);
    c.at(100);
    c.arrive(2, q, EN);
    c.at(3600);
    assert_eq!(c.view(old).created_at, c.t(0), "the service-level clock is never reset");
    c.sound();
    c.router.waiting(q)
}

#[test]
fn a_deferred_item_returning_to_the_queue_keeps_its_age_unless_set_otherwise() {
    assert_eq!(defer_return_order(true), vec![InteractionId(1), InteractionId(2)]);
    assert_eq!(defer_return_order(false), vec![InteractionId(2), InteractionId(1)]);
}

// ----- 8. Transfer (C6) -----

#[test]
fn a_transfer_to_an_agent_is_offered_to_that_agent_only() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    let idle_longest = c.agent(3, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    let gone = c.agent(4, &[EN], &[q]);
    c.log_out(gone, q);
    c.at(10);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    // To a logged-out agent: refused, nothing changed.
    let error = c.refused(|r, now| r.transfer(a, item, TransferTarget::Agent(gone), "for you", now));
    assert_eq!(error, RoutingError::InvalidState("Agent 4 is logged out".into()));
    // t=20  to B, with a comment
    c.at(20);
    c.ok(|r, now| r.transfer(a, item, TransferTarget::Agent(b), "Refund approved, please confirm", now));
    assert_eq!(c.offered_to(item), Some(b), "not agent 3, though idle longer");
    let view = c.view(item);
    assert_eq!(view.direct, Some(Direct::Agent(b)));
    assert_eq!(view.queue, q);
    assert_eq!(view.created_at, c.t(10), "the service-level clock keeps running");
    assert_eq!(
        view.transfers,
        vec![TransferRecord {
            at: c.t(20),
            by: a,
            target: TransferTarget::Agent(b),
            comment: "Refund approved, please confirm".into()
        }]
    );
    assert_eq!(c.state(item), ItemState::Offered { agents: vec![b], expires_at: c.t(50) });
    assert_ne!(c.agent_view(idle_longest).open_offer, Some(item));
    c.accept(b, item);
    assert_eq!(c.state(item), ItemState::Assigned { agent: b });
    c.sound();
}

#[test]
fn a_transfer_to_a_team_goes_to_its_next_available_member() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let outsider = c.agent(4, &[EN], &[q]); // idle longer than the team, not in it
    c.at(2);
    let paused_member = c.agent_with(2, &[EN], &[q], |a| a.team = Some(TeamId(7)));
    c.pause(paused_member, "Lunch");
    let member = c.agent_with(3, &[EN], &[q], |a| a.team = Some(TeamId(7)));
    c.at(10);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    let error = c.refused(|r, now| r.transfer(a, item, TransferTarget::Team(TeamId(8)), "", now));
    assert_eq!(error, RoutingError::UnknownTeam(8));
    // t=20  to team 7: its only available member
    c.at(20);
    c.ok(|r, now| r.transfer(a, item, TransferTarget::Team(TeamId(7)), "billing question", now));
    assert_eq!(c.offered_to(item), Some(member));
    assert_eq!(c.view(item).direct, Some(Direct::Team(TeamId(7))));
    assert_eq!(c.agent_view(outsider).open_offer, None);
    c.accept(member, item);
    c.sound();
}

#[test]
fn a_transfer_to_a_skill_or_a_language_reaches_only_agents_with_it() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let idle_longest = c.agent(3, &[EN], &[q]);
    c.pause(idle_longest, "Back soon");
    let a = c.agent(1, &[EN], &[q]);
    let one = c.arrive(1, q, EN);
    let two = c.arrive(2, q, EN);
    c.accept(a, one);
    c.accept(a, two);
    c.ready(idle_longest, q);
    c.at(1);
    let tech = c.agent_with(2, &[EN], &[q], |a| a.skills = vec![(TECH, 1)]);
    let french = c.agent(4, &[FR], &[q]);
    // t=10  to the tech skill: only the tech agent
    c.at(10);
    c.ok(|r, now| r.transfer(a, one, TransferTarget::Skill(TECH), "router broken", now));
    assert_eq!(c.offered_to(one), Some(tech));
    assert_eq!(c.view(one).requirement.skills, SkillSet::of(TECH));
    // to French: only the French speaker
    c.ok(|r, now| r.transfer(a, two, TransferTarget::Language(FR), "parle français", now));
    assert_eq!(c.offered_to(two), Some(french));
    assert_eq!(c.view(two).requirement.language, FR);
    assert_eq!(c.view(two).transfers.last().unwrap().comment, "parle français");
    c.sound();
}

#[test]
fn a_transfer_to_a_queue_keeps_the_service_level_clock() {
    let mut c = Centre::new();
    let first = c.queue(1, Slot::Messaging, |_| {});
    let sales = c.queue(2, Slot::Messaging, |q| q.name = "Sales".into());
    let a = c.agent(1, &[EN], &[first]);
    let seller = c.agent(2, &[EN], &[sales]);
    c.at(0);
    let item = c.arrive(1, first, EN);
    c.accept(a, item);
    // t=30  to Sales
    c.at(30);
    c.ok(|r, now| r.transfer(a, item, TransferTarget::Queue(sales), "wants to upgrade", now));
    assert_eq!(c.offered_to(item), Some(seller));
    let view = c.view(item);
    assert_eq!((view.queue, view.created_at, view.queued_at), (sales, c.t(0), c.t(30)));
    assert_eq!(view.transfers[0].target, TransferTarget::Queue(sales));
    let created = c.t(0);
    assert!(c.events_of(item).iter().any(
        |e| matches!(e, RoutingEvent::Queued { queue, created_at, .. } if *queue == sales && *created_at == created)
    ));
    assert_eq!(c.agent_view(a).load, [0, 0, 0]);
    c.sound();
}

#[test]
fn work_transferred_to_an_agent_goes_back_to_its_queue_when_unassigned_or_transferred_on() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    c.at(0);
    let a = c.agent(1, &[EN], &[q]);
    c.at(1);
    let b = c.agent(2, &[EN], &[q]);
    c.at(2);
    let tech = c.agent_with(3, &[EN], &[q], |a| a.skills = vec![(TECH, 1)]);
    c.at(10);
    let one = c.arrive(1, q, EN);
    c.accept(a, one);
    c.ok(|r, now| r.transfer(a, one, TransferTarget::Agent(b), "yours", now));
    c.accept(b, one);
    // B sends it on to the tech skill: any tech agent of the queue, not B's direct line.
    c.at(20);
    c.ok(|r, now| r.transfer(b, one, TransferTarget::Skill(TECH), "needs tech", now));
    assert_eq!(c.view(one).direct, None);
    assert_eq!(c.offered_to(one), Some(tech));
    c.accept(tech, one);
    // A second item reaches B directly, and B gives it back: it returns to the queue, for anyone.
    let two = c.arrive(2, q, EN);
    assert_eq!(c.offered_to(two), Some(a));
    c.accept(a, two);
    c.ok(|r, now| r.transfer(a, two, TransferTarget::Agent(b), "yours", now));
    c.accept(b, two);
    c.pause(b, "Done for today");
    c.at(30);
    c.ok(|r, now| r.unassign(b, two, now));
    assert_eq!(c.view(two).direct, None);
    assert_eq!(c.view(two).queue, q);
    assert!(c.offered_to(two).is_some_and(|agent| agent != b), "{:?}", c.state(two));
    c.sound();
}

// ----- 9. Complete and wrap-up (C7, E3) -----

#[test]
fn timed_wrap_up_is_carried_across_queues_and_ends_by_itself() {
    let mut c = Centre::new();
    let calls = c.queue(1, Slot::Voice, |q| q.wrap_up = WrapUp::Timed { secs: 30 });
    let chats = c.queue(2, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[calls, chats]);
    c.at(0);
    let call = c.arrive(1, calls, EN);
    c.accept(a, call);
    // t=10  the call ends: 30 s of wrap-up
    c.at(10);
    c.complete(a, call);
    assert_eq!(c.state(call), ItemState::Completed);
    assert!(c.notices.contains(&Notice::WrapUp { agent: a, until: Some(Some(c.t(40))) }));
    assert_eq!(c.agent_view(a).wrap_up, Some(Some(c.t(40))));
    assert!(c.events_of(call).iter().any(|e| matches!(e, RoutingEvent::Completed { .. })));
    // t=15  a chat, from another queue: no offer during wrap-up
    c.at(15);
    let chat = c.arrive(2, chats, EN);
    assert_eq!(c.state(chat), ItemState::Waiting);
    assert_eq!(c.why(chat), "the only eligible agent is in wrap-up");
    c.at(39);
    assert_eq!(c.state(chat), ItemState::Waiting);
    // t=40  wrap-up over
    c.at(40);
    assert!(c.notices.contains(&Notice::WrapUp { agent: a, until: None }));
    assert!(c.events_of(call).iter().any(|e| matches!(e, RoutingEvent::WrapUpEnded { .. })));
    assert_eq!(c.offered_to(chat), Some(a));
    c.sound();
}

#[test]
fn wrap_up_until_ended_lasts_until_the_agent_ends_it() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.wrap_up = WrapUp::UntilEnded);
    let a = c.agent(1, &[EN], &[q]);
    let call = c.arrive(1, q, EN);
    c.accept(a, call);
    c.complete(a, call);
    assert_eq!(c.agent_view(a).wrap_up, Some(None));
    let next = c.arrive(2, q, EN);
    c.at(3600);
    assert_eq!(c.state(next), ItemState::Waiting, "still in wrap-up an hour later");
    c.ok(|r, now| r.end_wrap_up(a, now));
    assert_eq!(c.agent_view(a).wrap_up, None);
    assert_eq!(c.offered_to(next), Some(a));
    let error = c.refused(|r, now| r.end_wrap_up(a, now));
    assert_eq!(error, RoutingError::InvalidState("not in wrap-up".into()));
    c.sound();
}

#[test]
fn timed_wrap_up_can_be_ended_early() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.wrap_up = WrapUp::Timed { secs: 60 });
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let call = c.arrive(1, q, EN);
    c.accept(a, call);
    c.complete(a, call);
    let next = c.arrive(2, q, EN);
    // t=10  a supervisor ends it (H2)
    c.at(10);
    c.ok(|r, now| r.end_wrap_up(a, now));
    assert_eq!(c.offered_to(next), Some(a));
    c.sound();
}

#[test]
fn an_agents_wrap_up_overrides_the_queues() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |q| q.wrap_up = WrapUp::Timed { secs: 60 });
    let shorter = c.agent_with(1, &[EN], &[q], |a| a.wrap_up = Some(WrapUp::Timed { secs: 10 }));
    let none = c.agent_with(2, &[EN], &[q], |a| a.wrap_up = Some(WrapUp::None));
    let plain = c.agent(3, &[EN], &[q]);
    c.at(0);
    let calls: Vec<InteractionId> = (1..=3).map(|id| c.arrive(id, q, EN)).collect();
    for (&call, agent) in calls.iter().zip([shorter, none, plain]) {
        c.accept(agent, call);
        c.complete(agent, call);
    }
    assert_eq!(c.agent_view(shorter).wrap_up, Some(Some(c.t(10))));
    assert_eq!(c.agent_view(none).wrap_up, None);
    assert_eq!(c.agent_view(plain).wrap_up, Some(Some(c.t(60))));
    c.sound();
}

#[test]
fn smart_close_asks_the_customer_and_a_reply_continues_the_conversation() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let smart = SmartClose { timeout_secs: 120, wait_for_reply: false };
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    // t=10  the agent completes: the customer is asked
    c.at(10);
    c.ok(|r, now| r.complete(a, item, None, Some(smart), now));
    assert_eq!(c.state(item), ItemState::Closing { agent: a, asked: true, until: c.t(130) });
    assert!(c.notices.contains(&Notice::AskToClose { item }));
    assert_eq!(c.agent_view(a).load, [0, 1, 0], "still held while closing");
    // t=30  "Yes, one more thing": the conversation goes on
    c.at(30);
    c.message(item, true);
    assert_eq!(c.state(item), ItemState::Assigned { agent: a });
    c.at(130);
    assert_eq!(c.state(item), ItemState::Assigned { agent: a }, "the old timeout is void");
    // t=140  asked again; "No": completed
    c.at(140);
    c.ok(|r, now| r.complete(a, item, None, Some(smart), now));
    c.ok(|r, now| r.close_confirmed(item, now));
    assert_eq!(c.state(item), ItemState::Completed);
    assert_eq!(c.agent_view(a).load, [0, 0, 0]);
    c.sound();
}

#[test]
fn smart_close_completes_after_silence() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.ok(|r, now| r.complete(a, item, None, Some(SmartClose { timeout_secs: 120, wait_for_reply: false }), now));
    c.at(119);
    assert!(matches!(c.state(item), ItemState::Closing { .. }));
    c.at(120);
    assert_eq!(c.state(item), ItemState::Completed);
    assert!(c.events_of(item).iter().any(|e| matches!(e, RoutingEvent::Completed { .. })));
    c.sound();
}

#[test]
fn smart_close_waiting_for_a_reply_asks_only_after_the_customer_answers() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    // t=5  the agent writes last; t=10 completes, waiting for the customer's reply first
    c.at(5);
    c.message(item, false);
    c.at(10);
    c.take_notices();
    c.ok(|r, now| r.complete(a, item, None, Some(SmartClose { timeout_secs: 120, wait_for_reply: true }), now));
    assert!(matches!(c.state(item), ItemState::Closing { asked: false, .. }));
    assert!(!c.notices.contains(&Notice::AskToClose { item }), "not asked yet");
    // t=50  the customer replies: now the question is asked, the timeout runs from here
    c.at(50);
    c.message(item, true);
    assert_eq!(c.state(item), ItemState::Closing { agent: a, asked: true, until: c.t(170) });
    assert!(c.notices.contains(&Notice::AskToClose { item }));
    c.at(169);
    assert!(matches!(c.state(item), ItemState::Closing { .. }));
    c.at(170);
    assert_eq!(c.state(item), ItemState::Completed);
    c.sound();
}

// ----- 10. Resume from History (C8), unassign (D5) -----

#[test]
fn resume_from_history_brings_a_completed_item_back_in_progress() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.complete(a, item);
    assert_eq!(c.agent_view(a).load, [0, 0, 0]);
    c.at(100);
    c.ok(|r, now| r.resume(a, item, now));
    assert_eq!(c.state(item), ItemState::Assigned { agent: a });
    assert_eq!(c.agent_view(a).load, [0, 1, 0]);
    let error = c.refused(|r, now| r.resume(a, item, now));
    assert_eq!(error, RoutingError::InvalidState("only deferred or completed work can be resumed".into()));
    c.sound();
}

#[test]
fn unassign_gives_the_work_back_to_the_queue_with_its_age() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent_with(1, &[EN], &[q], |a| a.capacity[Slot::Messaging.index()] = Capacity { soft: 1, hard: 1 });
    c.at(0);
    let first = c.arrive(1, q, EN);
    c.accept(a, first);
    c.at(50);
    let second = c.arrive(2, q, EN);
    // t=90 the agent pauses; t=100 unassigns the first item
    c.at(90);
    c.pause(a, "End of shift");
    c.at(100);
    c.ok(|r, now| r.unassign(a, first, now));
    assert_eq!(c.state(first), ItemState::Waiting);
    assert_eq!(c.router.waiting(q), vec![first, second], "older than the one that waited meanwhile");
    assert_eq!(c.view(first).created_at, c.t(0));
    assert_eq!(c.agent_view(a).load, [0, 0, 0]);
    // t=110  the next agent gets it first
    c.at(110);
    let b = c.agent(2, &[EN], &[q]);
    assert_eq!(c.offered_to(first), Some(b));
    c.sound();
}

// ----- 11. Callbacks and abandons -----

#[test]
fn a_callback_keeps_its_place_and_is_never_abandoned() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.pause(a, "Meeting");
    c.at(0);
    let caller = c.arrive(1, q, EN);
    c.at(10);
    let other = c.arrive(2, q, EN);
    // t=20  the first caller asks to be called back and hangs up
    c.at(20);
    c.ok(|r, now| r.request_callback(caller, now));
    assert!(c.view(caller).callback);
    assert!(left(&c, caller, LeaveCause::Callback));
    assert!(c.events_of(caller).iter().any(|e| matches!(e, RoutingEvent::Queued { callback: true, .. })));
    c.ok(|r, now| r.customer_left(caller, now));
    assert_eq!(c.state(caller), ItemState::Waiting);
    assert!(!left(&c, caller, LeaveCause::Abandoned));
    // t=30  the other caller hangs up: abandoned
    c.at(30);
    c.ok(|r, now| r.customer_left(other, now));
    assert_eq!(c.state(other), ItemState::Left(LeaveCause::Abandoned));
    assert!(left(&c, other, LeaveCause::Abandoned));
    assert_eq!(c.router.waiting(q), vec![caller]);
    // t=40  the agent is back: the callback is first
    c.at(40);
    c.ready(a, q);
    assert_eq!(c.offered_to(caller), Some(a));
    c.sound();
}

#[test]
fn a_customer_leaving_during_an_offer_withdraws_it() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Voice, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let call = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(call), Some(a));
    c.ok(|r, now| r.customer_left(call, now));
    assert_eq!(c.state(call), ItemState::Left(LeaveCause::Abandoned));
    assert!(closed(&c, call, a, OfferEnd::Withdrawn));
    assert_eq!(c.agent_view(a).open_offer, None);
    assert_eq!(c.agent_view(a).consecutive_misses, 0, "not the agent's miss");
    c.sound();
}

// ----- 12. Campaigns (F3) -----

#[test]
fn agents_logged_into_a_campaign_are_offered_its_calls() {
    let mut c = Centre::new();
    let inbound = c.queue(1, Slot::Voice, |_| {});
    let campaign = c.queue(2, Slot::Voice, |q| {
        q.name = "Winback".into();
        q.campaign = true;
    });
    c.at(0);
    let inbound_only = c.agent(1, &[EN], &[inbound, campaign]);
    c.log_out(inbound_only, campaign);
    c.at(1);
    let dialler = c.agent(2, &[EN], &[campaign]);
    assert_eq!(c.router.logged_in_count(campaign), 1);
    let missed_call = c.arrive(1, campaign, EN);
    assert_eq!(c.offered_to(missed_call), Some(dialler), "agent 1 is not logged into the campaign");
    assert_eq!(c.view(missed_call).reason.unwrap().queue_name, "Winback");
    c.accept(dialler, missed_call);
    c.sound();
}

// ----- 13. Access removed while logged in (H3) -----

#[test]
fn an_agent_whose_access_is_removed_stays_logged_in_until_logging_out() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    c.ok(|r, now| r.remove_member(a, q, now));
    assert_eq!(c.agent_view(a).queues, vec![(q, QueueStatus::Ready)]);
    let item = c.arrive(1, q, EN);
    assert_eq!(c.offered_to(item), Some(a), "still logged in, still offered work");
    c.accept(a, item);
    c.complete(a, item);
    // Logging out ends the membership.
    c.log_out(a, q);
    assert_eq!(c.agent_view(a).queues, Vec::new());
    assert_eq!(c.router.logged_in_count(q), 0);
    let next = c.arrive(2, q, EN);
    assert_eq!(c.state(next), ItemState::Waiting);
    assert_eq!(c.why(next), "Queue 1 has no members");
    assert!(matches!(
        c.refused(|r, now| r.set_status(a, Some(q), &QueueStatus::Ready, now)),
        RoutingError::InvalidState(_)
    ));
    c.sound();
}

// ----- 14. Explanations -----

#[test]
fn an_offer_says_why_this_agent() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| {
        q.name = "Billing".into();
        q.skills = SkillSet::of(BILLING);
    });
    c.at(0);
    let a = c.agent_with(1, &[EN, FR], &[q], |a| a.skills = vec![(BILLING, 3), (TECH, 2)]);
    c.agent_with(2, &[EN], &[q], |a| a.skills = vec![(BILLING, 3)]);
    c.at(60);
    let item = c.arrive_with(1, q, FR, SkillSet::of(TECH), None);
    assert_eq!(c.offered_to(item), Some(a));
    assert!(offered_notice(&c, item));
    let reason = c.view(item).reason.unwrap();
    assert_eq!((reason.queue, reason.queue_name.as_str(), reason.strategy), (q, "Billing", Strategy::LongestIdle));
    assert_eq!(reason.language_code, "fr");
    assert_eq!(reason.skill_names, vec!["billing".to_owned(), "tech".to_owned()]);
    assert_eq!(
        reason.describe(),
        "longest idle (1 min), rank 1 of 2 ready in Billing; speaks FR; skills billing, tech"
    );
    c.sound();
}

#[test]
fn why_waiting_names_what_holds_the_item_back() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.name = "Billing".into());
    // Nobody logged in.
    let a = c.agent_with(1, &[EN], &[], |a| a.capacity[Slot::Messaging.index()] = Capacity { soft: 1, hard: 1 });
    c.member(a, q, 1, 0);
    let b = c.agent_with(2, &[EN], &[], |a| a.capacity[Slot::Messaging.index()] = Capacity { soft: 1, hard: 1 });
    c.member(b, q, 1, 0);
    let one = c.arrive(1, q, EN);
    assert_eq!(c.why(one), "nobody is logged into Billing");
    // Both at capacity.
    c.ready(a, q);
    c.accept(a, one);
    c.ready(b, q);
    let two = c.arrive(2, q, EN);
    c.accept(b, two);
    let three = c.arrive(3, q, EN);
    assert_eq!(c.why(three), "all 2 eligible agents at capacity");
    // Nobody with the language.
    let french = c.arrive(4, q, FR);
    assert_eq!(c.why(french), "no agent with French logged into Billing");
    // An offered item says so.
    c.complete(a, one);
    assert_eq!(c.offered_to(three), Some(a));
    assert_eq!(c.why(three), "offered to an agent, waiting for the answer");
    c.sound();
}

// ----- 15. Bad input -----

#[test]
fn commands_on_unknown_or_closed_items_are_refused_with_nothing_changed() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let a = c.agent(1, &[EN], &[q]);
    let ghost = InteractionId(404);
    let unknown = RoutingError::UnknownItem(404);
    assert_eq!(c.refused(|r, now| r.accept(a, ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.reject(a, ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.complete(a, ghost, None, None, now)), unknown);
    assert_eq!(c.refused(|r, now| r.defer(a, ghost, DeferUntil::NextReply, now)), unknown);
    assert_eq!(c.refused(|r, now| r.transfer(a, ghost, TransferTarget::Queue(q), "", now)), unknown);
    assert_eq!(c.refused(|r, now| r.unassign(a, ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.resume(a, ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.customer_left(ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.request_callback(ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.message(ghost, true, now)), unknown);
    assert_eq!(c.refused(|r, now| r.close_confirmed(ghost, now)), unknown);
    assert_eq!(c.refused(|r, now| r.force_assign(SUPERVISOR, ghost, a, now)), unknown);
    assert_eq!(c.refused(|r, now| r.accept(UserId(77), ghost, now)), RoutingError::UnknownAgent(77));

    let item = c.arrive(1, q, EN);
    c.accept(a, item);
    c.complete(a, item);
    let already_closed = RoutingError::InvalidState("this conversation is already closed".into());
    assert_eq!(c.refused(|r, now| r.complete(a, item, None, None, now)), already_closed);
    assert_eq!(c.refused(|r, now| r.defer(a, item, DeferUntil::NextReply, now)), already_closed);
    assert_eq!(c.refused(|r, now| r.transfer(a, item, TransferTarget::Queue(q), "", now)), already_closed);
    assert_eq!(c.refused(|r, now| r.unassign(a, item, now)), already_closed);
    assert_eq!(c.refused(|r, now| r.customer_left(item, now)), already_closed);
    assert_eq!(c.refused(|r, now| r.force_assign(SUPERVISOR, item, a, now)), already_closed);
    assert!(matches!(c.refused(|r, now| r.accept(a, item, now)), RoutingError::InvalidState(_)));
    assert!(matches!(c.refused(|r, now| r.close_confirmed(item, now)), RoutingError::InvalidState(_)));
    assert!(matches!(c.refused(|r, now| r.request_callback(item, now)), RoutingError::InvalidState(_)));
    let duplicate = c.try_arrive(1, q, EN, SkillSet::EMPTY, None);
    assert_eq!(duplicate, Err(RoutingError::DuplicateItem(1)));
    assert_eq!(c.state(item), ItemState::Completed);
    c.sound();
}

// ----- 16. The KPI log -----

#[test]
fn the_kpi_log_follows_an_item_and_its_agent_through_each_step() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.wrap_up = WrapUp::Timed { secs: 10 });
    let a = c.agent(1, &[EN], &[q]);
    c.at(0);
    let item = c.arrive(1, q, EN);
    c.at(5);
    c.accept(a, item);
    c.at(60);
    c.complete(a, item);
    c.at(70);
    let at = |e: &RoutingEvent| c.events.iter().find(|s| s.event == *e).map(|s| (s.at.0 - c.start.0) / 1000);
    let expected = [
        (RoutingEvent::Queued { item, queue: q, kind: QueueKind::Messaging, created_at: c.t(0), callback: false }, 0),
        (RoutingEvent::Offered { item, queue: q, agent: a }, 0),
        (RoutingEvent::Answered { item, queue: q, agent: a }, 5),
        (RoutingEvent::Completed { item, queue: q, agent: a }, 60),
        (RoutingEvent::WrapUpEnded { item, agent: a }, 70),
    ];
    assert_eq!(c.events_of(item), expected.iter().map(|(e, _)| e.clone()).collect::<Vec<_>>());
    for (event, secs) in &expected {
        assert_eq!(at(event), Some(*secs), "{event:?}");
    }
    let activities: Vec<(Activity, u32)> = c
        .events
        .iter()
        .filter_map(|s| match &s.event {
            RoutingEvent::Activity { agent, activity, slots_used, .. } if *agent == a => {
                Some((activity.clone(), *slots_used))
            }
            _ => None,
        })
        .collect();
    // Logged in idle; on work from the answer through the wrap-up; idle again.
    assert_eq!(activities, vec![(Activity::Idle, 0), (Activity::OnWork, 1), (Activity::Idle, 0)]);
    c.sound();
}
