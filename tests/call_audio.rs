//! Call audio through the real cpal code path: a tone written to the speaker
//! comes back through a private PulseAudio null sink as the microphone; and
//! with no sound system at all, opening says so instead of hanging.
//!
//! Each check runs in a child process that has the sound environment, because
//! the environment cannot be changed safely inside a running test.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

#[path = "support/pulse.rs"]
mod pulse;

use std::f32::consts::TAU;
use std::process::Command;
use std::time::{Duration, Instant};
use switchboard::voice::audio::{self, AudioSettings, CallAudio, CallAudioError};

/// Runs the ignored test `name` in a child process prepared by `environment`, and returns its output.
fn run_child(name: &str, environment: impl FnOnce(&mut Command)) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child.args(["--exact", name, "--ignored", "--nocapture", "--test-threads=1"]);
    environment(&mut child);
    let output = child.output().unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    eprintln!("{log}");
    assert!(output.status.success(), "{name} failed:\n{log}");
    assert!(log.contains("1 passed"), "{name} ran:\n{log}");
    log
}

#[test]
fn a_tone_played_to_the_speaker_comes_back_through_the_microphone() {
    let pulse = pulse::Pulse::start();
    run_child("loop_a_tone_through_the_sound_card", |child| pulse.env(child));
}

#[test]
fn opening_without_any_sound_device_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty_alsa = dir.path().join("asound.conf");
    std::fs::write(&empty_alsa, "").unwrap();
    run_child("open_with_no_sound_system", |child| {
        child
            .env("PULSE_SERVER", format!("unix:{}", dir.path().join("no-server").display()))
            .env("XDG_RUNTIME_DIR", dir.path())
            .env("HOME", dir.path())
            .env("ALSA_CONFIG_PATH", &empty_alsa)
            .env_remove("PULSE_RUNTIME_PATH");
    });
}

const TONE_HZ: f32 = 1_000.0;
const TONE_AMPLITUDE: f32 = 0.5;
/// Frames of silence before the tone, and of the tone itself (10 ms each).
const LEAD_FRAMES: usize = 50;
const TONE_FRAMES: usize = 200;
const TAIL_FRAMES: usize = 30;

/// Amplitude of `frequency` in 8 kHz `samples` (Goertzel): a sine of amplitude `a` gives about `a`.
fn amplitude_at(samples: &[f32], frequency: f32) -> f32 {
    let coefficient = 2.0 * (TAU * frequency / 8_000.0).cos();
    let (mut previous, mut before) = (0.0f32, 0.0f32);
    for &sample in samples {
        let current = sample + coefficient * previous - before;
        before = previous;
        previous = current;
    }
    let power = previous * previous + before * before - coefficient * previous * before;
    2.0 * power.max(0.0).sqrt() / samples.len() as f32
}

fn median(mut values: Vec<f32>) -> f32 {
    values.sort_by(f32::total_cmp);
    values[values.len() / 2]
}

/// CPU time this process has used (user + system), from /proc/self/stat.
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The command name may hold spaces: the fields that follow it are counted from its closing parenthesis.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    // Linux reports these in USER_HZ, 100 per second on every architecture it runs on here.
    Duration::from_millis(ticks * 10)
}

#[test]
#[ignore = "run by a_tone_played_to_the_speaker_comes_back_through_the_microphone with PulseAudio's environment"]
fn loop_a_tone_through_the_sound_card() {
    let listed = audio::devices().expect("the sound server lists its devices");
    assert!(listed.outputs.iter().any(|name| name.contains("Null")), "the null sink is listed: {listed:?}");
    assert!(listed.default_input.is_some() && listed.default_output.is_some(), "{listed:?}");

    let opening = Instant::now();
    let (call, mut microphone, mut speaker) = CallAudio::open(&AudioSettings::default()).expect("the null sink opens");
    eprintln!(
        "opened in {:?}: microphone {:?}, speaker {:?}",
        opening.elapsed(),
        call.input_device(),
        call.output_device()
    );

    let start = Instant::now();
    let cpu_start = cpu_time();
    let mut heard: Vec<f32> = Vec::new();
    // When each frame read from the microphone arrived.
    let mut heard_at: Vec<Instant> = Vec::new();
    let mut tone_started = None;
    let mut quiet_level = 0.0f32;
    let mut loud_level = 0.0f32;
    let mut underruns_before_tone = 0;
    let mut frame = [0i16; 80];
    for tick in 0..LEAD_FRAMES + TONE_FRAMES + TAIL_FRAMES {
        let due = start + Duration::from_millis(10 * tick as u64);
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let tone = (LEAD_FRAMES..LEAD_FRAMES + TONE_FRAMES).contains(&tick);
        let mut out = [0i16; 80];
        if tone {
            let first = (tick - LEAD_FRAMES) * 80;
            for (n, sample) in out.iter_mut().enumerate() {
                let phase = TAU * TONE_HZ * (first + n) as f32 / 8_000.0;
                *sample = (TONE_AMPLITUDE * phase.sin() * 32_767.0) as i16;
            }
            if tone_started.is_none() {
                tone_started = Some(Instant::now());
                underruns_before_tone = call.underruns();
            }
        }
        speaker.write_frame(&out);
        while microphone.read_frame(&mut frame) {
            heard.extend(frame.iter().map(|s| f32::from(*s) / 32_768.0));
            heard_at.push(Instant::now());
        }
        if tick + 5 == LEAD_FRAMES {
            quiet_level = call.input_level();
        }
        if tone {
            loud_level = loud_level.max(call.input_level());
        }
    }
    let loop_wall = start.elapsed();
    let loop_cpu = cpu_time().saturating_sub(cpu_start);
    let underruns_during_tone = call.underruns() - underruns_before_tone;

    let onset = heard.iter().position(|s| s.abs() > TONE_AMPLITUDE / 4.0).expect("the tone came back");
    let frame_heard = heard_at[onset / 80];
    let delay = frame_heard.duration_since(tone_started.unwrap());
    // Measured over 50 ms blocks, taking the median, so that a scheduling hiccup on a busy machine does not decide.
    let settled = &heard[onset + 800..(onset + 8_800).min(heard.len())];
    let at_tone = median(settled.chunks_exact(400).map(|block| amplitude_at(block, TONE_HZ)).collect());
    let beside = median(settled.chunks_exact(400).map(|block| amplitude_at(block, 1_500.0)).collect());
    eprintln!(
        "loop-back: tone onset heard {delay:?} after it was written (±10 ms); {} ms of microphone sound read; \
         1 kHz amplitude {at_tone:.3} (written {TONE_AMPLITUDE}), 1.5 kHz {beside:.4}; level meter {quiet_level:.4} \
         before the tone, {loud_level:.3} during it; underruns {underruns_during_tone} during the tone, {} in all; \
         overruns {}; speaker queue {:?} at the end",
        heard.len() / 8,
        call.underruns(),
        call.overruns(),
        speaker.buffered(),
    );
    assert!(at_tone > TONE_AMPLITUDE * 0.7, "the tone came back at about its level: {at_tone}");
    assert!(beside < at_tone / 30.0, "and as a clean 1 kHz: {beside}");
    assert!(quiet_level < 0.01, "the meter rests in silence: {quiet_level}");
    assert!(loud_level > TONE_AMPLITUDE * 0.7, "the meter rose with the tone: {loud_level}");
    assert!(heard.len() > 8 * (loop_wall.as_millis() as usize) * 9 / 10, "the microphone kept pace");
    assert!(delay < Duration::from_millis(500), "the loop-back delay is a call's, not a recording's: {delay:?}");

    // The streams alone, with no call reading or writing: the speaker plays silence, the microphone overflows.
    let idle_cpu_start = cpu_time();
    let idle_start = Instant::now();
    std::thread::sleep(Duration::from_secs(5));
    let idle_cpu = cpu_time().saturating_sub(idle_cpu_start);

    let idle_wall = idle_start.elapsed();
    eprintln!(
        "CPU: {:.2} % of one core for the streams alone over {idle_wall:.1?}; \
         {:.2} % with a call reading and writing 10 ms frames over {loop_wall:.1?}",
        100.0 * idle_cpu.as_secs_f64() / idle_wall.as_secs_f64(),
        100.0 * loop_cpu.as_secs_f64() / loop_wall.as_secs_f64(),
    );
    assert!(call.input_level() < 0.01, "the meter fell back after the tone");
    assert!(!call.is_device_lost());

    let closing = Instant::now();
    drop(call);
    eprintln!("closed in {:?}", closing.elapsed());
}

#[test]
#[ignore = "run by opening_without_any_sound_device_says_so with no sound server and an empty ALSA configuration"]
fn open_with_no_sound_system() {
    let started = Instant::now();
    let error = CallAudio::open(&AudioSettings::default()).expect_err("there is nothing to open");
    eprintln!("open failed in {:?}: {error}", started.elapsed());
    assert!(
        matches!(error, CallAudioError::NoDevices | CallAudioError::NoInputDevice | CallAudioError::NoOutputDevice),
        "a missing device is reported as such: {error:?}"
    );
    assert!(error.to_string().contains("Audio settings"), "{error}");
    let started = Instant::now();
    let listed = audio::devices();
    eprintln!("listing took {:?}: {listed:?}", started.elapsed());
    if let Ok(listed) = listed {
        assert_eq!((listed.default_input, listed.default_output), (None, None));
    }
}
