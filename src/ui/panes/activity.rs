//! The Activity pane (G1): my figures today beside a day I choose — queue
//! calls taken, non-queue calls taken and made, talk time, and the digital
//! side (conversations handled, handle and first-response times) — read
//! from what the engine recorded.

use super::super::App;
use super::super::commands::UiCommand;
use super::super::i18n::{Text, tr};
use super::super::theme::{self, SPACE};
use crate::domain::{ActivityFigures, Timestamp};
use chrono::{Datelike, Local, NaiveDate, TimeZone};
use egui::{Frame, Margin, RichText, Ui};
use egui_material_icons::icons as i;
use std::fmt::Write as _;

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

/// Asks the engine for a day's figures once.
fn want_day(app: &mut App, day: NaiveDate, requests: &mut Vec<UiCommand>) -> Option<ActivityFigures> {
    let (from, to) = day_bounds(day);
    let known = app.model.activity.get(&from).copied();
    if known.is_none() && app.activity.requested.insert(from) {
        requests.push(UiCommand::FetchActivity(from, to));
    }
    known
}

/// Draws the pane.
pub fn show(app: &mut App, ui: &mut Ui, requests: &mut Vec<UiCommand>) {
    let today = Local::now().date_naive();
    // Figures were cleared (a call was recorded): ask again.
    if app.model.activity.is_empty() {
        app.activity.requested.clear();
    }
    let lang = app.language;
    ui.horizontal(|ui| {
        ui.selectable_value(&mut app.activity.week_view, false, tr(lang, Text::Today));
        ui.selectable_value(&mut app.activity.week_view, true, tr(lang, Text::Week));
    });
    ui.add_space(SPACE);
    if app.activity.week_view {
        egui::ScrollArea::vertical().id_salt("activity-week").show(ui, |ui| week(app, ui, today, requests));
        return;
    }
    want_day(app, today, requests);
    let compare = app.activity.compare;
    want_day(app, compare, requests);
    egui::ScrollArea::vertical().id_salt("activity").show(ui, |ui| columns(app, ui, today, lang));
}

/// The Monday of `day`'s week.
fn monday_of(day: NaiveDate) -> NaiveDate {
    day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// The week (G2): a bar chart per day and type of call, the table behind it, and a CSV export.
fn week(app: &mut App, ui: &mut Ui, today: NaiveDate, requests: &mut Vec<UiCommand>) {
    let lang = app.language;
    let palette = app.theme.palette();
    let monday = monday_of(app.activity.week_of);
    let days: Vec<NaiveDate> = (0..7).filter_map(|n| monday.checked_add_days(chrono::Days::new(n))).collect();
    let figures: Vec<Option<ActivityFigures>> = days.iter().map(|day| want_day(app, *day, requests)).collect();
    ui.horizontal(|ui| {
        if ui.button(i::ICON_CHEVRON_LEFT.codepoint).on_hover_text(tr(lang, Text::PreviousWeek)).clicked() {
            app.activity.week_of = monday - chrono::Days::new(7);
        }
        ui.label(
            RichText::new(format!("{} {}", tr(lang, Text::WeekOf), monday.format("%d/%m/%Y"))).strong().size(18.0),
        );
        let can_go_on = monday_of(today) > monday;
        if ui
            .add_enabled(can_go_on, egui::Button::new(i::ICON_CHEVRON_RIGHT.codepoint))
            .on_hover_text(tr(lang, Text::NextWeek))
            .clicked()
        {
            app.activity.week_of = monday + chrono::Days::new(7);
        }
        ui.add_space(SPACE * 2.0);
        let complete = figures.iter().all(Option::is_some);
        if ui
            .add_enabled(
                complete,
                egui::Button::new(format!("{} {}", i::ICON_DOWNLOAD.codepoint, tr(lang, Text::ExportCsv))),
            )
            .clicked()
        {
            requests.push(UiCommand::ExportWeek(
                week_csv(&days, &figures),
                format!("activity-{}.csv", monday.format("%Y-%m-%d")),
            ));
        }
        match &app.activity.exported {
            Some(Ok(path)) => {
                ui.label(
                    RichText::new(format!("{} {}", tr(lang, Text::Exported), path.display()))
                        .small()
                        .color(palette.muted),
                );
            }
            Some(Err(error)) => {
                ui.label(RichText::new(error).small().color(palette.danger));
            }
            None => {}
        }
    });
    ui.add_space(SPACE);
    let series = [
        (
            Text::QueueCallsTaken,
            palette.accent,
            -0.25,
            figures.iter().map(|f| f.map_or(0, |f| f.queue_calls_taken)).collect::<Vec<_>>(),
        ),
        (
            Text::DirectCallsTaken,
            palette.success,
            0.0,
            figures.iter().map(|f| f.map_or(0, |f| f.direct_calls_taken)).collect(),
        ),
        (
            Text::DirectCallsMade,
            palette.warning,
            0.25,
            figures.iter().map(|f| f.map_or(0, |f| f.direct_calls_made)).collect(),
        ),
    ];
    let labels: Vec<String> = days.iter().map(|d| d.format("%a %d/%m").to_string()).collect();
    egui_plot::Plot::new("activity-week-chart")
        .height(260.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .allow_double_click_reset(false)
        .include_y(0.0)
        .include_y(4.0)
        .legend(egui_plot::Legend::default())
        .x_axis_formatter(move |mark, _| {
            let index = mark.value.round();
            if (mark.value - index).abs() < 1e-6 && (0.0..7.0).contains(&index) {
                labels[index as usize].clone()
            } else {
                String::new()
            }
        })
        .show(ui, |plot| {
            for (name, colour, offset, values) in series {
                let bars = values
                    .iter()
                    .enumerate()
                    .map(|(day, count)| egui_plot::Bar::new(day as f64 + offset, f64::from(*count)).width(0.24))
                    .collect();
                plot.bar_chart(egui_plot::BarChart::new(tr(lang, name), bars).color(colour));
            }
        });
    ui.add_space(SPACE);
    egui::Grid::new("activity-week-table").striped(true).spacing([18.0, 6.0]).show(ui, |ui| {
        ui.label("");
        for name in [
            Text::QueueCallsTaken,
            Text::DirectCallsTaken,
            Text::DirectCallsMade,
            Text::TalkTime,
            Text::InteractionsHandled,
        ] {
            ui.label(RichText::new(tr(lang, name)).small().color(palette.muted));
        }
        ui.end_row();
        for (day, figure) in days.iter().zip(&figures) {
            ui.label(day.format("%a %d/%m").to_string());
            match figure {
                Some(f) => {
                    ui.label(f.queue_calls_taken.to_string());
                    ui.label(f.direct_calls_taken.to_string());
                    ui.label(f.direct_calls_made.to_string());
                    ui.label(format!("{}:{:02}:{:02}", f.talk_secs / 3600, f.talk_secs / 60 % 60, f.talk_secs % 60));
                    ui.label(f.interactions_handled.to_string());
                }
                None => {
                    for _ in 0..5 {
                        ui.label("—");
                    }
                }
            }
            ui.end_row();
        }
    });
}

/// The week as CSV: one row per day.
fn week_csv(days: &[NaiveDate], figures: &[Option<ActivityFigures>]) -> String {
    let mut csv = String::from(
        "day,queue_calls_taken,non_queue_calls_taken,non_queue_calls_made,talk_seconds,conversations_handled,average_handle_seconds,average_first_response_seconds\n",
    );
    for (day, figure) in days.iter().zip(figures) {
        let f = figure.unwrap_or_default();
        let optional = |v: Option<u32>| v.map_or_else(String::new, |v| v.to_string());
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{}",
            day.format("%Y-%m-%d"),
            f.queue_calls_taken,
            f.direct_calls_taken,
            f.direct_calls_made,
            f.talk_secs,
            f.interactions_handled,
            optional(f.average_handle_secs),
            optional(f.average_first_response_secs)
        );
    }
    csv
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks_start_on_monday_and_export_one_row_per_day() {
        let sunday = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let monday = monday_of(sunday);
        assert_eq!(monday, NaiveDate::from_ymd_opt(2026, 11, 16).unwrap());
        assert_eq!(monday_of(monday), monday);
        let days: Vec<NaiveDate> = (0..7).map(|n| monday + chrono::Days::new(n)).collect();
        let mut figures = vec![None; 7];
        figures[6] = Some(ActivityFigures {
            direct_calls_taken: 2,
            talk_secs: 75,
            interactions_handled: 3,
            average_handle_secs: Some(120),
            ..ActivityFigures::default()
        });
        let csv = week_csv(&days, &figures);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 8);
        assert!(lines[0].starts_with("day,queue_calls_taken"));
        assert_eq!(lines[1], "2026-11-16,0,0,0,0,0,,");
        assert_eq!(lines[7], "2026-11-22,0,2,0,75,3,120,");
    }
}
