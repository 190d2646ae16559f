//! Real SIP peers for the softphone tests: baresip, sipp and kamailio, each
//! started on free loopback ports with a configuration written for the test,
//! and stopped when dropped. `make test` installs them.
#![allow(dead_code, reason = "each test file uses the peers it needs")]

use std::io::{Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A UDP (and TCP) port free on 127.0.0.1 right now.
pub fn free_port() -> u16 {
    loop {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        let port = udp.local_addr().unwrap().port();
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() && port < 60_000 {
            return port;
        }
    }
}

/// Fails the test with a message naming the missing program.
pub fn require(program: &str) {
    let found = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {program}"))
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{program} is not installed: `make test` installs the SIP test peers (sip-tester, baresip-core, kamailio)"
    );
}

/// A child process killed on drop, with its output in a log file.
pub struct Process {
    child: Child,
    pub log: PathBuf,
    pub dir: tempfile::TempDir,
}

impl Process {
    fn spawn(mut command: Command, dir: tempfile::TempDir, name: &str) -> Self {
        let log = dir.path().join(format!("{name}.log"));
        let file = std::fs::File::create(&log).unwrap();
        command.stdin(Stdio::null()).stdout(file.try_clone().unwrap()).stderr(file);
        let child = command.spawn().unwrap_or_else(|e| panic!("{name} could not start: {e}"));
        Self { child, log, dir }
    }

    /// The process's output so far, for assertion messages.
    pub fn output(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to exit by itself.
    pub fn wait(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits until `ready` holds, or fails with `what` and the log.
pub fn wait_until(what: &str, process: &Process, timeout: Duration, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if ready() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not happen in {timeout:?}; log:\n{}", process.output());
}

/// baresip, headless, controlled over `ctrl_tcp`.
pub struct Baresip {
    pub process: Process,
    pub sip_port: u16,
    pub control_port: u16,
}

/// How a baresip instance behaves.
pub enum BaresipRole<'a> {
    /// Answers every call and sends back what it hears.
    Echo,
    /// Answers every call and plays a WAV file (longer than the call).
    Player(&'a Path),
    /// Registers to a registrar as `user` with `password`; echoes, and answers by itself when `answers`.
    Registered { user: &'a str, password: &'a str, registrar: u16, answers: bool },
}

impl Baresip {
    pub fn start(role: &BaresipRole<'_>) -> Self {
        require("baresip");
        let dir = tempfile::tempdir().unwrap();
        let (sip_port, control_port) = (free_port(), free_port());
        let rtp = 20_000 + 2 * (u32::from(free_port()) % 10_000) as u16;
        let (player, source) = match role {
            BaresipRole::Player(file) => ("aubridge,spk".to_owned(), format!("aufile,{}", file.display())),
            _ => ("aubridge,loop".to_owned(), "aubridge,loop".to_owned()),
        };
        let config = format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{sip_port}\nnet_interface 127.0.0.1\ncall_local_timeout 120\n\
             call_max_calls 4\naudio_player {player}\naudio_source {source}\naudio_alert aubridge,alert\n\
             audio_buffer 20-160\nrtp_ports {rtp}-{}\njitter_buffer_delay 5-10\nrtp_stats yes\nrtp_timeout 0\n\
             module_path /usr/lib/baresip/modules\nmodule g711.so\nmodule aufile.so\nmodule aubridge.so\n\
             module_tmp uuid.so\nmodule_tmp account.so\nmodule_app menu.so\nmodule_app ctrl_tcp.so\n\
             ctrl_tcp_listen 127.0.0.1:{control_port}\n",
            rtp + 99
        );
        std::fs::write(dir.path().join("config"), config).unwrap();
        let account = match role {
            BaresipRole::Registered { user, password, registrar, answers } => {
                let mode = if *answers { "auto" } else { "manual" };
                format!(
                    "<sip:{user}@127.0.0.1>;auth_pass={password};outbound=\"sip:127.0.0.1:{registrar}\";answermode={mode};regint=300;audio_codecs=pcmu,pcma\n"
                )
            }
            _ => format!("<sip:echo@127.0.0.1:{sip_port}>;answermode=auto;regint=0;audio_codecs=pcmu,pcma\n"),
        };
        std::fs::write(dir.path().join("accounts"), account).unwrap();
        let mut command = Command::new("baresip");
        command.arg("-4").arg("-f").arg(dir.path());
        let process = Process::spawn(command, dir, "baresip");
        let baresip = Self { process, sip_port, control_port };
        wait_until("baresip listening", &baresip.process, Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", control_port)).is_ok()
        });
        baresip
    }

    /// Sends a `ctrl_tcp` command (`dial`, `hangup`, `hold`, `resume`, …) and returns baresip's replies and events.
    pub fn command(&self, command: &str, params: Option<&str>, wait: Duration) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", self.control_port)).unwrap();
        let body = match params {
            Some(params) => format!("{{\"command\":\"{command}\",\"params\":\"{params}\",\"token\":\"t\"}}"),
            None => format!("{{\"command\":\"{command}\",\"token\":\"t\"}}"),
        };
        stream.write_all(format!("{}:{body},", body.len()).as_bytes()).unwrap();
        stream.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
        let mut received = Vec::new();
        let deadline = Instant::now() + wait;
        let mut chunk = [0u8; 4096];
        while Instant::now() < deadline {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => received.extend_from_slice(&chunk[..n]),
                Err(_) => {}
            }
        }
        String::from_utf8_lossy(&received).into_owned()
    }
}

/// kamailio as registrar and proxy, with digest authentication.
pub struct Kamailio {
    pub process: Process,
    pub port: u16,
}

impl Kamailio {
    /// Starts kamailio on a free port; every user's password is `password`.
    pub fn start(password: &str) -> Self {
        require("kamailio");
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let config = include_str!("kamailio.cfg")
            .replace("@PORT@", &port.to_string())
            .replace("@PASSWORD@", password)
            .replace("@RUNDIR@", &dir.path().display().to_string());
        let path = dir.path().join("kamailio.cfg");
        std::fs::write(&path, config).unwrap();
        let mut command = Command::new("kamailio");
        command.arg("-f").arg(&path).args(["-DD", "-E", "-w"]).arg(dir.path());
        let process = Process::spawn(command, dir, "kamailio");
        let kamailio = Self { process, port };
        wait_until("kamailio listening", &kamailio.process, Duration::from_secs(10), || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        kamailio
    }
}

/// sipp running a scenario: as a caller when `target` is given, else as a callee on `port`.
pub struct Sipp {
    pub process: Process,
    pub port: u16,
}

impl Sipp {
    pub fn start(scenario: &str, target: Option<&str>, user: &str, timeout: Duration) -> Self {
        require("sipp");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("scenario.xml");
        std::fs::write(&path, scenario).unwrap();
        let port = free_port();
        let media = 30_000 + 2 * (u32::from(free_port()) % 10_000) as u16;
        let mut command = Command::new("sipp");
        command.arg("-sf").arg(&path);
        if let Some(target) = target {
            command.arg(target);
        }
        command
            .args([
                "-s",
                user,
                "-i",
                "127.0.0.1",
                "-mi",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-mp",
                &media.to_string(),
                "-m",
                "1",
                "-nostdin",
                "-timeout_error",
            ])
            .arg("-timeout")
            .arg(format!("{}s", timeout.as_secs()))
            .current_dir(dir.path());
        let process = Process::spawn(command, dir, "sipp");
        // Let a callee bind its port before anyone calls it.
        std::thread::sleep(Duration::from_millis(300));
        Self { process, port }
    }

    /// Waits for sipp to finish; true when its scenario passed.
    pub fn succeeded(&mut self, timeout: Duration) -> bool {
        self.process.wait(timeout).is_some_and(|status| status.success())
    }
}

/// CPU seconds a process has used (user + system), from /proc.
pub fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
    let ticks: f64 = fields.get(11).and_then(|u| u.parse::<f64>().ok()).unwrap_or(0.0)
        + fields.get(12).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    ticks / 100.0
}

/// The energy of `samples` at `frequency` (Goertzel), normalised by length.
pub fn tone_energy(samples: &[i16], frequency: f64, rate: f64) -> f64 {
    let coefficient = 2.0 * (2.0 * std::f64::consts::PI * frequency / rate).cos();
    let (mut previous, mut before) = (0.0, 0.0);
    for &sample in samples {
        let current = f64::from(sample) / 32768.0 + coefficient * previous - before;
        before = previous;
        previous = current;
    }
    (previous * previous + before * before - coefficient * previous * before) / samples.len().max(1) as f64
}
