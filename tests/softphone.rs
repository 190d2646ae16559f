//! The softphone against real SIP equipment on 127.0.0.1: baresip (echo and
//! registered callee), sipp (a caller playing recorded A-law and DTMF, a busy
//! callee) and kamailio (registrar and proxy with digest authentication).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/peers.rs"]
mod peers;

use peers::{Baresip, BaresipRole, Kamailio, Sipp, tone_energy};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use switchboard::voice::jitter::FRAME;
use switchboard::voice::phone::{AudioPort, AudioRoute, Phone, PhoneCommand, PhoneEvent, PhoneSettings};
use switchboard::voice::sdp::Direction;
use switchboard::voice::sip::transaction::Transport;
use switchboard::voice::sip::ua::{CallHandle, EndReason, Registration, UaEvent};

/// Sends a steady tone and records what comes back.
struct ToneRecorder {
    frequency: f64,
    phase: f64,
    heard: Arc<Mutex<Vec<i16>>>,
}

impl AudioPort for ToneRecorder {
    fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool {
        if self.frequency == 0.0 {
            return false;
        }
        for sample in out.iter_mut() {
            *sample = (8000.0 * self.phase.sin()) as i16;
            self.phase += 2.0 * std::f64::consts::PI * self.frequency / 8000.0;
        }
        true
    }

    fn write_frame(&mut self, frame: &[i16; FRAME]) {
        self.heard.lock().unwrap().extend_from_slice(frame);
    }
}

fn recording_route(frequency: f64) -> (AudioRoute, Arc<Mutex<Vec<i16>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let shared = heard.clone();
    let route = AudioRoute::Custom(Arc::new(move || {
        Ok(Box::new(ToneRecorder { frequency, phase: 0.0, heard: shared.clone() }) as Box<dyn AudioPort>)
    }));
    (route, heard)
}

fn settings(audio: AudioRoute) -> PhoneSettings {
    PhoneSettings { listen: "127.0.0.1:0".parse().unwrap(), audio, ..PhoneSettings::default() }
}

/// Waits for the first event `pick` accepts, failing with every event seen.
fn expect<T>(phone: &Phone, what: &str, timeout: Duration, mut pick: impl FnMut(&PhoneEvent) -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        if let Some(event) = phone.wait_event(Duration::from_millis(100)) {
            if let Some(found) = pick(&event) {
                return found;
            }
            if !matches!(event, PhoneEvent::Stats { .. }) {
                seen.push(event);
            }
        }
    }
    panic!("{what} did not happen in {timeout:?}; events: {seen:#?}");
}

fn connected(event: &PhoneEvent) -> Option<(CallHandle, Direction)> {
    match event {
        PhoneEvent::Sip(UaEvent::Connected { call, media }) => Some((*call, media.direction)),
        _ => None,
    }
}

fn ended(event: &PhoneEvent) -> Option<EndReason> {
    match event {
        PhoneEvent::Sip(UaEvent::Ended { reason, .. }) => Some(reason.clone()),
        _ => None,
    }
}

#[test]
fn a_call_to_baresip_in_echo_mode_brings_our_tone_back() {
    let baresip = Baresip::start(&BaresipRole::Echo);
    let (route, heard) = recording_route(800.0);
    let phone = Phone::start(settings(route), || {}).unwrap();
    phone.send(PhoneCommand::Dial(format!("sip:echo@127.0.0.1:{}", baresip.sip_port)));
    let (call, direction) = expect(&phone, "the echo line answering", Duration::from_secs(10), connected);
    assert_eq!(direction, Direction::SendRecv);
    std::thread::sleep(Duration::from_secs(3));
    phone.send(PhoneCommand::Hangup(call));
    assert_eq!(expect(&phone, "the hang-up", Duration::from_secs(5), ended), EndReason::LocalHangup);
    let heard = heard.lock().unwrap().clone();
    let tail = &heard[heard.len().saturating_sub(16_000)..];
    let tone = tone_energy(tail, 800.0, 8000.0);
    let elsewhere = tone_energy(tail, 1300.0, 8000.0);
    assert!(
        tone > 1e-4 && tone > 100.0 * elsewhere,
        "our 800 Hz tone came back: energy {tone:.2e} at 800 Hz, {elsewhere:.2e} at 1300 Hz"
    );
}

/// The A-law audio in sipp's recording, decoded: the reference sipp plays.
fn reference_audio() -> Vec<i16> {
    let pcap = std::fs::read("/usr/share/sip-tester/g711a.pcap").expect("sipp's sample recording (package sip-tester)");
    let mut samples = Vec::new();
    let mut at = 24;
    while at + 16 <= pcap.len() {
        let length = u32::from_le_bytes(pcap[at + 8..at + 12].try_into().unwrap()) as usize;
        let frame = &pcap[at + 16..(at + 16 + length).min(pcap.len())];
        // Ethernet (14) + IPv4 (20) + UDP (8) + RTP (12).
        if let Some(payload) = frame.get(54..) {
            switchboard::voice::g711::G711::Pcma.decode(payload, &mut samples);
        }
        at += 16 + length;
    }
    samples
}

/// The best normalised correlation of `probe` within `signal`.
fn best_correlation(signal: &[i16], probe: &[i16]) -> f64 {
    let energy = |s: &[i16]| s.iter().map(|&x| f64::from(x).powi(2)).sum::<f64>();
    let probe_energy = energy(probe);
    (0..signal.len().saturating_sub(probe.len()))
        .step_by(1)
        .map(|lag| {
            let window = &signal[lag..lag + probe.len()];
            let dot: f64 = window.iter().zip(probe).map(|(&a, &b)| f64::from(a) * f64::from(b)).sum();
            dot / (energy(window) * probe_energy).sqrt().max(1.0)
        })
        .fold(0.0, f64::max)
}

#[test]
fn sipp_calls_us_with_pcma_and_dtmf_and_we_hear_both() {
    let (route, heard) = recording_route(0.0);
    let phone = Phone::start(settings(route), || {}).unwrap();
    let target = phone.local_address().to_string();
    let mut sipp =
        Sipp::start(include_str!("support/sipp/caller_pcma_dtmf.xml"), Some(&target), "agent", Duration::from_secs(30));
    let call = expect(&phone, "the incoming call", Duration::from_secs(10), |e| match e {
        PhoneEvent::Sip(UaEvent::Incoming { call, from }) => {
            assert_eq!(from.display.as_deref(), Some("Test caller"));
            Some(*call)
        }
        _ => None,
    });
    phone.send(PhoneCommand::Answer(call));
    let (_, _) = expect(&phone, "the answer", Duration::from_secs(5), connected);
    let digit = expect(&phone, "DTMF 1", Duration::from_secs(15), |e| match e {
        PhoneEvent::Dtmf { digit, .. } => Some(*digit),
        _ => None,
    });
    assert_eq!(digit, '1');
    assert_eq!(expect(&phone, "sipp hanging up", Duration::from_secs(5), ended), EndReason::RemoteHangup);
    assert!(sipp.succeeded(Duration::from_secs(5)), "sipp's scenario passed: {}", sipp.process.output());
    let heard = heard.lock().unwrap().clone();
    let reference = reference_audio();
    // Two seconds from the middle of the recording must be found, intact, in what we played.
    let probe = &reference[reference.len() / 2..reference.len() / 2 + 16_000];
    let correlation = best_correlation(&heard, probe);
    assert!(correlation > 0.9, "what we decoded matches sipp's recording: correlation {correlation:.3}");
}

#[test]
fn a_busy_callee_rings_back_then_ends_the_call_as_busy() {
    let mut sipp = Sipp::start(include_str!("support/sipp/callee_busy.xml"), None, "agent", Duration::from_secs(20));
    let (route, heard) = recording_route(0.0);
    let phone = Phone::start(settings(route), || {}).unwrap();
    phone.send(PhoneCommand::Dial(format!("sip:busy@127.0.0.1:{}", sipp.port)));
    expect(&phone, "ringing", Duration::from_secs(5), |e| {
        matches!(e, PhoneEvent::Sip(UaEvent::Progress { code: 180, .. })).then_some(())
    });
    assert_eq!(expect(&phone, "the busy signal", Duration::from_secs(5), ended), EndReason::Busy);
    assert!(sipp.succeeded(Duration::from_secs(5)), "sipp got our ACK: {}", sipp.process.output());
    let heard = heard.lock().unwrap().clone();
    assert!(heard.len() >= 800, "ring-back played while the callee rang: {} samples", heard.len());
    assert!(tone_energy(&heard, 440.0, 8000.0) > 1e-3, "the ring-back is the 440 Hz tone");
}

fn registered(phone: &Phone) {
    expect(phone, "registration", Duration::from_secs(10), |e| match e {
        PhoneEvent::Sip(UaEvent::Registration(Registration::Registered { .. })) => Some(()),
        PhoneEvent::Sip(UaEvent::Registration(Registration::Failed { reason })) => {
            panic!("registration failed: {reason}")
        }
        _ => None,
    });
}

/// kamailio with digest auth, bob (baresip) registered to it, and our phone
/// registered as `agent`, all ready to call each other.
struct Office {
    kamailio: Kamailio,
    bob: Baresip,
    phone: Phone,
}

fn office(bob_answers: bool, transport: Transport, route: AudioRoute) -> Office {
    let kamailio = Kamailio::start("s3cret");
    let bob = Baresip::start(&BaresipRole::Registered {
        user: "bob",
        password: "s3cret",
        registrar: kamailio.port,
        answers: bob_answers,
    });
    let phone = Phone::start(
        PhoneSettings {
            server: Some(format!("127.0.0.1:{}", kamailio.port)),
            user: "agent".into(),
            password: Some("s3cret".into()),
            transport,
            ..settings(route)
        },
        || {},
    )
    .unwrap();
    registered(&phone);
    // baresip registers on its own schedule; wait until kamailio knows it.
    peers::wait_until("bob registering", &kamailio.process, Duration::from_secs(10), || {
        kamailio.process.output().contains("REGISTER sip:bob")
    });
    Office { kamailio, bob, phone }
}

fn through_kamailio(transport: Transport) {
    let (route, heard) = recording_route(600.0);
    let Office { kamailio: _kamailio, bob, phone } = office(true, transport, route);
    phone.send(PhoneCommand::Dial("bob".into()));
    let (call, _) = expect(&phone, "bob answering through the proxy", Duration::from_secs(10), connected);
    std::thread::sleep(Duration::from_secs(2));
    let echoed = tone_energy(&heard.lock().unwrap()[4000..], 600.0, 8000.0);
    assert!(echoed > 1.0, "bob echoed our tone through the proxy: {echoed:.2e}");
    phone.send(PhoneCommand::Hold(call));
    let held = expect(&phone, "the hold accepted", Duration::from_secs(5), |e| match e {
        PhoneEvent::Sip(UaEvent::MediaChanged { media, .. }) => Some(media.direction),
        _ => None,
    });
    assert_eq!(held, Direction::SendOnly);
    phone.send(PhoneCommand::Resume(call));
    let resumed = expect(&phone, "the resume accepted", Duration::from_secs(5), |e| match e {
        PhoneEvent::Sip(UaEvent::MediaChanged { media, .. }) => Some(media.direction),
        _ => None,
    });
    assert_eq!(resumed, Direction::SendRecv);
    let sent = |phone: &Phone| {
        expect(phone, "call statistics", Duration::from_secs(3), |e| match e {
            PhoneEvent::Stats { stats, .. } => Some(stats.packets_sent),
            _ => None,
        })
    };
    let before = sent(&phone);
    std::thread::sleep(Duration::from_secs(1));
    let after = sent(&phone);
    assert!(after >= before + 40, "audio flows again after the resume: {before} then {after} packets sent");
    bob.command("hangup", None, Duration::from_millis(300));
    assert_eq!(expect(&phone, "bob hanging up", Duration::from_secs(5), ended), EndReason::RemoteHangup);
}

#[test]
fn registers_with_digest_auth_and_calls_through_kamailio_over_udp() {
    through_kamailio(Transport::Udp);
}

#[test]
fn registers_with_digest_auth_and_calls_through_kamailio_over_tcp() {
    through_kamailio(Transport::Tcp);
}

#[test]
fn cancelling_before_the_answer_and_calling_nobody_through_kamailio() {
    let (route, _) = recording_route(0.0);
    let Office { kamailio: _kamailio, bob, phone } = office(false, Transport::Udp, route);
    phone.send(PhoneCommand::Dial("bob".into()));
    let call = expect(&phone, "bob ringing", Duration::from_secs(10), |e| match e {
        PhoneEvent::Sip(UaEvent::Progress { call, code: 180, .. }) => Some(*call),
        _ => None,
    });
    phone.send(PhoneCommand::Hangup(call));
    assert_eq!(expect(&phone, "the cancel", Duration::from_secs(5), ended), EndReason::LocalHangup);
    // baresip tells the caller's CANCEL apart by the 487 its call ends with.
    peers::wait_until("bob's phone to stop ringing", &bob.process, Duration::from_secs(5), || {
        bob.process.output().contains("session closed")
    });
    // A user nobody registered: kamailio answers 404.
    phone.send(PhoneCommand::Dial("nobody".into()));
    let reason = expect(&phone, "the 404", Duration::from_secs(5), ended);
    assert!(matches!(reason, EndReason::Failed { code: 404, .. }), "{reason:?}");
}

#[test]
fn a_second_call_beeps_into_the_call_in_progress() {
    let baresip = Baresip::start(&BaresipRole::Echo);
    let (route, heard) = recording_route(0.0);
    let agent = Phone::start(settings(route), || {}).unwrap();
    agent.send(PhoneCommand::Dial(format!("sip:echo@127.0.0.1:{}", baresip.sip_port)));
    let (first, _) = expect(&agent, "the first call", Duration::from_secs(10), connected);
    let (other_route, _) = recording_route(0.0);
    let caller = Phone::start(settings(other_route), || {}).unwrap();
    caller.send(PhoneCommand::Dial(format!("sip:agent@{}", agent.local_address())));
    let second = expect(&agent, "the second call ringing", Duration::from_secs(5), |e| match e {
        PhoneEvent::Sip(UaEvent::Incoming { call, .. }) => Some(*call),
        _ => None,
    });
    let before = heard.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(800));
    let beeped = heard.lock().unwrap()[before..].to_vec();
    assert!(tone_energy(&beeped, 440.0, 8000.0) > 1e-3, "the call-waiting beep was heard in the first call");
    agent.send(PhoneCommand::Reject(second));
    agent.send(PhoneCommand::Hangup(first));
    assert_eq!(expect(&caller, "the second caller told busy", Duration::from_secs(5), ended), EndReason::Busy);
}

#[test]
fn baresip_transfers_us_to_another_line_and_we_follow() {
    let first = Baresip::start(&BaresipRole::Echo);
    let second = Baresip::start(&BaresipRole::Echo);
    let (route, _) = recording_route(0.0);
    let phone = Phone::start(settings(route), || {}).unwrap();
    phone.send(PhoneCommand::Dial(format!("sip:echo@127.0.0.1:{}", first.sip_port)));
    let (original, _) = expect(&phone, "the first line answering", Duration::from_secs(10), connected);
    std::thread::sleep(Duration::from_millis(500));
    let reply =
        first.command("transfer", Some(&format!("sip:echo@127.0.0.1:{}", second.sip_port)), Duration::from_millis(300));
    let (new_call, _) = expect(&phone, "the call to the second line", Duration::from_secs(10), connected);
    assert_ne!(new_call, original, "{reply}");
    let gone = expect(&phone, "the first line leaving", Duration::from_secs(5), |e| match e {
        PhoneEvent::Sip(UaEvent::Ended { call, reason }) if *call == original => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(gone, EndReason::RemoteHangup);
    phone.send(PhoneCommand::Hangup(new_call));
    assert_eq!(expect(&phone, "the hang-up", Duration::from_secs(5), ended), EndReason::LocalHangup);
}
