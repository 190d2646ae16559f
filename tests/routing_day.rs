//! A working day of demo traffic through the embedded engine on a manual
//! clock: every contact is placed by the routing core, the distributor's
//! invariants hold throughout, what it holds matches what the store holds,
//! and the service level it reports is what an independent count of the
//! stored routing log gives, before and after a restart.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

use std::collections::HashMap;
use std::sync::Arc;
use switchboard::domain::{InteractionId, InteractionState, ManualClock, QueueId, Timestamp};
use switchboard::engine::{Engine, EngineOptions};
use switchboard::routing::ItemState;
use switchboard::routing::events::{LeaveCause, RoutingEvent, Stamped};
use switchboard::sim::SimOptions;
use switchboard::store::Store;

/// Monday 23 November 2026, 08:00 UTC.
const OPENING: Timestamp = Timestamp(1_795_420_800_000);
const DAY_HOURS: i64 = 8;

fn open(dir: &std::path::Path, clock: &ManualClock) -> Engine {
    let options = EngineOptions { demo: Some(SimOptions { rate: 7.0, seed: 2026 }), ..EngineOptions::default() };
    Engine::open(Store::open(dir).unwrap(), Arc::new(clock.clone()), &options).unwrap()
}

/// Standard service level counted straight from the stored log, as ROUTING.md
/// defines it: answered within T of creation ÷ (answered + abandoned or timed
/// out after the short-abandon threshold); callbacks and transfers aside.
fn count_service_level(log: &[Stamped], queue: QueueId, within_ms: i64, short_ms: i64) -> Option<f64> {
    let mut visit: HashMap<InteractionId, (Timestamp, Timestamp)> = HashMap::new();
    let (mut within, mut answered, mut abandoned) = (0u32, 0u32, 0u32);
    for stamped in log {
        match &stamped.event {
            RoutingEvent::Queued { item, queue: q, created_at, callback, .. } if *q == queue && !callback => {
                visit.insert(*item, (*created_at, stamped.at));
            }
            RoutingEvent::Answered { item, queue: q, .. } if *q == queue => {
                if let Some((created, _)) = visit.remove(item) {
                    answered += 1;
                    if stamped.at.0 - created.0 <= within_ms {
                        within += 1;
                    }
                }
            }
            RoutingEvent::Left { item, queue: q, cause } if *q == queue => {
                if let Some((_, queued)) = visit.remove(item)
                    && matches!(cause, LeaveCause::Abandoned | LeaveCause::TimedOut)
                    && stamped.at.0 - queued.0 >= short_ms
                {
                    abandoned += 1;
                }
            }
            _ => {}
        }
    }
    let denominator = answered + abandoned;
    (denominator > 0).then(|| f64::from(within) / f64::from(denominator))
}

/// What the store holds for open work agrees with the distributor.
fn store_agrees(engine: &Engine) {
    let stored = engine.store().load_workspace().unwrap().interactions;
    for interaction in stored {
        let view = engine.router().item(interaction.id).expect("open work is known to the distributor");
        let agrees = match (interaction.state, &view.state) {
            (InteractionState::Waiting, ItemState::Waiting) => true,
            (InteractionState::Offered { agent, .. }, ItemState::Offered { agents, .. }) => agents.contains(&agent),
            (
                InteractionState::Assigned { agent } | InteractionState::Deferred { agent, .. },
                ItemState::Assigned { agent: a }
                | ItemState::Closing { agent: a, .. }
                | ItemState::Deferred { agent: a, .. },
            ) => {
                agent == *a
                    && matches!(
                        (interaction.state, &view.state),
                        (InteractionState::Deferred { .. }, ItemState::Deferred { .. })
                            | (
                                InteractionState::Assigned { .. },
                                ItemState::Assigned { .. } | ItemState::Closing { .. }
                            )
                    )
            }
            _ => false,
        };
        assert!(
            agrees,
            "interaction {} is {:?} in the store but {:?} in routing",
            interaction.id.0, interaction.state, view.state
        );
    }
}

#[test]
fn a_day_of_demo_traffic_is_routed_soundly_and_its_service_level_adds_up() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(OPENING);
    let mut engine = open(dir.path(), &clock);
    let closing = OPENING.plus_secs(DAY_HOURS * 3600);
    let mut steps = 0u32;
    while clock_now(&clock) < closing {
        let next = engine.next_deadline().unwrap_or(closing).min(clock_now(&clock).plus_secs(5));
        let wait = next.0 - clock_now(&clock).0;
        clock.advance_millis(wait.max(1));
        engine.tick();
        steps += 1;
        if steps.is_multiple_of(500) {
            let broken = engine.router().audit(clock_now(&clock));
            assert!(broken.is_empty(), "at step {steps}: {broken:#?}");
            store_agrees(&engine);
        }
    }
    let now = clock_now(&clock);
    assert!(engine.router().audit(now).is_empty());
    store_agrees(&engine);

    let log: Vec<Stamped> = engine
        .store()
        .routing_events(OPENING, now.plus_secs(1))
        .unwrap()
        .iter()
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    let answered = log.iter().filter(|s| matches!(s.event, RoutingEvent::Answered { .. })).count();
    assert!(answered > 1000, "a busy day: {answered} interactions answered");

    let queues: Vec<QueueId> = (1..=6).map(QueueId).collect();
    let mut before_restart = Vec::new();
    for &queue in &queues {
        let figures = engine.queue_figures(queue).unwrap();
        let config = engine.router().queue_config(queue).unwrap();
        let counted = count_service_level(
            &log,
            queue,
            i64::from(config.sla_secs) * 1000,
            i64::from(config.short_abandon_secs) * 1000,
        );
        assert_eq!(figures.service_level.standard, counted, "queue {}: engine and stored log agree", queue.0);
        before_restart.push(figures.service_level);
    }

    // The figures survive a restart: today's log is read back from the store.
    drop(engine);
    let engine = open(dir.path(), &clock);
    for (queue, before) in queues.iter().zip(before_restart) {
        let after = engine.queue_figures(*queue).unwrap().service_level;
        assert_eq!(after.standard, before.standard, "queue {} after a restart", queue.0);
        assert_eq!(after.answered, before.answered, "queue {} after a restart", queue.0);
    }
    assert!(engine.router().audit(clock_now(&clock)).is_empty());
    store_agrees(&engine);
}

fn clock_now(clock: &ManualClock) -> Timestamp {
    use switchboard::domain::Clock;
    clock.now()
}
