//! The engine on a manual clock and a real SQLite file: commands, offers,
//! errors and resuming.

use super::*;
use crate::domain::{
    Channel, DeferUntil, Disposition, InteractionId, Language, ManualClock, QueueId, Role, TeamId, ThreadId,
    ThreadStatus, TransferTo,
};
use crate::routing::MISSED_OFFERS_REASON;

/// The distributor's cool-down after an unanswered offer.
const MISS_COOL_DOWN_SECS: i64 = 10;
use crate::protocol::{DemoState, ResumePoint, Snapshot};

const AGENT: UserId = UserId(1);
const SUPERVISOR: UserId = UserId(2);
const ADMIN: UserId = UserId(3);

struct Bench {
    engine: Engine,
    clock: ManualClock,
    _dir: tempfile::TempDir,
}

/// An engine on the demo workspace with every simulated colleague logged
/// out, so that offers can only go to the demo agent.
fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let store = Store::open(dir.path()).unwrap();
    let mut engine = Engine::open(store, Arc::new(clock.clone()), &EngineOptions::default()).unwrap();
    let colleagues: Vec<UserId> = engine.state.users.values().filter(|u| u.simulated).map(|u| u.id).collect();
    for colleague in colleagues {
        let command = Command::SetAgentStatus { agent: colleague, status: AgentStatus::LoggedOut };
        engine.execute(ADMIN, &command).unwrap();
    }
    Bench { engine, clock, _dir: dir }
}

fn customer_writes(engine: &mut Engine, channel: Channel, language: Language) {
    engine
        .receive(SimAction::NewContact {
            customer_name: "Léa Martin".into(),
            language,
            channel,
            category: "billing".into(),
            subject: None,
            body: "Bonjour, ma facture est trop élevée.".into(),
        })
        .unwrap();
}

fn offered_to(engine: &Engine, agent: UserId) -> Vec<InteractionId> {
    engine
        .state
        .interactions
        .values()
        .filter(|i| matches!(i.state, InteractionState::Offered { agent: a, .. } if a == agent))
        .map(|i| i.id)
        .collect()
}

fn drain(events: &mut mpsc::Receiver<Delivery>) -> Vec<Sequenced> {
    let mut out = Vec::new();
    while let Ok(delivery) = events.try_recv() {
        out.extend(delivery);
    }
    out
}

/// A new email with a large body, to fill a disk.
fn big_email(body: String) -> SimAction {
    SimAction::NewContact {
        customer_name: "Big".into(),
        language: Language::En,
        channel: Channel::Email,
        category: "billing".into(),
        subject: None,
        body,
    }
}

fn hello(login: &str, resume_after: Option<ResumePoint>) -> Hello {
    Hello { version: PROTOCOL_VERSION, login: login.into(), resume_after }
}

#[test]
fn new_work_is_offered_with_a_reason_and_accepting_assigns_it() {
    let mut b = bench();
    let (_, mut events) = b.engine.connect(&hello("agent", None)).unwrap();
    customer_writes(&mut b.engine, Channel::WebChat, Language::Fr);
    let offered = offered_to(&b.engine, AGENT);
    assert_eq!(offered.len(), 1);
    let offer = drain(&mut events)
        .into_iter()
        .find_map(|e| match (*e.event).clone() {
            Event::OfferMade(offer) => Some(offer),
            _ => None,
        })
        .expect("the agent is told of the offer");
    assert!(offer.reason.contains("longest idle"), "reason: {:?}", offer.reason);
    assert_eq!(offer.expires_at, b.clock.now().plus_secs(30));

    b.clock.advance_secs(5);
    b.engine.execute(AGENT, &Command::AcceptOffer { interaction: offered[0] }).unwrap();
    let thread = b.engine.state.threads.values().next().unwrap().clone();
    assert_eq!(thread.status, ThreadStatus::Assigned);
    assert_eq!(thread.assignee, Some(AGENT));
    let stored = b.engine.store().thread(thread.id).unwrap().unwrap();
    assert_eq!(stored.status, ThreadStatus::Assigned, "the assignment is committed");
    assert!(matches!(
        b.engine.execute(AGENT, &Command::AcceptOffer { interaction: offered[0] }),
        Err(CommandError::InvalidState(_))
    ));
}

#[test]
fn offer_expires_returns_to_its_queue_and_three_misses_pause_the_agent() {
    let mut b = bench();
    customer_writes(&mut b.engine, Channel::Sms, Language::En);
    let created_at = b.engine.state.interactions.values().next().unwrap().created_at;
    for miss in 1..=3 {
        assert_eq!(offered_to(&b.engine, AGENT).len(), 1, "offer {miss}");
        b.clock.advance_secs(30);
        b.engine.tick();
        assert!(offered_to(&b.engine, AGENT).is_empty(), "expired offer {miss} is withdrawn");
        let interaction = b.engine.state.interactions.values().next().unwrap();
        assert_eq!(interaction.created_at, created_at, "the item keeps its age");
        b.clock.advance_secs(MISS_COOL_DOWN_SECS);
        b.engine.tick();
    }
    assert_eq!(
        b.engine.status_of(AGENT),
        Some(&AgentStatus::Paused { reason: MISSED_OFFERS_REASON.into() }),
        "paused after three missed offers"
    );
    assert!(offered_to(&b.engine, AGENT).is_empty(), "a paused agent gets no offer");
}

#[test]
fn pause_with_a_listed_reason_is_stored_and_an_unknown_reason_is_refused() {
    let mut b = bench();
    let audit_before = b.engine.store().count("audit").unwrap();
    let refused = b.engine.execute(AGENT, &Command::SetStatus { status: AgentStatus::Paused { reason: "Nap".into() } });
    assert!(matches!(refused, Err(CommandError::InvalidInput(_))));
    assert_eq!(b.engine.store().count("audit").unwrap(), audit_before, "nothing written");

    let lunch = AgentStatus::Paused { reason: "Lunch".into() };
    b.engine.execute(AGENT, &Command::SetStatus { status: lunch.clone() }).unwrap();
    assert_eq!(b.engine.status_of(AGENT), Some(&lunch));
    let reopened = b.engine.store().load_workspace().unwrap();
    assert_eq!(reopened.directory.users.iter().find(|u| u.id == AGENT).unwrap().status, lunch);
}

#[test]
fn commands_outside_a_role_are_forbidden_and_write_nothing() {
    let mut b = bench();
    let audit_before = b.engine.store().count("audit").unwrap();
    let command = Command::SetAgentStatus { agent: SUPERVISOR, status: AgentStatus::LoggedOut };
    assert!(matches!(b.engine.execute(AGENT, &command), Err(CommandError::Forbidden { .. })));
    let command = Command::SetDemoPaused { paused: true };
    assert!(matches!(b.engine.execute(SUPERVISOR, &command), Err(CommandError::Forbidden { .. })));
    assert_eq!(b.engine.store().count("audit").unwrap(), audit_before);
    // A supervisor manages their own team only.
    let other_team = b
        .engine
        .state
        .users
        .values()
        .find(|u| u.team != Some(crate::domain::TeamId(1)) && u.role == Role::Agent)
        .unwrap()
        .id;
    let command = Command::SetAgentStatus { agent: other_team, status: AgentStatus::Ready };
    assert!(matches!(b.engine.execute(SUPERVISOR, &command), Err(CommandError::Forbidden { .. })));
}

#[test]
fn unknown_ids_and_bad_replies_get_typed_errors() {
    let mut b = bench();
    let missing = b.engine.execute(AGENT, &Command::AcceptOffer { interaction: InteractionId(999) });
    assert_eq!(missing, Err(CommandError::NotFound { what: "interaction".into(), id: 999 }));
    let missing = b.engine.execute(AGENT, &Command::OpenThread { thread: ThreadId(42) });
    assert_eq!(missing, Err(CommandError::NotFound { what: "thread".into(), id: 42 }));
    let nobody = b.engine.execute(UserId(9999), &Command::SetStatus { status: AgentStatus::Ready });
    assert!(matches!(nobody, Err(CommandError::NotFound { .. })));
    customer_writes(&mut b.engine, Channel::WebChat, Language::En);
    let thread = *b.engine.state.threads.keys().next().unwrap();
    let not_mine = b.engine.execute(AGENT, &Command::SendMessage { thread, body: "Hello".into() });
    assert!(matches!(not_mine, Err(CommandError::InvalidState(_))));
    let empty = b.engine.execute(AGENT, &Command::SendMessage { thread, body: "   ".into() });
    assert!(matches!(empty, Err(CommandError::InvalidInput(_))));
    assert!(matches!(b.engine.connect(&hello("nobody", None)), Err(CommandError::UnknownUser(_))));
    let old = Hello { version: PROTOCOL_VERSION + 1, login: "agent".into(), resume_after: None };
    assert!(matches!(b.engine.connect(&old), Err(CommandError::UnsupportedVersion { .. })));
}

#[test]
fn reply_and_complete_are_committed_and_free_the_agent() {
    let mut b = bench();
    customer_writes(&mut b.engine, Channel::WebChat, Language::En);
    let interaction = offered_to(&b.engine, AGENT)[0];
    b.engine.execute(AGENT, &Command::AcceptOffer { interaction }).unwrap();
    let thread = *b.engine.state.threads.keys().next().unwrap();
    b.engine.execute(AGENT, &Command::SendMessage { thread, body: "  Happy to help!  ".into() }).unwrap();
    let messages = b.engine.store().messages(thread).unwrap();
    assert_eq!(messages.last().unwrap().body, "Happy to help!");
    assert_eq!(messages.last().unwrap().author, crate::domain::Author::Agent(AGENT));
    b.engine.execute(AGENT, &Command::Complete { thread, disposition: None }).unwrap();
    assert_eq!(b.engine.store().thread(thread).unwrap().unwrap().status, ThreadStatus::Completed);
    assert_eq!(b.engine.router().agent_view(AGENT).unwrap().load, [0, 0, 0]);
    assert!(b.engine.state.interactions.is_empty());
}

#[test]
fn resuming_delivers_exactly_the_missed_events() {
    let mut b = bench();
    let (connection, mut events) = b.engine.connect(&hello("agent", None)).unwrap();
    let first = drain(&mut events);
    let Event::Snapshot(snapshot) = &*first[0].event else { panic!("a snapshot comes first") };
    let mut point = ResumePoint { epoch: snapshot.epoch, seq: first[0].seq };
    b.engine.execute(SUPERVISOR, &Command::SetStatus { status: AgentStatus::Ready }).unwrap();
    point.seq = drain(&mut events).last().unwrap().seq;
    b.engine.disconnect(connection);

    // While away: a colleague's status change and new work.
    b.engine.execute(SUPERVISOR, &Command::SetStatus { status: AgentStatus::LoggedOut }).unwrap();
    customer_writes(&mut b.engine, Channel::Email, Language::En);
    let (_, mut events) = b.engine.connect(&hello("agent", Some(point))).unwrap();
    let missed = drain(&mut events);
    assert!(!missed.iter().any(|e| matches!(*e.event, Event::Snapshot(_))), "no snapshot needed");
    let seqs: Vec<u64> = missed.iter().map(|e| e.seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, no duplicates");
    assert_eq!(seqs.first().copied(), Some(point.seq + 1), "nothing lost at the start");
    assert!(missed.iter().any(|e| matches!(*e.event, Event::StatusChanged { user: SUPERVISOR, .. })));
    assert!(missed.iter().any(|e| matches!(*e.event, Event::OfferMade(_))));
    assert!(missed.iter().all(|e| match &*e.event {
        Event::OfferMade(o) => o.agent == AGENT,
        _ => true,
    }));
}

#[test]
fn a_client_too_far_behind_or_from_another_run_gets_a_fresh_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let options = EngineOptions { history: 4, ..EngineOptions::default() };
    let mut engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock), &options).unwrap();
    let (_, mut events) = engine.connect(&hello("agent", None)).unwrap();
    let start = drain(&mut events)[0].seq;
    let epoch = engine.epoch();
    for _ in 0..5 {
        engine.execute(SUPERVISOR, &Command::SetStatus { status: AgentStatus::Ready }).unwrap();
        engine.execute(SUPERVISOR, &Command::SetStatus { status: AgentStatus::LoggedOut }).unwrap();
    }
    let behind = ResumePoint { epoch, seq: start };
    let (_, mut events) = engine.connect(&hello("agent", Some(behind))).unwrap();
    let got = drain(&mut events);
    assert_eq!(got.len(), 1);
    assert!(
        matches!(&*got[0].event, Event::Snapshot(s) if s.directory.users.iter().any(|u| u.id == SUPERVISOR && u.status == AgentStatus::LoggedOut))
    );
    let foreign = ResumePoint { epoch: epoch ^ 1, seq: engine.hub.last_seq() };
    let (_, mut events) = engine.connect(&hello("agent", Some(foreign))).unwrap();
    assert!(matches!(*drain(&mut events)[0].event, Event::Snapshot(_)));
}

#[test]
fn a_full_disk_refuses_the_command_and_changes_nothing() {
    let mut b = bench();
    let conn = b.engine.store_mut().connection();
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!("PRAGMA max_page_count = {pages}")).unwrap();
    let mut failed = None;
    // Fill the last free space; the first write that does not fit fails whole.
    for i in 0..500 {
        let body = format!("{i}: {}", "x".repeat(4000));
        if let Err(error) = b.engine.receive(big_email(body)) {
            failed = Some(error);
            break;
        }
    }
    let error = failed.expect("the disk fills up");
    assert!(error.to_string().contains("disk"), "{error}");
    let before = b.engine.status_of(AGENT).cloned();
    let threads_before = b.engine.state.threads.len();
    let result = b.engine.execute(AGENT, &Command::SetStatus { status: AgentStatus::LoggedOut });
    if result.is_err() {
        assert_eq!(b.engine.status_of(AGENT).cloned(), before, "memory matches the database");
    }
    assert_eq!(b.engine.state.threads.len(), threads_before);
    let stored_threads = b.engine.store().count("threads").unwrap() as usize;
    assert_eq!(stored_threads, b.engine.state.threads.len(), "no partial write");
}

#[test]
fn demo_pause_is_an_admin_command_that_persists() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let options = EngineOptions { demo: Some(SimOptions::default()), ..EngineOptions::default() };
    let mut engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock), &options).unwrap();
    engine.execute(ADMIN, &Command::SetDemoPaused { paused: true }).unwrap();
    assert_eq!(engine.state.demo, Some(DemoState { paused: true }));
    assert_eq!(engine.next_deadline(), engine.router().next_deadline(), "a paused demo sets no timer");
    drop(engine);
    let clock = ManualClock::new(Timestamp(1_800_000_100_000));
    let engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock), &options).unwrap();
    assert_eq!(engine.state.demo, Some(DemoState { paused: true }));
}

#[test]
fn the_demo_makes_queues_move_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let options = EngineOptions { demo: Some(SimOptions { rate: 3.0, seed: 7 }), ..EngineOptions::default() };
    let mut engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock.clone()), &options).unwrap();
    // Twenty simulated minutes, stepping from one deadline to the next.
    let end = clock.now().plus_secs(20 * 60);
    let mut steps = 0;
    while let Some(next) = engine.next_deadline() {
        if next > end {
            break;
        }
        assert!(next > clock.now(), "a deadline in the past would spin the engine: {next:?}");
        clock.advance_millis(next.0 - clock.now().0);
        engine.tick();
        steps += 1;
        assert!(steps < 100_000, "the engine keeps finding work");
    }
    let store = engine.store();
    let threads = store.count("threads").unwrap();
    assert!(threads > 30, "customers wrote in: {threads}");
    let completed: i64 =
        store.load_workspace().unwrap().threads.iter().filter(|t| t.status == ThreadStatus::Completed).count() as i64;
    assert!(completed > 5, "colleagues completed work: {completed}");
    let messages = store.count("messages").unwrap();
    assert!(messages > threads * 2, "conversations went back and forth: {messages} messages");
    let snapshot: Snapshot = engine.state.snapshot(AGENT, clock.now(), 1);
    assert!(snapshot.threads.iter().any(|t| t.language == Language::Fr));
    assert!(snapshot.threads.iter().any(|t| t.channel == Channel::Email));
}

#[test]
fn old_closed_threads_leave_memory_but_open_ones_stay() {
    use crate::domain::{CustomerId, ThreadSummary, forget_old_closed_threads};
    let thread = |id: i64, status: ThreadStatus| ThreadSummary {
        id: ThreadId(id),
        customer: CustomerId(1),
        customer_name: String::new(),
        channel: Channel::Sms,
        subject: String::new(),
        preview: String::new(),
        language: Language::En,
        category: None,
        queue: None,
        status,
        assignee: None,
        unread: 0,
        customer_closed: false,
        created_at: Timestamp(id),
        updated_at: Timestamp(id),
    };
    let mut threads: std::collections::HashMap<ThreadId, ThreadSummary> = (0..100)
        .map(|i| {
            let status = if i % 10 == 0 { ThreadStatus::Waiting } else { ThreadStatus::Completed };
            (ThreadId(i), thread(i, status))
        })
        .collect();
    forget_old_closed_threads(&mut threads, 20);
    assert_eq!(threads.values().filter(|t| t.status.is_closed()).count(), 20);
    assert_eq!(threads.values().filter(|t| !t.status.is_closed()).count(), 10, "open threads all stay");
    assert!(threads.contains_key(&ThreadId(99)) && !threads.contains_key(&ThreadId(1)), "the newest stay");
}

#[test]
fn a_refused_batch_refuses_every_request_in_it_and_memory_returns_to_the_store() {
    let mut b = bench();
    let (connection, mut events) = b.engine.connect(&hello("agent", None)).unwrap();
    drop(drain(&mut events));
    customer_writes(&mut b.engine, Channel::Sms, Language::En);
    let offered = offered_to(&b.engine, AGENT)[0];
    let threads_before = b.engine.state.threads.clone();
    // A full disk: no page may be added any more.
    let conn = b.engine.store_mut().connection();
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0)).unwrap();
    conn.execute_batch(&format!("PRAGMA max_page_count = {pages}")).unwrap();
    b.engine.begin_batch();
    b.engine.handle(connection, &Request { id: 1, command: Command::AcceptOffer { interaction: offered } });
    for i in 0..50 {
        let body = format!("{i}: {}", "x".repeat(4000));
        b.engine.receive(big_email(body)).unwrap();
    }
    b.engine.handle(connection, &Request { id: 2, command: Command::SetStatus { status: AgentStatus::LoggedOut } });
    assert_eq!(b.engine.status_of(AGENT), Some(&AgentStatus::LoggedOut), "applied in memory within the batch");
    b.engine.flush();
    let acks: Vec<(u64, bool)> = drain(&mut events)
        .into_iter()
        .filter_map(|s| match (*s.event).clone() {
            Event::Ack { request, result } => Some((request, result.is_ok())),
            _ => None,
        })
        .collect();
    assert_eq!(acks, vec![(1, false), (2, false)], "both requests are told nothing was saved");
    assert_eq!(b.engine.status_of(AGENT), Some(&AgentStatus::Ready), "memory is the store's again");
    assert_eq!(b.engine.state.threads.len(), threads_before.len());
    assert_eq!(b.engine.store().count("threads").unwrap() as usize, threads_before.len(), "no partial write");
    assert!(b.engine.router().audit(b.engine.now()).is_empty());
    assert!(
        matches!(b.engine.router().item(offered).map(|v| v.state), Some(crate::routing::ItemState::Offered { .. })),
        "the offer is open again, as stored"
    );
}

/// The agent accepts the one offer they have and returns its thread.
fn take_work(b: &mut Bench) -> ThreadId {
    customer_writes(&mut b.engine, Channel::WebChat, Language::En);
    let offered = offered_to(&b.engine, AGENT)[0];
    b.engine.execute(AGENT, &Command::AcceptOffer { interaction: offered }).unwrap();
    b.engine.thread_of(offered).unwrap()
}

#[test]
fn defer_transfer_and_resume_go_through_routing_and_are_stored() {
    let mut b = bench();
    let thread = take_work(&mut b);
    let until = b.clock.now().plus_secs(600);
    b.engine.execute(AGENT, &Command::Defer { thread, until: DeferUntil::Time(until) }).unwrap();
    assert_eq!(b.engine.store().thread(thread).unwrap().unwrap().status, ThreadStatus::Deferred);
    b.engine.execute(AGENT, &Command::Resume { thread }).unwrap();
    assert_eq!(b.engine.store().thread(thread).unwrap().unwrap().status, ThreadStatus::Assigned);
    b.engine.execute(AGENT, &Command::Complete { thread, disposition: Some(Disposition::default()) }).unwrap();
    assert_eq!(b.engine.store().thread(thread).unwrap().unwrap().status, ThreadStatus::Completed);
    // From History back to In progress (C8).
    b.engine.execute(AGENT, &Command::Resume { thread }).unwrap();
    let resumed = b.engine.store().thread(thread).unwrap().unwrap();
    assert_eq!((resumed.status, resumed.assignee), (ThreadStatus::Assigned, Some(AGENT)));
    // A transfer to a queue hands it back to routing with the service-level clock kept.
    let created = b.engine.router().item(b.engine.state.interaction_of(thread).unwrap().id).unwrap().created_at;
    let to = TransferTo::Queue(QueueId(5));
    b.engine.execute(AGENT, &Command::Transfer { thread, to, comment: "billing question".into() }).unwrap();
    let item = b.engine.router().item(b.engine.state.interaction_of(thread).unwrap().id).unwrap();
    assert_eq!((item.queue, item.created_at), (QueueId(5), created));
    assert!(b.engine.router().audit(b.engine.now()).is_empty());
}

#[test]
fn bad_routing_commands_get_typed_errors_and_change_nothing() {
    let mut b = bench();
    let thread = take_work(&mut b);
    let before = b.engine.store().thread(thread).unwrap().unwrap();
    let now = b.clock.now();
    let refused = [
        (Command::Defer { thread, until: DeferUntil::Time(now.plus_secs(-60)) }, "in the past"),
        (Command::Defer { thread, until: DeferUntil::Time(now.plus_secs(400 * 86_400)) }, "absurdly far"),
        (Command::Defer { thread: ThreadId(9999), until: DeferUntil::NextReply }, "unknown thread"),
        (Command::Transfer { thread, to: TransferTo::Agent(UserId(4)), comment: String::new() }, "logged-out agent"),
        (Command::Transfer { thread, to: TransferTo::Queue(QueueId(77)), comment: String::new() }, "unknown queue"),
        (Command::Transfer { thread, to: TransferTo::Team(TeamId(1)), comment: "x".repeat(5000) }, "long comment"),
        (Command::ForceAssign { thread, agent: SUPERVISOR }, "an agent may not force"),
        (Command::Unassign { thread: ThreadId(9999) }, "unknown thread"),
        (Command::EndWrapUp { agent: None }, "not in wrap-up"),
        (Command::SetQueueStatus { agent: None, queue: QueueId(77), status: AgentStatus::Ready }, "not a member"),
    ];
    // User 4 is a simulated colleague; log them out first so the transfer has a logged-out target.
    b.engine.execute(ADMIN, &Command::SetAgentStatus { agent: UserId(4), status: AgentStatus::LoggedOut }).unwrap();
    let stored_events = b.engine.store().count("routing_events").unwrap();
    for (command, why) in refused {
        assert!(b.engine.execute(AGENT, &command).is_err(), "{why}: {command:?} must be refused");
        assert_eq!(b.engine.store().thread(thread).unwrap().unwrap(), before, "{why}: the thread is unchanged");
        assert_eq!(b.engine.store().count("routing_events").unwrap(), stored_events, "{why}: nothing logged");
    }
    assert!(b.engine.router().audit(b.engine.now()).is_empty());
}

#[test]
fn upkeep_between_inputs_finishes_and_leaves_the_data_intact() {
    let mut b = bench();
    for _ in 0..60 {
        customer_writes(&mut b.engine, Channel::Email, Language::En);
    }
    let messages = b.engine.store().count("messages").unwrap();
    let mut steps = 0;
    while b.engine.tidy() {
        steps += 1;
        assert!(steps < 1000, "upkeep never finishes");
    }
    assert_eq!(b.engine.store().count("messages").unwrap(), messages);
    assert!(b.engine.router().audit(b.engine.now()).is_empty());
}

#[test]
fn phone_calls_are_recorded_for_their_agent_checked_and_kept_across_restarts() {
    use crate::domain::{CallDirection, CallOutcome, PhoneCall};
    let dir = tempfile::tempdir().unwrap();
    let clock = ManualClock::new(Timestamp(1_800_000_000_000));
    let options = EngineOptions::default();
    let mut engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock.clone()), &options).unwrap();
    let call = PhoneCall {
        agent: ADMIN,
        direction: CallDirection::Made,
        remote: "claire@example.com".into(),
        started_at: Timestamp(1_799_999_900_000),
        answered_at: Some(Timestamp(1_799_999_905_000)),
        ended_at: Timestamp(1_799_999_990_000),
        outcome: CallOutcome::Answered,
        notes: "Wants a callback tomorrow".into(),
        disposition: Some(engine.state.categories[0].key.clone()),
        tags: vec!["vip".into(), "callback".into()],
        contact: None,
        queue: Some(QueueId(1)),
    };
    engine.execute(AGENT, &Command::RecordCall { call: call.clone() }).unwrap();
    // A talked call puts the agent in wrap-up, which they can end (E3).
    engine.execute(AGENT, &Command::EndWrapUp { agent: None }).unwrap();
    // The day's figures count it as a non-queue call made, with its talk time (G1).
    let figures =
        engine.store.activity_figures(AGENT, Timestamp(1_799_900_000_000), Timestamp(1_800_000_000_000)).unwrap();
    assert_eq!(
        (figures.direct_calls_made, figures.direct_calls_taken, figures.queue_calls_taken, figures.talk_secs),
        (1, 0, 0, 85)
    );
    assert!(
        engine.execute(AGENT, &Command::MyActivity { from: Timestamp(10), to: Timestamp(5) }).is_err(),
        "periods run forward"
    );
    let stored = engine.state.snapshot(AGENT, clock.now(), 1).calls;
    assert_eq!(stored.len(), 1);
    assert_eq!(
        (stored[0].agent, stored[0].queue),
        (AGENT, None),
        "the engine decides whose call it is, and that it is not a queue call"
    );
    assert_eq!(stored[0].talk_millis(), 85_000);
    assert!(engine.state.snapshot(SUPERVISOR, clock.now(), 1).calls.is_empty(), "nobody else sees it");

    for (bad, expected) in [
        (PhoneCall { ended_at: Timestamp(1_799_999_800_000), ..call.clone() }, "out of order"),
        (PhoneCall { ended_at: Timestamp(1_800_001_000_000), ..call.clone() }, "future"),
        (PhoneCall { remote: String::new(), ..call.clone() }, "other party"),
        (PhoneCall { notes: "x".repeat(5000), ..call.clone() }, "notes"),
        (PhoneCall { tags: vec!["a,b".into()], ..call.clone() }, "tags"),
        (PhoneCall { disposition: Some("no-such".into()), ..call.clone() }, "disposition"),
        (PhoneCall { contact: Some(crate::domain::CustomerId(999_999)), ..call.clone() }, "customer"),
    ] {
        let error = engine.execute(AGENT, &Command::RecordCall { call: bad }).unwrap_err();
        assert!(error.to_string().contains(expected), "{error}");
    }
    // A call linked to a customer the workspace knows.
    customer_writes(&mut engine, Channel::Sms, Language::En);
    let customer = engine.state.threads.values().next().unwrap().customer;
    engine
        .execute(AGENT, &Command::RecordCall { call: PhoneCall { contact: Some(customer), ..call.clone() } })
        .unwrap();
    drop(engine);
    let engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(clock.clone()), &options).unwrap();
    let kept = engine.state.snapshot(AGENT, clock.now(), 1).calls;
    assert_eq!(kept.len(), 2, "only the good calls were written, and they survive a restart");
    assert_eq!(kept.iter().filter_map(|c| c.contact).collect::<Vec<_>>(), [customer]);
    assert_eq!(kept[1].notes, "Wants a callback tomorrow");
    assert_eq!(kept[1].tags, ["vip", "callback"]);
    assert_eq!(kept[1].disposition, call.disposition);
}

#[test]
fn the_days_digital_figures_count_handled_work_and_its_times() {
    let mut b = bench();
    let start = b.clock.now();
    let thread = take_work(&mut b);
    b.clock.advance_secs(30);
    b.engine.execute(AGENT, &Command::SendMessage { thread, body: "Let me check.".into() }).unwrap();
    b.clock.advance_secs(90);
    b.engine.execute(AGENT, &Command::Complete { thread, disposition: None }).unwrap();
    let figures = b.engine.store().activity_figures(AGENT, start, b.clock.now().plus_secs(1)).unwrap();
    assert_eq!(figures.interactions_handled, 1);
    assert_eq!(figures.average_handle_secs, Some(120));
    assert_eq!(figures.average_first_response_secs, Some(30));
    let nobody = b.engine.store().activity_figures(SUPERVISOR, start, b.clock.now().plus_secs(1)).unwrap();
    assert_eq!((nobody.interactions_handled, nobody.average_handle_secs), (0, None));
}
