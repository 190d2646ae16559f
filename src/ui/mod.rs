//! The workstation window: an `eframe::App` that reads the client model,
//! draws the shell and the current mode, and turns clicks, shortcuts and
//! palette picks into commands. It never blocks and never does IO.

pub mod commands;
pub mod i18n;
pub mod mode;
mod panes;
pub mod phone;
pub mod screenshot;
mod shell;
pub mod theme;

use crate::client::{Connection, Inbound, Model, NoticeBody, NoticeKind};
use crate::domain::{AgentStatus, InteractionId, ThreadId, Timestamp};
use crate::protocol::Command;
use crate::voice::AlertSound;
use crate::voice::phone::PhoneCommand;
use commands::UiCommand;
use i18n::UiLanguage;
use mode::Mode;
use std::collections::HashSet;
use std::time::Instant;
use theme::ThemeKind;

/// How the window starts.
pub struct AppOptions {
    /// Play the offer chime (off in tests).
    pub sound: bool,
    /// When the process started, to report the time to the first frame.
    pub started: Option<Instant>,
    /// Write the time to the first frame, in milliseconds, to this file.
    pub report_first_frame: Option<std::path::PathBuf>,
    /// Capture each mode to PNG files in this folder, then close.
    pub screenshots: Option<std::path::PathBuf>,
    /// Where the phone account is saved between runs (`None`: not saved).
    pub settings_dir: Option<std::path::PathBuf>,
}

/// The state of the Inbox pane that lives between frames.
#[derive(Debug, Default)]
pub struct InboxState {
    /// The thread being read.
    pub selected: Option<ThreadId>,
    /// Show only my threads.
    pub only_mine: bool,
    /// The reply being written.
    pub draft: String,
}

/// The Activity pane's state that lives between frames.
#[derive(Debug)]
pub struct ActivityState {
    /// The week view (G2) rather than today (G1).
    pub week_view: bool,
    /// A day of the week shown in the week view.
    pub week_of: chrono::NaiveDate,
    /// Where the last CSV export went, or why it failed.
    pub exported: Option<Result<std::path::PathBuf, String>>,
    /// An export being written.
    pub exporting: Option<std::sync::mpsc::Receiver<Result<std::path::PathBuf, String>>>,
    /// The day shown beside today.
    pub compare: chrono::NaiveDate,
    /// Periods already asked for, so that each is fetched once.
    pub requested: std::collections::HashSet<Timestamp>,
}

impl Default for ActivityState {
    fn default() -> Self {
        let today = chrono::Local::now().date_naive();
        Self {
            week_view: false,
            week_of: today,
            exported: None,
            exporting: None,
            compare: today.pred_opt().unwrap_or(today),
            requested: std::collections::HashSet::new(),
        }
    }
}

/// The command palette's state while open.
#[derive(Debug, Default)]
pub struct PaletteState {
    /// What the user typed.
    pub query: String,
    /// The highlighted entry.
    pub selected: usize,
}

/// The workstation.
pub struct App {
    connection: Box<dyn Connection>,
    /// The model the UI draws from.
    pub model: Model,
    /// The current mode.
    pub mode: Mode,
    /// The current theme.
    pub theme: ThemeKind,
    /// The UI language.
    pub language: UiLanguage,
    /// The Inbox pane's state.
    pub inbox: InboxState,
    /// The palette, while open.
    pub palette: Option<PaletteState>,
    /// Whether the notification list is open.
    pub notifications_open: bool,
    /// The softphone.
    pub phone: phone::PhoneDesk,
    /// The Activity pane's state.
    pub activity: ActivityState,
    /// When the incoming-call ring last sounded.
    last_ring: Option<Instant>,
    ctx: egui::Context,
    sound: Option<AlertSound>,
    chimed: HashSet<InteractionId>,
    options: AppOptions,
    first_frame_done: bool,
    screenshots: Option<screenshot::Capture>,
    applied_theme: Option<ThemeKind>,
}

/// How often an incoming call rings.
const RING_EVERY: std::time::Duration = std::time::Duration::from_secs(3);

/// The local wall clock, for countdowns and notice times.
fn local_now() -> Timestamp {
    Timestamp(chrono::Utc::now().timestamp_millis())
}

impl App {
    /// Builds the app over a connection.
    pub fn new(ctx: &egui::Context, connection: Box<dyn Connection>, options: AppOptions) -> Self {
        egui_material_icons::initialize(ctx);
        let mut model = Model::default();
        let sound = if options.sound {
            match AlertSound::open() {
                Ok(sound) => Some(sound),
                Err(error) => {
                    tracing::warn!(%error, "offer alerts will be silent");
                    model.notify(NoticeKind::Info, NoticeBody::NoAudio, local_now());
                    None
                }
            }
        } else {
            None
        };
        let screenshots = options.screenshots.clone().map(screenshot::Capture::new);
        let mut phone = phone::PhoneDesk::default();
        if let Some(dir) = &options.settings_dir {
            phone.load(dir);
        }
        Self {
            connection,
            model,
            mode: Mode::Inbox,
            theme: ThemeKind::Dark,
            language: UiLanguage::English,
            inbox: InboxState::default(),
            palette: None,
            notifications_open: false,
            phone,
            activity: ActivityState::default(),
            last_ring: None,
            ctx: ctx.clone(),
            sound,
            chimed: HashSet::new(),
            options,
            first_frame_done: false,
            screenshots,
            applied_theme: None,
        }
    }

    /// Applies whatever arrived from the engine.
    pub fn pump(&mut self) {
        let now = local_now();
        for inbound in self.connection.poll() {
            match inbound {
                Inbound::Event(event) => self.model.apply(event, now),
                Inbound::Lost(reason) => {
                    self.model.connected = false;
                    self.model.notify(NoticeKind::Error, NoticeBody::Text(reason), now);
                }
            }
        }
        self.model.refresh_order();
        if let Some(me) = self.model.me().map(|u| u.role)
            && !self.mode.is_allowed(me)
        {
            self.mode = Mode::Inbox;
        }
        let new_offer = self.model.offers.iter().any(|o| !self.chimed.contains(&o.interaction));
        if new_offer {
            self.chimed.extend(self.model.offers.iter().map(|o| o.interaction));
            if let Some(sound) = &self.sound {
                sound.play();
            }
        }
        self.chimed.retain(|id| self.model.offers.iter().any(|o| o.interaction == *id));
        self.phone.pump();
        if let Some(exporting) = &self.activity.exporting
            && let Ok(result) = exporting.try_recv()
        {
            self.activity.exported = Some(result);
            self.activity.exporting = None;
        }
        // A call ringing here rings again every few seconds until it is answered or gone.
        let ringing = self.phone.incoming().is_some();
        if ringing && self.last_ring.is_none_or(|at| at.elapsed() >= RING_EVERY) {
            self.last_ring = Some(Instant::now());
            if let Some(sound) = &self.sound {
                sound.play();
            }
        } else if !ringing {
            self.last_ring = None;
        }
        for call in std::mem::take(&mut self.phone.finished) {
            self.connection.send(Command::RecordCall { call });
        }
        // Saved once a slider is let go, not on every step of the drag.
        if self.phone.unsaved
            && !self.ctx.input(|i| i.pointer.any_down())
            && let Some(dir) = &self.options.settings_dir
        {
            self.phone.save(dir);
        }
    }

    /// Carries out a command.
    pub fn run(&mut self, command: UiCommand) {
        let send = |app: &mut Self, command: Command| {
            app.connection.send(command);
        };
        match command {
            UiCommand::Go(mode) => {
                if self.model.me().is_some_and(|u| mode.is_allowed(u.role)) {
                    self.mode = mode;
                }
            }
            UiCommand::SetReady => send(self, Command::SetStatus { status: AgentStatus::Ready }),
            UiCommand::SetPaused(reason) => send(self, Command::SetStatus { status: AgentStatus::Paused { reason } }),
            UiCommand::SetLoggedOut => send(self, Command::SetStatus { status: AgentStatus::LoggedOut }),
            UiCommand::AcceptOffer => {
                if let Some(offer) = self.model.offers.first().cloned() {
                    send(self, Command::AcceptOffer { interaction: offer.interaction });
                    self.mode = Mode::Inbox;
                    self.inbox.selected = Some(offer.thread);
                    send(self, Command::OpenThread { thread: offer.thread });
                }
            }
            UiCommand::DeclineOffer => {
                if let Some(offer) = self.model.offers.first() {
                    let interaction = offer.interaction;
                    send(self, Command::RejectOffer { interaction });
                }
            }
            UiCommand::ToggleTheme => self.theme = self.theme.other(),
            UiCommand::ToggleLanguage => self.language = self.language.other(),
            UiCommand::OpenPalette => self.palette = Some(PaletteState::default()),
            UiCommand::ShowNotifications => {
                self.notifications_open = !self.notifications_open;
                self.model.unseen_notices = 0;
            }
            UiCommand::ToggleDemo => {
                if let Some(demo) = self.model.demo {
                    send(self, Command::SetDemoPaused { paused: !demo.paused });
                }
            }
            UiCommand::SwitchUser(login) => {
                self.connection.switch_user(&login);
                self.model = Model::default();
                self.inbox = InboxState::default();
                self.chimed.clear();
            }
            UiCommand::OpenThread(thread) => {
                self.inbox.selected = Some(thread);
                if self.model.open_thread.as_ref().is_none_or(|(t, _)| *t != thread) {
                    self.model.open_thread = None;
                    self.inbox.draft.clear();
                }
                send(self, Command::OpenThread { thread });
            }
            UiCommand::SendReply { thread, body } => {
                send(self, Command::SendMessage { thread, body });
                self.inbox.draft.clear();
            }
            UiCommand::Complete(thread) => send(self, Command::Complete { thread, disposition: None }),
            UiCommand::ConnectPhone => {
                let ctx = self.ctx.clone();
                self.phone.connect(move || ctx.request_repaint());
                if self.phone.is_connected()
                    && let Some(dir) = &self.options.settings_dir
                {
                    self.phone.save(dir);
                }
            }
            UiCommand::DisconnectPhone => self.phone.disconnect(),
            UiCommand::Dial(number) => self.phone.send(PhoneCommand::Dial(number)),
            UiCommand::AnswerCall(call) => {
                self.phone.send(PhoneCommand::Answer(call));
                self.mode = Mode::Phone;
            }
            UiCommand::DeclineCall(call) => self.phone.send(PhoneCommand::Reject(call)),
            UiCommand::HangUp(call) => self.phone.send(PhoneCommand::Hangup(call)),
            UiCommand::HoldCall(call) => self.phone.send(PhoneCommand::Hold(call)),
            UiCommand::ResumeCall(call) => self.phone.send(PhoneCommand::Resume(call)),
            UiCommand::MuteCall(call, muted) => self.phone.send(PhoneCommand::Mute(call, muted)),
            UiCommand::SendDigit(call, digit) => self.phone.send(PhoneCommand::Dtmf(call, digit)),
            UiCommand::TransferCall(call, target) => self.phone.send(PhoneCommand::Transfer(call, target)),
            UiCommand::EndWrapUp => send(self, Command::EndWrapUp { agent: None }),
            UiCommand::FetchActivity(from, to) => send(self, Command::MyActivity { from, to }),
            UiCommand::ExportWeek(csv, name) => {
                let dir = self.options.settings_dir.clone().unwrap_or_else(std::env::temp_dir).join("exports");
                let path = dir.join(name);
                let (done, result) = std::sync::mpsc::channel();
                let ctx = self.ctx.clone();
                // Written whole or not at all, on a thread of its own: the window never waits on the disk.
                let spawned = std::thread::Builder::new().name("export-week".into()).spawn(move || {
                    let written = std::fs::create_dir_all(&dir).and_then(|()| {
                        let temporary = path.with_extension("tmp");
                        std::fs::write(&temporary, csv)?;
                        std::fs::rename(&temporary, &path)
                    });
                    let _ = done.send(written.map(|()| path).map_err(|e| e.to_string()));
                    ctx.request_repaint();
                });
                self.activity.exporting = spawned.is_ok().then_some(result);
            }
        }
    }

    fn handle_shortcuts(&mut self, ctx: &egui::Context) {
        // Every shortcut uses Ctrl (Cmd): most frames have no such key press,
        // and they skip building the command list.
        let pressed_with_command = ctx.input(|i| {
            i.events.iter().any(|e| matches!(e, egui::Event::Key { pressed: true, modifiers, .. } if modifiers.command))
        });
        if !pressed_with_command {
            return;
        }
        let mut commands = UiCommand::available(&self.model);
        commands.extend(UiCommand::for_phone(&self.phone));
        let pressed: Vec<UiCommand> = commands
            .into_iter()
            .filter(|c| c.shortcut().is_some_and(|s| ctx.input_mut(|i| i.consume_shortcut(&s))))
            .collect();
        for command in pressed {
            self.run(command);
        }
    }

    /// The current status of the signed-in user.
    #[must_use]
    pub fn my_status(&self) -> Option<&AgentStatus> {
        self.model.my_status()
    }
}

impl eframe::App for App {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.pump();
        if self.applied_theme != Some(self.theme) {
            self.theme.apply(ctx);
            self.applied_theme = Some(self.theme);
        }
        self.handle_shortcuts(ctx);
        // Countdowns tick once a second, and only while an offer is open:
        // otherwise the window sleeps until an event wakes it.
        if !self.model.offers.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(250));
        } else if !self.phone.calls.is_empty() {
            // Call timers tick once a second, and a call ringing here rings again.
            ctx.request_repaint_after(std::time::Duration::from_millis(500));
        }
        if let Some(capture) = &mut self.screenshots {
            let me = self.model.me;
            let conversation = self
                .model
                .threads()
                .find(|t| t.assignee.is_some() && t.assignee == me)
                .or_else(|| self.model.threads().find(|t| t.status == crate::domain::ThreadStatus::Assigned))
                .map(|t| {
                    let open = self.inbox.selected == Some(t.id)
                        && self.model.open_thread.as_ref().is_some_and(|(id, _)| *id == t.id);
                    (t.id, open)
                });
            let role = self.model.me().map(|u| u.role);
            let offer_open = !self.model.offers.is_empty();
            if let Some(command) = capture.step(ctx, &mut self.mode, &mut self.theme, role, conversation, offer_open) {
                self.run(command);
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        shell::show(self, ui);
        if !self.first_frame_done {
            self.first_frame_done = true;
            if let Some(started) = self.options.started {
                let millis = started.elapsed().as_secs_f64() * 1000.0;
                tracing::info!(millis, "first frame");
                if let Some(path) = &self.options.report_first_frame
                    && let Err(error) = std::fs::write(path, format!("{millis:.1}\n"))
                {
                    tracing::warn!(%error, "could not write the first-frame report");
                }
            }
        }
    }
}
