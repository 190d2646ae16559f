//! The workstation's side of the softphone: the running [`Phone`], the
//! account form, the calls as the Phone pane and the incoming-call banner
//! show them, and each ended call ready to be recorded by the engine. Events from the phone's
//! threads are applied once per frame; nothing here blocks.

use crate::client::clips::{ClipError, ClipLibrary};
use crate::client::phone_settings::{self, SavedPhone};
use crate::domain::{
    CallDirection, CallOutcome, CustomerId, MAX_NOTES, MAX_REMOTE, MAX_TAGS, PhoneCall, Timestamp, UserId,
};
use crate::voice::audio::{AudioDevices, AudioSettings};
use crate::voice::phone::{AudioRoute, CallStats, Phone, PhoneCommand, PhoneEvent, PhoneSettings};
use crate::voice::recorder::ClipRecorder;
use crate::voice::sdp::Direction;
use crate::voice::sip::transaction::Transport;
use crate::voice::sip::ua::{CallHandle, EndReason, Registration, UaEvent};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// What the agent typed into the account form.
#[derive(Debug, Clone, Default)]
pub struct AccountForm {
    /// `host[:port]`, blank for direct calls.
    pub server: String,
    /// The SIP user.
    pub user: String,
    /// The SIP password (saved only sealed).
    pub password: String,
    /// TCP instead of UDP.
    pub tcp: bool,
    /// The local SIP port; blank is 5060, 0 picks a free one.
    pub port: String,
}

/// Where a call stands, as the agent sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallPhase {
    /// Our call is on its way.
    Dialling,
    /// The other side rings.
    Ringing,
    /// A call rings here.
    Incoming,
    /// Talking.
    Connected,
}

/// One call on the desk.
#[derive(Debug, Clone)]
#[allow(clippy::struct_excessive_bools, reason = "independent facts the card shows")]
pub struct CallView {
    /// The phone's handle.
    pub handle: CallHandle,
    /// Who is on the other end.
    pub remote: String,
    /// True for calls we made.
    pub outgoing: bool,
    /// Where it stands.
    pub phase: CallPhase,
    /// When it started.
    pub started: Instant,
    /// When it was answered.
    pub connected: Option<Instant>,
    /// We hold the other party.
    pub held: bool,
    /// The other party holds us.
    pub remote_hold: bool,
    /// Our microphone is muted.
    pub muted: bool,
    /// The latest media figures.
    pub stats: Option<CallStats>,
    /// The agent's notes.
    pub notes: String,
    /// The keypad is open.
    pub keypad: bool,
    /// Where to transfer it.
    pub transfer_to: String,
    /// Digits received by DTMF.
    pub digits: String,
    /// Why this call has no sound, when it has none.
    pub no_sound: Option<String>,
    /// The disposition chosen: a category key.
    pub disposition: Option<String>,
    /// Tags as typed, separated by commas.
    pub tags: String,
    /// The customer the call is linked to, with their name.
    pub contact: Option<(CustomerId, String)>,
}

impl CallView {
    /// How long the call has been answered, or has rung.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.connected.unwrap_or(self.started).elapsed()
    }
}

/// What a recording will become.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingFor {
    /// A new clip with this name and these tags.
    New(String, Vec<String>),
    /// New audio for an existing clip.
    Rerecord(u64),
}

/// The softphone as the workstation holds it.
#[derive(Default)]
pub struct PhoneDesk {
    phone: Option<Phone>,
    /// The account form.
    pub form: AccountForm,
    /// Registration with the server.
    pub registration: Option<Registration>,
    /// Where the phone listens, once started.
    pub local_address: Option<SocketAddr>,
    /// Live calls, oldest first.
    pub calls: Vec<CallView>,
    /// Ended calls not yet handed to the engine.
    pub finished: Vec<PhoneCall>,
    /// The number being dialled.
    pub dial: String,
    /// The last thing that went wrong, for the pane.
    pub error: Option<String>,
    /// Devices and volumes for calls.
    pub audio: AudioSettings,
    /// The devices found, once listed.
    pub devices: Option<Result<AudioDevices, String>>,
    listing: Option<std::sync::mpsc::Receiver<Result<AudioDevices, String>>>,
    /// Audio choices or speed dial changed and are not saved yet.
    pub unsaved: bool,
    /// Speed-dial entries: name and number.
    pub speed_dial: Vec<(String, String)>,
    /// The speed-dial entry being added: name and number.
    pub new_speed_dial: (String, String),
    /// The audio clips, once the data folder is known.
    pub clips: Option<ClipLibrary>,
    /// The clip being named before recording: name and tags as typed.
    pub new_clip: (String, String),
    /// Show archived clips too.
    pub show_archived: bool,
    /// A recording in progress, and what it is for.
    pub recording: Option<(ClipRecorder, RecordingFor)>,
}

impl PhoneDesk {
    /// Fills the form from the account saved in `dir`, if any.
    pub fn load(&mut self, dir: &std::path::Path) {
        match ClipLibrary::open(dir) {
            Ok(library) => self.clips = Some(library),
            Err(error) => self.error = Some(error.to_string()),
        }
        match phone_settings::load(dir) {
            Ok(Some((saved, password))) => {
                self.form = AccountForm {
                    server: saved.server,
                    user: saved.user,
                    password: password.unwrap_or_default(),
                    tcp: saved.tcp,
                    port: saved.port,
                };
                self.audio = saved.audio;
                self.speed_dial = saved.speed_dial;
            }
            Ok(None) => {}
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Saves the form's account in `dir` on a background thread (the window never waits on the disk).
    pub fn save(&mut self, dir: &std::path::Path) {
        self.unsaved = false;
        let saved = SavedPhone {
            server: self.form.server.clone(),
            user: self.form.user.clone(),
            tcp: self.form.tcp,
            port: self.form.port.clone(),
            audio: self.audio.clone(),
            speed_dial: self.speed_dial.clone(),
            sealed_password: None,
        };
        let password = Some(self.form.password.clone()).filter(|p| !p.is_empty());
        let dir = dir.to_path_buf();
        let spawned = std::thread::Builder::new().name("save-phone".into()).spawn(move || {
            if let Err(error) = phone_settings::save(&dir, saved, password.as_deref()) {
                tracing::warn!(%error, "the phone account was not saved");
            }
        });
        if let Err(error) = spawned {
            tracing::warn!(%error, "the phone account was not saved");
        }
    }

    /// True once the phone runs.
    #[must_use]
    pub fn is_connected(&self) -> bool {
        self.phone.is_some()
    }

    /// The call ringing here, if any.
    #[must_use]
    pub fn incoming(&self) -> Option<&CallView> {
        self.calls.iter().find(|c| c.phase == CallPhase::Incoming)
    }

    /// Starts the phone from the form; `wake` repaints the window on events.
    pub fn connect(&mut self, wake: impl Fn() + Send + Sync + 'static) {
        let text = self.form.port.trim();
        let port = if text.is_empty() {
            5060
        } else if let Ok(port) = text.parse::<u16>() {
            port
        } else {
            self.error = Some(format!("{text:?} is not a port number (1–65535)"));
            return;
        };
        let server = Some(self.form.server.trim().to_owned()).filter(|s| !s.is_empty());
        let user = Some(self.form.user.trim().to_owned()).filter(|s| !s.is_empty()).unwrap_or_else(|| "agent".into());
        let settings = PhoneSettings {
            server,
            user,
            password: Some(self.form.password.clone()).filter(|p| !p.is_empty()),
            transport: if self.form.tcp { Transport::Tcp } else { Transport::Udp },
            listen: SocketAddr::from(([0, 0, 0, 0], port)),
            audio: AudioRoute::Device(self.audio.clone()),
            ..PhoneSettings::default()
        };
        match Phone::start(settings, wake) {
            Ok(phone) => {
                self.local_address = Some(phone.local_address());
                self.phone = Some(phone);
                self.error = None;
                self.registration = self.form.server.trim().is_empty().then_some(Registration::Unregistered);
            }
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Stops the phone (hanging up and unregistering).
    pub fn disconnect(&mut self) {
        self.phone = None;
        self.registration = None;
        self.local_address = None;
        for call in std::mem::take(&mut self.calls) {
            self.finished.push(record(&call, &EndReason::LocalHangup));
        }
    }

    /// Lists the audio devices on a background thread (the sound system can be slow to answer).
    pub fn list_devices(&mut self) {
        let (sender, receiver) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new().name("audio-devices".into()).spawn(move || {
            let _ = sender.send(crate::voice::audio::devices().map_err(|e| e.to_string()));
        });
        if spawned.is_ok() {
            self.listing = Some(receiver);
        }
    }

    /// Applies changed devices or volumes: volumes at once, devices from the next call.
    pub fn apply_audio(&mut self) {
        self.unsaved = true;
        if let Some(phone) = &self.phone {
            phone.send(PhoneCommand::SetAudio(self.audio.clone()));
        }
    }

    /// The microphone level of the call in progress, 0–1.
    #[must_use]
    pub fn input_level(&self) -> f32 {
        self.phone.as_ref().map_or(0.0, Phone::input_level)
    }

    /// Starts recording from the microphone.
    pub fn start_recording(&mut self, purpose: RecordingFor) {
        if self.recording.is_some() {
            return;
        }
        match ClipRecorder::start(&self.audio) {
            Ok(recorder) => self.recording = Some((recorder, purpose)),
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Stops recording and keeps the clip.
    pub fn stop_recording(&mut self) {
        if let Some((recorder, purpose)) = self.recording.take() {
            let result = recorder.stop();
            self.keep_recording(result, purpose);
        }
    }

    fn keep_recording(&mut self, result: Result<Vec<i16>, crate::voice::audio::CallAudioError>, purpose: RecordingFor) {
        let Some(library) = &mut self.clips else { return };
        let saved = match result {
            Ok(samples) => match purpose {
                RecordingFor::New(name, tags) => library.add(&name, tags, &samples).map(|_| ()),
                RecordingFor::Rerecord(id) => library.replace_audio(id, &samples),
            },
            Err(error) => {
                self.error = Some(error.to_string());
                return;
            }
        };
        if let Err(error) = saved {
            self.error = Some(error.to_string());
        }
    }

    /// Plays a clip into a call; `hang_up` ends the call when it has played.
    pub fn play_clip(&mut self, call: CallHandle, clip: u64, hang_up: bool) {
        let Some(library) = &self.clips else { return };
        match library.audio(clip) {
            Ok(samples) => self.send(PhoneCommand::PlayClip(call, samples.into(), hang_up)),
            Err(error) => self.error = Some(error.to_string()),
        }
    }

    /// Changes the clip library, showing any failure.
    pub fn edit_clips(&mut self, change: impl FnOnce(&mut ClipLibrary) -> Result<(), ClipError>) {
        if let Some(library) = &mut self.clips
            && let Err(error) = change(library)
        {
            self.error = Some(error.to_string());
        }
    }

    /// Sends a command to the phone.
    pub fn send(&mut self, command: PhoneCommand) {
        match &command {
            PhoneCommand::Mute(handle, muted) => {
                if let Some(call) = self.call_mut(*handle) {
                    call.muted = *muted;
                }
            }
            PhoneCommand::Dial(_) => self.error = None,
            _ => {}
        }
        if let Some(phone) = &self.phone {
            phone.send(command);
        } else {
            self.error = Some("Connect the phone first.".into());
        }
    }

    fn call_mut(&mut self, handle: CallHandle) -> Option<&mut CallView> {
        self.calls.iter_mut().find(|c| c.handle == handle)
    }

    /// Applies what the phone reported.
    pub fn pump(&mut self) {
        // A recording that stopped by itself (two minutes, or the device failed).
        if let Some((recorder, _)) = &self.recording
            && let Some(result) = recorder.finished()
            && let Some((_, purpose)) = self.recording.take()
        {
            self.keep_recording(result, purpose);
        }
        if let Some(listing) = &self.listing
            && let Ok(devices) = listing.try_recv()
        {
            self.devices = Some(devices);
            self.listing = None;
        }
        let Some(phone) = &self.phone else { return };
        let mut events = Vec::new();
        while let Some(event) = phone.try_event() {
            events.push(event);
        }
        for event in events {
            self.apply(event);
        }
    }

    fn apply(&mut self, event: PhoneEvent) {
        match event {
            PhoneEvent::Dialling { call, target } => {
                self.calls.push(new_call(
                    call,
                    target.trim_start_matches("sip:").to_owned(),
                    true,
                    CallPhase::Dialling,
                ));
            }
            PhoneEvent::Sip(UaEvent::Incoming { call, from }) => {
                let remote = match &from.display {
                    Some(name) => format!("{name} <{}>", from.uri.to_string().trim_start_matches("sip:")),
                    None => from.uri.to_string().trim_start_matches("sip:").to_owned(),
                };
                self.calls.push(new_call(call, remote, false, CallPhase::Incoming));
            }
            PhoneEvent::Sip(UaEvent::Progress { call, .. }) => {
                if let Some(view) = self.call_mut(call) {
                    view.phase = CallPhase::Ringing;
                }
            }
            PhoneEvent::Sip(UaEvent::Connected { call, .. }) => {
                if let Some(view) = self.call_mut(call) {
                    view.phase = CallPhase::Connected;
                    view.connected = Some(Instant::now());
                }
            }
            PhoneEvent::Sip(UaEvent::MediaChanged { call, media, remote_hold }) => {
                if let Some(view) = self.call_mut(call) {
                    view.held = media.direction == Direction::SendOnly
                        || (media.direction == Direction::Inactive && !remote_hold);
                    view.remote_hold = remote_hold;
                }
            }
            PhoneEvent::Sip(UaEvent::HoldFailed { code, .. }) => {
                self.error = Some(format!("The other side refused the change ({code})."));
            }
            PhoneEvent::Sip(UaEvent::Ended { call, reason }) => {
                if let Some(at) = self.calls.iter().position(|c| c.handle == call) {
                    let view = self.calls.remove(at);
                    if let EndReason::Failed { code, reason } = &reason {
                        self.error = Some(format!("The call to {} failed: {code} {reason}", view.remote));
                    }
                    self.finished.push(record(&view, &reason));
                }
            }
            PhoneEvent::Sip(UaEvent::Registration(state)) => self.registration = Some(state),
            PhoneEvent::Sip(UaEvent::Dtmf { call, digit }) | PhoneEvent::Dtmf { call, digit } => {
                if let Some(view) = self.call_mut(call) {
                    view.digits.push(digit);
                }
            }
            PhoneEvent::Sip(UaEvent::TransferProgress { code, .. }) if code >= 300 => {
                self.error = Some(format!("The transfer failed ({code})."));
            }
            PhoneEvent::ClipFinished { call, hang_up: true } => self.send(PhoneCommand::Hangup(call)),
            PhoneEvent::Sip(UaEvent::TransferProgress { .. } | UaEvent::TransferRequested { .. })
            | PhoneEvent::ClipFinished { .. } => {}
            PhoneEvent::Stats { call, stats } => {
                if let Some(view) = self.call_mut(call) {
                    view.stats = Some(stats);
                }
            }
            PhoneEvent::AudioUnavailable { call, reason } => {
                if let Some(view) = self.call_mut(call) {
                    view.no_sound = Some(reason);
                }
            }
            PhoneEvent::CommandFailed(reason) => self.error = Some(reason),
        }
    }
}

fn new_call(handle: CallHandle, remote: String, outgoing: bool, phase: CallPhase) -> CallView {
    CallView {
        handle,
        remote,
        outgoing,
        phase,
        started: Instant::now(),
        connected: None,
        held: false,
        remote_hold: false,
        muted: false,
        stats: None,
        notes: String::new(),
        keypad: false,
        transfer_to: String::new(),
        digits: String::new(),
        no_sound: None,
        disposition: None,
        tags: String::new(),
        contact: None,
    }
}

/// The call as the engine records it. The agent is filled in by the engine.
fn record(view: &CallView, reason: &EndReason) -> PhoneCall {
    let outcome = match (reason, view.connected.is_some()) {
        (EndReason::Transferred, _) => CallOutcome::Transferred,
        (_, true) => CallOutcome::Answered,
        (EndReason::Busy, false) => CallOutcome::Busy,
        (EndReason::Failed { .. }, false) => CallOutcome::Failed,
        (_, false) => CallOutcome::Unanswered,
    };
    let now = wall_clock();
    let ago = |instant: Instant| {
        Timestamp(now.0 - i64::try_from(instant.elapsed().as_millis()).unwrap_or(i64::MAX).min(now.0))
    };
    PhoneCall {
        agent: UserId(0),
        direction: if view.outgoing { CallDirection::Made } else { CallDirection::Taken },
        remote: view.remote.chars().take(MAX_REMOTE).collect(),
        started_at: ago(view.started),
        answered_at: view.connected.map(ago),
        ended_at: now,
        outcome,
        notes: view.notes.chars().take(MAX_NOTES).collect(),
        disposition: view.disposition.clone(),
        contact: view.contact.as_ref().map(|(id, _)| *id),
        tags: view
            .tags
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .take(MAX_TAGS.0)
            .map(|t| t.chars().take(MAX_TAGS.1).collect())
            .collect(),
        queue: None,
    }
}

fn wall_clock() -> Timestamp {
    Timestamp(chrono::Utc::now().timestamp_millis())
}
