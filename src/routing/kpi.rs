//! Contact-centre KPIs as pure functions of the routing log.
//!
//! The engine folds every [`Stamped`] event into a [`Ledger`]; each figure is
//! then a function of the ledger, an [`Interval`] and a [`Filter`], so the same
//! numbers come out live, after a restart, or for any past interval. Nothing
//! here reads the clock: `now` is passed in wherever an open span or a waiting
//! item needs it. Every ratio is `None` rather than a division by zero.

use super::events::{Activity, LeaveCause, MissCause, RoutingEvent, Stamped};
use crate::domain::{InteractionId, QueueId, QueueKind, Timestamp, UserId};
use chrono::Weekday;
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// A half-open time range `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interval {
    /// First instant inside the range.
    pub from: Timestamp,
    /// First instant after the range.
    pub to: Timestamp,
}

impl Interval {
    /// The range from `from` up to, not including, `to`.
    #[must_use]
    pub const fn new(from: Timestamp, to: Timestamp) -> Self {
        Self { from, to }
    }

    /// Whether `t` falls inside the range.
    #[must_use]
    pub fn contains(self, t: Timestamp) -> bool {
        self.from <= t && t < self.to
    }

    /// Milliseconds of `[from, to)` that lie inside the range.
    #[must_use]
    pub fn overlap_ms(self, from: Timestamp, to: Timestamp) -> i64 {
        span_ms(from.max(self.from), to.min(self.to))
    }

    /// The range cut at `now`: time after it has not happened yet.
    fn until(self, now: Timestamp) -> Self {
        Self { from: self.from, to: self.to.min(now) }
    }
}

/// Which queue visits a figure looks at.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    /// Only this queue; `None` for all queues.
    pub queue: Option<QueueId>,
    /// Only queues of this kind; `None` for all kinds.
    pub kind: Option<QueueKind>,
}

impl Filter {
    /// Every queue of every kind.
    pub const ALL: Self = Self { queue: None, kind: None };

    /// One queue.
    #[must_use]
    pub const fn queue(queue: QueueId) -> Self {
        Self { queue: Some(queue), kind: None }
    }

    /// Every queue of one kind.
    #[must_use]
    pub const fn kind(kind: QueueKind) -> Self {
        Self { queue: None, kind: Some(kind) }
    }

    /// Whether a visit to `queue`, of `kind`, passes the filter.
    #[must_use]
    pub fn matches(self, queue: QueueId, kind: QueueKind) -> bool {
        self.queue.is_none_or(|q| q == queue) && self.kind.is_none_or(|k| k == kind)
    }
}

/// Milliseconds from `from` to `to`, never negative and never overflowing.
fn span_ms(from: Timestamp, to: Timestamp) -> i64 {
    to.0.saturating_sub(from.0).max(0)
}

/// A threshold as milliseconds, saturating rather than failing on absurd values.
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `n ÷ d`, or `None` when nothing was counted.
fn ratio(n: u32, d: u32) -> Option<f64> {
    (d > 0).then(|| f64::from(n) / f64::from(d))
}

/// `n ÷ d` over millisecond sums, or `None` when nothing was counted.
fn ratio_ms(n: i128, d: i128) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// A running mean of millisecond samples; the sum is wide so that no input overflows it.
#[derive(Debug, Clone, Copy, Default)]
struct Mean {
    sum: i128,
    n: u32,
}

impl Mean {
    fn add(&mut self, ms: i64) {
        self.sum += i128::from(ms);
        self.n += 1;
    }

    fn get(self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / f64::from(self.n))
    }
}

/// One visit of an item to one queue, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    /// The item.
    pub item: InteractionId,
    /// The queue visited.
    pub queue: QueueId,
    /// The queue's kind.
    pub kind: QueueKind,
    /// First contact, kept across transfers: the service-level clock.
    pub created_at: Timestamp,
    /// Entry into this queue.
    pub queued_at: Timestamp,
    /// Whether the item is a callback request.
    pub callback: bool,
    /// First offer to an agent in this visit.
    pub first_offered_at: Option<Timestamp>,
    /// When an agent accepted it.
    pub answered_at: Option<Timestamp>,
    /// Who accepted it.
    pub answered_by: Option<UserId>,
    /// When and why it left the queue unanswered.
    pub left: Option<(Timestamp, LeaveCause)>,
    /// When the agent finished handling it, before wrap-up.
    pub completed_at: Option<Timestamp>,
    /// Hold time of finished holds, in milliseconds.
    pub hold_ms: i64,
    /// Start of a hold still running.
    pub hold_started_at: Option<Timestamp>,
    /// End of the wrap-up that followed completion.
    pub wrap_up_ended_at: Option<Timestamp>,
    /// First reply to the customer, for digital kinds.
    pub first_response_at: Option<Timestamp>,
}

impl ItemRecord {
    fn new(item: InteractionId, queue: QueueId, kind: QueueKind, created_at: Timestamp, queued_at: Timestamp) -> Self {
        Self {
            item,
            queue,
            kind,
            created_at,
            queued_at,
            callback: false,
            first_offered_at: None,
            answered_at: None,
            answered_by: None,
            left: None,
            completed_at: None,
            hold_ms: 0,
            hold_started_at: None,
            wrap_up_ended_at: None,
            first_response_at: None,
        }
    }

    /// When the item left the queue unanswered.
    #[must_use]
    pub fn left_at(&self) -> Option<Timestamp> {
        self.left.map(|(at, _)| at)
    }

    /// Why the item left the queue unanswered.
    #[must_use]
    pub fn leave_cause(&self) -> Option<LeaveCause> {
        self.left.map(|(_, cause)| cause)
    }

    /// Whether the item still waits in this queue.
    #[must_use]
    pub fn is_waiting(&self) -> bool {
        self.answered_at.is_none() && self.left.is_none()
    }

    /// Whether it left the queue as an abandon: callbacks never count as abandoned.
    fn abandoned_at(&self) -> Option<Timestamp> {
        match self.left {
            Some((at, LeaveCause::Abandoned)) if !self.callback => Some(at),
            _ => None,
        }
    }

    /// When the visit's last fact happened, or `None` while something is still open.
    fn settled_at(&self) -> Option<Timestamp> {
        match (self.left, self.completed_at) {
            (Some((left, _)), _) => Some(left),
            (None, Some(done)) => Some(self.wrap_up_ended_at.map_or(done, |w| w.max(done))),
            (None, None) => None,
        }
    }

    /// An open hold counts up to `at`, the end of the handling.
    fn close_hold(&mut self, at: Timestamp) {
        if let Some(start) = self.hold_started_at.take() {
            self.hold_ms = self.hold_ms.saturating_add(span_ms(start, at));
        }
    }
}

/// One missed offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MissRecord {
    /// When the offer was missed.
    pub at: Timestamp,
    /// The item offered.
    pub item: InteractionId,
    /// Its queue.
    pub queue: QueueId,
    /// The queue's kind, when the item's visit was in the ledger.
    pub kind: Option<QueueKind>,
    /// The agent who missed it.
    pub agent: UserId,
    /// Why.
    pub cause: MissCause,
}

/// Missed offers counted by cause.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MissCounts {
    /// Offers the agent declined.
    pub rejected: u32,
    /// Offers that lapsed unanswered.
    pub no_answer: u32,
    /// Offers that hit a busy device.
    pub busy: u32,
}

impl MissCounts {
    /// All missed offers, whatever the cause.
    #[must_use]
    pub fn total(self) -> u32 {
        self.rejected + self.no_answer + self.busy
    }

    fn add(&mut self, cause: MissCause) {
        match cause {
            MissCause::Rejected => self.rejected += 1,
            MissCause::NoAnswer => self.no_answer += 1,
            MissCause::Busy => self.busy += 1,
        }
    }
}

/// A stretch of one agent's time in one activity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentSpan {
    /// Start.
    pub from: Timestamp,
    /// End; `None` while it lasts.
    pub to: Option<Timestamp>,
    /// What the agent was doing.
    pub activity: Activity,
    /// Slots in use over all channels.
    pub slots_used: u32,
    /// Slots the agent had over all channels.
    pub slots: u32,
}

/// The routing log folded into queue visits, missed offers and agent spans.
///
/// Events are expected in time order, as the engine writes them. Events that
/// do not fit the item's current visit (an answer for a queue it is not in, a
/// second answer) are ignored rather than trusted, so a damaged log cannot
/// produce impossible figures.
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    records: Vec<ItemRecord>,
    /// Each item's current visit, so that folding an event is O(1).
    current: HashMap<InteractionId, usize>,
    misses: Vec<MissRecord>,
    spans: BTreeMap<UserId, Vec<AgentSpan>>,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A ledger folded from a log, in order.
    #[must_use]
    pub fn from_events<'a>(events: impl IntoIterator<Item = &'a Stamped>) -> Self {
        let mut ledger = Self::new();
        for e in events {
            ledger.apply(e);
        }
        ledger
    }

    /// Folds one event in.
    pub fn apply(&mut self, e: &Stamped) {
        let at = e.at;
        match &e.event {
            RoutingEvent::Queued { item, queue, kind, created_at, callback } => {
                self.queued(at, *item, *queue, *kind, *created_at, *callback);
            }
            RoutingEvent::Offered { item, queue, .. } => {
                if let Some(r) = self.visit_mut(*item, *queue) {
                    r.first_offered_at.get_or_insert(at);
                }
            }
            RoutingEvent::Missed { item, queue, agent, cause } => {
                let kind = self.visit_mut(*item, *queue).map(|r| r.kind);
                self.misses.push(MissRecord { at, item: *item, queue: *queue, kind, agent: *agent, cause: *cause });
            }
            RoutingEvent::Answered { item, queue, agent } => {
                if let Some(r) = self.visit_mut(*item, *queue)
                    && r.is_waiting()
                {
                    r.answered_at = Some(at);
                    r.answered_by = Some(*agent);
                }
            }
            RoutingEvent::Left { item, queue, cause } => {
                if let Some(r) = self.visit_mut(*item, *queue)
                    && r.is_waiting()
                {
                    r.left = Some((at, *cause));
                }
            }
            RoutingEvent::FirstResponse { item } => {
                if let Some(r) = self.current_mut(*item) {
                    r.first_response_at.get_or_insert(at);
                }
            }
            RoutingEvent::HoldStarted { item } => {
                if let Some(r) = self.current_mut(*item)
                    && r.answered_at.is_some()
                    && r.completed_at.is_none()
                {
                    r.hold_started_at.get_or_insert(at);
                }
            }
            RoutingEvent::HoldEnded { item } => {
                if let Some(r) = self.current_mut(*item) {
                    r.close_hold(at);
                }
            }
            RoutingEvent::Completed { item, queue, .. } => {
                if let Some(r) = self.visit_mut(*item, *queue)
                    && r.completed_at.is_none()
                {
                    r.close_hold(at);
                    r.completed_at = Some(at);
                }
            }
            RoutingEvent::WrapUpEnded { item, .. } => {
                if let Some(r) = self.current_mut(*item)
                    && r.completed_at.is_some()
                {
                    r.wrap_up_ended_at.get_or_insert(at);
                }
            }
            RoutingEvent::Activity { agent, activity, slots_used, slots } => {
                self.activity(at, *agent, activity, *slots_used, *slots);
            }
        }
    }

    /// Starts a new visit; whatever the previous visit still had open ends now,
    /// so that an item is never waiting or handled in two queues at once.
    fn queued(
        &mut self,
        at: Timestamp,
        item: InteractionId,
        queue: QueueId,
        kind: QueueKind,
        created_at: Timestamp,
        callback: bool,
    ) {
        if let Some(r) = self.current_mut(item) {
            if r.is_waiting() {
                if r.queue == queue {
                    // A repeated entry into the queue it already waits in adds nothing.
                    return;
                }
                // The log missed the Left: the item moved, which is a transfer.
                r.left = Some((at, LeaveCause::Transferred));
            } else if r.answered_at.is_some() && r.completed_at.is_none() {
                // Moving an answered item on ends its handling in the old queue.
                r.close_hold(at);
                r.completed_at = Some(at);
            }
        }
        self.current.insert(item, self.records.len());
        let mut record = ItemRecord::new(item, queue, kind, created_at, at);
        record.callback = callback;
        self.records.push(record);
    }

    fn activity(&mut self, at: Timestamp, agent: UserId, activity: &Activity, slots_used: u32, slots: u32) {
        let spans = self.spans.entry(agent).or_default();
        if spans.last().is_some_and(|last| last.from == at && last.to.is_none()) {
            // Two changes at the same instant: only the later one lasted.
            spans.pop();
        }
        if let Some(last) = spans.last_mut()
            && last.to.is_none()
        {
            last.to = Some(at.max(last.from));
        }
        spans.push(AgentSpan { from: at, to: None, activity: activity.clone(), slots_used, slots });
    }

    fn current_mut(&mut self, item: InteractionId) -> Option<&mut ItemRecord> {
        let index = *self.current.get(&item)?;
        self.records.get_mut(index)
    }

    /// The item's current visit, if it is in `queue`.
    fn visit_mut(&mut self, item: InteractionId, queue: QueueId) -> Option<&mut ItemRecord> {
        self.current_mut(item).filter(|r| r.queue == queue)
    }

    /// Drops what ended before `t`: visits left or completed (and wrapped up)
    /// before it, missed offers before it, agent spans ending by it.
    ///
    /// Open visits and open spans are always kept. A wrap-up that ends after
    /// its visit was forgotten is ignored, which is why the engine forgets only
    /// what is older than the day it reports on.
    pub fn forget_before(&mut self, t: Timestamp) {
        let mut kept = Vec::with_capacity(self.records.len());
        let mut current = HashMap::with_capacity(self.current.len());
        for (index, record) in std::mem::take(&mut self.records).into_iter().enumerate() {
            if record.settled_at().is_some_and(|s| s < t) {
                continue;
            }
            if self.current.get(&record.item) == Some(&index) {
                current.insert(record.item, kept.len());
            }
            kept.push(record);
        }
        self.records = kept;
        self.current = current;
        self.misses.retain(|m| m.at >= t);
        for spans in self.spans.values_mut() {
            spans.retain(|s| s.to.is_none_or(|to| to > t));
        }
        self.spans.retain(|_, spans| !spans.is_empty());
    }

    /// Every queue visit, in order of queue entry.
    #[must_use]
    pub fn records(&self) -> &[ItemRecord] {
        &self.records
    }

    /// The queue visits that pass `filter`.
    pub fn visits(&self, filter: Filter) -> impl Iterator<Item = &ItemRecord> {
        self.records.iter().filter(move |r| filter.matches(r.queue, r.kind))
    }

    /// The visits that pass `filter` and still wait in their queue.
    pub fn waiting(&self, filter: Filter) -> impl Iterator<Item = &ItemRecord> {
        self.visits(filter).filter(|r| r.is_waiting())
    }

    /// The item's current (latest) visit.
    #[must_use]
    pub fn current_visit(&self, item: InteractionId) -> Option<&ItemRecord> {
        self.current.get(&item).and_then(|&index| self.records.get(index))
    }

    /// Every missed offer, in log order.
    #[must_use]
    pub fn misses(&self) -> &[MissRecord] {
        &self.misses
    }

    /// One agent's activity spans, oldest first; the last one may be open.
    #[must_use]
    pub fn spans(&self, agent: UserId) -> &[AgentSpan] {
        self.spans.get(&agent).map_or(&[], Vec::as_slice)
    }

    /// Agents with at least one activity span.
    pub fn agents(&self) -> impl Iterator<Item = UserId> + '_ {
        self.spans.keys().copied()
    }
}

/// A queue's service-level target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceTarget {
    /// Answered within this time counts as served in time (T).
    pub answer_within: Duration,
    /// Abandons quicker than this are left out of the standard service level.
    pub short_abandon: Duration,
}

/// Service level three ways, with the counts behind them.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ServiceLevel {
    /// answered within T ÷ (answered + abandoned after the short-abandon threshold + timed out).
    pub standard: Option<f64>,
    /// answered within T ÷ answered (Asterisk's).
    pub asterisk: Option<f64>,
    /// removed from queue within T of entry ÷ queued (Amazon Connect's).
    pub connect: Option<f64>,
    /// Answered in the interval within T of creation.
    pub answered_within: u32,
    /// Answered in the interval.
    pub answered: u32,
    /// Abandoned after the short-abandon threshold, or timed out, in the interval.
    pub abandoned_counted: u32,
    /// Abandoned before the short-abandon threshold in the interval.
    pub short_abandons: u32,
    /// Visits queued in the interval (Connect's denominator).
    pub queued: u32,
    /// Of those, removed within T of queue entry other than by transfer (Connect's numerator).
    pub removed_within: u32,
}

/// Service level: answered within T ÷ (answered + abandoned after the short-abandon threshold).
///
/// - A visit counts by the time it left the queue (`answered_at` or
///   `left_at`) falling in the interval.
/// - "Within T" runs from `created_at`, the first contact, so a transferred
///   item keeps its original clock: `answered_at − created_at ≤ T`.
/// - Unanswered: `Abandoned` with `left_at − queued_at ≥ short_abandon`, and
///   every `TimedOut`. Quicker abandons are counted in `short_abandons` and
///   left out. Callbacks are never unanswered; transfers, callback requests
///   and empty-queue departures are in no count (the next queue's visit is).
/// - Asterisk's: answered within T ÷ answered.
/// - Connect's: visits queued in the interval (by `queued_at`) that left the
///   queue, answered or not but not by transfer, within T of `queued_at` ÷
///   visits queued in the interval; a visit still waiting counts only below.
#[must_use]
pub fn service_level(ledger: &Ledger, interval: Interval, filter: Filter, target: ServiceTarget) -> ServiceLevel {
    let within = millis(target.answer_within);
    let short = millis(target.short_abandon);
    let mut sl = ServiceLevel::default();
    for r in ledger.visits(filter) {
        if let Some(answered) = r.answered_at.filter(|&t| interval.contains(t)) {
            sl.answered += 1;
            if span_ms(r.created_at, answered) <= within {
                sl.answered_within += 1;
            }
        } else if let Some((left, cause)) = r.left.filter(|&(t, _)| interval.contains(t))
            && !r.callback
        {
            match cause {
                LeaveCause::Abandoned if span_ms(r.queued_at, left) < short => sl.short_abandons += 1,
                LeaveCause::Abandoned | LeaveCause::TimedOut => sl.abandoned_counted += 1,
                LeaveCause::LeftEmpty | LeaveCause::RefusedEmpty | LeaveCause::Transferred | LeaveCause::Callback => {}
            }
        }
        if interval.contains(r.queued_at) {
            sl.queued += 1;
            let removed = match r.left {
                Some((_, LeaveCause::Transferred)) => None,
                Some((at, _)) => Some(at),
                None => r.answered_at,
            };
            if removed.is_some_and(|at| span_ms(r.queued_at, at) <= within) {
                sl.removed_within += 1;
            }
        }
    }
    sl.standard = ratio(sl.answered_within, sl.answered + sl.abandoned_counted);
    sl.asterisk = ratio(sl.answered_within, sl.answered);
    sl.connect = ratio(sl.removed_within, sl.queued);
    sl
}

/// Average speed of answer on two clocks.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Asa {
    /// mean(`answered_at − queued_at`), in milliseconds.
    pub from_queue_entry_ms: Option<f64>,
    /// mean(`answered_at − created_at`), in milliseconds.
    pub from_creation_ms: Option<f64>,
    /// Visits answered in the interval.
    pub answered: u32,
}

/// ASA: mean(answer − queue entry) over visits answered in the interval; also mean(answer − creation).
///
/// The creation clock shows what a transferred customer lived through; the
/// queue-entry clock shows what this queue did.
#[must_use]
pub fn asa(ledger: &Ledger, interval: Interval, filter: Filter) -> Asa {
    let (mut entry, mut creation) = (Mean::default(), Mean::default());
    for r in ledger.visits(filter) {
        if let Some(answered) = r.answered_at.filter(|&t| interval.contains(t)) {
            entry.add(span_ms(r.queued_at, answered));
            creation.add(span_ms(r.created_at, answered));
        }
    }
    Asa { from_queue_entry_ms: entry.get(), from_creation_ms: creation.get(), answered: entry.n }
}

/// Average handle time and its parts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Aht {
    /// mean(talk + hold + wrap-up), in milliseconds.
    pub mean_ms: Option<f64>,
    /// mean(`completed_at − answered_at − hold`).
    pub talk_ms: Option<f64>,
    /// mean(hold).
    pub hold_ms: Option<f64>,
    /// mean(`wrap_up_ended_at − completed_at`), 0 for an item without wrap-up.
    pub wrap_ms: Option<f64>,
    /// Visits handled: answered and completed in the interval.
    pub handled: u32,
}

/// AHT: mean(talk + hold + wrap-up) over visits answered and completed in the interval.
///
/// - talk = `completed_at − answered_at − hold` (never below 0);
/// - hold = the sum of holds, an open hold counting up to completion;
/// - wrap = `wrap_up_ended_at − completed_at`, or 0 with no wrap-up event.
///
/// A visit counts by `completed_at`, which is final as soon as the
/// conversation ends; a wrap-up still running counts as 0 until it ends.
#[must_use]
pub fn aht(ledger: &Ledger, interval: Interval, filter: Filter) -> Aht {
    let (mut total, mut talk, mut hold, mut wrap) =
        (Mean::default(), Mean::default(), Mean::default(), Mean::default());
    for r in ledger.visits(filter) {
        let (Some(answered), Some(completed)) = (r.answered_at, r.completed_at) else { continue };
        if !interval.contains(completed) {
            continue;
        }
        let handling = span_ms(answered, completed);
        let on_hold = r.hold_ms.clamp(0, handling);
        let talked = handling - on_hold;
        let wrapped = r.wrap_up_ended_at.map_or(0, |w| span_ms(completed, w));
        talk.add(talked);
        hold.add(on_hold);
        wrap.add(wrapped);
        total.add(talked.saturating_add(on_hold).saturating_add(wrapped));
    }
    Aht { mean_ms: total.get(), talk_ms: talk.get(), hold_ms: hold.get(), wrap_ms: wrap.get(), handled: total.n }
}

/// Abandonment rate with its counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Abandonment {
    /// abandoned ÷ queued.
    pub rate: Option<f64>,
    /// Visits queued in the interval that were abandoned.
    pub abandoned: u32,
    /// Visits queued in the interval, callbacks excluded.
    pub queued: u32,
}

/// Abandonment rate: abandoned in queue ÷ queued, over visits queued in the interval, callbacks excluded.
///
/// The cohort is the visits whose `queued_at` falls in the interval, so the
/// rate stays within 0 and 1; short abandons count here (they are only
/// excused from the service level).
#[must_use]
pub fn abandonment_rate(ledger: &Ledger, interval: Interval, filter: Filter) -> Abandonment {
    let mut a = Abandonment::default();
    for r in ledger.visits(filter).filter(|r| !r.callback && interval.contains(r.queued_at)) {
        a.queued += 1;
        if r.abandoned_at().is_some() {
            a.abandoned += 1;
        }
    }
    a.rate = ratio(a.abandoned, a.queued);
    a
}

/// Average abandon time with its count.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct AbandonTime {
    /// mean(`left_at − queued_at`), in milliseconds.
    pub mean_ms: Option<f64>,
    /// Visits abandoned in the interval.
    pub abandoned: u32,
}

/// Average abandon time: mean(`left_at − queued_at`) over visits abandoned (by `left_at`) in the interval.
#[must_use]
pub fn average_abandon_time(ledger: &Ledger, interval: Interval, filter: Filter) -> AbandonTime {
    let mut mean = Mean::default();
    for r in ledger.visits(filter) {
        if let Some(left) = r.abandoned_at().filter(|&t| interval.contains(t)) {
            mean.add(span_ms(r.queued_at, left));
        }
    }
    AbandonTime { mean_ms: mean.get(), abandoned: mean.n }
}

/// Longest waiting: `now − oldest queue entry`, in milliseconds, or `None` when nothing waits.
#[must_use]
pub fn longest_waiting(waiting: impl IntoIterator<Item = Timestamp>, now: Timestamp) -> Option<i64> {
    waiting.into_iter().min().map(|oldest| span_ms(oldest, now))
}

/// Longest waiting over the ledger's visits still in their queue: `now − min(queued_at)`.
#[must_use]
pub fn longest_waiting_in(ledger: &Ledger, filter: Filter, now: Timestamp) -> Option<i64> {
    longest_waiting(ledger.waiting(filter).map(|r| r.queued_at), now)
}

/// Missed offers per (agent, queue): count by cause of misses in the interval.
#[must_use]
pub fn missed_offers(ledger: &Ledger, interval: Interval, filter: Filter) -> BTreeMap<(UserId, QueueId), MissCounts> {
    let mut counts: BTreeMap<(UserId, QueueId), MissCounts> = BTreeMap::new();
    for m in ledger.misses() {
        let kind_passes = filter.kind.is_none_or(|k| m.kind == Some(k));
        if interval.contains(m.at) && filter.queue.is_none_or(|q| q == m.queue) && kind_passes {
            counts.entry((m.agent, m.queue)).or_default().add(m.cause);
        }
    }
    counts
}

/// Where an agent's logged-in time went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AgentTime {
    /// Ready with nothing in hand, in milliseconds.
    pub idle_ms: i64,
    /// Handling work or in wrap-up, in milliseconds.
    pub on_work_ms: i64,
    /// Paused, per reason, in milliseconds.
    pub paused_ms: BTreeMap<String, i64>,
    /// idle + on work + paused.
    pub logged_in_ms: i64,
}

/// Occupancy and slot utilisation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Occupancy {
    /// on work ÷ (on work + idle).
    pub occupancy: Option<f64>,
    /// Σ(`slots_used` × duration) ÷ Σ(slots × duration), over idle and on-work time.
    pub slot_utilisation: Option<f64>,
    /// Time on work, in milliseconds.
    pub on_work_ms: i64,
    /// Time idle, in milliseconds.
    pub idle_ms: i64,
}

/// Span sums over a window; slot sums are wide because slots × milliseconds adds up fast.
#[derive(Debug, Clone, Default)]
struct SpanTotals {
    time: AgentTime,
    used_slot_ms: i128,
    slot_ms: i128,
}

impl SpanTotals {
    fn add(&mut self, spans: &[AgentSpan], window: Interval) {
        for s in spans {
            // The open span lasts until the window's end, itself never later than now.
            let ms = window.overlap_ms(s.from, s.to.unwrap_or(window.to));
            if ms == 0 {
                continue;
            }
            match &s.activity {
                Activity::Idle => self.time.idle_ms = self.time.idle_ms.saturating_add(ms),
                Activity::OnWork => self.time.on_work_ms = self.time.on_work_ms.saturating_add(ms),
                Activity::Paused(reason) => {
                    let paused = self.time.paused_ms.entry(reason.clone()).or_default();
                    *paused = paused.saturating_add(ms);
                    self.time.logged_in_ms = self.time.logged_in_ms.saturating_add(ms);
                    continue;
                }
                Activity::LoggedOut => continue,
            }
            self.time.logged_in_ms = self.time.logged_in_ms.saturating_add(ms);
            // More slots reported in use than owned counts as full, not as over 100 %.
            self.used_slot_ms += i128::from(s.slots_used.min(s.slots)) * i128::from(ms);
            self.slot_ms += i128::from(s.slots) * i128::from(ms);
        }
    }

    fn occupancy(&self) -> Occupancy {
        let (on_work_ms, idle_ms) = (self.time.on_work_ms, self.time.idle_ms);
        Occupancy {
            occupancy: ratio_ms(i128::from(on_work_ms), i128::from(on_work_ms) + i128::from(idle_ms)),
            slot_utilisation: ratio_ms(self.used_slot_ms, self.slot_ms),
            on_work_ms,
            idle_ms,
        }
    }
}

fn agent_totals(ledger: &Ledger, agent: UserId, interval: Interval, now: Timestamp) -> SpanTotals {
    let mut totals = SpanTotals::default();
    totals.add(ledger.spans(agent), interval.until(now));
    totals
}

/// Agent time: idle, on work, paused per reason and logged in (their sum) within `[from, min(to, now))`.
///
/// Agent figures cover all of an agent's queues: activity is not per queue.
#[must_use]
pub fn agent_time(ledger: &Ledger, agent: UserId, interval: Interval, now: Timestamp) -> AgentTime {
    agent_totals(ledger, agent, interval, now).time
}

/// [`agent_time`] for every agent in the ledger.
#[must_use]
pub fn agent_times(ledger: &Ledger, interval: Interval, now: Timestamp) -> BTreeMap<UserId, AgentTime> {
    ledger.agents().map(|agent| (agent, agent_time(ledger, agent, interval, now))).collect()
}

/// Occupancy: on work ÷ (on work + idle) within `[from, min(to, now))`; plus slot utilisation.
///
/// Paused and logged-out time is in neither part. Slot utilisation is
/// Σ(`slots_used` × duration) ÷ Σ(slots × duration) over the same idle and
/// on-work time, which shows how full a multitasking agent's hands are.
#[must_use]
pub fn occupancy(ledger: &Ledger, agent: UserId, interval: Interval, now: Timestamp) -> Occupancy {
    agent_totals(ledger, agent, interval, now).occupancy()
}

/// Occupancy of a set of agents: Σ on work ÷ Σ(on work + idle), and slot utilisation likewise summed.
#[must_use]
pub fn team_occupancy(
    ledger: &Ledger,
    agents: impl IntoIterator<Item = UserId>,
    interval: Interval,
    now: Timestamp,
) -> Occupancy {
    let mut totals = SpanTotals::default();
    let window = interval.until(now);
    for agent in agents {
        totals.add(ledger.spans(agent), window);
    }
    totals.occupancy()
}

const MINUTES_PER_DAY: u32 = 24 * 60;
const DAY_MS: i64 = 86_400_000;
/// Day 0 of Unix time, 1970-01-01, was a Thursday.
const EPOCH_WEEKDAY: Weekday = Weekday::Thu;

/// Opening hours per weekday, Monday first, as UTC minutes of the day `[start, end)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct BusinessHours {
    /// Monday first; `None` for a closed day. Minutes past 24:00 are cut at midnight.
    pub days: [Option<(u32, u32)>; 7],
}

impl BusinessHours {
    /// Open every minute of every day.
    pub const ALWAYS: Self = Self { days: [Some((0, MINUTES_PER_DAY)); 7] };

    /// Open Monday to Friday from `start_minute` to `end_minute`, closed at weekends.
    #[must_use]
    pub const fn weekdays(start_minute: u32, end_minute: u32) -> Self {
        let day = Some((start_minute, end_minute));
        Self { days: [day, day, day, day, day, None, None] }
    }

    /// The opening minutes of `day`, if it opens at all.
    #[must_use]
    pub fn on(&self, day: Weekday) -> Option<(u32, u32)> {
        self.days.get(day.num_days_from_monday() as usize).copied().flatten()
    }

    /// The open window of a weekday (Monday = 0) as milliseconds of the day; empty when closed.
    fn window_ms(&self, weekday: usize) -> (i64, i64) {
        match self.days.get(weekday).copied().flatten() {
            Some((start, end)) => {
                let end = end.min(MINUTES_PER_DAY);
                let start = start.min(end);
                (i64::from(start) * 60_000, i64::from(end) * 60_000)
            }
            None => (0, 0),
        }
    }

    fn open_ms(&self, weekday: usize) -> i128 {
        let (start, end) = self.window_ms(weekday);
        i128::from(end - start)
    }

    /// Open milliseconds from a fixed Monday midnight up to `t`; a difference of
    /// two of these is a business duration, in constant time for any span.
    fn open_ms_until(&self, t: Timestamp) -> i128 {
        let day = i128::from(t.0.div_euclid(DAY_MS));
        let in_day = t.0.rem_euclid(DAY_MS);
        let since_monday = day + i128::from(EPOCH_WEEKDAY.num_days_from_monday());
        let weeks = since_monday.div_euclid(7);
        let weekday = since_monday.rem_euclid(7) as usize;
        let week: i128 = (0..7).map(|d| self.open_ms(d)).sum();
        let earlier_days: i128 = (0..weekday).map(|d| self.open_ms(d)).sum();
        let (start, end) = self.window_ms(weekday);
        weeks * week + earlier_days + i128::from(in_day.clamp(start, end) - start)
    }

    /// Business time in `[from, to)`: the milliseconds of the span that fall in open hours; 0 when `to ≤ from`.
    #[must_use]
    pub fn duration_ms(&self, from: Timestamp, to: Timestamp) -> i64 {
        if to <= from {
            return 0;
        }
        let ms = self.open_ms_until(to) - self.open_ms_until(from);
        i64::try_from(ms.max(0)).unwrap_or(i64::MAX)
    }
}

/// First response and resolution times of digital work.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DigitalTimes {
    /// mean(`first_response_at − created_at`), in milliseconds.
    pub first_response_ms: Option<f64>,
    /// The same counting business hours only.
    pub first_response_business_ms: Option<f64>,
    /// Visits first responded to in the interval.
    pub responded: u32,
    /// mean(`completed_at − created_at`), in milliseconds.
    pub resolution_ms: Option<f64>,
    /// The same counting business hours only.
    pub resolution_business_ms: Option<f64>,
    /// Visits completed in the interval.
    pub resolved: u32,
}

/// First response: mean(`first_response_at − created_at`); resolution: mean(`completed_at − created_at`).
///
/// Only digital kinds (messaging and email) count. A visit counts for first
/// response by `first_response_at` in the interval and for resolution by
/// `completed_at` in the interval. The business variants count only the part
/// of each span that falls in `hours`, so a message left on Friday night and
/// answered on Monday morning waits minutes, not days.
#[must_use]
pub fn digital_times(ledger: &Ledger, interval: Interval, filter: Filter, hours: &BusinessHours) -> DigitalTimes {
    let (mut response, mut response_business) = (Mean::default(), Mean::default());
    let (mut resolution, mut resolution_business) = (Mean::default(), Mean::default());
    for r in ledger.visits(filter).filter(|r| matches!(r.kind, QueueKind::Messaging | QueueKind::Email)) {
        if let Some(first) = r.first_response_at.filter(|&t| interval.contains(t)) {
            response.add(span_ms(r.created_at, first));
            response_business.add(hours.duration_ms(r.created_at, first));
        }
        if let Some(done) = r.completed_at.filter(|&t| interval.contains(t)) {
            resolution.add(span_ms(r.created_at, done));
            resolution_business.add(hours.duration_ms(r.created_at, done));
        }
    }
    DigitalTimes {
        first_response_ms: response.get(),
        first_response_business_ms: response_business.get(),
        responded: response.n,
        resolution_ms: resolution.get(),
        resolution_business_ms: resolution_business.get(),
        resolved: resolution.n,
    }
}

/// An exponentially weighted average of hold times: new = old × ¾ + sample × ¼.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct EstimatedWait {
    average_ms: Option<f64>,
}

impl EstimatedWait {
    /// Weight of a new sample; the old average keeps the rest.
    pub const NEW_WEIGHT: f64 = 0.25;

    /// Folds in one hold time; the first sample is taken as is.
    pub fn sample(&mut self, hold_ms: i64) {
        let sample = hold_ms as f64;
        self.average_ms = Some(match self.average_ms {
            None => sample,
            Some(old) => old * (1.0 - Self::NEW_WEIGHT) + sample * Self::NEW_WEIGHT,
        });
    }

    /// The estimate, rounded to the millisecond; `None` before the first sample.
    #[must_use]
    pub fn estimate(&self) -> Option<i64> {
        self.average_ms.map(|ms| ms.round() as i64)
    }
}

/// Estimated wait of a queue: [`EstimatedWait`] fed with `answered_at − queued_at` of its answered visits, in answer order.
#[must_use]
pub fn estimated_wait(ledger: &Ledger, queue: QueueId) -> EstimatedWait {
    let mut answered: Vec<(Timestamp, i64)> = ledger
        .visits(Filter::queue(queue))
        .filter_map(|r| r.answered_at.map(|at| (at, span_ms(r.queued_at, at))))
        .collect();
    answered.sort_by_key(|&(at, _)| at);
    let mut wait = EstimatedWait::default();
    for (_, ms) in answered {
        wait.sample(ms);
    }
    wait
}

/// Every figure of one queue for one interval, as a queue card shows them.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueFigures {
    /// The queue.
    pub queue: QueueId,
    /// Service level three ways.
    pub service_level: ServiceLevel,
    /// Average speed of answer.
    pub asa: Asa,
    /// Average handle time.
    pub aht: Aht,
    /// Abandonment rate.
    pub abandonment: Abandonment,
    /// Average abandon time.
    pub abandon_time: AbandonTime,
    /// Items waiting now.
    pub waiting: u32,
    /// Age of the oldest waiting item, in milliseconds.
    pub longest_waiting_ms: Option<i64>,
    /// Estimated wait for a new arrival, in milliseconds.
    pub estimated_wait_ms: Option<i64>,
    /// Missed offers in the interval, all agents and causes.
    pub missed_offers: u32,
}

impl QueueFigures {
    /// Computes every figure of `queue` over `interval`, with waiting figures as of `now`.
    #[must_use]
    pub fn compute(ledger: &Ledger, queue: QueueId, interval: Interval, target: ServiceTarget, now: Timestamp) -> Self {
        let filter = Filter::queue(queue);
        Self {
            queue,
            service_level: service_level(ledger, interval, filter, target),
            asa: asa(ledger, interval, filter),
            aht: aht(ledger, interval, filter),
            abandonment: abandonment_rate(ledger, interval, filter),
            abandon_time: average_abandon_time(ledger, interval, filter),
            waiting: ledger.waiting(filter).count() as u32,
            longest_waiting_ms: longest_waiting_in(ledger, filter, now),
            estimated_wait_ms: estimated_wait(ledger, queue).estimate(),
            missed_offers: missed_offers(ledger, interval, filter).values().map(|c| c.total()).sum(),
        }
    }
}

#[cfg(test)]
mod tests;
