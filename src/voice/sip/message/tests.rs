use super::*;
use proptest::prelude::*;

const INVITE: &str = "INVITE sip:bob@127.0.0.1:5070 SIP/2.0\r\n\
v: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1;rport, SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-0\r\n\
f: \"Alice, A.\" <sip:alice@127.0.0.1>;tag=a1\r\n\
t: <sip:bob@127.0.0.1:5070>\r\n\
i: call-1@127.0.0.1\r\n\
CSeq: 1 INVITE\r\n\
m: <sip:alice@127.0.0.1:5060>\r\n\
Record-Route: <sip:proxy1;lr>,<sip:proxy2;lr>\r\n\
Subject: a long\r\n  folded line\r\n\
Max-Forwards: 70\r\n\
c: application/sdp\r\n\
l: 4\r\n\
\r\n\
v=0\r";

#[test]
fn reads_compact_and_list_headers_into_one_form() {
    let message = Message::parse(INVITE.as_bytes()).unwrap();
    message.validate().unwrap();
    assert_eq!(message.method(), Some(Method::Invite));
    assert_eq!(message.headers_named("Via").count(), 2);
    assert_eq!(message.via().unwrap().branch(), Some("z9hG4bK-1"));
    assert_eq!(message.via().unwrap().param("rport"), Some(""));
    assert_eq!(message.from().unwrap().display.as_deref(), Some("Alice, A."));
    assert_eq!(message.from().unwrap().tag(), Some("a1"));
    assert_eq!(message.call_id().unwrap(), "call-1@127.0.0.1");
    assert_eq!(message.cseq().unwrap(), (1, Method::Invite));
    assert_eq!(message.headers_named("Record-Route").collect::<Vec<_>>(), ["<sip:proxy1;lr>", "<sip:proxy2;lr>"]);
    assert_eq!(message.header("subject"), Some("a long folded line"));
    assert!(message.has_sdp());
    assert_eq!(message.body, b"v=0\r");
}

#[test]
fn written_messages_read_back_the_same() {
    let message = Message::parse(INVITE.as_bytes()).unwrap();
    let again = Message::parse(&message.to_bytes()).unwrap();
    assert_eq!(again, message);
}

#[test]
fn responses_copy_the_transaction_headers_and_tag_the_callee() {
    let request = Message::parse(INVITE.as_bytes()).unwrap();
    let ringing = Message::response_to(&request, 180, Some("b7"));
    assert_eq!(ringing.code(), Some(180));
    assert_eq!(ringing.to().unwrap().tag(), Some("b7"));
    assert_eq!(ringing.headers_named("Via").count(), 2);
    assert_eq!(ringing.headers_named("Record-Route").count(), 2);
    assert_eq!(ringing.method(), Some(Method::Invite));
    let trying = Message::response_to(&request, 100, Some("b7"));
    assert_eq!(trying.to().unwrap().tag(), None, "100 Trying carries no tag");
    assert_eq!(trying.headers_named("Record-Route").count(), 0);
}

#[test]
fn a_stream_yields_whole_messages_only() {
    let one = Message::parse(INVITE.as_bytes()).unwrap().to_bytes();
    let mut stream = b"\r\n\r\n".to_vec();
    stream.extend_from_slice(&one);
    stream.extend_from_slice(&one);
    for cut in [0, 10, one.len() - 1] {
        assert_eq!(Message::parse_stream(&stream[..cut + 4]).unwrap(), None);
    }
    let (first, used) = Message::parse_stream(&stream).unwrap().unwrap();
    assert_eq!(used, one.len() + 4);
    let (second, rest) = Message::parse_stream(&stream[used..]).unwrap().unwrap();
    assert_eq!(first, second);
    assert_eq!(rest, one.len());
}

#[test]
fn a_stream_message_needs_a_content_length() {
    let text = "OPTIONS sip:a@h SIP/2.0\r\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\r\n\r\n";
    assert_eq!(Message::parse_stream(text.as_bytes()), Err(SipError::Missing("Content-Length")));
}

#[test]
fn malformed_messages_get_a_clear_error() {
    let cases: [(&[u8], &str); 9] = [
        (b"", "start line"),
        (b"HELLO\r\n\r\n", "start line"),
        (b"INVITE sip:a@h SIP/3.0\r\n\r\n", "start line"),
        (b"SIP/2.0 999 Odd\r\n\r\n", "start line"),
        (b"INVITE tel:123 SIP/2.0\r\n\r\n", "scheme"),
        (b"INVITE sip:a@h SIP/2.0\r\nNoColon\r\n\r\n", "header"),
        (b"INVITE sip:a@h SIP/2.0\r\nContent-Length: 50\r\n\r\nshort", "shorter"),
        (b"INVITE sip:a@h SIP/2.0\r\nContent-Length: -1\r\n\r\n", "Content-Length"),
        (b"INVITE sip:a@h SIP/2.0\r\nVia: \xff\xfe\r\n\r\n", "not valid text"),
    ];
    for (bytes, expected) in cases {
        let error = Message::parse(bytes).unwrap_err().to_string();
        assert!(error.contains(expected), "{:?}: {error}", String::from_utf8_lossy(bytes));
    }
    let missing = Message::parse(b"BYE sip:a@h SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\n").unwrap();
    assert_eq!(missing.validate(), Err(SipError::Missing("From")));
    let many = format!("OPTIONS sip:a@h SIP/2.0\r\n{}\r\n", "X-A: 1\r\n".repeat(200));
    assert_eq!(Message::parse(many.as_bytes()), Err(SipError::TooLarge("over 128 headers")));
}

#[test]
fn via_reads_ipv6_and_received_parameters() {
    let via = Via::parse("SIP/2.0/tcp [::1]:5062;branch=z9hG4bKx;received=10.1.1.1;rport=4000").unwrap();
    assert_eq!(via.transport, "TCP");
    assert_eq!(via.host, "::1");
    assert_eq!(via.port, Some(5062));
    assert_eq!(via.param("received"), Some("10.1.1.1"));
    assert_eq!(via.to_string(), "SIP/2.0/TCP [::1]:5062;branch=z9hG4bKx;received=10.1.1.1;rport=4000");
}

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(message) = Message::parse(&bytes) {
            let _ = message.validate();
            let _ = message.to_bytes();
        }
        let _ = Message::parse_stream(&bytes);
    }

    #[test]
    fn mangled_invites_never_panic(cut in 0usize..INVITE.len(), byte in any::<u8>(), at in 0usize..INVITE.len()) {
        let mut bytes = INVITE.as_bytes().to_vec();
        bytes[at] = byte;
        bytes.truncate(cut.max(at));
        if let Ok(message) = Message::parse(&bytes) {
            let _ = message.validate();
            let _ = (message.from(), message.to(), message.contact(), message.cseq());
        }
    }
}
