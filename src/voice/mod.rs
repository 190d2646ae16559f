//! Sound and telephony: the offer alert, and the SIP softphone's pieces.
//!
//! The protocol layers are sans-IO: bytes and time go in, messages and events
//! come out, so they are tested without sockets or sleeps. Only `audio` (cpal)
//! and the endpoint that drives sockets do IO.

mod alert;
pub mod audio;
pub mod dtmf;
pub mod g711;
pub mod jitter;
pub mod media;
pub mod phone;
pub mod plc;
pub mod recorder;
pub mod rtcp;
pub mod rtp;
pub mod sdp;
pub mod sip;
pub mod tones;

pub use alert::{AlertSound, AudioError};
