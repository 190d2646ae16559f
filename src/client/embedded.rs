//! The embedded connection: the engine runs in this process and messages
//! cross tokio channels instead of a socket.

use super::{Connection, Inbound, Link, Waker};
use crate::engine::{ConnectionId, EngineHandle, EventStream};
use crate::protocol::{Command, Hello, PROTOCOL_VERSION, Request, ResumePoint, Sequenced};
use std::sync::mpsc;

/// A connection to an engine in this process.
pub struct Embedded {
    engine: EngineHandle,
    login: String,
    connection: Option<ConnectionId>,
    inbox: mpsc::Receiver<Inbound>,
    inbox_sender: mpsc::Sender<Inbound>,
    waker: Waker,
    next_request: u64,
    resume: Option<ResumePoint>,
}

impl Embedded {
    /// Connects as `login`; the first event is a snapshot, or an `Inbound::Lost`
    /// saying why the engine refused.
    pub fn connect(engine: EngineHandle, login: &str, waker: Waker) -> Self {
        let (inbox_sender, inbox) = mpsc::channel();
        let mut connection = Self {
            engine,
            login: login.to_owned(),
            connection: None,
            inbox,
            inbox_sender,
            waker,
            next_request: 1,
            resume: None,
        };
        connection.open();
        connection
    }

    fn open(&mut self) {
        let hello = Hello { version: PROTOCOL_VERSION, login: self.login.clone(), resume_after: self.resume };
        match self.engine.connect_blocking(hello) {
            Ok(EventStream { connection, events }) => {
                self.connection = Some(connection);
                let sender = self.inbox_sender.clone();
                let waker = self.waker.clone();
                let forward = move || forward(events, &sender, &waker);
                if let Err(error) = std::thread::Builder::new().name("client-events".into()).spawn(forward) {
                    let _ = self.inbox_sender.send(Inbound::Lost(error.to_string()));
                }
            }
            Err(error) => {
                self.connection = None;
                let _ = self.inbox_sender.send(Inbound::Lost(error.to_string()));
                (self.waker)();
            }
        }
    }
}

fn forward(mut events: tokio::sync::mpsc::Receiver<Sequenced>, sender: &mpsc::Sender<Inbound>, waker: &Waker) {
    while let Some(event) = events.blocking_recv() {
        if sender.send(Inbound::Event(event)).is_err() {
            return;
        }
        waker();
    }
    let _ = sender.send(Inbound::Lost("the engine closed the event stream".into()));
    waker();
}

impl Connection for Embedded {
    fn send(&mut self, command: Command) -> u64 {
        let id = self.next_request;
        self.next_request += 1;
        let sent = self.connection.map(|c| self.engine.request(c, Request { id, command }));
        if !matches!(sent, Some(Ok(()))) {
            let _ = self.inbox_sender.send(Inbound::Lost("the engine is not running".into()));
        }
        id
    }

    fn poll(&mut self) -> Vec<Inbound> {
        let mut inbound: Vec<Inbound> = self.inbox.try_iter().collect();
        let mut lost = false;
        for item in &inbound {
            match item {
                Inbound::Event(Sequenced { seq, event }) => {
                    if let crate::protocol::Event::Snapshot(snapshot) = event {
                        self.resume = Some(ResumePoint { epoch: snapshot.epoch, seq: *seq });
                    } else if let Some(point) = &mut self.resume {
                        point.seq = *seq;
                    }
                }
                Inbound::Lost(_) => lost = true,
            }
        }
        // A stream dropped for falling behind resumes where it stopped; a
        // refused sign-in is not retried in a loop.
        if lost && self.connection.is_some() {
            if let Some(c) = self.connection.take() {
                self.engine.disconnect(c);
            }
            self.open();
            inbound.extend(self.inbox.try_iter());
        }
        inbound
    }

    fn link(&self) -> Link {
        Link::Embedded
    }

    fn switch_user(&mut self, login: &str) {
        if let Some(c) = self.connection.take() {
            self.engine.disconnect(c);
        }
        // Drop whatever was in flight for the previous user.
        let (sender, inbox) = mpsc::channel();
        self.inbox_sender = sender;
        self.inbox = inbox;
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
