//! The engine: owns the workspace's state, is the only writer to the store,
//! checks every command, runs the distributor and the demo generator, and
//! streams numbered events to connected users.
//!
//! `Engine` is synchronous and driven by an injected clock, so tests run it
//! step by step; [`spawn`] puts it on its own thread behind an [`EngineHandle`].

mod commands;
mod distribution;
mod hub;
mod runner;
mod sim_actions;
mod state;
#[cfg(test)]
mod tests;

pub use commands::preview;
pub use distribution::{AgentProfile, QueueProfile};
pub use hub::{Audience, ConnectionId, Delivery};
pub use runner::{EngineHandle, EventStream, spawn};

use crate::domain::{AgentStatus, Clock, InteractionId, InteractionState, QueueId, ThreadId, Timestamp, UserId};
use crate::protocol::{Command, CommandError, DemoState, Event, Hello, PROTOCOL_VERSION, Request, Sequenced};
use crate::routing::events::Stamped;
use crate::sim::{Sim, SimAction, SimOptions};
use crate::store::{Change, Store, StoreError};
use hub::{Hub, Resume};
use state::State;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::mpsc;

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Demo traffic, or none.
    pub demo: Option<SimOptions>,
    /// How many recent events are kept for resuming clients.
    pub history: usize,
    /// How many events may wait for a client before it is made to resume.
    pub client_buffer: usize,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self { demo: None, history: 8192, client_buffer: 4096 }
    }
}

/// Why the engine could not start.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Work to commit for one command or one timer step.
#[derive(Debug, Default)]
pub struct Plan {
    changes: Vec<Change>,
    events: Vec<(Audience, Event)>,
    /// A thread whose messages the actor asked to read.
    open_thread: Option<ThreadId>,
    /// A period whose phone figures the actor asked for.
    activity: Option<(Timestamp, Timestamp)>,
    /// Routing facts to fold into today's figures once committed.
    routing_events: Vec<Stamped>,
    /// Interactions the distributor finished, forgotten from memory once committed.
    finished: Vec<InteractionId>,
    /// The last interaction of a closed thread, read from the store for a resume.
    closed_interaction: Option<crate::domain::Interaction>,
}

/// The engine, driven step by step.
pub struct Engine {
    store: Store,
    state: State,
    hub: Hub,
    clock: Arc<dyn Clock>,
    sim: Option<Sim>,
    connections: HashMap<ConnectionId, UserId>,
    next_connection: ConnectionId,
    epoch: u64,
    client_buffer: usize,
    /// Midnight (UTC) of the day today's figures cover.
    day_start: Timestamp,
    /// Commands applied in memory and waiting for one commit (group commit).
    batch: Option<Batch>,
}

/// Work applied in memory, waiting for its commit.
#[derive(Debug, Default)]
struct Batch {
    changes: Vec<Change>,
    publish: Vec<Deferred>,
    routing_events: Vec<Stamped>,
    finished: Vec<InteractionId>,
}

/// What is sent once a batch is committed, in order.
#[derive(Debug)]
enum Deferred {
    Event(Audience, Event),
    Ack { user: UserId, request: u64, result: Result<(), CommandError> },
}

impl Engine {
    /// Opens the engine on a store, creating the demo workspace on first run.
    pub fn open(mut store: Store, clock: Arc<dyn Clock>, options: &EngineOptions) -> Result<Self, EngineError> {
        let now = clock.now();
        if !store.is_seeded()? {
            store.insert_seed(&crate::sim::demo_workspace(), now.0)?;
            tracing::info!(path = %store.path().display(), "created the demo workspace");
        }
        let workspace = store.load_workspace()?;
        let demo = match &options.demo {
            Some(_) => {
                Some(DemoState { paused: store.setting(state::DEMO_PAUSED_SETTING)?.as_deref() == Some("true") })
            }
            None => None,
        };
        let sim = options.demo.map(|o| Sim::new(o, &workspace, now));
        let (engine_state, stale) = load_state(&store, workspace, now, demo)?;
        let epoch = (now.0 as u64).rotate_left(17) ^ u64::from(std::process::id());
        let mut engine = Self {
            store,
            state: engine_state,
            hub: Hub::new(options.history),
            clock,
            sim,
            connections: HashMap::new(),
            next_connection: 1,
            epoch,
            client_buffer: options.client_buffer,
            day_start: start_of_day(now),
            batch: None,
        };
        engine.resume_routing(&stale, now);
        Ok(engine)
    }

    /// After loading from the store: offers do not survive (nobody is looking
    /// at them any more), so they went back to their queues keeping their place
    /// and age; then routing settles and its decisions are committed.
    fn resume_routing(&mut self, stale_offers: &[InteractionId], now: Timestamp) {
        let mut plan = Plan::default();
        for &interaction in stale_offers {
            self.state.plan_item(interaction, &mut plan, now);
        }
        self.state.router.advance(now);
        self.state.collect_routing(&mut plan, now);
        if let Err(error) = self.commit(plan, now) {
            tracing::warn!(%error, "routing could not resume from the stored state");
        }
    }

    /// The current time on the engine's clock.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Signs a client in: it receives a snapshot, or only the events it missed.
    pub fn connect(&mut self, hello: &Hello) -> Result<(ConnectionId, mpsc::Receiver<Delivery>), CommandError> {
        if hello.version != PROTOCOL_VERSION {
            return Err(CommandError::UnsupportedVersion { got: hello.version, expected: PROTOCOL_VERSION });
        }
        let user = self
            .state
            .users
            .values()
            .find(|u| u.login == hello.login && !u.simulated)
            .map(|u| u.id)
            .ok_or_else(|| CommandError::UnknownUser(hello.login.clone()))?;
        let (sender, receiver) = mpsc::channel(self.client_buffer);
        let replay = match hello.resume_after {
            Some(point) if point.epoch == self.epoch => match self.hub.resume(user, point.seq) {
                Resume::Replay(events) if events.len() < self.client_buffer => Some(events),
                _ => None,
            },
            _ => None,
        };
        let first = replay.unwrap_or_else(|| {
            let snapshot = self.state.snapshot(user, self.clock.now(), self.epoch);
            vec![Sequenced::new(self.hub.last_seq(), Event::Snapshot(Box::new(snapshot)))]
        });
        // Whatever was published and not yet handed out goes to the others first;
        // this client's snapshot or replay already includes it.
        self.hub.deliver();
        // The channel is new and empty, so this cannot fail.
        let _ = sender.try_send(first);
        let id = self.next_connection;
        self.next_connection += 1;
        self.hub.subscribe(id, user, sender);
        self.connections.insert(id, user);
        tracing::info!(connection = id, user = user.0, "client connected");
        Ok((id, receiver))
    }

    /// Forgets a connection.
    pub fn disconnect(&mut self, connection: ConnectionId) {
        self.hub.unsubscribe(connection);
        self.connections.remove(&connection);
    }

    /// Runs a request from a connection and acknowledges it once its effects are committed.
    pub fn handle(&mut self, connection: ConnectionId, request: &Request) {
        let Some(&user) = self.connections.get(&connection) else {
            tracing::warn!(connection, "request from an unknown connection dropped");
            return;
        };
        let result = self.execute(user, &request.command);
        if let Err(error) = &result {
            tracing::debug!(command = request.command.name(), %error, "command refused");
        }
        if let Some(batch) = &mut self.batch {
            batch.publish.push(Deferred::Ack { user, request: request.id, result });
        } else {
            self.hub.publish(Audience::User(user), Event::Ack { request: request.id, result });
            self.hub.deliver();
        }
    }

    /// Checks, commits and announces one command of `actor`.
    pub fn execute(&mut self, actor: UserId, command: &Command) -> Result<(), CommandError> {
        if self.batch.is_some()
            && matches!(command, Command::OpenThread { .. } | Command::Resume { .. } | Command::MyActivity { .. })
        {
            // These read the store, which must hold everything before them.
            self.flush();
            self.begin_batch();
        }
        let now = self.clock.now();
        let mut plan = Plan::default();
        if let Command::Resume { thread } = command
            && self.state.interaction_of(*thread).is_none()
        {
            plan.closed_interaction =
                self.store.last_interaction(*thread).map_err(|e| CommandError::Storage(e.to_string()))?;
        }
        self.state.plan_command(actor, command, now, &mut plan)?;
        self.state.collect_routing(&mut plan, now);
        if let Some(thread) = plan.open_thread {
            let storage = |e: StoreError| CommandError::Storage(e.to_string());
            if !self.state.threads.contains_key(&thread) && self.store.thread(thread).map_err(storage)?.is_none() {
                return Err(CommandError::NotFound { what: "thread".into(), id: thread.0 });
            }
            let messages = self.store.messages(thread).map_err(|e| CommandError::Storage(e.to_string()))?;
            plan.events.push((Audience::User(actor), Event::ThreadOpened { thread, messages }));
        }
        if let Some((from, to)) = plan.activity {
            let figures =
                self.store.activity_figures(actor, from, to).map_err(|e| CommandError::Storage(e.to_string()))?;
            plan.events.push((Audience::User(actor), Event::Activity { from, figures }));
        }
        self.commit(plan, now)
    }

    /// Writes a plan, then updates the state and sends its events. If the
    /// store refuses, the distributor (which decided first) is rebuilt from
    /// what was last committed, so nothing in memory runs ahead of the disk.
    fn commit(&mut self, plan: Plan, now: Timestamp) -> Result<(), CommandError> {
        if let Some(batch) = &mut self.batch {
            // Group commit: memory moves on now, so that the next command in
            // the batch sees this one; the disk and everyone else at flush.
            let mut events = Vec::new();
            for change in &plan.changes {
                self.state.apply(change, &mut events);
            }
            events.extend(plan.events);
            batch.changes.extend(plan.changes);
            batch.publish.extend(events.into_iter().map(|(audience, event)| Deferred::Event(audience, event)));
            batch.routing_events.extend(plan.routing_events);
            batch.finished.extend(plan.finished);
            return Ok(());
        }
        if let Err(e) = self.store.apply(&plan.changes) {
            tracing::error!(error = %e, "a change could not be saved");
            self.state.build_router(now);
            return Err(CommandError::Storage(e.to_string()));
        }
        let mut events = Vec::new();
        for change in &plan.changes {
            self.state.apply(change, &mut events);
        }
        events.extend(plan.events);
        self.committed(&plan.routing_events, &plan.finished);
        for (audience, event) in events {
            if let Some(sim) = &mut self.sim {
                sim.observe(&event, &self.state.users, now);
            }
            self.hub.publish(audience, event);
        }
        self.hub.deliver();
        Ok(())
    }

    /// Starts collecting commands into one transaction (group commit): each
    /// command still checks against everything before it, but the store
    /// commits once, at [`Engine::flush`], and only then are acknowledgements
    /// and events sent. Under load this turns many small commits into one.
    pub fn begin_batch(&mut self) {
        if self.batch.is_none() {
            self.batch = Some(Batch::default());
        }
    }

    /// Commits the batch, then acknowledges and announces everything in it.
    /// If the store refuses, the whole batch is refused: memory is reloaded
    /// from the store and every request in it is told that nothing was saved.
    pub fn flush(&mut self) {
        let Some(batch) = self.batch.take() else { return };
        let now = self.clock.now();
        if let Err(e) = self.store.apply(&batch.changes) {
            tracing::error!(error = %e, "a batch of changes could not be saved");
            self.reload(now);
            let refused = CommandError::Storage(e.to_string());
            for deferred in batch.publish {
                if let Deferred::Ack { user, request, .. } = deferred {
                    self.hub.publish(Audience::User(user), Event::Ack { request, result: Err(refused.clone()) });
                }
            }
            self.hub.deliver();
            return;
        }
        self.committed(&batch.routing_events, &batch.finished);
        for deferred in batch.publish {
            match deferred {
                Deferred::Event(audience, event) => {
                    if let Some(sim) = &mut self.sim {
                        sim.observe(&event, &self.state.users, now);
                    }
                    self.hub.publish(audience, event);
                }
                Deferred::Ack { user, request, result } => {
                    self.hub.publish(Audience::User(user), Event::Ack { request, result });
                }
            }
        }
        self.hub.deliver();
    }

    /// Once routing facts are stored: today's figures take them in, and
    /// finished work leaves the distributor's memory (History is in the store).
    fn committed(&mut self, routing_events: &[Stamped], finished: &[InteractionId]) {
        for stamped in routing_events {
            self.state.ledger.apply(stamped);
        }
        for id in finished {
            self.state.router.forget(*id);
            self.state.offer_reasons.remove(id);
            self.state.first_replies.remove(id);
        }
    }

    /// Everything in memory again from the store, after a refused batch.
    fn reload(&mut self, now: Timestamp) {
        let loaded =
            self.store.load_workspace().and_then(|workspace| load_state(&self.store, workspace, now, self.state.demo));
        match loaded {
            Ok((reloaded, offers_then)) => {
                self.state = reloaded;
                self.resume_routing(&offers_then, now);
            }
            Err(error) => {
                // The store cannot even be read: keep the last committed routing at least.
                tracing::error!(%error, "the workspace could not be reloaded after a refused batch");
                self.state.build_router(now);
            }
        }
    }

    /// Runs what is due: the distributor's timers (offers lapsing, defers
    /// returning, wrap-ups ending, overflow steps), then the demo's agenda,
    /// all in one transaction.
    pub fn tick(&mut self) {
        let batching = self.batch.is_some();
        self.begin_batch();
        self.tick_inner();
        if !batching {
            self.flush();
        }
    }

    fn tick_inner(&mut self) {
        let now = self.clock.now();
        self.state.router.advance(now);
        let mut plan = Plan::default();
        self.state.collect_routing(&mut plan, now);
        if (!plan.changes.is_empty() || !plan.events.is_empty())
            && let Err(error) = self.commit(plan, now)
        {
            tracing::error!(%error, "routing timers could not be saved");
        }
        if self.state.demo.is_some_and(|d| !d.paused) {
            self.run_sim(now);
        }
        self.roll_over_day(now);
    }

    /// Keeps only today's routing facts in memory; older days stay in the store.
    fn roll_over_day(&mut self, now: Timestamp) {
        let today = start_of_day(now);
        if self.day_start != today {
            self.day_start = today;
            self.state.ledger.forget_before(today);
        }
    }

    /// Today's figures for a queue, from the routing log (ROUTING.md's KPIs).
    #[must_use]
    pub fn queue_figures(&self, queue: QueueId) -> Option<crate::routing::kpi::QueueFigures> {
        let now = self.clock.now();
        let config = self.state.router.queue_config(queue)?;
        let target = crate::routing::kpi::ServiceTarget {
            answer_within: std::time::Duration::from_secs(u64::from(config.sla_secs)),
            short_abandon: std::time::Duration::from_secs(u64::from(config.short_abandon_secs)),
        };
        let today = crate::routing::kpi::Interval::new(start_of_day(now), now.plus_secs(1));
        Some(crate::routing::kpi::QueueFigures::compute(&self.state.ledger, queue, today, target, now))
    }

    /// Upkeep for quiet moments; true while more is left.
    pub fn tidy(&mut self) -> bool {
        self.store.tidy()
    }

    /// The newest interaction the engine created.
    #[must_use]
    pub fn newest_interaction(&self) -> Option<InteractionId> {
        self.state.newest_interaction_id()
    }

    /// The thread an open interaction carries.
    #[must_use]
    pub fn thread_of(&self, interaction: InteractionId) -> Option<ThreadId> {
        self.state.interactions.get(&interaction).map(|i| i.thread)
    }

    /// The distributor, read-only (explanations, figures, invariants).
    #[must_use]
    pub fn router(&self) -> &crate::routing::Router {
        &self.state.router
    }

    /// When [`Engine::tick`] next has something to do.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        let sim = match (&self.sim, self.state.demo) {
            (Some(sim), Some(demo)) if !demo.paused => sim.next_due(),
            _ => None,
        };
        [self.state.router.next_deadline(), sim].into_iter().flatten().min()
    }

    /// Takes in what a customer did on a channel (the web widget, webhooks, the
    /// demo generator) and routes any new work.
    pub fn receive(&mut self, action: SimAction) -> Result<(), CommandError> {
        let now = self.clock.now();
        let mut plan = Plan::default();
        self.plan_customer(action, now, &mut plan);
        self.state.collect_routing(&mut plan, now);
        self.commit(plan, now)
    }

    /// The engine run's id, used in resume points.
    #[must_use]
    pub fn epoch(&self) -> u64 {
        self.epoch
    }

    /// The store, for tests and diagnostics.
    #[must_use]
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, writable, for tests that break it on purpose.
    #[cfg(test)]
    pub(crate) fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// A user's current status.
    #[must_use]
    pub fn status_of(&self, user: UserId) -> Option<&AgentStatus> {
        self.state.users.get(&user).map(|u| &u.status)
    }
}

/// Midnight UTC of the day `now` falls in.
fn start_of_day(now: Timestamp) -> Timestamp {
    Timestamp(now.0 - now.0.rem_euclid(86_400_000))
}

/// The engine's memory from what the store loaded, with today's figures folded
/// from the stored routing log, and the offers that were open when it stopped.
fn load_state(
    store: &Store,
    workspace: crate::store::Workspace,
    now: Timestamp,
    demo: Option<DemoState>,
) -> Result<(State, Vec<InteractionId>), StoreError> {
    let open_offers = workspace
        .interactions
        .iter()
        .filter(|i| matches!(i.state, InteractionState::Offered { .. }))
        .map(|i| i.id)
        .collect();
    let stored = store.routing_events(start_of_day(now), now.plus_secs(1))?;
    let mut loaded = State::new(workspace, now, demo);
    loaded.ledger = crate::routing::kpi::Ledger::from_events(&distribution::decode_events(&stored));
    Ok((loaded, open_offers))
}
