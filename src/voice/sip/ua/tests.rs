//! Two user agents (and, where needed, a small registrar) exchanging messages
//! through an in-memory network on a manual clock.

use super::*;
use crate::voice::g711::G711;
use crate::voice::sip::auth;
use proptest::prelude::*;

const ALICE: &str = "127.0.0.1:5060";
const BOB: &str = "127.0.0.1:5070";
const REGISTRAR: &str = "127.0.0.1:5080";

fn addr(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn udp(text: &str) -> Peer {
    Peer { address: addr(text), transport: Transport::Udp }
}

fn media(port: u16) -> LocalMedia {
    LocalMedia {
        address: "127.0.0.1".parse().unwrap(),
        port,
        codecs: vec![G711::Pcmu, G711::Pcma],
        telephone_event: 101,
        ptime: 20,
        direction: Direction::SendRecv,
        session_id: u64::from(port),
        version: 1,
        username: "test".into(),
    }
}

fn account(user: &str, registrar: Option<Peer>, password: Option<&str>) -> Account {
    Account {
        user: user.into(),
        display_name: Some(user.to_uppercase()),
        domain: "127.0.0.1".into(),
        credentials: password.map(|p| Credentials { username: user.into(), password: p.into() }),
        registrar,
        register_expires: 600,
    }
}

/// A registrar and proxy that challenges every REGISTER and INVITE once
/// per nonce, then forwards requests to the registered contact and
/// responses back along Via, adding Record-Route — the part of kamailio's
/// role the user agent sees.
struct Registrar {
    password: String,
    nonce: u32,
    bindings: HashMap<String, SocketAddr>,
}

impl Registrar {
    fn handle(&mut self, message: Message, from: SocketAddr) -> Vec<(SocketAddr, Message)> {
        let Some(method) = message.method() else { return Vec::new() };
        if !message.is_request() {
            // Forward a response to the next Via after ours.
            let mut response = message;
            let mut vias: Vec<String> = response.headers_named("Via").map(str::to_owned).collect();
            vias.remove(0);
            let Some(next) = vias.first().and_then(|v| Via::parse(v).ok()) else { return Vec::new() };
            response.remove("Via");
            for via in vias.clone() {
                response.push("Via", via);
            }
            let to = SocketAddr::new(next.host.parse().unwrap(), next.port.unwrap_or(5060));
            return vec![(to, response)];
        }
        if matches!(method, Method::Register | Method::Invite) {
            let header = if method == Method::Register { "Authorization" } else { "Proxy-Authorization" };
            let authorised = message.header(header).is_some_and(|value| {
                auth::verify(value, &self.password, method.as_str(), &message.body).unwrap_or(false)
            });
            if !authorised {
                self.nonce += 1;
                let code = if method == Method::Register { 401 } else { 407 };
                let mut challenge = Message::response_to(&message, code, Some("reg"));
                let name = if code == 401 { "WWW-Authenticate" } else { "Proxy-Authenticate" };
                challenge.push(name, format!("Digest realm=\"127.0.0.1\", nonce=\"n{}\", qop=\"auth\"", self.nonce));
                return vec![(from, challenge)];
            }
        }
        if method == Method::Register {
            let user = message.to().unwrap().uri.user.unwrap();
            let contact = message.contact().unwrap().unwrap().uri;
            self.bindings.insert(user, SocketAddr::new(contact.host.parse().unwrap(), contact.port.unwrap()));
            let mut ok = Message::response_to(&message, 200, Some("reg"));
            ok.push("Contact", format!("<{}>;expires=300", message.contact().unwrap().unwrap().uri));
            return vec![(from, ok)];
        }
        if method == Method::Ack && message.header("Route").is_none() && message.to().unwrap().tag() == Some("reg") {
            return Vec::new();
        }
        // Proxy: strip our Route, add Via and (on INVITE) Record-Route, forward.
        let mut request = message;
        let routes: Vec<String> =
            request.headers_named("Route").filter(|r| !r.contains("5080")).map(str::to_owned).collect();
        request.remove("Route");
        for route in routes {
            request.push("Route", route);
        }
        let vias: Vec<String> = request.headers_named("Via").map(str::to_owned).collect();
        request.remove("Via");
        request.push("Via", format!("SIP/2.0/UDP {REGISTRAR};branch=z9hG4bKproxy{}", rand::random::<u32>()));
        for via in vias {
            request.push("Via", via);
        }
        if method == Method::Invite && request.to().unwrap().tag().is_none() {
            request.push("Record-Route", format!("<sip:{REGISTRAR};lr>"));
        }
        let StartLine::Request { uri, .. } = &request.start else { return Vec::new() };
        let to = match uri.user.as_ref().and_then(|u| self.bindings.get(u)) {
            Some(address) if uri.port.is_none() => *address,
            _ => SocketAddr::new(uri.host.parse().unwrap(), uri.port.unwrap_or(5060)),
        };
        vec![(to, request)]
    }
}

use super::super::message::Via;

struct Net {
    alice: UserAgent,
    bob: UserAgent,
    registrar: Option<Registrar>,
    now: Duration,
    alice_events: Vec<UaEvent>,
    bob_events: Vec<UaEvent>,
    /// Messages to lose, by (method or code) text, once each.
    lose: Vec<String>,
    wire: Vec<String>,
}

impl Net {
    fn direct() -> Self {
        Self::new(None, None)
    }

    fn new(registrar: Option<Peer>, password: Option<&str>) -> Self {
        Self {
            alice: UserAgent::new(account("alice", registrar, password), addr(ALICE), "test", media(4000), 1),
            bob: UserAgent::new(account("bob", registrar, password), addr(BOB), "test", media(6000), 2),
            registrar: registrar.map(|_| Registrar {
                password: password.unwrap_or_default().into(),
                nonce: 0,
                bindings: HashMap::new(),
            }),
            now: Duration::ZERO,
            alice_events: Vec::new(),
            bob_events: Vec::new(),
            lose: Vec::new(),
            wire: Vec::new(),
        }
    }

    /// Delivers everything in flight until the network is quiet.
    fn settle(&mut self) {
        for _ in 0..100 {
            let mut flight: Vec<(SocketAddr, SocketAddr, Message)> = Vec::new();
            flight.extend(self.alice.drain_transmits().map(|t| (addr(ALICE), t.to.address, t.message)));
            flight.extend(self.bob.drain_transmits().map(|t| (addr(BOB), t.to.address, t.message)));
            while let Some(event) = self.alice.next_event() {
                self.alice_events.push(event);
            }
            while let Some(event) = self.bob.next_event() {
                self.bob_events.push(event);
            }
            if flight.is_empty() {
                return;
            }
            while !flight.is_empty() {
                let (from, to, message) = flight.remove(0);
                let label = match &message.start {
                    StartLine::Request { method, .. } => method.to_string(),
                    StartLine::Response { code, .. } => {
                        format!("{code} {}", message.method().map_or_else(|| "?".to_owned(), |m| m.to_string()))
                    }
                };
                if let Some(at) = self.lose.iter().position(|l| *l == label) {
                    self.lose.remove(at);
                    continue;
                }
                self.wire.push(label);
                let bytes = message.to_bytes();
                if to == addr(ALICE) {
                    // A mangled message answered with 400 may itself be unreadable: that is fine.
                    let _ = self.alice.receive(&bytes, udp(&from.to_string()), self.now);
                } else if to == addr(BOB) {
                    let _ = self.bob.receive(&bytes, udp(&from.to_string()), self.now);
                } else if to == addr(REGISTRAR) {
                    let registrar = self.registrar.as_mut().expect("a registrar");
                    for (next, forwarded) in registrar.handle(Message::parse(&bytes).unwrap(), from) {
                        flight.push((addr(REGISTRAR), next, forwarded));
                    }
                }
            }
        }
        panic!("the network never went quiet: {:?}", self.wire);
    }

    /// Advances the clock in 100 ms steps, polling and delivering.
    fn advance(&mut self, by: Duration) {
        let end = self.now + by;
        while self.now < end {
            self.now += Duration::from_millis(100);
            self.alice.poll(self.now);
            self.bob.poll(self.now);
            self.settle();
        }
    }

    fn bob_incoming(&self) -> CallHandle {
        self.bob_events
            .iter()
            .rev()
            .find_map(|e| if let UaEvent::Incoming { call, .. } = e { Some(*call) } else { None })
            .expect("bob's phone rang")
    }

    fn connected(events: &[UaEvent]) -> Vec<Negotiated> {
        events
            .iter()
            .filter_map(|e| if let UaEvent::Connected { media, .. } = e { Some(*media) } else { None })
            .collect()
    }

    fn ended(events: &[UaEvent]) -> Vec<EndReason> {
        events
            .iter()
            .filter_map(|e| if let UaEvent::Ended { reason, .. } = e { Some(reason.clone()) } else { None })
            .collect()
    }

    fn call(&mut self) -> (CallHandle, CallHandle) {
        let target = Uri::parse(&format!("sip:bob@{BOB}")).unwrap();
        let call = self.alice.dial(&target, udp(BOB), media(4000), self.now).unwrap();
        self.settle();
        let incoming = self.bob_incoming();
        (call, incoming)
    }

    fn connect(&mut self) -> (CallHandle, CallHandle) {
        let (call, incoming) = self.call();
        self.bob.answer(incoming, media(6000), self.now).unwrap();
        self.settle();
        assert_eq!(Self::connected(&self.alice_events).len(), 1, "{:?}", self.wire);
        assert_eq!(Self::connected(&self.bob_events).len(), 1, "{:?}", self.wire);
        (call, incoming)
    }
}

#[test]
fn a_direct_call_rings_connects_and_hangs_up() {
    let mut net = Net::direct();
    let (call, incoming) = net.call();
    assert!(net.alice_events.iter().any(|e| matches!(e, UaEvent::Progress { code: 180, .. })));
    net.bob.answer(incoming, media(6000), net.now).unwrap();
    net.settle();
    let alice_media = &Net::connected(&net.alice_events)[0];
    let bob_media = &Net::connected(&net.bob_events)[0];
    assert_eq!(alice_media.remote_rtp, Some(addr("127.0.0.1:6000")));
    assert_eq!(bob_media.remote_rtp, Some(addr("127.0.0.1:4000")));
    assert_eq!(alice_media.codec, G711::Pcmu);
    assert_eq!(alice_media.telephone_event, Some(101));
    net.alice.hangup(call, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events), [EndReason::LocalHangup]);
    assert_eq!(Net::ended(&net.bob_events), [EndReason::RemoteHangup]);
    assert_eq!(net.wire, ["INVITE", "100 INVITE", "180 INVITE", "200 INVITE", "ACK", "BYE", "200 BYE"]);
    net.advance(Duration::from_secs(40));
    assert!(net.alice.transactions.is_empty() && net.bob.transactions.is_empty());
}

#[test]
fn a_lost_200_is_retransmitted_until_the_ack() {
    let mut net = Net::direct();
    let (_, incoming) = net.call();
    net.lose.push("200 INVITE".into());
    net.bob.answer(incoming, media(6000), net.now).unwrap();
    net.settle();
    assert!(Net::connected(&net.alice_events).is_empty());
    net.advance(Duration::from_millis(600));
    assert_eq!(Net::connected(&net.alice_events).len(), 1);
    assert_eq!(Net::connected(&net.bob_events).len(), 1);
    let before = net.wire.len();
    net.advance(Duration::from_secs(10));
    assert_eq!(net.wire.len(), before, "no more 200s once the ACK arrived");
}

#[test]
fn a_lost_ack_is_resent_for_the_retransmitted_200() {
    let mut net = Net::direct();
    let (_, incoming) = net.call();
    net.lose.push("ACK".into());
    net.bob.answer(incoming, media(6000), net.now).unwrap();
    net.settle();
    assert!(Net::connected(&net.bob_events).is_empty());
    net.advance(Duration::from_millis(600));
    assert_eq!(Net::connected(&net.bob_events).len(), 1, "{:?}", net.wire);
    assert_eq!(Net::connected(&net.alice_events).len(), 1);
}

#[test]
fn cancel_before_the_answer_ends_both_sides() {
    let mut net = Net::direct();
    let (call, _) = net.call();
    net.alice.hangup(call, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events), [EndReason::LocalHangup]);
    assert_eq!(Net::ended(&net.bob_events), [EndReason::RemoteCancelled]);
    assert!(net.wire.contains(&"487 INVITE".to_owned()) && net.wire.contains(&"200 CANCEL".to_owned()));
}

#[test]
fn busy_and_decline_are_told_apart() {
    let mut net = Net::direct();
    let (_, incoming) = net.call();
    net.bob.reject(incoming, 486, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events), [EndReason::Busy]);
    let (_, incoming) = net.call();
    net.bob.hangup(incoming, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events)[1], EndReason::Declined);
}

#[test]
fn hold_and_resume_change_both_sides_media() {
    let mut net = Net::direct();
    let (call, _) = net.connect();
    net.alice.hold(call, net.now).unwrap();
    net.settle();
    let changes: Vec<(Direction, bool)> = net
        .bob_events
        .iter()
        .filter_map(|e| {
            if let UaEvent::MediaChanged { media, remote_hold, .. } = e {
                Some((media.direction, *remote_hold))
            } else {
                None
            }
        })
        .collect();
    assert_eq!(changes, [(Direction::RecvOnly, true)]);
    let alice: Vec<Direction> = net
        .alice_events
        .iter()
        .filter_map(|e| if let UaEvent::MediaChanged { media, .. } = e { Some(media.direction) } else { None })
        .collect();
    assert_eq!(alice, [Direction::SendOnly]);
    net.alice.resume(call, net.now).unwrap();
    net.settle();
    let last = net.bob_events.iter().rev().find_map(|e| {
        if let UaEvent::MediaChanged { media, remote_hold, .. } = e {
            Some((media.direction, *remote_hold))
        } else {
            None
        }
    });
    assert_eq!(last, Some((Direction::SendRecv, false)));
}

#[test]
fn simultaneous_reinvites_are_retried_after_491() {
    let mut net = Net::direct();
    let (call, incoming) = net.connect();
    net.alice.hold(call, net.now).unwrap();
    net.bob.hold(incoming, net.now).unwrap();
    net.settle();
    assert!(net.wire.iter().filter(|w| *w == "491 INVITE").count() == 2, "{:?}", net.wire);
    net.advance(Duration::from_secs(5));
    let alice_changes = net.alice_events.iter().filter(|e| matches!(e, UaEvent::MediaChanged { .. })).count();
    let bob_changes = net.bob_events.iter().filter(|e| matches!(e, UaEvent::MediaChanged { .. })).count();
    assert!(alice_changes >= 2 && bob_changes >= 2, "both holds went through: {:?}", net.wire);
}

#[test]
fn an_offerless_invite_gets_our_offer_and_the_answer_in_the_ack() {
    let mut net = Net::direct();
    // A late-offer caller: an INVITE with no body.
    let invite = format!(
        "INVITE sip:bob@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP {ALICE};branch=z9hG4bKlate\r\nFrom: <sip:late@{ALICE}>;tag=l1\r\n\
         To: <sip:bob@{BOB}>\r\nCall-ID: late-1\r\nCSeq: 1 INVITE\r\nContact: <sip:late@{ALICE}>\r\nContent-Length: 0\r\n\r\n"
    );
    net.bob.receive(invite.as_bytes(), udp(ALICE), net.now).unwrap();
    let incoming = match net.bob.next_event() {
        Some(UaEvent::Incoming { call, .. }) => call,
        other => panic!("{other:?}"),
    };
    net.bob.answer(incoming, media(6000), net.now).unwrap();
    let ok = net.bob.drain_transmits().map(|t| t.message).find(|m| m.code() == Some(200)).unwrap();
    assert!(ok.has_sdp(), "our offer goes in the 200");
    let offer = sdp::parse(std::str::from_utf8(&ok.body).unwrap()).unwrap();
    let (answer, _) = sdp::answer(&offer, &media(4000)).unwrap();
    let ack = format!(
        "ACK sip:bob@{BOB} SIP/2.0\r\nVia: SIP/2.0/UDP {ALICE};branch=z9hG4bKlateack\r\nFrom: <sip:late@{ALICE}>;tag=l1\r\n\
         To: {}\r\nCall-ID: late-1\r\nCSeq: 1 ACK\r\nContent-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{answer}",
        ok.header("To").unwrap(),
        answer.to_string().len()
    );
    net.bob.receive(ack.as_bytes(), udp(ALICE), net.now).unwrap();
    match net.bob.next_event() {
        Some(UaEvent::Connected { media, .. }) => assert_eq!(media.remote_rtp, Some(addr("127.0.0.1:4000"))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn sip_info_dtmf_and_options_are_answered() {
    let mut net = Net::direct();
    let (_, incoming) = net.connect();
    let call = net.bob.calls.get_mut(&incoming).unwrap();
    let mut info = UserAgent::dialog_request(
        &mut call.dialog,
        Method::Info,
        Transport::Udp,
        addr(BOB),
        &mut SmallRng::seed_from_u64(9),
        "t",
    );
    info.set_body(Some("application/dtmf-relay"), b"Signal=5\r\nDuration=160\r\n".to_vec());
    net.alice.receive(&info.to_bytes(), udp(BOB), net.now).unwrap();
    net.settle();
    assert!(net.alice_events.iter().any(|e| matches!(e, UaEvent::Dtmf { digit: '5', .. })));
    let options = Message::parse(format!("OPTIONS sip:alice@{ALICE} SIP/2.0\r\nVia: SIP/2.0/UDP {BOB};branch=z9hG4bKo\r\nFrom: <sip:x@h>;tag=1\r\nTo: <sip:alice@h>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\n\r\n").as_bytes()).unwrap();
    net.alice.receive(&options.to_bytes(), udp(BOB), net.now).unwrap();
    let reply = net.alice.drain_transmits().next().unwrap().message;
    assert_eq!(reply.code(), Some(200));
    assert!(reply.header("Allow").unwrap().contains("INVITE"));
}

#[test]
fn a_blind_transfer_refers_and_hangs_up_when_the_transferee_reports_success() {
    let mut net = Net::direct();
    let (call, incoming) = net.connect();
    net.alice.transfer(call, &Uri::parse("sip:carol@127.0.0.1:5090").unwrap(), net.now).unwrap();
    net.settle();
    assert!(net.wire.contains(&"202 REFER".to_owned()), "{:?}", net.wire);
    // Bob, the transferee, is asked to call Carol and reports that he is trying.
    let target = net
        .bob_events
        .iter()
        .find_map(|e| if let UaEvent::TransferRequested { target, .. } = e { Some(target.clone()) } else { None });
    assert_eq!(target.map(|t| t.to_string()), Some("sip:carol@127.0.0.1:5090".to_owned()));
    assert!(net.alice_events.iter().any(|e| matches!(e, UaEvent::TransferProgress { code: 100, .. })));
    assert!(Net::ended(&net.alice_events).is_empty(), "the call stays until the new one works");
    // Carol answered Bob: Bob says so, and Alice leaves the call.
    net.bob.transfer_progress(incoming, 200, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events), [EndReason::Transferred]);
    assert_eq!(Net::ended(&net.bob_events), [EndReason::RemoteHangup]);
}

#[test]
fn a_failed_transfer_keeps_the_call() {
    let mut net = Net::direct();
    let (call, incoming) = net.connect();
    net.alice.transfer(call, &Uri::parse("sip:carol@127.0.0.1:5090").unwrap(), net.now).unwrap();
    net.settle();
    net.bob.transfer_progress(incoming, 486, net.now).unwrap();
    net.settle();
    assert!(net.alice_events.iter().any(|e| matches!(e, UaEvent::TransferProgress { code: 486, .. })));
    assert!(Net::ended(&net.alice_events).is_empty(), "Alice still has the customer");
    net.alice.hold(call, net.now).unwrap();
    net.settle();
    assert!(net.alice_events.iter().any(|e| matches!(e, UaEvent::MediaChanged { .. })), "and can go on with the call");
}

#[test]
fn registration_answers_the_challenge_and_refreshes() {
    let mut net = Net::new(Some(udp(REGISTRAR)), Some("secret"));
    net.alice.register(net.now);
    net.settle();
    assert_eq!(net.alice.registration(), &Registration::Registered { expires: 300 });
    assert_eq!(net.wire[..4], ["REGISTER", "401 REGISTER", "REGISTER", "200 REGISTER"]);
    let registers = net.wire.iter().filter(|w| *w == "REGISTER").count();
    net.advance(Duration::from_secs(250));
    assert!(net.wire.iter().filter(|w| *w == "REGISTER").count() > registers, "refreshed before expiry");
    assert_eq!(net.alice.registration(), &Registration::Registered { expires: 300 });
}

#[test]
fn a_wrong_password_fails_registration_without_looping() {
    let mut net = Net::new(Some(udp(REGISTRAR)), Some("secret"));
    net.alice.account.credentials = Some(Credentials { username: "alice".into(), password: "wrong".into() });
    net.alice.register(net.now);
    net.settle();
    assert!(matches!(net.alice.registration(), Registration::Failed { .. }));
    assert!(net.wire.iter().filter(|w| *w == "REGISTER").count() <= 3, "{:?}", net.wire);
}

#[test]
fn a_call_through_the_proxy_follows_the_record_route_both_ways() {
    let mut net = Net::new(Some(udp(REGISTRAR)), Some("secret"));
    net.alice.register(net.now);
    net.bob.register(net.now);
    net.settle();
    let target = Uri::parse("sip:bob@127.0.0.1").unwrap();
    let call = net.alice.dial(&target, udp(REGISTRAR), media(4000), net.now).unwrap();
    net.settle();
    assert!(net.wire.contains(&"407 INVITE".to_owned()), "{:?}", net.wire);
    let incoming = net.bob_incoming();
    net.bob.answer(incoming, media(6000), net.now).unwrap();
    net.settle();
    assert_eq!(Net::connected(&net.alice_events).len(), 1, "{:?}", net.wire);
    assert_eq!(net.alice.calls[&call].dialog.route_set.len(), 1);
    assert_eq!(net.bob.calls[&incoming].dialog.route_set.len(), 1);
    net.bob.hangup(incoming, net.now).unwrap();
    net.settle();
    assert_eq!(Net::ended(&net.alice_events), [EndReason::RemoteHangup]);
}

#[test]
fn an_unanswerable_offer_is_refused_without_ringing() {
    let mut net = Net::direct();
    let target = Uri::parse(&format!("sip:bob@{BOB}")).unwrap();
    let mut only_g729 = media(4000);
    only_g729.codecs = vec![G711::Pcma];
    net.bob.media.codecs = vec![G711::Pcmu];
    net.alice.dial(&target, udp(BOB), only_g729, net.now).unwrap();
    net.settle();
    assert!(net.wire.contains(&"488 INVITE".to_owned()));
    assert!(net.bob_events.is_empty());
    assert!(matches!(Net::ended(&net.alice_events)[..], [EndReason::Failed { code: 488, .. }]));
}

#[test]
fn requests_for_unknown_dialogs_get_481() {
    let mut net = Net::direct();
    let bye = Message::parse(format!("BYE sip:alice@{ALICE} SIP/2.0\r\nVia: SIP/2.0/UDP {BOB};branch=z9hG4bKb\r\nFrom: <sip:x@h>;tag=1\r\nTo: <sip:alice@h>;tag=2\r\nCall-ID: none\r\nCSeq: 5 BYE\r\n\r\n").as_bytes()).unwrap();
    net.alice.receive(&bye.to_bytes(), udp(BOB), net.now).unwrap();
    assert_eq!(net.alice.drain_transmits().next().unwrap().message.code(), Some(481));
}

#[test]
fn an_invite_nobody_answers_times_out() {
    let mut net = Net::direct();
    let target = Uri::parse("sip:nobody@127.0.0.1:5999").unwrap();
    net.alice.dial(&target, udp("127.0.0.1:5999"), media(4000), net.now).unwrap();
    net.advance(Duration::from_secs(33));
    assert!(matches!(Net::ended(&net.alice_events)[..], [EndReason::Failed { code: 408, .. }]));
    assert!(net.alice.calls.is_empty());
}

proptest! {
    /// A corrupted copy of an INVITE arriving after it never panics, never
    /// spoils the real call, and never leaves a call that cannot end: after
    /// all timers run out, every call is either connected on both sides or gone.
    #[test]
    fn mangled_messages_leave_no_half_open_dialog(cut in 0usize..1500, at in 0usize..1500, byte in any::<u8>(), answer in any::<bool>()) {
        let mut net = Net::direct();
        let target = Uri::parse(&format!("sip:bob@{BOB}")).unwrap();
        net.alice.dial(&target, udp(BOB), media(4000), net.now).unwrap();
        let invite = net.alice.drain_transmits().next().unwrap().message.to_bytes();
        let mut mangled = invite.clone();
        if let Some(slot) = mangled.get_mut(at) {
            *slot = byte;
        }
        mangled.truncate(cut.max(at));
        let _ = net.bob.receive(&invite, udp(ALICE), net.now);
        let _ = net.bob.receive(&mangled, udp(ALICE), net.now);
        net.settle();
        for call in net.bob.calls().collect::<Vec<_>>() {
            let _ = if answer { net.bob.answer(call, media(6000), net.now) } else { net.bob.hangup(call, net.now) };
        }
        net.settle();
        net.advance(Duration::from_secs(70));
        for call in net.bob.calls.values() {
            prop_assert_eq!(call.state, CallState::Connected);
        }
        for call in net.alice.calls.values() {
            prop_assert_eq!(call.state, CallState::Connected);
        }
        prop_assert_eq!(net.alice.calls.len(), net.bob.calls.len());
    }
}
