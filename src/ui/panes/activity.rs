//! The Activity pane (G1): my figures today beside a day I choose — queue
//! calls taken, non-queue calls taken and made, talk time, and the digital
//! side (conversations handled, handle and first-response times) — read
//! from what the engine recorded.

use super::super::App;
use super::super::commands::UiCommand;
use super::super::i18n::{Text, tr};
use super::super::theme::{self, SPACE};
use crate::domain::{ActivityFigures, Timestamp};
use chrono::{Local, NaiveDate, TimeZone};
use egui::{Frame, Margin, RichText, Ui};
use egui_material_icons::icons as i;

/// The local day `[start, end)` as engine timestamps.
fn day_bounds(day: NaiveDate) -> (Timestamp, Timestamp) {
    let start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| Local.from_local_datetime(&t).earliest())
            .map_or(0, |t| t.timestamp_millis())
    };
    let next = day.succ_opt().unwrap_or(day);
    (Timestamp(start(day)), Timestamp(start(next)))
}

/// Draws the pane.
pub fn show(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let today = Local::now().date_naive();
    // Figures were cleared (a call was recorded): ask again.
    if app.model.activity.is_empty() {
        app.activity.requested.clear();
    }
    for day in [today, app.activity.compare] {
        let (from, to) = day_bounds(day);
        if !app.model.activity.contains_key(&from) && app.activity.requested.insert(from) {
            requests.push(UiCommand::FetchActivity(from, to));
        }
    }
    let lang = app.language;
    egui::ScrollArea::vertical().id_salt("activity").show(ui, |ui| columns(app, ui, today, lang));
}

fn columns(app: &mut App, ui: &mut Ui, today: NaiveDate, lang: super::super::i18n::UiLanguage) {
    ui.horizontal_top(|ui| {
        let width = (ui.available_width() - SPACE * 2.0) / 2.0;
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.label(
                RichText::new(format!("{} · {}", tr(lang, Text::Today), today.format("%d/%m/%Y"))).strong().size(18.0),
            );
            ui.add_space(SPACE);
            figures(app, ui, app.model.activity.get(&day_bounds(today).0).copied());
        });
        ui.add_space(SPACE * 2.0);
        ui.vertical(|ui| {
            ui.set_width(width);
            ui.horizontal(|ui| {
                ui.label(RichText::new(tr(lang, Text::CompareWith)).strong().size(18.0));
                if ui.button(i::ICON_CHEVRON_LEFT.codepoint).on_hover_text(tr(lang, Text::PreviousDay)).clicked()
                    && let Some(day) = app.activity.compare.pred_opt()
                {
                    app.activity.compare = day;
                }
                ui.label(RichText::new(app.activity.compare.format("%d/%m/%Y").to_string()).strong().size(18.0));
                let can_go_on = app.activity.compare < today;
                if ui
                    .add_enabled(can_go_on, egui::Button::new(i::ICON_CHEVRON_RIGHT.codepoint))
                    .on_hover_text(tr(lang, Text::NextDay))
                    .clicked()
                    && let Some(day) = app.activity.compare.succ_opt()
                {
                    app.activity.compare = day;
                }
            });
            ui.add_space(SPACE);
            figures(app, ui, app.model.activity.get(&day_bounds(app.activity.compare).0).copied());
        });
    });
}

fn figures(app: &App, ui: &mut Ui, figures: Option<ActivityFigures>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let talk = figures.map(|f| f.talk_secs);
    let duration = |secs: Option<u32>| secs.map_or_else(|| "—".to_owned(), |s| format!("{}:{:02}", s / 60, s % 60));
    let rows = [
        (i::ICON_CALL_RECEIVED, Text::QueueCallsTaken, figures.map(|f| f.queue_calls_taken.to_string())),
        (i::ICON_PHONE_CALLBACK, Text::DirectCallsTaken, figures.map(|f| f.direct_calls_taken.to_string())),
        (i::ICON_CALL_MADE, Text::DirectCallsMade, figures.map(|f| f.direct_calls_made.to_string())),
        (i::ICON_TIMER, Text::TalkTime, talk.map(|s| format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60))),
        (i::ICON_FORUM, Text::InteractionsHandled, figures.map(|f| f.interactions_handled.to_string())),
        (i::ICON_HOURGLASS_BOTTOM, Text::AverageHandleTime, figures.map(|f| duration(f.average_handle_secs))),
        (i::ICON_QUICKREPLY, Text::AverageFirstResponse, figures.map(|f| duration(f.average_first_response_secs))),
    ];
    for (icon, name, value) in rows {
        Frame::new()
            .fill(palette.surface)
            .stroke(egui::Stroke::new(1.0, palette.border))
            .corner_radius(theme::RADIUS)
            .inner_margin(Margin::symmetric(14, 8))
            .show(ui, |ui| {
                ui.set_width(ui.available_width());
                ui.horizontal(|ui| {
                    ui.label(RichText::new(icon.codepoint).size(26.0).color(palette.accent));
                    ui.vertical(|ui| {
                        ui.label(RichText::new(tr(lang, name)).color(palette.muted));
                        // A dash until the engine has answered: never a made-up zero.
                        ui.label(RichText::new(value.unwrap_or_else(|| "—".into())).size(24.0).strong());
                    });
                });
            });
        ui.add_space(SPACE);
    }
}
