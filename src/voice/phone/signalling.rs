//! The phone's signalling loop: SIP sockets (UDP, and TCP connections both
//! ways) around the sans-IO [`UserAgent`], on a small tokio runtime of its
//! own so that a busy UI or engine never delays a retransmission.

use super::media::{MediaCommand, MediaHandle, MediaPorts};
use super::{AudioRoute, PhoneCommand, PhoneError, PhoneEvent, PhoneSettings};
use crate::voice::sdp::{Direction, LocalMedia};
use crate::voice::sip::message::{MAX_MESSAGE, Message};
use crate::voice::sip::transaction::{Peer, Transport};
use crate::voice::sip::ua::{CallHandle, EndReason, UaEvent, UserAgent};
use crate::voice::sip::uri::Uri;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

/// What the loop hears from its TCP connections.
enum Wire {
    Message(Message, Peer),
    Closed(SocketAddr),
}

/// Sends the events to the phone's owner and wakes it.
pub(super) struct Outbox {
    pub events: std::sync::mpsc::Sender<PhoneEvent>,
    pub wake: Arc<dyn Fn() + Send + Sync>,
    /// The microphone level of the call in progress (f32 bits).
    pub level: Arc<std::sync::atomic::AtomicU32>,
}

impl Outbox {
    pub(super) fn send(&self, event: PhoneEvent) {
        let _ = self.events.send(event);
        (self.wake)();
    }
}

pub(super) struct Signalling {
    settings: PhoneSettings,
    ua: UserAgent,
    udp: Arc<UdpSocket>,
    tcp_writers: HashMap<SocketAddr, mpsc::UnboundedSender<Vec<u8>>>,
    wire: (mpsc::UnboundedSender<Wire>, mpsc::UnboundedReceiver<Wire>),
    started: Instant,
    media: HashMap<CallHandle, MediaHandle>,
    /// RTP sockets reserved for calls not yet connected.
    reserved: HashMap<CallHandle, MediaPorts>,
    /// Incoming calls not yet answered.
    ringing_here: std::collections::HashSet<CallHandle>,
    /// Calls placed because the other party transferred us: new call → the call transferred.
    transfers: HashMap<CallHandle, CallHandle>,
    outbox: Arc<Outbox>,
    local: SocketAddr,
}

/// Binds the sockets and resolves the registrar; errors here are the
/// user's to fix (a busy port, an unknown server name).
pub(super) async fn bind(
    settings: &PhoneSettings,
) -> Result<(Arc<UdpSocket>, TcpListener, SocketAddr, Option<Peer>), PhoneError> {
    let registrar = match &settings.server {
        Some(server) => Some(resolve(server, settings.transport).await?),
        None => None,
    };
    let udp = UdpSocket::bind(settings.listen).await.map_err(|e| PhoneError::Bind(settings.listen, e.to_string()))?;
    let bound = udp.local_addr().map_err(|e| PhoneError::Bind(settings.listen, e.to_string()))?;
    // TCP listens on the same port as UDP, as Via and Contact name one port.
    let tcp = TcpListener::bind(bound).await.map_err(|e| PhoneError::Bind(bound, e.to_string()))?;
    let ip =
        if bound.ip().is_unspecified() { local_ip_towards(registrar.map(|r| r.address)).await } else { bound.ip() };
    Ok((Arc::new(udp), tcp, SocketAddr::new(ip, bound.port()), registrar))
}

/// Resolves `host[:port]` (5060 by default).
pub(super) async fn resolve(server: &str, transport: Transport) -> Result<Peer, PhoneError> {
    let server = server.trim();
    let server = server.strip_prefix("sip:").unwrap_or(server);
    let with_port = if crate::voice::sip::uri::Uri::parse(&format!("sip:{server}")).is_ok_and(|u| u.port.is_some()) {
        server.to_owned()
    } else if server.contains(':') && !server.starts_with('[') {
        format!("[{server}]:5060")
    } else {
        format!("{server}:5060")
    };
    let address = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|e| PhoneError::Resolve(server.to_owned(), e.to_string()))?
        .next()
        .ok_or_else(|| PhoneError::Resolve(server.to_owned(), "no address".into()))?;
    Ok(Peer { address, transport })
}

/// The local address that routes towards `remote` (no packet is sent).
async fn local_ip_towards(remote: Option<SocketAddr>) -> std::net::IpAddr {
    let fallback = std::net::IpAddr::from([127, 0, 0, 1]);
    let Some(remote) = remote else { return fallback };
    let Ok(probe) = UdpSocket::bind(SocketAddr::new(
        if remote.is_ipv4() { [0, 0, 0, 0].into() } else { std::net::Ipv6Addr::UNSPECIFIED.into() },
        0,
    ))
    .await
    else {
        return fallback;
    };
    if probe.connect(remote).await.is_err() {
        return fallback;
    }
    probe.local_addr().map_or(fallback, |a| a.ip())
}

impl Signalling {
    pub(super) fn new(
        settings: PhoneSettings,
        ua: UserAgent,
        udp: Arc<UdpSocket>,
        local: SocketAddr,
        outbox: Arc<Outbox>,
    ) -> Self {
        Self {
            settings,
            ua,
            udp,
            tcp_writers: HashMap::new(),
            wire: mpsc::unbounded_channel(),
            started: Instant::now(),
            media: HashMap::new(),
            reserved: HashMap::new(),
            ringing_here: std::collections::HashSet::new(),
            transfers: HashMap::new(),
            outbox,
            local,
        }
    }

    fn now(&self) -> Duration {
        self.started.elapsed()
    }

    pub(super) async fn run(mut self, listener: TcpListener, mut commands: mpsc::UnboundedReceiver<PhoneCommand>) {
        let mut datagram = vec![0u8; MAX_MESSAGE];
        if self.settings.server.is_some() {
            let now = self.now();
            self.ua.register(now);
        }
        loop {
            self.flush().await;
            let sleep = self.ua.next_deadline().map_or(Duration::from_hours(1), |at| at.saturating_sub(self.now()));
            tokio::select! {
                received = self.udp.recv_from(&mut datagram) => {
                    if let Ok((length, from)) = received {
                        let now = self.now();
                        let peer = Peer { address: from, transport: Transport::Udp };
                        tracing::trace!(%from, line = %first_line(datagram.get(..length).unwrap_or_default()), "SIP received");
                        if let Err(error) = self.ua.receive(datagram.get(..length).unwrap_or_default(), peer, now) {
                            tracing::debug!(%from, %error, "dropped a SIP datagram");
                        }
                    }
                }
                accepted = listener.accept() => {
                    if let Ok((stream, from)) = accepted {
                        self.adopt(stream, from);
                    }
                }
                Some(wire) = self.wire.1.recv() => match wire {
                    Wire::Message(message, peer) => {
                        let now = self.now();
                        if let Err(error) = self.ua.receive_message(message, peer, now) {
                            tracing::debug!(from = %peer.address, %error, "dropped a SIP message");
                        }
                    }
                    Wire::Closed(address) => { self.tcp_writers.remove(&address); }
                },
                command = commands.recv() => match command {
                    Some(PhoneCommand::Shutdown) | None => break,
                    Some(command) => self.command(command),
                },
                () = tokio::time::sleep(sleep) => {
                    let now = self.now();
                    self.ua.poll(now);
                }
            }
        }
        // Leave cleanly: hang up what is up, unregister, and give the BYEs a moment.
        let now = self.now();
        let calls: Vec<CallHandle> = self.ua.calls().collect();
        for call in calls {
            let _ = self.ua.hangup(call, now);
        }
        if self.settings.server.is_some() {
            self.ua.unregister(now);
        }
        self.flush().await;
        for (_, media) in self.media.drain() {
            media.stop();
        }
    }

    /// Sends what the user agent queued and passes on its events.
    async fn flush(&mut self) {
        let transmits: Vec<_> = self.ua.drain_transmits().collect();
        for transmit in transmits {
            let bytes = transmit.message.to_bytes();
            tracing::trace!(to = %transmit.to.address, line = %first_line(&bytes), "SIP sent");
            match transmit.to.transport {
                Transport::Udp => {
                    if let Err(error) = self.udp.send_to(&bytes, transmit.to.address).await {
                        tracing::debug!(to = %transmit.to.address, %error, "a SIP datagram could not be sent");
                    }
                }
                Transport::Tcp => self.send_tcp(transmit.to.address, bytes).await,
            }
        }
        while let Some(event) = self.ua.next_event() {
            self.on_event(event);
        }
    }

    async fn send_tcp(&mut self, to: SocketAddr, bytes: Vec<u8>) {
        if !self.tcp_writers.contains_key(&to) {
            if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_secs(5), TcpStream::connect(to)).await {
                self.adopt(stream, to);
            } else {
                tracing::debug!(%to, "the SIP TCP connection could not be opened");
                return;
            }
        }
        if let Some(writer) = self.tcp_writers.get(&to) {
            let _ = writer.send(bytes);
        }
    }

    /// Runs a TCP connection: one task reads and frames messages, another writes.
    fn adopt(&mut self, stream: TcpStream, from: SocketAddr) {
        let (mut reader, mut writer) = stream.into_split();
        let (outgoing, mut queue) = mpsc::unbounded_channel::<Vec<u8>>();
        self.tcp_writers.insert(from, outgoing);
        tokio::spawn(async move {
            while let Some(bytes) = queue.recv().await {
                if writer.write_all(&bytes).await.is_err() {
                    break;
                }
            }
        });
        let wire = self.wire.0.clone();
        tokio::spawn(async move {
            let mut buffer = Vec::with_capacity(4096);
            let mut chunk = [0u8; 4096];
            let peer = Peer { address: from, transport: Transport::Tcp };
            loop {
                match reader.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buffer.extend_from_slice(chunk.get(..n).unwrap_or_default()),
                }
                loop {
                    match Message::parse_stream(&buffer) {
                        Ok(Some((message, used))) => {
                            buffer.drain(..used);
                            let _ = wire.send(Wire::Message(message, peer));
                        }
                        Ok(None) => break,
                        Err(error) => {
                            // A stream cannot be resynchronised after a framing error.
                            tracing::debug!(%from, %error, "closing a SIP TCP connection");
                            let _ = wire.send(Wire::Closed(from));
                            return;
                        }
                    }
                }
            }
            let _ = wire.send(Wire::Closed(from));
        });
    }

    fn local_media(&self, ports: &MediaPorts) -> LocalMedia {
        LocalMedia {
            address: self.local.ip(),
            port: ports.rtp_port(),
            codecs: self.settings.codecs.clone(),
            telephone_event: 101,
            ptime: 20,
            direction: Direction::SendRecv,
            session_id: u64::from(ports.rtp_port()) << 16 | u64::from(rand::random::<u16>()),
            version: 1,
            username: "switchboard".into(),
        }
    }

    fn command(&mut self, command: PhoneCommand) {
        let now = self.now();
        let result = match command {
            PhoneCommand::Register => {
                self.ua.register(now);
                Ok(())
            }
            PhoneCommand::Unregister => {
                self.ua.unregister(now);
                Ok(())
            }
            PhoneCommand::Dial(target) => self.dial(&target, now).map(|_| ()),
            PhoneCommand::Answer(call) => match MediaPorts::bind(self.local.ip()) {
                Ok(ports) => {
                    let media = self.local_media(&ports);
                    self.reserved.insert(call, ports);
                    self.ua.answer(call, media, now).map_err(|e| e.to_string())
                }
                Err(error) => Err(error.to_string()),
            },
            PhoneCommand::Reject(call) => self.ua.reject(call, 486, now).map_err(|e| e.to_string()),
            PhoneCommand::Hangup(call) => self.ua.hangup(call, now).map_err(|e| e.to_string()),
            PhoneCommand::Hold(call) => self.ua.hold(call, now).map_err(|e| e.to_string()),
            PhoneCommand::Resume(call) => self.ua.resume(call, now).map_err(|e| e.to_string()),
            PhoneCommand::Transfer(call, target) => match target_uri(&target, self.settings.server.as_deref()) {
                Ok(uri) => self.ua.transfer(call, &uri, now).map_err(|e| e.to_string()),
                Err(error) => Err(error),
            },
            PhoneCommand::Dtmf(call, digit) => {
                if let Some(media) = self.media.get(&call) {
                    media.send(MediaCommand::Dtmf(digit));
                }
                Ok(())
            }
            PhoneCommand::Mute(call, muted) => {
                if let Some(media) = self.media.get(&call) {
                    media.send(MediaCommand::Mute(muted));
                }
                Ok(())
            }
            PhoneCommand::PlayClip(call, samples, then_hang_up) => {
                if let Some(media) = self.media.get(&call) {
                    media.send(MediaCommand::Play(samples, then_hang_up));
                }
                Ok(())
            }
            PhoneCommand::SetAudio(audio) => {
                for media in self.media.values() {
                    media.send(MediaCommand::Volumes(audio.input_volume, audio.output_volume));
                }
                self.settings.audio = AudioRoute::Device(audio);
                Ok(())
            }
            PhoneCommand::Shutdown => Ok(()),
        };
        if let Err(reason) = result {
            self.outbox.send(PhoneEvent::CommandFailed(reason));
        }
    }

    fn dial(&mut self, target: &str, now: Duration) -> Result<CallHandle, String> {
        let uri = target_uri(target, self.settings.server.as_deref())?;
        // Without a registrar the call goes straight to the URI's host, which must be an address.
        let destination = match uri.ip() {
            Some(ip) => Peer {
                address: SocketAddr::new(ip, uri.port.unwrap_or(5060)),
                transport: if uri.transport() == "tcp" { Transport::Tcp } else { self.settings.transport },
            },
            None if self.settings.server.is_some() => Peer { address: self.local, transport: self.settings.transport },
            None => return Err(format!("{} is not an address; set a SIP server to call names", uri.host)),
        };
        let ports = MediaPorts::bind(self.local.ip()).map_err(|e| e.to_string())?;
        let media = self.local_media(&ports);
        let call = self.ua.dial(&uri, destination, media, now).map_err(|e| e.to_string())?;
        self.reserved.insert(call, ports);
        self.outbox.send(PhoneEvent::Dialling { call, target: uri.to_string() });
        Ok(call)
    }

    fn on_event(&mut self, event: UaEvent) {
        match &event {
            UaEvent::Progress { call, media: Some(media), .. } | UaEvent::Connected { call, media } => {
                self.ringing_here.remove(call);
                if matches!(event, UaEvent::Connected { .. })
                    && let Some(original) = self.transfers.remove(call)
                {
                    let now = self.now();
                    let _ = self.ua.transfer_progress(original, 200, now);
                }
                if let Some(handle) = self.media.get(call) {
                    handle.send(MediaCommand::Update(*media));
                } else if let Some(ports) = self.reserved.remove(call) {
                    let handle = MediaHandle::start(*call, ports, Some(*media), &self.settings, self.outbox.clone());
                    self.media.insert(*call, handle);
                }
                self.call_waiting();
            }
            UaEvent::Progress { call, code: 180..=199, media: None } => {
                // The callee rings and sent no early media: ring-back, played locally.
                if !self.media.contains_key(call)
                    && let Some(ports) = self.reserved.remove(call)
                {
                    let handle = MediaHandle::start(*call, ports, None, &self.settings, self.outbox.clone());
                    self.media.insert(*call, handle);
                }
            }
            UaEvent::Incoming { call, .. } => {
                self.ringing_here.insert(*call);
                self.call_waiting();
            }
            UaEvent::TransferRequested { call, target } => {
                // Call the new party; the old call ends when the transferor hears it worked.
                let now = self.now();
                match self.dial(&target.to_string(), now) {
                    Ok(new_call) => {
                        self.transfers.insert(new_call, *call);
                    }
                    Err(reason) => {
                        let _ = self.ua.transfer_progress(*call, 503, now);
                        self.outbox.send(PhoneEvent::CommandFailed(reason));
                    }
                }
            }
            UaEvent::MediaChanged { call, media, .. } => {
                if let Some(handle) = self.media.get(call) {
                    handle.send(MediaCommand::Update(*media));
                }
            }
            UaEvent::Ended { call, reason } => {
                if let Some(original) = self.transfers.remove(call) {
                    let code = match reason {
                        EndReason::Busy => 486,
                        EndReason::Failed { code, .. } => *code,
                        _ => 487,
                    };
                    let now = self.now();
                    let _ = self.ua.transfer_progress(original, code, now);
                }
                self.reserved.remove(call);
                self.ringing_here.remove(call);
                if let Some(handle) = self.media.remove(call) {
                    handle.stop();
                }
                self.call_waiting();
            }
            _ => {}
        }
        self.outbox.send(PhoneEvent::Sip(event));
    }

    /// Beeps in the calls in progress while another rings here.
    fn call_waiting(&self) {
        let waiting = !self.ringing_here.is_empty();
        for media in self.media.values() {
            media.send(MediaCommand::CallWaiting(waiting));
        }
    }
}

/// Reads what the agent typed: a full SIP URI, `user@host`, or a number or
/// name that is completed with the server's domain.
pub(super) fn target_uri(target: &str, server: Option<&str>) -> Result<Uri, String> {
    let target = target.trim();
    if target.is_empty() {
        return Err("enter a number or a SIP address to call".into());
    }
    let text = if target.to_ascii_lowercase().starts_with("sip:") || target.to_ascii_lowercase().starts_with("sips:") {
        target.to_owned()
    } else if target.contains('@') {
        format!("sip:{target}")
    } else {
        let Some(server) = server else {
            return Err(format!("{target} needs a SIP server to be called; write user@address to call directly"));
        };
        let domain = super::domain_of(server);
        let user: String = target.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
        format!("sip:{user}@{domain}")
    };
    Uri::parse(&text).map_err(|e| e.to_string())
}

/// The start line of a message, for traces (headers and bodies are never logged).
fn first_line(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|b| *b == b'\r' || *b == b'\n').unwrap_or(bytes.len()).min(120);
    String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned()
}
