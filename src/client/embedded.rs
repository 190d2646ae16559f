//! The embedded connection: the engine runs in this process and messages
//! cross tokio channels instead of a socket.

use super::{Connection, Inbound, Link, Waker};
use crate::engine::{ConnectionId, EngineHandle, EventStream};
use crate::protocol::{Command, CommandError, Event, Hello, PROTOCOL_VERSION, Request, ResumePoint, Sequenced};
use std::sync::mpsc;

/// Reports waiting for the UI at most. When the UI falls this far behind, the
/// thread stops reading, the engine cuts the stream off, and the connection
/// resumes from its last event: memory stays bounded and nothing is lost.
const INBOX_CAPACITY: usize = 4096;

/// What the background thread reports to the connection.
enum Report {
    /// The engine accepted the sign-in.
    Connected(ConnectionId),
    /// Something for the model.
    Inbound(Inbound),
}

/// A connection to an engine in this process.
pub struct Embedded {
    engine: EngineHandle,
    login: String,
    connection: Option<ConnectionId>,
    /// Whether a sign-in is under way (requests wait for it).
    connecting: bool,
    queued: Vec<Request>,
    inbox: mpsc::Receiver<Report>,
    inbox_sender: mpsc::SyncSender<Report>,
    inbox_capacity: usize,
    waker: Waker,
    next_request: u64,
    resume: Option<ResumePoint>,
}

impl Embedded {
    /// Connects as `login` without waiting: the first event is a snapshot, or
    /// an `Inbound::Lost` saying why the engine refused.
    pub fn connect(engine: EngineHandle, login: &str, waker: Waker) -> Self {
        Self::with_inbox_capacity(engine, login, waker, INBOX_CAPACITY)
    }

    /// Like [`Embedded::connect`], holding at most `capacity` unread reports.
    pub fn with_inbox_capacity(engine: EngineHandle, login: &str, waker: Waker, capacity: usize) -> Self {
        let (inbox_sender, inbox) = mpsc::sync_channel(capacity);
        let mut connection = Self {
            engine,
            login: login.to_owned(),
            connection: None,
            connecting: false,
            queued: Vec::new(),
            inbox,
            inbox_sender,
            inbox_capacity: capacity,
            waker,
            next_request: 1,
            resume: None,
        };
        connection.open();
        connection
    }

    /// Starts a sign-in; a background thread waits for the engine's answer and
    /// then forwards the events, waking the UI for each.
    fn open(&mut self) {
        let hello = Hello { version: PROTOCOL_VERSION, login: self.login.clone(), resume_after: self.resume };
        let answer = self.engine.connect_later(hello);
        let sender = self.inbox_sender.clone();
        let waker = self.waker.clone();
        self.connecting = true;
        let run = move || {
            let report = |report| {
                let delivered = sender.send(report).is_ok();
                waker();
                delivered
            };
            match answer.blocking_recv() {
                Ok(Ok(EventStream { connection, mut events })) => {
                    if !report(Report::Connected(connection)) {
                        return;
                    }
                    while let Some(delivery) = events.blocking_recv() {
                        for event in delivery {
                            if !report(Report::Inbound(Inbound::Event(event))) {
                                return;
                            }
                        }
                    }
                    report(Report::Inbound(Inbound::Lost("the engine closed the event stream".into())));
                }
                Ok(Err(error)) => {
                    report(Report::Inbound(Inbound::Lost(error.to_string())));
                }
                Err(_) => {
                    report(Report::Inbound(Inbound::Lost(CommandError::EngineStopped.to_string())));
                }
            }
        };
        if let Err(error) = std::thread::Builder::new().name("client-events".into()).spawn(run) {
            self.connecting = false;
            let _ = self.inbox_sender.try_send(Report::Inbound(Inbound::Lost(error.to_string())));
        }
    }

    fn submit(&mut self, request: Request) {
        match self.connection {
            Some(connection) => {
                if self.engine.request(connection, request).is_err() {
                    let lost = Inbound::Lost(CommandError::EngineStopped.to_string());
                    let _ = self.inbox_sender.try_send(Report::Inbound(lost));
                }
            }
            None if self.connecting => self.queued.push(request),
            None => {
                let lost = Inbound::Lost(CommandError::EngineStopped.to_string());
                let _ = self.inbox_sender.try_send(Report::Inbound(lost));
            }
        }
    }
}

impl Connection for Embedded {
    fn send(&mut self, command: Command) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        self.submit(Request { id, command });
        id
    }

    fn poll(&mut self) -> Vec<Inbound> {
        let mut inbound = Vec::new();
        let mut lost = false;
        while let Ok(report) = self.inbox.try_recv() {
            match report {
                Report::Connected(connection) => {
                    self.connection = Some(connection);
                    self.connecting = false;
                    for request in std::mem::take(&mut self.queued) {
                        self.submit(request);
                    }
                }
                Report::Inbound(item) => {
                    match &item {
                        Inbound::Event(Sequenced { seq, event }) if matches!(**event, Event::Snapshot(_)) => {
                            if let Event::Snapshot(snapshot) = &**event {
                                self.resume = Some(ResumePoint { epoch: snapshot.epoch, seq: *seq });
                            }
                        }
                        Inbound::Event(Sequenced { seq, .. }) => {
                            if let Some(point) = &mut self.resume {
                                point.seq = *seq;
                            }
                        }
                        Inbound::Lost(_) => {
                            lost = true;
                            self.connecting = false;
                        }
                    }
                    inbound.push(item);
                }
            }
        }
        // A stream dropped for falling behind resumes where it stopped; a
        // refused sign-in is not retried in a loop.
        if lost && let Some(connection) = self.connection.take() {
            self.engine.disconnect(connection);
            self.open();
        }
        inbound
    }

    fn link(&self) -> Link {
        Link::Embedded
    }

    fn switch_user(&mut self, login: &str) {
        if let Some(connection) = self.connection.take() {
            self.engine.disconnect(connection);
        }
        // Whatever is in flight belongs to the previous user: a new inbox drops it.
        let (sender, inbox) = mpsc::sync_channel(self.inbox_capacity);
        self.inbox_sender = sender;
        self.inbox = inbox;
        self.queued.clear();
        login.clone_into(&mut self.login);
        self.resume = None;
        self.open();
    }
}

impl Drop for Embedded {
    fn drop(&mut self) {
        if let Some(c) = self.connection.take() {
            self.engine.disconnect(c);
        }
    }
}
