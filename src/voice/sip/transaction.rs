//! SIP transactions (RFC 3261 §17, with the INVITE fixes of RFC 6026): the
//! four state machines that retransmit over UDP, absorb retransmissions from
//! the peer, and time out, driven by timers A–K (and L, M).
//!
//! Sans-IO: messages and the current time go in, messages to send and
//! events for the user agent come out. Time is a `Duration` since the user
//! agent started; nothing here reads a clock or touches a socket.

use super::message::{Message, Method, SipError, StartLine};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// The transport a message travels on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// Unreliable: the transaction layer retransmits.
    Udp,
    /// Reliable: no retransmissions, no linger timers.
    Tcp,
}

impl Transport {
    /// The name used in Via and `;transport=`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Udp => "UDP",
            Self::Tcp => "TCP",
        }
    }

    const fn is_reliable(self) -> bool {
        matches!(self, Self::Tcp)
    }
}

/// Where a message goes or came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Peer {
    /// The socket address.
    pub address: SocketAddr,
    /// The transport.
    pub transport: Transport,
}

/// The protocol timer base values (§17.1.1.1).
#[derive(Debug, Clone, Copy)]
pub struct TimerValues {
    /// Round-trip estimate, 500 ms.
    pub t1: Duration,
    /// Longest retransmit interval for non-INVITE requests and INVITE responses, 4 s.
    pub t2: Duration,
    /// Longest time a message stays in the network, 5 s.
    pub t4: Duration,
}

impl Default for TimerValues {
    fn default() -> Self {
        Self { t1: Duration::from_millis(500), t2: Duration::from_secs(4), t4: Duration::from_secs(5) }
    }
}

/// Names a transaction: the top Via branch and the method (ACK is matched
/// to its INVITE).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransactionKey {
    /// The Via branch.
    pub branch: String,
    /// INVITE, CANCEL, BYE, …
    pub method: Method,
}

impl TransactionKey {
    /// The key of a message, from its top Via and `CSeq`.
    pub fn of(message: &Message) -> Result<Self, SipError> {
        let via = message.via()?;
        let branch = via.branch().ok_or(SipError::Missing("Via branch"))?.to_owned();
        let method = match message.method() {
            Some(Method::Ack) | None => Method::Invite,
            Some(method) => method,
        };
        Ok(Self { branch, method })
    }
}

/// What the transaction layer tells the user agent.
#[derive(Debug, Clone, PartialEq)]
pub enum TransactionEvent {
    /// A response to a request we sent (retransmissions absorbed, except 2xx to INVITE, which the dialog must re-ACK).
    Response(TransactionKey, Message),
    /// No final response came in time (timer B or F), or the peer never acknowledged our final response (timer H).
    Timeout(TransactionKey),
    /// A new request from the peer (retransmissions absorbed), or an ACK to a 2xx.
    Request(Message, Peer),
}

/// A message to put on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Transmit {
    /// Destination.
    pub to: Peer,
    /// The message.
    pub message: Message,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Client INVITE before any response; client non-INVITE before a final one.
    Calling,
    /// A provisional response was sent or received.
    Proceeding,
    /// A 2xx to INVITE (RFC 6026 Accepted).
    Accepted,
    /// A non-2xx final response; waiting out retransmissions.
    Completed,
    /// The ACK to our non-2xx arrived (server INVITE).
    Confirmed,
}

#[derive(Debug)]
struct Transaction {
    client: bool,
    state: State,
    peer: Peer,
    /// What is retransmitted: our request (client) or our last response (server).
    last_sent: Option<Message>,
    /// Client INVITE: the request, to build the ACK for a non-2xx.
    request: Option<Message>,
    /// Client INVITE: the ACK we sent, resent when the final response is.
    ack: Option<Message>,
    retransmit_at: Option<Duration>,
    interval: Duration,
    /// When the transaction ends or times out.
    deadline: Duration,
    /// True when reaching `deadline` is a failure the user agent must hear of.
    deadline_fails: bool,
}

/// Every open transaction of a user agent.
#[derive(Debug, Default)]
pub struct Transactions {
    timers: TimerValues,
    open: HashMap<(bool, TransactionKey), Transaction>,
}

impl Transactions {
    /// An empty layer with the given timer values.
    #[must_use]
    pub fn new(timers: TimerValues) -> Self {
        Self { timers, open: HashMap::new() }
    }

    /// How many transactions are open.
    #[must_use]
    pub fn len(&self) -> usize {
        self.open.len()
    }

    /// True when no transaction is open.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.open.is_empty()
    }

    /// Starts a client transaction for `request` (which must carry a Via with
    /// a branch) and sends it. ACK is sent without a transaction.
    pub fn send_request(
        &mut self,
        request: Message,
        to: Peer,
        now: Duration,
        out: &mut Vec<Transmit>,
    ) -> Result<TransactionKey, SipError> {
        let key = TransactionKey::of(&request)?;
        if request.method() == Some(Method::Ack) {
            out.push(Transmit { to, message: request });
            return Ok(key);
        }
        let invite = request.method() == Some(Method::Invite);
        let t1 = self.timers.t1;
        let transaction = Transaction {
            client: true,
            state: State::Calling,
            peer: to,
            last_sent: Some(request.clone()),
            request: invite.then(|| request.clone()),
            ack: None,
            retransmit_at: (!to.transport.is_reliable()).then_some(now + t1),
            interval: t1,
            // Timer B (INVITE) or F (non-INVITE): 64·T1.
            deadline: now + t1 * 64,
            deadline_fails: true,
        };
        out.push(Transmit { to, message: request });
        self.open.insert((true, key.clone()), transaction);
        Ok(key)
    }

    /// Handles a response from the network. Returns the event for the user
    /// agent, or nothing when the response was a retransmission or matches
    /// no transaction (stray responses are dropped, §18.1.2).
    pub fn on_response(
        &mut self,
        response: Message,
        now: Duration,
        out: &mut Vec<Transmit>,
    ) -> Option<TransactionEvent> {
        let key = TransactionKey::of(&response).ok()?;
        let code = response.code()?;
        let timers = self.timers;
        let transaction = self.open.get_mut(&(true, key.clone()))?;
        let invite = key.method == Method::Invite;
        let reliable = transaction.peer.transport.is_reliable();
        match (transaction.state, code) {
            (State::Calling | State::Proceeding, 100..=199) => {
                transaction.state = State::Proceeding;
                if invite {
                    // Timer A stops once anything is heard (§17.1.1.2).
                    transaction.retransmit_at = None;
                } else if !reliable {
                    transaction.interval = timers.t2;
                    transaction.retransmit_at = Some(now + timers.t2);
                }
                Some(TransactionEvent::Response(key, response))
            }
            (State::Calling | State::Proceeding, 200..=299) if invite => {
                transaction.state = State::Accepted;
                transaction.retransmit_at = None;
                // Timer M: keep passing retransmitted 2xx up for re-ACKing.
                transaction.deadline = now + timers.t1 * 64;
                transaction.deadline_fails = false;
                Some(TransactionEvent::Response(key, response))
            }
            (State::Accepted, 200..=299) => Some(TransactionEvent::Response(key, response)),
            (State::Calling | State::Proceeding, _) => {
                transaction.state = State::Completed;
                transaction.retransmit_at = None;
                transaction.deadline_fails = false;
                if invite {
                    let ack = transaction.request.as_ref().map(|request| ack_for_failure(request, &response));
                    if let Some(ack) = &ack {
                        out.push(Transmit { to: transaction.peer, message: ack.clone() });
                    }
                    transaction.ack = ack;
                    // Timer D: 32 s over UDP.
                    transaction.deadline = now + if reliable { Duration::ZERO } else { Duration::from_secs(32) };
                } else {
                    // Timer K: T4 over UDP.
                    transaction.deadline = now + if reliable { Duration::ZERO } else { timers.t4 };
                }
                Some(TransactionEvent::Response(key, response))
            }
            (State::Completed, 300..) if invite => {
                if let Some(ack) = &transaction.ack {
                    out.push(Transmit { to: transaction.peer, message: ack.clone() });
                }
                None
            }
            _ => None,
        }
    }

    /// Handles a request from the network: a new one is passed up; a
    /// retransmission gets our last response again; the ACK to our non-2xx
    /// final response is absorbed; an ACK to a 2xx is passed up.
    pub fn on_request(
        &mut self,
        request: Message,
        from: Peer,
        now: Duration,
        out: &mut Vec<Transmit>,
    ) -> Option<TransactionEvent> {
        let key = TransactionKey::of(&request).ok()?;
        let method = request.method()?;
        let timers = self.timers;
        if let Some(transaction) = self.open.get_mut(&(false, key.clone())) {
            if method == Method::Ack {
                if transaction.state == State::Completed {
                    transaction.state = State::Confirmed;
                    transaction.retransmit_at = None;
                    transaction.deadline_fails = false;
                    // Timer I: T4 over UDP.
                    transaction.deadline = now + if from.transport.is_reliable() { Duration::ZERO } else { timers.t4 };
                    return None;
                }
                // An ACK to a 2xx has its own branch (§17.1.1.3); one that
                // matches the INVITE's came from an old-style peer: pass it up.
                return (transaction.state == State::Accepted).then_some(TransactionEvent::Request(request, from));
            }
            if let Some(last) = &transaction.last_sent {
                out.push(Transmit { to: transaction.peer, message: last.clone() });
            }
            return None;
        }
        if method == Method::Ack {
            return Some(TransactionEvent::Request(request, from));
        }
        let mut transaction = Transaction {
            client: false,
            state: State::Calling,
            peer: response_peer(&request, from),
            last_sent: None,
            request: None,
            ack: None,
            retransmit_at: None,
            interval: timers.t1,
            // Until the user agent answers; it always does, so this only bounds a bug.
            deadline: now + timers.t1 * 64 * 4,
            deadline_fails: false,
        };
        if method == Method::Invite {
            // 100 Trying at once stops the caller's retransmissions (§17.2.1).
            let trying = Message::response_to(&request, 100, None);
            out.push(Transmit { to: transaction.peer, message: trying.clone() });
            transaction.state = State::Proceeding;
            transaction.last_sent = Some(trying);
        }
        self.open.insert((false, key), transaction);
        Some(TransactionEvent::Request(request, from))
    }

    /// Sends the user agent's response in the server transaction of the request it answers.
    pub fn respond(&mut self, response: Message, now: Duration, out: &mut Vec<Transmit>) -> Result<(), SipError> {
        let key = TransactionKey::of(&response)?;
        let code = response.code().ok_or(SipError::Missing("status code"))?;
        let timers = self.timers;
        let Some(transaction) = self.open.get_mut(&(false, key.clone())) else {
            return Err(SipError::Missing("open server transaction"));
        };
        let reliable = transaction.peer.transport.is_reliable();
        out.push(Transmit { to: transaction.peer, message: response.clone() });
        transaction.last_sent = Some(response);
        let invite = key.method == Method::Invite;
        transaction.state = match code {
            100..=199 => State::Proceeding,
            200..=299 if invite => {
                // Timer L (RFC 6026): absorb INVITE retransmissions; the
                // dialog retransmits the 2xx itself until the ACK.
                transaction.deadline = now + timers.t1 * 64;
                transaction.last_sent = None;
                State::Accepted
            }
            _ => {
                if invite {
                    // Timer G retransmits; timer H gives up waiting for the ACK.
                    transaction.retransmit_at = (!reliable).then_some(now + timers.t1);
                    transaction.interval = timers.t1;
                    transaction.deadline = now + timers.t1 * 64;
                    transaction.deadline_fails = true;
                } else {
                    // Timer J: 64·T1 over UDP.
                    transaction.deadline = now + if reliable { Duration::ZERO } else { timers.t1 * 64 };
                }
                State::Completed
            }
        };
        Ok(())
    }

    /// True when a server INVITE transaction with this key still waits for the user agent's final response.
    #[must_use]
    pub fn is_pending_invite(&self, key: &TransactionKey) -> bool {
        self.open.get(&(false, key.clone())).is_some_and(|t| t.state == State::Proceeding)
    }

    /// Fires due timers: retransmits, and reports timeouts.
    pub fn poll(&mut self, now: Duration, out: &mut Vec<Transmit>, events: &mut Vec<TransactionEvent>) {
        let t2 = self.timers.t2;
        self.open.retain(|(_, key), transaction| {
            if now >= transaction.deadline {
                if transaction.deadline_fails {
                    events.push(TransactionEvent::Timeout(key.clone()));
                }
                return false;
            }
            if let Some(at) = transaction.retransmit_at.filter(|at| now >= *at) {
                if let Some(message) = &transaction.last_sent {
                    out.push(Transmit { to: transaction.peer, message: message.clone() });
                }
                // Client INVITE (timer A) doubles without a cap; the others cap at T2.
                let doubled = transaction.interval * 2;
                let uncapped = transaction.client && key.method == Method::Invite;
                transaction.interval = if uncapped { doubled } else { doubled.min(t2) };
                transaction.retransmit_at = Some(at.max(now) + transaction.interval);
            }
            true
        });
    }

    /// When `poll` next has work.
    #[must_use]
    pub fn next_deadline(&self) -> Option<Duration> {
        self.open.values().map(|t| t.retransmit_at.map_or(t.deadline, |r| r.min(t.deadline))).min()
    }
}

/// The ACK for a non-2xx final response: same branch, Request-URI, Call-ID,
/// From and Route as the INVITE; To from the response (§17.1.1.3).
fn ack_for_failure(invite: &Message, response: &Message) -> Message {
    let uri = match &invite.start {
        StartLine::Request { uri, .. } => uri.clone(),
        StartLine::Response { .. } => return invite.clone(),
    };
    let mut ack = Message::request(Method::Ack, uri);
    for name in ["Via", "From", "Call-ID", "Route", "Max-Forwards"] {
        for value in invite.headers_named(name).take(if name == "Via" { 1 } else { usize::MAX }) {
            ack.push(name, value);
        }
    }
    if let Some(to) = response.header("To") {
        ack.push("To", to);
    }
    if let Ok((number, _)) = invite.cseq() {
        ack.push("CSeq", format!("{number} ACK"));
    }
    ack
}

/// Where responses to a request go (§18.2.2 with RFC 3581): over TCP, back on
/// the connection; over UDP to `received`/`rport` — the source address —
/// when the client asked for rport, else to the port in its Via.
fn response_peer(request: &Message, from: Peer) -> Peer {
    if from.transport.is_reliable() {
        return from;
    }
    match request.via() {
        Ok(via) if via.param("rport").is_none() => {
            let port = via.port.unwrap_or(5060);
            Peer { address: SocketAddr::new(from.address.ip(), port), transport: from.transport }
        }
        _ => from,
    }
}

#[cfg(test)]
mod tests;
