//! Typed ids, so that a queue id can never be passed where a user id is expected.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$doc:meta] $name:ident),* $(,)?) => {$(
        #[$doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    )*};
}

id_type! {
    /// A person who signs in: agent, supervisor or admin.
    UserId,
    /// A team of users.
    TeamId,
    /// A queue that work waits in.
    QueueId,
    /// An outbound campaign.
    CampaignId,
    /// A customer.
    CustomerId,
    /// A conversation with a customer on one channel.
    ThreadId,
    /// One message of a thread.
    MessageId,
    /// A unit of routed work: a thread waiting for or held by an agent.
    InteractionId,
    /// A category (theme) that work is sorted by.
    CategoryId,
}
