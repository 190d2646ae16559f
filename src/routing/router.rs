//! The distributor's state machine: queues, agents and items in memory, with
//! the indexes that make each decision cost a few tree lookups however large
//! the centre grows.
//!
//! Every mutating call is all-or-nothing: it checks first and returns a typed
//! error with nothing changed, or it applies and then settles routing, so no
//! eligible agent is left idle while eligible work waits. What happened comes
//! out through [`Router::drain`]; time only moves through the `now` passed in.

use super::events::{Activity, LeaveCause, MissCause, RoutingEvent, Stamped};
use super::explain::{Blocker, OfferReason, Trigger, WaitReason};
use super::model::{
    AgentConfig, DeferUntil, Disposition, ItemState, LanguageSet, MAX_SKILL_LEVEL, MaxWait, Membership, NewItem,
    QueueConfig, QueueStatus, Requirement, RoutingError, Settings, SkillSet, Slot, SmartClose, StepAction, Strategy,
    TransferRecord, TransferTarget, WrapUp,
};
use super::ordered::{IN_TREE, OrderedSet, Place};
use crate::domain::{Direct, InteractionId, QueueId, TeamId, Timestamp, UserId};
use rustc_hash::FxHashMap as HashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

type Ix = u32;
/// Serving order inside a class: higher priority, then older rank, then id.
type WaitKey = (Reverse<i32>, i64, i64);
/// Order of ready agents inside a queue under its strategy. The membership
/// priority rides along, after the agent, so that a scan of the ready set
/// can check the tier without looking up the membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct AgentKey {
    first: u64,
    second: u64,
    agent: Ix,
    priority: u8,
}
/// Order of the work an agent could take across its queues: priority, membership priority, rank, id.
type CandidateKey = (Reverse<i32>, u8, i64, i64);

/// How an offer ended, for the agent's screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum OfferEnd {
    /// The agent took it.
    Accepted,
    /// The agent declined it.
    Rejected,
    /// The acceptance limit passed.
    Expired,
    /// Someone else took it (ring-all), the customer left, or the agent paused.
    Withdrawn,
    /// The agent's line was busy.
    Busy,
}

/// What was true when an offer was made, kept small so that making an offer
/// allocates nothing; [`Router::explain`] turns it into an [`OfferReason`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OfferFacts {
    agent: Ix,
    queue: Ix,
    trigger: Trigger,
    skills: SkillSet,
    language: u8,
    rank: u32,
    ready_agents: u32,
    idle_ms: i64,
    member_priority: u8,
    step: u32,
    alternatives: u32,
}

/// Something the engine must tell someone about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notice {
    /// Work was offered.
    Offered {
        /// The item.
        item: InteractionId,
        /// Every agent it rings for.
        agents: Vec<UserId>,
        /// When it lapses.
        expires_at: Timestamp,
        /// Why the (first) agent; [`Router::explain`] words it.
        reason: OfferFacts,
    },
    /// An offer ended for one agent.
    OfferClosed {
        /// The item.
        item: InteractionId,
        /// The agent.
        agent: UserId,
        /// How.
        end: OfferEnd,
    },
    /// An agent was paused after too many misses in a row.
    AutoPaused {
        /// The agent.
        agent: UserId,
    },
    /// An assigned item has been idle past the queue's inactivity time (C4).
    Inactive {
        /// The item.
        item: InteractionId,
        /// Its agent.
        agent: UserId,
    },
    /// Smart close: time to ask the customer whether anything else is needed.
    AskToClose {
        /// The item.
        item: InteractionId,
    },
    /// A deferred item came back to its agent by itself (C5).
    DeferReturned {
        /// The item.
        item: InteractionId,
        /// The agent.
        agent: UserId,
    },
    /// The customer left an item an agent holds (C9).
    CustomerClosed {
        /// The item.
        item: InteractionId,
        /// The agent.
        agent: UserId,
    },
    /// An agent's wrap-up began or ended.
    WrapUp {
        /// The agent.
        agent: UserId,
        /// Until when; `None` when it ended.
        until: Option<Option<Timestamp>>,
    },
}

/// What changed since the last drain.
#[derive(Debug, Default)]
pub struct Outbox {
    /// Facts for the KPI log.
    pub events: Vec<Stamped>,
    /// Things to tell people.
    pub notices: Vec<Notice>,
    /// Items whose state changed.
    pub items: Vec<InteractionId>,
    /// Agents whose status, wrap-up or queue statuses changed.
    pub agents: Vec<UserId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum TimerKind {
    OfferExpiry(InteractionId),
    Recheck(InteractionId),
    MaxWait(InteractionId),
    MoveStep(InteractionId, u32),
    DeferReturn(InteractionId),
    Inactivity(InteractionId),
    SmartClose(InteractionId),
    CoolDown(Ix),
    WrapUpEnd(Ix),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Timer {
    at: Timestamp,
    generation: u64,
    kind: TimerKind,
}

#[derive(Debug)]
struct Class {
    requirement: Requirement,
    /// The first of the class's waiting set, kept apart from the sets so that
    /// a freed agent compares every class's head in a few cache lines.
    head: Option<WaitKey>,
}

#[derive(Debug)]
struct QueueSlot {
    config: QueueConfig,
    classes: Vec<Class>,
    /// Per class, its waiting work in serving order.
    sets: Vec<OrderedSet<WaitKey>>,
    class_of: HashMap<Requirement, u32>,
    ready: OrderedSet<AgentKey>,
    members: Vec<Ix>,
    /// Logged-in members by membership priority, for tiers and empty rules.
    logged_in_by_priority: Vec<u32>,
    /// Distinct membership delays in seconds, for recheck timers.
    delays: Vec<u32>,
    turn: u64,
    /// Set for the hidden queues that hold transfers to one agent or a team.
    target: Option<Target>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Target {
    Agent(Ix),
    Team(TeamId),
}

impl QueueSlot {
    fn new(config: QueueConfig, target: Option<Target>) -> Self {
        Self {
            config,
            classes: Vec::new(),
            sets: Vec::new(),
            class_of: HashMap::default(),
            ready: OrderedSet::new(),
            members: Vec::new(),
            logged_in_by_priority: vec![0; 100],
            delays: Vec::new(),
            turn: 0,
            target,
        }
    }

    fn logged_in_up_to(&self, priority: u8) -> u32 {
        self.logged_in_by_priority.iter().take(usize::from(priority) + 1).sum()
    }

    fn class_for(&mut self, requirement: Requirement) -> u32 {
        if let Some(&class) = self.class_of.get(&requirement) {
            return class;
        }
        let class = self.classes.len() as u32;
        self.classes.push(Class { requirement, head: None });
        self.sets.push(OrderedSet::new());
        self.class_of.insert(requirement, class);
        class
    }

    /// Adds waiting work to a class; returns its place in the class's set.
    fn add_waiting(&mut self, class: u32, key: WaitKey) -> Place {
        let head = &mut self.classes[class as usize].head;
        if head.is_none_or(|head| key < head) {
            *head = Some(key);
        }
        self.sets[class as usize].insert(key)
    }

    /// Takes waiting work out of its class; false if it was not there.
    fn remove_waiting(&mut self, class: u32, key: &WaitKey, place: Place) -> bool {
        let Some(set) = self.sets.get_mut(class as usize) else { return false };
        if !set.remove(key, place) {
            return false;
        }
        let head = &mut self.classes[class as usize].head;
        if *head == Some(*key) {
            *head = set.first();
        }
        true
    }
}

/// A membership as routing reads it. It is scanned on every decision, so
/// it is kept to one cache line: the queue's slot is copied in and pause
/// reasons are interned.
#[derive(Debug, Clone)]
struct Member {
    /// Its key in the queue's ready set, while `indexed`.
    key: AgentKey,
    turn_mark: u64,
    membership: Membership,
    queue: Ix,
    order: u32,
    /// Where `key` sits in the queue's ready set.
    place: Place,
    status: MemberStatus,
    slot: Slot,
    strategy: Strategy,
    /// False once the admin removed the agent's access; the agent stays logged in (H3).
    access: bool,
    indexed: bool,
}

impl Member {
    fn ready_key(&self) -> Option<AgentKey> {
        self.indexed.then_some(self.key)
    }
}

/// A member's status in a queue; a pause reason is an index into the router's interned reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MemberStatus {
    LoggedOut,
    Ready,
    Paused(u16),
}

impl MemberStatus {
    fn is_logged_in(self) -> bool {
        self != MemberStatus::LoggedOut
    }
}

#[derive(Debug)]
struct WrapState {
    items: Vec<InteractionId>,
    until: Option<Timestamp>,
    generation: u64,
}

/// An agent as routing sees it. The fields an eligibility check reads come
/// first, copied out of the configuration, so that checking an agent met in
/// a ready set touches its first two cache lines and nothing else.
#[derive(Debug)]
#[repr(C)]
struct AgentSlot {
    /// Per level, the skills held at that level or above.
    levels: [u64; MAX_SKILL_LEVEL as usize + 1],
    languages: LanguageSet,
    cool_down_until: Timestamp,
    open_offer: Option<InteractionId>,
    wrap_up: Option<WrapState>,
    load: [u32; 3],
    soft: [u32; 3],
    no_digital_during_call: bool,
    /// Slots whose ready-set entries are out of date: they are brought up to
    /// date once the agent has no open offer (see [`Router::refresh_slots`]).
    stale: u8,
    config: AgentConfig,
    members: Vec<Member>,
    idle_since: Timestamp,
    /// Per slot: when work of that slot last started or ended (longest idle is per channel).
    slot_idle: [Timestamp; 3],
    talk_ms: i64,
    misses: u32,
    activity: Activity,
}

impl AgentSlot {
    fn has_skills(&self, skills: SkillSet, min_level: u8) -> bool {
        let level = usize::from(min_level.clamp(1, MAX_SKILL_LEVEL));
        skills.0 & !self.levels[level] == 0
    }

    fn logged_in(&self) -> bool {
        self.members.iter().any(|m| m.status.is_logged_in())
    }

    fn ready_anywhere(&self) -> bool {
        self.members.iter().any(|m| m.status == MemberStatus::Ready)
    }

    fn member(&self, queue: Ix) -> Option<&Member> {
        self.members.iter().find(|m| m.queue == queue)
    }

    /// What keeps the agent from any new offer of this slot, ignoring queue and item.
    fn busy_blocker(&self, slot: Slot, now: Timestamp) -> Option<Blocker> {
        if self.open_offer.is_some() { Some(Blocker::Offered) } else { self.index_blocker(slot, now) }
    }

    /// What keeps the agent out of a queue's ready index. An open offer does not:
    /// it lasts seconds, and skipping such agents in a scan is cheaper than
    /// taking them out of every queue and putting them back.
    fn index_blocker(&self, slot: Slot, now: Timestamp) -> Option<Blocker> {
        if self.wrap_up.is_some() {
            Some(Blocker::WrapUp)
        } else if self.cool_down_until > now {
            Some(Blocker::CoolDown)
        } else if self.load[slot.index()] >= self.soft[slot.index()] {
            Some(Blocker::Capacity)
        } else if slot != Slot::Voice && self.no_digital_during_call && self.load[Slot::Voice.index()] > 0 {
            Some(Blocker::OnCall)
        } else {
            None
        }
    }

    /// Per slot, whether the agent is free to take work of it (open offers aside).
    fn open_slots(&self, now: Timestamp) -> [bool; 3] {
        Slot::ALL.map(|slot| self.index_blocker(slot, now).is_none())
    }

    fn slots(&self) -> (u32, u32) {
        (self.load.iter().sum(), self.config.capacity.iter().map(|c| c.soft).sum())
    }
}

#[derive(Debug)]
struct Item {
    id: InteractionId,
    queue: Ix,
    /// The last ordinary queue it was in (hidden direct and team queues aside).
    home: Ix,
    class: u32,
    /// Where its wait key sits in its class's set while it waits.
    place: Place,
    requirement: Requirement,
    priority: i32,
    created_at: Timestamp,
    queued_at: Timestamp,
    rank_at: Timestamp,
    callback: bool,
    state: ItemState,
    generation: u64,
    answered_at: Option<Timestamp>,
    answered_from: Ix,
    last_activity: Timestamp,
    awaiting_customer: bool,
    close_timeout_secs: u32,
    /// Transfers and disposition, boxed: most items have neither, and every
    /// byte of an item counts when a hundred thousand of them wait.
    notes: Option<Box<ItemNotes>>,
    reason: Option<OfferFacts>,
}

#[derive(Debug, Default)]
struct ItemNotes {
    transfers: Vec<TransferRecord>,
    disposition: Option<Disposition>,
}

impl Item {
    fn notes(&mut self) -> &mut ItemNotes {
        self.notes.get_or_insert_with(Box::default)
    }

    fn wait_key(&self) -> WaitKey {
        (Reverse(self.priority), self.rank_at.0, self.id.0)
    }
}

/// A read-only view of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemView {
    /// The item.
    pub id: InteractionId,
    /// The ordinary queue it is in, or came from before a direct or team transfer.
    pub queue: QueueId,
    /// The direct or team transfer it waits under.
    pub direct: Option<Direct>,
    /// Its requirement.
    pub requirement: Requirement,
    /// Its priority.
    pub priority: i32,
    /// When the customer first made contact.
    pub created_at: Timestamp,
    /// When it entered its current queue.
    pub queued_at: Timestamp,
    /// Whether it is a callback.
    pub callback: bool,
    /// Where it stands.
    pub state: ItemState,
    /// When it was answered.
    pub answered_at: Option<Timestamp>,
    /// Its transfers, oldest first.
    pub transfers: Vec<TransferRecord>,
    /// The disposition recorded at completion.
    pub disposition: Option<Disposition>,
    /// Why its current or last offer went where it did.
    pub reason: Option<OfferReason>,
}

/// A read-only view of one agent's routing state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentView {
    /// The agent.
    pub id: UserId,
    /// Status per queue the agent belongs to (or stays logged into after losing access).
    pub queues: Vec<(QueueId, QueueStatus)>,
    /// Items held per slot (voice, messaging, email).
    pub load: [u32; 3],
    /// The offer waiting for the agent's answer.
    pub open_offer: Option<InteractionId>,
    /// In wrap-up, until when (`Some(None)`: until ended).
    pub wrap_up: Option<Option<Timestamp>>,
    /// No offer before this time.
    pub cool_down_until: Timestamp,
    /// Idle since.
    pub idle_since: Timestamp,
    /// Misses in a row.
    pub consecutive_misses: u32,
    /// What the agent is doing.
    pub activity: Activity,
}

/// The distributor.
#[derive(Debug)]
pub struct Router {
    settings: Settings,
    queues: Vec<QueueSlot>,
    queue_ix: HashMap<QueueId, Ix>,
    agents: Vec<AgentSlot>,
    agent_ix: HashMap<UserId, Ix>,
    items: HashMap<InteractionId, Item>,
    targets: HashMap<(Target, Slot), Ix>,
    next_hidden_queue: i64,
    timers: BinaryHeap<Reverse<Timer>>,
    dirty_agents: Vec<Ix>,
    dirty_items: Vec<InteractionId>,
    out: Outbox,
    rng: u64,
    decisions: u64,
    language_codes: Vec<String>,
    skill_names: Vec<String>,
    /// Set while work is put back after a restart: its queue entry is not a new fact.
    restoring: bool,
    /// Set while the caller restores a whole centre: matching waits until it is complete.
    held: bool,
    scratch_agents: Vec<Ix>,
    scratch_items: Vec<InteractionId>,
    scratch_chosen: Vec<Ix>,
    /// Waiting items per queue, apart from the queues so that a freed agent
    /// skips its empty queues without reading them.
    waiting: Vec<u32>,
    /// Pause reasons, interned: a membership keeps an index.
    pause_reasons: Vec<String>,
}

impl Router {
    /// An empty distributor.
    #[must_use]
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            queues: Vec::new(),
            queue_ix: HashMap::default(),
            agents: Vec::new(),
            agent_ix: HashMap::default(),
            items: HashMap::default(),
            targets: HashMap::default(),
            next_hidden_queue: -1,
            timers: BinaryHeap::new(),
            dirty_agents: Vec::new(),
            dirty_items: Vec::new(),
            out: Outbox::default(),
            rng: 0x9E37_79B9_7F4A_7C15,
            decisions: 0,
            language_codes: Vec::new(),
            skill_names: Vec::new(),
            restoring: false,
            held: false,
            scratch_agents: Vec::new(),
            scratch_items: Vec::new(),
            scratch_chosen: Vec::new(),
            waiting: Vec::new(),
            pause_reasons: Vec::new(),
        }
    }

    /// Names languages and skills by index, for explanations.
    pub fn set_names(&mut self, language_codes: Vec<String>, skill_names: Vec<String>) {
        self.language_codes = language_codes;
        self.skill_names = skill_names;
    }

    /// The shared tunables.
    #[must_use]
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Routing decisions taken so far (an agent or an item resolved).
    #[must_use]
    pub fn decisions(&self) -> u64 {
        self.decisions
    }

    /// Takes what happened since the last call.
    pub fn drain(&mut self) -> Outbox {
        let mut out = Outbox::default();
        self.drain_into(&mut out);
        out
    }

    /// Like [`Router::drain`], into the caller's (emptied) buffers, so that a
    /// busy caller reuses them instead of allocating new ones each time.
    pub fn drain_into(&mut self, out: &mut Outbox) {
        out.events.clear();
        out.notices.clear();
        out.items.clear();
        out.agents.clear();
        std::mem::swap(&mut self.out, out);
        out.items.sort_unstable();
        out.items.dedup();
        out.agents.sort_unstable();
        out.agents.dedup();
    }

    /// When [`Router::advance`] next has something to do (possibly nothing, if a timer went stale).
    #[must_use]
    pub fn next_deadline(&self) -> Option<Timestamp> {
        self.timers.peek().map(|Reverse(t)| t.at)
    }

    // ----- configuration -----

    /// Adds a queue, or updates its configuration (members keep their place).
    pub fn upsert_queue(&mut self, config: QueueConfig, now: Timestamp) {
        if let Some(&q) = self.queue_ix.get(&config.id) {
            self.queues[q as usize].config = config;
            self.reindex_queue(q, now);
        } else {
            let q = self.queues.len() as Ix;
            self.queue_ix.insert(config.id, q);
            self.queues.push(QueueSlot::new(config, None));
            self.waiting.push(0);
        }
    }

    /// Adds an agent, or updates the profile (skills, languages, capacity).
    pub fn upsert_agent(&mut self, config: AgentConfig, now: Timestamp) {
        let mut levels = [0u64; MAX_SKILL_LEVEL as usize + 1];
        for &(skill, level) in &config.skills {
            if skill < 64 {
                for l in 0..=level.min(MAX_SKILL_LEVEL) {
                    levels[usize::from(l)] |= 1 << skill;
                }
            }
        }
        let (languages, soft, no_digital_during_call) =
            (config.languages, config.capacity.map(|c| c.soft), config.no_digital_during_call);
        if let Some(&a) = self.agent_ix.get(&config.id) {
            let agent = &mut self.agents[a as usize];
            agent.config = config;
            agent.levels = levels;
            agent.languages = languages;
            agent.soft = soft;
            agent.no_digital_during_call = no_digital_during_call;
            self.refresh_agent(a, now);
        } else {
            let a = self.agents.len() as Ix;
            self.agent_ix.insert(config.id, a);
            self.agents.push(AgentSlot {
                levels,
                languages,
                cool_down_until: Timestamp(0),
                open_offer: None,
                wrap_up: None,
                load: [0; 3],
                soft,
                no_digital_during_call,
                stale: 0,
                config,
                members: Vec::new(),
                idle_since: now,
                slot_idle: [now; 3],
                talk_ms: 0,
                misses: 0,
                activity: Activity::LoggedOut,
            });
        }
    }

    /// Gives an agent access to a queue (logged out there until they log in).
    pub fn add_member(
        &mut self,
        agent: UserId,
        queue: QueueId,
        membership: Membership,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        let q = self.queue(queue)?;
        let slot = &mut self.agents[a as usize];
        let mut old_delay = 0;
        if let Some(member) = slot.members.iter_mut().find(|m| m.queue == q) {
            let was_logged_in = member.status.is_logged_in();
            let old_priority = member.membership.priority;
            old_delay = member.membership.delay_secs;
            member.membership = membership.clone();
            member.access = true;
            if was_logged_in && old_priority != membership.priority {
                let counts = &mut self.queues[q as usize].logged_in_by_priority;
                counts[usize::from(old_priority.min(99))] -= 1;
                counts[usize::from(membership.priority.min(99))] += 1;
                self.tiers_changed(q);
            }
        } else {
            self.join(a, q, membership);
        }
        // The queue's distinct delays change only when a delay does; recounting
        // them on every join would make building a large centre quadratic.
        let new_delay = self.agents[a as usize].member(q).map_or(0, |m| m.membership.delay_secs);
        if old_delay != new_delay {
            self.refresh_delays(q);
        }
        // Work already waiting was timed for the old delays: look again once this one has passed.
        let delay = self.agents[a as usize].member(q).map_or(0, |m| i64::from(m.membership.delay_secs));
        if delay > 0 {
            let waiting: Vec<InteractionId> = self.waiting_in(q).collect();
            for id in waiting {
                if let Some(item) = self.items.get(&id) {
                    let (at, generation) = (item.queued_at.plus_secs(delay).max(now), item.generation);
                    self.timers.push(Reverse(Timer { at, generation, kind: TimerKind::Recheck(id) }));
                }
            }
        }
        self.refresh_agent(a, now);
        // A new membership, or a better priority, may make waiting work the agent's.
        self.dirty_agents.push(a);
        self.settle(now);
        Ok(())
    }

    /// Makes agent `a` a (logged-out) member of queue `q`, last in its order.
    fn join(&mut self, a: Ix, q: Ix, membership: Membership) {
        let order = self.queues[q as usize].members.len() as u32;
        let config = &self.queues[q as usize].config;
        let (slot, strategy) = (config.slot, config.strategy);
        self.agents[a as usize].members.push(Member {
            key: AgentKey { first: 0, second: 0, agent: a, priority: membership.priority },
            turn_mark: 0,
            membership,
            queue: q,
            order,
            place: IN_TREE,
            status: MemberStatus::LoggedOut,
            slot,
            strategy,
            access: true,
            indexed: false,
        });
        self.queues[q as usize].members.push(a);
    }

    /// Removes an agent's access to a queue. A logged-in agent stays logged in
    /// until they or a supervisor log out (H3).
    pub fn remove_member(&mut self, agent: UserId, queue: QueueId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        let q = self.queue(queue)?;
        let Some(member) = self.agents[a as usize].members.iter_mut().find(|m| m.queue == q) else {
            return Ok(());
        };
        if member.status.is_logged_in() {
            member.access = false;
        } else {
            self.drop_member(a, q);
        }
        self.refresh_delays(q);
        self.settle(now);
        Ok(())
    }

    fn drop_member(&mut self, a: Ix, q: Ix) {
        let agent = &mut self.agents[a as usize];
        if let Some(pos) = agent.members.iter().position(|m| m.queue == q) {
            let member = agent.members.remove(pos);
            if let Some(key) = member.ready_key() {
                self.queues[q as usize].ready.remove(&key, member.place);
            }
        }
        self.queues[q as usize].members.retain(|&m| m != a);
    }

    fn refresh_delays(&mut self, q: Ix) {
        let mut delays: Vec<u32> = self.queues[q as usize]
            .members
            .iter()
            .filter_map(|&a| self.agents[a as usize].member(q).map(|m| m.membership.delay_secs))
            .filter(|&d| d > 0)
            .collect();
        delays.sort_unstable();
        delays.dedup();
        self.queues[q as usize].delays = delays;
    }

    /// Sets an agent's status in one queue, or in every queue (E1, H2).
    pub fn set_status(
        &mut self,
        agent: UserId,
        queue: Option<QueueId>,
        status: &QueueStatus,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        let only = queue.map(|q| self.queue(q)).transpose()?;
        if let Some(q) = only
            && self.agents[a as usize].member(q).is_none()
        {
            return Err(RoutingError::InvalidState(format!(
                "{} is not a member of {}",
                self.agents[a as usize].config.name, self.queues[q as usize].config.name
            )));
        }
        let (own, hidden): (Vec<Ix>, Vec<Ix>) = self.agents[a as usize]
            .members
            .iter()
            .map(|m| m.queue)
            .partition(|&q| self.queues[q as usize].target.is_none());
        let status = self.intern_status(status);
        for q in own.into_iter().filter(|&q| only.is_none_or(|o| o == q)) {
            self.set_member_status(a, q, status, now);
        }
        // Direct and team transfers follow the agent's presence in their own queues.
        for q in hidden {
            self.sync_target_members(q, now);
        }
        self.after_status_change(a, now);
        self.settle(now);
        Ok(())
    }

    fn set_member_status(&mut self, a: Ix, q: Ix, status: MemberStatus, now: Timestamp) {
        let agent = &mut self.agents[a as usize];
        let Some(member) = agent.members.iter_mut().find(|m| m.queue == q) else { return };
        if member.status == status {
            return;
        }
        let priority = usize::from(member.membership.priority.min(99));
        let was = member.status.is_logged_in();
        let is = status.is_logged_in();
        member.status = status;
        let access = member.access;
        let queue = &mut self.queues[q as usize];
        if was && !is {
            queue.logged_in_by_priority[priority] -= 1;
            if !access {
                self.drop_member(a, q);
                self.refresh_delays(q);
            }
            if self.queues[q as usize].config.leave_empty && self.queues[q as usize].logged_in_up_to(99) == 0 {
                self.empty_queue(q, now);
            }
            self.tiers_changed(q);
        } else if is && !was {
            // The agent logging in looks for work itself (it is marked dirty by the caller).
            queue.logged_in_by_priority[priority] += 1;
        }
    }

    /// Who is logged in at which tier changed: an empty tier lets its overflow
    /// step apply at once, so the queue's waiting work looks again.
    fn tiers_changed(&mut self, q: Ix) {
        if !self.queues[q as usize].config.steps.is_empty() {
            let waiting: Vec<InteractionId> = self.waiting_in(q).collect();
            self.dirty_items.extend(waiting);
        }
    }

    fn after_status_change(&mut self, a: Ix, now: Timestamp) {
        // An open offer from a queue the agent is no longer ready in goes back.
        if let Some(item) = self.agents[a as usize].open_offer
            && let Some(found) = self.items.get(&item)
        {
            let q = found.queue;
            if self.agents[a as usize].member(q).is_none_or(|m| m.status != MemberStatus::Ready) {
                self.close_offer_for(item, a, OfferEnd::Withdrawn, now);
            }
        }
        let agent = &mut self.agents[a as usize];
        if agent.ready_anywhere() && agent.activity == Activity::LoggedOut {
            agent.idle_since = now;
            agent.slot_idle = [now; 3];
        }
        if agent.misses > 0 && agent.ready_anywhere() {
            agent.misses = 0;
        }
        self.refresh_agent(a, now);
        // Ready again, or ready in more queues: the agent looks for work at once.
        self.dirty_agents.push(a);
        self.out.agents.push(self.agents[a as usize].config.id);
    }

    fn empty_queue(&mut self, q: Ix, now: Timestamp) {
        let waiting: Vec<InteractionId> = self.waiting_in(q).collect();
        for item in waiting {
            self.leave(item, LeaveCause::LeftEmpty, now);
        }
    }

    fn waiting_in(&self, q: Ix) -> impl Iterator<Item = InteractionId> + '_ {
        self.queues[q as usize].sets.iter().flat_map(|set| set.iter().map(|k| InteractionId(k.2)))
    }

    // ----- arrivals and the customer's side -----

    /// A new item arrives in a queue and is routed at once.
    pub fn arrive(&mut self, new: &NewItem, now: Timestamp) -> Result<(), RoutingError> {
        if self.items.contains_key(&new.id) {
            return Err(RoutingError::DuplicateItem(new.id.0));
        }
        let q = self.queue(new.queue)?;
        let queue = &self.queues[q as usize];
        if !queue.config.join_empty && queue.logged_in_up_to(99) == 0 {
            return Err(RoutingError::QueueEmpty(queue.config.name.clone()));
        }
        self.insert_item(new, q, now);
        self.enqueue(new.id, q, now);
        self.settle(now);
        Ok(())
    }

    /// Adds a new item, not yet in any queue's waiting set.
    fn insert_item(&mut self, new: &NewItem, q: Ix, now: Timestamp) {
        let priority = new.priority.unwrap_or(self.queues[q as usize].config.priority);
        self.items.insert(
            new.id,
            Item {
                id: new.id,
                queue: q,
                home: q,
                class: 0,
                place: IN_TREE,
                requirement: new.requirement,
                priority,
                created_at: new.created_at,
                queued_at: now,
                rank_at: new.created_at,
                callback: new.callback,
                state: ItemState::Completed,
                generation: 0,
                answered_at: None,
                answered_from: q,
                last_activity: now,
                awaiting_customer: false,
                close_timeout_secs: 0,
                notes: None,
                reason: None,
            },
        );
    }

    /// Puts an item in queue `q` as waiting (it must not be waiting anywhere).
    fn enqueue(&mut self, id: InteractionId, q: Ix, now: Timestamp) {
        let hidden = self.queues[q as usize].target.is_some();
        let Some(item) = self.items.get_mut(&id) else { return };
        item.queue = q;
        if !hidden {
            item.home = q;
        }
        item.queued_at = now;
        item.state = ItemState::Waiting;
        item.generation += 1;
        let generation = item.generation;
        let key = item.wait_key();
        let requirement = item.requirement;
        let created_at = item.created_at;
        let callback = item.callback;
        let class = self.queues[q as usize].class_for(requirement);
        let place = self.add_waiting(q, class, key);
        if let Some(item) = self.items.get_mut(&id) {
            item.class = class;
            item.place = place;
        }
        let queue = &self.queues[q as usize];
        let config = &queue.config;
        let mut timers = Vec::new();
        for &delay in &queue.delays {
            timers.push((now.plus_secs(i64::from(delay)), TimerKind::Recheck(id)));
        }
        for (n, step) in config.steps.iter().enumerate() {
            let at = now.plus_secs(i64::from(step.after_secs));
            match step.action {
                StepAction::Widen { .. } => timers.push((at, TimerKind::Recheck(id))),
                StepAction::MoveTo(_) => timers.push((at, TimerKind::MoveStep(id, n as u32))),
            }
        }
        match config.max_wait {
            MaxWait::None => {}
            MaxWait::Leave { secs } | MaxWait::MoveTo { secs, .. } => {
                timers.push((now.plus_secs(i64::from(secs)), TimerKind::MaxWait(id)));
            }
        }
        let event =
            RoutingEvent::Queued { item: id, queue: config.id, kind: slot_kind(config.slot), created_at, callback };
        for (at, kind) in timers {
            self.timers.push(Reverse(Timer { at, generation, kind }));
        }
        if !self.restoring {
            self.log(now, event);
        }
        self.dirty_items.push(id);
        self.out.items.push(id);
    }

    /// Takes a waiting item out of its class set.
    fn unqueue(&mut self, id: InteractionId) {
        let Some(item) = self.items.get(&id) else { return };
        if item.state != ItemState::Waiting {
            return;
        }
        let (q, class, key, place) = (item.queue, item.class, item.wait_key(), item.place);
        if self.queues[q as usize].remove_waiting(class, &key, place) {
            self.waiting[q as usize] -= 1;
        }
    }

    /// Adds waiting work to a class of queue `q` and counts it; returns its place.
    fn add_waiting(&mut self, q: Ix, class: u32, key: WaitKey) -> Place {
        // Holes are closed before the insert, so that the place returned stays good.
        self.compact_waiting(q, class);
        self.waiting[q as usize] += 1;
        self.queues[q as usize].add_waiting(class, key)
    }

    /// The customer left: a waiting item is abandoned (callbacks stay), an
    /// offered one is withdrawn and abandoned, a held one is flagged to its agent (C9).
    pub fn customer_left(&mut self, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        match item.state.clone() {
            ItemState::Waiting if item.callback => {}
            ItemState::Waiting => self.leave(id, LeaveCause::Abandoned, now),
            ItemState::Offered { .. } => {
                self.withdraw_offer(id, now);
                if !self.items.get(&id).is_some_and(|i| i.callback) {
                    self.leave(id, LeaveCause::Abandoned, now);
                }
            }
            ItemState::Assigned { agent } | ItemState::Deferred { agent, .. } | ItemState::Closing { agent, .. } => {
                self.out.notices.push(super::Notice::CustomerClosed { item: id, agent });
            }
            ItemState::Completed | ItemState::Left(_) => {
                return Err(RoutingError::InvalidState("this conversation is already closed".into()));
            }
        }
        self.settle(now);
        Ok(())
    }

    /// A waiting caller asks to be called back: the item keeps its place and
    /// will not count as abandoned.
    pub fn request_callback(&mut self, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let item = self.items.get_mut(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        if item.state != ItemState::Waiting || item.callback {
            return Err(RoutingError::InvalidState("only a waiting call can become a callback".into()));
        }
        item.callback = true;
        let queue = &self.queues[item.queue as usize].config;
        let (qid, kind, created_at) = (queue.id, slot_kind(queue.slot), item.created_at);
        self.log(now, RoutingEvent::Left { item: id, queue: qid, cause: LeaveCause::Callback });
        self.log(now, RoutingEvent::Queued { item: id, queue: qid, kind, created_at, callback: true });
        self.out.items.push(id);
        Ok(())
    }

    /// A message on the item: from the customer it can end a defer-until-reply
    /// (C5) or answer smart close (C7); either way it is activity (C4).
    pub fn message(&mut self, id: InteractionId, from_customer: bool, now: Timestamp) -> Result<(), RoutingError> {
        let item = self.items.get_mut(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        item.last_activity = now;
        if !from_customer {
            item.awaiting_customer = true;
            return Ok(());
        }
        item.awaiting_customer = false;
        match item.state.clone() {
            ItemState::Deferred { agent, until: DeferUntil::NextReply } => {
                self.return_from_defer(id, agent, now);
            }
            ItemState::Closing { agent, asked: false, .. } => {
                if let Some(item) = self.items.get_mut(&id) {
                    let timeout = i64::from(item.close_timeout_secs);
                    item.state = ItemState::Closing { agent, asked: true, until: now.plus_secs(timeout) };
                    item.generation += 1;
                    let generation = item.generation;
                    self.timers.push(Reverse(Timer {
                        at: now.plus_secs(timeout),
                        generation,
                        kind: TimerKind::SmartClose(id),
                    }));
                }
                self.out.notices.push(super::Notice::AskToClose { item: id });
                self.out.items.push(id);
            }
            ItemState::Closing { agent, asked: true, .. } => {
                // "Yes" or a free-text answer: the conversation goes on.
                if let Some(item) = self.items.get_mut(&id) {
                    item.state = ItemState::Assigned { agent };
                    item.generation += 1;
                }
                self.schedule_inactivity(id);
                self.out.items.push(id);
            }
            _ => {}
        }
        self.settle(now);
        Ok(())
    }

    /// The agent's first reply on a digital item (for first-response figures).
    pub fn first_response(&mut self, id: InteractionId, now: Timestamp) {
        self.log(now, RoutingEvent::FirstResponse { item: id });
    }

    // ----- offers -----

    /// The agent accepts an offer: the item is theirs and nobody else's (C3).
    pub fn accept(&mut self, agent: UserId, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        self.check_offer(a, id, now)?;
        let slot = self.item_slot(id);
        let hard = self.agents[a as usize].config.capacity[slot.index()].hard;
        if self.agents[a as usize].load[slot.index()] >= hard {
            return Err(RoutingError::AtCapacity { name: self.agents[a as usize].config.name.clone() });
        }
        let Some(ItemState::Offered { agents, .. }) = self.items.get(&id).map(|i| i.state.clone()) else {
            return Err(RoutingError::InvalidState("this offer is no longer open to you".into()));
        };
        for other in agents.into_iter().filter(|&o| o != agent) {
            if let Some(&o) = self.agent_ix.get(&other) {
                self.agents[o as usize].open_offer = None;
                self.out.notices.push(super::Notice::OfferClosed { item: id, agent: other, end: OfferEnd::Withdrawn });
                self.refresh_agent(o, now);
                self.dirty_agents.push(o);
            }
        }
        let queue_id;
        {
            let Some(item) = self.items.get_mut(&id) else { return Err(RoutingError::UnknownItem(id.0)) };
            item.state = ItemState::Assigned { agent };
            item.generation += 1;
            item.answered_at = Some(now);
            item.answered_from = item.queue;
            item.last_activity = now;
            queue_id = self.queues[item.queue as usize].config.id;
        }
        let slot_agent = &mut self.agents[a as usize];
        slot_agent.open_offer = None;
        slot_agent.load[slot.index()] += 1;
        slot_agent.misses = 0;
        slot_agent.idle_since = now;
        slot_agent.slot_idle[slot.index()] = now;
        self.out.notices.push(super::Notice::OfferClosed { item: id, agent, end: OfferEnd::Accepted });
        self.log(now, RoutingEvent::Answered { item: id, queue: queue_id, agent });
        self.schedule_inactivity(id);
        self.slot_changed(a, slot, now);
        self.out.items.push(id);
        self.settle(now);
        Ok(())
    }

    /// The agent declines an offer: a miss, a cool-down, and the item keeps its place.
    pub fn reject(&mut self, agent: UserId, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        self.miss_offer(agent, id, MissCause::Rejected, now)
    }

    /// The agent's line was busy when the offer rang.
    pub fn busy(&mut self, agent: UserId, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        self.miss_offer(agent, id, MissCause::Busy, now)
    }

    fn miss_offer(
        &mut self,
        agent: UserId,
        id: InteractionId,
        cause: MissCause,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        self.check_offer(a, id, now)?;
        self.record_miss(a, id, cause, now);
        self.settle(now);
        Ok(())
    }

    fn check_offer(&self, a: Ix, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        let agent = self.agents[a as usize].config.id;
        match &item.state {
            ItemState::Offered { agents, expires_at } if agents.contains(&agent) => {
                if now >= *expires_at {
                    Err(RoutingError::InvalidState("this offer has expired".into()))
                } else {
                    Ok(())
                }
            }
            _ => Err(RoutingError::InvalidState("this offer is no longer open to you".into())),
        }
    }

    fn record_miss(&mut self, a: Ix, id: InteractionId, cause: MissCause, now: Timestamp) {
        let end = match cause {
            MissCause::Rejected => OfferEnd::Rejected,
            MissCause::NoAnswer => OfferEnd::Expired,
            MissCause::Busy => OfferEnd::Busy,
        };
        let queue = self.items.get(&id).map(|i| self.queues[i.queue as usize].config.id);
        self.close_offer_for(id, a, end, now);
        let cool_down = match cause {
            MissCause::Rejected => self.settings.reject_cool_down_secs,
            MissCause::NoAnswer => self.settings.no_answer_cool_down_secs,
            MissCause::Busy => self.settings.busy_cool_down_secs,
        };
        let agent = &mut self.agents[a as usize];
        let id_of_agent = agent.config.id;
        agent.cool_down_until = now.plus_secs(i64::from(cool_down));
        agent.misses += 1;
        let pause = agent.misses >= self.settings.misses_before_pause;
        self.timers.push(Reverse(Timer {
            at: now.plus_secs(i64::from(cool_down)),
            generation: 0,
            kind: TimerKind::CoolDown(a),
        }));
        if let Some(queue) = queue {
            self.log(now, RoutingEvent::Missed { item: id, queue, agent: id_of_agent, cause });
        }
        if pause {
            let reason = self.intern_status(&QueueStatus::Paused(crate::domain::MISSED_OFFERS_REASON.to_owned()));
            let queues: Vec<Ix> = self.agents[a as usize]
                .members
                .iter()
                .filter(|m| m.status == MemberStatus::Ready)
                .map(|m| m.queue)
                .collect();
            for q in queues {
                self.set_member_status(a, q, reason, now);
            }
            self.agents[a as usize].misses = 0;
            self.out.notices.push(super::Notice::AutoPaused { agent: id_of_agent });
            self.after_status_change(a, now);
        }
        self.refresh_agent(a, now);
    }

    /// Ends one agent's part in an offer; the item goes back to waiting once nobody rings.
    fn close_offer_for(&mut self, id: InteractionId, a: Ix, end: OfferEnd, now: Timestamp) {
        let agent = self.agents[a as usize].config.id;
        if self.agents[a as usize].open_offer == Some(id) {
            self.agents[a as usize].open_offer = None;
        }
        self.out.notices.push(super::Notice::OfferClosed { item: id, agent, end });
        let back = match self.items.get_mut(&id) {
            Some(item) => match &mut item.state {
                ItemState::Offered { agents, .. } => {
                    agents.retain(|&x| x != agent);
                    agents.is_empty()
                }
                _ => false,
            },
            None => false,
        };
        if back {
            self.requeue_in_place(id, now);
        }
        self.refresh_agent(a, now);
        self.dirty_agents.push(a);
    }

    /// An offered item goes back to its queue with its place and age.
    fn requeue_in_place(&mut self, id: InteractionId, now: Timestamp) {
        let Some(item) = self.items.get_mut(&id) else { return };
        item.state = ItemState::Waiting;
        item.generation += 1;
        let (q, class, key, generation) = (item.queue, item.class, item.wait_key(), item.generation);
        if (class as usize) < self.queues[q as usize].classes.len() {
            let place = self.add_waiting(q, class, key);
            if let Some(item) = self.items.get_mut(&id) {
                item.place = place;
            }
        }
        // Timers of the queue visit were tied to the old generation; re-arm the ones still ahead.
        self.rearm_visit_timers(id, generation, now);
        self.dirty_items.push(id);
        self.out.items.push(id);
    }

    fn rearm_visit_timers(&mut self, id: InteractionId, generation: u64, now: Timestamp) {
        let Some(item) = self.items.get(&id) else { return };
        let queue = &self.queues[item.queue as usize];
        let queued_at = item.queued_at;
        let mut timers = Vec::new();
        for &delay in &queue.delays {
            timers.push((queued_at.plus_secs(i64::from(delay)), TimerKind::Recheck(id)));
        }
        for (n, step) in queue.config.steps.iter().enumerate() {
            let at = queued_at.plus_secs(i64::from(step.after_secs));
            match step.action {
                StepAction::Widen { .. } => timers.push((at, TimerKind::Recheck(id))),
                StepAction::MoveTo(_) => timers.push((at, TimerKind::MoveStep(id, n as u32))),
            }
        }
        if let MaxWait::Leave { secs } | MaxWait::MoveTo { secs, .. } = queue.config.max_wait {
            timers.push((queued_at.plus_secs(i64::from(secs)), TimerKind::MaxWait(id)));
        }
        for (at, kind) in timers {
            self.timers.push(Reverse(Timer { at: at.max(now), generation, kind }));
        }
    }

    fn withdraw_offer(&mut self, id: InteractionId, now: Timestamp) {
        let Some(ItemState::Offered { agents, .. }) = self.items.get(&id).map(|i| i.state.clone()) else { return };
        for agent in agents {
            if let Some(&a) = self.agent_ix.get(&agent) {
                self.close_offer_for(id, a, OfferEnd::Withdrawn, now);
            }
        }
    }

    /// Offers that nobody is answering any more (after a restart) go back, with no miss counted.
    pub fn withdraw_all_offers(&mut self, now: Timestamp) {
        let offered: Vec<InteractionId> =
            self.items.values().filter(|i| matches!(i.state, ItemState::Offered { .. })).map(|i| i.id).collect();
        for id in offered {
            self.withdraw_offer(id, now);
        }
        self.settle(now);
    }

    // ----- handling -----

    /// Completes an item (C7). With smart close the customer is asked first.
    pub fn complete(
        &mut self,
        agent: UserId,
        id: InteractionId,
        disposition: Option<Disposition>,
        smart_close: Option<SmartClose>,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        self.check_holder(a, id, "complete it")?;
        let item = self.items.get_mut(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        if let Some(disposition) = disposition {
            item.notes().disposition = Some(disposition);
        }
        match (smart_close, item.state.clone()) {
            (Some(smart), ItemState::Assigned { .. }) => {
                let asked = !(smart.wait_for_reply && item.awaiting_customer);
                let until = now.plus_secs(i64::from(smart.timeout_secs));
                item.close_timeout_secs = smart.timeout_secs;
                item.state = ItemState::Closing { agent, asked, until };
                item.generation += 1;
                let generation = item.generation;
                self.timers.push(Reverse(Timer { at: until, generation, kind: TimerKind::SmartClose(id) }));
                if asked {
                    self.out.notices.push(super::Notice::AskToClose { item: id });
                }
                self.out.items.push(id);
            }
            _ => self.finish(a, id, now),
        }
        self.settle(now);
        Ok(())
    }

    /// Smart close got "No": the item completes now.
    pub fn close_confirmed(&mut self, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        let ItemState::Closing { agent, .. } = item.state else {
            return Err(RoutingError::InvalidState("no smart close is under way".into()));
        };
        let a = self.agent(agent)?;
        self.finish(a, id, now);
        self.settle(now);
        Ok(())
    }

    fn check_holder(&self, a: Ix, id: InteractionId, action: &str) -> Result<(), RoutingError> {
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        let agent = self.agents[a as usize].config.id;
        match item.state {
            ItemState::Assigned { agent: holder } | ItemState::Closing { agent: holder, .. } if holder == agent => {
                Ok(())
            }
            ItemState::Completed | ItemState::Left(_) => {
                Err(RoutingError::InvalidState("this conversation is already closed".into()))
            }
            _ => Err(RoutingError::InvalidState(format!("only the agent holding this conversation can {action}"))),
        }
    }

    /// The holder is done: the item goes to History, the agent maybe to wrap-up.
    fn finish(&mut self, a: Ix, id: InteractionId, now: Timestamp) {
        let Some(item) = self.items.get_mut(&id) else { return };
        item.state = ItemState::Completed;
        item.generation += 1;
        let q = item.answered_from;
        let talk = item.answered_at.map_or(0, |t| now.millis_since(t));
        let slot = self.queues[item.queue as usize].config.slot;
        let queue = &self.queues[q as usize].config;
        let (queue_id, queue_wrap) = (queue.id, queue.wrap_up);
        let agent = &mut self.agents[a as usize];
        let agent_id = agent.config.id;
        agent.load[slot.index()] = agent.load[slot.index()].saturating_sub(1);
        agent.talk_ms += talk;
        agent.idle_since = now;
        agent.slot_idle[slot.index()] = now;
        self.log(now, RoutingEvent::Completed { item: id, queue: queue_id, agent: agent_id });
        let wrap = self.agents[a as usize].config.wrap_up.unwrap_or(queue_wrap);
        self.start_wrap_up(a, Some(id), wrap, now);
        self.slot_changed(a, slot, now);
        self.out.items.push(id);
    }

    /// Starts wrap-up after a direct phone call, which no queue routed (E3):
    /// the agent's own rule, else the workspace's rule for direct calls.
    pub fn wrap_up_after_direct_call(&mut self, agent: UserId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        let wrap = self.agents[a as usize].config.wrap_up.unwrap_or(self.settings.direct_call_wrap_up);
        self.start_wrap_up(a, None, wrap, now);
        self.settle(now);
        Ok(())
    }

    /// Wrap-up for `item` (`None`: work that no queue routed, such as a direct call).
    fn start_wrap_up(&mut self, a: Ix, item: Option<InteractionId>, wrap: WrapUp, now: Timestamp) {
        let until = match wrap {
            WrapUp::None => return,
            WrapUp::Timed { secs } => Some(now.plus_secs(i64::from(secs))),
            WrapUp::UntilEnded => None,
        };
        let agent = &mut self.agents[a as usize];
        // Wrap-up keeps the agent from work of every slot, not only the one just finished.
        agent.stale = 0b111;
        let state = agent.wrap_up.get_or_insert(WrapState { items: Vec::new(), until, generation: 0 });
        state.items.extend(item);
        // Carried across queues: a later wrap-up extends, an open-ended one stays open-ended.
        state.until = match (state.until, until) {
            (Some(a), Some(b)) => Some(a.max(b)),
            _ => None,
        };
        state.generation += 1;
        let (generation, until) = (state.generation, state.until);
        if let Some(at) = until {
            self.timers.push(Reverse(Timer { at, generation, kind: TimerKind::WrapUpEnd(a) }));
        }
        self.out.notices.push(super::Notice::WrapUp { agent: agent.config.id, until: Some(until) });
        self.out.agents.push(agent.config.id);
    }

    /// Ends an agent's wrap-up early, by the agent or a supervisor (E3, H2).
    pub fn end_wrap_up(&mut self, agent: UserId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        if self.agents[a as usize].wrap_up.is_none() {
            return Err(RoutingError::InvalidState("not in wrap-up".into()));
        }
        self.stop_wrap_up(a, now);
        self.settle(now);
        Ok(())
    }

    fn stop_wrap_up(&mut self, a: Ix, now: Timestamp) {
        let Some(state) = self.agents[a as usize].wrap_up.take() else { return };
        let agent = self.agents[a as usize].config.id;
        for item in state.items {
            self.log(now, RoutingEvent::WrapUpEnded { item, agent });
        }
        self.out.notices.push(super::Notice::WrapUp { agent, until: None });
        self.out.agents.push(agent);
        self.work_changed(a, now);
    }

    /// Defers an item until a time or the customer's next reply (C5).
    pub fn defer(
        &mut self,
        agent: UserId,
        id: InteractionId,
        until: DeferUntil,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        self.check_holder(a, id, "defer it")?;
        if let DeferUntil::Time(at) = until {
            if at <= now {
                return Err(RoutingError::InvalidInput("a defer must end in the future".into()));
            }
            let latest = now.plus_secs(i64::from(self.settings.max_defer_days) * 86_400);
            if at > latest {
                return Err(RoutingError::InvalidInput(format!(
                    "a defer can last at most {} days",
                    self.settings.max_defer_days
                )));
            }
        }
        let slot = self.item_slot(id);
        let item = self.items.get_mut(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        item.state = ItemState::Deferred { agent, until };
        item.generation += 1;
        let generation = item.generation;
        if let DeferUntil::Time(at) = until {
            self.timers.push(Reverse(Timer { at, generation, kind: TimerKind::DeferReturn(id) }));
        }
        let holder = &mut self.agents[a as usize];
        holder.load[slot.index()] = holder.load[slot.index()].saturating_sub(1);
        self.work_changed(a, now);
        self.out.items.push(id);
        self.settle(now);
        Ok(())
    }

    fn return_from_defer(&mut self, id: InteractionId, agent: UserId, now: Timestamp) {
        let slot = self.item_slot(id);
        let back_to_agent = self.agent_ix.get(&agent).copied().filter(|&a| {
            let holder = &self.agents[a as usize];
            holder.logged_in() && holder.load[slot.index()] < holder.config.capacity[slot.index()].hard
        });
        if let Some(a) = back_to_agent {
            {
                if let Some(item) = self.items.get_mut(&id) {
                    item.state = ItemState::Assigned { agent };
                    item.generation += 1;
                    item.last_activity = now;
                }
                self.agents[a as usize].load[slot.index()] += 1;
                self.schedule_inactivity(id);
                self.out.notices.push(super::Notice::DeferReturned { item: id, agent });
                self.work_changed(a, now);
                self.out.items.push(id);
            }
        } else {
            {
                // The agent is gone or full: the item is routed again.
                let keeps_age = self.settings.defer_keeps_age;
                // Into its ordinary queue: a direct transfer's agent is the one who is gone or full.
                let q = self.items.get(&id).map(|i| i.home);
                if let (Some(item), Some(q)) = (self.items.get_mut(&id), q) {
                    if !keeps_age {
                        item.rank_at = now;
                    }
                    self.enqueue(id, q, now);
                }
            }
        }
    }

    /// Resumes an item from Deferred early, or from History (C8).
    pub fn resume(&mut self, agent: UserId, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        match item.state.clone() {
            ItemState::Deferred { agent: holder, .. } if holder == agent => {
                let slot = self.item_slot(id);
                let me = &self.agents[a as usize];
                if me.load[slot.index()] >= me.config.capacity[slot.index()].hard {
                    return Err(RoutingError::AtCapacity { name: me.config.name.clone() });
                }
                self.return_from_defer(id, agent, now);
            }
            ItemState::Deferred { .. } => {
                return Err(RoutingError::InvalidState("only the agent who deferred it can resume it".into()));
            }
            ItemState::Completed | ItemState::Left(_) => {
                let slot = self.item_slot(id);
                let me = &self.agents[a as usize];
                if me.load[slot.index()] >= me.config.capacity[slot.index()].hard {
                    return Err(RoutingError::AtCapacity { name: me.config.name.clone() });
                }
                if let Some(item) = self.items.get_mut(&id) {
                    item.state = ItemState::Assigned { agent };
                    item.generation += 1;
                    item.last_activity = now;
                    item.answered_at = Some(now);
                    item.answered_from = item.queue;
                }
                self.agents[a as usize].load[slot.index()] += 1;
                self.schedule_inactivity(id);
                self.work_changed(a, now);
                self.out.items.push(id);
            }
            _ => return Err(RoutingError::InvalidState("only deferred or completed work can be resumed".into())),
        }
        self.settle(now);
        Ok(())
    }

    /// Gives a held item back to its queue, keeping its age (D5).
    pub fn unassign(&mut self, agent: UserId, id: InteractionId, now: Timestamp) -> Result<(), RoutingError> {
        let a = self.agent(agent)?;
        self.check_holder(a, id, "unassign it")?;
        self.release(a, id, now);
        // Back to its ordinary queue, not to a direct or team transfer it was answered from.
        let q = self.items.get(&id).map_or(0, |i| i.home);
        self.enqueue(id, q, now);
        self.settle(now);
        Ok(())
    }

    /// The holder lets go of an item (transfer, unassign): their load drops.
    fn release(&mut self, a: Ix, id: InteractionId, now: Timestamp) {
        let slot = self.item_slot(id);
        let Some(item) = self.items.get(&id) else { return };
        let queue = self.queues[item.answered_from as usize].config.id;
        let talk = item.answered_at.map_or(0, |t| now.millis_since(t));
        let agent = &mut self.agents[a as usize];
        agent.load[slot.index()] = agent.load[slot.index()].saturating_sub(1);
        agent.talk_ms += talk;
        agent.idle_since = now;
        agent.slot_idle[slot.index()] = now;
        let agent_id = agent.config.id;
        self.log(now, RoutingEvent::Completed { item: id, queue, agent: agent_id });
        self.work_changed(a, now);
    }

    /// Transfers a held item (C6). The service-level clock keeps running.
    pub fn transfer(
        &mut self,
        by: UserId,
        id: InteractionId,
        target: TransferTarget,
        comment: &str,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let a = self.agent(by)?;
        self.check_holder(a, id, "transfer it")?;
        let slot = self.item_slot(id);
        let (q, requirement) = {
            let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
            // Skill and language transfers stay in the ordinary queue, even after a direct transfer.
            (item.home, item.requirement)
        };
        let (new_queue, new_requirement) = match &target {
            TransferTarget::Agent(user) => {
                let t = self.agent(*user)?;
                if !self.agents[t as usize].logged_in() {
                    return Err(RoutingError::InvalidState(format!(
                        "{} is logged out",
                        self.agents[t as usize].config.name
                    )));
                }
                (self.target_queue(Target::Agent(t), slot, q, now), requirement)
            }
            TransferTarget::Team(team) => {
                if !self.agents.iter().any(|x| x.config.team == Some(*team)) {
                    return Err(RoutingError::UnknownTeam(team.0));
                }
                (self.target_queue(Target::Team(*team), slot, q, now), requirement)
            }
            TransferTarget::Skill(skill) => {
                (q, Requirement { skills: requirement.skills.with(SkillSet::of(*skill)), ..requirement })
            }
            TransferTarget::Language(language) => (q, Requirement { language: *language, ..requirement }),
            TransferTarget::Queue(queue) => (self.queue(*queue)?, requirement),
        };
        self.release(a, id, now);
        if let Some(item) = self.items.get_mut(&id) {
            item.requirement = new_requirement;
            item.notes().transfers.push(TransferRecord { at: now, by, target, comment: comment.to_owned() });
        }
        self.enqueue(id, new_queue, now);
        self.settle(now);
        Ok(())
    }

    /// Assigns an item to an agent at once, bypassing the queue and raising
    /// its priority (C6, supervisors only: the engine checks the role).
    pub fn force_assign(
        &mut self,
        by: UserId,
        id: InteractionId,
        agent: UserId,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let t = self.agent(agent)?;
        let item = self.items.get(&id).ok_or(RoutingError::UnknownItem(id.0))?;
        if matches!(item.state, ItemState::Completed | ItemState::Left(_)) {
            return Err(RoutingError::InvalidState("this conversation is already closed".into()));
        }
        if item.state.holder() == Some(agent) {
            return Err(RoutingError::InvalidState("this agent already holds it".into()));
        }
        let slot = self.item_slot(id);
        let target = &self.agents[t as usize];
        if !target.logged_in() {
            return Err(RoutingError::InvalidState(format!("{} is logged out", target.config.name)));
        }
        if target.load[slot.index()] >= target.config.capacity[slot.index()].hard {
            return Err(RoutingError::AtCapacity { name: target.config.name.clone() });
        }
        match item.state.clone() {
            ItemState::Offered { .. } => self.withdraw_offer(id, now),
            ItemState::Assigned { agent: holder } | ItemState::Closing { agent: holder, .. } => {
                if let Some(&h) = self.agent_ix.get(&holder) {
                    self.release(h, id, now);
                }
            }
            _ => {}
        }
        self.unqueue(id);
        let boost = self.settings.force_priority_boost;
        let Some(item) = self.items.get_mut(&id) else { return Err(RoutingError::UnknownItem(id.0)) };
        let was_waiting = item.answered_at.is_none();
        item.priority = item.priority.saturating_add(boost);
        item.state = ItemState::Assigned { agent };
        item.generation += 1;
        item.answered_at = Some(now);
        item.answered_from = item.queue;
        item.last_activity = now;
        item.notes().transfers.push(TransferRecord {
            at: now,
            by,
            target: TransferTarget::Agent(agent),
            comment: "forced".into(),
        });
        let queue = self.queues[item.queue as usize].config.id;
        if was_waiting {
            self.log(now, RoutingEvent::Answered { item: id, queue, agent });
        }
        self.agents[t as usize].load[slot.index()] += 1;
        self.schedule_inactivity(id);
        self.work_changed(t, now);
        self.out.items.push(id);
        self.settle(now);
        Ok(())
    }

    /// The hidden queue that holds work transferred to one agent or a team.
    fn target_queue(&mut self, target: Target, slot: Slot, from: Ix, now: Timestamp) -> Ix {
        if let Some(&q) = self.targets.get(&(target, slot)) {
            self.sync_target_members(q, now);
            return q;
        }
        let from = &self.queues[from as usize].config;
        let name = match target {
            Target::Agent(a) => format!("Direct to {}", self.agents[a as usize].config.name),
            Target::Team(team) => format!("Team {}", team.0),
        };
        let mut config = QueueConfig::new(QueueId(self.next_hidden_queue), name, slot);
        self.next_hidden_queue -= 1;
        config.acceptance_secs = from.acceptance_secs;
        config.sla_secs = from.sla_secs;
        config.inactivity_secs = from.inactivity_secs;
        config.wrap_up = from.wrap_up;
        config.skills = SkillSet::EMPTY;
        let q = self.queues.len() as Ix;
        self.queue_ix.insert(config.id, q);
        self.queues.push(QueueSlot::new(config, Some(target)));
        self.waiting.push(0);
        self.targets.insert((target, slot), q);
        self.sync_target_members(q, now);
        q
    }

    /// Hidden queues mirror their agents' presence: ready anywhere means ready here.
    fn sync_target_members(&mut self, q: Ix, now: Timestamp) {
        let Some(target) = self.queues[q as usize].target else { return };
        let wanted: Vec<Ix> = match target {
            Target::Agent(a) => vec![a],
            Target::Team(team) => {
                (0..self.agents.len() as Ix).filter(|&a| self.agents[a as usize].config.team == Some(team)).collect()
            }
        };
        for a in wanted {
            let status = {
                let agent = &self.agents[a as usize];
                let own = agent.members.iter().filter(|m| self.queues[m.queue as usize].target.is_none());
                let statuses: Vec<MemberStatus> = own.map(|m| m.status).collect();
                if statuses.contains(&MemberStatus::Ready) {
                    MemberStatus::Ready
                } else {
                    statuses.into_iter().find(|s| s.is_logged_in()).unwrap_or(MemberStatus::LoggedOut)
                }
            };
            if self.agents[a as usize].member(q).is_none() {
                self.join(a, q, Membership::default());
            }
            self.set_member_status(a, q, status, now);
            self.refresh_agent(a, now);
        }
    }

    /// Any activity on a held item (resets the inactivity clock, C4).
    pub fn touch(&mut self, id: InteractionId, now: Timestamp) {
        if let Some(item) = self.items.get_mut(&id) {
            item.last_activity = now;
        }
    }

    fn schedule_inactivity(&mut self, id: InteractionId) {
        let Some(item) = self.items.get(&id) else { return };
        let secs = self.queues[item.queue as usize].config.inactivity_secs;
        if secs == 0 {
            return;
        }
        let at = item.last_activity.plus_secs(i64::from(secs));
        self.timers.push(Reverse(Timer { at, generation: item.generation, kind: TimerKind::Inactivity(id) }));
    }

    /// Forgets a finished item (the engine keeps history in its store).
    pub fn forget(&mut self, id: InteractionId) {
        if self.items.get(&id).is_some_and(|i| matches!(i.state, ItemState::Completed | ItemState::Left(_))) {
            self.items.remove(&id);
        }
    }

    /// Puts back an item that was waiting (or offered) before a restart, with
    /// its queue entry time, under its direct or team transfer if it had one.
    pub fn restore_waiting(
        &mut self,
        new: &NewItem,
        queued_at: Timestamp,
        direct: Option<Direct>,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        let home = self.queue(new.queue)?;
        let q = match direct {
            None => home,
            Some(Direct::Agent(user)) => {
                let a = self.agent(user)?;
                let slot = self.queues[home as usize].config.slot;
                self.target_queue(Target::Agent(a), slot, home, now)
            }
            Some(Direct::Team(team)) => {
                let slot = self.queues[home as usize].config.slot;
                self.target_queue(Target::Team(team), slot, home, now)
            }
        };
        if self.items.contains_key(&new.id) {
            return Err(RoutingError::DuplicateItem(new.id.0));
        }
        self.insert_item(new, home, now);
        // Back into its queue with the original entry time, so timers and age carry on.
        self.restoring = true;
        self.enqueue(new.id, q, queued_at);
        self.restoring = false;
        if let Some(item) = self.items.get_mut(&new.id) {
            item.home = home;
        }
        self.settle(now);
        Ok(())
    }

    /// Puts back a finished item so that it can be resumed from History (C8).
    pub fn restore_closed(&mut self, new: &NewItem, now: Timestamp) -> Result<(), RoutingError> {
        if self.items.contains_key(&new.id) {
            return Ok(());
        }
        let q = self.queue(new.queue)?;
        self.insert_item(new, q, now);
        Ok(())
    }

    /// Restores an item held by an agent, as loaded from storage at start.
    pub fn restore_held(
        &mut self,
        new: &NewItem,
        state: ItemState,
        answered_at: Timestamp,
        now: Timestamp,
    ) -> Result<(), RoutingError> {
        if self.items.contains_key(&new.id) {
            return Err(RoutingError::DuplicateItem(new.id.0));
        }
        let q = self.queue(new.queue)?;
        let holder = state.holder().map(|u| self.agent(u)).transpose()?;
        let slot = self.queues[q as usize].config.slot;
        let generation = 1;
        if let ItemState::Deferred { until: DeferUntil::Time(at), .. } = state {
            self.timers.push(Reverse(Timer { at, generation, kind: TimerKind::DeferReturn(new.id) }));
        }
        let counts = matches!(state, ItemState::Assigned { .. } | ItemState::Closing { .. });
        self.insert_item(new, q, answered_at);
        if let Some(item) = self.items.get_mut(&new.id) {
            item.state = state;
            item.generation = generation;
            item.answered_at = Some(answered_at);
            item.last_activity = now;
        }
        if let Some(a) = holder
            && counts
        {
            self.agents[a as usize].load[slot.index()] += 1;
            self.work_changed(a, now);
        }
        self.schedule_inactivity(new.id);
        Ok(())
    }

    // ----- time -----

    /// Runs every timer due by `now`, then settles.
    pub fn advance(&mut self, now: Timestamp) {
        while let Some(Reverse(timer)) = self.timers.peek().copied() {
            if timer.at > now {
                break;
            }
            self.timers.pop();
            self.fire(timer, now);
        }
        self.settle(now);
    }

    fn item_generation(&self, id: InteractionId) -> Option<u64> {
        self.items.get(&id).map(|i| i.generation)
    }

    fn fire(&mut self, timer: Timer, now: Timestamp) {
        match timer.kind {
            TimerKind::CoolDown(a) => {
                if self.agents[a as usize].cool_down_until <= now {
                    self.refresh_agent(a, now);
                    self.dirty_agents.push(a);
                }
            }
            TimerKind::WrapUpEnd(a) => {
                if self.agents[a as usize].wrap_up.as_ref().is_some_and(|w| w.generation == timer.generation) {
                    self.stop_wrap_up(a, now);
                }
            }
            TimerKind::OfferExpiry(id)
            | TimerKind::Recheck(id)
            | TimerKind::MaxWait(id)
            | TimerKind::MoveStep(id, _)
            | TimerKind::DeferReturn(id)
            | TimerKind::Inactivity(id)
            | TimerKind::SmartClose(id) => {
                if self.item_generation(id) == Some(timer.generation) {
                    self.fire_item(timer.kind, id, now);
                }
            }
        }
    }

    fn fire_item(&mut self, kind: TimerKind, id: InteractionId, now: Timestamp) {
        let Some(item) = self.items.get(&id) else { return };
        match (kind, item.state.clone()) {
            (TimerKind::OfferExpiry(_), ItemState::Offered { agents, .. }) => {
                for agent in agents {
                    if let Some(&a) = self.agent_ix.get(&agent) {
                        self.record_miss(a, id, MissCause::NoAnswer, now);
                    }
                }
            }
            (TimerKind::Recheck(_), ItemState::Waiting) => self.dirty_items.push(id),
            (TimerKind::MoveStep(_, n), ItemState::Waiting) => {
                let step = self.queues[item.queue as usize].config.steps.get(n as usize).copied();
                if let Some(StepAction::MoveTo(to)) = step.map(|s| s.action) {
                    self.move_waiting(id, to, now);
                }
            }
            (TimerKind::MaxWait(_), ItemState::Waiting) => match self.queues[item.queue as usize].config.max_wait {
                MaxWait::Leave { .. } => self.leave(id, LeaveCause::TimedOut, now),
                MaxWait::MoveTo { queue, .. } => self.move_waiting(id, queue, now),
                MaxWait::None => {}
            },
            (TimerKind::DeferReturn(_), ItemState::Deferred { agent, .. }) => self.return_from_defer(id, agent, now),
            (TimerKind::Inactivity(_), ItemState::Assigned { agent }) => {
                let secs = self.queues[item.queue as usize].config.inactivity_secs;
                let due = item.last_activity.plus_secs(i64::from(secs));
                if due <= now {
                    self.out.notices.push(super::Notice::Inactive { item: id, agent });
                    if let Some(item) = self.items.get_mut(&id) {
                        // Prompt once per quiet spell: the next prompt needs new activity first.
                        item.last_activity = now;
                    }
                }
                self.schedule_inactivity(id);
            }
            (TimerKind::SmartClose(_), ItemState::Closing { agent, .. }) => {
                if let Some(&a) = self.agent_ix.get(&agent) {
                    self.finish(a, id, now);
                }
            }
            _ => {}
        }
    }

    fn move_waiting(&mut self, id: InteractionId, to: QueueId, now: Timestamp) {
        let Some(&q) = self.queue_ix.get(&to) else { return };
        let Some(item) = self.items.get(&id) else { return };
        let from = self.queues[item.queue as usize].config.id;
        if from == to {
            return;
        }
        self.unqueue(id);
        self.log(now, RoutingEvent::Left { item: id, queue: from, cause: LeaveCause::Transferred });
        self.enqueue(id, q, now);
    }

    fn leave(&mut self, id: InteractionId, cause: LeaveCause, now: Timestamp) {
        self.unqueue(id);
        let Some(item) = self.items.get_mut(&id) else { return };
        item.state = ItemState::Left(cause);
        item.generation += 1;
        let queue = self.queues[item.queue as usize].config.id;
        self.log(now, RoutingEvent::Left { item: id, queue, cause });
        self.out.items.push(id);
    }

    // ----- matching -----

    /// Holds matching while a whole centre is restored; releasing it leaves the
    /// pending work for the next call (or [`Router::advance`]) to settle.
    pub fn hold_settling(&mut self, held: bool) {
        self.held = held;
    }

    /// Matches free agents and waiting work until no eligible pair is left.
    fn settle(&mut self, now: Timestamp) {
        if self.held {
            return;
        }
        // The dirty lists are swapped with reused buffers: a decision allocates nothing.
        let mut agents = std::mem::take(&mut self.scratch_agents);
        let mut items = std::mem::take(&mut self.scratch_items);
        while !self.dirty_agents.is_empty() || !self.dirty_items.is_empty() {
            std::mem::swap(&mut agents, &mut self.dirty_agents);
            if agents.len() > 1 {
                agents.sort_unstable();
                agents.dedup();
                agents.sort_by_key(|&a| (self.agents[a as usize].idle_since, a));
            }
            for &a in &agents {
                if let Some((id, alternatives)) = self.best_item_for(a, now) {
                    let reason = self.reason(a, id, Trigger::AgentFreed, 1, alternatives, now);
                    self.offer(id, &[a], reason, now);
                } else if self.agents[a as usize].stale != 0 {
                    // Items below look for agents in the ready sets: they must be right.
                    self.refresh_slots(a, 0, now);
                }
            }
            agents.clear();
            std::mem::swap(&mut items, &mut self.dirty_items);
            if items.len() > 1 {
                items.sort_unstable();
                items.dedup();
                items.retain(|id| self.items.get(id).is_some_and(|i| i.state == ItemState::Waiting));
                items.sort_by_cached_key(|id| self.items.get(id).map(Item::wait_key));
            }
            for &id in &items {
                if !self.items.get(&id).is_some_and(|i| i.state == ItemState::Waiting) {
                    continue;
                }
                self.decisions += 1;
                let mut chosen = std::mem::take(&mut self.scratch_chosen);
                if let Some(rank) = self.best_agents_for(id, now, &mut chosen) {
                    let reason = self.reason(chosen[0], id, Trigger::WorkArrived, rank, 0, now);
                    self.offer(id, &chosen, reason, now);
                }
                chosen.clear();
                self.scratch_chosen = chosen;
            }
            items.clear();
        }
        self.scratch_agents = agents;
        self.scratch_items = items;
    }

    /// The item's widened tier and skill level after the steps it has reached.
    fn reach(&self, item: &Item, now: Timestamp) -> (u8, u8, u32) {
        let queue = &self.queues[item.queue as usize];
        let waited = now.millis_since(item.queued_at);
        let mut tier = queue.config.member_priority;
        let mut level = queue.config.min_level;
        let mut reached = 0;
        for (n, step) in queue.config.steps.iter().enumerate() {
            let StepAction::Widen { member_priority, min_level } = step.action else { continue };
            // A step whose time has come applies; so does any step while the current tier has nobody logged in.
            if waited >= i64::from(step.after_secs) * 1000 || queue.logged_in_up_to(tier) == 0 {
                tier = tier.max(member_priority);
                level = level.min(min_level);
                reached = n as u32 + 1;
            } else {
                break;
            }
        }
        (tier, level, reached)
    }

    /// The lowest skill level any step of the queue accepts.
    fn lowest_level(&self, q: Ix) -> u8 {
        let config = &self.queues[q as usize].config;
        config
            .steps
            .iter()
            .filter_map(|s| match s.action {
                StepAction::Widen { min_level, .. } => Some(min_level),
                StepAction::MoveTo(_) => None,
            })
            .fold(config.min_level, u8::min)
    }

    /// What keeps agent `a` (member `m` of the item's queue) from this item, ignoring business.
    fn fit_blocker(&self, a: Ix, member: &Member, item: &Item, now: Timestamp) -> Option<Blocker> {
        let agent = &self.agents[a as usize];
        let queue = &self.queues[item.queue as usize];
        if !agent.languages.contains(item.requirement.language) {
            return Some(Blocker::Language);
        }
        let (tier, level, _) = self.reach(item, now);
        let skills = queue.config.skills.with(item.requirement.skills);
        if !agent.has_skills(skills, level) {
            return Some(Blocker::Skill);
        }
        if member.membership.priority > tier {
            return Some(Blocker::Tier);
        }
        if now.millis_since(item.queued_at) < i64::from(member.membership.delay_secs) * 1000 {
            return Some(Blocker::Delay);
        }
        None
    }

    /// The best waiting item agent `a` can take now, with how many others it could also take.
    fn best_item_for(&mut self, a: Ix, now: Timestamp) -> Option<(InteractionId, u32)> {
        let agent = &self.agents[a as usize];
        if agent.open_offer.is_some() || agent.wrap_up.is_some() || agent.cool_down_until > now {
            return None;
        }
        // Read from the agent itself rather than from `indexed`, which may be out of date here.
        let open = agent.open_slots(now);
        let available = |m: &&Member| m.status == MemberStatus::Ready && open[m.slot.index()];
        if !agent.members.iter().any(|m| available(&m)) {
            // At capacity or not ready anywhere: nothing to decide.
            return None;
        }
        // Only a real search counts as a decision.
        self.decisions += 1;
        let agent = &self.agents[a as usize];
        let mut best: Option<(CandidateKey, InteractionId)> = None;
        let mut alternatives = 0u32;
        for member in agent.members.iter().filter(available) {
            let queue = &self.queues[member.queue as usize];
            if self.waiting[member.queue as usize] == 0 {
                continue;
            }
            // Without overflow steps or a delay, eligibility is decided by the class alone.
            let simple = queue.config.steps.is_empty()
                && member.membership.delay_secs == 0
                && member.membership.priority <= queue.config.member_priority;
            let level = if simple { queue.config.min_level } else { self.lowest_level(member.queue) };
            for (class, set) in queue.classes.iter().zip(&queue.sets) {
                let Some(head) = class.head else { continue };
                if !agent.languages.contains(class.requirement.language)
                    || !agent.has_skills(queue.config.skills.with(class.requirement.skills), level)
                {
                    continue;
                }
                if simple {
                    // The head is eligible: it is the class's only candidate.
                    let candidate = (head.0, member.membership.priority, head.1, head.2);
                    match &best {
                        Some((best_key, _)) if *best_key <= candidate => alternatives += 1,
                        Some(_) => {
                            alternatives += 1;
                            best = Some((candidate, InteractionId(head.2)));
                        }
                        None => best = Some((candidate, InteractionId(head.2))),
                    }
                    continue;
                }
                for key in set.iter() {
                    let candidate = (key.0, member.membership.priority, key.1, key.2);
                    if let Some((best_key, _)) = &best
                        && *best_key <= candidate
                    {
                        // The class is in serving order: nothing further in it can win.
                        alternatives += 1;
                        break;
                    }
                    if !simple {
                        let Some(item) = self.items.get(&InteractionId(key.2)) else { continue };
                        if self.fit_blocker(a, member, item, now).is_some() {
                            continue;
                        }
                    }
                    if best.is_some() {
                        alternatives += 1;
                    }
                    best = Some((candidate, InteractionId(key.2)));
                    break;
                }
            }
        }
        best.map(|(_, id)| (id, alternatives))
    }

    /// The agent(s) to offer a waiting item to under its queue's strategy, with the first one's rank.
    fn best_agents_for(&mut self, id: InteractionId, now: Timestamp, eligible: &mut Vec<Ix>) -> Option<u32> {
        let item = self.items.get(&id)?;
        let q = item.queue;
        let queue = &self.queues[q as usize];
        let strategy = queue.config.strategy;
        // Without steps or delays the item's class decides; skip the per-member checks.
        let simple = queue.config.steps.is_empty() && queue.delays.is_empty();
        let skills = queue.config.skills.with(item.requirement.skills);
        for key in queue.ready.iter() {
            let a = key.agent;
            let agent = &self.agents[a as usize];
            if simple {
                if key.priority > queue.config.member_priority
                    || !agent.languages.contains(item.requirement.language)
                    || !agent.has_skills(skills, queue.config.min_level)
                    || agent.busy_blocker(queue.config.slot, now).is_some()
                {
                    continue;
                }
            } else {
                let Some(member) = agent.member(q) else { continue };
                if agent.busy_blocker(queue.config.slot, now).is_some()
                    || self.fit_blocker(a, member, item, now).is_some()
                {
                    continue;
                }
            }
            eligible.push(a);
            if !matches!(strategy, Strategy::Random | Strategy::WeightedRandom | Strategy::RingAll) {
                break;
            }
        }
        if eligible.is_empty() {
            return None;
        }
        let ring = queue.config.slot == Slot::Voice;
        let pick = match strategy {
            Strategy::RingAll if ring => return Some(1),
            Strategy::Random => (self.next_random() % eligible.len() as u64) as usize,
            Strategy::WeightedRandom => {
                let weights: Vec<u64> = eligible
                    .iter()
                    .map(|&a| {
                        let p = self.agents[a as usize].member(q).map_or(99, |m| m.membership.priority);
                        u64::from(100u8.saturating_sub(p.min(99)))
                    })
                    .collect();
                let total: u64 = weights.iter().sum();
                let mut draw = self.next_random() % total.max(1);
                let mut pick = 0;
                for (n, w) in weights.iter().enumerate() {
                    if draw < *w {
                        pick = n;
                        break;
                    }
                    draw -= w;
                }
                pick
            }
            _ => 0,
        };
        let chosen = eligible[pick];
        eligible.clear();
        eligible.push(chosen);
        Some(pick as u32 + 1)
    }

    fn next_random(&mut self) -> u64 {
        // xorshift64*: deterministic, so runs and tests replay exactly.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn reason(
        &self,
        a: Ix,
        id: InteractionId,
        trigger: Trigger,
        rank: u32,
        alternatives: u32,
        now: Timestamp,
    ) -> OfferFacts {
        let agent = &self.agents[a as usize];
        let item = self.items.get(&id);
        let q = item.map_or(0, |i| i.queue);
        let queue = &self.queues[q as usize];
        let requirement = item.map_or(Requirement { language: 0, skills: SkillSet::EMPTY }, |i| i.requirement);
        OfferFacts {
            agent: a,
            queue: q,
            trigger,
            skills: queue.config.skills.with(requirement.skills),
            language: requirement.language,
            rank,
            ready_agents: queue.ready.len() as u32,
            idle_ms: now.millis_since(agent.idle_since),
            member_priority: agent.member(q).map_or(0, |m| m.membership.priority),
            step: item.map_or(0, |i| self.reach(i, now).2),
            alternatives,
        }
    }

    /// The full explanation of an offer, with names, from the facts kept when it was made.
    #[must_use]
    pub fn explain(&self, facts: &OfferFacts) -> OfferReason {
        let agent = &self.agents[facts.agent as usize];
        let queue = &self.queues[facts.queue as usize];
        OfferReason {
            agent: agent.config.id,
            agent_name: agent.config.name.clone(),
            queue: queue.config.id,
            queue_name: queue.config.name.clone(),
            strategy: queue.config.strategy,
            trigger: facts.trigger,
            matched_skills: facts.skills,
            skill_names: facts.skills.iter().filter_map(|s| self.skill_names.get(usize::from(s)).cloned()).collect(),
            language: facts.language,
            language_code: self.language_codes.get(usize::from(facts.language)).cloned().unwrap_or_default(),
            rank: facts.rank,
            ready_agents: facts.ready_agents,
            idle_ms: facts.idle_ms,
            member_priority: facts.member_priority,
            step: facts.step,
            alternatives: facts.alternatives,
        }
    }

    fn offer(&mut self, id: InteractionId, chosen: &[Ix], reason: OfferFacts, now: Timestamp) {
        self.unqueue(id);
        let Some(item) = self.items.get_mut(&id) else { return };
        let q = item.queue;
        let expires_at = now.plus_secs(i64::from(self.queues[q as usize].config.acceptance_secs));
        let agents: Vec<UserId> = chosen.iter().map(|&a| self.agents[a as usize].config.id).collect();
        item.state = ItemState::Offered { agents: agents.clone(), expires_at };
        item.generation += 1;
        item.reason = Some(reason);
        let generation = item.generation;
        self.timers.push(Reverse(Timer { at: expires_at, generation, kind: TimerKind::OfferExpiry(id) }));
        let queue_id = self.queues[q as usize].config.id;
        self.queues[q as usize].turn += 1;
        let turn = self.queues[q as usize].turn;
        for &a in chosen {
            let agent = &mut self.agents[a as usize];
            agent.open_offer = Some(id);
            if let Some(member) = agent.members.iter_mut().find(|m| m.queue == q) {
                member.turn_mark = turn;
            }
            // Round robin's key moved with the turn just taken; like every entry
            // of an agent with an open offer, it is brought up to date when the offer closes.
            self.agents[a as usize].stale |= 1 << self.queues[q as usize].config.slot.index();
            let agent = self.agents[a as usize].config.id;
            self.log(now, RoutingEvent::Offered { item: id, queue: queue_id, agent });
        }
        self.out.notices.push(super::Notice::Offered { item: id, agents, expires_at, reason });
        self.out.items.push(id);
    }

    // ----- indexes -----

    /// The agent's load or availability changed: indexes, activity, routing.
    fn work_changed(&mut self, a: Ix, now: Timestamp) {
        self.defer_refresh(a, 0b111, now);
        self.dirty_agents.push(a);
        self.out.agents.push(self.agents[a as usize].config.id);
    }

    /// Like [`Router::work_changed`] when only one slot's load changed: only
    /// that slot's queues are re-indexed (all of them when a call blocks digital work).
    fn slot_changed(&mut self, a: Ix, slot: Slot, now: Timestamp) {
        let agent = &self.agents[a as usize];
        let mask = if slot == Slot::Voice && agent.no_digital_during_call { 0b111 } else { 1 << slot.index() };
        self.defer_refresh(a, mask, now);
        self.dirty_agents.push(a);
        self.out.agents.push(self.agents[a as usize].config.id);
    }

    fn strategy_key(&self, a: Ix, member: &Member) -> AgentKey {
        let agent = &self.agents[a as usize];
        let idle = agent.slot_idle[member.slot.index()].0 as u64;
        let (first, second) = match member.strategy {
            Strategy::LongestIdle | Strategy::RingAll | Strategy::Random | Strategy::WeightedRandom => (idle, 0),
            Strategy::FewestOpen => (u64::from(agent.load.iter().sum::<u32>()), idle),
            Strategy::LeastTalkTime => (agent.talk_ms.max(0) as u64, idle),
            Strategy::RoundRobin => (member.turn_mark, idle),
            Strategy::FixedOrder => (u64::from(member.membership.priority), u64::from(member.order)),
        };
        AgentKey { first, second, agent: a, priority: member.membership.priority }
    }

    /// Recomputes the agent's place in every queue's ready index and their activity.
    fn refresh_agent(&mut self, a: Ix, now: Timestamp) {
        self.refresh_slots(a, 0b111, now);
    }

    /// Marks the agent's entries in queues of the slots in `mask` out of date
    /// without touching the ready sets: the agent is dirty, and the next
    /// settle either offers it work (and the entries wait for that offer to
    /// close) or brings them up to date before any item looks for an agent.
    /// A freed agent who takes the next item at once, the common case under
    /// load, so never leaves and rejoins every ready set of its queues.
    fn defer_refresh(&mut self, a: Ix, mask: u8, now: Timestamp) {
        self.agents[a as usize].stale |= mask;
        self.update_activity(a, now);
    }

    /// Re-indexes the agent's memberships in queues of the slots in `mask`
    /// (and of any out of date). While an offer is open the agent takes no
    /// other offer, so its entries may wait, and are brought up to date when
    /// the offer closes.
    fn refresh_slots(&mut self, a: Ix, mask: u8, now: Timestamp) {
        let agent = &mut self.agents[a as usize];
        let mask = mask | agent.stale;
        if agent.open_offer.is_some() {
            agent.stale = mask;
            self.update_activity(a, now);
            return;
        }
        agent.stale = 0;
        let open = self.agents[a as usize].open_slots(now);
        for n in 0..self.agents[a as usize].members.len() {
            let member = &self.agents[a as usize].members[n];
            let slot = member.slot;
            // Fewest open and least talk time rank by the agent's work across every slot.
            if mask & (1 << slot.index()) == 0
                && !matches!(member.strategy, Strategy::FewestOpen | Strategy::LeastTalkTime)
            {
                continue;
            }
            let available = member.status == MemberStatus::Ready && open[slot.index()];
            let key = available.then(|| self.strategy_key(a, member));
            let old = member.ready_key();
            if key != old {
                let place = member.place;
                let ready = &mut self.queues[member.queue as usize].ready;
                if let Some(old) = old {
                    ready.remove(&old, place);
                }
                let member = &mut self.agents[a as usize].members[n];
                member.place = key.map_or(IN_TREE, |key| ready.insert(key));
                member.indexed = key.is_some();
                if let Some(key) = key {
                    member.key = key;
                }
                if ready.wants_compaction() {
                    let q = member.queue;
                    self.compact_ready(q);
                }
            }
        }
        self.update_activity(a, now);
    }

    /// Closes the holes of a queue's ready set and tells the members where they moved.
    fn compact_ready(&mut self, q: Ix) {
        let mut moved = Vec::new();
        self.queues[q as usize].ready.compact(&mut moved);
        for (key, place) in moved {
            if let Some(member) = self.agents[key.agent as usize].members.iter_mut().find(|m| m.queue == q) {
                member.place = place;
            }
        }
    }

    /// Closes the holes of a class's waiting set when they have grown, and tells the items where they moved.
    fn compact_waiting(&mut self, q: Ix, class: u32) {
        let Some(set) = self.queues[q as usize].sets.get_mut(class as usize) else { return };
        if !set.wants_compaction() {
            return;
        }
        let mut moved = Vec::new();
        set.compact(&mut moved);
        for (key, place) in moved {
            if let Some(item) = self.items.get_mut(&InteractionId(key.2)) {
                item.place = place;
            }
        }
    }

    fn reindex_queue(&mut self, q: Ix, now: Timestamp) {
        let members = self.queues[q as usize].members.clone();
        let config = &self.queues[q as usize].config;
        let (slot, strategy) = (config.slot, config.strategy);
        for a in &members {
            if let Some(member) = self.agents[*a as usize].members.iter_mut().find(|m| m.queue == q) {
                member.indexed = false;
                member.slot = slot;
                member.strategy = strategy;
            }
        }
        self.queues[q as usize].ready.clear();
        for a in members {
            self.refresh_agent(a, now);
            self.dirty_agents.push(a);
        }
        self.settle(now);
    }

    fn update_activity(&mut self, a: Ix, now: Timestamp) {
        let agent = &self.agents[a as usize];
        let activity = if !agent.logged_in() {
            Activity::LoggedOut
        } else if agent.load.iter().any(|&l| l > 0) || agent.wrap_up.is_some() {
            Activity::OnWork
        } else if agent.ready_anywhere() {
            Activity::Idle
        } else {
            let reason = agent
                .members
                .iter()
                .find_map(|m| match &m.status {
                    MemberStatus::Paused(reason) => Some(self.pause_reason(*reason).to_owned()),
                    _ => None,
                })
                .unwrap_or_default();
            Activity::Paused(reason)
        };
        if activity != agent.activity {
            let (slots_used, slots) = agent.slots();
            let id = agent.config.id;
            self.agents[a as usize].activity = activity.clone();
            self.log(now, RoutingEvent::Activity { agent: id, activity, slots_used, slots });
        }
    }

    fn log(&mut self, at: Timestamp, event: RoutingEvent) {
        self.out.events.push(Stamped { at, event });
    }

    // ----- lookups -----

    fn intern_status(&mut self, status: &QueueStatus) -> MemberStatus {
        match status {
            QueueStatus::Ready => MemberStatus::Ready,
            QueueStatus::LoggedOut => MemberStatus::LoggedOut,
            QueueStatus::Paused(reason) => {
                let n = self.pause_reasons.iter().position(|r| r == reason).unwrap_or_else(|| {
                    self.pause_reasons.push(reason.clone());
                    self.pause_reasons.len() - 1
                });
                // Reasons come from a short admin list; past 65 535 distinct ones they share the last.
                MemberStatus::Paused(u16::try_from(n).unwrap_or(u16::MAX))
            }
        }
    }

    fn pause_reason(&self, n: u16) -> &str {
        self.pause_reasons.get(usize::from(n)).map_or("", String::as_str)
    }

    fn public_status(&self, status: MemberStatus) -> QueueStatus {
        match status {
            MemberStatus::Ready => QueueStatus::Ready,
            MemberStatus::LoggedOut => QueueStatus::LoggedOut,
            MemberStatus::Paused(n) => QueueStatus::Paused(self.pause_reason(n).to_owned()),
        }
    }

    fn agent(&self, id: UserId) -> Result<Ix, RoutingError> {
        self.agent_ix.get(&id).copied().ok_or(RoutingError::UnknownAgent(id.0))
    }

    fn queue(&self, id: QueueId) -> Result<Ix, RoutingError> {
        self.queue_ix.get(&id).copied().ok_or(RoutingError::UnknownQueue(id.0))
    }

    fn item_slot(&self, id: InteractionId) -> Slot {
        self.items.get(&id).map_or(Slot::Messaging, |i| self.queues[i.queue as usize].config.slot)
    }

    /// One item, read-only.
    #[must_use]
    pub fn item(&self, id: InteractionId) -> Option<ItemView> {
        let item = self.items.get(&id)?;
        let direct = match self.queues[item.queue as usize].target {
            Some(Target::Agent(a)) => Some(Direct::Agent(self.agents[a as usize].config.id)),
            Some(Target::Team(team)) => Some(Direct::Team(team)),
            None => None,
        };
        Some(ItemView {
            id: item.id,
            queue: self.queues[item.home as usize].config.id,
            direct,
            requirement: item.requirement,
            priority: item.priority,
            created_at: item.created_at,
            queued_at: item.queued_at,
            callback: item.callback,
            state: item.state.clone(),
            answered_at: item.answered_at,
            transfers: item.notes.as_ref().map(|n| n.transfers.clone()).unwrap_or_default(),
            disposition: item.notes.as_ref().and_then(|n| n.disposition.clone()),
            reason: item.reason.as_ref().map(|facts| self.explain(facts)),
        })
    }

    /// Every item id the router holds.
    pub fn item_ids(&self) -> impl Iterator<Item = InteractionId> + '_ {
        self.items.keys().copied()
    }

    /// Items held in memory.
    #[must_use]
    pub fn item_count(&self) -> usize {
        self.items.len()
    }

    /// One agent, read-only.
    #[must_use]
    pub fn agent_view(&self, id: UserId) -> Option<AgentView> {
        let agent = &self.agents[*self.agent_ix.get(&id)? as usize];
        Some(AgentView {
            id,
            queues: agent
                .members
                .iter()
                .filter(|m| self.queues[m.queue as usize].target.is_none())
                .map(|m| (self.queues[m.queue as usize].config.id, self.public_status(m.status)))
                .collect(),
            load: agent.load,
            open_offer: agent.open_offer,
            wrap_up: agent.wrap_up.as_ref().map(|w| w.until),
            cool_down_until: agent.cool_down_until,
            idle_since: agent.idle_since,
            consecutive_misses: agent.misses,
            activity: agent.activity.clone(),
        })
    }

    /// A queue's configuration.
    #[must_use]
    pub fn queue_config(&self, id: QueueId) -> Option<&QueueConfig> {
        self.queue_ix.get(&id).map(|&q| &self.queues[q as usize].config)
    }

    /// Items waiting in a queue.
    #[must_use]
    pub fn waiting_count(&self, id: QueueId) -> u32 {
        self.queue_ix.get(&id).map_or(0, |&q| self.waiting[q as usize])
    }

    /// The waiting items of a queue, in serving order.
    #[must_use]
    pub fn waiting(&self, id: QueueId) -> Vec<InteractionId> {
        let Some(&q) = self.queue_ix.get(&id) else { return Vec::new() };
        let mut keys: Vec<WaitKey> = self.queues[q as usize].sets.iter().flat_map(OrderedSet::iter).collect();
        keys.sort_unstable();
        keys.into_iter().map(|k| InteractionId(k.2)).collect()
    }

    /// Members of a queue logged in there.
    #[must_use]
    pub fn logged_in_count(&self, id: QueueId) -> u32 {
        self.queue_ix.get(&id).map_or(0, |&q| self.queues[q as usize].logged_in_up_to(99))
    }

    /// Why a waiting item is still waiting (or that it is offered).
    #[must_use]
    pub fn why_waiting(&self, id: InteractionId, now: Timestamp) -> Option<WaitReason> {
        let item = self.items.get(&id)?;
        let queue = &self.queues[item.queue as usize];
        let mut counts: HashMap<Blocker, u32> = HashMap::default();
        let mut logged_in = 0;
        for &a in &queue.members {
            let agent = &self.agents[a as usize];
            let Some(member) = agent.member(item.queue) else { continue };
            let blocker = match &member.status {
                MemberStatus::LoggedOut => Some(Blocker::LoggedOut),
                MemberStatus::Paused(_) => Some(Blocker::Paused),
                MemberStatus::Ready => None,
            }
            .or_else(|| self.fit_blocker(a, member, item, now))
            .or_else(|| agent.busy_blocker(queue.config.slot, now));
            if member.status.is_logged_in() {
                logged_in += 1;
            }
            if let Some(blocker) = blocker {
                *counts.entry(blocker).or_default() += 1;
            }
        }
        let mut blockers: Vec<(Blocker, u32)> = counts.into_iter().collect();
        blockers.sort_unstable();
        let key = item.wait_key();
        let ahead =
            queue.sets.get(item.class as usize).map_or(0, |set| set.iter().take_while(|k| *k < key).count() as u32);
        let waited = now.millis_since(item.queued_at) / 1000;
        let next_widening_secs = queue
            .config
            .steps
            .iter()
            .map(|s| i64::from(s.after_secs))
            .chain(queue.delays.iter().map(|&d| i64::from(d)))
            .filter(|&t| t > waited)
            .min()
            .map(|t| t - waited);
        Some(WaitReason {
            queue_name: queue.config.name.clone(),
            language_code: self.language_codes.get(usize::from(item.requirement.language)).cloned().unwrap_or_default(),
            members: queue.members.len() as u32,
            logged_in,
            ahead,
            blockers,
            offered: matches!(item.state, ItemState::Offered { .. }),
            next_widening_secs,
        })
    }

    /// What keeps `agent` from taking `item` now (status, fit, then business), or
    /// `None` if the agent could be offered it. For "why not this agent?" and tests.
    #[must_use]
    pub fn blocker(&self, agent: UserId, item: InteractionId, now: Timestamp) -> Option<Blocker> {
        let a = *self.agent_ix.get(&agent)?;
        let found = self.items.get(&item)?;
        let agent_slot = &self.agents[a as usize];
        let Some(member) = agent_slot.member(found.queue) else { return Some(Blocker::NotTarget) };
        match &member.status {
            MemberStatus::LoggedOut => Some(Blocker::LoggedOut),
            MemberStatus::Paused(_) => Some(Blocker::Paused),
            MemberStatus::Ready => self
                .fit_blocker(a, member, found, now)
                .or_else(|| agent_slot.busy_blocker(self.queues[found.queue as usize].config.slot, now)),
        }
    }

    /// Checks every invariant; returns the broken ones in plain words (empty when sound).
    #[must_use]
    pub fn audit(&self, now: Timestamp) -> Vec<String> {
        let mut broken = Vec::new();
        let mut load = vec![[0u32; 3]; self.agents.len()];
        let mut offers = vec![0u32; self.agents.len()];
        let mut waiting_seen = 0usize;
        for item in self.items.values() {
            let slot = self.queues[item.queue as usize].config.slot;
            let in_class = self.queues[item.queue as usize]
                .sets
                .get(item.class as usize)
                .is_some_and(|set| set.contains(&item.wait_key(), item.place));
            match &item.state {
                ItemState::Waiting => {
                    waiting_seen += 1;
                    if !in_class {
                        broken.push(format!("waiting item {} is missing from its queue", item.id.0));
                    }
                }
                ItemState::Offered { agents, .. } => {
                    if agents.len() > 1 && self.queues[item.queue as usize].config.strategy != Strategy::RingAll {
                        broken.push(format!("item {} is offered to {} agents", item.id.0, agents.len()));
                    }
                    for agent in agents {
                        if let Some(&a) = self.agent_ix.get(agent) {
                            offers[a as usize] += 1;
                            if self.agents[a as usize].open_offer != Some(item.id) {
                                broken.push(format!("item {} is offered to {} who does not know", item.id.0, agent.0));
                            }
                        }
                    }
                }
                ItemState::Assigned { agent } | ItemState::Closing { agent, .. } => {
                    if let Some(&a) = self.agent_ix.get(agent) {
                        load[a as usize][slot.index()] += 1;
                    }
                }
                _ => {}
            }
            if item.state != ItemState::Waiting && in_class {
                broken.push(format!("item {} is in a queue but not waiting", item.id.0));
            }
        }
        let queued: usize = self.queues.iter().map(|q| q.sets.iter().map(OrderedSet::len).sum::<usize>()).sum();
        if queued != waiting_seen {
            broken.push(format!("{queued} queue entries for {waiting_seen} waiting items"));
        }
        for (a, agent) in self.agents.iter().enumerate() {
            if agent.load != load[a] {
                broken.push(format!("{} holds {:?} but counts {:?}", agent.config.name, load[a], agent.load));
            }
            for slot in Slot::ALL {
                if agent.load[slot.index()] > agent.config.capacity[slot.index()].hard {
                    broken.push(format!("{} is beyond hard capacity on {slot:?}", agent.config.name));
                }
            }
            if offers[a] > 1 {
                broken.push(format!("{} has {} open offers", agent.config.name, offers[a]));
            }
            if offers[a] == 0 && agent.open_offer.is_some() {
                broken.push(format!("{} holds a stale offer", agent.config.name));
            }
        }
        // Ready sets: every entry belongs to an indexed member, and an agent
        // without an open offer is indexed exactly where it is free to take work.
        let mut indexed = vec![0usize; self.queues.len()];
        for (a, agent) in self.agents.iter().enumerate() {
            for member in &agent.members {
                let queue = &self.queues[member.queue as usize];
                if let Some(key) = member.ready_key() {
                    indexed[member.queue as usize] += 1;
                    if !queue.ready.contains(&key, member.place) {
                        broken.push(format!(
                            "{} is indexed in {} but missing there",
                            agent.config.name, queue.config.name
                        ));
                    }
                }
                if agent.open_offer.is_some() || self.held {
                    continue;
                }
                let free = member.status == MemberStatus::Ready && agent.index_blocker(member.slot, now).is_none();
                if member.ready_key() != free.then(|| self.strategy_key(a as Ix, member)) {
                    broken.push(format!(
                        "{}'s place among the ready agents of {} is out of date",
                        agent.config.name, queue.config.name
                    ));
                }
            }
        }
        for (q, queue) in self.queues.iter().enumerate() {
            let listed: usize = queue.sets.iter().map(OrderedSet::len).sum();
            if self.waiting[q] as usize != listed {
                broken.push(format!("{} counts {} waiting but lists {listed}", queue.config.name, self.waiting[q]));
            }
            if queue.ready.len() != indexed[q] {
                broken.push(format!(
                    "{} lists {} ready agents for {} indexed",
                    queue.config.name,
                    queue.ready.len(),
                    indexed[q]
                ));
            }
        }
        // Settled: no ready agent with room is eligible for any waiting item.
        for item in self.items.values().filter(|i| i.state == ItemState::Waiting) {
            let queue = &self.queues[item.queue as usize];
            for &a in &queue.members {
                let agent = &self.agents[a as usize];
                let Some(member) = agent.member(item.queue) else { continue };
                if member.status == MemberStatus::Ready
                    && agent.busy_blocker(queue.config.slot, now).is_none()
                    && self.fit_blocker(a, member, item, now).is_none()
                {
                    broken.push(format!(
                        "{} is free and eligible while item {} waits in {}",
                        agent.config.name, item.id.0, queue.config.name
                    ));
                }
            }
        }
        broken
    }
}

fn slot_kind(slot: Slot) -> crate::domain::QueueKind {
    match slot {
        Slot::Voice => crate::domain::QueueKind::Voice,
        Slot::Messaging => crate::domain::QueueKind::Messaging,
        Slot::Email => crate::domain::QueueKind::Email,
    }
}
