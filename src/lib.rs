//! Switchboard: a contact-centre workstation with its own routing core.
//!
//! One engine, several fronts (see `docs/architecture.md`): the engine owns
//! the truth and is the only writer; the workstation reads a client model
//! that events keep up to date.

pub mod app;
pub mod client;
pub mod domain;
pub mod engine;
pub mod protocol;
pub mod routing;
pub mod sim;
pub mod store;
pub mod ui;
pub mod voice;
