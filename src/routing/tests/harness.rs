//! A centre on a manual clock, with short names for the steps of a scenario.
//!
//! Every step drains the router's outbox into `notices` and `events` and checks
//! every invariant (`Router::audit`), so a scenario fails at the first step that
//! leaves the distributor unsound, not only at its end.

use crate::domain::{InteractionId, QueueId, Timestamp, UserId};
use crate::routing::events::{RoutingEvent, Stamped};
use crate::routing::{
    AgentConfig, AgentState, ItemState, ItemView, LanguageSet, Membership, NewItem, Notice, QueueConfig, QueueStatus,
    Requirement, Router, RoutingError, Settings, SkillSet, Slot,
};

/// English and French, as language indexes.
pub const EN: u8 = 0;
pub const FR: u8 = 1;

/// Skills, as indexes (named "billing", "tech" and "vip" for explanations).
pub const BILLING: u8 = 0;
pub const TECH: u8 = 1;

/// Someone who is not an agent of any queue: a supervisor forcing an assignment.
pub const SUPERVISOR: UserId = UserId(900);

/// Everything the router holds that a user could notice, for "nothing changed" checks.
#[derive(Debug, PartialEq)]
pub struct Snapshot {
    items: Vec<ItemView>,
    agents: Vec<AgentState>,
    waiting: Vec<(QueueId, Vec<InteractionId>)>,
}

/// A router with a clock that only moves when told.
pub struct Centre {
    pub router: Router,
    /// When the scenario starts: `at(s)` is `s` seconds after it.
    pub start: Timestamp,
    pub now: Timestamp,
    pub notices: Vec<Notice>,
    pub events: Vec<Stamped>,
    agents: Vec<UserId>,
    queues: Vec<QueueId>,
}

impl Centre {
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    pub fn with_settings(settings: Settings) -> Self {
        let mut router = Router::new(settings);
        router.set_names(vec!["en".into(), "fr".into()], vec!["billing".into(), "tech".into(), "vip".into()]);
        let start = Timestamp(1_000_000);
        Self {
            router,
            start,
            now: start,
            notices: Vec::new(),
            events: Vec::new(),
            agents: Vec::new(),
            queues: Vec::new(),
        }
    }

    // ----- configuration -----

    /// A queue named "Queue {id}" unless `edit` renames it.
    pub fn queue(&mut self, id: i64, slot: Slot, edit: impl FnOnce(&mut QueueConfig)) -> QueueId {
        let mut config = QueueConfig::new(QueueId(id), format!("Queue {id}"), slot);
        edit(&mut config);
        self.router.upsert_queue(config, self.now);
        self.queues.push(QueueId(id));
        self.collect();
        QueueId(id)
    }

    /// An agent speaking `languages`, member of `queues`, ready everywhere.
    pub fn agent(&mut self, id: i64, languages: &[u8], queues: &[QueueId]) -> UserId {
        self.agent_with(id, languages, queues, |_| {})
    }

    /// An agent named "Agent {id}" with a profile edited by `edit`, member of `queues`
    /// (membership priority 1, no delay), ready everywhere.
    pub fn agent_with(
        &mut self,
        id: i64,
        languages: &[u8],
        queues: &[QueueId],
        edit: impl FnOnce(&mut AgentConfig),
    ) -> UserId {
        let mut config = AgentConfig::new(UserId(id), format!("Agent {id}"), LanguageSet::of(languages));
        edit(&mut config);
        self.router.upsert_agent(config, self.now);
        self.agents.push(UserId(id));
        for &q in queues {
            self.router.add_member(UserId(id), q, Membership::default(), self.now).unwrap();
        }
        self.router.set_status(UserId(id), None, &QueueStatus::Ready, self.now).unwrap();
        self.collect();
        UserId(id)
    }

    /// Gives an agent access to a queue with a membership (logged out there).
    pub fn member(&mut self, agent: UserId, queue: QueueId, priority: u8, delay_secs: u32) {
        self.router.add_member(agent, queue, Membership { priority, delay_secs }, self.now).unwrap();
        self.collect();
    }

    /// Sets an agent's status in one queue (`Some`) or all of them (`None`).
    pub fn status(&mut self, agent: UserId, queue: Option<QueueId>, status: &QueueStatus) {
        self.router.set_status(agent, queue, status, self.now).unwrap();
        self.collect();
    }

    pub fn ready(&mut self, agent: UserId, queue: QueueId) {
        self.status(agent, Some(queue), &QueueStatus::Ready);
    }

    pub fn pause(&mut self, agent: UserId, reason: &str) {
        self.status(agent, None, &QueueStatus::Paused(reason.into()));
    }

    pub fn log_out(&mut self, agent: UserId, queue: QueueId) {
        self.status(agent, Some(queue), &QueueStatus::LoggedOut);
    }

    // ----- work -----

    pub fn arrive(&mut self, id: i64, queue: QueueId, language: u8) -> InteractionId {
        self.arrive_with(id, queue, language, SkillSet::EMPTY, None)
    }

    pub fn arrive_with(
        &mut self,
        id: i64,
        queue: QueueId,
        language: u8,
        skills: SkillSet,
        priority: Option<i32>,
    ) -> InteractionId {
        self.try_arrive(id, queue, language, skills, priority).unwrap();
        InteractionId(id)
    }

    pub fn try_arrive(
        &mut self,
        id: i64,
        queue: QueueId,
        language: u8,
        skills: SkillSet,
        priority: Option<i32>,
    ) -> Result<(), RoutingError> {
        let item = NewItem {
            id: InteractionId(id),
            queue,
            requirement: Requirement { language, skills },
            priority,
            created_at: self.now,
            callback: false,
        };
        let result = self.router.arrive(&item, self.now);
        self.collect();
        result
    }

    // ----- commands -----

    /// Runs a command at the current time and collects what it did.
    pub fn act<T>(&mut self, command: impl FnOnce(&mut Router, Timestamp) -> T) -> T {
        let result = command(&mut self.router, self.now);
        self.collect();
        result
    }

    /// Runs a command that must succeed.
    pub fn ok(&mut self, command: impl FnOnce(&mut Router, Timestamp) -> Result<(), RoutingError>) {
        let result = self.act(command);
        assert_eq!(result, Ok(()), "the command should have succeeded");
    }

    /// Runs a command that must be refused with nothing changed and nothing said; returns the error.
    pub fn refused(
        &mut self,
        command: impl FnOnce(&mut Router, Timestamp) -> Result<(), RoutingError>,
    ) -> RoutingError {
        let before = self.snapshot();
        let error = command(&mut self.router, self.now).expect_err("the command should have been refused");
        let out = self.router.drain();
        assert!(out.events.is_empty(), "a refused command logged {:?}", out.events);
        assert!(out.notices.is_empty(), "a refused command notified {:?}", out.notices);
        assert!(out.items.is_empty() && out.agents.is_empty(), "a refused command reported changes");
        assert_eq!(self.snapshot(), before, "a refused command changed the state");
        self.sound();
        error
    }

    pub fn accept(&mut self, agent: UserId, item: InteractionId) {
        self.ok(|r, now| r.accept(agent, item, now));
    }

    pub fn reject(&mut self, agent: UserId, item: InteractionId) {
        self.ok(|r, now| r.reject(agent, item, now));
    }

    /// Completes without disposition or smart close.
    pub fn complete(&mut self, agent: UserId, item: InteractionId) {
        self.ok(|r, now| r.complete(agent, item, None, None, now));
    }

    pub fn message(&mut self, item: InteractionId, from_customer: bool) {
        self.ok(|r, now| r.message(item, from_customer, now));
    }

    // ----- time -----

    /// The time `secs` seconds after the start of the scenario.
    pub fn t(&self, secs: i64) -> Timestamp {
        self.start.plus_secs(secs)
    }

    /// Moves the clock to `secs` seconds after the start, running every timer due.
    pub fn at(&mut self, secs: i64) {
        let to = self.t(secs);
        assert!(to >= self.now, "the clock only moves forward");
        self.now = to;
        self.router.advance(self.now);
        self.collect();
    }

    pub fn advance_secs(&mut self, secs: i64) {
        self.now = self.now.plus_secs(secs);
        self.router.advance(self.now);
        self.collect();
    }

    /// Takes the router's outbox and checks every invariant.
    pub fn collect(&mut self) {
        let out = self.router.drain();
        self.notices.extend(out.notices);
        self.events.extend(out.events);
        self.sound();
    }

    // ----- what a user sees -----

    pub fn state(&self, item: InteractionId) -> ItemState {
        self.router.item(item).unwrap().state
    }

    pub fn view(&self, item: InteractionId) -> ItemView {
        self.router.item(item).unwrap()
    }

    pub fn agent_view(&self, agent: UserId) -> AgentState {
        self.router.agent_view(agent).unwrap()
    }

    /// The single agent an item is offered to, if it is offered.
    pub fn offered_to(&self, item: InteractionId) -> Option<UserId> {
        match self.state(item) {
            ItemState::Offered { agents, .. } if agents.len() == 1 => Some(agents[0]),
            _ => None,
        }
    }

    /// Every agent an item rings for (empty when it is not offered).
    pub fn ringing(&self, item: InteractionId) -> Vec<UserId> {
        match self.state(item) {
            ItemState::Offered { agents, .. } => agents,
            _ => Vec::new(),
        }
    }

    /// Why an item waits, in the words shown to a supervisor.
    pub fn why(&self, item: InteractionId) -> String {
        self.router.why_waiting(item, self.now).unwrap().describe()
    }

    /// The notices since the last call.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// The KPI facts logged about one item, in order.
    pub fn events_of(&self, item: InteractionId) -> Vec<RoutingEvent> {
        self.events.iter().map(|s| s.event.clone()).filter(|e| event_item(e) == Some(item)).collect()
    }

    /// Everything a user could notice, to compare before and after a refused command.
    pub fn snapshot(&self) -> Snapshot {
        let mut ids: Vec<InteractionId> = self.router.item_ids().collect();
        ids.sort_unstable();
        Snapshot {
            items: ids.into_iter().filter_map(|id| self.router.item(id)).collect(),
            agents: self.agents.iter().filter_map(|&a| self.router.agent_view(a)).collect(),
            waiting: self.queues.iter().map(|&q| (q, self.router.waiting(q))).collect(),
        }
    }

    pub fn sound(&self) {
        let broken = self.router.audit(self.now);
        assert!(broken.is_empty(), "invariants broken: {broken:#?}");
    }
}

/// The item a fact is about.
fn event_item(event: &RoutingEvent) -> Option<InteractionId> {
    match event {
        RoutingEvent::Queued { item, .. }
        | RoutingEvent::Offered { item, .. }
        | RoutingEvent::Missed { item, .. }
        | RoutingEvent::Answered { item, .. }
        | RoutingEvent::Left { item, .. }
        | RoutingEvent::FirstResponse { item }
        | RoutingEvent::HoldStarted { item }
        | RoutingEvent::HoldEnded { item }
        | RoutingEvent::Completed { item, .. }
        | RoutingEvent::WrapUpEnded { item, .. } => Some(*item),
        RoutingEvent::Activity { .. } => None,
    }
}
