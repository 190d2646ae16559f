//! The Inbox: every conversation, newest first, and the selected one with its
//! messages and a reply box for the agent who holds it.

use super::super::commands::UiCommand;
use super::super::i18n::{Text, channel_text, status_text, tr};
use super::super::theme::{self, SPACE, icons};
use super::super::{App, local_now};
use crate::domain::{Author, ThreadStatus, ThreadSummary};
use egui::{Align, Frame, Layout, Margin, RichText, Sense, Ui};

const ROW_HEIGHT: f32 = 58.0;
const LIST_WIDTH: f32 = 380.0;

/// Draws the Inbox.
pub fn show(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let palette = app.theme.palette();
    egui::Panel::left("thread-list")
        .exact_size(LIST_WIDTH)
        .resizable(false)
        .frame(Frame::new().fill(palette.surface).corner_radius(theme::RADIUS).inner_margin(Margin::same(8)))
        .show(ui, |ui| thread_list(app, ui, requests));
    egui::CentralPanel::default()
        .frame(Frame::new().inner_margin(Margin { left: 16, ..Margin::ZERO }))
        .show(ui, |ui| thread_view(app, ui, requests));
}

fn age(now_ms: i64, at_ms: i64) -> String {
    let secs = (now_ms - at_ms).max(0) / 1000;
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

fn thread_list(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let me = app.model.me;
    ui.horizontal(|ui| {
        ui.heading(tr(lang, Text::Conversations));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            ui.selectable_value(&mut app.inbox.only_mine, true, tr(lang, Text::Mine));
            ui.selectable_value(&mut app.inbox.only_mine, false, tr(lang, Text::All));
        });
    });
    ui.add_space(SPACE / 2.0);
    let only_mine = app.inbox.only_mine;
    let threads: Vec<&ThreadSummary> =
        app.model.threads().filter(|t| !only_mine || (t.assignee == me && me.is_some())).collect();
    if threads.is_empty() {
        ui.label(RichText::new(tr(lang, Text::NoConversations)).color(palette.muted));
        return;
    }
    let now = app.model.engine_now(local_now()).0;
    let selected = app.inbox.selected;
    egui::ScrollArea::vertical().auto_shrink([false, false]).show_rows(ui, ROW_HEIGHT, threads.len(), |ui, range| {
        for thread in &threads[range] {
            let is_selected = selected == Some(thread.id);
            let (rect, response) =
                ui.allocate_exact_size(egui::vec2(ui.available_width(), ROW_HEIGHT - 4.0), Sense::click());
            response.widget_info(|| {
                egui::WidgetInfo::selected(egui::Role::Button, true, is_selected, &thread.customer_name)
            });
            let fill = if is_selected {
                palette.raised
            } else if response.hovered() {
                palette.raised.gamma_multiply(0.5)
            } else {
                palette.surface
            };
            ui.painter().rect_filled(rect, 4.0, fill);
            let mut child = ui.new_child(egui::UiBuilder::new().max_rect(rect.shrink2(egui::vec2(8.0, 5.0))));
            let bold = thread.unread > 0 && thread.assignee == me;
            child.horizontal(|ui| {
                ui.label(theme::channel_icon(thread.channel).rich_text().size(theme::ICON_SIZE).color(palette.muted))
                    .on_hover_text(tr(lang, channel_text(thread.channel)));
                let name = RichText::new(&thread.customer_name);
                ui.label(if bold { name.strong() } else { name });
                ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                    ui.label(RichText::new(age(now, thread.updated_at.0)).small().color(palette.muted));
                    let colour = match thread.status {
                        ThreadStatus::Waiting | ThreadStatus::Offered => palette.warning,
                        ThreadStatus::Assigned => palette.accent,
                        _ => palette.muted,
                    };
                    ui.label(RichText::new(tr(lang, status_text(thread.status))).small().color(colour));
                    if bold {
                        theme::dot(ui, palette.accent, 8.0);
                    }
                });
            });
            let preview = if thread.customer_closed { tr(lang, Text::CustomerClosed) } else { thread.preview.as_str() };
            child.add(egui::Label::new(RichText::new(preview).small().color(palette.muted)).truncate());
            if response.clicked() {
                requests.push(UiCommand::OpenThread(thread.id));
            }
        }
    });
}

fn thread_view(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let Some(thread) = app.inbox.selected.and_then(|id| app.model.thread(id)).cloned() else {
        ui.centered_and_justified(|ui| {
            ui.label(RichText::new(tr(lang, Text::SelectConversation)).color(palette.muted));
        });
        return;
    };
    let mine = app.model.me.is_some() && thread.assignee == app.model.me && thread.status == ThreadStatus::Assigned;
    ui.horizontal(|ui| {
        ui.label(theme::channel_icon(thread.channel).rich_text().size(20.0).color(palette.accent));
        // The subject keeps to its column, one line, so that it never runs under the status on the right.
        let reserved = 260.0;
        ui.vertical(|ui| {
            ui.set_max_width((ui.available_width() - reserved).max(120.0));
            ui.heading(&thread.customer_name);
            ui.add(egui::Label::new(RichText::new(&thread.subject).color(palette.muted)).truncate());
        });
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if mine {
                let complete = egui::Button::new(format!("{} {}", icons::COMPLETE.codepoint, tr(lang, Text::Complete)));
                if ui.add(complete).clicked() {
                    requests.push(UiCommand::Complete(thread.id));
                }
            }
            let status = tr(lang, status_text(thread.status));
            let holder = thread.assignee.filter(|_| !mine).and_then(|id| app.model.users.get(&id));
            let status = match holder {
                Some(user) => format!("{status} · {}", user.name),
                None => status.to_owned(),
            };
            ui.label(RichText::new(status).color(palette.muted));
        });
    });
    ui.separator();
    let composer_height = if mine { 110.0 } else { 40.0 };
    let messages_height = (ui.available_height() - composer_height).max(80.0);
    let loaded = app.model.open_thread.as_ref().filter(|(id, _)| *id == thread.id).map(|(_, m)| m);
    egui::ScrollArea::vertical().max_height(messages_height).auto_shrink([false, false]).stick_to_bottom(true).show(
        ui,
        |ui| {
            let Some(messages) = loaded else {
                ui.label(RichText::new(tr(lang, Text::Loading)).color(palette.muted));
                return;
            };
            for message in messages {
                let (who, fill, align) = match &message.author {
                    Author::Customer => (thread.customer_name.clone(), palette.surface, Align::Min),
                    Author::Agent(id) => (
                        app.model.users.get(id).map_or_else(|| "Agent".to_owned(), |u| u.name.clone()),
                        palette.raised,
                        Align::Max,
                    ),
                    Author::System => (tr(lang, Text::System).to_owned(), palette.background, Align::Center),
                };
                let time = chrono::DateTime::from_timestamp_millis(message.at.0)
                    .map(|t| t.with_timezone(&chrono::Local).format("%H:%M").to_string())
                    .unwrap_or_default();
                ui.with_layout(Layout::top_down(align), |ui| {
                    Frame::new().fill(fill).corner_radius(8).inner_margin(Margin::symmetric(10, 6)).show(ui, |ui| {
                        ui.set_max_width(520.0);
                        ui.label(RichText::new(format!("{who} · {time}")).small().color(palette.muted));
                        ui.label(&message.body);
                    });
                });
                ui.add_space(SPACE / 2.0);
            }
        },
    );
    ui.separator();
    if mine {
        let send_shortcut = ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::Enter));
        ui.add(
            egui::TextEdit::multiline(&mut app.inbox.draft)
                .hint_text(tr(lang, Text::ReplyPlaceholder))
                .desired_rows(3)
                .desired_width(f32::INFINITY),
        )
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::TextInput, true, tr(lang, Text::Reply)));
        ui.horizontal(|ui| {
            ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
                let ready = !app.inbox.draft.trim().is_empty();
                let send = ui.add_enabled(
                    ready,
                    egui::Button::new(format!("{} {}", icons::SEND.codepoint, tr(lang, Text::Send))),
                );
                if ready && (send.clicked() || send_shortcut) {
                    requests.push(UiCommand::SendReply { thread: thread.id, body: app.inbox.draft.clone() });
                }
            });
        });
    } else if thread.customer_closed {
        ui.label(RichText::new(tr(lang, Text::CustomerClosed)).color(palette.warning));
    } else if !thread.status.is_closed() {
        ui.label(RichText::new(tr(lang, Text::NotYours)).small().color(palette.muted));
    }
}
