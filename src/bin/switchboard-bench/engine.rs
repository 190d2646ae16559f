//! `engine`: new interactions through the whole engine, each committed to
//! SQLite (WAL) before it is acknowledged.
//!
//! 200 agents work four queues. Customers write in as fast as the engine
//! takes them; each new interaction is routed, offered, accepted and later
//! completed, so the agents keep cycling and every arrival finds a free slot.
//! Arrival-to-offer is the time the engine takes to store the new contact,
//! route it and commit the offer.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard::domain::{
    Channel, InteractionId, Language, ManualClock, QueueKind, Role, ThreadId, Timestamp, UserId,
};
use switchboard::engine::{Engine, EngineOptions};
use switchboard::protocol::Command;
use switchboard::routing::ItemState;
use switchboard::sim::SimAction;
use switchboard::store::{Seed, SeedQueue, SeedUser, Store};

const AGENTS: usize = 200;
/// Interactions held at once across all agents (below their 600 chat slots).
const HELD: usize = 300;

/// Runs the scenario for `--seconds` (default 10).
pub fn run(args: &[String]) -> Result<String, String> {
    let seconds = super::option(args, "--seconds", 10.0)?;
    let dir = std::env::temp_dir().join(format!("switchboard-bench-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = measure(&dir, Duration::from_secs_f64(seconds));
    let _ = std::fs::remove_dir_all(&dir);
    result
}

fn seed() -> Seed {
    let users = (0..AGENTS)
        .map(|i| SeedUser {
            name: format!("Agent {i}"),
            login: format!("agent{i}"),
            role: Role::Agent,
            team: Some(0),
            languages: vec![Language::En, Language::Fr],
            simulated: false,
            ready: true,
            routing: None,
        })
        .collect();
    let everyone: Vec<usize> = (0..AGENTS).collect();
    let queue = |name: &str, kind, language| SeedQueue {
        name: name.to_owned(),
        kind,
        language,
        acceptance_limit_secs: 30,
        sla_percent: 80,
        sla_secs: 60,
        members: everyone.clone(),
        routing: None,
    };
    Seed {
        teams: vec!["Support".into()],
        users,
        queues: vec![
            queue("Chat — English", QueueKind::Messaging, Some(Language::En)),
            queue("Chat — Français", QueueKind::Messaging, Some(Language::Fr)),
            queue("Social & SMS", QueueKind::Messaging, None),
            queue("Email", QueueKind::Email, None),
        ],
        categories: vec![("billing".into(), "Billing".into())],
        pause_reasons: vec!["Break".into()],
        ..Seed::default()
    }
}

fn measure(dir: &std::path::Path, length: Duration) -> Result<String, String> {
    let start = Timestamp(1_800_000_000_000);
    let clock = ManualClock::new(start);
    let mut store = Store::open(dir).map_err(|e| e.to_string())?;
    store.insert_seed(&seed(), start.0).map_err(|e| e.to_string())?;
    let mut engine =
        Engine::open(store, Arc::new(clock.clone()), &EngineOptions::default()).map_err(|e| e.to_string())?;
    let mut rng = SmallRng::seed_from_u64(11);
    let mut held: VecDeque<(UserId, ThreadId)> = VecDeque::new();
    let mut latencies = Vec::new();
    let mut arrivals = 0u64;
    let mut unrouted = 0u64;
    let started = Instant::now();
    while started.elapsed() < length {
        clock.advance_millis(1);
        let (channel, language) = match rng.random_range(0..10) {
            0..=4 => (Channel::WebChat, Language::En),
            5..=6 => (Channel::WebChat, Language::Fr),
            7..=8 => (Channel::Sms, Language::En),
            _ => (Channel::Email, Language::Fr),
        };
        let contact = SimAction::NewContact {
            customer_name: format!("Customer {arrivals}"),
            language,
            channel,
            category: "billing".into(),
            subject: None,
            body: "Hello, my last bill is higher than usual and I would like to understand why.".into(),
        };
        let t = Instant::now();
        engine.receive(contact).map_err(|e| e.to_string())?;
        let took = t.elapsed();
        arrivals += 1;
        let id: InteractionId = engine.newest_interaction().ok_or("no interaction was created")?;
        let offered = engine.router().item(id).and_then(|v| match v.state {
            ItemState::Offered { agents, .. } => agents.first().copied(),
            _ => None,
        });
        let Some(agent) = offered else {
            unrouted += 1;
            continue;
        };
        latencies.push(took);
        engine.execute(agent, &Command::AcceptOffer { interaction: id }).map_err(|e| e.to_string())?;
        let thread = engine.thread_of(id).ok_or("the accepted interaction has no thread")?;
        held.push_back((agent, thread));
        while held.len() > HELD {
            let Some((agent, thread)) = held.pop_front() else { break };
            engine.execute(agent, &Command::Complete { thread, disposition: None }).map_err(|e| e.to_string())?;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let pick =
        |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3);
    eprintln!(
        "engine: {arrivals} interactions in {elapsed:.2} s (each routed, accepted and completed); {unrouted} not offered at once"
    );
    Ok(format!(
        r#"{{"arrivals_per_sec":{:.0},"p50_ms":{:.3},"p99_ms":{:.3},"interactions":{arrivals}}}"#,
        arrivals as f64 / elapsed,
        pick(0.50),
        pick(0.99)
    ))
}
