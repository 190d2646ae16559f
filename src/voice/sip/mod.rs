//! SIP (RFC 3261 subset) as a sans-IO core: messages, transactions, dialogs
//! and the user agent that ties them to calls.

pub mod auth;
pub mod md5;
pub mod message;
pub mod transaction;
pub mod ua;
pub mod uri;
