//! `switchboard-bench call`: one G.711 call between our softphone and
//! baresip on loopback, measured from both sides, plus the delay our media
//! path adds in echo mode and the jitter buffer under a poor network.
//!
//! - CPU and memory: our phone calls baresip's echo line for 20 s
//!   (`--seconds N`), sending a tone. Our CPU is the phone's own threads
//!   (`sip`, `media-*`), read from /proc; baresip's is its process.
//! - Echo delay: a small RTP peer in this process calls our phone in echo
//!   mode, sends a click every 200 ms and times each click's return: the
//!   RTP-in → RTP-out delay through our jitter buffer.
//! - Jitter buffer: the standard network scenario (5 % random loss, 30 ms
//!   random jitter) on a simulated clock.

use std::io::Write as _;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard::voice::g711::G711;
use switchboard::voice::jitter::{self, FRAME};
use switchboard::voice::phone::{AudioPort, AudioRoute, Phone, PhoneCommand, PhoneEvent, PhoneSettings};
use switchboard::voice::rtp::{self, RtpHeader};
use switchboard::voice::sdp::{Direction, LocalMedia};
use switchboard::voice::sip::transaction::{Peer, Transport};
use switchboard::voice::sip::ua::{Account, UaEvent, UserAgent};
use switchboard::voice::sip::uri::Uri;

pub fn run(args: &[String]) -> Result<String, String> {
    let seconds = super::option(args, "--seconds", 20.0)?;
    let baresip = Baresip::start()?;
    let (our_cpu, baresip_cpu, rss) = call_baresip(&baresip, Duration::from_secs_f64(seconds))?;
    drop(baresip);
    let delays = echo_delay(Duration::from_secs(6))?;
    let median = percentile(&delays, 0.5);
    let worst = percentile(&delays, 1.0);
    let network = jitter::simulate(0.05, Duration::from_millis(30), 60, 1);
    Ok(format!(
        "{{\"our_cpu_pct\":{our_cpu:.2},\"baresip_cpu_pct\":{baresip_cpu:.2},\"our_rss_mb\":{rss:.1},\"echo_delay_ms\":{median:.1},\
         \"echo_delay_max_ms\":{worst:.1},\"clicks\":{},\"jitter_added_delay_ms\":{:.1},\"jitter_concealed_pct\":{:.2},\"call_seconds\":{seconds}}}",
        delays.len(),
        network.average_delay_ms,
        network.concealment_rate() * 100.0
    ))
}

fn percentile(values: &[f64], share: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let index = ((sorted.len().saturating_sub(1)) as f64 * share).round() as usize;
    sorted.get(index).copied().unwrap_or(f64::NAN)
}

struct Baresip {
    child: Child,
    port: u16,
    dir: std::path::PathBuf,
}

impl Drop for Baresip {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn free_port() -> Result<u16, String> {
    let socket = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    socket.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

impl Baresip {
    /// baresip as an echo line, as tuned in the lab (20 ms packets, small buffers).
    fn start() -> Result<Self, String> {
        let port = free_port()?;
        let dir = std::env::temp_dir().join(format!("switchboard-bench-baresip-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let config = format!(
            "poll_method epoll\nsip_listen 127.0.0.1:{port}\nnet_interface 127.0.0.1\naudio_player aubridge,loop\n\
             audio_source aubridge,loop\naudio_alert aubridge,alert\naudio_buffer 20-160\nrtp_ports 21000-21099\n\
             jitter_buffer_delay 5-10\nrtp_timeout 0\nmodule_path /usr/lib/baresip/modules\nmodule g711.so\n\
             module aubridge.so\nmodule_tmp account.so\nmodule_app menu.so\n"
        );
        std::fs::write(dir.join("config"), config).map_err(|e| e.to_string())?;
        std::fs::write(
            dir.join("accounts"),
            format!("<sip:echo@127.0.0.1:{port}>;answermode=auto;regint=0;audio_codecs=pcmu\n"),
        )
        .map_err(|e| e.to_string())?;
        let child = Command::new("baresip")
            .arg("-4")
            .arg("-f")
            .arg(&dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("baresip could not start ({e}); `make test` installs it (package baresip-core)"))?;
        std::thread::sleep(Duration::from_millis(800));
        Ok(Self { child, port, dir })
    }
}

/// CPU seconds of a process, or of this process's threads whose names start with one of `threads`.
fn cpu_seconds(pid: u32, threads: Option<&[&str]>) -> f64 {
    let ticks = |path: String| -> f64 {
        let stat = std::fs::read_to_string(path).unwrap_or_default();
        let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or_default().split_whitespace().collect();
        fields.get(11).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
            + fields.get(12).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0)
    };
    let Some(prefixes) = threads else {
        return ticks(format!("/proc/{pid}/stat")) / 100.0;
    };
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else { return 0.0 };
    tasks
        .flatten()
        .filter(|task| {
            let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
            prefixes.iter().any(|p| name.trim().starts_with(p))
        })
        .map(|task| ticks(task.path().join("stat").display().to_string()))
        .sum::<f64>()
        / 100.0
}

fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// Sends a tone and drops what it hears.
struct Tone {
    phase: f64,
}

impl AudioPort for Tone {
    fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool {
        for sample in out.iter_mut() {
            *sample = (6000.0 * self.phase.sin()) as i16;
            self.phase += 2.0 * std::f64::consts::PI * 440.0 / 8000.0;
        }
        true
    }

    fn write_frame(&mut self, _frame: &[i16; FRAME]) {}
}

fn wait_for(phone: &Phone, timeout: Duration, mut pick: impl FnMut(&PhoneEvent) -> bool) -> Result<(), String> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if let Some(event) = phone.wait_event(Duration::from_millis(50))
            && pick(&event)
        {
            return Ok(());
        }
    }
    Err("the call did not connect".into())
}

fn call_baresip(baresip: &Baresip, length: Duration) -> Result<(f64, f64, f64), String> {
    let route = AudioRoute::Custom(Arc::new(|| Ok(Box::new(Tone { phase: 0.0 }) as Box<dyn AudioPort>)));
    let phone = Phone::start(
        PhoneSettings {
            listen: "127.0.0.1:0".parse().map_err(|_| "address")?,
            audio: route,
            ..PhoneSettings::default()
        },
        || {},
    )
    .map_err(|e| e.to_string())?;
    let rss_before = rss_mb();
    phone.send(PhoneCommand::Dial(format!("sip:echo@127.0.0.1:{}", baresip.port)));
    let mut call = None;
    wait_for(&phone, Duration::from_secs(10), |e| match e {
        PhoneEvent::Sip(UaEvent::Connected { call: c, .. }) => {
            call = Some(*c);
            true
        }
        _ => false,
    })?;
    // Let both sides settle before measuring.
    std::thread::sleep(Duration::from_secs(1));
    let me = std::process::id();
    let (ours, theirs, started) =
        (cpu_seconds(me, Some(&["sip", "media-"])), cpu_seconds(baresip.child.id(), None), Instant::now());
    std::thread::sleep(length);
    let wall = started.elapsed().as_secs_f64();
    let our_cpu = (cpu_seconds(me, Some(&["sip", "media-"])) - ours) / wall * 100.0;
    let baresip_cpu = (cpu_seconds(baresip.child.id(), None) - theirs) / wall * 100.0;
    let rss = rss_mb() - rss_before;
    if let Some(call) = call {
        phone.send(PhoneCommand::Hangup(call));
    }
    let _ = std::io::stderr().flush();
    Ok((our_cpu, baresip_cpu, rss.max(0.0)))
}

/// Calls our phone in echo mode from a bare RTP peer and times each click's return.
fn echo_delay(length: Duration) -> Result<Vec<f64>, String> {
    let phone = Phone::start(
        PhoneSettings {
            listen: "127.0.0.1:0".parse().map_err(|_| "address")?,
            audio: AudioRoute::Echo,
            ..PhoneSettings::default()
        },
        || {},
    )
    .map_err(|e| e.to_string())?;
    let sip = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let media = UdpSocket::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let local = sip.local_addr().map_err(|e| e.to_string())?;
    let media_port = media.local_addr().map_err(|e| e.to_string())?.port();
    let account = Account {
        user: "bench".into(),
        display_name: None,
        domain: "127.0.0.1".into(),
        credentials: None,
        registrar: None,
        register_expires: 0,
    };
    let offer = LocalMedia {
        address: local.ip(),
        port: media_port,
        codecs: vec![G711::Pcmu],
        telephone_event: 101,
        ptime: 20,
        direction: Direction::SendRecv,
        session_id: 1,
        version: 1,
        username: "bench".into(),
    };
    let mut ua = UserAgent::new(account, local, "bench", offer.clone(), 7);
    let started = Instant::now();
    let target = Uri::parse(&format!("sip:agent@{}", phone.local_address())).map_err(|e| e.to_string())?;
    ua.dial(&target, Peer { address: phone.local_address(), transport: Transport::Udp }, offer, started.elapsed())
        .map_err(|e| e.to_string())?;
    sip.set_read_timeout(Some(Duration::from_millis(20))).map_err(|e| e.to_string())?;
    let mut remote: Option<SocketAddr> = None;
    let mut buffer = [0u8; 4096];
    let deadline = Instant::now() + Duration::from_secs(10);
    while remote.is_none() && Instant::now() < deadline {
        for transmit in ua.drain_transmits().collect::<Vec<_>>() {
            let _ = sip.send_to(&transmit.message.to_bytes(), transmit.to.address);
        }
        if let Some(PhoneEvent::Sip(UaEvent::Incoming { call, .. })) = phone.try_event() {
            phone.send(PhoneCommand::Answer(call));
        }
        if let Ok((n, from)) = sip.recv_from(&mut buffer) {
            let _ = ua.receive(
                buffer.get(..n).unwrap_or_default(),
                Peer { address: from, transport: Transport::Udp },
                started.elapsed(),
            );
        }
        ua.poll(started.elapsed());
        while let Some(event) = ua.next_event() {
            if let UaEvent::Connected { media, .. } = event {
                remote = media.remote_rtp;
            }
        }
    }
    for transmit in ua.drain_transmits().collect::<Vec<_>>() {
        let _ = sip.send_to(&transmit.message.to_bytes(), transmit.to.address);
    }
    let remote = remote.ok_or("our phone did not answer the echo call")?;
    media.set_nonblocking(true).map_err(|e| e.to_string())?;
    // 20 ms packets: silence, with a loud 5 ms click every 200 ms.
    let mut delays = Vec::new();
    let mut sent_at: Vec<Instant> = Vec::new();
    let mut packet = Vec::new();
    let mut payload = Vec::new();
    let begin = Instant::now();
    let mut sequence = 0u16;
    let mut heard_click = false;
    while begin.elapsed() < length {
        let due = begin + Duration::from_millis(20) * u32::from(sequence);
        while Instant::now() < due {
            while let Ok((n, _)) = media.recv_from(&mut buffer) {
                let Ok(received) = rtp::parse(buffer.get(..n).unwrap_or_default()) else { continue };
                let mut samples = Vec::new();
                G711::Pcmu.decode(received.payload, &mut samples);
                let loud = samples.iter().any(|s| s.unsigned_abs() > 8000);
                if loud
                    && !heard_click
                    && let Some(sent) = sent_at.first()
                {
                    delays.push(sent.elapsed().as_secs_f64() * 1000.0);
                    sent_at.remove(0);
                }
                heard_click = loud;
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        let click = sequence % 10 == 5;
        let samples: Vec<i16> =
            (0..160).map(|i| if click && i < 40 { if i % 2 == 0 { 20_000 } else { -20_000 } } else { 0 }).collect();
        payload.clear();
        G711::Pcmu.encode(&samples, &mut payload);
        let header = RtpHeader {
            marker: sequence == 0,
            payload_type: 0,
            sequence,
            timestamp: u32::from(sequence) * 160,
            ssrc: 0x5eed,
        };
        rtp::write(&header, &payload, &mut packet);
        let _ = media.send_to(&packet, remote);
        if click {
            sent_at.push(Instant::now());
        }
        sequence = sequence.wrapping_add(1);
    }
    if delays.is_empty() {
        return Err("no click came back from the echo call".into());
    }
    Ok(delays)
}
