//! The engine's own thread: a single-threaded tokio runtime that owns the
//! engine, takes inputs from handles and sleeps until the next timer.
//!
//! Inputs that are already queued when the engine turns to them are handled
//! as one batch and committed together (group commit), so a burst of work
//! costs one transaction instead of one each; nobody is acknowledged before
//! the commit.

use super::{ConnectionId, Engine};
use crate::protocol::{CommandError, Hello, Request};
use crate::sim::SimAction;

/// Most inputs handled in one batch, so that acknowledgements never wait long.
const MAX_BATCH: usize = 512;
/// Most upkeep steps between two inputs.
const MAX_TIDY_STEPS: u32 = 256;
use tokio::sync::{mpsc, oneshot};

enum Input {
    Connect { hello: Hello, reply: oneshot::Sender<Result<EventStream, CommandError>> },
    Request { connection: ConnectionId, request: Request },
    Customer { action: SimAction },
    Disconnect { connection: ConnectionId },
    Shutdown { done: oneshot::Sender<()> },
}

/// A connected client's view: its id and the events coming to it.
#[derive(Debug)]
pub struct EventStream {
    /// The connection's id, for requests.
    pub connection: ConnectionId,
    /// Events for this user, a commit's worth at a time, starting with a
    /// snapshot or the missed ones.
    pub events: mpsc::Receiver<super::Delivery>,
}

/// A cheap, cloneable way to talk to a running engine from any thread.
#[derive(Debug, Clone)]
pub struct EngineHandle {
    inputs: mpsc::UnboundedSender<Input>,
}

impl EngineHandle {
    /// Signs a client in without waiting: the answer arrives on the receiver.
    #[must_use]
    pub fn connect_later(&self, hello: Hello) -> oneshot::Receiver<Result<EventStream, CommandError>> {
        let (reply, answer) = oneshot::channel();
        // If the engine has stopped, `reply` is dropped and the receiver says so.
        let _ = self.inputs.send(Input::Connect { hello, reply });
        answer
    }

    /// Signs a client in.
    pub async fn connect(&self, hello: Hello) -> Result<EventStream, CommandError> {
        let (reply, answer) = oneshot::channel();
        self.inputs.send(Input::Connect { hello, reply }).map_err(|_| CommandError::EngineStopped)?;
        answer.await.map_err(|_| CommandError::EngineStopped)?
    }

    /// Queues a request; its `Ack` arrives on the connection's events.
    pub fn request(&self, connection: ConnectionId, request: Request) -> Result<(), CommandError> {
        self.inputs.send(Input::Request { connection, request }).map_err(|_| CommandError::EngineStopped)
    }

    /// Hands the engine what a customer did on a channel (the web widget, a webhook).
    pub fn receive(&self, action: SimAction) -> Result<(), CommandError> {
        self.inputs.send(Input::Customer { action }).map_err(|_| CommandError::EngineStopped)
    }

    /// Ends a connection.
    pub fn disconnect(&self, connection: ConnectionId) {
        let _ = self.inputs.send(Input::Disconnect { connection });
    }

    /// Stops the engine after the inputs already queued, and waits for it.
    pub fn shutdown_blocking(&self) {
        let (done, finished) = oneshot::channel();
        if self.inputs.send(Input::Shutdown { done }).is_ok() {
            let _ = finished.blocking_recv();
        }
    }
}

/// Starts the engine on a thread of its own.
pub fn spawn(engine: Engine) -> std::io::Result<EngineHandle> {
    let (inputs, receiver) = mpsc::unbounded_channel();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build()?;
    std::thread::Builder::new().name("engine".into()).spawn(move || runtime.block_on(run(engine, receiver)))?;
    Ok(EngineHandle { inputs })
}

async fn run(mut engine: Engine, mut inputs: mpsc::UnboundedReceiver<Input>) {
    let mut tidied = 0;
    loop {
        let wait = engine.next_deadline().map(|deadline| {
            let millis = deadline.0.saturating_sub(engine.now().0).max(0);
            std::time::Duration::from_millis(millis as u64)
        });
        // Nothing waiting: a slice of the store's upkeep, then look again; the
        // cap keeps a quiet engine from spinning should upkeep never finish.
        if inputs.is_empty() && tidied < MAX_TIDY_STEPS && engine.tidy() {
            tidied += 1;
            continue;
        }
        let input = match wait {
            Some(wait) => tokio::select! {
                input = inputs.recv() => input,
                () = tokio::time::sleep(wait) => { engine.tick(); continue; }
            },
            None => inputs.recv().await,
        };
        let Some(first) = input else {
            engine.flush();
            return;
        };
        tidied = 0;
        engine.begin_batch();
        let mut next = Some(first);
        let mut handled = 0;
        while let Some(input) = next.take() {
            if let Err(done) = handle(&mut engine, input) {
                // Everything queued before the shutdown is committed, then the store is released.
                engine.flush();
                drop(engine);
                let _ = done.send(());
                return;
            }
            handled += 1;
            if handled < MAX_BATCH {
                next = inputs.try_recv().ok();
            }
        }
        engine.flush();
    }
}

/// Handles one input inside a batch; a shutdown hands back whom to tell once stopped.
fn handle(engine: &mut Engine, input: Input) -> Result<(), oneshot::Sender<()>> {
    match input {
        Input::Connect { hello, reply } => {
            // A snapshot must show only committed work.
            engine.flush();
            let result = engine.connect(&hello).map(|(connection, events)| EventStream { connection, events });
            let _ = reply.send(result);
            engine.begin_batch();
        }
        Input::Request { connection, request } => engine.handle(connection, &request),
        Input::Customer { action } => {
            if let Err(error) = engine.receive(action) {
                tracing::warn!(%error, "a customer's action could not be taken in");
            }
        }
        Input::Disconnect { connection } => engine.disconnect(connection),
        Input::Shutdown { done } => return Err(done),
    }
    Ok(())
}
