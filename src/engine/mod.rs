//! The engine: owns the workspace's state, is the only writer to the store,
//! checks every command, runs the distributor and the demo generator, and
//! streams numbered events to connected users.
//!
//! `Engine` is synchronous and driven by an injected clock, so tests run it
//! step by step; [`spawn`] puts it on its own thread behind an [`EngineHandle`].

mod commands;
mod hub;
mod runner;
mod sim_actions;
mod state;
#[cfg(test)]
mod tests;

pub use commands::preview;
pub use hub::{Audience, ConnectionId};
pub use runner::{EngineHandle, EventStream, spawn};

use crate::domain::{AgentStatus, Clock, InteractionState, ThreadId, ThreadStatus, Timestamp, UserId};
use crate::protocol::{
    Command, CommandError, DemoState, Event, Hello, OfferOutcome, PROTOCOL_VERSION, Request, Sequenced,
};
use crate::routing::{self, MISS_COOL_DOWN_SECS, MISSED_OFFERS_REASON, MISSES_BEFORE_AUTO_PAUSE};
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
    /// Agents who just got or finished work (longest-idle bookkeeping).
    idle: Vec<UserId>,
    /// Agents who accepted an offer (their miss streak ends).
    accepted: Vec<UserId>,
    /// Agents who declined or let an offer lapse.
    missed: Vec<UserId>,
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
        let state = State::new(workspace, now, demo);
        let epoch = (now.0 as u64).rotate_left(17) ^ u64::from(std::process::id());
        let mut engine = Self {
            store,
            state,
            hub: Hub::new(options.history),
            clock,
            sim,
            connections: HashMap::new(),
            next_connection: 1,
            epoch,
            client_buffer: options.client_buffer,
        };
        engine.withdraw_stale_offers();
        engine.route();
        Ok(engine)
    }

    /// Offers do not survive a restart: nobody is looking at them any more,
    /// so they go back to their queues, keeping their place and age.
    fn withdraw_stale_offers(&mut self) {
        let now = self.clock.now();
        let stale: Vec<_> = self
            .state
            .interactions
            .values()
            .filter(|i| matches!(i.state, InteractionState::Offered { .. }))
            .map(|i| i.id)
            .collect();
        if stale.is_empty() {
            return;
        }
        let mut plan = Plan::default();
        for interaction in stale {
            self.state.plan_return_to_queue(interaction, OfferOutcome::Withdrawn, &mut plan);
        }
        if let Err(error) = self.commit(plan, now) {
            tracing::warn!(%error, "offers left from the last run could not be withdrawn");
        }
    }

    /// The current time on the engine's clock.
    #[must_use]
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Signs a client in: it receives a snapshot, or only the events it missed.
    pub fn connect(&mut self, hello: &Hello) -> Result<(ConnectionId, mpsc::Receiver<Sequenced>), CommandError> {
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
            vec![Sequenced { seq: self.hub.last_seq(), event: Event::Snapshot(Box::new(snapshot)) }]
        });
        for event in first {
            // The channel is new and larger than the replay, so this cannot fail.
            let _ = sender.try_send(event);
        }
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
        self.hub.publish(Audience::User(user), Event::Ack { request: request.id, result });
        self.route();
    }

    /// Checks, commits and announces one command of `actor`.
    pub fn execute(&mut self, actor: UserId, command: &Command) -> Result<(), CommandError> {
        let now = self.clock.now();
        let mut plan = Plan::default();
        self.state.plan_command(actor, command, now, &mut plan)?;
        if let Some(thread) = plan.open_thread {
            let storage = |e: StoreError| CommandError::Storage(e.to_string());
            if !self.state.threads.contains_key(&thread) && self.store.thread(thread).map_err(storage)?.is_none() {
                return Err(CommandError::NotFound { what: "thread".into(), id: thread.0 });
            }
            let messages = self.store.messages(thread).map_err(|e| CommandError::Storage(e.to_string()))?;
            plan.events.push((Audience::User(actor), Event::ThreadOpened { thread, messages }));
        }
        self.commit(plan, now)
    }

    /// Writes a plan, then updates the state and sends its events.
    fn commit(&mut self, plan: Plan, now: Timestamp) -> Result<(), CommandError> {
        self.store.apply(&plan.changes).map_err(|e| {
            tracing::error!(error = %e, "a change could not be saved");
            CommandError::Storage(e.to_string())
        })?;
        let mut events = Vec::new();
        for change in &plan.changes {
            self.state.apply(change, &mut events);
        }
        events.extend(plan.events);
        for user in plan.idle {
            self.state.runtime(user, now).idle_since = now;
        }
        for user in plan.accepted {
            self.state.runtime(user, now).consecutive_misses = 0;
        }
        let mut auto_pause = Vec::new();
        for user in plan.missed {
            let runtime = self.state.runtime(user, now);
            runtime.cool_down_until = now.plus_secs(MISS_COOL_DOWN_SECS);
            runtime.consecutive_misses += 1;
            if runtime.consecutive_misses >= MISSES_BEFORE_AUTO_PAUSE {
                auto_pause.push(user);
            }
        }
        for (audience, event) in events {
            if let Some(sim) = &mut self.sim {
                sim.observe(&event, &self.state.users, now);
            }
            self.hub.publish(audience, event);
        }
        for user in auto_pause {
            self.auto_pause(user, now);
        }
        Ok(())
    }

    fn auto_pause(&mut self, user: UserId, now: Timestamp) {
        if !matches!(self.state.users.get(&user).map(|u| &u.status), Some(AgentStatus::Ready)) {
            return;
        }
        let status = AgentStatus::Paused { reason: MISSED_OFFERS_REASON.to_owned() };
        let mut plan = Plan::default();
        plan.changes.push(Change::UserStatus { user, status, since: now });
        plan.changes.push(commands::audit(
            now,
            None,
            "status.set",
            format!("user:{}", user.0),
            format!("paused: {MISSED_OFFERS_REASON} after {MISSES_BEFORE_AUTO_PAUSE} missed offers"),
        ));
        if self.commit(plan, now).is_ok() {
            self.state.runtime(user, now).consecutive_misses = 0;
        }
    }

    /// Offers waiting work to eligible agents, oldest first within priority.
    pub fn route(&mut self) {
        let now = self.clock.now();
        let mut plan = Plan::default();
        let mut waiting: Vec<&crate::domain::Interaction> =
            self.state.interactions.values().filter(|i| i.state == InteractionState::Waiting).collect();
        routing::sort_waiting(&mut waiting);
        let waiting: Vec<crate::domain::Interaction> = waiting.into_iter().cloned().collect();
        // Each agent holds at most one open offer, so an agent offered work in
        // this pass is out of it: the views are computed once per kind.
        let mut taken: Vec<UserId> = Vec::new();
        let mut views: HashMap<crate::domain::QueueKind, Vec<routing::AgentView<'_>>> = HashMap::new();
        let mut reasons = Vec::new();
        for interaction in waiting {
            let Some(queue) = self.state.queues.get(&interaction.queue) else { continue };
            let Some(thread) = self.state.threads.get(&interaction.thread) else { continue };
            let kind_views = views.entry(queue.kind).or_insert_with(|| self.state.agent_views(queue.kind, now));
            let candidates = kind_views.iter().filter(|v| !taken.contains(&v.id)).cloned();
            let Some(choice) = routing::choose_agent(queue, thread.language, candidates, now) else { continue };
            let expires_at = now.plus_secs(i64::from(queue.acceptance_limit_secs));
            let mut offered = interaction.clone();
            offered.state = InteractionState::Offered { agent: choice.agent, expires_at };
            let mut thread = thread.clone();
            thread.status = ThreadStatus::Offered;
            thread.assignee = None;
            taken.push(choice.agent);
            reasons.push((interaction.id, choice.reason));
            plan.changes.push(Change::Thread { thread, demo: false });
            plan.changes.push(Change::Interaction { interaction: offered, demo: false });
        }
        drop(views);
        if plan.changes.is_empty() {
            return;
        }
        self.state.offer_reasons.extend(reasons);
        if let Err(error) = self.commit(plan, now) {
            tracing::error!(%error, "offers could not be saved; they will be retried");
        }
    }

    /// Runs what is due: expired offers return to their queue, the demo acts.
    pub fn tick(&mut self) {
        let now = self.clock.now();
        let expired: Vec<_> = self
            .state
            .interactions
            .values()
            .filter(|i| matches!(i.state, InteractionState::Offered { expires_at, .. } if expires_at <= now))
            .map(|i| i.id)
            .collect();
        if !expired.is_empty() {
            let mut plan = Plan::default();
            for interaction in expired {
                self.state.plan_return_to_queue(interaction, OfferOutcome::Expired, &mut plan);
            }
            if let Err(error) = self.commit(plan, now) {
                tracing::error!(%error, "expired offers could not be saved");
            }
        }
        if self.state.demo.is_some_and(|d| !d.paused) {
            self.run_sim(now);
        }
        self.route();
    }

    /// When [`Engine::tick`] next has something to do.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        let sim = match (&self.sim, self.state.demo) {
            (Some(sim), Some(demo)) if !demo.paused => sim.next_due(),
            _ => None,
        };
        [self.state.next_offer_expiry(), sim].into_iter().flatten().min()
    }

    /// Takes in what a customer did on a channel (the web widget, webhooks, the
    /// demo generator) and routes any new work.
    pub fn receive(&mut self, action: SimAction) -> Result<(), CommandError> {
        let now = self.clock.now();
        let mut plan = Plan::default();
        self.plan_customer(action, now, &mut plan);
        self.commit(plan, now)?;
        self.route();
        Ok(())
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
