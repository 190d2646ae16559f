use super::*;
use proptest::prelude::*;

fn peer(transport: Transport) -> Peer {
    Peer { address: "127.0.0.1:5070".parse().unwrap(), transport }
}

fn request(method: &str, branch: &str) -> Message {
    let text = format!(
        "{method} sip:bob@127.0.0.1:5070 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch={branch};rport\r\n\
         From: <sip:alice@127.0.0.1>;tag=a\r\nTo: <sip:bob@127.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 {method}\r\nMax-Forwards: 70\r\n\r\n"
    );
    Message::parse(text.as_bytes()).unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// Polls every 10 ms up to `until`, returning when each retransmission went out.
fn run(layer: &mut Transactions, from: u64, until: u64, events: &mut Vec<TransactionEvent>) -> Vec<u64> {
    let mut sent = Vec::new();
    for now in (from..=until).step_by(10) {
        let mut out = Vec::new();
        layer.poll(ms(now), &mut out, events);
        sent.extend(out.iter().map(|_| now));
    }
    sent
}

#[test]
fn an_unanswered_invite_retransmits_on_timer_a_and_times_out_on_timer_b() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let key = layer.send_request(request("INVITE", "z9hG4bK1"), peer(Transport::Udp), ms(0), &mut out).unwrap();
    assert_eq!(out.len(), 1);
    let mut events = Vec::new();
    let sent = run(&mut layer, 0, 40_000, &mut events);
    // Timer A: 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s; timer B at 32 s.
    assert_eq!(sent, [500, 1500, 3500, 7500, 15_500, 31_500]);
    assert_eq!(events, [TransactionEvent::Timeout(key)]);
    assert!(layer.is_empty());
}

#[test]
fn a_non_invite_retransmits_capped_at_t2_and_slows_once_proceeding() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let bye = request("BYE", "z9hG4bK2");
    layer.send_request(bye.clone(), peer(Transport::Udp), ms(0), &mut out).unwrap();
    let mut events = Vec::new();
    let sent = run(&mut layer, 0, 9_000, &mut events);
    assert_eq!(sent, [500, 1500, 3500, 7500]);
    let trying = Message::response_to(&bye, 100, None);
    assert!(matches!(layer.on_response(trying, ms(9_000), &mut out), Some(TransactionEvent::Response(..))));
    let sent = run(&mut layer, 9_010, 20_000, &mut events);
    assert_eq!(sent, [13_000, 17_000], "every T2 once a provisional arrived");
    let ok = Message::response_to(&bye, 200, Some("b"));
    assert!(layer.on_response(ok.clone(), ms(20_000), &mut out).is_some());
    assert!(layer.on_response(ok, ms(20_100), &mut out).is_none(), "a retransmitted final response is absorbed");
    run(&mut layer, 20_010, 25_010, &mut events);
    assert!(layer.is_empty(), "timer K ends the transaction after T4");
    assert!(events.is_empty());
}

#[test]
fn a_rejected_invite_is_acknowledged_by_the_transaction_again_and_again() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK3");
    layer.send_request(invite.clone(), peer(Transport::Udp), ms(0), &mut out).unwrap();
    out.clear();
    let busy = Message::response_to(&invite, 486, Some("b"));
    assert!(layer.on_response(busy.clone(), ms(100), &mut out).is_some());
    assert_eq!(out.len(), 1);
    let ack = &out[0].message;
    assert_eq!(ack.method(), Some(Method::Ack));
    assert_eq!(ack.via().unwrap().branch(), Some("z9hG4bK3"));
    assert_eq!(ack.to().unwrap().tag(), Some("b"));
    assert_eq!(ack.cseq().unwrap(), (1, Method::Ack));
    out.clear();
    assert!(layer.on_response(busy, ms(600), &mut out).is_none());
    assert_eq!(out.len(), 1, "the ACK is resent for each retransmitted 486");
}

#[test]
fn retransmitted_2xx_to_invite_reach_the_user_agent_for_re_acking() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK4");
    layer.send_request(invite.clone(), peer(Transport::Udp), ms(0), &mut out).unwrap();
    let ok = Message::response_to(&invite, 200, Some("b"));
    assert!(layer.on_response(ok.clone(), ms(100), &mut out).is_some());
    assert!(layer.on_response(ok, ms(600), &mut out).is_some());
    let mut events = Vec::new();
    run(&mut layer, 0, 33_000, &mut events);
    assert!(layer.is_empty() && events.is_empty());
}

#[test]
fn a_server_invite_answers_trying_and_repeats_its_last_response() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK5");
    let from = peer(Transport::Udp);
    assert!(matches!(layer.on_request(invite.clone(), from, ms(0), &mut out), Some(TransactionEvent::Request(..))));
    assert_eq!(out.remove(0).message.code(), Some(100));
    layer.respond(Message::response_to(&invite, 180, Some("b")), ms(10), &mut out).unwrap();
    out.clear();
    assert!(layer.on_request(invite.clone(), from, ms(500), &mut out).is_none());
    assert_eq!(out[0].message.code(), Some(180), "a retransmitted INVITE gets the last provisional");
}

#[test]
fn a_server_failure_retransmits_on_timer_g_until_the_ack() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK6");
    let from = peer(Transport::Udp);
    layer.on_request(invite.clone(), from, ms(0), &mut out);
    layer.respond(Message::response_to(&invite, 486, Some("b")), ms(0), &mut out).unwrap();
    let mut events = Vec::new();
    let sent = run(&mut layer, 0, 10_000, &mut events);
    assert_eq!(sent, [500, 1500, 3500, 7500]);
    let mut ack = request("ACK", "z9hG4bK6");
    ack.set("CSeq", "1 ACK");
    assert!(layer.on_request(ack, from, ms(10_000), &mut out).is_none(), "the ACK to a failure is absorbed");
    let sent = run(&mut layer, 10_010, 20_000, &mut events);
    assert!(sent.is_empty() && events.is_empty() && layer.is_empty());
}

#[test]
fn a_server_failure_without_ack_times_out_on_timer_h() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK7");
    layer.on_request(invite.clone(), peer(Transport::Udp), ms(0), &mut out);
    layer.respond(Message::response_to(&invite, 603, Some("b")), ms(0), &mut out).unwrap();
    let mut events = Vec::new();
    run(&mut layer, 0, 33_000, &mut events);
    assert!(matches!(events.as_slice(), [TransactionEvent::Timeout(_)]));
}

#[test]
fn tcp_never_retransmits_and_ends_at_once() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let options = request("OPTIONS", "z9hG4bK8");
    layer.send_request(options.clone(), peer(Transport::Tcp), ms(0), &mut out).unwrap();
    let mut events = Vec::new();
    assert!(run(&mut layer, 0, 5_000, &mut events).is_empty());
    layer.on_response(Message::response_to(&options, 200, Some("b")), ms(5_000), &mut out);
    run(&mut layer, 5_000, 5_000, &mut events);
    assert!(layer.is_empty());
}

#[test]
fn responses_go_to_the_source_port_only_when_rport_was_asked() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let from = Peer { address: "127.0.0.1:40000".parse().unwrap(), transport: Transport::Udp };
    let mut options = request("OPTIONS", "z9hG4bK9");
    layer.on_request(options.clone(), from, ms(0), &mut out);
    layer.respond(Message::response_to(&options, 200, Some("b")), ms(0), &mut out).unwrap();
    assert_eq!(out[0].to.address.port(), 40000);
    options.set("Via", "SIP/2.0/UDP 127.0.0.1:5080;branch=z9hG4bK10");
    out.clear();
    layer.on_request(options.clone(), from, ms(0), &mut out);
    layer.respond(Message::response_to(&options, 200, Some("b")), ms(0), &mut out).unwrap();
    assert_eq!(out[0].to.address.port(), 5080);
}

#[test]
fn stray_responses_are_dropped() {
    let mut layer = Transactions::default();
    let mut out = Vec::new();
    let invite = request("INVITE", "z9hG4bK11");
    assert!(layer.on_response(Message::response_to(&invite, 200, Some("b")), ms(0), &mut out).is_none());
    assert!(out.is_empty());
}

proptest! {
    /// Any interleaving of requests, responses and time keeps the layer
    /// bounded: every transaction ends within 64·T1 plus 32 s of its last
    /// activity, and nothing panics.
    #[test]
    fn transactions_always_end(steps in proptest::collection::vec((0u8..6, 0u16..700, 0u64..5_000), 1..60)) {
        let mut layer = Transactions::default();
        let mut out = Vec::new();
        let mut events = Vec::new();
        let mut now = 0;
        for (i, (kind, code, advance)) in steps.into_iter().enumerate() {
            now += advance;
            let branch = format!("z9hG4bK{}", i % 4);
            let method = ["INVITE", "BYE", "OPTIONS"][usize::from(kind % 3)];
            let message = request(method, &branch);
            match kind {
                0 | 1 => { let _ = layer.send_request(message, peer(Transport::Udp), ms(now), &mut out); }
                2 => { let _ = layer.on_request(message, peer(Transport::Udp), ms(now), &mut out); }
                3 if (100..700).contains(&code) => { let _ = layer.on_response(Message::response_to(&message, code, Some("t")), ms(now), &mut out); }
                4 if (100..700).contains(&code) => { let _ = layer.respond(Message::response_to(&message, code, Some("t")), ms(now), &mut out); }
                _ => layer.poll(ms(now), &mut out, &mut events),
            }
        }
        layer.poll(ms(now + 200_000), &mut out, &mut events);
        prop_assert!(layer.is_empty());
    }
}
