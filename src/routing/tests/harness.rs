//! A centre on a manual clock, with short names for the steps of a scenario.

use crate::domain::{InteractionId, QueueId, Timestamp, UserId};
use crate::routing::{
    AgentConfig, ItemState, LanguageSet, Membership, NewItem, Notice, QueueConfig, QueueStatus, Requirement, Router,
    Settings, SkillSet, Slot,
};

/// English and French, as language indexes.
pub const EN: u8 = 0;
pub const FR: u8 = 1;

/// A router with a clock that only moves when told.
pub struct Centre {
    pub router: Router,
    pub now: Timestamp,
    pub notices: Vec<Notice>,
}

impl Centre {
    pub fn new() -> Self {
        let mut router = Router::new(Settings::default());
        router.set_names(vec!["en".into(), "fr".into()], vec!["billing".into(), "tech".into(), "vip".into()]);
        Self { router, now: Timestamp(1_000_000), notices: Vec::new() }
    }

    pub fn queue(&mut self, id: i64, slot: Slot, edit: impl FnOnce(&mut QueueConfig)) -> QueueId {
        let mut config = QueueConfig::new(QueueId(id), format!("Queue {id}"), slot);
        edit(&mut config);
        self.router.upsert_queue(config, self.now);
        QueueId(id)
    }

    /// An agent speaking `languages`, member of `queues`, ready everywhere.
    pub fn agent(&mut self, id: i64, languages: &[u8], queues: &[QueueId]) -> UserId {
        self.agent_with(id, languages, queues, |_| {})
    }

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
        for &q in queues {
            self.router.add_member(UserId(id), q, Membership::default(), self.now).unwrap();
        }
        self.router.set_status(UserId(id), None, &QueueStatus::Ready, self.now).unwrap();
        self.collect();
        UserId(id)
    }

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
        let item = NewItem {
            id: InteractionId(id),
            queue,
            requirement: Requirement { language, skills },
            priority,
            created_at: self.now,
            callback: false,
        };
        self.router.arrive(&item, self.now).unwrap();
        self.collect();
        InteractionId(id)
    }

    pub fn advance_secs(&mut self, secs: i64) {
        self.now = self.now.plus_secs(secs);
        self.router.advance(self.now);
        self.collect();
    }

    pub fn collect(&mut self) {
        let out = self.router.drain();
        self.notices.extend(out.notices);
    }

    pub fn state(&self, item: InteractionId) -> ItemState {
        self.router.item(item).unwrap().state
    }

    /// The single agent an item is offered to, if it is offered.
    pub fn offered_to(&self, item: InteractionId) -> Option<UserId> {
        match self.state(item) {
            ItemState::Offered { agents, .. } if agents.len() == 1 => Some(agents[0]),
            _ => None,
        }
    }

    pub fn accept(&mut self, agent: UserId, item: InteractionId) {
        self.router.accept(agent, item, self.now).unwrap();
        self.collect();
    }

    pub fn sound(&self) {
        let broken = self.router.audit(self.now);
        assert!(broken.is_empty(), "invariants broken: {broken:#?}");
    }
}
