//! `engine`: new interactions through the running engine, each committed to
//! SQLite (WAL) before anyone hears of it.
//!
//! 200 agents are signed in as clients of the engine's thread, as
//! workstations are. Customers write in at a steady rate (`--rate`, default
//! 5 000 a second) through the same entry the web widget uses; each contact
//! is stored, routed and offered, the agent's client accepts the offer and
//! later completes the work, so agents keep cycling. Arrival-to-offer is the
//! time from a customer's contact entering the engine to the offer reaching
//! the agent's client, which the engine sends only after the commit.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard::domain::{Channel, Language, QueueKind, Role, SystemClock, ThreadId, UserId};
use switchboard::engine::{Engine, EngineHandle, EngineOptions, EventStream, spawn};
use switchboard::protocol::{Command, Event, Hello, PROTOCOL_VERSION, Request};
use switchboard::sim::SimAction;
use switchboard::store::{Seed, SeedQueue, SeedUser, Store};

const AGENTS: usize = 200;
/// Interactions each agent holds at most before completing the oldest (below 3 chat slots).
const HELD_PER_AGENT: usize = 2;

/// Runs the scenario for `--seconds` (default 10) at `--rate` contacts a second.
pub fn run(args: &[String]) -> Result<String, String> {
    let seconds = super::option(args, "--seconds", 10.0)?;
    let rate = super::option(args, "--rate", 5000.0)?;
    let dir = std::env::temp_dir().join(format!("switchboard-bench-engine-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let result = measure(&dir, Duration::from_secs_f64(seconds), rate);
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

struct Agent {
    id: Option<UserId>,
    stream: EventStream,
    held: VecDeque<ThreadId>,
}

fn contact(n: u64) -> SimAction {
    let (channel, language) = match n % 10 {
        0..=4 => (Channel::WebChat, Language::En),
        5..=6 => (Channel::WebChat, Language::Fr),
        7..=8 => (Channel::Sms, Language::En),
        _ => (Channel::Email, Language::Fr),
    };
    SimAction::NewContact {
        customer_name: format!("Customer {n}"),
        language,
        channel,
        category: "billing".into(),
        subject: None,
        body: "Hello, my last bill is higher than usual and I would like to understand why.".into(),
    }
}

fn measure(dir: &std::path::Path, length: Duration, rate: f64) -> Result<String, String> {
    let mut store = Store::open(dir).map_err(|e| e.to_string())?;
    store.insert_seed(&seed(), chrono::Utc::now().timestamp_millis()).map_err(|e| e.to_string())?;
    let engine = Engine::open(store, Arc::new(SystemClock), &EngineOptions::default()).map_err(|e| e.to_string())?;
    let handle: EngineHandle = spawn(engine).map_err(|e| e.to_string())?;
    let mut agents = Vec::with_capacity(AGENTS);
    for i in 0..AGENTS {
        let hello = Hello { version: PROTOCOL_VERSION, login: format!("agent{i}"), resume_after: None };
        let stream = handle
            .connect_later(hello)
            .blocking_recv()
            .map_err(|_| "the engine stopped".to_owned())?
            .map_err(|e| e.to_string())?;
        agents.push(Agent { id: None, stream, held: VecDeque::new() });
    }
    let mut submitted: HashMap<u64, Instant> = HashMap::new();
    let mut latencies = Vec::new();
    let mut next_request = 1u64;
    let mut arrivals = 0u64;
    let started = Instant::now();
    let mut last_offer = started;
    while started.elapsed() < length {
        // An open loop: customers arrive on their schedule whether or not the engine keeps up.
        let due = (started.elapsed().as_secs_f64() * rate) as u64;
        while arrivals < due {
            submitted.insert(arrivals, Instant::now());
            handle.receive(contact(arrivals)).map_err(|e| e.to_string())?;
            arrivals += 1;
        }
        let mut idle = true;
        for agent in &mut agents {
            while let Ok(delivery) = agent.stream.events.try_recv() {
                for sequenced in delivery {
                    idle = false;
                    // Read in place: copying every shared event 200 times would measure this loop, not the engine.
                    match &*sequenced.event {
                        Event::Snapshot(snapshot) => agent.id = Some(snapshot.me),
                        Event::OfferMade(offer) if Some(offer.agent) == agent.id => {
                            let n: Option<u64> =
                                offer.customer_name.strip_prefix("Customer ").and_then(|n| n.parse().ok());
                            if let Some(at) = n.and_then(|n| submitted.remove(&n)) {
                                latencies.push(at.elapsed());
                                last_offer = Instant::now();
                            }
                            let accept = Command::AcceptOffer { interaction: offer.interaction };
                            handle
                                .request(agent.stream.connection, Request { id: next_request, command: accept })
                                .map_err(|e| e.to_string())?;
                            next_request += 1;
                            agent.held.push_back(offer.thread);
                            if agent.held.len() > HELD_PER_AGENT
                                && let Some(thread) = agent.held.pop_front()
                            {
                                let complete = Command::Complete { thread, disposition: None };
                                handle
                                    .request(agent.stream.connection, Request { id: next_request, command: complete })
                                    .map_err(|e| e.to_string())?;
                                next_request += 1;
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if idle {
            std::thread::sleep(Duration::from_micros(200));
        }
    }
    let elapsed = last_offer.duration_since(started).as_secs_f64().max(1e-9);
    let offered = latencies.len();
    handle.shutdown_blocking();
    latencies.sort_unstable();
    let pick =
        |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).map_or(0.0, |d| d.as_secs_f64() * 1e3);
    eprintln!(
        "engine: {arrivals} contacts sent at {rate:.0}/s; {offered} offered within the run, {} still waiting for an offer",
        submitted.len()
    );
    Ok(format!(
        r#"{{"offered_rate":{rate:.0},"arrivals_per_sec":{:.0},"p50_ms":{:.3},"p99_ms":{:.3},"interactions":{offered}}}"#,
        offered as f64 / elapsed,
        pick(0.50),
        pick(0.99)
    ))
}
