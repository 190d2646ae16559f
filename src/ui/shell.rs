//! The shell around every mode: navigation bar (A1), header with status,
//! connection, notifications, theme and language (A2), the offer banner (A3)
//! and the command palette.

use super::commands::{UiCommand, shortcut_text};
use super::i18n::{Text, channel_text, tr};
use super::mode::Mode;
use super::theme::{self, HEADER_HEIGHT, NAV_ICON_SIZE, NAV_WIDTH, SPACE, ThemeKind, icons};
use super::{App, local_now, panes};
use crate::client::{Link, NoticeBody, NoticeKind};
use crate::domain::{AgentStatus, Role};
use egui::{Align, Frame, Layout, Margin, RichText, Sense, Ui, WidgetInfo};

/// Draws the whole window.
pub fn show(app: &mut App, ui: &mut Ui) {
    let mut requests = Vec::new();
    let palette = app.theme.palette();
    egui::Panel::top("header")
        .exact_size(HEADER_HEIGHT)
        .frame(Frame::new().fill(palette.surface).inner_margin(Margin::symmetric(12, 6)))
        .show(ui, |ui| header(app, ui, &mut requests));
    egui::Panel::left("navigation")
        .exact_size(NAV_WIDTH)
        .resizable(false)
        .frame(Frame::new().fill(palette.nav).inner_margin(Margin::symmetric(6, 10)))
        .show(ui, |ui| navigation(app, ui, &mut requests));
    if app.phone.incoming().is_some() {
        egui::Panel::top("call-banner")
            .frame(Frame::new().fill(palette.banner).inner_margin(Margin::symmetric(16, 10)))
            .show(ui, |ui| call_banner(app, ui, &mut requests));
    }
    if !app.model.offers.is_empty() {
        egui::Panel::top("offer-banner")
            .frame(Frame::new().fill(palette.banner).inner_margin(Margin::symmetric(16, 10)))
            .show(ui, |ui| offer_banner(app, ui, &mut requests));
    }
    egui::CentralPanel::default()
        .frame(Frame::new().fill(palette.background).inner_margin(Margin::same(16)))
        .show(ui, |ui| panes::show(app, ui, &mut requests));
    if app.palette.is_some() {
        command_palette(app, ui.ctx(), &mut requests);
    }
    if app.notifications_open {
        notifications(app, ui.ctx(), &mut requests);
    }
    for request in requests {
        app.run(request);
    }
}

fn navigation(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let Some(role) = app.model.me().map(|u| u.role) else { return };
    ui.vertical_centered(|ui| {
        ui.spacing_mut().item_spacing.y = SPACE;
        for mode in Mode::ALL.into_iter().filter(|m| m.is_allowed(role)) {
            let name = tr(app.language, mode.text());
            let selected = app.mode == mode;
            let size = egui::vec2(NAV_WIDTH - 12.0, NAV_WIDTH - 16.0);
            let (rect, response) = ui.allocate_exact_size(size, Sense::click());
            response.widget_info(|| WidgetInfo::selected(egui::Role::Button, true, selected, name));
            let fill = if selected {
                theme::NAV_SELECTED
            } else if response.hovered() {
                theme::NAV_SELECTED.gamma_multiply(0.6)
            } else {
                egui::Color32::TRANSPARENT
            };
            ui.painter().rect_filled(rect, 6.0, fill);
            let colour = if selected { app.theme.palette().on_accent } else { theme::NAV_TEXT };
            ui.painter().text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                mode.icon().codepoint,
                egui::FontId::new(NAV_ICON_SIZE, egui::FontFamily::Name(egui_material_icons::FONT_FAMILY.into())),
                colour,
            );
            if selected {
                let bar = egui::Rect::from_min_size(rect.left_top(), egui::vec2(3.0, rect.height()));
                ui.painter().rect_filled(bar, 2.0, app.theme.palette().accent);
            }
            let shortcut = UiCommand::Go(mode).shortcut().map(|s| shortcut_text(ui.ctx(), &s)).unwrap_or_default();
            if response.on_hover_text(format!("{name}   {shortcut}")).clicked() {
                requests.push(UiCommand::Go(mode));
            }
        }
    });
}

fn status_label(app: &App, status: &AgentStatus) -> String {
    match status {
        AgentStatus::Ready => tr(app.language, Text::Ready).to_owned(),
        AgentStatus::Paused { reason } => format!("{} — {reason}", tr(app.language, Text::Paused)),
        AgentStatus::LoggedOut => tr(app.language, Text::LoggedOut).to_owned(),
    }
}

fn header(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let palette = app.theme.palette();
    let lang = app.language;
    ui.horizontal_centered(|ui| {
        ui.label(RichText::new("Switchboard").strong().size(16.0));
        ui.label(RichText::new(tr(lang, app.mode.text())).color(palette.muted));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let theme_icon = match app.theme {
                ThemeKind::Dark => icons::LIGHT,
                ThemeKind::Light => icons::DARK,
            };
            let theme_name = match app.theme {
                ThemeKind::Dark => Text::LightTheme,
                ThemeKind::Light => Text::DarkTheme,
            };
            let button = egui::Button::new(theme_icon.rich_text().size(18.0)).frame(false);
            let response = ui.add(button);
            response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, tr(lang, theme_name)));
            if response.on_hover_text(tr(lang, theme_name)).clicked() {
                requests.push(UiCommand::ToggleTheme);
            }
            let language = ui
                .add(egui::Button::new(tr(lang, Text::SwitchLanguage)).frame(false))
                .on_hover_text(tr(lang, Text::SwitchLanguageHint));
            if language.clicked() {
                requests.push(UiCommand::ToggleLanguage);
            }
            let unseen = app.model.unseen_notices;
            let bell = if unseen > 0 {
                RichText::new(format!("{} {unseen}", icons::BELL.codepoint)).color(palette.warning)
            } else {
                icons::BELL.rich_text()
            };
            let response = ui.add(egui::Button::new(bell.size(16.0)).frame(false));
            response.widget_info(|| WidgetInfo::labeled(egui::Role::Button, true, tr(lang, Text::Notifications)));
            if response.on_hover_text(tr(lang, Text::Notifications)).clicked() {
                requests.push(UiCommand::ShowNotifications);
            }
            ui.separator();
            connection_indicator(app, ui);
            ui.separator();
            status_menu(app, ui, requests);
            user_menu(app, ui, requests);
        });
    });
}

fn connection_indicator(app: &App, ui: &mut Ui) {
    let palette = app.theme.palette();
    let lang = app.language;
    let (colour, text) = match (app.model.connected, app.connection.link()) {
        (false, _) => (palette.danger, tr(lang, Text::Reconnecting).to_owned()),
        (true, Link::Embedded) => (palette.success, tr(lang, Text::Embedded).to_owned()),
        (true, Link::Server { round_trip_ms }) => (
            palette.success,
            match round_trip_ms {
                Some(ms) => format!("{} · {ms:.0} ms", tr(lang, Text::Server)),
                None => tr(lang, Text::Server).to_owned(),
            },
        ),
    };
    ui.label(RichText::new(text).small().color(palette.muted));
    ui.label(RichText::new(icons::LINK.codepoint).color(colour).family(icon_family()));
}

fn icon_family() -> egui::FontFamily {
    egui::FontFamily::Name(egui_material_icons::FONT_FAMILY.into())
}

fn status_menu(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let Some(status) = app.model.my_status() else { return };
    let palette = app.theme.palette();
    let lang = app.language;
    let label = format!("{} {}", tr(lang, Text::Status), status_label(app, status));
    ui.menu_button(RichText::new(label), |ui| {
        let mut item = |ui: &mut Ui, command: UiCommand, text: String| {
            let current = command.is_current_status(status);
            if ui.add_enabled(!current, egui::Button::new(text)).clicked() {
                requests.push(command);
                ui.close();
            }
        };
        item(ui, UiCommand::SetReady, tr(lang, Text::Ready).to_owned());
        ui.label(RichText::new(tr(lang, Text::PauseWith)).small().color(palette.muted));
        for reason in &app.model.pause_reasons {
            item(ui, UiCommand::SetPaused(reason.label.clone()), reason.label.clone());
        }
        ui.separator();
        item(ui, UiCommand::SetLoggedOut, tr(lang, Text::LoggedOut).to_owned());
    });
    theme::dot(ui, theme::status_colour(&palette, status), 10.0);
}

fn user_menu(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let Some(me) = app.model.me() else { return };
    let lang = app.language;
    let role = match me.role {
        Role::Agent => Text::Agent,
        Role::Supervisor => Text::Supervisor,
        Role::Admin => Text::Administrator,
    };
    let title = format!("{} {}", icons::PERSON.codepoint, me.name);
    ui.menu_button(title, |ui| {
        ui.label(RichText::new(format!("{} {} · {}", tr(lang, Text::SignedInAs), me.name, tr(lang, role))).small());
        if let Some(demo) = app.model.demo {
            ui.separator();
            let state = if demo.paused { Text::DemoPaused } else { Text::DemoRunning };
            ui.label(RichText::new(tr(lang, state)).small());
            if me.role.allows(crate::domain::Permission::Administer) {
                let action = if demo.paused { Text::ResumeDemo } else { Text::PauseDemo };
                if ui.button(tr(lang, action)).clicked() {
                    requests.push(UiCommand::ToggleDemo);
                    ui.close();
                }
            }
            ui.separator();
            ui.label(RichText::new(tr(lang, Text::SwitchUser)).small());
            for (login, name, _) in crate::sim::DEMO_USERS {
                if *login != me.login && ui.button(*name).clicked() {
                    requests.push(UiCommand::SwitchUser((*login).to_owned()));
                    ui.close();
                }
            }
        }
    });
}

/// A call ringing here: who calls, answer (green) and decline (red).
fn call_banner(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let palette = app.theme.palette();
    let lang = app.language;
    let Some(call) = app.phone.incoming() else { return };
    ui.horizontal(|ui| {
        ui.label(RichText::new(icons::PHONE.codepoint).size(22.0).color(palette.accent));
        ui.label(RichText::new(format!("{} {}", tr(lang, Text::IncomingCall), call.remote)).strong().size(15.0));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let decline = egui::Button::new(
                RichText::new(format!("{} {}", icons::DECLINE.codepoint, tr(lang, Text::Decline)))
                    .color(palette.on_accent),
            )
            .fill(palette.danger);
            if ui.add(decline).clicked() {
                requests.push(UiCommand::DeclineCall(call.handle));
            }
            let answer = egui::Button::new(
                RichText::new(format!("{} {}", icons::PHONE.codepoint, tr(lang, Text::Answer)))
                    .strong()
                    .color(palette.on_accent),
            )
            .fill(palette.success);
            if ui.add(answer).on_hover_text(shortcut_hint(ui.ctx(), &UiCommand::AnswerCall(call.handle))).clicked() {
                requests.push(UiCommand::AnswerCall(call.handle));
            }
        });
    });
}

fn offer_banner(app: &App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let palette = app.theme.palette();
    let lang = app.language;
    let now = app.model.engine_now(local_now());
    let Some(offer) = app.model.offers.first() else { return };
    let left_secs = ((offer.expires_at.0 - now.0).max(0) + 999) / 1000;
    let total = (offer.expires_at.0 - offer.offered_at.0).max(1) as f32;
    let fraction = ((offer.expires_at.0 - now.0).max(0) as f32 / total).clamp(0.0, 1.0);
    ui.horizontal(|ui| {
        ui.label(theme::channel_icon(offer.channel).rich_text().size(22.0).color(palette.accent));
        // The text keeps to its column, one line each, leaving the countdown and buttons their room.
        let reserved = 360.0;
        ui.vertical(|ui| {
            ui.set_max_width((ui.available_width() - reserved).max(160.0));
            ui.label(
                RichText::new(format!(
                    "{} {} {} {}",
                    tr(lang, Text::NewOffer),
                    tr(lang, channel_text(offer.channel)).to_lowercase(),
                    tr(lang, Text::From),
                    offer.customer_name
                ))
                .strong()
                .size(15.0),
            );
            ui.add(egui::Label::new(RichText::new(&offer.preview).color(palette.muted)).truncate());
            ui.add(
                egui::Label::new(
                    RichText::new(format!("{}: {}", tr(lang, Text::WhyMe), offer.reason)).small().color(palette.muted),
                )
                .truncate(),
            );
        });
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            let decline = egui::Button::new(
                RichText::new(format!("{} {}", icons::DECLINE.codepoint, tr(lang, Text::Decline)))
                    .color(palette.on_accent),
            )
            .fill(palette.danger);
            if ui.add(decline).on_hover_text(shortcut_hint(ui.ctx(), &UiCommand::DeclineOffer)).clicked() {
                requests.push(UiCommand::DeclineOffer);
            }
            let accept = egui::Button::new(
                RichText::new(format!("{} {}", icons::ACCEPT.codepoint, tr(lang, Text::Accept)))
                    .strong()
                    .color(palette.on_accent),
            )
            .fill(palette.success);
            if ui.add(accept).on_hover_text(shortcut_hint(ui.ctx(), &UiCommand::AcceptOffer)).clicked() {
                requests.push(UiCommand::AcceptOffer);
            }
            let urgent = left_secs <= 5;
            ui.vertical(|ui| {
                ui.set_width(110.0);
                let countdown = RichText::new(format!("{left_secs} {}", tr(lang, Text::SecondsLeft))).strong();
                ui.label(if urgent { countdown.color(palette.danger) } else { countdown });
                ui.add(egui::ProgressBar::new(fraction).desired_width(110.0).desired_height(5.0).fill(if urgent {
                    palette.danger
                } else {
                    palette.accent
                }));
            });
            if app.model.offers.len() > 1 {
                ui.label(RichText::new(format!("+{}", app.model.offers.len() - 1)).strong());
            }
        });
    });
}

fn shortcut_hint(ctx: &egui::Context, command: &UiCommand) -> String {
    command.shortcut().map(|s| shortcut_text(ctx, &s)).unwrap_or_default()
}

fn command_palette(app: &mut App, ctx: &egui::Context, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let mut commands = UiCommand::available(&app.model);
    commands.extend(UiCommand::for_phone(&app.phone));
    let Some(state) = &mut app.palette else { return };
    let query = state.query.to_lowercase();
    let matches: Vec<&UiCommand> =
        commands.iter().filter(|c| query.is_empty() || c.label(lang).to_lowercase().contains(&query)).collect();
    state.selected = state.selected.min(matches.len().saturating_sub(1));
    let mut close = ctx.input(|i| i.key_pressed(egui::Key::Escape));
    let mut chosen = None;
    egui::Window::new(tr(lang, Text::CommandPalette))
        .collapsible(false)
        .resizable(false)
        .title_bar(false)
        .anchor(egui::Align2::CENTER_TOP, egui::vec2(0.0, 80.0))
        .min_width(480.0)
        .max_width(480.0)
        .show(ctx, |ui| {
            let input = ui.add(
                egui::TextEdit::singleline(&mut state.query)
                    .hint_text(tr(lang, Text::TypeACommand))
                    .desired_width(f32::INFINITY),
            );
            input.request_focus();
            if ui.input(|i| i.key_pressed(egui::Key::ArrowDown)) {
                state.selected = (state.selected + 1).min(matches.len().saturating_sub(1));
            }
            if ui.input(|i| i.key_pressed(egui::Key::ArrowUp)) {
                state.selected = state.selected.saturating_sub(1);
            }
            if ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                chosen = matches.get(state.selected).map(|c| (*c).clone());
            }
            ui.separator();
            if matches.is_empty() {
                ui.label(RichText::new(tr(lang, Text::NoMatchingCommand)).color(palette.muted));
            }
            egui::ScrollArea::vertical().max_height(360.0).show(ui, |ui| {
                for (index, command) in matches.iter().enumerate() {
                    let shortcut = command.shortcut().map(|s| shortcut_text(ui.ctx(), &s)).unwrap_or_default();
                    let selected = index == state.selected;
                    let response = ui
                        .horizontal(|ui| {
                            let row = ui.selectable_label(selected, command.label(lang));
                            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                                ui.label(RichText::new(&shortcut).small().color(palette.muted));
                            });
                            row
                        })
                        .inner;
                    if response.clicked() {
                        chosen = Some((*command).clone());
                    }
                }
            });
        });
    if let Some(command) = chosen {
        requests.push(command);
        close = true;
    }
    if close {
        app.palette = None;
    }
}

fn notifications(app: &mut App, ctx: &egui::Context, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let mut open = true;
    let mut clear = false;
    egui::Window::new(tr(lang, Text::Notifications))
        .open(&mut open)
        .collapsible(false)
        .resizable(false)
        .anchor(egui::Align2::RIGHT_TOP, egui::vec2(-12.0, HEADER_HEIGHT + 8.0))
        .min_width(360.0)
        .max_width(360.0)
        .show(ctx, |ui| {
            if app.model.notices.is_empty() {
                ui.label(RichText::new(tr(lang, Text::NoNotifications)).color(palette.muted));
                return;
            }
            egui::ScrollArea::vertical().max_height(320.0).show(ui, |ui| {
                for notice in app.model.notices.iter().rev() {
                    let colour = match notice.kind {
                        NoticeKind::Info => palette.text,
                        NoticeKind::Error => palette.danger,
                    };
                    let time = chrono::DateTime::from_timestamp_millis(notice.at.0)
                        .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
                        .unwrap_or_default();
                    let text = match &notice.body {
                        NoticeBody::OfferExpired => tr(lang, Text::OfferExpired).to_owned(),
                        NoticeBody::PausedForMissedOffers => tr(lang, Text::PausedForMissedOffers).to_owned(),
                        NoticeBody::NoAudio => tr(lang, Text::NoAudio).to_owned(),
                        NoticeBody::Inactive { customer } => format!("{} {customer}", tr(lang, Text::InactivePrompt)),
                        NoticeBody::DeferReturned { customer } => {
                            format!("{} {customer}", tr(lang, Text::DeferReturned))
                        }
                        NoticeBody::Text(text) => text.clone(),
                    };
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(time).small().color(palette.muted));
                        ui.label(RichText::new(text).color(colour));
                    });
                }
            });
            if ui.button(tr(lang, Text::ClearNotifications)).clicked() {
                clear = true;
            }
        });
    if clear {
        app.model.notices.clear();
    }
    if !open {
        requests.push(UiCommand::ShowNotifications);
    }
}
