//! Sound. For now the alert chime played when work is offered; the SIP
//! softphone (signalling, RTP, G.711, jitter buffer) grows here.

mod alert;

pub use alert::{AlertSound, AudioError};
