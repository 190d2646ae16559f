//! A call's media thread: RTP and RTCP sockets around the sans-IO
//! [`MediaSession`], paced every 10 ms, between the network and an
//! [`AudioPort`] (the sound card, an echo line, or a test's tone).

use super::signalling::Outbox;
use super::{AudioRoute, PhoneEvent, PhoneSettings};
use crate::voice::jitter::FRAME;
use crate::voice::media::MediaSession;
use crate::voice::sdp::Negotiated;
use crate::voice::sip::ua::CallHandle;
use crate::voice::tones::{Tone, ToneGenerator};
use std::collections::VecDeque;
use std::net::{IpAddr, UdpSocket};
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant, SystemTime};

pub use crate::voice::media::CallStats;

/// Where a call's sound comes from and goes to, one 10 ms frame at a time.
pub trait AudioPort: Send {
    /// Fills `out` with the next frame to send; false when none is ready (silence is sent).
    fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool;
    /// Takes the next frame heard from the other party.
    fn write_frame(&mut self, frame: &[i16; FRAME]);
    /// Sets microphone and speaker gains (0–2), where the port has them.
    fn set_volumes(&mut self, _input: f32, _output: f32) {}
    /// The microphone level, 0–1, where the port measures one.
    fn input_level(&self) -> f32 {
        0.0
    }
}

/// Sends back what it hears: an echo-test line.
#[derive(Default)]
pub struct EchoPort {
    frames: VecDeque<[i16; FRAME]>,
}

impl AudioPort for EchoPort {
    fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool {
        match self.frames.pop_front() {
            Some(frame) => {
                *out = frame;
                true
            }
            None => false,
        }
    }

    fn write_frame(&mut self, frame: &[i16; FRAME]) {
        // Never let the echo grow a backlog: keep at most two frames.
        if self.frames.len() >= 2 {
            self.frames.pop_front();
        }
        self.frames.push_back(*frame);
    }
}

/// The sound card, through cpal.
struct DevicePort {
    audio: crate::voice::audio::CallAudio,
    microphone: crate::voice::audio::Microphone,
    speaker: crate::voice::audio::Speaker,
}

impl AudioPort for DevicePort {
    fn read_frame(&mut self, out: &mut [i16; FRAME]) -> bool {
        self.microphone.read_frame(out)
    }

    fn write_frame(&mut self, frame: &[i16; FRAME]) {
        self.speaker.write_frame(frame);
    }

    fn set_volumes(&mut self, input: f32, output: f32) {
        self.audio.set_input_volume(input);
        self.audio.set_output_volume(output);
    }

    fn input_level(&self) -> f32 {
        self.audio.input_level()
    }
}

/// A silent port for calls whose audio device failed.
struct SilentPort;

impl AudioPort for SilentPort {
    fn read_frame(&mut self, _out: &mut [i16; FRAME]) -> bool {
        false
    }

    fn write_frame(&mut self, _frame: &[i16; FRAME]) {}
}

/// The RTP and RTCP sockets of one call, bound before the offer is made.
pub(super) struct MediaPorts {
    rtp: UdpSocket,
    rtcp: UdpSocket,
}

impl MediaPorts {
    /// Binds an even RTP port and the odd port above it for RTCP (RFC 3550 §11).
    pub(super) fn bind(ip: IpAddr) -> std::io::Result<Self> {
        let mut last_error = None;
        for _ in 0..64 {
            let base = 16_384 + 2 * (rand::random::<u16>() % 8_192);
            match (UdpSocket::bind((ip, base)), UdpSocket::bind((ip, base + 1))) {
                (Ok(rtp), Ok(rtcp)) => return Ok(Self { rtp, rtcp }),
                (Err(error), _) | (_, Err(error)) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| std::io::Error::other("no free RTP port")))
    }

    pub(super) fn rtp_port(&self) -> u16 {
        self.rtp.local_addr().map_or(0, |a| a.port())
    }
}

/// What a running media thread can be told.
pub(super) enum MediaCommand {
    Update(Negotiated),
    Dtmf(char),
    Mute(bool),
    Play(Arc<[i16]>, bool),
    Volumes(f32, f32),
    CallWaiting(bool),
    Stop,
}

/// The running media thread of one call.
pub(super) struct MediaHandle {
    commands: mpsc::Sender<MediaCommand>,
}

impl MediaHandle {
    /// Starts a call's media; without `media` yet (the callee rings), it plays ring-back.
    pub(super) fn start(
        call: CallHandle,
        ports: MediaPorts,
        media: Option<Negotiated>,
        settings: &PhoneSettings,
        outbox: Arc<Outbox>,
    ) -> Self {
        let (commands, receiver) = mpsc::channel();
        let route = settings.audio.clone();
        let spawned = std::thread::Builder::new().name(format!("media-{}", call.0)).spawn(move || {
            let port = open_port(&route, call, &outbox);
            run(call, &ports, media, port, &receiver, &outbox);
        });
        if let Err(error) = spawned {
            tracing::warn!(%error, "the call's media thread could not start");
        }
        Self { commands }
    }

    pub(super) fn send(&self, command: MediaCommand) {
        let _ = self.commands.send(command);
    }

    pub(super) fn stop(&self) {
        self.send(MediaCommand::Stop);
    }
}

fn open_port(route: &AudioRoute, call: CallHandle, outbox: &Outbox) -> Box<dyn AudioPort> {
    let opened = match route {
        AudioRoute::Echo => Ok(Box::new(EchoPort::default()) as Box<dyn AudioPort>),
        AudioRoute::Custom(factory) => factory(),
        AudioRoute::Device(settings) => crate::voice::audio::CallAudio::open(settings)
            .map(|(audio, microphone, speaker)| {
                Box::new(DevicePort { audio, microphone, speaker }) as Box<dyn AudioPort>
            })
            .map_err(|e| e.to_string()),
    };
    opened.unwrap_or_else(|reason| {
        outbox.send(PhoneEvent::AudioUnavailable { call, reason });
        Box::new(SilentPort)
    })
}

const TICK: Duration = Duration::from_millis(10);

fn run(
    call: CallHandle,
    ports: &MediaPorts,
    media: Option<Negotiated>,
    mut port: Box<dyn AudioPort>,
    commands: &mpsc::Receiver<MediaCommand>,
    outbox: &Outbox,
) {
    for socket in [&ports.rtp, &ports.rtcp] {
        if let Err(error) = socket.set_nonblocking(true) {
            tracing::warn!(%error, "the RTP socket cannot be polled");
            return;
        }
    }
    let started = Instant::now();
    // Until the call has media, the caller hears ring-back.
    let mut session = media.map(|media| MediaSession::new(&media, rand::random()));
    let mut ringback = session.is_none().then(|| ToneGenerator::new(Tone::Ringback));
    let mut call_waiting: Option<ToneGenerator> = None;
    let mut remote = media.and_then(|m| m.remote_rtp);
    let mut remote_rtcp = media.and_then(|m| m.remote_rtcp);
    let mut latched = false;
    let mut buffer = [0u8; 2048];
    let (mut heard, mut spoken, mut tone) = ([0i16; FRAME], [0i16; FRAME], [0i16; FRAME]);
    let mut muted = false;
    let mut clip: Option<(Arc<[i16]>, usize, bool)> = None;
    let mut next_stats = Duration::from_secs(1);
    let mut tick = 0u32;
    loop {
        for command in commands.try_iter() {
            match command {
                MediaCommand::Update(media) => {
                    remote = media.remote_rtp;
                    remote_rtcp = media.remote_rtcp;
                    latched = false;
                    ringback = None;
                    match &mut session {
                        Some(session) => session.update(&media),
                        None => session = Some(MediaSession::new(&media, rand::random())),
                    }
                }
                MediaCommand::Dtmf(digit) => {
                    if let Some(session) = &mut session {
                        session.send_dtmf(digit);
                    }
                }
                MediaCommand::Mute(value) => muted = value,
                MediaCommand::Play(samples, hang_up) => clip = Some((samples, 0, hang_up)),
                MediaCommand::Volumes(input, output) => port.set_volumes(input, output),
                MediaCommand::CallWaiting(on) => call_waiting = on.then(|| ToneGenerator::new(Tone::CallWaiting)),
                MediaCommand::Stop => {
                    outbox.level.store(0, std::sync::atomic::Ordering::Relaxed);
                    if let (Some(to), Some(bye)) = (remote_rtcp, session.as_mut().and_then(MediaSession::goodbye)) {
                        let _ = ports.rtcp.send_to(bye, to);
                    }
                    return;
                }
            }
        }
        let now = started.elapsed();
        while let Ok((length, from)) = ports.rtp.recv_from(&mut buffer) {
            // Symmetric RTP (RFC 4961): answer to where the audio comes from,
            // which differs from the SDP behind a NAT.
            if !latched && Some(from) != remote && remote.is_some() {
                remote = Some(from);
            }
            latched = true;
            if let Some(digit) =
                session.as_mut().and_then(|s| s.receive_rtp(buffer.get(..length).unwrap_or_default(), now))
            {
                outbox.send(PhoneEvent::Dtmf { call, digit });
            }
        }
        while let Ok((length, _)) = ports.rtcp.recv_from(&mut buffer) {
            if let Some(session) = &mut session {
                session.receive_rtcp(buffer.get(..length).unwrap_or_default(), now, wall_clock());
            }
        }
        // Play first, then capture, so an echo line returns a frame in the same tick.
        match (&mut session, &mut ringback) {
            (Some(session), _) => session.play(now, &mut heard),
            (None, Some(ringback)) => ringback.fill(&mut heard),
            (None, None) => heard = [0; FRAME],
        }
        if let Some(beep) = &mut call_waiting {
            beep.fill(&mut tone);
            for (sample, added) in heard.iter_mut().zip(tone) {
                *sample = sample.saturating_add(added);
            }
        }
        port.write_frame(&heard);
        if !port.read_frame(&mut spoken) || muted {
            spoken = [0; FRAME];
        }
        let level = if muted { 0.0 } else { port.input_level() };
        outbox.level.store(level.to_bits(), std::sync::atomic::Ordering::Relaxed);
        if let Some((samples, at, hang_up)) = &mut clip {
            for (slot, sample) in spoken.iter_mut().zip(samples.iter().skip(*at).chain(std::iter::repeat(&0))) {
                *slot = *sample;
            }
            *at += FRAME;
            if *at >= samples.len() {
                outbox.send(PhoneEvent::ClipFinished { call, hang_up: *hang_up });
                clip = None;
            }
        }
        if let Some(session) = &mut session {
            if let Some(packet) = session.capture(&spoken)
                && let Some(to) = remote
            {
                let _ = ports.rtp.send_to(packet, to);
            }
            if let (Some(report), Some(to)) = (session.rtcp_report(now, wall_clock()), remote_rtcp) {
                let _ = ports.rtcp.send_to(report, to);
            }
            if now >= next_stats {
                next_stats = now + Duration::from_secs(1);
                outbox.send(PhoneEvent::Stats { call, stats: session.stats() });
            }
        }
        tick += 1;
        let next = started + TICK * tick;
        let now = Instant::now();
        if next > now {
            std::thread::sleep(next - now);
        } else if now - next > Duration::from_millis(200) {
            // Asleep for long (a suspended laptop): start pacing afresh.
            tick = ((now - started).as_millis() / TICK.as_millis()) as u32;
        }
    }
}

fn wall_clock() -> Duration {
    SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default()
}
