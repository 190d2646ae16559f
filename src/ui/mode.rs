//! The modes of the navigation bar (A1) and who may see them.

use super::i18n::Text;
use super::theme::icons;
use crate::domain::{Permission, Role};
use egui_material_icons::MaterialIcon;

/// A mode of the workstation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Mode {
    /// Threads like an email inbox.
    #[default]
    Inbox,
    /// The routed work desk.
    Routing,
    /// The softphone.
    Phone,
    /// Queue and campaign cards.
    Queues,
    /// My activity.
    Activity,
    /// Supervisors' monitoring.
    Monitoring,
    /// Administration.
    Admin,
}

impl Mode {
    /// Every mode, in bar order.
    pub const ALL: [Mode; 7] =
        [Mode::Inbox, Mode::Routing, Mode::Phone, Mode::Queues, Mode::Activity, Mode::Monitoring, Mode::Admin];

    /// Position in the bar, from 0.
    #[must_use]
    pub fn position(self) -> usize {
        Self::ALL.iter().position(|m| *m == self).unwrap_or(0)
    }

    /// The mode's name.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Mode::Inbox => Text::Inbox,
            Mode::Routing => Text::Routing,
            Mode::Phone => Text::Phone,
            Mode::Queues => Text::Queues,
            Mode::Activity => Text::Activity,
            Mode::Monitoring => Text::Monitoring,
            Mode::Admin => Text::Admin,
        }
    }

    /// The mode's icon.
    #[must_use]
    pub fn icon(self) -> MaterialIcon {
        match self {
            Mode::Inbox => icons::INBOX,
            Mode::Routing => icons::ROUTING,
            Mode::Phone => icons::PHONE,
            Mode::Queues => icons::QUEUES,
            Mode::Activity => icons::ACTIVITY,
            Mode::Monitoring => icons::MONITORING,
            Mode::Admin => icons::ADMIN,
        }
    }

    /// Whether a role sees this mode.
    #[must_use]
    pub fn is_allowed(self, role: Role) -> bool {
        match self {
            Mode::Inbox | Mode::Routing => role.allows(Permission::HandleInteractions),
            Mode::Phone => role.allows(Permission::UsePhone),
            Mode::Queues => role.allows(Permission::ViewQueues),
            Mode::Activity => role.allows(Permission::ViewOwnActivity),
            Mode::Monitoring => role.allows(Permission::Monitor),
            Mode::Admin => role.allows(Permission::Administer),
        }
    }
}
