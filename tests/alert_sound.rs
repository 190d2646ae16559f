//! The offer chime through the real cpal code path, into a private PulseAudio
//! server whose null sink stands in for a sound card; what reaches the sink is
//! recorded from its monitor and measured.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/pulse.rs"]
mod pulse;

use pulse::start_pulse;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

fn samples(path: &Path) -> Vec<f32> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect()
}

#[test]
fn the_chime_reaches_the_sound_card_through_cpal() {
    let pulse = start_pulse();
    let recording = pulse.dir.path().join("monitor.raw");
    let mut parec = Command::new("parec");
    parec
        .args(["-d", "testsink.monitor", "--raw", "--format=s16le", "--rate=48000", "--channels=1"])
        .stdout(std::fs::File::create(&recording).unwrap())
        .stderr(std::fs::File::create(pulse.dir.path().join("parec.log")).unwrap());
    pulse.env(&mut parec);
    let mut recorder = parec.spawn().expect("parec is installed by `make test`");
    std::thread::sleep(Duration::from_secs(1));

    // The chime plays in a child process that has the PulseAudio environment.
    let mut player = Command::new(std::env::current_exe().unwrap());
    player.args(["--exact", "play_the_chime_once", "--ignored", "--nocapture"]);
    pulse.env(&mut player);
    let output = player.output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{log}");

    // parec hands over its recording in half-second blocks: record on past the
    // chime so that the block holding it is complete.
    std::thread::sleep(Duration::from_millis(1500));
    // A polite stop lets parec flush what it recorded.
    let _ = Command::new("kill").args(["-TERM", &recorder.id().to_string()]).status();
    let _ = recorder.wait();
    let audio = samples(&recording);
    let parec_log = std::fs::read_to_string(pulse.dir.path().join("parec.log")).unwrap_or_default();
    assert!(audio.len() > 24_000, "the monitor was recorded: {} samples; parec said {parec_log}", audio.len());
    let loud: Vec<usize> = audio.iter().enumerate().filter(|(_, s)| s.abs() > 0.05).map(|(i, _)| i).collect();
    assert!(!loud.is_empty(), "the chime was heard");
    let span = (loud[loud.len() - 1] - loud[0]) as f32 / 48_000.0;
    assert!((0.35..0.8).contains(&span), "the chime lasts about half a second: {span:.2} s");
    let peak = audio.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak <= 0.3, "and stays soft: peak {peak:.2}");
}

#[test]
#[ignore = "run by the_chime_reaches_the_sound_card_through_cpal with PulseAudio's environment"]
fn play_the_chime_once() {
    let sound = switchboard::voice::AlertSound::open().expect("the PulseAudio null sink is an output device");
    sound.play();
    // play() returns at once; the chime plays on the sound thread.
    std::thread::sleep(Duration::from_millis(1500));
}
