use super::*;
use crate::voice::g711::G711;
use std::net::SocketAddr;

fn negotiated(codec: G711, ptime: u32) -> Negotiated {
    Negotiated {
        remote_rtp: Some(SocketAddr::from(([127, 0, 0, 1], 4000))),
        remote_rtcp: Some(SocketAddr::from(([127, 0, 0, 1], 4001))),
        codec,
        codec_payload_type: codec.payload_type(),
        telephone_event: Some(101),
        remote_ptime: ptime,
        direction: Direction::SendRecv,
    }
}

fn tone(frame: usize, out: &mut [i16; FRAME]) {
    for (i, sample) in out.iter_mut().enumerate() {
        *sample = (8000.0 * (2.0 * std::f64::consts::PI * 500.0 * (frame * FRAME + i) as f64 / 8000.0).sin()) as i16;
    }
}

/// Runs `frames` ticks of A sending a tone to B over a perfect network; returns what B played.
fn talk(
    a: &mut MediaSession,
    b: &mut MediaSession,
    frames: usize,
    mut each: impl FnMut(usize, &mut MediaSession, &mut MediaSession),
) -> (Vec<i16>, Vec<char>) {
    let (mut played, mut digits) = (Vec::new(), Vec::new());
    for n in 0..frames {
        let now = Duration::from_millis(n as u64 * 10);
        each(n, a, b);
        let mut frame = [0i16; FRAME];
        tone(n, &mut frame);
        if let Some(packet) = a.capture(&frame) {
            let packet = packet.to_vec();
            digits.extend(b.receive_rtp(&packet, now));
        }
        b.play(now, &mut frame);
        played.extend_from_slice(&frame);
    }
    (played, digits)
}

#[test]
fn a_tone_crosses_from_one_session_to_the_other() {
    for (codec, ptime) in [(G711::Pcmu, 20), (G711::Pcma, 30)] {
        let (mut a, mut b) =
            (MediaSession::new(&negotiated(codec, ptime), 1), MediaSession::new(&negotiated(codec, 20), 2));
        let (played, _) = talk(&mut a, &mut b, 300, |_, _, _| {});
        let tail = &played[played.len() - 8000..];
        let peak = tail.iter().map(|s| s.unsigned_abs()).max().unwrap();
        assert!((7000..9000).contains(&peak), "{codec:?}: the tone arrives at its level ({peak})");
        let stats = b.stats();
        assert_eq!(stats.packets_lost, 0);
        assert!(stats.concealed < 0.02, "{stats:?}");
    }
}

#[test]
fn dtmf_is_sent_as_events_and_received_once() {
    let (mut a, mut b) =
        (MediaSession::new(&negotiated(G711::Pcmu, 20), 3), MediaSession::new(&negotiated(G711::Pcmu, 20), 4));
    let (_, digits) = talk(&mut a, &mut b, 200, |n, a, _| {
        if n == 50 {
            a.send_dtmf('7');
            a.send_dtmf('#');
        }
    });
    assert_eq!(digits, ['7', '#']);
}

#[test]
fn nothing_is_sent_while_the_other_side_holds_us() {
    let mut held = negotiated(G711::Pcmu, 20);
    held.direction = Direction::RecvOnly;
    let mut session = MediaSession::new(&held, 5);
    let frame = [0i16; FRAME];
    assert!((0..20).all(|_| session.capture(&frame).is_none()));
}

#[test]
fn rtcp_reports_give_the_round_trip() {
    let (mut a, mut b) =
        (MediaSession::new(&negotiated(G711::Pcmu, 20), 6), MediaSession::new(&negotiated(G711::Pcmu, 20), 7));
    let wall = |n: usize| Duration::from_secs(1_700_000_000) + Duration::from_millis(n as u64 * 10);
    talk(&mut a, &mut b, 1500, |n, a, b| {
        let now = Duration::from_millis(n as u64 * 10);
        // Reports cross with 40 ms of network delay each way, simulated by handing them over late.
        if let Some(report) = a.rtcp_report(now, wall(n)).map(<[u8]>::to_vec) {
            b.receive_rtcp(&report, now + Duration::from_millis(40), wall(n + 4));
        }
        if let Some(report) = b.rtcp_report(now, wall(n)).map(<[u8]>::to_vec) {
            a.receive_rtcp(&report, now + Duration::from_millis(40), wall(n + 4));
        }
    });
    let round_trip = a.stats().round_trip_ms.expect("a round trip from B's report on A's stream");
    assert!((60.0..=120.0).contains(&round_trip), "{round_trip}");
}

#[test]
fn garbage_and_rtcp_on_the_audio_port_are_ignored() {
    let mut session = MediaSession::new(&negotiated(G711::Pcmu, 20), 8);
    for bytes in [
        &[0u8; 3][..],
        &[0x81, 200, 0, 6, 1, 2, 3, 4][..],
        &[0x80, 13, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0][..],
        &[0xFF; 40][..],
    ] {
        assert_eq!(session.receive_rtp(bytes, Duration::ZERO), None);
    }
    assert_eq!(session.stats().packets_received, 0);
}
