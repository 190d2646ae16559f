use super::super::*;
use crate::domain::{InteractionId, InteractionState, QueueId, ThreadId};
use proptest::prelude::*;

fn queue() -> Queue {
    Queue {
        id: QueueId(1),
        name: "Billing".into(),
        kind: QueueKind::Messaging,
        language: None,
        acceptance_limit_secs: 30,
        sla_percent: 80,
        sla_secs: 60,
        members: vec![UserId(1), UserId(2), UserId(3)],
    }
}

const EN: &[Language] = &[Language::En];
const EN_FR: &[Language] = &[Language::En, Language::Fr];

fn agent(id: i64, idle_since: i64, status: &AgentStatus, languages: &'static [Language]) -> AgentView<'static> {
    let status: &'static AgentStatus = Box::leak(Box::new(status.clone()));
    AgentView {
        id: UserId(id),
        name: "agent",
        status,
        languages,
        idle_since: Timestamp(idle_since),
        load: 0,
        has_open_offer: false,
        cool_down_until: Timestamp(0),
    }
}

#[test]
fn longest_idle_ready_agent_gets_the_offer() {
    let agents = [
        agent(1, 5_000, &AgentStatus::Ready, EN),
        agent(2, 1_000, &AgentStatus::Ready, EN),
        agent(3, 0, &AgentStatus::Paused { reason: "Lunch".into() }, EN),
    ];
    let choice = choose_agent(&queue(), Language::En, agents, Timestamp(65_000)).unwrap();
    assert_eq!(choice.agent, UserId(2));
    assert!(choice.reason.contains("longest idle (1 min) of 2 eligible agents in Billing"), "{}", choice.reason);
}

#[test]
fn language_capacity_offers_and_cool_down_exclude_agents() {
    let now = Timestamp(100_000);
    let mut busy = agent(1, 0, &AgentStatus::Ready, EN_FR);
    busy.load = capacity(QueueKind::Messaging);
    let mut offered = agent(2, 0, &AgentStatus::Ready, EN_FR);
    offered.has_open_offer = true;
    let mut cooling = agent(3, 0, &AgentStatus::Ready, EN_FR);
    cooling.cool_down_until = Timestamp(100_001);
    assert_eq!(choose_agent(&queue(), Language::Fr, [busy, offered, cooling], now), None);
    let english_only = agent(1, 0, &AgentStatus::Ready, EN);
    assert_eq!(choose_agent(&queue(), Language::Fr, [english_only], now), None);
}

#[test]
fn agents_outside_the_queue_are_never_chosen() {
    let outsider = agent(9, 0, &AgentStatus::Ready, EN);
    assert_eq!(choose_agent(&queue(), Language::En, [outsider], Timestamp(1)), None);
}

fn interaction(id: i64, priority: i32, created_at: i64) -> Interaction {
    Interaction {
        id: InteractionId(id),
        thread: ThreadId(id),
        queue: QueueId(1),
        priority,
        state: InteractionState::Waiting,
        created_at: Timestamp(created_at),
        queued_at: Timestamp(created_at),
    }
}

proptest! {
    #[test]
    fn waiting_order_is_priority_then_age(items in proptest::collection::vec((0i32..3, 0i64..1000), 0..40)) {
        let owned: Vec<Interaction> =
            items.iter().enumerate().map(|(i, (p, t))| interaction(i as i64, *p, *t)).collect();
        let mut order: Vec<&Interaction> = owned.iter().collect();
        sort_waiting(&mut order);
        for pair in order.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            prop_assert!(a.priority > b.priority || (a.priority == b.priority && a.created_at <= b.created_at));
        }
    }

    #[test]
    fn the_chosen_agent_is_always_eligible_and_longest_idle(
        idles in proptest::collection::vec((0i64..10_000, any::<bool>(), 0u32..4), 1..8)
    ) {
        let now = Timestamp(20_000);
        let agents: Vec<AgentView<'static>> = idles
            .iter()
            .enumerate()
            .map(|(i, (idle, ready, load))| {
                let status = if *ready { AgentStatus::Ready } else { AgentStatus::LoggedOut };
                let mut a = agent(i as i64 + 1, *idle, &status, EN);
                a.load = *load;
                a
            })
            .collect();
        let mut q = queue();
        q.members = (1..=8).map(UserId).collect();
        match choose_agent(&q, Language::En, agents.clone(), now) {
            Some(choice) => {
                let chosen = agents.iter().find(|a| a.id == choice.agent && is_eligible(a, &q, Language::En, now));
                prop_assert!(chosen.is_some());
                let best_idle = agents.iter().filter(|a| is_eligible(a, &q, Language::En, now)).map(|a| a.idle_since).min();
                prop_assert_eq!(Some(chosen.unwrap().idle_since), best_idle);
            }
            None => prop_assert!(agents.iter().all(|a| !is_eligible(a, &q, Language::En, now))),
        }
    }
}
