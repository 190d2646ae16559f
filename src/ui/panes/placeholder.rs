//! The honest pane of a mode that is not built yet: it says what will come and
//! shows no figures.

use super::super::App;
use super::super::i18n::{Text, tr};
use egui::RichText;

/// Draws the "coming in a later release" pane.
pub fn show(app: &App, ui: &mut egui::Ui, what: Text) {
    let palette = app.theme.palette();
    let lang = app.language;
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.25);
        ui.label(app.mode.icon().rich_text().size(48.0).color(palette.muted));
        ui.add_space(8.0);
        ui.heading(tr(lang, app.mode.text()));
        ui.label(RichText::new(tr(lang, Text::ComingLater)).strong().color(palette.accent));
        ui.add_space(8.0);
        ui.scope(|ui| {
            ui.set_max_width(520.0);
            ui.label(RichText::new(tr(lang, what)).color(palette.muted));
        });
    });
}
