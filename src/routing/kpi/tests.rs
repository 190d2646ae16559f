//! Each scenario is a small log, time → event, with its figures worked out by hand.

use super::*;
use Activity::{Idle, LoggedOut, OnWork};
use LeaveCause::{Abandoned, TimedOut, Transferred};
use MissCause::{Busy, NoAnswer, Rejected};
use chrono::{DateTime, Datelike, NaiveDate, TimeDelta};
use proptest::prelude::*;

const Q1: QueueId = QueueId(1);
const Q2: QueueId = QueueId(2);
const ANN: UserId = UserId(10);
const BOB: UserId = UserId(11);

/// Seconds from the scenario's start.
const fn t(secs: i64) -> Timestamp {
    Timestamp(secs * 1000)
}

/// The first hour of a scenario.
const HOUR: Interval = Interval::new(t(0), t(3600));

/// Answered within 20 s; abandons under 5 s are excused.
const TARGET: ServiceTarget =
    ServiceTarget { answer_within: Duration::from_secs(20), short_abandon: Duration::from_secs(5) };

fn queued_as(item: i64, queue: QueueId, kind: QueueKind, created: Timestamp) -> RoutingEvent {
    RoutingEvent::Queued { item: InteractionId(item), queue, kind, created_at: created, callback: false }
}

/// A voice item created at `created_secs`.
fn queued(item: i64, queue: QueueId, created_secs: i64) -> RoutingEvent {
    queued_as(item, queue, QueueKind::Voice, t(created_secs))
}

/// A callback request created at `created_secs`.
fn callback(item: i64, queue: QueueId, created_secs: i64) -> RoutingEvent {
    RoutingEvent::Queued {
        item: InteractionId(item),
        queue,
        kind: QueueKind::Voice,
        created_at: t(created_secs),
        callback: true,
    }
}

fn answered(item: i64, queue: QueueId, agent: UserId) -> RoutingEvent {
    RoutingEvent::Answered { item: InteractionId(item), queue, agent }
}

fn left(item: i64, queue: QueueId, cause: LeaveCause) -> RoutingEvent {
    RoutingEvent::Left { item: InteractionId(item), queue, cause }
}

fn missed(item: i64, queue: QueueId, agent: UserId, cause: MissCause) -> RoutingEvent {
    RoutingEvent::Missed { item: InteractionId(item), queue, agent, cause }
}

fn completed(item: i64, queue: QueueId, agent: UserId) -> RoutingEvent {
    RoutingEvent::Completed { item: InteractionId(item), queue, agent }
}

fn hold(item: i64) -> RoutingEvent {
    RoutingEvent::HoldStarted { item: InteractionId(item) }
}

fn unhold(item: i64) -> RoutingEvent {
    RoutingEvent::HoldEnded { item: InteractionId(item) }
}

fn wrapped_up(item: i64, agent: UserId) -> RoutingEvent {
    RoutingEvent::WrapUpEnded { item: InteractionId(item), agent }
}

fn first_response(item: i64) -> RoutingEvent {
    RoutingEvent::FirstResponse { item: InteractionId(item) }
}

fn activity(agent: UserId, activity: Activity, slots_used: u32, slots: u32) -> RoutingEvent {
    RoutingEvent::Activity { agent, activity, slots_used, slots }
}

fn paused(reason: &str) -> Activity {
    Activity::Paused(reason.into())
}

fn stamped(table: &[(i64, RoutingEvent)]) -> Vec<Stamped> {
    table.iter().map(|(secs, event)| Stamped { at: t(*secs), event: event.clone() }).collect()
}

/// A ledger from a table of (seconds, event).
fn log(table: &[(i64, RoutingEvent)]) -> Ledger {
    Ledger::from_events(&stamped(table))
}

/// A ledger from a table of (calendar time, event).
fn log_at(table: &[(Timestamp, RoutingEvent)]) -> Ledger {
    let events: Vec<Stamped> = table.iter().map(|(at, event)| Stamped { at: *at, event: event.clone() }).collect();
    Ledger::from_events(&events)
}

/// A UTC time in March 2026: the 2nd is a Monday, the 6th a Friday.
fn march(day: u32, hour: u32, minute: u32) -> Timestamp {
    let at = NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(hour, minute, 0).unwrap();
    Timestamp(at.and_utc().timestamp_millis())
}

const MIN: i64 = 60_000;
const H: i64 = 60 * MIN;

#[track_caller]
fn assert_close(actual: Option<f64>, expected: f64) {
    let actual = actual.expect("a figure, not None");
    assert!((actual - expected).abs() <= 1e-9 * expected.abs().max(1.0), "got {actual}, expected {expected}");
}

#[test]
fn service_level_standard_asterisk_and_connect_differ_on_the_same_calls() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (0,  queued(2, Q1, 0)),
        (0,  queued(3, Q1, 0)),
        (0,  queued(4, Q1, 0)),
        (0,  callback(5, Q1, 0)),
        (0,  queued(6, Q2, 0)),
        (0,  queued(7, Q1, 0)),
        (3,  left(3, Q1, Abandoned)),   // a short abandon: excused
        (10, answered(1, Q1, ANN)),     // in time
        (15, left(6, Q2, Transferred)),
        (15, queued(6, Q1, 0)),         // keeps its clock from 0 s
        (30, answered(2, Q1, BOB)),     // late
        (30, answered(6, Q1, ANN)),     // 15 s in Q1 but 30 s since contact: late
        (40, left(4, Q1, Abandoned)),   // a real abandon
        (50, left(5, Q1, Abandoned)),   // a callback is never abandoned
        (60, left(7, Q1, TimedOut)),    // counts like an abandon
    ]);
    let sl = service_level(&ledger, HOUR, Filter::queue(Q1), TARGET);
    assert_eq!((sl.answered_within, sl.answered, sl.abandoned_counted, sl.short_abandons), (1, 3, 2, 1));
    // 1 in time ÷ (3 answered + 2 abandoned or timed out).
    assert_close(sl.standard, 1.0 / 5.0);
    // 1 in time ÷ 3 answered.
    assert_close(sl.asterisk, 1.0 / 3.0);
    // Removed within 20 s of entering Q1: items 1 (10 s), 3 (3 s) and 6 (15 s), of 7 visits queued.
    assert_eq!((sl.removed_within, sl.queued), (3, 7));
    assert_close(sl.connect, 3.0 / 7.0);

    // Over all queues, item 6's visit to Q2 is queued but left by transfer: Connect's denominator only.
    let all = service_level(&ledger, HOUR, Filter::ALL, TARGET);
    assert_close(all.standard, 1.0 / 5.0);
    assert_close(all.connect, 3.0 / 8.0);
}

#[test]
fn service_level_is_none_rather_than_a_division_by_zero() {
    let sl = service_level(&Ledger::new(), HOUR, Filter::ALL, TARGET);
    assert_eq!((sl.standard, sl.asterisk, sl.connect), (None, None, None));
    // Only a short abandon: nothing to judge the queue on.
    #[rustfmt::skip]
    let ledger = log(&[
        (0, queued(1, Q1, 0)),
        (2, left(1, Q1, Abandoned)),
    ]);
    let sl = service_level(&ledger, HOUR, Filter::ALL, TARGET);
    assert_eq!((sl.standard, sl.asterisk, sl.short_abandons), (None, None, 1));
    assert_close(sl.connect, 1.0);
}

#[test]
fn asa_on_the_queue_clock_and_on_the_contact_clock() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (0,  queued(2, Q2, 0)),
        (10, answered(1, Q1, ANN)),     // 10 s in Q1, 10 s since contact
        (20, left(2, Q2, Transferred)),
        (20, queued(2, Q1, 0)),
        (40, answered(2, Q1, BOB)),     // 20 s in Q1, 40 s since contact
    ]);
    let asa = asa(&ledger, HOUR, Filter::queue(Q1));
    assert_eq!(asa.answered, 2);
    assert_close(asa.from_queue_entry_ms, 15_000.0);
    assert_close(asa.from_creation_ms, 25_000.0);
    assert_eq!(super::asa(&ledger, HOUR, Filter::queue(Q2)), Asa::default());
}

#[test]
fn aht_is_talk_plus_hold_plus_wrap_up() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s    event
        (0,   queued(1, Q1, 0)),
        (0,   queued(2, Q1, 0)),
        (0,   answered(2, Q1, BOB)),
        (10,  answered(1, Q1, ANN)),
        (40,  hold(1)),
        (50,  hold(2)),                 // never taken off hold
        (60,  completed(2, Q1, BOB)),   // talk 50 s, hold 10 s (to completion), no wrap-up
        (70,  unhold(1)),
        (130, completed(1, Q1, ANN)),   // talk 120 − 30 = 90 s, hold 30 s
        (160, wrapped_up(1, ANN)),      // wrap-up 30 s
    ]);
    let aht = aht(&ledger, HOUR, Filter::ALL);
    assert_eq!(aht.handled, 2);
    assert_close(aht.talk_ms, 70_000.0); // (90 + 50) ÷ 2
    assert_close(aht.hold_ms, 20_000.0); // (30 + 10) ÷ 2
    assert_close(aht.wrap_ms, 15_000.0); // (30 + 0) ÷ 2
    assert_close(aht.mean_ms, 105_000.0); // (150 + 60) ÷ 2
}

#[test]
fn abandonment_rate_and_average_abandon_time() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s    event
        (0,   queued(1, Q1, 0)),
        (0,   queued(2, Q1, 0)),
        (0,   queued(3, Q1, 0)),
        (0,   callback(4, Q1, 0)),
        (0,   queued(5, Q1, 0)),
        (3,   left(3, Q1, Abandoned)),  // short, but an abandon all the same
        (5,   answered(1, Q1, ANN)),
        (30,  left(2, Q1, Abandoned)),
        (40,  left(4, Q1, Abandoned)),  // a callback: neither queued nor abandoned here
        (45,  answered(5, Q1, BOB)),
        (700, queued(6, Q1, 700)),      // after the first ten minutes
        (730, left(6, Q1, Abandoned)),
    ]);
    let ten_minutes = Interval::new(t(0), t(600));
    let rate = abandonment_rate(&ledger, ten_minutes, Filter::ALL);
    assert_eq!((rate.abandoned, rate.queued), (2, 4));
    assert_close(rate.rate, 0.5);
    let wait = average_abandon_time(&ledger, ten_minutes, Filter::ALL);
    assert_eq!(wait.abandoned, 2);
    assert_close(wait.mean_ms, 16_500.0); // (3 + 30) ÷ 2

    let hour = abandonment_rate(&ledger, HOUR, Filter::ALL);
    assert_close(hour.rate, 3.0 / 5.0);
    assert_close(average_abandon_time(&ledger, HOUR, Filter::ALL).mean_ms, 21_000.0); // (3 + 30 + 30) ÷ 3
}

/// Ann: idle from before the hour, two stretches of work, lunch, idle, then work still going on.
#[rustfmt::skip]
fn ann_s_hour() -> Vec<(i64, RoutingEvent)> {
    vec![
        // s     event                                   slots
        (-300, activity(ANN, Idle, 0, 3)),             // clipped at 0
        (600,  activity(ANN, OnWork, 1, 3)),
        (1200, activity(ANN, OnWork, 3, 3)),
        (1800, activity(ANN, paused("Lunch"), 0, 3)),
        (2400, activity(ANN, Idle, 0, 3)),
        (3000, activity(ANN, OnWork, 2, 3)),           // open: clipped at the end
    ]
}

#[test]
fn occupancy_and_slot_utilisation_with_a_pause_and_an_open_last_span() {
    let ledger = log(&ann_s_hour());
    let occ = occupancy(&ledger, ANN, HOUR, t(5000));
    // Idle 0–600 and 2400–3000; on work 600–1800 and 3000–3600; lunch in neither.
    assert_eq!((occ.idle_ms, occ.on_work_ms), (1_200_000, 1_800_000));
    assert_close(occ.occupancy, 0.6);
    // Slots used × s: 0·600 + 1·600 + 3·600 + 0·600 + 2·600 = 3600, of 3 slots × 3000 s.
    assert_close(occ.slot_utilisation, 3600.0 / 9000.0);

    // Asked at 3300 s, the open span ends now rather than at the end of the hour.
    let so_far = occupancy(&ledger, ANN, HOUR, t(3300));
    assert_eq!((so_far.idle_ms, so_far.on_work_ms), (1_200_000, 1_500_000));
    assert_close(so_far.occupancy, 1500.0 / 2700.0);
    assert_close(so_far.slot_utilisation, 3000.0 / 8100.0);

    assert_eq!(occupancy(&ledger, BOB, HOUR, t(5000)), Occupancy::default());
}

#[rustfmt::skip]
fn bob_s_day() -> Vec<(i64, RoutingEvent)> {
    vec![
        // s    event
        (0,   activity(BOB, Idle, 0, 1)),
        (100, activity(BOB, paused("Lunch"), 0, 1)),
        (400, activity(BOB, Idle, 0, 1)),
        (500, activity(BOB, paused("Training"), 0, 1)),
        (600, activity(BOB, Idle, 0, 1)),
        (700, activity(BOB, paused("Lunch"), 0, 1)),
        (800, activity(BOB, OnWork, 1, 1)),
        (900, activity(BOB, LoggedOut, 0, 0)),
    ]
}

#[test]
fn agent_time_per_pause_reason() {
    let ledger = log(&bob_s_day());
    let time = agent_time(&ledger, BOB, Interval::new(t(0), t(1000)), t(1000));
    assert_eq!(time.idle_ms, 300_000);
    assert_eq!(time.on_work_ms, 100_000);
    assert_eq!(time.paused_ms, BTreeMap::from([("Lunch".to_string(), 400_000), ("Training".to_string(), 100_000)]));
    assert_eq!(time.logged_in_ms, 900_000);
}

#[test]
fn team_occupancy_sums_the_agents_times() {
    let mut table = ann_s_hour();
    table.extend(bob_s_day());
    table.sort_by_key(|(secs, _)| *secs);
    let ledger = log(&table);
    let team = team_occupancy(&ledger, [ANN, BOB], HOUR, t(5000));
    // Ann 1800 s on work, 1200 s idle; Bob 100 s and 300 s.
    assert_close(team.occupancy, 1900.0 / 3400.0);
    // Ann 3600 of 9000 slot-seconds; Bob 100 of 400.
    assert_close(team.slot_utilisation, 3700.0 / 9400.0);
    let times = agent_times(&ledger, HOUR, t(5000));
    assert_eq!(times.keys().copied().collect::<Vec<_>>(), [ANN, BOB]);
    assert_eq!(times.get(&ANN).map(|a| a.logged_in_ms), Some(3_600_000));
}

#[test]
fn missed_offers_by_agent_and_queue() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s     event
        (0,    queued(1, Q1, 0)),
        (0,    queued(2, Q2, 0)),
        (1,    missed(1, Q1, ANN, Rejected)),
        (20,   missed(1, Q1, ANN, NoAnswer)),
        (30,   missed(1, Q1, BOB, Busy)),
        (40,   missed(2, Q2, ANN, NoAnswer)),
        (4000, missed(2, Q2, ANN, Rejected)),  // after the hour
    ]);
    let counts = missed_offers(&ledger, HOUR, Filter::ALL);
    assert_eq!(
        counts,
        BTreeMap::from([
            ((ANN, Q1), MissCounts { rejected: 1, no_answer: 1, busy: 0 }),
            ((ANN, Q2), MissCounts { rejected: 0, no_answer: 1, busy: 0 }),
            ((BOB, Q1), MissCounts { rejected: 0, no_answer: 0, busy: 1 }),
        ])
    );
    assert_eq!(counts.get(&(ANN, Q1)).map(|c| c.total()), Some(2));
    assert_eq!(missed_offers(&ledger, HOUR, Filter::queue(Q2)).len(), 1);
    assert!(missed_offers(&ledger, HOUR, Filter::kind(QueueKind::Email)).is_empty());
}

#[test]
fn first_response_and_resolution_count_business_hours_across_a_weekend_and_a_night() {
    let (email, voice) = (QueueKind::Email, QueueKind::Voice);
    #[rustfmt::skip]
    let ledger = log_at(&[
        // time                event
        (march(6, 16, 30),  queued_as(1, Q1, email, march(6, 16, 30))),  // Friday, 30 min before closing
        (march(9, 9, 40),   answered(1, Q1, ANN)),
        (march(9, 9, 45),   first_response(1)),       // 30 min Friday + 45 min Monday
        (march(9, 10, 0),   queued_as(3, Q2, voice, march(9, 10, 0))),   // a call: not digital
        (march(9, 10, 1),   answered(3, Q2, BOB)),
        (march(9, 10, 2),   first_response(3)),
        (march(9, 10, 30),  completed(3, Q2, BOB)),
        (march(9, 11, 0),   completed(1, Q1, ANN)),   // 30 min Friday + 2 h Monday
        (march(10, 20, 0),  queued_as(2, Q1, email, march(10, 20, 0))),  // Tuesday night
        (march(11, 9, 5),   answered(2, Q1, BOB)),
        (march(11, 9, 10),  first_response(2)),       // 10 min Wednesday
    ]);
    let fortnight = Interval::new(march(2, 0, 0), march(16, 0, 0));
    let hours = BusinessHours::weekdays(9 * 60, 17 * 60);
    let times = digital_times(&ledger, fortnight, Filter::ALL, &hours);
    assert_eq!((times.responded, times.resolved), (2, 1));
    // Wall clock: 65 h 15 min and 13 h 10 min.
    assert_close(times.first_response_ms, (65.0 * 60.0 + 15.0 + 13.0 * 60.0 + 10.0) * 60_000.0 / 2.0);
    assert_close(times.first_response_business_ms, (75.0 + 10.0) * 60_000.0 / 2.0);
    assert_close(times.resolution_ms, (66.0 * 60.0 + 30.0) * 60_000.0);
    assert_close(times.resolution_business_ms, 150.0 * 60_000.0);
    assert_eq!(digital_times(&ledger, fortnight, Filter::kind(QueueKind::Voice), &hours), DigitalTimes::default());
}

#[test]
fn business_time_counts_only_open_hours() {
    let office = BusinessHours::weekdays(9 * 60, 17 * 60);
    assert_eq!(office.on(Weekday::Mon), Some((540, 1020)));
    assert_eq!(office.on(Weekday::Sun), None);
    // Within one day.
    assert_eq!(office.duration_ms(march(2, 10, 0), march(2, 12, 0)), 2 * H);
    // Over a night: 16–17 on Monday, 9–10 on Tuesday.
    assert_eq!(office.duration_ms(march(2, 16, 0), march(3, 10, 0)), 2 * H);
    // Over a weekend.
    assert_eq!(office.duration_ms(march(6, 16, 0), march(9, 10, 0)), 2 * H);
    // Entirely outside: Saturday.
    assert_eq!(office.duration_ms(march(7, 10, 0), march(7, 16, 0)), 0);
    // Two full weeks and a morning.
    assert_eq!(office.duration_ms(march(2, 0, 0), march(16, 10, 30)), 2 * 40 * H + 90 * MIN);
    // Before 1970 as well: 1969-12-29 was a Monday.
    let monday_1969 = Timestamp(-3 * 86_400_000);
    assert_eq!(office.duration_ms(monday_1969.plus_secs(10 * 3600), monday_1969.plus_secs(12 * 3600)), 2 * H);
    // Backwards is nothing.
    assert_eq!(office.duration_ms(march(2, 12, 0), march(2, 10, 0)), 0);
    assert_eq!(BusinessHours::ALWAYS.duration_ms(march(6, 16, 0), march(9, 10, 0)), 66 * H);
    assert_eq!(BusinessHours::default().duration_ms(march(2, 0, 0), march(16, 0, 0)), 0);
    // Hours past midnight stop at midnight; an empty window is closed.
    let odd = BusinessHours { days: [Some((22 * 60, 30 * 60)), Some((600, 600)), None, None, None, None, None] };
    assert_eq!(odd.duration_ms(march(2, 0, 0), march(4, 0, 0)), 2 * H);
}

/// The same figure by walking the calendar day by day with chrono.
fn business_by_walking_days(hours: &BusinessHours, from: Timestamp, to: Timestamp) -> i64 {
    let (start, end) =
        (DateTime::from_timestamp_millis(from.0).unwrap(), DateTime::from_timestamp_millis(to.0).unwrap());
    let mut total = TimeDelta::zero();
    let mut day = start.date_naive();
    while day <= end.date_naive() {
        if let Some((open, close)) = hours.on(day.weekday()) {
            let midnight = day.and_hms_opt(0, 0, 0).unwrap().and_utc();
            let close = midnight + TimeDelta::minutes(i64::from(close.min(1440)));
            let open = (midnight + TimeDelta::minutes(i64::from(open))).min(close);
            let overlap = close.min(end) - open.max(start);
            total += overlap.max(TimeDelta::zero());
        }
        day = day.succ_opt().unwrap();
    }
    total.num_milliseconds()
}

#[test]
fn estimated_wait_weighs_a_new_sample_one_quarter() {
    let mut wait = EstimatedWait::default();
    assert_eq!(wait.estimate(), None);
    wait.sample(40_000);
    assert_eq!(wait.estimate(), Some(40_000)); // the first sample as is
    wait.sample(20_000);
    assert_eq!(wait.estimate(), Some(35_000)); // 40 × ¾ + 20 × ¼
    wait.sample(60_000);
    assert_eq!(wait.estimate(), Some(41_250)); // 35 × ¾ + 60 × ¼
}

#[test]
fn estimated_wait_of_a_queue_folds_waits_in_answer_order() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (10, queued(2, Q1, 10)),
        (30, answered(2, Q1, ANN)),     // waited 20 s, answered first
        (60, answered(1, Q1, BOB)),     // waited 60 s
    ]);
    // 20 then 20 × ¾ + 60 × ¼ = 30 (in queue order it would be 50).
    assert_eq!(estimated_wait(&ledger, Q1).estimate(), Some(30_000));
    assert_eq!(estimated_wait(&ledger, Q2).estimate(), None);
}

#[test]
fn longest_waiting_is_the_age_of_the_oldest_waiting_item() {
    assert_eq!(longest_waiting([t(30), t(10), t(50)], t(100)), Some(90_000));
    assert_eq!(longest_waiting([], t(100)), None);
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (10, queued(2, Q1, 10)),
        (20, queued(3, Q1, 20)),
        (30, queued(4, Q2, 30)),
        (40, answered(1, Q1, ANN)),
        (50, left(3, Q1, Abandoned)),
    ]);
    assert_eq!(longest_waiting_in(&ledger, Filter::ALL, t(100)), Some(90_000));
    assert_eq!(longest_waiting_in(&ledger, Filter::queue(Q2), t(100)), Some(70_000));
    assert_eq!(longest_waiting_in(&ledger, Filter::kind(QueueKind::Email), t(100)), None);
}

#[test]
fn events_outside_the_interval_are_ignored() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s    event
        (0,   queued(1, Q1, 0)),
        (10,  answered(1, Q1, ANN)),    // before the interval
        (100, queued(2, Q1, 100)),
        (110, answered(2, Q1, ANN)),    // inside
        (150, queued(4, Q1, 150)),
        (190, queued(3, Q1, 190)),
        (200, left(4, Q1, Abandoned)),  // at the end: outside, the interval is half-open
        (250, answered(3, Q1, ANN)),    // after
    ]);
    let window = Interval::new(t(100), t(200));
    let sl = service_level(&ledger, window, Filter::ALL, TARGET);
    assert_eq!((sl.answered, sl.answered_within, sl.abandoned_counted), (1, 1, 0));
    // Queued inside: items 2, 4 and 3; only item 2 left within 20 s.
    assert_eq!((sl.removed_within, sl.queued), (1, 3));
    assert_eq!(asa(&ledger, window, Filter::ALL).answered, 1);
    // The rate follows the visits queued inside, wherever they end; the abandon time follows the abandons inside.
    assert_eq!(abandonment_rate(&ledger, window, Filter::ALL).abandoned, 1);
    assert_eq!(average_abandon_time(&ledger, window, Filter::ALL), AbandonTime::default());
}

#[test]
fn moving_an_item_on_closes_what_its_old_visit_left_open() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (5,  queued(1, Q1, 0)),         // a repeated entry: ignored
        (10, queued(1, Q2, 0)),         // moved without a Left: a transfer
        (20, answered(1, Q2, ANN)),
        (25, answered(1, Q1, BOB)),     // not its queue any more: ignored
        (30, hold(1)),
        (40, queued(1, Q1, 0)),         // moved while handled: handling ends
    ]);
    let visits = ledger.records();
    assert_eq!(visits.len(), 3);
    assert_eq!(visits.first().map(|r| r.left), Some(Some((t(10), Transferred))));
    let second = visits.get(1).unwrap();
    assert_eq!((second.answered_by, second.completed_at, second.hold_ms), (Some(ANN), Some(t(40)), 10_000));
    assert_eq!(ledger.current_visit(InteractionId(1)).map(|r| (r.queue, r.queued_at)), Some((Q1, t(40))));
}

#[test]
fn forget_before_drops_what_ended_and_keeps_what_is_open() {
    #[rustfmt::skip]
    let mut ledger = log(&[
        // s    event
        (0,   activity(ANN, Idle, 0, 1)),
        (0,   queued(1, Q1, 0)),
        (0,   queued(2, Q1, 0)),
        (0,   queued(3, Q1, 0)),
        (0,   queued(4, Q1, 0)),
        (0,   queued(5, Q1, 0)),
        (0,   queued(6, Q1, 0)),
        (5,   answered(1, Q1, ANN)),
        (5,   activity(ANN, OnWork, 1, 1)),
        (6,   answered(5, Q1, ANN)),
        (7,   answered(6, Q1, BOB)),
        (10,  left(2, Q1, Abandoned)),          // ended: forgotten
        (20,  missed(3, Q1, BOB, NoAnswer)),    // forgotten
        (30,  answered(3, Q1, BOB)),            // still in hand: kept
        (50,  completed(1, Q1, ANN)),
        (60,  activity(ANN, Idle, 0, 1)),       // Ann's earlier spans ended: forgotten
        (70,  completed(6, Q1, BOB)),           // no wrap-up by 100 s: not waited for
        (80,  completed(5, Q1, ANN)),
        (90,  wrapped_up(1, ANN)),              // item 1 ended: forgotten
        (120, missed(4, Q1, BOB, Rejected)),    // kept
        (150, wrapped_up(5, ANN)),              // item 5 ended after 100 s: kept
    ]);
    ledger.forget_before(t(100));
    let items: Vec<i64> = ledger.records().iter().map(|r| r.item.0).collect();
    assert_eq!(items, [3, 4, 5]); // item 4 still waits
    assert_eq!(ledger.misses().iter().map(|m| m.at).collect::<Vec<_>>(), [t(120)]);
    assert_eq!(ledger.spans(ANN).iter().map(|s| s.from).collect::<Vec<_>>(), [t(60)]);

    // The rest of the day folds onto what was kept.
    #[rustfmt::skip]
    let later = stamped(&[
        (170, completed(3, Q1, BOB)),
        (200, answered(4, Q1, ANN)),
    ]);
    for e in &later {
        ledger.apply(e);
    }
    let window = Interval::new(t(100), t(300));
    assert_eq!(missed_offers(&ledger, window, Filter::ALL).len(), 1);
    assert_eq!(ledger.current_visit(InteractionId(4)).and_then(|r| r.answered_at), Some(t(200)));
    assert_eq!(service_level(&ledger, window, Filter::ALL, TARGET).answered, 1);
    let aht = aht(&ledger, window, Filter::ALL);
    assert_eq!(aht.handled, 1);
    assert_close(aht.talk_ms, 140_000.0); // item 3: 30 s → 170 s
}

#[test]
fn queue_figures_gather_a_queue_card() {
    #[rustfmt::skip]
    let ledger = log(&[
        // s   event
        (0,  queued(1, Q1, 0)),
        (0,  queued(2, Q1, 0)),
        (5,  missed(1, Q1, ANN, NoAnswer)),
        (12, answered(1, Q1, BOB)),
        (40, queued(3, Q1, 40)),
        (72, completed(1, Q1, BOB)),
    ]);
    let card = QueueFigures::compute(&ledger, Q1, HOUR, TARGET, t(100));
    assert_eq!(card.service_level, service_level(&ledger, HOUR, Filter::queue(Q1), TARGET));
    assert_close(card.service_level.standard, 1.0);
    assert_close(card.service_level.connect, 1.0 / 3.0);
    assert_close(card.asa.from_queue_entry_ms, 12_000.0);
    assert_close(card.aht.mean_ms, 60_000.0);
    assert_close(card.abandonment.rate, 0.0);
    assert_eq!((card.waiting, card.longest_waiting_ms), (2, Some(100_000)));
    assert_eq!((card.estimated_wait_ms, card.missed_offers), (Some(12_000), 1));
}

fn arb_event() -> impl Strategy<Value = RoutingEvent> {
    let item = || (0i64..5).prop_map(InteractionId);
    let queue = || (1i64..3).prop_map(QueueId);
    let agent = || (1i64..3).prop_map(UserId);
    let kind = prop_oneof![Just(QueueKind::Voice), Just(QueueKind::Messaging), Just(QueueKind::Email)];
    let leave = prop_oneof![
        Just(Abandoned),
        Just(TimedOut),
        Just(LeaveCause::LeftEmpty),
        Just(LeaveCause::RefusedEmpty),
        Just(Transferred),
        Just(LeaveCause::Callback),
    ];
    let miss = prop_oneof![Just(Rejected), Just(NoAnswer), Just(Busy)];
    let what = prop_oneof![Just(Idle), Just(OnWork), Just(paused("Lunch")), Just(paused("Training")), Just(LoggedOut)];
    let created = prop_oneof![9 => -200_000i64..200_000, 1 => any::<i64>()];
    prop_oneof![
        (item(), queue(), kind, created, any::<bool>()).prop_map(|(item, queue, kind, created, callback)| {
            RoutingEvent::Queued { item, queue, kind, created_at: Timestamp(created), callback }
        }),
        (item(), queue(), agent()).prop_map(|(item, queue, agent)| RoutingEvent::Offered { item, queue, agent }),
        (item(), queue(), agent(), miss).prop_map(|(item, queue, agent, cause)| RoutingEvent::Missed {
            item,
            queue,
            agent,
            cause
        }),
        (item(), queue(), agent()).prop_map(|(item, queue, agent)| RoutingEvent::Answered { item, queue, agent }),
        (item(), queue(), leave).prop_map(|(item, queue, cause)| RoutingEvent::Left { item, queue, cause }),
        item().prop_map(|item| RoutingEvent::FirstResponse { item }),
        item().prop_map(|item| RoutingEvent::HoldStarted { item }),
        item().prop_map(|item| RoutingEvent::HoldEnded { item }),
        (item(), queue(), agent()).prop_map(|(item, queue, agent)| RoutingEvent::Completed { item, queue, agent }),
        (item(), agent()).prop_map(|(item, agent)| RoutingEvent::WrapUpEnded { item, agent }),
        (agent(), what, 0u32..5, 0u32..4).prop_map(|(agent, activity, slots_used, slots)| RoutingEvent::Activity {
            agent,
            activity,
            slots_used,
            slots
        }),
    ]
}

/// A log whose clock mostly moves forward, sometimes steps back, and may start anywhere.
fn arb_log() -> impl Strategy<Value = Vec<Stamped>> {
    let start = prop_oneof![9 => -100_000i64..100_000, 1 => any::<i64>()];
    (start, proptest::collection::vec((-5_000i64..60_000, arb_event()), 0..80)).prop_map(|(start, steps)| {
        let mut at = start;
        steps
            .into_iter()
            .map(|(step, event)| {
                at = at.saturating_add(step);
                Stamped { at: Timestamp(at), event }
            })
            .collect()
    })
}

#[track_caller]
fn assert_share(x: Option<f64>) {
    assert!(x.is_none_or(|x| (0.0..=1.0).contains(&x)), "{x:?} is not a share");
}

proptest! {
    #[test]
    fn figures_stay_in_range_for_any_log(
        events in arb_log(),
        from in -200_000i64..2_000_000,
        length in 0i64..5_000_000,
        within in 0u64..100_000,
        short in 0u64..30_000,
    ) {
        let mut ledger = Ledger::from_events(&events);
        let interval = Interval::new(Timestamp(from), Timestamp(from.saturating_add(length)));
        let now = Timestamp(from.saturating_add(length / 2));
        let target = ServiceTarget { answer_within: Duration::from_millis(within), short_abandon: Duration::from_millis(short) };
        for filter in [Filter::ALL, Filter::queue(Q1), Filter::kind(QueueKind::Email)] {
            let sl = service_level(&ledger, interval, filter, target);
            assert_share(sl.standard);
            assert_share(sl.asterisk);
            assert_share(sl.connect);
            prop_assert!(sl.answered_within <= sl.answered);
            prop_assert!(sl.removed_within <= sl.queued);
            assert_share(abandonment_rate(&ledger, interval, filter).rate);
            let times = digital_times(&ledger, interval, filter, &BusinessHours::weekdays(540, 1020));
            prop_assert!(times.first_response_business_ms.unwrap_or(0.0) <= times.first_response_ms.unwrap_or(0.0));
            prop_assert!(times.resolution_business_ms.unwrap_or(0.0) <= times.resolution_ms.unwrap_or(0.0));
            let _ = (asa(&ledger, interval, filter), aht(&ledger, interval, filter));
            let _ = (average_abandon_time(&ledger, interval, filter), missed_offers(&ledger, interval, filter));
            let _ = longest_waiting_in(&ledger, filter, now);
        }
        for agent in [UserId(1), UserId(2)] {
            let occ = occupancy(&ledger, agent, interval, now);
            assert_share(occ.occupancy);
            assert_share(occ.slot_utilisation);
            let time = agent_time(&ledger, agent, interval, now);
            prop_assert!(time.logged_in_ms >= time.idle_ms + time.on_work_ms);
        }
        assert_share(team_occupancy(&ledger, [UserId(1), UserId(2)], interval, now).occupancy);
        let _ = (agent_times(&ledger, interval, now), QueueFigures::compute(&ledger, Q2, interval, target, now));
        let before = ledger.records().len();
        ledger.forget_before(now);
        prop_assert!(ledger.records().len() <= before);
        for e in &events {
            ledger.apply(e);
        }
    }

    #[test]
    fn business_time_matches_a_day_by_day_walk(
        from in 1_700_000_000_000i64..1_710_000_000_000,
        length in 0i64..(21 * 86_400_000),
        days in proptest::array::uniform7(proptest::option::of((0u32..1500, 0u32..1500))),
    ) {
        let hours = BusinessHours { days };
        let (start, end) = (Timestamp(from), Timestamp(from + length));
        prop_assert_eq!(hours.duration_ms(start, end), business_by_walking_days(&hours, start, end));
    }
}
