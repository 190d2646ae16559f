use super::*;
use crate::domain::{
    Author, Channel, CustomerId, Directory, MessageId, PauseReason, QueueId, Role, Team, TeamId, ThreadStatus, User,
};

fn round_trip<T: Serialize + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T) {
    let bytes = encode(value).unwrap();
    let back: T = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(&back, value);
}

fn thread() -> ThreadSummary {
    ThreadSummary {
        id: ThreadId(7),
        customer: CustomerId(3),
        customer_name: "Léa Martin".into(),
        channel: Channel::Sms,
        subject: "Facture".into(),
        preview: "Bonjour, ma facture…".into(),
        language: Language::Fr,
        category: None,
        queue: Some(QueueId(2)),
        status: ThreadStatus::Waiting,
        assignee: None,
        unread: 1,
        customer_closed: false,
        created_at: Timestamp(1),
        updated_at: Timestamp(2),
    }
}

fn offer() -> Offer {
    Offer {
        interaction: InteractionId(9),
        thread: ThreadId(7),
        agent: UserId(1),
        queue: QueueId(2),
        channel: Channel::WebChat,
        customer_name: "Sam".into(),
        preview: "hi".into(),
        offered_at: Timestamp(5),
        expires_at: Timestamp(35_005),
        reason: "longest idle in Billing".into(),
    }
}

#[test]
fn every_command_round_trips() {
    let commands = vec![
        Command::SetStatus { status: AgentStatus::Ready },
        Command::SetStatus { status: AgentStatus::Paused { reason: "Lunch".into() } },
        Command::SetStatus { status: AgentStatus::LoggedOut },
        Command::SetAgentStatus { agent: UserId(4), status: AgentStatus::Ready },
        Command::AcceptOffer { interaction: InteractionId(1) },
        Command::RejectOffer { interaction: InteractionId(1) },
        Command::OpenThread { thread: ThreadId(3) },
        Command::SendMessage { thread: ThreadId(3), body: "Hello ✓".into() },
        Command::Complete { thread: ThreadId(3), disposition: None },
        Command::SetDemoPaused { paused: true },
    ];
    for command in commands {
        round_trip(&Request { id: 42, command });
    }
}

#[test]
fn every_event_round_trips() {
    let user = User {
        id: UserId(1),
        name: "Ana".into(),
        login: "ana".into(),
        role: Role::Agent,
        team: Some(TeamId(1)),
        languages: vec![Language::En, Language::Fr],
        status: AgentStatus::Ready,
        status_since: Timestamp(0),
        simulated: false,
    };
    let snapshot = Snapshot {
        me: UserId(1),
        directory: Directory {
            users: vec![user],
            teams: vec![Team { id: TeamId(1), name: "Billing".into() }],
            pause_reasons: vec![PauseReason { label: "Lunch".into() }],
            ..Directory::default()
        },
        memberships: Vec::new(),
        threads: vec![thread()],
        offers: vec![offer()],
        demo: Some(DemoState { paused: false }),
        now: Timestamp(10),
        epoch: 77,
        calls: Vec::new(),
    };
    let message = Message {
        id: MessageId(1),
        thread: ThreadId(7),
        author: Author::Agent(UserId(1)),
        body: "Bonjour".into(),
        at: Timestamp(3),
    };
    let events = vec![
        Event::Snapshot(Box::new(snapshot)),
        Event::Ack { request: 1, result: Ok(()) },
        Event::Ack { request: 2, result: Err(CommandError::Forbidden { command: "SetAgentStatus".into() }) },
        Event::StatusChanged { user: UserId(1), status: AgentStatus::LoggedOut, since: Timestamp(4) },
        Event::ThreadUpdated(thread()),
        Event::MessageAdded(message.clone()),
        Event::ThreadOpened { thread: ThreadId(7), messages: vec![message] },
        Event::OfferMade(offer()),
        Event::OfferClosed { interaction: InteractionId(9), outcome: OfferOutcome::Expired },
        Event::DemoChanged(DemoState { paused: true }),
        Event::Notice { text: "x".into(), language: Some(Language::En) },
    ];
    for event in events {
        round_trip(&Sequenced::new(12, event));
    }
}

#[test]
fn malformed_and_oversized_requests_get_typed_errors() {
    assert!(matches!(decode_request(b"{not json"), Err(CommandError::Malformed(_))));
    assert!(matches!(decode_request(br#"{"id":1,"command":{"Explode":{}}}"#), Err(CommandError::Malformed(_))));
    let huge = vec![b' '; MAX_MESSAGE_BYTES + 1];
    assert!(matches!(decode_request(&huge), Err(CommandError::Malformed(_))));
    let ok = decode_request(br#"{"id":3,"command":{"Complete":{"thread":5}}}"#).unwrap();
    assert_eq!(ok.command, Command::Complete { thread: ThreadId(5), disposition: None });
}

#[test]
fn other_protocol_versions_are_refused() {
    for version in [0, PROTOCOL_VERSION + 1, u32::MAX] {
        let bytes = format!(r#"{{"version":{version},"login":"agent","resume_after":null}}"#);
        assert_eq!(
            decode_hello(bytes.as_bytes()),
            Err(CommandError::UnsupportedVersion { got: version, expected: PROTOCOL_VERSION })
        );
    }
    let bytes = format!(r#"{{"version":{PROTOCOL_VERSION},"login":"agent","resume_after":{{"epoch":3,"seq":17}}}}"#);
    assert_eq!(decode_hello(bytes.as_bytes()).unwrap().resume_after, Some(ResumePoint { epoch: 3, seq: 17 }));
}
