//! One call's state: its dialog (RFC 3261 §12), where its offer/answer
//! stands, and the timers the user agent core runs for it.

use super::super::message::Message;
use super::super::transaction::Peer;
use super::super::uri::{NameAddr, Uri};
use super::CallHandle;
use crate::voice::sdp::{LocalMedia, Negotiated, SessionDescription};
use std::time::Duration;

/// Where a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum CallState {
    /// Our INVITE is out; nothing with a tag came back.
    Calling,
    /// The callee answered with a provisional response carrying a tag.
    Early,
    /// An incoming call rings here.
    Ringing,
    /// We sent 200 to an incoming INVITE and wait for the ACK.
    Answering,
    /// Media flows.
    Connected,
    /// Over.
    Ended,
}

/// The dialog state of §12.
#[derive(Debug, Clone)]
pub(super) struct Dialog {
    pub call_id: String,
    pub local_tag: String,
    pub remote_tag: Option<String>,
    pub local_uri: NameAddr,
    pub remote_uri: NameAddr,
    pub remote_target: Uri,
    pub route_set: Vec<NameAddr>,
    pub local_seq: u32,
    pub remote_seq: Option<u32>,
    /// Where the dialog's first messages went or came from.
    pub peer: Peer,
}

/// A 2xx to an INVITE that we retransmit until its ACK (§13.3.1.4).
#[derive(Debug)]
pub(super) struct Pending2xx {
    pub response: Message,
    pub resend_at: Duration,
    pub interval: Duration,
    pub give_up_at: Duration,
}

impl Pending2xx {
    pub(super) fn new(response: Message, now: Duration, t1: Duration) -> Self {
        Self { response, resend_at: now + t1, interval: t1, give_up_at: now + t1 * 64 }
    }
}

/// One call.
#[derive(Debug)]
#[allow(clippy::struct_excessive_bools, reason = "each flag is an independent fact of the SIP state of §12–14")]
pub(super) struct Call {
    pub handle: CallHandle,
    pub outgoing: bool,
    pub state: CallState,
    pub dialog: Dialog,
    /// Our media: address, codecs, direction and SDP version.
    pub media: LocalMedia,
    pub negotiated: Option<Negotiated>,
    /// The INVITE that created the call (ours or the caller's).
    pub invite: Option<Message>,
    /// The caller's offer, answered when the agent accepts.
    pub remote_offer: Option<SessionDescription>,
    pub awaiting_answer_in_ack: bool,
    pub pending_2xx: Option<Pending2xx>,
    /// The ACK we sent for a 2xx, by `CSeq`, resent for each retransmitted 2xx.
    pub last_ack: Option<(u32, Message)>,
    pub provisional_seen: bool,
    pub cancel_wanted: bool,
    pub cancel_sent: bool,
    pub reinvite_pending: bool,
    pub glare_retry_at: Option<Duration>,
    pub remote_hold: bool,
    pub transfer_pending: bool,
}

impl Call {
    pub(super) fn new(handle: CallHandle, dialog: Dialog, media: LocalMedia, outgoing: bool) -> Self {
        Self {
            handle,
            outgoing,
            state: CallState::Calling,
            dialog,
            media,
            negotiated: None,
            invite: None,
            remote_offer: None,
            awaiting_answer_in_ack: false,
            pending_2xx: None,
            last_ack: None,
            provisional_seen: false,
            cancel_wanted: false,
            cancel_sent: false,
            reinvite_pending: false,
            glare_retry_at: None,
            remote_hold: false,
            transfer_pending: false,
        }
    }

    pub(super) fn next_deadline(&self) -> Option<Duration> {
        let pending = self.pending_2xx.as_ref().map(|p| p.resend_at.min(p.give_up_at));
        [pending, self.glare_retry_at].into_iter().flatten().min()
    }

    /// Completes the dialog from a 2xx to our INVITE: the callee's tag,
    /// its Contact as remote target, and the route set (Record-Route reversed).
    pub(super) fn establish_from_response(&mut self, response: &Message) {
        if let Ok(to) = response.to() {
            self.dialog.remote_tag = to.tag().map(str::to_owned);
        }
        if let Ok(Some(contact)) = response.contact() {
            self.dialog.remote_target = contact.uri;
        }
        let mut routes: Vec<NameAddr> =
            response.headers_named("Record-Route").filter_map(|r| NameAddr::parse(r).ok()).collect();
        routes.reverse();
        self.dialog.route_set = routes;
    }
}
