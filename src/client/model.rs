//! This user's mirror of the engine, updated only by events.

use crate::domain::{
    AgentStatus, Campaign, Category, Message, Offer, PauseReason, Queue, Team, ThreadId, ThreadSummary, Timestamp,
    User, UserId,
};
use crate::protocol::{DemoState, Event, OfferOutcome, Sequenced, Snapshot};
use std::collections::{BTreeMap, HashMap};

/// How a notice should look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoticeKind {
    /// Information.
    Info,
    /// Something went wrong.
    Error,
}

/// What a notice says: known situations the UI words in the user's language,
/// or text from the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum NoticeBody {
    /// An offer lapsed and went back to its queue.
    OfferExpired,
    /// I was paused after missing offers.
    PausedForMissedOffers,
    /// No audio device: the chime is silent.
    NoAudio,
    /// A conversation I hold has been quiet past its queue's inactivity time (C4).
    Inactive {
        /// The customer's name.
        customer: String,
    },
    /// A deferred conversation came back to me (C5).
    DeferReturned {
        /// The customer's name.
        customer: String,
    },
    /// The engine's or the link's own words.
    Text(String),
}

/// A line in the notification area.
#[derive(Debug, Clone, PartialEq)]
pub struct Notice {
    /// Info or error.
    pub kind: NoticeKind,
    /// What it says.
    pub body: NoticeBody,
    /// When it arrived (local time).
    pub at: Timestamp,
}

/// Everything the UI draws from.
#[derive(Debug, Default)]
pub struct Model {
    /// The signed-in user, once the first snapshot arrived.
    pub me: Option<UserId>,
    /// Users by id.
    pub users: BTreeMap<UserId, User>,
    /// Teams.
    pub teams: Vec<Team>,
    /// Queues.
    pub queues: Vec<Queue>,
    /// Campaigns.
    pub campaigns: Vec<Campaign>,
    /// Categories.
    pub categories: Vec<Category>,
    /// The admin's pause reasons.
    pub pause_reasons: Vec<PauseReason>,
    threads: HashMap<ThreadId, ThreadSummary>,
    thread_order: Vec<ThreadId>,
    order_is_stale: bool,
    /// Offers open to me, oldest first.
    pub offers: Vec<Offer>,
    /// The thread being read and its messages.
    pub open_thread: Option<(ThreadId, Vec<Message>)>,
    /// The demo generator, if this engine runs one.
    pub demo: Option<DemoState>,
    /// My recent phone calls, newest first.
    pub calls: Vec<crate::domain::PhoneCall>,
    /// My phone figures per period asked for, by the period's start.
    pub activity: BTreeMap<Timestamp, crate::domain::ActivityFigures>,
    /// The notification area, newest last.
    pub notices: Vec<Notice>,
    /// Notices not yet seen.
    pub unseen_notices: usize,
    /// Engine time minus local time at the last snapshot, in milliseconds.
    pub clock_offset_ms: i64,
    /// Whether the link is up.
    pub connected: bool,
    /// The last event applied.
    pub last_seq: u64,
    pruner: crate::domain::ClosedThreadPruner,
    /// Every agent's status per queue.
    pub memberships: Vec<crate::domain::QueueMembership>,
    /// Agents in wrap-up, and until when (`None`: until ended).
    pub wrap_ups: BTreeMap<UserId, Option<Timestamp>>,
    /// The engine's latest answer to "why is this waiting?", per thread.
    pub wait_reasons: std::collections::HashMap<ThreadId, String>,
}

/// Closed threads the workstation keeps listed.
const KEEP_CLOSED_THREADS: usize = 2000;

/// Notices kept at most.
const MAX_NOTICES: usize = 200;

impl Model {
    /// Applies one event.
    pub fn apply(&mut self, sequenced: Sequenced, local_now: Timestamp) {
        self.last_seq = sequenced.seq;
        // The only holder moves the event out; a shared one is copied here, off the engine's thread.
        match std::sync::Arc::unwrap_or_clone(sequenced.event) {
            Event::Snapshot(snapshot) => self.replace(*snapshot, local_now),
            Event::Ack { result: Err(error), .. } => {
                self.notify(NoticeKind::Error, NoticeBody::Text(error.to_string()), local_now);
            }
            Event::Ack { result: Ok(()), .. } => {}
            Event::StatusChanged { user, status, since } => {
                let missed = crate::domain::MISSED_OFFERS_REASON;
                if Some(user) == self.me && matches!(&status, AgentStatus::Paused { reason } if reason == missed) {
                    self.notify(NoticeKind::Info, NoticeBody::PausedForMissedOffers, local_now);
                }
                if let Some(u) = self.users.get_mut(&user) {
                    u.status = status;
                    u.status_since = since;
                }
            }
            Event::ThreadUpdated(thread) => {
                let closed = thread.status.is_closed();
                self.threads.insert(thread.id, thread);
                self.order_is_stale = true;
                if closed {
                    self.pruner.closed(&mut self.threads, KEEP_CLOSED_THREADS, 500);
                }
            }
            Event::MessageAdded(message) => {
                if let Some((open, messages)) = &mut self.open_thread
                    && *open == message.thread
                    && !messages.iter().any(|m| m.id == message.id)
                {
                    messages.push(message);
                }
            }
            Event::ThreadOpened { thread, messages } => self.open_thread = Some((thread, messages)),
            Event::OfferMade(offer) => {
                if Some(offer.agent) == self.me && !self.offers.iter().any(|o| o.interaction == offer.interaction) {
                    self.offers.push(offer);
                }
            }
            Event::OfferClosed { interaction, outcome } => {
                self.offers.retain(|o| o.interaction != interaction);
                if outcome == OfferOutcome::Expired {
                    self.notify(NoticeKind::Info, NoticeBody::OfferExpired, local_now);
                }
            }
            Event::DemoChanged(demo) => self.demo = Some(demo),
            Event::CallRecorded(call) => {
                self.calls.insert(0, call);
                // Figures already fetched are stale now; the Activity pane asks again.
                self.activity.clear();
            }
            Event::Activity { from, figures } => {
                self.activity.insert(from, figures);
            }
            Event::QueueStatusChanged { agent, queue, status } => {
                if let Some(m) = self.memberships.iter_mut().find(|m| m.agent == agent && m.queue == queue) {
                    m.status = status;
                }
            }
            Event::WrapUpChanged { agent, until } => match until {
                Some(until) => {
                    self.wrap_ups.insert(agent, until);
                }
                None => {
                    self.wrap_ups.remove(&agent);
                }
            },
            Event::Inactive { thread } => {
                let customer = self.threads.get(&thread).map(|t| t.customer_name.clone()).unwrap_or_default();
                self.notify(NoticeKind::Info, NoticeBody::Inactive { customer }, local_now);
            }
            Event::DeferReturned { thread } => {
                let customer = self.threads.get(&thread).map(|t| t.customer_name.clone()).unwrap_or_default();
                self.notify(NoticeKind::Info, NoticeBody::DeferReturned { customer }, local_now);
            }
            Event::WaitExplained { thread, text } => {
                self.wait_reasons.insert(thread, text);
            }
            Event::Notice { text, .. } => self.notify(NoticeKind::Info, NoticeBody::Text(text), local_now),
        }
    }

    fn replace(&mut self, snapshot: Snapshot, local_now: Timestamp) {
        self.me = Some(snapshot.me);
        let directory = snapshot.directory;
        self.users = directory.users.into_iter().map(|u| (u.id, u)).collect();
        self.teams = directory.teams;
        self.queues = directory.queues;
        self.campaigns = directory.campaigns;
        self.categories = directory.categories;
        self.pause_reasons = directory.pause_reasons;
        self.memberships = snapshot.memberships;
        self.threads = snapshot.threads.into_iter().map(|t| (t.id, t)).collect();
        self.order_is_stale = true;
        self.offers = snapshot.offers;
        self.demo = snapshot.demo;
        self.calls = snapshot.calls;
        self.clock_offset_ms = snapshot.now.0 - local_now.0;
        self.connected = true;
        if let Some((thread, _)) = &self.open_thread
            && !self.threads.contains_key(thread)
        {
            self.open_thread = None;
        }
    }

    /// Adds a line to the notification area.
    pub fn notify(&mut self, kind: NoticeKind, body: NoticeBody, at: Timestamp) {
        self.notices.push(Notice { kind, body, at });
        self.unseen_notices += 1;
        if self.notices.len() > MAX_NOTICES {
            self.notices.remove(0);
        }
    }

    /// The signed-in user.
    #[must_use]
    pub fn me(&self) -> Option<&User> {
        self.me.and_then(|id| self.users.get(&id))
    }

    /// My status.
    #[must_use]
    pub fn my_status(&self) -> Option<&AgentStatus> {
        self.me().map(|u| &u.status)
    }

    /// Threads, open ones first, newest first; call after applying a batch.
    pub fn refresh_order(&mut self) {
        if !self.order_is_stale {
            return;
        }
        let mut order: Vec<&ThreadSummary> = self.threads.values().collect();
        order.sort_by_key(|t| (t.status.is_closed(), std::cmp::Reverse(t.updated_at), t.id));
        self.thread_order = order.into_iter().map(|t| t.id).collect();
        self.order_is_stale = false;
    }

    /// The threads in display order (see [`Model::refresh_order`]).
    pub fn threads(&self) -> impl Iterator<Item = &ThreadSummary> {
        self.thread_order.iter().filter_map(|id| self.threads.get(id))
    }

    /// One thread.
    #[must_use]
    pub fn thread(&self, id: ThreadId) -> Option<&ThreadSummary> {
        self.threads.get(&id)
    }

    /// Engine time now, from the local clock and the measured offset.
    #[must_use]
    pub fn engine_now(&self, local_now: Timestamp) -> Timestamp {
        local_now.plus_millis(self.clock_offset_ms)
    }
}
