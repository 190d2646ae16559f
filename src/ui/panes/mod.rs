//! One module per mode. A pane reads the model and requests commands; it
//! never does IO and never blocks.

mod activity;
mod inbox;
mod phone;
mod placeholder;

use super::App;
use super::commands::UiCommand;
use super::i18n::Text;
use super::mode::Mode;

/// Draws the current mode.
pub fn show(app: &mut App, ui: &mut egui::Ui, requests: &mut Vec<UiCommand>) {
    match app.mode {
        Mode::Inbox => inbox::show(app, ui, requests),
        Mode::Routing => placeholder::show(app, ui, Text::RoutingLater),
        Mode::Phone => phone::show(app, ui, requests),
        Mode::Queues => placeholder::show(app, ui, Text::QueuesLater),
        Mode::Activity => activity::show(app, ui, requests),
        Mode::Monitoring => placeholder::show(app, ui, Text::MonitoringLater),
        Mode::Admin => placeholder::show(app, ui, Text::AdminLater),
    }
}
