//! The softphone as the workstation uses it: start it with the account's
//! settings, send it [`PhoneCommand`]s, read its [`PhoneEvent`]s. Signalling
//! runs on its own thread (a small tokio runtime), and each call's media on
//! another, paced every 10 ms; neither ever waits on the UI.

mod media;
mod signalling;

pub use media::{AudioPort, CallStats, EchoPort};

use crate::voice::audio::AudioSettings;
use crate::voice::g711::G711;
use crate::voice::sdp::LocalMedia;
use crate::voice::sip::auth::Credentials;
use crate::voice::sip::transaction::Transport;
use crate::voice::sip::ua::{Account, CallHandle, UaEvent, UserAgent};
use signalling::{Outbox, Signalling};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use tokio::sync::mpsc;

/// How the phone reaches the network and where its sound goes.
#[derive(Clone)]
pub struct PhoneSettings {
    /// The SIP server (registrar and outbound proxy), `host[:port]`; `None` calls addresses directly.
    pub server: Option<String>,
    /// Our user name on that server.
    pub user: String,
    /// The name shown to the people we call.
    pub display_name: Option<String>,
    /// The SIP password, if the server asks for one.
    pub password: Option<String>,
    /// UDP or TCP towards the server.
    pub transport: Transport,
    /// The local SIP address; port 0 picks a free one.
    pub listen: SocketAddr,
    /// The codecs we offer, preferred first.
    pub codecs: Vec<G711>,
    /// The registration lifetime asked for, in seconds.
    pub register_expires: u32,
    /// Where call audio comes from and goes to.
    pub audio: AudioRoute,
}

impl std::fmt::Debug for PhoneSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhoneSettings")
            .field("server", &self.server)
            .field("user", &self.user)
            .field("transport", &self.transport)
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

/// Makes the audio port of one call.
pub type AudioPortFactory = Arc<dyn Fn() -> Result<Box<dyn AudioPort>, String> + Send + Sync>;

/// Where call audio comes from and goes to.
#[derive(Clone)]
pub enum AudioRoute {
    /// The sound card, through cpal.
    Device(AudioSettings),
    /// Whatever the caller hears comes back to them (an echo test line).
    Echo,
    /// A port made for each call (tones and recordings in tests and tools).
    Custom(AudioPortFactory),
}

impl Default for PhoneSettings {
    fn default() -> Self {
        Self {
            server: None,
            user: "agent".into(),
            display_name: None,
            password: None,
            transport: Transport::Udp,
            listen: SocketAddr::from(([0, 0, 0, 0], 5060)),
            codecs: vec![G711::Pcmu, G711::Pcma],
            register_expires: 600,
            audio: AudioRoute::Device(AudioSettings::default()),
        }
    }
}

/// What the phone is asked to do.
#[derive(Debug, Clone)]
pub enum PhoneCommand {
    /// Register with the server now.
    Register,
    /// Remove the registration.
    Unregister,
    /// Call a number, `user@host`, or a SIP URI.
    Dial(String),
    /// Answer an incoming call.
    Answer(CallHandle),
    /// Decline an incoming call (486 Busy Here).
    Reject(CallHandle),
    /// Hang up (or cancel, or decline).
    Hangup(CallHandle),
    /// Put on hold.
    Hold(CallHandle),
    /// Take off hold.
    Resume(CallHandle),
    /// Blind transfer to a number or address.
    Transfer(CallHandle, String),
    /// Send a DTMF digit (RFC 4733).
    Dtmf(CallHandle, char),
    /// Mute or unmute our microphone in a call.
    Mute(CallHandle, bool),
    /// Play a clip (8 kHz samples) into the call; `true` hangs up after it.
    PlayClip(CallHandle, Arc<[i16]>, bool),
    /// Use these devices and volumes: volumes at once, devices from the next call.
    SetAudio(AudioSettings),
    /// Stop the phone: hang up, unregister, close sockets.
    Shutdown,
}

/// What the phone reports.
#[derive(Debug, Clone, PartialEq)]
pub enum PhoneEvent {
    /// A SIP event: registration, incoming call, progress, answer, hold, end.
    Sip(UaEvent),
    /// An outgoing call was placed.
    Dialling {
        /// The new call.
        call: CallHandle,
        /// Whom we call, as a URI.
        target: String,
    },
    /// A DTMF digit arrived in the media (RFC 4733).
    Dtmf {
        /// The call.
        call: CallHandle,
        /// The digit.
        digit: char,
    },
    /// Media statistics, about once a second during a call.
    Stats {
        /// The call.
        call: CallHandle,
        /// Jitter, loss, round trip and buffer figures.
        stats: CallStats,
    },
    /// The call runs without sound, and why (no device, device error).
    AudioUnavailable {
        /// The call.
        call: CallHandle,
        /// What to tell the agent.
        reason: String,
    },
    /// A clip played with "then hang up" has ended.
    ClipFinished {
        /// The call.
        call: CallHandle,
        /// True when the call should now be hung up.
        hang_up: bool,
    },
    /// A command could not be carried out.
    CommandFailed(String),
}

/// Why the phone could not start.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The SIP port is taken or not ours.
    #[error("the SIP address {0} cannot be used ({1}); choose another port in the phone settings")]
    Bind(SocketAddr, String),
    /// The server name does not resolve.
    #[error("the SIP server {0:?} was not found ({1}); check its name in the phone settings")]
    Resolve(String, String),
    /// The signalling thread could not start.
    #[error("the phone could not start: {0}")]
    Start(String),
}

/// A running softphone.
pub struct Phone {
    commands: mpsc::UnboundedSender<PhoneCommand>,
    level: Arc<AtomicU32>,
    events: std::sync::mpsc::Receiver<PhoneEvent>,
    local: SocketAddr,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Phone {
    /// Binds the SIP sockets, starts signalling and registers when a server
    /// is set; `wake` is called after each event (the UI repaints).
    pub fn start(settings: PhoneSettings, wake: impl Fn() + Send + Sync + 'static) -> Result<Self, PhoneError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| PhoneError::Start(e.to_string()))?;
        let (udp, listener, local, registrar) = runtime.block_on(signalling::bind(&settings))?;
        let account = Account {
            user: settings.user.clone(),
            display_name: settings.display_name.clone(),
            domain: settings.server.as_deref().map_or_else(|| local.ip().to_string(), domain_of),
            credentials: settings
                .password
                .clone()
                .map(|password| Credentials { username: settings.user.clone(), password }),
            registrar,
            register_expires: settings.register_expires,
        };
        let template = LocalMedia {
            address: local.ip(),
            port: 9,
            codecs: settings.codecs.clone(),
            telephone_event: 101,
            ptime: 20,
            direction: crate::voice::sdp::Direction::SendRecv,
            session_id: 1,
            version: 1,
            username: "switchboard".into(),
        };
        let ua = UserAgent::new(
            account,
            local,
            concat!("Switchboard/", env!("CARGO_PKG_VERSION")),
            template,
            rand::random(),
        );
        let (commands, receiver) = mpsc::unbounded_channel();
        let (events_out, events) = std::sync::mpsc::channel();
        let level = Arc::new(AtomicU32::new(0));
        let outbox = Arc::new(Outbox { events: events_out, wake: Arc::new(wake), level: level.clone() });
        let signalling = Signalling::new(settings, ua, udp, local, outbox);
        let thread = std::thread::Builder::new()
            .name("sip".into())
            .spawn(move || runtime.block_on(signalling.run(listener, receiver)))
            .map_err(|e| PhoneError::Start(e.to_string()))?;
        Ok(Self { commands, events, level, local, thread: Some(thread) })
    }

    /// Asks the phone to do something; the outcome comes back as events.
    pub fn send(&self, command: PhoneCommand) {
        let _ = self.commands.send(command);
    }

    /// The next event, if one is waiting.
    #[must_use]
    pub fn try_event(&self) -> Option<PhoneEvent> {
        self.events.try_recv().ok()
    }

    /// Waits up to `timeout` for the next event.
    #[must_use]
    pub fn wait_event(&self, timeout: std::time::Duration) -> Option<PhoneEvent> {
        self.events.recv_timeout(timeout).ok()
    }

    /// The microphone level of the call in progress, 0–1 (0 without a sound card).
    #[must_use]
    pub fn input_level(&self) -> f32 {
        f32::from_bits(self.level.load(Ordering::Relaxed))
    }

    /// The SIP address the phone listens on.
    #[must_use]
    pub fn local_address(&self) -> SocketAddr {
        self.local
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = self.commands.send(PhoneCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The domain of `host[:port]`.
pub(super) fn domain_of(server: &str) -> String {
    let host = server.trim().trim_start_matches("sip:");
    crate::voice::sip::uri::Uri::parse(&format!("sip:{host}")).map_or_else(|_| host.to_owned(), |u| u.host)
}
