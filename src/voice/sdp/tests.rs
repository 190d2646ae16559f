use super::*;
use proptest::prelude::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

fn socket(text: &str) -> SocketAddr {
    text.parse().unwrap()
}

fn local() -> LocalMedia {
    LocalMedia::new(ip("192.0.2.50"), 40000, 7777)
}

fn crlf(text: &str) -> String {
    text.replace('\n', "\r\n")
}

/// The only stream of an answer that is not rejected.
fn accepted(answer: &SessionDescription) -> &MediaDescription {
    let mut live = answer.media.iter().filter(|media| media.port != 0);
    let media = live.next().unwrap();
    assert!(live.next().is_none(), "an answer accepts one stream");
    media
}

const BARESIP_OFFER: &str = "v=0
o=- 1795383813 3866931456 IN IP4 192.168.1.34
s=-
c=IN IP4 192.168.1.34
t=0 0
a=tool:baresip 3.10.1
m=audio 10136 RTP/AVP 0 8 101
b=AS:64
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=rtcp-mux
a=ptime:20
a=sendrecv
a=label:1
a=ssrc:1503238012 cname:6f1c3a2e-1b7d-4c55-9a4e-0e2f8d7b1c10
";

/// sipp's `uac_pcap` scenario, as sipp writes it with LF line ends.
const SIPP_PCMA_OFFER: &str = "v=0
o=user1 53655765 2353687637 IN IP4 127.0.0.1
s=-
c=IN IP4 127.0.0.1
t=0 0
m=audio 6000 RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-11,16
";

const ASTERISK_OFFER: &str = "v=0
o=- 1712163521 1712163521 IN IP4 203.0.113.5
s=Asterisk
c=IN IP4 203.0.113.5
t=0 0
m=audio 17562 RTP/AVP 9 18 107 8 96
a=rtpmap:9 G722/8000
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:107 opus/48000/2
a=fmtp:107 useinbandfec=1
a=rtpmap:8 PCMA/8000
a=rtpmap:96 telephone-event/8000
a=fmtp:96 0-16
a=ptime:20
a=maxptime:150
a=sendrecv
";

/// Relayed by kamailio with rtpengine: media-level address and an explicit RTCP address.
const RELAYED_OFFER: &str = "v=0
o=- 3918472634 3918472635 IN IP4 198.51.100.7
s=pjmedia
b=AS:84
t=0 0
a=X-nat:0
m=audio 30264 RTP/AVP 8 0 101
c=IN IP4 198.51.100.20
b=TIAS:64000
a=rtcp:30265 IN IP4 198.51.100.21
a=sendrecv
a=rtpmap:8 PCMA/8000
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ssrc:1239847 cname:12ab
a=ptime:30
";

const VIDEO_AUDIO_FAX_OFFER: &str = "v=0
o=alice 2890844526 2890844527 IN IP4 203.0.113.9
s=Talk
c=IN IP4 203.0.113.9
t=0 0
m=video 9078 RTP/AVP 96 97
a=rtpmap:96 VP8/90000
a=rtpmap:97 H264/90000
a=fmtp:97 profile-level-id=42801F; packetization-mode=1
m=audio 7078 RTP/AVP 96 0 8 101
a=rtpmap:96 opus/48000/2
a=fmtp:96 useinbandfec=1
a=rtpmap:101 telephone-event/8000
m=image 9080 udptl t38
a=T38FaxVersion:0
a=T38MaxBitRate:14400
a=T38FaxRateManagement:transferredTCF
";

const CISCO_LEGACY_HOLD_OFFER: &str = "v=0
o=CiscoSystemsSIP-GW-UserAgent 4437 6322 IN IP4 10.10.1.1
s=SIP Call
c=IN IP4 0.0.0.0
t=0 0
m=audio 18642 RTP/AVP 0 101
c=IN IP4 0.0.0.0
a=rtpmap:0 PCMU/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-16
a=ptime:20
";

const SENDONLY_HOLD_OFFER: &str = "v=0
o=- 1795383813 3866931457 IN IP4 192.168.1.34
s=-
c=IN IP4 192.168.1.34
t=0 0
m=audio 10136 RTP/AVP 0 8 101
a=rtpmap:0 PCMU/8000
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=ptime:20
a=sendonly
";

const G729_ONLY_OFFER: &str = "v=0
o=- 11 11 IN IP4 203.0.113.30
s=-
c=IN IP4 203.0.113.30
t=0 0
m=audio 5000 RTP/AVP 18 101
a=rtpmap:18 G729/8000
a=fmtp:18 annexb=no
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
";

const IPV6_OFFER: &str = "v=0
o=- 20518 0 IN IP6 2001:db8::2
s=-
c=IN IP6 2001:db8::2
t=0 0
m=audio 5004 RTP/AVP 8 0 101
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
";

/// A carrier's answer to our PCMU+PCMA offer that picks PCMA.
const CARRIER_ANSWER_PCMA: &str = "v=0
o=Sonus_UAC 512345 512346 IN IP4 203.0.113.77
s=SIP Media Capabilities
c=IN IP4 203.0.113.78
t=0 0
m=audio 21000 RTP/AVP 8 101
a=rtpmap:8 PCMA/8000
a=rtpmap:101 telephone-event/8000
a=fmtp:101 0-15
a=sendrecv
a=ptime:20
a=maxptime:20
";

const ALL_SAMPLES: [&str; 10] = [
    BARESIP_OFFER,
    SIPP_PCMA_OFFER,
    ASTERISK_OFFER,
    RELAYED_OFFER,
    VIDEO_AUDIO_FAX_OFFER,
    CISCO_LEGACY_HOLD_OFFER,
    SENDONLY_HOLD_OFFER,
    G729_ONLY_OFFER,
    IPV6_OFFER,
    CARRIER_ANSWER_PCMA,
];

#[test]
fn baresip_offer_parses_in_full() {
    let offer = parse(&crlf(BARESIP_OFFER)).unwrap();
    assert_eq!(
        offer.origin,
        Origin { username: "-".into(), session_id: 1_795_383_813, version: 3_866_931_456, address: ip("192.168.1.34") }
    );
    assert_eq!(offer.session_name, "-");
    assert_eq!(offer.connection, Some(ip("192.168.1.34")));
    let [audio] = offer.media.as_slice() else { panic!("one stream") };
    assert_eq!(audio.kind, "audio");
    assert_eq!(audio.port, 10136);
    assert_eq!(audio.protocol, "RTP/AVP");
    assert_eq!(audio.formats, [0, 8, 101]);
    assert_eq!(
        audio.rtpmap(101),
        Some(&RtpMap { payload_type: 101, encoding: "telephone-event".into(), clock_rate: 8000, channels: None })
    );
    assert_eq!(audio.fmtp(101), Some("0-15"));
    assert_eq!(audio.ptime, Some(20));
    assert!(audio.rtcp_mux);
    assert_eq!(audio.direction, Some(Direction::SendRecv));
}

#[test]
fn baresip_offer_is_answered_with_its_first_law_and_telephone_event() {
    let offer = parse(&crlf(BARESIP_OFFER)).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(
        negotiated,
        Negotiated {
            remote_rtp: Some(socket("192.168.1.34:10136")),
            remote_rtcp: Some(socket("192.168.1.34:10137")),
            codec: G711::Pcmu,
            codec_payload_type: 0,
            telephone_event: Some(101),
            remote_ptime: 20,
            direction: Direction::SendRecv,
        }
    );
    // We do not multiplex RTCP, so the answer leaves `a=rtcp-mux` out and RTCP stays on port + 1.
    assert_eq!(
        answer.to_string(),
        "v=0\r\n\
         o=- 7777 0 IN IP4 192.0.2.50\r\n\
         s=-\r\n\
         c=IN IP4 192.0.2.50\r\n\
         t=0 0\r\n\
         m=audio 40000 RTP/AVP 0 101\r\n\
         a=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-15\r\n\
         a=ptime:20\r\n\
         a=sendrecv\r\n"
    );
}

#[test]
fn sipp_pcma_offer_with_lf_line_ends_is_answered_with_pcma() {
    let offer = parse(SIPP_PCMA_OFFER).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(negotiated.codec, G711::Pcma);
    assert_eq!(negotiated.codec_payload_type, 8);
    assert_eq!(negotiated.telephone_event, Some(101));
    assert_eq!(negotiated.remote_rtp, Some(socket("127.0.0.1:6000")));
    assert_eq!(negotiated.remote_ptime, DEFAULT_PTIME);
    let audio = accepted(&answer);
    assert_eq!(audio.formats, [8, 101]);
    // Both sides understand digits 0–11 and flash; 12–15 (A–D) are not offered.
    assert_eq!(audio.fmtp(101), Some("0-11,16"));
}

#[test]
fn asterisk_offer_with_wideband_first_gets_pcma_and_event_type_96() {
    let offer = parse(&crlf(ASTERISK_OFFER)).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(negotiated.codec, G711::Pcma);
    assert_eq!(negotiated.codec_payload_type, 8);
    assert_eq!(negotiated.telephone_event, Some(96));
    let audio = accepted(&answer);
    assert_eq!(audio.formats, [8, 96]);
    assert_eq!(audio.rtpmap(96).unwrap().encoding, "telephone-event");
    assert_eq!(audio.fmtp(96), Some("0-16"));
    assert_eq!(offer.media[0].max_ptime, Some(150));
}

#[test]
fn relayed_offer_uses_media_level_address_and_explicit_rtcp() {
    let offer = parse(&crlf(RELAYED_OFFER)).unwrap();
    assert_eq!(offer.connection, None);
    let (_, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(negotiated.remote_rtp, Some(socket("198.51.100.20:30264")));
    assert_eq!(negotiated.remote_rtcp, Some(socket("198.51.100.21:30265")));
    // The offer lists PCMA first; its order wins over ours.
    assert_eq!(negotiated.codec, G711::Pcma);
    assert_eq!(negotiated.remote_ptime, 30);
}

#[test]
fn offer_order_wins_but_only_laws_we_carry_count() {
    let offer = parse(&crlf(RELAYED_OFFER)).unwrap();
    let mut pcmu_only = local();
    pcmu_only.codecs = vec![G711::Pcmu];
    let (answer, negotiated) = super::answer(&offer, &pcmu_only).unwrap();
    assert_eq!((negotiated.codec, negotiated.codec_payload_type), (G711::Pcmu, 0));
    assert_eq!(accepted(&answer).formats, [0, 101]);
}

#[test]
fn video_and_fax_streams_are_rejected_in_place() {
    let offer = parse(&crlf(VIDEO_AUDIO_FAX_OFFER)).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(answer.media.len(), 3);
    let [video, audio, image] = answer.media.as_slice() else { panic!("three streams") };
    assert_eq!((video.kind.as_str(), video.port, video.formats.as_slice()), ("video", 0, [96, 97].as_slice()));
    assert_eq!((image.kind.as_str(), image.port, image.protocol.as_str()), ("image", 0, "udptl"));
    assert_eq!(image.other_formats, ["t38"]);
    assert_eq!(audio.port, 40000);
    assert_eq!(audio.formats, [0, 101]);
    assert_eq!(negotiated.codec, G711::Pcmu);
    assert_eq!(negotiated.remote_rtp, Some(socket("203.0.113.9:7078")));
    assert!(answer.to_string().contains("m=video 0 RTP/AVP 96 97\r\nm=audio 40000 RTP/AVP 0 101\r\n"));
    assert!(answer.to_string().ends_with("m=image 0 udptl t38\r\n"));
}

#[test]
fn legacy_hold_with_zero_address_is_answered_recvonly_and_sends_nothing() {
    let offer = parse(&crlf(CISCO_LEGACY_HOLD_OFFER)).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(accepted(&answer).direction, Some(Direction::RecvOnly));
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert!(!negotiated.direction.sends());
    assert_eq!(negotiated.remote_rtp, None);
    assert_eq!(negotiated.remote_rtcp, None);
}

#[test]
fn sendonly_hold_offer_is_answered_recvonly() {
    let offer = parse(&crlf(SENDONLY_HOLD_OFFER)).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(accepted(&answer).direction, Some(Direction::RecvOnly));
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert!(negotiated.direction.receives() && !negotiated.direction.sends());
    // The peer still has an address: RTCP keeps flowing to it.
    assert_eq!(negotiated.remote_rtcp, Some(socket("192.168.1.34:10137")));
}

#[test]
fn session_level_direction_applies_unless_the_stream_states_its_own() {
    let session_sendonly = SENDONLY_HOLD_OFFER.replace("a=sendonly\n", "").replace("t=0 0\n", "t=0 0\na=sendonly\n");
    let offer = parse(&session_sendonly).unwrap();
    assert_eq!(offer.direction, Some(Direction::SendOnly));
    assert_eq!(super::answer(&offer, &local()).unwrap().1.direction, Direction::RecvOnly);

    let overridden = session_sendonly.replace("a=ptime:20\n", "a=ptime:20\na=inactive\n");
    let (answer, negotiated) = super::answer(&parse(&overridden).unwrap(), &local()).unwrap();
    assert_eq!(accepted(&answer).direction, Some(Direction::Inactive));
    assert_eq!(negotiated.direction, Direction::Inactive);
    assert_eq!(negotiated.remote_rtp, None, "no RTP on an inactive stream");
    assert_eq!(negotiated.remote_rtcp, Some(socket("192.168.1.34:10137")), "RTCP goes on");
}

#[test]
fn recvonly_offer_is_answered_sendonly() {
    let text = SENDONLY_HOLD_OFFER.replace("a=sendonly", "a=recvonly");
    let (_, negotiated) = super::answer(&parse(&text).unwrap(), &local()).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);
    assert!(negotiated.remote_rtp.is_some());
}

#[test]
fn holding_while_held_is_inactive() {
    let mut holding = local();
    holding.direction = Direction::SendOnly;
    let (_, negotiated) = super::answer(&parse(SENDONLY_HOLD_OFFER).unwrap(), &holding).unwrap();
    assert_eq!(negotiated.direction, Direction::Inactive);
}

#[test]
fn offer_with_only_g729_has_no_common_codec() {
    let offer = parse(&crlf(G729_ONLY_OFFER)).unwrap();
    assert_eq!(super::answer(&offer, &local()), Err(SdpError::NoCommonCodec));
}

#[test]
fn offer_with_no_stream_has_no_common_codec() {
    let offer = parse("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n").unwrap();
    assert_eq!(super::answer(&offer, &local()), Err(SdpError::NoCommonCodec));
}

#[test]
fn srtp_stream_is_rejected_and_plain_one_accepted() {
    let text = "v=0
o=- 5 5 IN IP4 192.0.2.9
s=-
c=IN IP4 192.0.2.9
t=0 0
m=audio 5010 RTP/SAVP 0 8
a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz
m=audio 5012 RTP/AVP 8
";
    let offer = parse(text).unwrap();
    let (answer, negotiated) = super::answer(&offer, &local()).unwrap();
    assert_eq!(answer.media[0].port, 0);
    assert_eq!(answer.media[0].protocol, "RTP/SAVP");
    assert_eq!(answer.media[1].port, 40000);
    assert_eq!(negotiated.remote_rtp, Some(socket("192.0.2.9:5012")));
    assert_eq!(negotiated.telephone_event, None);
    assert_eq!(answer.media[1].formats, [8]);

    let srtp_only = text.replace("m=audio 5012 RTP/AVP 8\n", "");
    assert_eq!(super::answer(&parse(&srtp_only).unwrap(), &local()), Err(SdpError::NoCommonCodec));
}

#[test]
fn disabled_stream_is_skipped_for_the_next_audio_stream() {
    let text = "v=0
o=- 5 5 IN IP4 192.0.2.9
s=-
c=IN IP4 192.0.2.9
t=0 0
m=audio 0 RTP/AVP 0
m=audio 5012 RTP/AVP 8 0
m=audio 5014 RTP/AVP 0
";
    let (answer, negotiated) = super::answer(&parse(text).unwrap(), &local()).unwrap();
    let ports: Vec<u16> = answer.media.iter().map(|media| media.port).collect();
    assert_eq!(ports, [0, 40000, 0], "only the first usable audio stream is accepted");
    assert_eq!(negotiated.codec, G711::Pcma);
}

#[test]
fn laws_are_known_by_rtpmap_name_in_any_case_or_by_static_type() {
    let text = "v=0
o=- 5 5 IN IP4 192.0.2.9
s=-
c=IN IP4 192.0.2.9
t=0 0
m=audio 5012 RTP/AVP 110 0 100
a=RTPMAP:110 pcmu/8000
a=rtpmap:100 Telephone-Event/8000
";
    let (answer, negotiated) = super::answer(&parse(text).unwrap(), &local()).unwrap();
    assert_eq!((negotiated.codec, negotiated.codec_payload_type), (G711::Pcmu, 110));
    assert_eq!(negotiated.telephone_event, Some(100));
    // No `a=fmtp` for the events means digits 0–15 (RFC 4733).
    assert_eq!(accepted(&answer).fmtp(100), Some("0-15"));
    assert_eq!(accepted(&answer).rtpmap(110).unwrap().encoding, "PCMU");

    let media = &parse(text).unwrap().media[0];
    assert_eq!(media.g711(0), Some(G711::Pcmu));
    assert_eq!(media.g711(8), Some(G711::Pcma), "static type 8 without rtpmap");
    assert_eq!(media.g711(100), None);
}

#[test]
fn wideband_or_stereo_g711_is_not_ours() {
    let map = |clock_rate, channels| RtpMap { payload_type: 96, encoding: "PCMA".into(), clock_rate, channels };
    assert_eq!(g711_named(&map(8000, None)), Some(G711::Pcma));
    assert_eq!(g711_named(&map(8000, Some(1))), Some(G711::Pcma));
    assert_eq!(g711_named(&map(16000, None)), None);
    assert_eq!(g711_named(&map(8000, Some(2))), None);
}

#[test]
fn telephone_events_are_kept_only_where_both_sides_have_some() {
    let with_events = |list: &str| {
        let text = format!(
            "v=0\no=- 1 1 IN IP4 192.0.2.9\ns=-\nc=IN IP4 192.0.2.9\nt=0 0\nm=audio 5000 RTP/AVP 0 101\n\
             a=rtpmap:101 telephone-event/8000\na=fmtp:101 {list}\n"
        );
        let (answer, negotiated) = super::answer(&parse(&text).unwrap(), &local()).unwrap();
        (negotiated.telephone_event, accepted(&answer).fmtp(101).map(str::to_owned))
    };
    assert_eq!(with_events("0-255"), (Some(101), Some("0-16".into())));
    assert_eq!(with_events("0-15"), (Some(101), Some("0-15".into())));
    assert_eq!(with_events("16"), (Some(101), Some("16".into())));
    assert_eq!(with_events("0,2, 4-6"), (Some(101), Some("0,2,4-6".into())));
    assert_eq!(with_events("32-40"), (None, None), "no event we send");
    assert_eq!(with_events("nonsense"), (Some(101), Some("0-15".into())), "unreadable list means the default");
}

#[test]
fn events_lists_read_and_write() {
    assert_eq!(events_in(Some("0-16")), SUPPORTED_EVENTS);
    assert_eq!(events_in(None), DEFAULT_EVENTS);
    assert_eq!(events_in(Some("")), DEFAULT_EVENTS);
    assert_eq!(events_in(Some("200-255")), 0);
    assert_eq!(events_list(events_in(Some("0-11,16"))), "0-11,16");
    assert_eq!(events_list(events_in(Some("31"))), "31");
    assert_eq!(events_list(u32::MAX), "0-31");
    assert_eq!(events_list(0), "");
}

#[test]
fn ipv6_offer_is_answered_over_ipv6() {
    let offer = parse(&crlf(IPV6_OFFER)).unwrap();
    assert_eq!(offer.origin.address, ip("2001:db8::2"));
    let local = LocalMedia::new(ip("2001:db8::50"), 40000, 9);
    let (answer, negotiated) = super::answer(&offer, &local).unwrap();
    assert_eq!(negotiated.remote_rtp, Some(socket("[2001:db8::2]:5004")));
    assert_eq!(negotiated.remote_rtcp, Some(socket("[2001:db8::2]:5005")));
    assert_eq!(negotiated.codec, G711::Pcma);
    let text = answer.to_string();
    assert!(text.contains("o=- 9 0 IN IP6 2001:db8::50\r\n"));
    assert!(text.contains("c=IN IP6 2001:db8::50\r\n"));
}

#[test]
fn our_offer_lists_our_laws_events_ptime_and_direction() {
    assert_eq!(
        offer(&local()).to_string(),
        "v=0\r\n\
         o=- 7777 0 IN IP4 192.0.2.50\r\n\
         s=-\r\n\
         c=IN IP4 192.0.2.50\r\n\
         t=0 0\r\n\
         m=audio 40000 RTP/AVP 0 8 101\r\n\
         a=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\n\
         a=fmtp:101 0-16\r\n\
         a=ptime:20\r\n\
         a=sendrecv\r\n"
    );
}

#[test]
fn answer_to_our_offer_that_picks_pcma() {
    let answer = parse(&crlf(CARRIER_ANSWER_PCMA)).unwrap();
    assert_eq!(
        accept_answer(&local(), &answer),
        Ok(Negotiated {
            remote_rtp: Some(socket("203.0.113.78:21000")),
            remote_rtcp: Some(socket("203.0.113.78:21001")),
            codec: G711::Pcma,
            codec_payload_type: 8,
            telephone_event: Some(101),
            remote_ptime: 20,
            direction: Direction::SendRecv,
        })
    );
}

#[test]
fn answer_with_extra_rejected_streams_is_read_from_its_audio_stream() {
    let text = CARRIER_ANSWER_PCMA.replace("t=0 0\n", "t=0 0\nm=video 0 RTP/AVP 96\n");
    let negotiated = accept_answer(&local(), &parse(&text).unwrap()).unwrap();
    assert_eq!(negotiated.codec, G711::Pcma);
}

#[test]
fn answer_that_rejects_our_audio_is_refused() {
    let text = CARRIER_ANSWER_PCMA.replace("m=audio 21000", "m=audio 0");
    assert_eq!(accept_answer(&local(), &parse(&text).unwrap()), Err(SdpError::AudioRejected));
}

#[test]
fn answer_with_a_law_we_did_not_offer_is_refused() {
    let mut pcmu_only = local();
    pcmu_only.codecs = vec![G711::Pcmu];
    let answer = parse(CARRIER_ANSWER_PCMA).unwrap();
    assert_eq!(accept_answer(&pcmu_only, &answer), Err(SdpError::NoCommonCodec));
}

#[test]
fn answer_without_events_leaves_dtmf_to_other_means() {
    let text = CARRIER_ANSWER_PCMA.replace("8 101", "8");
    let negotiated = accept_answer(&local(), &parse(&text).unwrap()).unwrap();
    assert_eq!(negotiated.telephone_event, None);
}

#[test]
fn hold_and_resume_reoffers_raise_the_version() {
    let mut ours = local();
    let hold = ours.reoffer(Direction::SendOnly);
    assert_eq!(hold.origin.version, 1);
    assert_eq!(hold.media[0].direction, Some(Direction::SendOnly));

    // The held peer answers recvonly: we send (music on hold), it does not.
    let held_answer = CARRIER_ANSWER_PCMA.replace("a=sendrecv", "a=recvonly");
    let negotiated = accept_answer(&ours, &parse(&held_answer).unwrap()).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);
    assert!(negotiated.remote_rtp.is_some());

    // A peer that answers sendrecv to our hold still gets nothing from us on receive.
    let negotiated = accept_answer(&ours, &parse(CARRIER_ANSWER_PCMA).unwrap()).unwrap();
    assert_eq!(negotiated.direction, Direction::SendOnly);

    let resume = ours.reoffer(Direction::SendRecv);
    assert_eq!(resume.origin.version, 2);
    assert_eq!(resume.media[0].direction, Some(Direction::SendRecv));
    assert_eq!(accept_answer(&ours, &parse(CARRIER_ANSWER_PCMA).unwrap()).unwrap().direction, Direction::SendRecv);
}

#[test]
fn answer_with_zero_address_means_we_send_nothing() {
    let text = CARRIER_ANSWER_PCMA.replace("c=IN IP4 203.0.113.78", "c=IN IP4 0.0.0.0");
    let negotiated = accept_answer(&local(), &parse(&text).unwrap()).unwrap();
    assert_eq!(negotiated.direction, Direction::RecvOnly);
    assert_eq!(negotiated.remote_rtp, None);
}

#[test]
fn rtcp_port_beyond_the_last_port_is_unknown() {
    let text = CARRIER_ANSWER_PCMA.replace("m=audio 21000", "m=audio 65535");
    let negotiated = accept_answer(&local(), &parse(&text).unwrap()).unwrap();
    assert_eq!(negotiated.remote_rtcp, None);
    assert_eq!(negotiated.remote_rtp, Some(socket("203.0.113.78:65535")));
}

#[test]
fn directions_reverse_and_intersect() {
    use Direction::{Inactive, RecvOnly, SendOnly, SendRecv};
    assert_eq!(
        [SendRecv, SendOnly, RecvOnly, Inactive].map(Direction::reversed),
        [SendRecv, RecvOnly, SendOnly, Inactive]
    );
    assert_eq!(SendOnly.intersection(SendRecv), SendOnly);
    assert_eq!(SendOnly.intersection(RecvOnly), Inactive);
    assert_eq!(SendRecv.without_receiving(), SendOnly);
    assert_eq!(RecvOnly.without_receiving(), Inactive);
    assert_eq!(Direction::from_attribute("SENDONLY"), Some(SendOnly));
    assert_eq!(Direction::from_attribute("rtcp-mux"), None);
}

#[test]
fn unknown_lines_multicast_suffixes_and_port_counts_are_tolerated() {
    let text = "v=0
o=jdoe 2890844526 2890842807 IN IP4 pc33.example.com
s=SDP Seminar
i=A Seminar on the session description protocol
u=http://www.example.com/seminars/sdp.pdf
e=j.doe@example.com (Jane Doe)
c=IN IP4 224.2.17.12/127
b=CT:128
t=2873397496 2873404696
r=7d 1h 0 25h
z=2882844526 -1h 2898848070 0
k=prompt
a=recvonly
x=an extension line
m=audio 49170/2 RTP/AVP 0
a=ptime:20.0
a=rtpmap:0 PCMU
a=rtpmap:300 PCMU/8000
a=fmtp:abc 0-15
a=rtcp:notaport
m=video 51372 RTP/AVP 99
a=rtpmap:99 h263-1998/90000
";
    let offer = parse(text).unwrap();
    assert_eq!(offer.origin.address, IpAddr::V4(Ipv4Addr::UNSPECIFIED), "host names are not resolved");
    assert_eq!(offer.connection, Some(ip("224.2.17.12")));
    assert_eq!(offer.direction, Some(Direction::RecvOnly));
    let audio = &offer.media[0];
    assert_eq!(audio.port, 49170);
    assert_eq!(audio.ptime, Some(20));
    assert!(audio.rtpmaps.is_empty(), "malformed rtpmaps are skipped");
    assert!(audio.fmtp.is_empty());
    assert_eq!(audio.rtcp_port, None);
    assert_eq!(offer.media[1].rtpmap(99).unwrap().encoding, "h263-1998");
    // The peer only receives, so we only send.
    assert_eq!(super::answer(&offer, &local()).unwrap().1.direction, Direction::SendOnly);
}

#[test]
fn captured_descriptions_round_trip_through_text() {
    for sample in ALL_SAMPLES {
        let parsed = parse(sample).unwrap();
        assert_eq!(parse(&parsed.to_string()), Ok(parsed.clone()), "{sample}");
        assert_eq!(parse(&crlf(sample)), Ok(parsed));
    }
}

#[test]
fn our_offers_and_answers_round_trip_through_text() {
    let ours = offer(&local());
    assert_eq!(parse(&ours.to_string()), Ok(ours));
    for sample in ALL_SAMPLES {
        if let Ok((answer, _)) = super::answer(&parse(sample).unwrap(), &local()) {
            assert_eq!(parse(&answer.to_string()), Ok(answer));
        }
    }
}

#[test]
fn line_breaks_inside_fields_cannot_add_lines() {
    let mut description = offer(&local());
    description.session_name = "call\r\nm=video 1 RTP/AVP 0".into();
    let reparsed = parse(&description.to_string()).unwrap();
    assert_eq!(reparsed.media.len(), 1);
    assert_eq!(reparsed.session_name, "call  m=video 1 RTP/AVP 0");
}

/// What a malformed body must be refused with.
#[derive(Debug)]
enum Expected {
    Malformed(usize, char),
    NotALine(usize),
    NotVersionZero(usize),
    Missing(char),
    MissingConnection(usize),
    TooManyFormats(usize),
    TooManyMedia,
    TooLong,
}

fn check(name: &str, text: &str, expected: &Expected) {
    let error = parse(text).expect_err(name);
    let matched = match (expected, &error) {
        (Expected::Malformed(line, kind), SdpError::Malformed { line: got, kind: got_kind, .. }) => {
            line == got && kind == got_kind
        }
        (Expected::NotALine(line), SdpError::NotALine { line: got, .. })
        | (Expected::NotVersionZero(line), SdpError::NotVersionZero { line: got, .. })
        | (Expected::MissingConnection(line), SdpError::MissingConnection { line: got })
        | (Expected::TooManyFormats(line), SdpError::TooManyFormats { line: got, .. }) => line == got,
        (Expected::Missing(kind), SdpError::MissingLine(got)) => kind == got,
        (Expected::TooManyMedia, SdpError::TooManyMedia { .. }) | (Expected::TooLong, SdpError::TooLong { .. }) => true,
        _ => false,
    };
    assert!(matched, "{name}: expected {expected:?}, got {error:?} ({error})");
}

#[test]
fn malformed_descriptions_are_refused_naming_the_line() {
    const HEAD: &str = "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n";
    let with = |tail: &str| format!("{HEAD}{tail}");
    let many_formats = with(&format!("m=audio 5000 RTP/AVP{}\n", " 0".repeat(MAX_FORMATS + 1)));
    let many_rtpmaps = with(&format!("m=audio 5000 RTP/AVP 0\n{}", "a=rtpmap:0 PCMU/8000\n".repeat(MAX_FORMATS + 1)));
    let many_media = with(&"m=audio 0 RTP/AVP 0\n".repeat(MAX_MEDIA + 1));
    let huge = with(&format!("a=x-padding:{}\n", "x".repeat(MAX_TEXT_BYTES)));
    let corpus: Vec<(&str, String, Expected)> = vec![
        ("empty body", String::new(), Expected::Missing('v')),
        ("blank lines only", "\r\n\r\n".into(), Expected::Missing('v')),
        ("no version line", "o=- 1 1 IN IP4 192.0.2.1\ns=-\n".into(), Expected::NotVersionZero(1)),
        ("version 1", "v=1\no=- 1 1 IN IP4 192.0.2.1\ns=-\n".into(), Expected::NotVersionZero(1)),
        ("a SIP message, not SDP", "INVITE sip:bob@example.com SIP/2.0\r\n".into(), Expected::NotALine(1)),
        ("second version line", with("v=0\n"), Expected::Malformed(6, 'v')),
        ("no origin", "v=0\ns=-\nc=IN IP4 192.0.2.1\nt=0 0\n".into(), Expected::Missing('o')),
        ("no session name", "v=0\no=- 1 1 IN IP4 192.0.2.1\nt=0 0\n".into(), Expected::Missing('s')),
        ("origin with five fields", "v=0\no=- 1 1 IN IP4\ns=-\n".into(), Expected::Malformed(2, 'o')),
        ("origin with seven fields", "v=0\no=- 1 1 IN IP4 192.0.2.1 x\ns=-\n".into(), Expected::Malformed(2, 'o')),
        ("origin with a word for id", "v=0\no=- abc 1 IN IP4 192.0.2.1\ns=-\n".into(), Expected::Malformed(2, 'o')),
        ("origin with a signed id", "v=0\no=- +1 1 IN IP4 192.0.2.1\ns=-\n".into(), Expected::Malformed(2, 'o')),
        (
            "origin id past 64 bits",
            "v=0\no=- 18446744073709551616 1 IN IP4 192.0.2.1\ns=-\n".into(),
            Expected::Malformed(2, 'o'),
        ),
        ("origin on ATM", "v=0\no=- 1 1 ATM NSAP 47.0005\ns=-\n".into(), Expected::Malformed(2, 'o')),
        ("origin address type IPX", "v=0\no=- 1 1 IN IPX 1.2.3.4\ns=-\n".into(), Expected::Malformed(2, 'o')),
        (
            "second origin",
            "v=0\no=- 1 1 IN IP4 192.0.2.1\no=- 1 1 IN IP4 192.0.2.1\ns=-\n".into(),
            Expected::Malformed(3, 'o'),
        ),
        ("second session name", with("s=again\n"), Expected::Malformed(6, 's')),
        ("session name inside a stream", with("m=audio 5000 RTP/AVP 0\ns=late\n"), Expected::Malformed(7, 's')),
        (
            "connection with a host name",
            with("m=audio 5000 RTP/AVP 0\nc=IN IP4 media.example.com\n"),
            Expected::Malformed(7, 'c'),
        ),
        (
            "connection IPv6 said IPv4",
            with("m=audio 5000 RTP/AVP 0\nc=IN IP4 2001:db8::1\n"),
            Expected::Malformed(7, 'c'),
        ),
        (
            "connection IPv4 said IPv6",
            with("m=audio 5000 RTP/AVP 0\nc=IN IP6 192.0.2.1\n"),
            Expected::Malformed(7, 'c'),
        ),
        (
            "connection without address",
            "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4\n".into(),
            Expected::Malformed(4, 'c'),
        ),
        (
            "connection not IN",
            "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=ON IP4 1.2.3.4\n".into(),
            Expected::Malformed(4, 'c'),
        ),
        (
            "connection octet too large",
            "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.256\n".into(),
            Expected::Malformed(4, 'c'),
        ),
        ("media without formats", with("m=audio 5000 RTP/AVP\n"), Expected::Malformed(6, 'm')),
        ("media with only a kind", with("m=audio\n"), Expected::Malformed(6, 'm')),
        ("media port too large", with("m=audio 70000 RTP/AVP 0\n"), Expected::Malformed(6, 'm')),
        ("media port negative", with("m=audio -1 RTP/AVP 0\n"), Expected::Malformed(6, 'm')),
        ("media port a word", with("m=audio port RTP/AVP 0\n"), Expected::Malformed(6, 'm')),
        (
            "stream without any address",
            "v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nt=0 0\nm=audio 0 RTP/AVP 0\nm=audio 5000 RTP/AVP 0\n".into(),
            Expected::MissingConnection(6),
        ),
        ("line without equals sign", with("garbage\n"), Expected::NotALine(6)),
        ("line with a space before equals", with("a =sendrecv\n"), Expected::NotALine(6)),
        ("line starting with a digit", with("1=one\n"), Expected::NotALine(6)),
        ("indented line", with(" a=sendrecv\n"), Expected::NotALine(6)),
        ("too many formats", many_formats, Expected::TooManyFormats(6)),
        ("too many rtpmaps", many_rtpmaps, Expected::TooManyFormats(MAX_FORMATS + 7)),
        ("too many streams", many_media, Expected::TooManyMedia),
        ("over 64 KiB", huge, Expected::TooLong),
    ];
    for (name, text, expected) in &corpus {
        check(name, text, expected);
    }
}

#[test]
fn errors_quote_only_the_start_of_a_long_line() {
    let line = format!("m=audio {} RTP/AVP 0", "9".repeat(1000));
    let text = format!("v=0\no=- 1 1 IN IP4 192.0.2.1\ns=-\nc=IN IP4 192.0.2.1\n{line}\n");
    let error = parse(&text).unwrap_err();
    let SdpError::Malformed { text: quoted, reason, .. } = &error else { panic!("{error:?}") };
    assert_eq!(quoted.chars().count(), EXCERPT_CHARS);
    assert_eq!(*reason, "the port is not a number from 0 to 65535");
    assert!(error.to_string().starts_with("SDP line 5 is a malformed `m=` line (the port is not a number"));
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9_.-]{0,11}"
}

/// Printable text without space at either end, possibly empty.
fn free_text() -> impl Strategy<Value = String> {
    "([!-~]([ -~]{0,20}[!-~])?)?"
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive)
    ]
}

fn rtpmap() -> impl Strategy<Value = RtpMap> {
    (0u8..=127, "[A-Za-z][A-Za-z0-9-]{0,15}", any::<u32>(), proptest::option::of(any::<u8>())).prop_map(
        |(payload_type, encoding, clock_rate, channels)| RtpMap { payload_type, encoding, clock_rate, channels },
    )
}

fn media() -> impl Strategy<Value = MediaDescription> {
    let line = (
        "[a-z]{1,8}",
        any::<u16>(),
        "[A-Za-z0-9/]{1,10}",
        prop::collection::vec(0u8..=127, 0..6),
        prop::collection::vec("[a-z][a-z0-9-]{0,8}", 0..3),
    );
    let attributes = (
        prop::collection::vec(rtpmap(), 0..4),
        prop::collection::vec((0u8..=127, free_text()), 0..3),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<IpAddr>()),
        proptest::option::of(direction()),
        proptest::option::of((any::<u16>(), proptest::option::of(any::<IpAddr>()))),
        any::<bool>(),
    );
    (line, attributes).prop_map(
        |(
            (kind, port, protocol, mut formats, other_formats),
            (rtpmaps, fmtp, ptime, max_ptime, connection, direction, rtcp, rtcp_mux),
        )| {
            if formats.is_empty() && other_formats.is_empty() {
                formats.push(0);
            }
            MediaDescription {
                kind,
                port,
                protocol,
                formats,
                other_formats,
                rtpmaps,
                fmtp,
                ptime,
                max_ptime,
                connection,
                direction,
                rtcp_port: rtcp.map(|(port, _)| port),
                rtcp_address: rtcp.and_then(|(_, address)| address),
                rtcp_mux,
            }
        },
    )
}

fn description() -> impl Strategy<Value = SessionDescription> {
    (
        (token(), any::<u64>(), any::<u64>(), any::<IpAddr>()),
        free_text(),
        proptest::option::of(any::<IpAddr>()),
        proptest::option::of(direction()),
        prop::collection::vec(media(), 0..4),
    )
        .prop_map(|((username, session_id, version, address), session_name, connection, direction, mut media)| {
            // Every stream in use needs an address from somewhere.
            if connection.is_none() {
                for stream in &mut media {
                    stream.connection.get_or_insert(address);
                }
            }
            SessionDescription {
                origin: Origin { username, session_id, version, address },
                session_name,
                connection,
                direction,
                media,
            }
        })
}

/// Lines that look like SDP, some of them malformed.
fn sdp_like_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("v=0".to_owned()),
        "o=[-a-z]{1,4} [0-9]{1,3} [0-9]{1,3} IN IP[46] [0-9a-f:.]{0,16}",
        "s=[ -~]{0,10}",
        "c=IN IP[46x] [0-9a-z:./]{0,12}",
        "m=(audio|video|image) [0-9]{1,6}(/2)? (RTP/AVP|RTP/SAVP|udptl|rtp/avp) [0-9a-z ]{0,16}",
        "a=(rtpmap|RTPMAP):[0-9]{1,3} (PCMU|pcma|telephone-event|G729|opus)(/[0-9]{0,5}(/[0-9])?)?",
        "a=fmtp:[0-9]{1,3}( [0-9,-]{0,10})?",
        "a=(ptime|maxptime|rtcp):[0-9. a-zIP]{0,16}",
        "[a-z]=[ -~]{0,20}",
        "[ -~]{0,20}",
    ]
}

/// Lines of a well-formed media section, with the payload types and addresses peers use.
fn media_section_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "m=audio (0|5004|6000|65535) (RTP/AVP|RTP/AVP|RTP/SAVP) (0|8|9|18|96|101)( (0|8|18|96|100|101|110)){0,4}",
        1 => "m=(video|image) (0|9078) (RTP/AVP|udptl) (97|t38)",
        2 => "c=IN (IP4 (0\\.0\\.0\\.0|192\\.0\\.2\\.7)|IP6 (::|2001:db8::7))",
        4 => "a=rtpmap:(0|8|96|100|101|110) (PCMU|pcma|PCMA|telephone-event|G729|opus)/(8000|48000)(/2)?",
        2 => "a=fmtp:(96|100|101) (0-15|0-16|0-11,16|16|40-60|x)",
        2 => "a=(sendrecv|sendonly|recvonly|inactive|rtcp-mux|ptime:30|maxptime:40|rtcp:5005|rtcp:0 IN IP4 192\\.0\\.2\\.8)",
        1 => sdp_like_line(),
    ]
}

proptest! {
    /// Arbitrary text never makes the parser panic.
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = parse(&text);
    }

    /// SDP-like text never panics the parser or the negotiation; whatever parses answers with one
    /// stream per offered stream and writes text that parses back the same after one pass.
    #[test]
    fn sdp_like_text_parses_or_fails_cleanly(
        head in prop_oneof![
            3 => Just(vec!["v=0".to_owned(), "o=- 1 1 IN IP4 192.0.2.1".to_owned(), "s=-".to_owned()]),
            1 => prop::collection::vec(sdp_like_line(), 0..4),
        ],
        session in prop::collection::vec(media_section_line(), 0..3),
        streams in prop::collection::vec(media_section_line(), 0..24),
        line_end in prop_oneof![Just("\r\n"), Just("\n")],
    ) {
        let text = [head, session, streams].concat().join(line_end);
        if let Ok(offer) = parse(&text) {
            let normal = parse(&offer.to_string()).unwrap();
            prop_assert_eq!(parse(&normal.to_string()), Ok(normal.clone()));
            if let Ok((answer, negotiated)) = super::answer(&offer, &local()) {
                prop_assert_eq!(answer.media.len(), offer.media.len());
                prop_assert_eq!(parse(&answer.to_string()), Ok(answer.clone()));
                prop_assert!(local().codecs.contains(&negotiated.codec));
                let reread = accept_answer(&local(), &answer).unwrap();
                prop_assert_eq!(reread.codec, negotiated.codec);
            }
            let _ = accept_answer(&local(), &offer);
        }
    }

    /// Any valid description written out parses back to the same structure.
    #[test]
    fn valid_descriptions_round_trip(description in description()) {
        let text = description.to_string();
        prop_assert_eq!(parse(&text), Ok(description), "{}", text);
    }
}
