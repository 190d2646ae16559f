//! Every action the workstation offers, as one enum: buttons, keyboard
//! shortcuts, the command palette and tests all go through it, and it is
//! handled in one place ([`super::App::run`]).

use super::i18n::{Text, UiLanguage, tr};
use super::mode::Mode;
use super::phone::{CallPhase, PhoneDesk};
use crate::client::Model;
use crate::domain::{AgentStatus, Permission, ThreadId, Timestamp};
use crate::voice::sip::ua::CallHandle;
use egui::{Key, KeyboardShortcut, Modifiers};

/// An action of the workstation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UiCommand {
    /// Show a mode.
    Go(Mode),
    /// Set my status to Ready.
    SetReady,
    /// Pause me with a reason from the admin's list.
    SetPaused(String),
    /// Log me out of my queues.
    SetLoggedOut,
    /// Accept the oldest offer.
    AcceptOffer,
    /// Decline the oldest offer.
    DeclineOffer,
    /// Dark ↔ light.
    ToggleTheme,
    /// English ↔ French.
    ToggleLanguage,
    /// Open the command palette.
    OpenPalette,
    /// Open the notification area.
    ShowNotifications,
    /// Pause or resume the demo generator.
    ToggleDemo,
    /// Sign in as another demo user.
    SwitchUser(String),
    /// Read a thread.
    OpenThread(ThreadId),
    /// Send a reply.
    SendReply {
        /// The thread.
        thread: ThreadId,
        /// The text.
        body: String,
    },
    /// Complete a thread.
    Complete(ThreadId),
    /// Start the softphone with the account form.
    ConnectPhone,
    /// Stop the softphone.
    DisconnectPhone,
    /// Call a number or SIP address.
    Dial(String),
    /// Answer the call ringing here.
    AnswerCall(CallHandle),
    /// Decline the call ringing here.
    DeclineCall(CallHandle),
    /// Hang up a call.
    HangUp(CallHandle),
    /// Put a call on hold.
    HoldCall(CallHandle),
    /// Take a call off hold.
    ResumeCall(CallHandle),
    /// Mute or unmute my microphone in a call.
    MuteCall(CallHandle, bool),
    /// Send a DTMF digit in a call.
    SendDigit(CallHandle, char),
    /// Blind-transfer a call.
    TransferCall(CallHandle, String),
    /// End my wrap-up now.
    EndWrapUp,
    /// Fetch my phone figures for a period (a local day).
    FetchActivity(Timestamp, Timestamp),
    /// Save a week's activity as CSV (text, file name) in the data folder's exports.
    ExportWeek(String, String),
}

const fn ctrl(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND, key)
}

const fn ctrl_shift(key: Key) -> KeyboardShortcut {
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), key)
}

impl UiCommand {
    /// The keyboard shortcut, if it has one.
    #[must_use]
    pub fn shortcut(&self) -> Option<KeyboardShortcut> {
        const DIGITS: [Key; 7] = [Key::Num1, Key::Num2, Key::Num3, Key::Num4, Key::Num5, Key::Num6, Key::Num7];
        Some(match self {
            UiCommand::Go(mode) => ctrl(DIGITS[mode.position()]),
            UiCommand::OpenPalette => ctrl(Key::K),
            UiCommand::SetReady => ctrl_shift(Key::R),
            UiCommand::SetLoggedOut => ctrl_shift(Key::O),
            UiCommand::AcceptOffer => ctrl_shift(Key::A),
            UiCommand::DeclineOffer => ctrl_shift(Key::D),
            UiCommand::ToggleTheme => ctrl_shift(Key::T),
            UiCommand::ToggleLanguage => ctrl_shift(Key::L),
            UiCommand::ShowNotifications => ctrl_shift(Key::N),
            UiCommand::AnswerCall(_) => ctrl_shift(Key::Enter),
            UiCommand::HangUp(_) => ctrl_shift(Key::H),
            _ => return None,
        })
    }

    /// The label shown in the palette and in tooltips.
    #[must_use]
    pub fn label(&self, language: UiLanguage) -> String {
        let t = |text| tr(language, text);
        match self {
            UiCommand::Go(mode) => format!("{} {}", t(Text::GoTo), t(mode.text())),
            UiCommand::SetReady => t(Text::SetReady).to_owned(),
            UiCommand::SetPaused(reason) => format!("{} — {reason}", t(Text::SetPaused)),
            UiCommand::SetLoggedOut => t(Text::SetLoggedOut).to_owned(),
            UiCommand::AcceptOffer => t(Text::AcceptOffer).to_owned(),
            UiCommand::DeclineOffer => t(Text::DeclineOffer).to_owned(),
            UiCommand::ToggleTheme => t(Text::ToggleTheme).to_owned(),
            UiCommand::ToggleLanguage => t(Text::ToggleLanguage).to_owned(),
            UiCommand::OpenPalette => t(Text::OpenPalette).to_owned(),
            UiCommand::ShowNotifications => t(Text::ShowNotifications).to_owned(),
            UiCommand::ToggleDemo => t(Text::ToggleDemo).to_owned(),
            UiCommand::SwitchUser(login) => format!("{}: {login}", t(Text::SwitchUser)),
            UiCommand::OpenThread(_) => t(Text::Conversations).to_owned(),
            UiCommand::SendReply { .. } => t(Text::Send).to_owned(),
            UiCommand::Complete(_) => t(Text::Complete).to_owned(),
            UiCommand::ConnectPhone => t(Text::ConnectPhone).to_owned(),
            UiCommand::DisconnectPhone => t(Text::DisconnectPhone).to_owned(),
            UiCommand::Dial(number) => format!("{} {number}", t(Text::CallButton)),
            UiCommand::AnswerCall(_) => t(Text::Answer).to_owned(),
            UiCommand::DeclineCall(_) => t(Text::Decline).to_owned(),
            UiCommand::HangUp(_) => t(Text::HangUp).to_owned(),
            UiCommand::HoldCall(_) => t(Text::Hold).to_owned(),
            UiCommand::ResumeCall(_) => t(Text::ResumeCall).to_owned(),
            UiCommand::MuteCall(_, true) => t(Text::Mute).to_owned(),
            UiCommand::MuteCall(_, false) => t(Text::Unmute).to_owned(),
            UiCommand::SendDigit(_, digit) => format!("{} {digit}", t(Text::Keypad)),
            UiCommand::TransferCall(_, target) => format!("{} {target}", t(Text::TransferTo)),
            UiCommand::EndWrapUp => t(Text::EndWrapUp).to_owned(),
            UiCommand::FetchActivity(..) => t(Text::Activity).to_owned(),
            UiCommand::ExportWeek(..) => t(Text::ExportCsv).to_owned(),
        }
    }

    /// The commands that make sense now, for the palette and shortcuts.
    #[must_use]
    pub fn available(model: &Model) -> Vec<UiCommand> {
        let Some(me) = model.me() else { return vec![UiCommand::ToggleTheme, UiCommand::ToggleLanguage] };
        let mut commands: Vec<UiCommand> =
            Mode::ALL.iter().filter(|m| m.is_allowed(me.role)).map(|m| UiCommand::Go(*m)).collect();
        commands.push(UiCommand::SetReady);
        commands.extend(model.pause_reasons.iter().map(|r| UiCommand::SetPaused(r.label.clone())));
        commands.push(UiCommand::SetLoggedOut);
        if !model.offers.is_empty() {
            commands.extend([UiCommand::AcceptOffer, UiCommand::DeclineOffer]);
        }
        if model.wrap_ups.contains_key(&me.id) {
            commands.push(UiCommand::EndWrapUp);
        }
        commands.extend([
            UiCommand::ToggleTheme,
            UiCommand::ToggleLanguage,
            UiCommand::ShowNotifications,
            UiCommand::OpenPalette,
        ]);
        if model.demo.is_some() && me.role.allows(Permission::Administer) {
            commands.push(UiCommand::ToggleDemo);
        }
        if model.demo.is_some() {
            commands.extend(
                crate::sim::DEMO_USERS
                    .iter()
                    .filter(|(login, _, _)| *login != me.login)
                    .map(|(login, _, _)| UiCommand::SwitchUser((*login).to_owned())),
            );
        }
        commands
    }

    /// The phone commands that make sense now, for the palette and shortcuts.
    #[must_use]
    pub fn for_phone(desk: &PhoneDesk) -> Vec<UiCommand> {
        let mut commands = Vec::new();
        if let Some(call) = desk.incoming() {
            commands.extend([UiCommand::AnswerCall(call.handle), UiCommand::DeclineCall(call.handle)]);
        }
        for call in desk.calls.iter().filter(|c| c.phase != CallPhase::Incoming) {
            commands.push(UiCommand::HangUp(call.handle));
            if call.phase == CallPhase::Connected {
                commands.push(if call.held {
                    UiCommand::ResumeCall(call.handle)
                } else {
                    UiCommand::HoldCall(call.handle)
                });
                commands.push(UiCommand::MuteCall(call.handle, !call.muted));
            }
        }
        commands.push(if desk.is_connected() { UiCommand::DisconnectPhone } else { UiCommand::ConnectPhone });
        commands
    }

    /// Whether the command applies to my current status (to grey out the current one).
    #[must_use]
    pub fn is_current_status(&self, status: &AgentStatus) -> bool {
        match (self, status) {
            (UiCommand::SetReady, AgentStatus::Ready) | (UiCommand::SetLoggedOut, AgentStatus::LoggedOut) => true,
            (UiCommand::SetPaused(a), AgentStatus::Paused { reason }) => a == reason,
            _ => false,
        }
    }
}

/// A shortcut as the user reads it, e.g. `Ctrl+Shift+A`.
#[must_use]
pub fn shortcut_text(ctx: &egui::Context, shortcut: &KeyboardShortcut) -> String {
    ctx.format_shortcut(shortcut)
}
