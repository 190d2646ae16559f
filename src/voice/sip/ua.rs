//! The SIP user agent: registration, calls and their dialogs, built on the
//! transaction layer. It decides what to send for each command and each
//! message from the network, and reports what happened as [`UaEvent`]s.
//!
//! Sans-IO like the layers below: the shell feeds it datagrams or stream
//! messages with the current time, sends what [`UserAgent::drain_transmits`]
//! returns, and calls [`UserAgent::poll`] at [`UserAgent::next_deadline`].
//! It never resolves names or opens sockets; media addresses come in as
//! [`LocalMedia`] and go out as [`Negotiated`].

use super::auth::{self, Challenge, Credentials, NonceCounter};
use super::message::{Message, Method, SipError, StartLine, reason_phrase};
use super::transaction::{Peer, TimerValues, TransactionEvent, TransactionKey, Transactions, Transmit, Transport};
use super::uri::{NameAddr, Uri};
use crate::voice::sdp::{self, Direction, LocalMedia, Negotiated};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

mod call;
#[cfg(test)]
mod tests;

use call::{Call, CallState, Dialog, Pending2xx};

const ALLOW: &str = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, NOTIFY, REFER";

/// Who we are and where we register.
#[derive(Clone)]
pub struct Account {
    /// The user part of our address of record.
    pub user: String,
    /// Shown to the people we call.
    pub display_name: Option<String>,
    /// The domain of our address of record (the registrar's host).
    pub domain: String,
    /// Digest credentials, when the server asks for them.
    pub credentials: Option<Credentials>,
    /// The registrar and outbound proxy; `None` places calls directly.
    pub registrar: Option<Peer>,
    /// The registration lifetime we ask for.
    pub register_expires: u32,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .field("registrar", &self.registrar)
            .finish_non_exhaustive()
    }
}

/// A call's handle, stable for its whole life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallHandle(pub u64);

/// The registration's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registration {
    /// No registrar, or unregistered.
    Unregistered,
    /// A REGISTER is on its way.
    Registering,
    /// Registered for this many seconds.
    Registered {
        /// The lifetime the registrar granted.
        expires: u32,
    },
    /// The registrar refused or did not answer; a retry is scheduled.
    Failed {
        /// What went wrong, for the Phone pane.
        reason: String,
    },
}

/// Why a call ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndReason {
    /// We hung up (or cancelled before the answer).
    LocalHangup,
    /// The other party hung up.
    RemoteHangup,
    /// The caller gave up before we answered.
    RemoteCancelled,
    /// We declined an incoming call.
    Rejected,
    /// The callee was busy (486, 600).
    Busy,
    /// The callee declined (603).
    Declined,
    /// The call was handed to a third party (blind transfer).
    Transferred,
    /// The call failed with a SIP status.
    Failed {
        /// The status code (408 when nothing answered).
        code: u16,
        /// Its reason phrase.
        reason: String,
    },
}

/// What happened, for the shell and the Phone pane.
#[derive(Debug, Clone, PartialEq)]
pub enum UaEvent {
    /// The registration changed.
    Registration(Registration),
    /// A call is coming in and rings (we sent 180).
    Incoming {
        /// The new call.
        call: CallHandle,
        /// The caller.
        from: NameAddr,
    },
    /// The callee rings (180) or sends early media (183 with SDP).
    Progress {
        /// The call.
        call: CallHandle,
        /// The provisional status code.
        code: u16,
        /// Early media, when the answer came early.
        media: Option<Negotiated>,
    },
    /// The call is answered and acknowledged; media flows per `media`.
    Connected {
        /// The call.
        call: CallHandle,
        /// The negotiated media.
        media: Negotiated,
    },
    /// A re-INVITE changed the media (hold, resume, new address).
    MediaChanged {
        /// The call.
        call: CallHandle,
        /// The new media.
        media: Negotiated,
        /// True while the other party holds us.
        remote_hold: bool,
    },
    /// Our hold or resume was refused; the media is unchanged.
    HoldFailed {
        /// The call.
        call: CallHandle,
        /// The refusal.
        code: u16,
    },
    /// A DTMF digit arrived by SIP INFO.
    Dtmf {
        /// The call.
        call: CallHandle,
        /// The digit.
        digit: char,
    },
    /// The other party asks us to call `target` instead (they transfer us).
    TransferRequested {
        /// The call being transferred.
        call: CallHandle,
        /// Whom to call.
        target: Uri,
    },
    /// Progress of our blind transfer (the status the transferee reports).
    TransferProgress {
        /// The call.
        call: CallHandle,
        /// 100/180/200/… from the NOTIFY sipfrag, or the REFER's own failure.
        code: u16,
    },
    /// The call is over.
    Ended {
        /// The call.
        call: CallHandle,
        /// Why.
        reason: EndReason,
    },
}

/// Why a command could not be carried out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UaError {
    /// The call does not exist (any more).
    #[error("that call has ended")]
    NoSuchCall,
    /// The command does not fit the call's state.
    #[error("the call cannot {0} now")]
    WrongState(&'static str),
    /// A message could not be built.
    #[error(transparent)]
    Sip(#[from] SipError),
    /// The media description failed.
    #[error("media negotiation failed: {0}")]
    Media(String),
}

/// What a client request we sent was for.
#[derive(Debug, Clone)]
enum Purpose {
    Register,
    Invite(CallHandle),
    Cancel(CallHandle),
    Bye(CallHandle),
    ReInvite(CallHandle),
    Refer(CallHandle),
    Notify(CallHandle),
}

#[derive(Debug)]
struct Outstanding {
    purpose: Purpose,
    request: Message,
    to: Peer,
    authorised_with: Option<String>,
}

#[derive(Debug)]
struct RegistrationState {
    call_id: String,
    from_tag: String,
    cseq: u32,
    state: Registration,
    /// When to register again (refresh or retry).
    next_at: Option<Duration>,
    failures: u32,
    wanted: bool,
}

/// A SIP user agent for one account.
pub struct UserAgent {
    account: Account,
    local: SocketAddr,
    product: String,
    /// Our codecs and media address, used to judge an incoming offer before the call is answered.
    media: LocalMedia,
    transactions: Transactions,
    timers: TimerValues,
    rng: SmallRng,
    calls: HashMap<CallHandle, Call>,
    next_call: u64,
    outstanding: HashMap<TransactionKey, Outstanding>,
    registration: RegistrationState,
    nonces: NonceCounter,
    challenges: HashMap<bool, Challenge>,
    transmits: Vec<Transmit>,
    events: VecDeque<UaEvent>,
}

impl UserAgent {
    /// A user agent for `account` whose socket is bound at `local`; `media`
    /// lists the codecs it accepts; `seed` makes tags and branches unique.
    #[must_use]
    pub fn new(account: Account, local: SocketAddr, user_agent: &str, media: LocalMedia, seed: u64) -> Self {
        let mut rng = SmallRng::seed_from_u64(seed);
        let registration = RegistrationState {
            call_id: format!("{:016x}@{}", rng.random::<u64>(), local.ip()),
            from_tag: format!("{:08x}", rng.random::<u32>()),
            cseq: 0,
            state: Registration::Unregistered,
            next_at: None,
            failures: 0,
            wanted: false,
        };
        Self {
            account,
            local,
            product: user_agent.to_owned(),
            media,
            transactions: Transactions::new(TimerValues::default()),
            timers: TimerValues::default(),
            rng,
            calls: HashMap::new(),
            next_call: 1,
            outstanding: HashMap::new(),
            registration,
            nonces: NonceCounter::default(),
            challenges: HashMap::new(),
            transmits: Vec::new(),
            events: VecDeque::new(),
        }
    }

    /// Uses other timer values (tests shorten them).
    pub fn set_timers(&mut self, timers: TimerValues) {
        self.timers = timers;
        self.transactions = Transactions::new(timers);
    }

    /// Messages to put on the wire now.
    pub fn drain_transmits(&mut self) -> std::vec::Drain<'_, Transmit> {
        self.transmits.drain(..)
    }

    /// The next event, if any.
    pub fn next_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// The registration's current state.
    #[must_use]
    pub fn registration(&self) -> &Registration {
        &self.registration.state
    }

    /// The calls that exist now.
    pub fn calls(&self) -> impl Iterator<Item = CallHandle> + '_ {
        self.calls.keys().copied()
    }

    /// When [`Self::poll`] next has work.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Duration> {
        let calls = self.calls.values().filter_map(Call::next_deadline);
        [self.transactions.next_deadline(), self.registration.next_at].into_iter().flatten().chain(calls).min()
    }

    // ----- commands -------------------------------------------------------

    /// Registers now and keeps the registration fresh.
    pub fn register(&mut self, now: Duration) {
        self.registration.wanted = true;
        self.send_register(self.account.register_expires, now);
    }

    /// Removes the registration.
    pub fn unregister(&mut self, now: Duration) {
        self.registration.wanted = false;
        self.registration.next_at = None;
        if self.account.registrar.is_some() {
            self.send_register(0, now);
        }
    }

    /// Calls `target`; requests go through the registrar when there is one,
    /// else to `destination` (the shell resolves the target's host).
    pub fn dial(
        &mut self,
        target: &Uri,
        destination: Peer,
        media: LocalMedia,
        now: Duration,
    ) -> Result<CallHandle, UaError> {
        let handle = self.new_handle();
        let to = self.account.registrar.unwrap_or(destination);
        let call_id = format!("{:016x}@{}", self.rng.random::<u64>(), self.local.ip());
        let mut dialog = Dialog {
            call_id,
            local_tag: self.tag(),
            remote_tag: None,
            local_uri: self.address_of_record(),
            remote_uri: NameAddr::new(target.without_headers()),
            remote_target: target.without_headers(),
            route_set: Vec::new(),
            local_seq: 1,
            remote_seq: None,
            peer: to,
        };
        let mut invite = self.in_dialog_request(&mut dialog, Method::Invite, to.transport);
        dialog.local_seq = 1;
        invite.set("CSeq", "1 INVITE");
        invite.set_body(Some("application/sdp"), sdp::offer(&media).to_string().into_bytes());
        let mut call = Call::new(handle, dialog, media, true);
        call.state = CallState::Calling;
        call.invite = Some(invite.clone());
        self.calls.insert(handle, call);
        self.send(Purpose::Invite(handle), invite, to, now)?;
        Ok(handle)
    }

    /// Answers an incoming call with our media.
    pub fn answer(&mut self, handle: CallHandle, media: LocalMedia, now: Duration) -> Result<(), UaError> {
        let contact = self.contact();
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if call.state != CallState::Ringing || call.outgoing {
            return Err(UaError::WrongState("be answered"));
        }
        let invite = call.invite.clone().ok_or(UaError::WrongState("be answered"))?;
        call.media = media;
        let body = if let Some(offer) = call.remote_offer.take() {
            let (answer, negotiated) = sdp::answer(&offer, &call.media).map_err(|e| UaError::Media(e.to_string()))?;
            call.negotiated = Some(negotiated);
            answer.to_string()
        } else {
            // Offer-less INVITE: our offer goes in the 200, the answer in the ACK.
            call.awaiting_answer_in_ack = true;
            sdp::offer(&call.media).to_string()
        };
        let mut ok = Message::response_to(&invite, 200, Some(&call.dialog.local_tag));
        ok.push("Contact", contact);
        ok.push("Allow", ALLOW);
        ok.set_body(Some("application/sdp"), body.into_bytes());
        call.state = CallState::Answering;
        call.pending_2xx = Some(Pending2xx::new(ok.clone(), now, self.timers.t1));
        self.transactions.respond(ok, now, &mut self.transmits)?;
        Ok(())
    }

    /// Declines an incoming call (486 Busy Here or 603 Decline).
    pub fn reject(&mut self, handle: CallHandle, code: u16, now: Duration) -> Result<(), UaError> {
        let call = self.calls.get(&handle).ok_or(UaError::NoSuchCall)?;
        if call.state != CallState::Ringing || call.outgoing {
            return Err(UaError::WrongState("be declined"));
        }
        let invite = call.invite.clone().ok_or(UaError::WrongState("be declined"))?;
        let response = Message::response_to(&invite, code, Some(&call.dialog.local_tag));
        self.transactions.respond(response, now, &mut self.transmits)?;
        self.end(handle, EndReason::Rejected);
        Ok(())
    }

    /// Hangs up: CANCEL before the answer, BYE after, decline when ringing here.
    pub fn hangup(&mut self, handle: CallHandle, now: Duration) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        match call.state {
            CallState::Ringing if !call.outgoing => self.reject(handle, 603, now),
            CallState::Calling | CallState::Early => {
                call.cancel_wanted = true;
                if call.provisional_seen {
                    self.send_cancel(handle, now)?;
                }
                Ok(())
            }
            CallState::Answering | CallState::Connected => {
                self.send_bye(handle, now)?;
                self.end(handle, EndReason::LocalHangup);
                Ok(())
            }
            CallState::Ringing | CallState::Ended => Err(UaError::WrongState("hang up")),
        }
    }

    /// Puts the call on hold (re-INVITE with `sendonly`).
    pub fn hold(&mut self, handle: CallHandle, now: Duration) -> Result<(), UaError> {
        self.change_direction(handle, Direction::SendOnly, now)
    }

    /// Takes the call off hold (re-INVITE with `sendrecv`).
    pub fn resume(&mut self, handle: CallHandle, now: Duration) -> Result<(), UaError> {
        self.change_direction(handle, Direction::SendRecv, now)
    }

    /// Blind transfer: asks the other party to call `target` (REFER).
    pub fn transfer(&mut self, handle: CallHandle, target: &Uri, now: Duration) -> Result<(), UaError> {
        let aor = self.address_of_record();
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if call.state != CallState::Connected {
            return Err(UaError::WrongState("be transferred"));
        }
        let transport = call.dialog.peer.transport;
        let mut refer =
            Self::dialog_request(&mut call.dialog, Method::Refer, transport, self.local, &mut self.rng, &self.product);
        refer.push("Refer-To", format!("<{target}>"));
        refer.push("Referred-By", format!("<{}>", aor.uri));
        refer.push("Contact", contact_for(&self.account, self.local, transport));
        let to = next_hop(&call.dialog, self.account.registrar);
        call.transfer_pending = true;
        self.send(Purpose::Refer(handle), refer, to, now)?;
        Ok(())
    }

    // ----- input ----------------------------------------------------------

    /// Handles one message from the network. Bad messages are answered with
    /// 400 when they are requests with enough headers to answer, and dropped
    /// otherwise; either way nothing half-done is left behind.
    pub fn receive(&mut self, bytes: &[u8], from: Peer, now: Duration) -> Result<(), SipError> {
        let message = Message::parse(bytes)?;
        self.receive_message(message, from, now)
    }

    /// Handles one parsed message (TCP framing happens in the shell).
    pub fn receive_message(&mut self, message: Message, from: Peer, now: Duration) -> Result<(), SipError> {
        if let Err(error) = message.validate() {
            if message.is_request() && message.method() != Some(Method::Ack) && message.via().is_ok() {
                let mut bad = Message::response_to(&message, 400, Some("bad"));
                if let StartLine::Response { reason, .. } = &mut bad.start {
                    *reason = format!("Bad Request ({error})").chars().take(120).collect();
                }
                self.transmits.push(Transmit { to: from, message: bad });
            }
            return Err(error);
        }
        let event = if message.is_request() {
            self.transactions.on_request(message, from, now, &mut self.transmits)
        } else {
            self.transactions.on_response(message, now, &mut self.transmits)
        };
        match event {
            Some(TransactionEvent::Request(request, from)) => self.on_request(&request, from, now),
            Some(TransactionEvent::Response(key, response)) => self.on_response(&key, &response, now),
            Some(TransactionEvent::Timeout(key)) => self.on_timeout(&key),
            None => {}
        }
        Ok(())
    }

    /// Fires timers: retransmissions, timeouts, registration refresh, 2xx
    /// retransmission, glare retries.
    pub fn poll(&mut self, now: Duration) {
        let mut events = Vec::new();
        self.transactions.poll(now, &mut self.transmits, &mut events);
        for event in events {
            if let TransactionEvent::Timeout(key) = event {
                self.on_timeout(&key);
            }
        }
        if self.registration.next_at.is_some_and(|at| now >= at) {
            self.registration.next_at = None;
            if self.registration.wanted {
                self.send_register(self.account.register_expires, now);
            }
        }
        let handles: Vec<CallHandle> = self.calls.keys().copied().collect();
        for handle in handles {
            self.poll_call(handle, now);
        }
    }

    // ----- internals ------------------------------------------------------

    fn poll_call(&mut self, handle: CallHandle, now: Duration) {
        let t2 = self.timers.t2;
        let Some(call) = self.calls.get_mut(&handle) else { return };
        if let Some(pending) = &mut call.pending_2xx {
            if now >= pending.give_up_at {
                // No ACK for our 2xx (§13.3.1.4): the call is dead; say so with a BYE.
                call.pending_2xx = None;
                let _ = self.send_bye(handle, now);
                self.end(
                    handle,
                    EndReason::Failed { code: 408, reason: "the caller never confirmed the answer".into() },
                );
                return;
            }
            if now >= pending.resend_at {
                let to = call.dialog.peer;
                self.transmits.push(Transmit { to, message: pending.response.clone() });
                pending.interval = (pending.interval * 2).min(t2);
                pending.resend_at = now + pending.interval;
            }
        }
        if call.glare_retry_at.is_some_and(|at| now >= at) {
            call.glare_retry_at = None;
            let direction = call.media.direction;
            let _ = self.send_reinvite(handle, direction, now);
        }
    }

    fn new_handle(&mut self) -> CallHandle {
        let handle = CallHandle(self.next_call);
        self.next_call += 1;
        handle
    }

    fn tag(&mut self) -> String {
        format!("{:08x}", self.rng.random::<u32>())
    }

    fn address_of_record(&self) -> NameAddr {
        let mut aor = NameAddr::new(Uri::new(Some(&self.account.user), &self.account.domain, None));
        aor.display.clone_from(&self.account.display_name);
        aor
    }

    fn contact(&self) -> String {
        contact_for(&self.account, self.local, self.account.registrar.map_or(Transport::Udp, |r| r.transport))
    }

    fn in_dialog_request(&mut self, dialog: &mut Dialog, method: Method, transport: Transport) -> Message {
        let mut request = Self::dialog_request(dialog, method, transport, self.local, &mut self.rng, &self.product);
        request.push("Contact", contact_for(&self.account, self.local, transport));
        request.push("Allow", ALLOW);
        request
    }

    /// A request within `dialog` (§12.2.1.1): Request-URI and Route from the
    /// route set, `CSeq` one higher, a fresh branch.
    fn dialog_request(
        dialog: &mut Dialog,
        method: Method,
        transport: Transport,
        local: SocketAddr,
        rng: &mut SmallRng,
        user_agent: &str,
    ) -> Message {
        let strict = dialog.route_set.first().is_some_and(|r| !r.uri.is_loose_router());
        let (uri, routes): (Uri, Vec<String>) = if strict {
            let mut routes: Vec<String> = dialog.route_set.iter().skip(1).map(ToString::to_string).collect();
            routes.push(format!("<{}>", dialog.remote_target));
            (dialog.route_set.first().map_or_else(|| dialog.remote_target.clone(), |r| r.uri.clone()), routes)
        } else {
            (dialog.remote_target.clone(), dialog.route_set.iter().map(ToString::to_string).collect())
        };
        let counted = method != Method::Ack;
        let cseq_method = method.to_string();
        let mut request = Message::request(method, uri);
        request.push("Via", via(local, transport, rng));
        request.push("Max-Forwards", "70");
        let mut from = dialog.local_uri.clone();
        from.set_param("tag", Some(&dialog.local_tag));
        request.push("From", from.to_string());
        let mut to = dialog.remote_uri.clone();
        if let Some(tag) = &dialog.remote_tag {
            to.set_param("tag", Some(tag));
        }
        request.push("To", to.to_string());
        request.push("Call-ID", dialog.call_id.clone());
        if counted {
            dialog.local_seq += 1;
        }
        request.push("CSeq", format!("{} {cseq_method}", dialog.local_seq));
        for route in routes {
            request.push("Route", route);
        }
        request.push("User-Agent", user_agent);
        request
    }

    fn send(&mut self, purpose: Purpose, request: Message, to: Peer, now: Duration) -> Result<(), UaError> {
        let key = self.transactions.send_request(request.clone(), to, now, &mut self.transmits)?;
        self.outstanding.insert(key, Outstanding { purpose, request, to, authorised_with: None });
        Ok(())
    }

    fn send_register(&mut self, expires: u32, now: Duration) {
        let Some(registrar) = self.account.registrar else {
            self.registration.state = Registration::Unregistered;
            return;
        };
        self.registration.cseq += 1;
        let mut request = Message::request(Method::Register, Uri::new(None, &self.account.domain, None));
        request.push("Via", via(self.local, registrar.transport, &mut self.rng));
        request.push("Max-Forwards", "70");
        let aor = self.address_of_record();
        request.push("From", format!("{aor};tag={}", self.registration.from_tag));
        request.push("To", aor.to_string());
        request.push("Call-ID", self.registration.call_id.clone());
        request.push("CSeq", format!("{} REGISTER", self.registration.cseq));
        request.push("Contact", contact_for(&self.account, self.local, registrar.transport));
        request.push("Expires", expires.to_string());
        request.push("Allow", ALLOW);
        request.push("User-Agent", self.product.clone());
        self.authorise(&mut request);
        if expires > 0 {
            self.set_registration(Registration::Registering);
        }
        if let Err(error) = self.send(Purpose::Register, request, registrar, now) {
            self.set_registration(Registration::Failed { reason: error.to_string() });
        }
    }

    /// Adds credentials for a realm that challenged us before, saving a round trip.
    fn authorise(&mut self, request: &mut Message) {
        let (Some(credentials), Some(challenge)) =
            (&self.account.credentials, self.challenges.get(&false).or_else(|| self.challenges.get(&true)))
        else {
            return;
        };
        let challenge = challenge.clone();
        let credentials = credentials.clone();
        self.add_authorization(request, &challenge, &credentials);
    }

    fn add_authorization(&mut self, request: &mut Message, challenge: &Challenge, credentials: &Credentials) {
        let (method, uri) = match &request.start {
            StartLine::Request { method, uri } => (method.to_string(), uri.to_string()),
            StartLine::Response { .. } => return,
        };
        let nc = self.nonces.next_count(&challenge.nonce);
        let cnonce = format!("{:016x}", self.rng.random::<u64>());
        let value = auth::authorization(challenge, credentials, &method, &uri, &cnonce, nc, &request.body);
        let name = auth::header_name(challenge);
        request.set(name, value);
    }

    fn set_registration(&mut self, state: Registration) {
        if self.registration.state != state {
            self.registration.state = state.clone();
            self.events.push_back(UaEvent::Registration(state));
        }
    }

    fn end(&mut self, handle: CallHandle, reason: EndReason) {
        if let Some(mut call) = self.calls.remove(&handle) {
            call.state = CallState::Ended;
            self.outstanding.retain(|_, o| !o.purpose.concerns(handle));
            self.events.push_back(UaEvent::Ended { call: handle, reason });
        }
    }

    fn send_cancel(&mut self, handle: CallHandle, now: Duration) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        let invite = call.invite.clone().ok_or(UaError::WrongState("be cancelled"))?;
        call.cancel_wanted = false;
        call.cancel_sent = true;
        let StartLine::Request { uri, .. } = &invite.start else {
            return Err(UaError::WrongState("be cancelled"));
        };
        // CANCEL copies the INVITE's Request-URI, top Via, From, To, Call-ID
        // and Route, with the same CSeq number (§9.1).
        let mut cancel = Message::request(Method::Cancel, uri.clone());
        for name in ["Via", "Max-Forwards", "From", "To", "Call-ID", "Route"] {
            for value in invite.headers_named(name).take(if name == "Via" { 1 } else { usize::MAX }) {
                cancel.push(name, value);
            }
        }
        let (number, _) = invite.cseq()?;
        cancel.push("CSeq", format!("{number} CANCEL"));
        let to = call.dialog.peer;
        self.send(Purpose::Cancel(handle), cancel, to, now)
    }

    fn send_bye(&mut self, handle: CallHandle, now: Duration) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        let transport = call.dialog.peer.transport;
        let bye =
            Self::dialog_request(&mut call.dialog, Method::Bye, transport, self.local, &mut self.rng, &self.product);
        let to = next_hop(&call.dialog, self.account.registrar);
        self.send(Purpose::Bye(handle), bye, to, now)
    }

    fn change_direction(&mut self, handle: CallHandle, direction: Direction, now: Duration) -> Result<(), UaError> {
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if call.state != CallState::Connected {
            return Err(UaError::WrongState("change hold now"));
        }
        if call.reinvite_pending || call.pending_2xx.is_some() {
            // One offer at a time (RFC 3264 §4); try again after this one.
            call.media.direction = direction;
            call.glare_retry_at = Some(now + Duration::from_millis(500));
            return Ok(());
        }
        self.send_reinvite(handle, direction, now)
    }

    fn send_reinvite(&mut self, handle: CallHandle, direction: Direction, now: Duration) -> Result<(), UaError> {
        let contact = self.contact();
        let call = self.calls.get_mut(&handle).ok_or(UaError::NoSuchCall)?;
        if call.state != CallState::Connected {
            return Ok(());
        }
        call.media.direction = direction;
        call.media.version += 1;
        let transport = call.dialog.peer.transport;
        let mut invite =
            Self::dialog_request(&mut call.dialog, Method::Invite, transport, self.local, &mut self.rng, &self.product);
        invite.push("Contact", contact);
        invite.push("Allow", ALLOW);
        invite.set_body(Some("application/sdp"), sdp::offer(&call.media).to_string().into_bytes());
        call.reinvite_pending = true;
        let to = next_hop(&call.dialog, self.account.registrar);
        self.send(Purpose::ReInvite(handle), invite, to, now)
    }

    /// ACK for a 2xx: a new transaction-less request in the dialog (§13.2.2.4).
    fn send_ack(&mut self, handle: CallHandle, cseq: u32, body: Option<String>) {
        let Some(call) = self.calls.get_mut(&handle) else { return };
        let transport = call.dialog.peer.transport;
        let saved = call.dialog.local_seq;
        call.dialog.local_seq = cseq;
        let mut ack =
            Self::dialog_request(&mut call.dialog, Method::Ack, transport, self.local, &mut self.rng, &self.product);
        call.dialog.local_seq = saved;
        if let Some(body) = body {
            ack.set_body(Some("application/sdp"), body.into_bytes());
        }
        // An INVITE's credentials go on its ACK too (kamailio checks them).
        if let Some(invite) = &call.invite {
            for name in ["Authorization", "Proxy-Authorization"] {
                if let Some(value) = invite.header(name) {
                    ack.push(name, value);
                }
            }
        }
        let to = next_hop(&call.dialog, self.account.registrar);
        call.last_ack = Some((cseq, ack.clone()));
        self.transmits.push(Transmit { to, message: ack });
    }

    fn respond(&mut self, request: &Message, code: u16, tag: Option<&str>, now: Duration) {
        let mut response = Message::response_to(request, code, tag);
        if code == 405 || (request.method() == Some(Method::Options) && code == 200) {
            response.push("Allow", ALLOW);
            response.push("Accept", "application/sdp, message/sipfrag, application/dtmf-relay");
        }
        let _ = self.transactions.respond(response, now, &mut self.transmits);
    }

    fn find_dialog(&self, message: &Message, incoming: bool) -> Option<CallHandle> {
        let call_id = message.call_id().ok()?;
        let from_tag = message.from().ok()?.tag().map(str::to_owned);
        let to_tag = message.to().ok()?.tag().map(str::to_owned);
        let (local, remote) = if incoming { (to_tag, from_tag) } else { (from_tag, to_tag) };
        self.calls
            .values()
            .find(|c| {
                c.dialog.call_id == call_id
                    && Some(&c.dialog.local_tag) == local.as_ref()
                    && (c.dialog.remote_tag.is_none() || c.dialog.remote_tag == remote || !incoming)
            })
            .map(|c| c.handle)
    }

    fn on_timeout(&mut self, key: &TransactionKey) {
        let Some(outstanding) = self.outstanding.remove(key) else {
            // A server INVITE whose failure response was never acknowledged: nothing to undo.
            return;
        };
        match outstanding.purpose {
            Purpose::Register => self.registration_failed("the registrar did not answer".into(), Duration::ZERO),
            Purpose::Invite(handle) => {
                self.end(handle, EndReason::Failed { code: 408, reason: "nobody answered the call request".into() });
            }
            Purpose::Bye(handle) | Purpose::Cancel(handle) => self.end(handle, EndReason::LocalHangup),
            Purpose::ReInvite(handle) => {
                // A re-INVITE that times out ends the dialog (§14.1).
                let _ = self.send_bye(handle, Duration::ZERO);
                self.end(handle, EndReason::Failed { code: 408, reason: "the other party stopped answering".into() });
            }
            Purpose::Refer(handle) => {
                if let Some(call) = self.calls.get_mut(&handle) {
                    call.transfer_pending = false;
                }
                self.events.push_back(UaEvent::TransferProgress { call: handle, code: 408 });
            }
            // A lost progress report changes nothing for the call itself.
            Purpose::Notify(_) => {}
        }
    }

    fn registration_failed(&mut self, reason: String, now: Duration) {
        self.registration.failures += 1;
        // Retry after 30 s, 60 s, … up to 5 minutes.
        let wait = 30u64.saturating_mul(u64::from(self.registration.failures)).min(300);
        self.registration.next_at = Some(now + Duration::from_secs(wait));
        self.set_registration(Registration::Failed { reason });
    }

    fn on_response(&mut self, key: &TransactionKey, response: &Message, now: Duration) {
        let Some(code) = response.code() else { return };
        let Some(outstanding) = self.outstanding.get(key) else {
            // A retransmitted 2xx to an INVITE whose transaction we no longer track: re-ACK from the dialog.
            self.reack(response);
            return;
        };
        let purpose = outstanding.purpose.clone();
        if code >= 200 {
            let outstanding = self.outstanding.remove(key);
            if matches!(code, 401 | 407)
                && let Some(outstanding) = outstanding
                && self.retry_with_credentials(outstanding, response, now)
            {
                return;
            }
        }
        match purpose {
            Purpose::Register => self.on_register_response(response, code, now),
            Purpose::Invite(handle) => self.on_invite_response(handle, response, code, now),
            Purpose::ReInvite(handle) => self.on_reinvite_response(handle, response, code, now),
            Purpose::Bye(handle) => {
                if code >= 200 {
                    self.end(handle, EndReason::LocalHangup);
                }
            }
            Purpose::Cancel(_) | Purpose::Notify(_) => {}
            Purpose::Refer(handle) => {
                if code >= 300
                    && let Some(call) = self.calls.get_mut(&handle)
                {
                    call.transfer_pending = false;
                }
                if code >= 200 {
                    self.events.push_back(UaEvent::TransferProgress { call: handle, code });
                }
            }
        }
    }

    /// Answers a 401/407 by sending the request again with credentials; false when we cannot.
    fn retry_with_credentials(&mut self, outstanding: Outstanding, response: &Message, now: Duration) -> bool {
        let Some(credentials) = self.account.credentials.clone() else { return false };
        let proxy = response.code() == Some(407);
        let header = if proxy { "Proxy-Authenticate" } else { "WWW-Authenticate" };
        let Some(challenge) = response.headers_named(header).find_map(|v| auth::parse_challenge(v, proxy).ok()) else {
            return false;
        };
        // Credentials refused once are wrong: asking again would only loop
        // (a stale nonce is the exception, RFC 2617 §3.2.1).
        if outstanding.authorised_with.is_some() && !challenge.stale {
            return false;
        }
        let mut request = outstanding.request;
        // A new transaction: fresh branch, CSeq one higher (§22.2).
        request.set("Via", via(self.local, outstanding.to.transport, &mut self.rng));
        let Ok((_, method)) = request.cseq() else { return false };
        let number = match &outstanding.purpose {
            Purpose::Register => {
                self.registration.cseq += 1;
                self.registration.cseq
            }
            Purpose::Invite(handle)
            | Purpose::ReInvite(handle)
            | Purpose::Bye(handle)
            | Purpose::Refer(handle)
            | Purpose::Notify(handle) => match self.calls.get_mut(handle) {
                Some(call) => {
                    call.dialog.local_seq += 1;
                    call.dialog.local_seq
                }
                None => return false,
            },
            Purpose::Cancel(_) => return false,
        };
        request.set("CSeq", format!("{number} {method}"));
        self.add_authorization(&mut request, &challenge, &credentials);
        let nonce = challenge.nonce.clone();
        self.challenges.insert(proxy, challenge);
        if let Purpose::Invite(handle) = &outstanding.purpose
            && let Some(call) = self.calls.get_mut(handle)
        {
            call.invite = Some(request.clone());
        }
        match self.transactions.send_request(request.clone(), outstanding.to, now, &mut self.transmits) {
            Ok(key) => {
                self.outstanding.insert(
                    key,
                    Outstanding {
                        purpose: outstanding.purpose,
                        request,
                        to: outstanding.to,
                        authorised_with: Some(nonce),
                    },
                );
                true
            }
            Err(_) => false,
        }
    }

    fn on_register_response(&mut self, response: &Message, code: u16, now: Duration) {
        match code {
            100..=199 => {}
            200..=299 => {
                if !self.registration.wanted {
                    self.set_registration(Registration::Unregistered);
                    return;
                }
                let ours = contact_uri(&self.account, self.local);
                let granted = response
                    .headers_named("Contact")
                    .filter_map(|c| NameAddr::parse(c).ok())
                    .find(|c| {
                        c.uri.user == ours.user
                            && c.uri.port.unwrap_or(5060) == ours.port.unwrap_or(5060)
                            && c.uri.host == ours.host
                    })
                    .and_then(|c| c.param("expires").and_then(|e| e.parse().ok()))
                    .or_else(|| response.header("Expires").and_then(|e| e.trim().parse().ok()))
                    .unwrap_or(self.account.register_expires);
                self.registration.failures = 0;
                // Refresh well before expiry (a fifth early, at least 5 s).
                let early = (granted / 5).max(5);
                self.registration.next_at =
                    Some(now + Duration::from_secs(u64::from(granted.saturating_sub(early).max(5))));
                self.set_registration(Registration::Registered { expires: granted });
            }
            423 => {
                if let Some(minimum) = response.header("Min-Expires").and_then(|m| m.trim().parse::<u32>().ok()) {
                    self.account.register_expires = minimum;
                    self.send_register(minimum, now);
                }
            }
            _ => {
                let reason = if matches!(code, 401 | 403 | 407) {
                    "the registrar refused our user name or password".to_owned()
                } else {
                    format!("the registrar answered {code} {}", response_reason(response))
                };
                self.registration_failed(reason, now);
            }
        }
    }

    fn on_invite_response(&mut self, handle: CallHandle, response: &Message, code: u16, now: Duration) {
        let Some(call) = self.calls.get_mut(&handle) else {
            // The call ended (we hung up) but the answer raced our CANCEL: ACK and BYE it.
            return;
        };
        match code {
            100 => {}
            101..=199 => {
                call.provisional_seen = true;
                if let Ok(to) = response.to()
                    && let Some(tag) = to.tag()
                {
                    call.dialog.remote_tag = Some(tag.to_owned());
                    call.state = CallState::Early;
                }
                let media = if response.has_sdp() && call.negotiated.is_none() {
                    accept(&call.media, &response.body)
                } else {
                    None
                };
                if media.is_some() {
                    call.negotiated.clone_from(&media);
                }
                let cancel = call.cancel_wanted;
                self.events.push_back(UaEvent::Progress { call: handle, code, media });
                if cancel {
                    let _ = self.send_cancel(handle, now);
                }
            }
            200..=299 => {
                let Ok((cseq, _)) = response.cseq() else { return };
                call.establish_from_response(response);
                let media = if response.has_sdp() { accept(&call.media, &response.body) } else { None };
                if call.cancel_sent || call.cancel_wanted {
                    // Our CANCEL crossed the answer: confirm and end the dialog (§9.1).
                    self.send_ack(handle, cseq, None);
                    let _ = self.send_bye(handle, now);
                    self.end(handle, EndReason::LocalHangup);
                    return;
                }
                if let Some(media) = media.or(call.negotiated) {
                    call.negotiated = Some(media);
                    call.state = CallState::Connected;
                    self.send_ack(handle, cseq, None);
                    self.events.push_back(UaEvent::Connected { call: handle, media });
                } else {
                    // An answer we cannot use: confirm, then hang up (§13.2.2.4).
                    self.send_ack(handle, cseq, None);
                    let _ = self.send_bye(handle, now);
                    self.end(handle, EndReason::Failed { code: 488, reason: "the answer had no usable audio".into() });
                }
            }
            _ => {
                let reason = match code {
                    486 | 600 => EndReason::Busy,
                    603 => EndReason::Declined,
                    487 if call.cancel_sent => EndReason::LocalHangup,
                    _ => EndReason::Failed { code, reason: response_reason(response) },
                };
                self.end(handle, reason);
            }
        }
    }

    fn on_reinvite_response(&mut self, handle: CallHandle, response: &Message, code: u16, now: Duration) {
        let Some(call) = self.calls.get_mut(&handle) else { return };
        if code < 200 {
            return;
        }
        call.reinvite_pending = false;
        match code {
            200..=299 => {
                let Ok((cseq, _)) = response.cseq() else { return };
                if let Ok(Some(contact)) = response.contact() {
                    call.dialog.remote_target = contact.uri;
                }
                let media = if response.has_sdp() { accept(&call.media, &response.body) } else { None };
                self.send_ack(handle, cseq, None);
                let Some(call) = self.calls.get_mut(&handle) else { return };
                match media {
                    Some(media) => {
                        call.negotiated = Some(media);
                        let remote_hold = call.remote_hold;
                        self.events.push_back(UaEvent::MediaChanged { call: handle, media, remote_hold });
                    }
                    None => self.events.push_back(UaEvent::HoldFailed { call: handle, code: 488 }),
                }
            }
            491 => {
                // Glare (§14.1): the Call-ID owner waits 2.1–4 s, the other 0–2 s.
                let wait =
                    if call.outgoing { self.rng.random_range(2100..=4000) } else { self.rng.random_range(0..=2000) };
                call.glare_retry_at = Some(now + Duration::from_millis(wait));
            }
            408 | 481 => {
                let _ = self.send_bye(handle, now);
                self.end(handle, EndReason::Failed { code, reason: response_reason(response) });
            }
            _ => {
                // The old media stays (§14.1); undo our direction change.
                call.media.direction = call.negotiated.as_ref().map_or(Direction::SendRecv, |n| n.direction);
                self.events.push_back(UaEvent::HoldFailed { call: handle, code });
            }
        }
    }

    fn reack(&mut self, response: &Message) {
        if response.method() != Some(Method::Invite) || !(200..300).contains(&response.code().unwrap_or(0)) {
            return;
        }
        let Some(handle) = self.find_dialog(response, false) else { return };
        let Some(call) = self.calls.get(&handle) else { return };
        if let (Some((seq, ack)), Ok((number, _))) = (&call.last_ack, response.cseq())
            && *seq == number
        {
            let to = next_hop(&call.dialog, self.account.registrar);
            self.transmits.push(Transmit { to, message: ack.clone() });
        }
    }

    fn on_request(&mut self, request: &Message, from: Peer, now: Duration) {
        let Some(method) = request.method() else { return };
        let in_dialog = request.to().ok().and_then(|to| to.tag().map(str::to_owned)).is_some();
        if method == Method::Ack {
            self.on_ack(request);
            return;
        }
        if method == Method::Cancel {
            self.on_cancel(request, now);
            return;
        }
        if in_dialog {
            let Some(handle) = self.find_dialog(request, true) else {
                self.respond(request, 481, None, now);
                return;
            };
            self.on_dialog_request(handle, request, &method, now);
            return;
        }
        match method {
            Method::Invite => self.on_invite(request, from, now),
            Method::Options => {
                self.respond(request, 200, Some("opt"), now);
            }
            _ => {
                self.respond(request, 405, Some("na"), now);
            }
        }
    }

    fn on_invite(&mut self, invite: &Message, from: Peer, now: Duration) {
        let offer = if invite.has_sdp() {
            if let Some(offer) = std::str::from_utf8(&invite.body).ok().and_then(|text| sdp::parse(text).ok()) {
                Some(offer)
            } else {
                self.respond(invite, 400, Some("sdp"), now);
                return;
            }
        } else {
            None
        };
        // Refuse at once an offer we could never answer (488, §13.3.1.3),
        // before the agent is disturbed by a ringing call.
        if let Some(offer) = &offer
            && sdp::answer(offer, &self.media).is_err()
        {
            self.respond(invite, 488, Some("nc"), now);
            return;
        }
        let Ok(caller) = invite.from() else { return };
        let Ok(callee) = invite.to() else { return };
        let Ok((cseq, _)) = invite.cseq() else { return };
        let Ok(call_id) = invite.call_id() else { return };
        let handle = self.new_handle();
        let local_tag = self.tag();
        let remote_target = invite.contact().ok().flatten().map_or_else(|| caller.uri.clone(), |c| c.uri);
        let mut remote_uri = caller.clone();
        remote_uri.params.retain(|(name, _)| !name.eq_ignore_ascii_case("tag"));
        let mut local_uri = callee;
        local_uri.params.retain(|(name, _)| !name.eq_ignore_ascii_case("tag"));
        let dialog = Dialog {
            call_id: call_id.to_owned(),
            local_tag: local_tag.clone(),
            remote_tag: caller.tag().map(str::to_owned),
            local_uri,
            remote_uri,
            remote_target,
            route_set: invite.headers_named("Record-Route").filter_map(|r| NameAddr::parse(r).ok()).collect(),
            local_seq: self.rng.random_range(1..10_000),
            remote_seq: Some(cseq),
            peer: from,
        };
        let mut call = Call::new(handle, dialog, self.media.clone(), false);
        call.state = CallState::Ringing;
        call.remote_offer = offer;
        call.invite = Some(invite.clone());
        self.calls.insert(handle, call);
        let mut ringing = Message::response_to(invite, 180, Some(&local_tag));
        ringing.push("Contact", self.contact());
        let _ = self.transactions.respond(ringing, now, &mut self.transmits);
        self.events.push_back(UaEvent::Incoming { call: handle, from: caller });
    }

    fn on_ack(&mut self, ack: &Message) {
        let Some(handle) = self.find_dialog(ack, true) else { return };
        let Some(call) = self.calls.get_mut(&handle) else { return };
        // The ACK ends the 2xx retransmissions; an ACK nothing waited for changes nothing.
        if call.pending_2xx.take().is_none() {
            return;
        }
        let first_answer = call.state == CallState::Answering;
        let mut media = call.negotiated;
        if call.awaiting_answer_in_ack {
            call.awaiting_answer_in_ack = false;
            media = if ack.has_sdp() { accept(&call.media, &ack.body) } else { None };
            if media.is_none() {
                let _ = self.send_bye(handle, Duration::ZERO);
                self.end(
                    handle,
                    EndReason::Failed { code: 488, reason: "the caller's answer had no usable audio".into() },
                );
                return;
            }
            call.negotiated.clone_from(&media);
        }
        let Some(media) = media else { return };
        if first_answer {
            call.state = CallState::Connected;
            self.events.push_back(UaEvent::Connected { call: handle, media });
        } else {
            let remote_hold = call.remote_hold;
            self.events.push_back(UaEvent::MediaChanged { call: handle, media, remote_hold });
        }
    }

    fn on_cancel(&mut self, cancel: &Message, now: Duration) {
        let Ok(mut key) = TransactionKey::of(cancel) else { return };
        key.method = Method::Invite;
        let handle = self
            .calls
            .values()
            .find(|c| {
                !c.outgoing
                    && c.state == CallState::Ringing
                    && c.invite.as_ref().and_then(|i| TransactionKey::of(i).ok()).as_ref() == Some(&key)
            })
            .map(|c| c.handle);
        let Some(handle) = handle.filter(|_| self.transactions.is_pending_invite(&key)) else {
            self.respond(cancel, 481, None, now);
            return;
        };
        self.respond(cancel, 200, None, now);
        if let Some(invite) = self.calls.get(&handle).and_then(|c| c.invite.clone()) {
            let tag = self.calls.get(&handle).map(|c| c.dialog.local_tag.clone());
            self.respond(&invite, 487, tag.as_deref(), now);
        }
        self.end(handle, EndReason::RemoteCancelled);
    }

    fn on_dialog_request(&mut self, handle: CallHandle, request: &Message, method: &Method, now: Duration) {
        let Some(call) = self.calls.get_mut(&handle) else { return };
        let Ok((cseq, _)) = request.cseq() else { return };
        if call.dialog.remote_seq.is_some_and(|seen| cseq <= seen) && *method != Method::Ack {
            // Out of order (§12.2.2).
            self.respond(request, 500, None, now);
            return;
        }
        call.dialog.remote_seq = Some(cseq);
        let tag = call.dialog.local_tag.clone();
        match method {
            Method::Bye => {
                self.respond(request, 200, Some(&tag), now);
                self.end(handle, EndReason::RemoteHangup);
            }
            Method::Invite => self.on_reinvite(handle, request, now),
            Method::Info => {
                let digit = dtmf_relay_digit(request);
                self.respond(request, 200, Some(&tag), now);
                if let Some(digit) = digit {
                    self.events.push_back(UaEvent::Dtmf { call: handle, digit });
                }
            }
            Method::Notify => {
                let code = sipfrag_code(&request.body);
                let terminated = request
                    .header("Subscription-State")
                    .is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("terminated"));
                self.respond(request, 200, Some(&tag), now);
                if let Some(code) = code {
                    self.events.push_back(UaEvent::TransferProgress { call: handle, code });
                    let transferring = self.calls.get(&handle).is_some_and(|c| c.transfer_pending);
                    if transferring && (200..300).contains(&code) {
                        let _ = self.send_bye(handle, now);
                        self.end(handle, EndReason::Transferred);
                    } else if (code >= 300 || terminated)
                        && let Some(call) = self.calls.get_mut(&handle)
                    {
                        call.transfer_pending = false;
                    }
                }
            }
            Method::Options => {
                self.respond(request, 200, Some(&tag), now);
            }
            Method::Refer => {
                // We are asked to call a third party (blind transfer, RFC 3515).
                let target = request.header("Refer-To").and_then(|r| NameAddr::parse(r).ok());
                match target {
                    Some(target) if self.calls.get(&handle).is_some_and(|c| c.state == CallState::Connected) => {
                        self.respond(request, 202, Some(&tag), now);
                        self.notify_transfer(handle, 100, now);
                        self.events.push_back(UaEvent::TransferRequested {
                            call: handle,
                            target: target.uri.without_headers(),
                        });
                    }
                    Some(_) => {
                        self.respond(request, 491, Some(&tag), now);
                    }
                    None => {
                        self.respond(request, 400, Some(&tag), now);
                    }
                }
            }
            _ => {
                self.respond(request, 405, Some(&tag), now);
            }
        }
    }

    /// Tells the party who asked us to transfer how the new call goes (RFC 3515
    /// NOTIFY with a sipfrag); a final status ends the implicit subscription.
    pub fn transfer_progress(&mut self, handle: CallHandle, code: u16, now: Duration) -> Result<(), UaError> {
        if !self.calls.contains_key(&handle) {
            return Err(UaError::NoSuchCall);
        }
        self.notify_transfer(handle, code, now);
        Ok(())
    }

    fn notify_transfer(&mut self, handle: CallHandle, code: u16, now: Duration) {
        let contact = self.contact();
        let Some(call) = self.calls.get_mut(&handle) else { return };
        let transport = call.dialog.peer.transport;
        let mut notify =
            Self::dialog_request(&mut call.dialog, Method::Notify, transport, self.local, &mut self.rng, &self.product);
        notify.push("Contact", contact);
        notify.push("Event", "refer");
        notify
            .push("Subscription-State", if code >= 200 { "terminated;reason=noresource" } else { "active;expires=60" });
        notify.set_body(
            Some("message/sipfrag;version=2.0"),
            format!("SIP/2.0 {code} {}\r\n", reason_phrase(code)).into_bytes(),
        );
        let to = next_hop(&call.dialog, self.account.registrar);
        let _ = self.send(Purpose::Notify(handle), notify, to, now);
    }

    fn on_reinvite(&mut self, handle: CallHandle, request: &Message, now: Duration) {
        let contact = self.contact();
        let Some(call) = self.calls.get_mut(&handle) else { return };
        let tag = call.dialog.local_tag.clone();
        if call.reinvite_pending || call.pending_2xx.is_some() {
            // Glare: both sides offered at once (§14.2).
            let mut pending = Message::response_to(request, 491, Some(&tag));
            pending.push("Retry-After", "2");
            let _ = self.transactions.respond(pending, now, &mut self.transmits);
            return;
        }
        if let Ok(Some(contact)) = request.contact() {
            call.dialog.remote_target = contact.uri;
        }
        call.media.version += 1;
        let body = if request.has_sdp() {
            let Some(offer) = std::str::from_utf8(&request.body).ok().and_then(|t| sdp::parse(t).ok()) else {
                self.respond(request, 400, Some(&tag), now);
                return;
            };
            if let Ok((answer, negotiated)) = sdp::answer(&offer, &call.media) {
                call.remote_hold = !negotiated.direction.sends() || negotiated.remote_rtp.is_none();
                call.negotiated = Some(negotiated);
                answer.to_string()
            } else {
                self.respond(request, 488, Some(&tag), now);
                return;
            }
        } else {
            call.awaiting_answer_in_ack = true;
            sdp::offer(&call.media).to_string()
        };
        let mut ok = Message::response_to(request, 200, Some(&tag));
        ok.push("Contact", contact);
        ok.push("Allow", ALLOW);
        ok.set_body(Some("application/sdp"), body.into_bytes());
        call.pending_2xx = Some(Pending2xx::new(ok.clone(), now, self.timers.t1));
        let _ = self.transactions.respond(ok, now, &mut self.transmits);
    }
}

impl Purpose {
    fn concerns(&self, handle: CallHandle) -> bool {
        match self {
            Self::Invite(h) | Self::Cancel(h) | Self::Bye(h) | Self::ReInvite(h) | Self::Refer(h) | Self::Notify(h) => {
                *h == handle
            }
            Self::Register => false,
        }
    }
}

/// A Via for a new client transaction, asking for rport (RFC 3581).
fn via(local: SocketAddr, transport: Transport, rng: &mut SmallRng) -> String {
    let host = match local.ip() {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    };
    format!("SIP/2.0/{} {host}:{};branch=z9hG4bK{:016x};rport", transport.as_str(), local.port(), rng.random::<u64>())
}

fn contact_uri(account: &Account, local: SocketAddr) -> Uri {
    Uri::new(Some(&account.user), &local.ip().to_string(), Some(local.port()))
}

fn contact_for(account: &Account, local: SocketAddr, transport: Transport) -> String {
    let mut uri = contact_uri(account, local);
    if transport == Transport::Tcp {
        uri.params.push(("transport".into(), Some("tcp".into())));
    }
    format!("<{uri}>")
}

/// Where in-dialog requests go: the first route (or the remote target) when
/// its host is an address, else the outbound proxy, else where the dialog's
/// messages came from.
fn next_hop(dialog: &Dialog, registrar: Option<Peer>) -> Peer {
    let uri = dialog.route_set.first().map_or(&dialog.remote_target, |r| &r.uri);
    let transport = if uri.transport() == "tcp" { Transport::Tcp } else { dialog.peer.transport };
    match uri.ip() {
        Some(ip) => {
            Peer { address: SocketAddr::new(ip, uri.port.unwrap_or(if uri.secure { 5061 } else { 5060 })), transport }
        }
        None => registrar.unwrap_or(dialog.peer),
    }
}

fn accept(media: &LocalMedia, body: &[u8]) -> Option<Negotiated> {
    let answer = sdp::parse(std::str::from_utf8(body).ok()?).ok()?;
    sdp::accept_answer(media, &answer).ok()
}

fn response_reason(response: &Message) -> String {
    match &response.start {
        StartLine::Response { reason, .. } if !reason.is_empty() => reason.chars().take(120).collect(),
        StartLine::Response { code, .. } => reason_phrase(*code).to_owned(),
        StartLine::Request { .. } => String::new(),
    }
}

/// The digit of an `application/dtmf-relay` INFO (`Signal=5`).
fn dtmf_relay_digit(request: &Message) -> Option<char> {
    let kind = request.header("Content-Type")?.trim().to_ascii_lowercase();
    if !kind.starts_with("application/dtmf-relay") {
        return None;
    }
    let text = std::str::from_utf8(&request.body).ok()?;
    let signal = text.lines().find_map(|l| {
        let (name, value) = l.split_once('=')?;
        name.trim().eq_ignore_ascii_case("signal").then(|| value.trim().to_owned())
    })?;
    let mut chars = signal.chars();
    let digit = chars.next()?.to_ascii_uppercase();
    (chars.next().is_none() && (digit.is_ascii_digit() || matches!(digit, '*' | '#' | 'A'..='D'))).then_some(digit)
}

/// The status code of a `message/sipfrag` body (`SIP/2.0 200 OK`).
fn sipfrag_code(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?.trim();
    let code = line.strip_prefix("SIP/2.0 ")?.split_whitespace().next()?.parse().ok()?;
    (100..700).contains(&code).then_some(code)
}
