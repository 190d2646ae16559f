use super::*;
use proptest::prelude::*;

fn local() -> LocalMedia {
    LocalMedia {
        address: "127.0.0.1".parse().unwrap(),
        port: 4000,
        codecs: vec![G711::Pcmu, G711::Pcma],
        telephone_event: 101,
        ptime: 20,
        direction: Direction::SendRecv,
        session_id: 42,
        version: 1,
        username: "switchboard".into(),
    }
}

const BARESIP: &str = "v=0\r\no=- 1608235284 3671954371 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
m=audio 20042 RTP/AVP 0 8 101\r\nb=AS:64\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-15\r\na=rtcp-mux\r\na=ptime:20\r\na=sendrecv\r\n";

const SIPP: &str = "v=0\no=user1 53655765 2353687637 IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\n\
m=audio 6000 RTP/AVP 8 101\na=rtpmap:8 PCMA/8000\na=rtpmap:101 telephone-event/8000\na=fmtp:101 0-11,16\n";

const ASTERISK: &str = "v=0\r\no=- 1 2 IN IP4 10.0.0.5\r\ns=Asterisk\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n\
m=audio 12000 RTP/AVP 9 18 107 8 96\r\na=rtpmap:9 G722/8000\r\na=rtpmap:18 G729/8000\r\na=rtpmap:107 opus/48000/2\r\n\
a=rtpmap:8 PCMA/8000\r\na=rtpmap:96 telephone-event/8000\r\na=fmtp:96 0-16\r\na=ptime:30\r\na=maxptime:150\r\na=sendrecv\r\n\
m=video 12002 RTP/AVP 99\r\na=rtpmap:99 H264/90000\r\n";

#[test]
fn answers_baresip_with_its_first_codec_and_telephone_event() {
    let offer = parse(BARESIP).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(negotiated.codec, G711::Pcmu);
    assert_eq!(negotiated.telephone_event, Some(101));
    assert_eq!(negotiated.remote_rtp, Some("127.0.0.1:20042".parse().unwrap()));
    assert_eq!(negotiated.remote_rtcp, Some("127.0.0.1:20043".parse().unwrap()));
    assert_eq!(negotiated.direction, Direction::SendRecv);
    let text = answer.to_string();
    assert!(text.contains("m=audio 4000 RTP/AVP 0 101\r\n"), "{text}");
    assert!(text.contains("a=sendrecv"));
}

#[test]
fn answers_sipp_pcma_with_lf_line_ends() {
    let (_, negotiated) = super::answer(&parse(SIPP).unwrap(), &local()).unwrap();
    assert_eq!((negotiated.codec, negotiated.codec_payload_type), (G711::Pcma, 8));
    assert_eq!(negotiated.telephone_event, Some(101));
}

#[test]
fn skips_codecs_we_lack_and_refuses_video() {
    let offer = parse(ASTERISK).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(negotiated.codec, G711::Pcma);
    assert_eq!(negotiated.telephone_event, Some(96), "the peer's own telephone-event number");
    assert_eq!(negotiated.remote_ptime, 30);
    assert_eq!(answer.media.len(), 2);
    assert_eq!(answer.media[1].port, 0, "video refused");
    assert_eq!(answer.media[1].kind, "video");
    assert!(answer.to_string().contains("m=audio 4000 RTP/AVP 8 96"));
}

#[test]
fn a_hold_offer_is_answered_recvonly() {
    let sendonly = BARESIP.replace("a=sendrecv", "a=sendonly");
    let (answer, negotiated) = super::answer(&parse(&sendonly).unwrap(), &local()).unwrap();
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert!(answer.to_string().contains("a=recvonly"));
    let legacy = BARESIP.replace("c=IN IP4 127.0.0.1", "c=IN IP4 0.0.0.0");
    let (_, negotiated) = super::answer(&parse(&legacy).unwrap(), &local()).unwrap();
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert_eq!(negotiated.remote_rtp, None, "nowhere to send while held the old way");
    let inactive = BARESIP.replace("a=sendrecv", "a=inactive");
    let (_, negotiated) = super::answer(&parse(&inactive).unwrap(), &local()).unwrap();
    assert_eq!(negotiated.direction, Direction::Inactive);
}

#[test]
fn our_hold_offer_reads_the_peers_recvonly_answer() {
    let mut held = local();
    held.direction = Direction::SendOnly;
    let offer = offer(&held);
    assert!(offer.to_string().contains("a=sendonly"));
    let answer = parse(&BARESIP.replace("a=sendrecv", "a=recvonly")).unwrap();
    let negotiated = accept_answer(&held, &answer).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);
}

#[test]
fn reads_an_answer_that_picked_pcma() {
    let answer = parse(SIPP).unwrap();
    let negotiated = accept_answer(&local(), &answer).unwrap();
    assert_eq!(negotiated.codec, G711::Pcma);
}

#[test]
fn no_common_codec_is_an_error() {
    let g729 = "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 18\r\na=rtpmap:18 G729/8000\r\n";
    assert_eq!(super::answer(&parse(g729).unwrap(), &local()).unwrap_err(), SdpError::NoCommonCodec);
    let srtp = BARESIP.replace("RTP/AVP", "RTP/SAVP");
    assert_eq!(super::answer(&parse(&srtp).unwrap(), &local()).unwrap_err(), SdpError::NoCommonCodec);
}

#[test]
fn reads_ipv6_and_media_level_connections() {
    let text = "v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 5000 RTP/AVP 0\r\nc=IN IP6 2001:db8::5\r\na=rtcp:5009\r\n";
    let (_, negotiated) = super::answer(&parse(text).unwrap(), &local()).unwrap();
    assert_eq!(negotiated.remote_rtp, Some("[2001:db8::5]:5000".parse().unwrap()));
    assert_eq!(negotiated.remote_rtcp, Some("[2001:db8::5]:5009".parse().unwrap()));
}

#[test]
fn written_descriptions_read_back_the_same() {
    for text in [BARESIP, SIPP, ASTERISK] {
        let parsed = parse(text).unwrap();
        assert_eq!(parse(&parsed.to_string()).unwrap(), parsed);
    }
    let ours = offer(&local());
    assert_eq!(parse(&ours.to_string()).unwrap(), ours);
}

#[test]
fn malformed_descriptions_get_clear_errors() {
    let cases = [
        ("", "no v="),
        ("v=0\r\ns=-\r\n", "no o="),
        ("v=1\r\n", "invalid SDP line"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nc=IN IP4 nonsense\r\n", "invalid SDP line"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio x RTP/AVP 0\r\n", "invalid SDP line"),
        ("v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\nm=audio 5 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", "invalid SDP line"),
        ("v=0\r\nnot a line\r\n", "invalid SDP line"),
    ];
    for (text, expected) in cases {
        let error = parse(text).unwrap_err().to_string();
        assert!(error.contains(expected), "{text:?}: {error}");
    }
    assert_eq!(parse(&"a=x\r\n".repeat(20_000)), Err(SdpError::TooLarge));
}

proptest! {
    #[test]
    fn arbitrary_text_never_panics(text in "(v=0\r\n)?([a-z]=[ -~]{0,40}\r?\n){0,20}") {
        if let Ok(description) = parse(&text) {
            let _ = super::answer(&description, &local());
            let _ = accept_answer(&local(), &description);
            let _ = description.to_string();
        }
    }

    #[test]
    fn any_offer_we_make_is_answerable(port in 1u16.., pcma_first in any::<bool>(), event in 96u8..128, version in any::<u64>()) {
        let mut ours = local();
        ours.port = port;
        ours.telephone_event = event;
        ours.version = version;
        if pcma_first {
            ours.codecs.reverse();
        }
        let offered = parse(&offer(&ours).to_string()).unwrap();
        let (reply, negotiated) = super::answer(&offered, &local()).unwrap();
        prop_assert_eq!(negotiated.codec, ours.codecs[0]);
        prop_assert_eq!(negotiated.telephone_event, Some(event));
        let back = accept_answer(&ours, &parse(&reply.to_string()).unwrap()).unwrap();
        prop_assert_eq!(back.codec, ours.codecs[0]);
    }
}
