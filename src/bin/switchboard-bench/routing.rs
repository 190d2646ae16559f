//! `routing`: the distributor alone, on one core, at contact-centre scale.
//!
//! A centre of N agents in 500 queues (each agent in 5–20 of them, with
//! random languages and skill levels) is filled with 10 waiting items per
//! agent. Then, in steady state, agents finish work one at a time: each
//! completion frees a slot, the distributor offers that agent the next item,
//! the agent accepts, and a new item arrives in one of that agent's queues to
//! keep the backlog full. The time from completing to the next offer is
//! measured on one completion in eight.

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use switchboard::domain::{InteractionId, QueueId, Timestamp, UserId};
use switchboard::routing::{
    AgentConfig, Capacity, LanguageSet, Membership, NewItem, Notice, Outbox, QueueConfig, QueueStatus, Requirement,
    Router, Settings, SkillSet, Slot,
};

const QUEUES: u32 = 500;
const LANGUAGES: u8 = 4;
const SKILLS: u8 = 16;

/// The figures of one run.
pub struct Figures {
    agents: u32,
    items: u32,
    decisions_per_sec: f64,
    p50_us: f64,
    p99_us: f64,
    bytes_per_item: f64,
}

impl Figures {
    fn json(&self) -> String {
        format!(
            r#"{{"agents":{},"waiting_items":{},"decisions_per_sec":{:.0},"p50_us":{:.2},"p99_us":{:.2},"bytes_per_item":{:.0}}}"#,
            self.agents, self.items, self.decisions_per_sec, self.p50_us, self.p99_us, self.bytes_per_item
        )
    }
}

/// Runs the scenario; `--agents N` sets the size, `--growth` runs 1 000, 10 000 and 100 000.
pub fn run(args: &[String]) -> Result<String, String> {
    let seconds = super::option(args, "--seconds", 10.0)?;
    if args.iter().any(|a| a == "--growth") {
        let mut lines = Vec::new();
        for agents in [1_000, 10_000, 100_000] {
            let figures = measure(agents, Duration::from_secs_f64(seconds))?;
            eprintln!("{}", figures.json());
            lines.push(figures.json());
        }
        return Ok(format!(r#"{{"growth":[{}]}}"#, lines.join(",")));
    }
    let agents = super::option(args, "--agents", 10_000.0)? as u32;
    Ok(measure(agents, Duration::from_secs_f64(seconds))?.json())
}

fn at(ms: i64) -> Timestamp {
    Timestamp(1_800_000_000_000 + ms)
}

struct Centre {
    router: Router,
    rng: SmallRng,
    next_item: i64,
    now_ms: i64,
    /// Each queue and the two topics (skills) its work may need on top of its own.
    queues: Vec<(QueueId, [u8; 2])>,
    /// Per agent: the queues (by index) whose own skill it has, the languages it speaks, its skills.
    agents: Vec<(Vec<usize>, Vec<u8>, SkillSet)>,
    outbox: Outbox,
}

impl Centre {
    fn build(agents: u32) -> Self {
        let mut rng = SmallRng::seed_from_u64(7);
        let mut router = Router::new(Settings::default());
        let now = at(0);
        let mut queues = Vec::new();
        let mut queue_skills = Vec::new();
        let mut centre_agents = Vec::new();
        for q in 0..QUEUES {
            let slot = match q % 10 {
                0..=2 => Slot::Voice,
                3..=7 => Slot::Messaging,
                _ => Slot::Email,
            };
            let mut config = QueueConfig::new(QueueId(i64::from(q) + 1), format!("Queue {q}"), slot);
            // A third of the queues need one skill of their agents.
            if rng.random_ratio(1, 3) {
                config.skills = SkillSet::of(rng.random_range(0..SKILLS));
            }
            queues.push((config.id, [rng.random_range(0..SKILLS), rng.random_range(0..SKILLS)]));
            queue_skills.push(config.skills);
            router.upsert_queue(config, now);
        }
        for a in 0..agents {
            let id = UserId(i64::from(a) + 1);
            let spoken: Vec<u8> = (0..LANGUAGES).filter(|&l| l == 0 || rng.random_ratio(1, 3)).collect();
            let mut config = AgentConfig::new(id, format!("Agent {a}"), LanguageSet::of(&spoken));
            for skill in 0..SKILLS {
                if rng.random_ratio(1, 2) {
                    config.skills.push((skill, rng.random_range(1..=5)));
                }
            }
            config.capacity =
                [Capacity { soft: 1, hard: 1 }, Capacity { soft: 3, hard: 4 }, Capacity { soft: 2, hard: 3 }];
            config.no_digital_during_call = false;
            let held = config.skills.iter().fold(SkillSet::EMPTY, |set, &(skill, _)| set.with(SkillSet::of(skill)));
            router.upsert_agent(config, now);
            let count = rng.random_range(5..=20);
            let mut serves = Vec::new();
            for _ in 0..count {
                let q = rng.random_range(0..QUEUES) as usize;
                let membership = Membership { priority: rng.random_range(1..=3), delay_secs: 0 };
                if router.add_member(id, queues[q].0, membership, now).is_ok() && held.contains_all(queue_skills[q]) {
                    serves.push(q);
                }
            }
            centre_agents.push((serves, spoken, held));
        }
        Self { router, rng, next_item: 1, now_ms: 0, queues, agents: centre_agents, outbox: Outbox::default() }
    }

    fn now(&self) -> Timestamp {
        at(self.now_ms)
    }

    /// New work the agent could take, in one of its queues: each completion
    /// brings work where it freed room, so the busy agents stay as many as
    /// they were. Random arrivals alone would drift to work only a few can
    /// take, and the run would slowly empty out of busy agents.
    fn arrive_for(&mut self, agent: UserId) {
        let (serves, spoken, held) = &self.agents[(agent.0 - 1) as usize];
        if serves.is_empty() {
            return self.arrive();
        }
        let q = serves[self.rng.random_range(0..serves.len())];
        let language = if self.rng.random_ratio(3, 4) { 0 } else { spoken[self.rng.random_range(0..spoken.len())] };
        let topic = self.queues[q].1[self.rng.random_range(0..2)];
        let skills = if self.rng.random_ratio(1, 4) && held.contains_all(SkillSet::of(topic)) {
            SkillSet::of(topic)
        } else {
            SkillSet::EMPTY
        };
        self.arrive_in(q, language, skills);
    }

    /// New work in a queue for a random language and, for a quarter of it,
    /// one of the queue's two topics (which needs that skill).
    fn arrive(&mut self) {
        let q = self.rng.random_range(0..self.queues.len());
        let language = if self.rng.random_ratio(3, 4) { 0 } else { self.rng.random_range(1..LANGUAGES) };
        let topic = self.queues[q].1[self.rng.random_range(0..2)];
        let skills = if self.rng.random_ratio(1, 4) { SkillSet::of(topic) } else { SkillSet::EMPTY };
        self.arrive_in(q, language, skills);
    }

    fn arrive_in(&mut self, q: usize, language: u8, skills: SkillSet) {
        let (queue, _) = self.queues[q];
        let item = NewItem {
            id: InteractionId(self.next_item),
            queue,
            requirement: Requirement { language, skills },
            priority: Some(i32::from(self.rng.random_ratio(1, 10))),
            created_at: self.now(),
            callback: false,
        };
        self.next_item += 1;
        let now = self.now();
        let _ = self.router.arrive(&item, now);
    }

    /// Accepts every offer made since the last call; returns the agents who now hold work.
    fn accept_offers(&mut self, held: &mut VecDeque<(UserId, InteractionId)>) {
        let now = self.now();
        let mut out = std::mem::take(&mut self.outbox);
        self.router.drain_into(&mut out);
        for notice in &out.notices {
            if let Notice::Offered { item, agents, .. } = notice
                && let Some(&agent) = agents.first()
                && self.router.accept(agent, *item, now).is_ok()
            {
                held.push_back((agent, *item));
            }
        }
        self.outbox = out;
    }

    fn ready_everyone(&mut self, agents: u32) {
        let now = self.now();
        for a in 0..agents {
            let _ = self.router.set_status(UserId(i64::from(a) + 1), None, &QueueStatus::Ready, now);
        }
    }
}

fn rss_bytes() -> f64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1).and_then(|p| p.parse::<f64>().ok()))
        .map_or(0.0, |pages| pages * 4096.0)
}

fn measure(agents: u32, length: Duration) -> Result<Figures, String> {
    let items = agents * 10;
    let mut centre = Centre::build(agents);
    // Memory: the backlog arrives while everyone is logged out, so all of it waits.
    let before = rss_bytes();
    for _ in 0..items {
        centre.arrive();
    }
    let bytes_per_item = (rss_bytes() - before) / f64::from(items);
    eprintln!("routing: {agents} agents, {items} waiting, {bytes_per_item:.0} bytes per waiting item");
    // Everyone logs in: the distributor fills every free slot from the backlog.
    let mut held = VecDeque::new();
    centre.ready_everyone(agents);
    loop {
        let before = held.len();
        centre.accept_offers(&mut held);
        if held.len() == before {
            break;
        }
    }
    // Top the backlog up to its size again: the steady state runs with it full.
    let waiting_now = |c: &Centre| c.queues.iter().map(|(q, _)| c.router.waiting_count(*q)).sum::<u32>();
    while waiting_now(&centre) < items {
        centre.arrive();
    }
    centre.accept_offers(&mut held);
    let waiting = waiting_now(&centre);
    eprintln!("routing: {} items held, {waiting} waiting; steady state for {length:?}", held.len());
    let mut latencies = Vec::with_capacity(1 << 20);
    let decisions_before = centre.router.decisions();
    let started = Instant::now();
    while started.elapsed() < length {
        for n in 0..256 {
            centre.now_ms += 1;
            let Some((agent, item)) = held.pop_front() else { return Err("nobody holds work".into()) };
            let now = centre.now();
            // One completion in eight is timed: reading the clock twice per
            // completion would cost the loop more than the offer being timed.
            let t = (n % 8 == 0).then(Instant::now);
            centre.router.complete(agent, item, None, None, now).map_err(|e| e.to_string())?;
            if let Some(t) = t {
                latencies.push(t.elapsed());
            }
            centre.accept_offers(&mut held);
            centre.arrive_for(agent);
            centre.accept_offers(&mut held);
            centre.router.forget(item);
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let decisions = centre.router.decisions() - decisions_before;
    let open = centre.router.item_count();
    let still_waiting = waiting_now(&centre);
    eprintln!("routing: {decisions} decisions in {elapsed:.2} s; {open} items in memory, {still_waiting} waiting");
    latencies.sort_unstable();
    let pick =
        |q: f64| latencies.get(((latencies.len() as f64 - 1.0) * q) as usize).map_or(0.0, |d| d.as_secs_f64() * 1e6);
    Ok(Figures {
        agents,
        items: still_waiting,
        decisions_per_sec: decisions as f64 / elapsed,
        p50_us: pick(0.50),
        p99_us: pick(0.99),
        bytes_per_item,
    })
}
