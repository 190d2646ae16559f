//! Roles and what each may do. Deny by default: a permission not listed for a
//! role is refused.

use serde::{Deserialize, Serialize};

/// A user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// Handles interactions and calls.
    Agent,
    /// An agent who also watches and manages agents of their teams.
    Supervisor,
    /// Configures the workspace.
    Admin,
}

impl Role {
    /// The stable name used in storage.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    /// Parses a stored name.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Self> {
        match key {
            "agent" => Some(Role::Agent),
            "supervisor" => Some(Role::Supervisor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }

    /// Whether this role holds `permission`.
    #[must_use]
    pub fn allows(self, permission: Permission) -> bool {
        use Permission as P;
        match self {
            Role::Agent => matches!(
                permission,
                P::HandleInteractions | P::SetOwnStatus | P::UsePhone | P::ViewQueues | P::ViewOwnActivity
            ),
            Role::Supervisor => !matches!(permission, P::Administer),
            Role::Admin => true,
        }
    }
}

/// Something a user may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Permission {
    /// Accept offers, reply, complete.
    HandleInteractions,
    /// Change one's own status.
    SetOwnStatus,
    /// Change another agent's status.
    ManageAgents,
    /// Make and take calls.
    UsePhone,
    /// See the queue cards.
    ViewQueues,
    /// See one's own activity figures.
    ViewOwnActivity,
    /// See the monitoring screens.
    Monitor,
    /// Change the workspace's configuration.
    Administer,
}
