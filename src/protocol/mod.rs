//! The messages between a user's front and the engine.
//!
//! `Command`s go from a user to the engine and are answered by an `Ack`;
//! `Event`s come back, each with a sequence number so that a client that
//! reconnects can ask for everything it missed. This module is serde only:
//! no IO, no async. The embedded mode passes these values over channels; the
//! server sends the same values as JSON text.

use crate::domain::{
    ActivityFigures, AgentStatus, DeferUntil, Directory, Disposition, InteractionId, Language, Message, Offer,
    PhoneCall, QueueId, QueueMembership, ThreadId, ThreadSummary, Timestamp, TransferTo, UserId,
};
use serde::{Deserialize, Serialize};

/// The version of this protocol. A client with another version is refused.
pub const PROTOCOL_VERSION: u32 = 2;

/// The largest wire message the engine accepts, in bytes.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024;

/// The largest message body a user may send, in characters.
pub const MAX_BODY_CHARS: usize = 20_000;

/// A client's first words: who it is and where it left off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hello {
    /// The protocol version the client speaks.
    pub version: u32,
    /// The sign-in name of the user.
    pub login: String,
    /// Where the client left off, when it reconnects.
    pub resume_after: Option<ResumePoint>,
}

/// The last event a client applied: the engine run it came from and its number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResumePoint {
    /// The engine run (a new number each time an engine starts).
    pub epoch: u64,
    /// The sequence number of the last event applied.
    pub seq: u64,
}

/// A numbered request from a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// Chosen by the client; the `Ack` carries it back.
    pub id: u64,
    /// What the user asks for.
    pub command: Command,
}

/// What a user asks the engine to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Set the signed-in user's own status.
    SetStatus {
        /// The new status.
        status: AgentStatus,
    },
    /// Set another agent's status (supervisors).
    SetAgentStatus {
        /// The agent.
        agent: UserId,
        /// The new status.
        status: AgentStatus,
    },
    /// Accept an offer made to the signed-in user.
    AcceptOffer {
        /// The interaction offered.
        interaction: InteractionId,
    },
    /// Decline an offer made to the signed-in user.
    RejectOffer {
        /// The interaction offered.
        interaction: InteractionId,
    },
    /// Load a thread's messages; answered by a `ThreadOpened` event.
    OpenThread {
        /// The thread.
        thread: ThreadId,
    },
    /// Reply to the customer on a thread the user holds.
    SendMessage {
        /// The thread.
        thread: ThreadId,
        /// The text.
        body: String,
    },
    /// Complete a thread the user holds (C7).
    Complete {
        /// The thread.
        thread: ThreadId,
        /// The outcome, when dispositions are on.
        #[serde(default)]
        disposition: Option<Disposition>,
    },
    /// Set an agent's status in one queue: the signed-in user's own, or
    /// another agent's (supervisors, H2).
    SetQueueStatus {
        /// The agent; `None` for the signed-in user.
        agent: Option<UserId>,
        /// The queue or campaign queue.
        queue: QueueId,
        /// Ready, paused with a listed reason, or logged out.
        status: AgentStatus,
    },
    /// Put a held thread aside until a time or the customer's next reply (C5).
    Defer {
        /// The thread.
        thread: ThreadId,
        /// Until when.
        until: DeferUntil,
    },
    /// Bring a thread back from Deferred or History (C8).
    Resume {
        /// The thread.
        thread: ThreadId,
    },
    /// Transfer a held thread, with a comment for the next agent (C6).
    Transfer {
        /// The thread.
        thread: ThreadId,
        /// Where to.
        to: TransferTo,
        /// The comment.
        comment: String,
    },
    /// Assign a thread to an agent at once, bypassing the queue (C6; supervisors).
    ForceAssign {
        /// The thread.
        thread: ThreadId,
        /// The agent.
        agent: UserId,
    },
    /// Give a held thread back to its queue (D5).
    Unassign {
        /// The thread.
        thread: ThreadId,
    },
    /// End a wrap-up early: one's own, or an agent's (supervisors, E3, H2).
    EndWrapUp {
        /// The agent; `None` for the signed-in user.
        agent: Option<UserId>,
    },
    /// Ask why a thread is still waiting; answered by `WaitExplained`.
    ExplainWait {
        /// The thread.
        thread: ThreadId,
    },
    /// Pause or resume the demo traffic generator (admins, embedded demo).
    SetDemoPaused {
        /// Whether it should stop.
        paused: bool,
    },
    /// Ask for my phone figures over `[from, to)` (a day of my own time zone);
    /// answered by `Activity`.
    MyActivity {
        /// Start, inclusive.
        from: Timestamp,
        /// End, exclusive.
        to: Timestamp,
    },
    /// Record a phone call the signed-in user made or took (E6); the
    /// engine sets the agent and keeps non-queue calls out of the queues.
    RecordCall {
        /// The call.
        call: PhoneCall,
    },
}

impl Command {
    /// The command's name, for logs and errors.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Command::SetStatus { .. } => "SetStatus",
            Command::SetAgentStatus { .. } => "SetAgentStatus",
            Command::AcceptOffer { .. } => "AcceptOffer",
            Command::RejectOffer { .. } => "RejectOffer",
            Command::OpenThread { .. } => "OpenThread",
            Command::SendMessage { .. } => "SendMessage",
            Command::Complete { .. } => "Complete",
            Command::SetQueueStatus { .. } => "SetQueueStatus",
            Command::Defer { .. } => "Defer",
            Command::Resume { .. } => "Resume",
            Command::Transfer { .. } => "Transfer",
            Command::ForceAssign { .. } => "ForceAssign",
            Command::Unassign { .. } => "Unassign",
            Command::EndWrapUp { .. } => "EndWrapUp",
            Command::ExplainWait { .. } => "ExplainWait",
            Command::SetDemoPaused { .. } => "SetDemoPaused",
            Command::RecordCall { .. } => "RecordCall",
            Command::MyActivity { .. } => "MyActivity",
        }
    }
}

/// Why the engine refused a command or a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum CommandError {
    /// The client speaks another protocol version.
    #[error("protocol version {got} is not supported; this engine speaks version {expected}")]
    UnsupportedVersion {
        /// The client's version.
        got: u32,
        /// The engine's version.
        expected: u32,
    },
    /// The message could not be read.
    #[error("malformed message: {0}")]
    Malformed(String),
    /// The user's role does not allow the command.
    #[error("{command} is not allowed for your role")]
    Forbidden {
        /// The command refused.
        command: String,
    },
    /// Something named by the command does not exist.
    #[error("{what} {id} does not exist")]
    NotFound {
        /// What kind of thing.
        what: String,
        /// Its id.
        id: i64,
    },
    /// The command does not fit the current state (an expired offer, a closed thread).
    #[error("{0}")]
    InvalidState(String),
    /// A value is out of bounds (an empty reply, an unknown pause reason).
    #[error("{0}")]
    InvalidInput(String),
    /// The store failed; nothing was changed.
    #[error("the database could not save this: {0}")]
    Storage(String),
    /// No user has this sign-in name.
    #[error("no user signs in as {0:?}")]
    UnknownUser(String),
    /// The engine has stopped.
    #[error("the engine is not running")]
    EngineStopped,
}

/// The result the engine gives a request.
pub type CommandResult = Result<(), CommandError>;

/// Everything a user's front needs to draw its first frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The signed-in user.
    pub me: UserId,
    /// Users, teams, queues and the rest of the workspace's organisation.
    pub directory: Directory,
    /// Every agent's status per queue.
    pub memberships: Vec<QueueMembership>,
    /// Recent threads, newest first.
    pub threads: Vec<ThreadSummary>,
    /// Offers open to the signed-in user.
    pub offers: Vec<Offer>,
    /// Whether the demo generator runs in this engine, and whether it is paused.
    pub demo: Option<DemoState>,
    /// The engine's time when the snapshot was taken.
    pub now: Timestamp,
    /// The engine run this snapshot belongs to, for resuming.
    pub epoch: u64,
    /// The signed-in user's recent phone calls, newest first.
    #[serde(default)]
    pub calls: Vec<PhoneCall>,
}

/// The state of the demo traffic generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemoState {
    /// Whether it is paused.
    pub paused: bool,
}

/// Something that happened, sent to the users it concerns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Event {
    /// A fresh view of everything; replaces the client's model.
    Snapshot(Box<Snapshot>),
    /// The engine's answer to a request.
    Ack {
        /// The request's id.
        request: u64,
        /// Done, or why not.
        result: CommandResult,
    },
    /// A user's status changed.
    StatusChanged {
        /// The user.
        user: UserId,
        /// The new status.
        status: AgentStatus,
        /// When.
        since: Timestamp,
    },
    /// A thread was created or changed.
    ThreadUpdated(ThreadSummary),
    /// A message was added to a thread.
    MessageAdded(Message),
    /// A thread's messages, answering `OpenThread`.
    ThreadOpened {
        /// The thread.
        thread: ThreadId,
        /// Its messages, oldest first.
        messages: Vec<Message>,
    },
    /// Work is offered to the signed-in user.
    OfferMade(Offer),
    /// An offer is gone: accepted, declined, expired or withdrawn.
    OfferClosed {
        /// The interaction that was offered.
        interaction: InteractionId,
        /// What happened to it.
        outcome: OfferOutcome,
    },
    /// The demo generator was paused or resumed.
    DemoChanged(DemoState),
    /// A phone call of the user was recorded.
    CallRecorded(PhoneCall),
    /// The user's phone figures over a period, as asked.
    Activity {
        /// Start of the period.
        from: Timestamp,
        /// Its figures.
        figures: ActivityFigures,
    },
    /// An agent's status in one queue changed.
    QueueStatusChanged {
        /// The agent.
        agent: UserId,
        /// The queue.
        queue: QueueId,
        /// The new status.
        status: AgentStatus,
    },
    /// An agent's wrap-up began (`Some(until)`, `Some(None)` until ended) or ended (`None`).
    WrapUpChanged {
        /// The agent.
        agent: UserId,
        /// Until when.
        until: Option<Option<Timestamp>>,
    },
    /// A held thread has been quiet past its queue's inactivity time (C4).
    Inactive {
        /// The thread.
        thread: ThreadId,
    },
    /// A deferred thread came back by itself (C5).
    DeferReturned {
        /// The thread.
        thread: ThreadId,
    },
    /// Why a thread is still waiting, answering `ExplainWait`.
    WaitExplained {
        /// The thread.
        thread: ThreadId,
        /// The explanation in one line.
        text: String,
    },
    /// A note for the user (a colleague's action, a warning).
    Notice {
        /// The text, in the engine's words.
        text: String,
        /// Its language, when it is user-facing prose.
        language: Option<Language>,
    },
}

/// What became of an offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum OfferOutcome {
    /// The agent accepted it.
    Accepted,
    /// The agent declined it.
    Rejected,
    /// Nobody accepted it in time.
    Expired,
    /// The customer left or the work was taken elsewhere.
    Withdrawn,
}

/// An event with its place in the engine's stream.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sequenced {
    /// Strictly increasing across the engine's life for this user's stream.
    pub seq: u64,
    /// The event, shared: the engine hands the same one to every subscriber
    /// instead of copying it per connection.
    pub event: std::sync::Arc<Event>,
}

impl Sequenced {
    /// An event at its place in the stream.
    #[must_use]
    pub fn new(seq: u64, event: Event) -> Self {
        Self { seq, event: std::sync::Arc::new(event) }
    }
}

/// Decodes a wire request, refusing oversized or malformed input with a typed error.
pub fn decode_request(bytes: &[u8]) -> Result<Request, CommandError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(CommandError::Malformed(format!(
            "message of {} bytes exceeds the {MAX_MESSAGE_BYTES}-byte limit",
            bytes.len()
        )));
    }
    serde_json::from_slice(bytes).map_err(|e| CommandError::Malformed(e.to_string()))
}

/// Decodes a wire hello and checks its version.
pub fn decode_hello(bytes: &[u8]) -> Result<Hello, CommandError> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(CommandError::Malformed("hello message too large".into()));
    }
    let hello: Hello = serde_json::from_slice(bytes).map_err(|e| CommandError::Malformed(e.to_string()))?;
    if hello.version != PROTOCOL_VERSION {
        return Err(CommandError::UnsupportedVersion { got: hello.version, expected: PROTOCOL_VERSION });
    }
    Ok(hello)
}

/// Encodes any protocol value as wire JSON.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CommandError> {
    serde_json::to_vec(value).map_err(|e| CommandError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests;
