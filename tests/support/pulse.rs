//! A private PulseAudio server for audio tests: a null sink stands in for
//! the sound card (paced in real time), and its monitor for the microphone
//! unless a test feeds one of its own. `make test` installs pulseaudio.
#![allow(dead_code, reason = "each test file uses the parts it needs")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A tone playing into the microphone, stopped on drop.
pub struct Feeder(Child);

impl Drop for Feeder {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A running private server, stopped on drop.
pub struct Pulse {
    daemon: Child,
    pub dir: tempfile::TempDir,
}

impl Drop for Pulse {
    fn drop(&mut self) {
        let _ = self.daemon.kill();
        let _ = self.daemon.wait();
    }
}

impl Pulse {
    /// Plays a steady tone of `frequency` Hz for `seconds` into the `micfeed`
    /// sink, which the microphone hears; the player stops when dropped.
    pub fn feed_microphone(&self, frequency: f64, seconds: u32) -> Feeder {
        let tone: Vec<u8> = (0..48_000 * seconds)
            .map(|n| ((f64::from(n) * 2.0 * std::f64::consts::PI * frequency / 48_000.0).sin() * 8000.0) as i16)
            .flat_map(i16::to_le_bytes)
            .collect();
        let path = self.dir.path().join(format!("tone-{frequency}.raw"));
        std::fs::write(&path, tone).unwrap();
        let mut feed = Command::new("pacat");
        feed.args(["-d", "micfeed", "--raw", "--format=s16le", "--rate=48000", "--channels=1"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.env(&mut feed);
        Feeder(feed.spawn().expect("pacat is installed by `make test` (pulseaudio-utils)"))
    }

    /// Points a child process at this server.
    pub fn env(&self, command: &mut Command) {
        let dir = self.dir.path();
        command
            .env("XDG_RUNTIME_DIR", dir.join("run"))
            .env("HOME", dir.join("home"))
            .env("PULSE_SERVER", format!("unix:{}", dir.join("run/native").display()))
            .env("PULSE_LATENCY_MSEC", "20");
    }
}

/// Starts the server with `testsink` as default sink, and a second null
/// sink `micfeed` whose monitor is the default source: what is played into
/// `micfeed` is what the microphone hears.
pub fn start_pulse() -> Pulse {
    start_with_source("micfeed.monitor")
}

impl Pulse {
    /// Starts the server with `testsink`'s own monitor as the microphone:
    /// what is played comes back as what is heard.
    pub fn start() -> Pulse {
        start_with_source("testsink.monitor")
    }
}

fn start_with_source(source: &str) -> Pulse {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["run", "home"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
    }
    let config = dir.path().join("test.pa");
    std::fs::write(
        &config,
        format!(
            "load-module module-native-protocol-unix auth-anonymous=1 socket={}\n\
             load-module module-null-sink sink_name=testsink rate=48000 channels=2\n\
             load-module module-null-sink sink_name=micfeed rate=48000 channels=1\n\
             set-default-sink testsink\nset-default-source {source}\n",
            dir.path().join("run/native").display()
        ),
    )
    .unwrap();
    let mut command = Command::new("pulseaudio");
    command
        .args(["-n", "-F"])
        .arg(&config)
        .args(["--exit-idle-time=-1", "--daemonize=no", "--disallow-exit"])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let daemon = command.spawn().expect("pulseaudio is installed by `make test`");
    let pulse = Pulse { daemon, dir };
    // A loaded machine can take seconds to start the server.
    for _ in 0..400 {
        let mut info = Command::new("pactl");
        info.arg("info").stdout(Stdio::null()).stderr(Stdio::null());
        pulse.env(&mut info);
        if info.status().is_ok_and(|s| s.success()) {
            return pulse;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the private PulseAudio server did not start");
}
