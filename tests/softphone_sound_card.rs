//! A call through the real cpal code path: a private PulseAudio server plays
//! a tone into the "microphone" (a null sink whose monitor is the default
//! source), the softphone calls baresip's echo line, and what comes back is
//! recorded from the "speaker" (the default null sink's monitor). The tone
//! there proves it crossed both ways: microphone → call → peer → call → speaker.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/peers.rs"]
mod peers;
#[path = "support/pulse.rs"]
mod pulse;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use switchboard::voice::phone::{AudioRoute, Phone, PhoneCommand, PhoneEvent, PhoneSettings};
use switchboard::voice::sip::ua::UaEvent;

const TONE: f64 = 700.0;

/// One private PulseAudio server at a time: two started together in one test binary get in each other's way.
static SOUND_CARD: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn a_tone_from_the_microphone_reaches_the_peer_and_comes_back_to_the_speaker() {
    let _one_at_a_time = SOUND_CARD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let pulse = pulse::start_pulse();
    let baresip = peers::Baresip::start(&peers::BaresipRole::Echo);
    let feeder = pulse.feed_microphone(TONE, 12);
    let recording = pulse.dir.path().join("speaker.raw");
    let mut record = Command::new("parec");
    record
        .args(["-d", "testsink.monitor", "--raw", "--format=s16le", "--rate=8000", "--channels=1"])
        .stdout(std::fs::File::create(&recording).unwrap())
        .stderr(Stdio::null());
    pulse.env(&mut record);
    let mut recorder = record.spawn().unwrap();
    std::thread::sleep(Duration::from_millis(500));

    let mut call = Command::new(std::env::current_exe().unwrap());
    call.args(["--exact", "call_the_echo_line_with_the_sound_card", "--ignored", "--nocapture"])
        .env("ECHO_LINE", format!("sip:echo@127.0.0.1:{}", baresip.sip_port));
    pulse.env(&mut call);
    let output = call.output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{log}");

    std::thread::sleep(Duration::from_secs(1));
    let _ = Command::new("kill").args(["-TERM", &recorder.id().to_string()]).status();
    let _ = recorder.wait();
    drop(feeder);
    let heard: Vec<i16> =
        std::fs::read(&recording).unwrap().chunks_exact(2).map(|b| i16::from_le_bytes([b[0], b[1]])).collect();
    assert!(heard.len() > 8000 * 3, "the speaker was recorded: {} samples", heard.len());
    let best = heard
        .chunks(8000)
        .map(|second| peers::tone_energy(second, TONE, 8000.0) / peers::tone_energy(second, 1100.0, 8000.0).max(1e-12))
        .fold(0.0, f64::max);
    let energy = heard.chunks(8000).map(|second| peers::tone_energy(second, TONE, 8000.0)).fold(0.0, f64::max);
    assert!(
        energy > 1e-3 && best > 100.0,
        "the microphone's tone came back through the call: energy {energy:.2e}, ratio {best:.0}\n{log}"
    );
}

#[test]
#[ignore = "run by a_tone_from_the_microphone_reaches_the_peer_and_comes_back_to_the_speaker with PulseAudio's environment"]
fn call_the_echo_line_with_the_sound_card() {
    let target = std::env::var("ECHO_LINE").expect("the echo line's address");
    let settings = PhoneSettings {
        listen: "127.0.0.1:0".parse().unwrap(),
        audio: AudioRoute::Device(switchboard::voice::audio::AudioSettings::default()),
        ..PhoneSettings::default()
    };
    let phone = Phone::start(settings, || {}).unwrap();
    phone.send(PhoneCommand::Dial(target));
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut call = None;
    while call.is_none() && Instant::now() < deadline {
        match phone.wait_event(Duration::from_millis(100)) {
            Some(PhoneEvent::Sip(UaEvent::Connected { call: c, .. })) => call = Some(c),
            Some(PhoneEvent::AudioUnavailable { reason, .. }) => panic!("the sound card did not open: {reason}"),
            _ => {}
        }
    }
    let call = call.expect("the echo line answered");
    let talk = Instant::now() + Duration::from_secs(5);
    while Instant::now() < talk {
        if let Some(PhoneEvent::AudioUnavailable { reason, .. }) = phone.wait_event(Duration::from_millis(100)) {
            panic!("the sound card did not open: {reason}");
        }
    }
    phone.send(PhoneCommand::Hangup(call));
    std::thread::sleep(Duration::from_millis(500));
}

#[test]
fn a_clip_is_recorded_from_the_microphone() {
    let _one_at_a_time = SOUND_CARD.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let pulse = pulse::start_pulse();
    let feeder = pulse.feed_microphone(TONE, 6);
    let mut record = Command::new(std::env::current_exe().unwrap());
    record.args(["--exact", "record_a_clip_with_the_sound_card", "--ignored", "--nocapture"]);
    pulse.env(&mut record);
    let output = record.output().unwrap();
    drop(feeder);
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{log}");
}

#[test]
#[ignore = "run by a_clip_is_recorded_from_the_microphone with PulseAudio's environment"]
fn record_a_clip_with_the_sound_card() {
    let recorder =
        switchboard::voice::recorder::ClipRecorder::start(&switchboard::voice::audio::AudioSettings::default())
            .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let level = recorder.level();
    let samples = recorder.stop().unwrap();
    assert!(samples.len() >= 8000, "a second or more was recorded: {} samples", samples.len());
    let tail = &samples[samples.len() - 8000..];
    let ratio = peers::tone_energy(tail, TONE, 8000.0) / peers::tone_energy(tail, 1100.0, 8000.0).max(1e-12);
    assert!(ratio > 100.0, "the microphone's tone is in the clip: ratio {ratio:.0}");
    assert!(level > 0.05, "the meter moved while recording: {level}");
}
