//! Design tokens: colours, spacing, type sizes, radii and icons. The only
//! place where colours are made (clippy's `disallowed-methods` enforces it).
#![allow(clippy::disallowed_methods)]

use crate::domain::{AgentStatus, Channel};
use egui::{Color32, CornerRadius, FontFamily, FontId, Margin, Stroke, TextStyle, Visuals};
use egui_material_icons::MaterialIcon;
use egui_material_icons::icons as i;

/// Dark or light.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ThemeKind {
    /// Dark surfaces, light text (the default for long shifts).
    #[default]
    Dark,
    /// Light surfaces, dark text.
    Light,
}

/// Spacing unit, in points.
pub const SPACE: f32 = 8.0;
/// Width of the navigation bar.
pub const NAV_WIDTH: f32 = 56.0;
/// Height of the header.
pub const HEADER_HEIGHT: f32 = 44.0;
/// Corner radius of cards and banners.
pub const RADIUS: u8 = 6;
/// Size of navigation icons.
pub const NAV_ICON_SIZE: f32 = 22.0;
/// Size of small inline icons.
pub const ICON_SIZE: f32 = 16.0;

/// The colours of one theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Window background.
    pub background: Color32,
    /// Panels and cards.
    pub surface: Color32,
    /// Raised surfaces (selected rows, inputs).
    pub raised: Color32,
    /// The navigation bar.
    pub nav: Color32,
    /// Body text.
    pub text: Color32,
    /// Secondary text.
    pub muted: Color32,
    /// Brand accent (selection, focus).
    pub accent: Color32,
    /// Text on the accent.
    pub on_accent: Color32,
    /// Ready, accept.
    pub success: Color32,
    /// Paused, warnings.
    pub warning: Color32,
    /// Errors, decline, hang up.
    pub danger: Color32,
    /// The offer banner.
    pub banner: Color32,
    /// Hairlines.
    pub border: Color32,
}

const DARK: Palette = Palette {
    background: Color32::from_rgb(0x16, 0x19, 0x1f),
    surface: Color32::from_rgb(0x1e, 0x22, 0x2a),
    raised: Color32::from_rgb(0x2a, 0x30, 0x3b),
    nav: Color32::from_rgb(0x11, 0x13, 0x18),
    text: Color32::from_rgb(0xe6, 0xe9, 0xef),
    muted: Color32::from_rgb(0x98, 0xa1, 0xb0),
    accent: Color32::from_rgb(0x4c, 0x8d, 0xf6),
    on_accent: Color32::WHITE,
    success: Color32::from_rgb(0x2e, 0xb8, 0x72),
    warning: Color32::from_rgb(0xe8, 0xa3, 0x3d),
    danger: Color32::from_rgb(0xe5, 0x53, 0x4b),
    banner: Color32::from_rgb(0x1f, 0x3b, 0x6b),
    border: Color32::from_rgb(0x33, 0x39, 0x45),
};

const LIGHT: Palette = Palette {
    background: Color32::from_rgb(0xf4, 0xf6, 0xf9),
    surface: Color32::WHITE,
    raised: Color32::from_rgb(0xe8, 0xee, 0xf7),
    nav: Color32::from_rgb(0x1d, 0x2a, 0x3f),
    text: Color32::from_rgb(0x1b, 0x20, 0x28),
    muted: Color32::from_rgb(0x5c, 0x66, 0x75),
    accent: Color32::from_rgb(0x1f, 0x6f, 0xeb),
    on_accent: Color32::WHITE,
    success: Color32::from_rgb(0x1a, 0x8f, 0x55),
    warning: Color32::from_rgb(0xb7, 0x6e, 0x00),
    danger: Color32::from_rgb(0xc9, 0x37, 0x30),
    banner: Color32::from_rgb(0xdc, 0xe8, 0xfb),
    border: Color32::from_rgb(0xd5, 0xdb, 0xe4),
};

/// Text on the navigation bar, which stays dark in both themes.
pub const NAV_TEXT: Color32 = Color32::from_rgb(0xc9, 0xd1, 0xdd);
/// The selected navigation entry.
pub const NAV_SELECTED: Color32 = Color32::from_rgb(0x2f, 0x3b, 0x52);

impl ThemeKind {
    /// The other theme.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            ThemeKind::Dark => ThemeKind::Light,
            ThemeKind::Light => ThemeKind::Dark,
        }
    }

    /// The colours.
    #[must_use]
    pub fn palette(self) -> Palette {
        match self {
            ThemeKind::Dark => DARK,
            ThemeKind::Light => LIGHT,
        }
    }

    /// Installs the theme's visuals and type scale.
    pub fn apply(self, ctx: &egui::Context) {
        let p = self.palette();
        let mut visuals = match self {
            ThemeKind::Dark => Visuals::dark(),
            ThemeKind::Light => Visuals::light(),
        };
        visuals.panel_fill = p.background;
        visuals.window_fill = p.surface;
        visuals.extreme_bg_color = p.raised;
        visuals.faint_bg_color = p.surface;
        visuals.override_text_color = Some(p.text);
        visuals.selection.bg_fill = p.accent;
        visuals.selection.stroke = Stroke::new(1.0, p.on_accent);
        visuals.hyperlink_color = p.accent;
        visuals.window_corner_radius = CornerRadius::same(RADIUS);
        visuals.widgets.noninteractive.bg_stroke = Stroke::new(1.0, p.border);
        visuals.widgets.inactive.corner_radius = CornerRadius::same(4);
        visuals.widgets.hovered.corner_radius = CornerRadius::same(4);
        visuals.widgets.active.corner_radius = CornerRadius::same(4);
        ctx.set_visuals(visuals);
        ctx.global_style_mut(|style| {
            style.spacing.item_spacing = egui::vec2(SPACE, SPACE * 0.75);
            style.spacing.button_padding = egui::vec2(SPACE * 1.25, SPACE * 0.5);
            style.spacing.window_margin = Margin::same(12);
            style.text_styles = [
                (TextStyle::Heading, FontId::new(20.0, FontFamily::Proportional)),
                (TextStyle::Body, FontId::new(14.0, FontFamily::Proportional)),
                (TextStyle::Button, FontId::new(14.0, FontFamily::Proportional)),
                (TextStyle::Small, FontId::new(11.5, FontFamily::Proportional)),
                (TextStyle::Monospace, FontId::new(13.0, FontFamily::Monospace)),
            ]
            .into();
        });
    }
}

/// The colour of an agent status.
#[must_use]
pub fn status_colour(palette: &Palette, status: &AgentStatus) -> Color32 {
    match status {
        AgentStatus::Ready => palette.success,
        AgentStatus::Paused { .. } => palette.warning,
        AgentStatus::LoggedOut => palette.muted,
    }
}

/// A small filled circle (status lights, unread marks), painted rather than
/// typed so that it never depends on a font's glyphs.
pub fn dot(ui: &mut egui::Ui, colour: Color32, diameter: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(egui::vec2(diameter, diameter), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), diameter / 2.0, colour);
    response
}

/// The icon of a channel.
#[must_use]
pub fn channel_icon(channel: Channel) -> MaterialIcon {
    match channel {
        Channel::Voice => i::ICON_CALL,
        Channel::WebChat => i::ICON_CHAT,
        Channel::Sms => i::ICON_SMS,
        Channel::Email => i::ICON_MAIL,
        Channel::Facebook => i::ICON_FORUM,
        Channel::Instagram => i::ICON_PHOTO_CAMERA,
    }
}

/// Icons used by the shell.
pub mod icons {
    pub use egui_material_icons::icons::{
        ICON_ADMIN_PANEL_SETTINGS as ADMIN, ICON_ALT_ROUTE as ROUTING, ICON_CALL as PHONE, ICON_CHECK as ACCEPT,
        ICON_CLOSE as DECLINE, ICON_DARK_MODE as DARK, ICON_INBOX as INBOX, ICON_INSIGHTS as ACTIVITY,
        ICON_LIGHT_MODE as LIGHT, ICON_LINK as LINK, ICON_MONITORING as MONITORING, ICON_NOTIFICATIONS as BELL,
        ICON_PERSON as PERSON, ICON_SEARCH as SEARCH, ICON_SEND as SEND, ICON_TASK_ALT as COMPLETE,
        ICON_TRANSLATE as LANGUAGE, ICON_VIEW_AGENDA as QUEUES,
    };
}
