//! The embedded connection as the workstation uses it: requests sent before
//! sign-in completes are delivered, and a client that falls behind is cut off,
//! resumes, and ends up with exactly the engine's view.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test helpers fail loudly on purpose")]

use std::sync::Arc;
use std::time::{Duration, Instant};
use switchboard::client::{Connection, Embedded, Inbound, Model};
use switchboard::domain::{AgentStatus, SystemClock, Timestamp, UserId};
use switchboard::engine::{Engine, EngineOptions, spawn};
use switchboard::protocol::Command;
use switchboard::store::Store;

fn now() -> Timestamp {
    Timestamp(chrono::Utc::now().timestamp_millis())
}

/// Applies everything that arrived; returns whether the link was lost.
fn pump(connection: &mut Embedded, model: &mut Model) -> bool {
    let mut lost = false;
    for inbound in connection.poll() {
        match inbound {
            Inbound::Event(event) => model.apply(event, now()),
            Inbound::Lost(_) => lost = true,
        }
    }
    lost
}

fn statuses(model: &Model) -> Vec<(UserId, AgentStatus)> {
    model.users.values().map(|u| (u.id, u.status.clone())).collect()
}

#[test]
fn a_client_that_falls_behind_resumes_and_misses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // A tiny per-client buffer, so that a client that does not read is cut off.
    let options = EngineOptions { client_buffer: 8, ..EngineOptions::default() };
    let engine = Engine::open(Store::open(dir.path()).unwrap(), Arc::new(SystemClock), &options).unwrap();
    let handle = spawn(engine).unwrap();
    let waker: switchboard::client::Waker = Arc::new(|| {});

    let mut agent = Embedded::with_inbox_capacity(handle.clone(), "agent", waker.clone(), 4);
    // Sent before the engine has even answered the sign-in.
    agent.send(Command::SetStatus { status: AgentStatus::Paused { reason: "Lunch".into() } });

    let mut admin = Embedded::connect(handle.clone(), "admin", waker);
    let mut admin_model = Model::default();
    let deadline = Instant::now() + Duration::from_secs(5);
    while admin_model.me.is_none() && Instant::now() < deadline {
        pump(&mut admin, &mut admin_model);
        std::thread::sleep(Duration::from_millis(5));
    }
    let colleagues: Vec<UserId> = admin_model.users.values().filter(|u| u.simulated).map(|u| u.id).collect();
    // Many changes while the agent's workstation does not read, paced so that
    // each is committed and delivered on its own rather than in one batch.
    for round in 0..3 {
        for &colleague in &colleagues {
            let status = if round % 2 == 0 { AgentStatus::LoggedOut } else { AgentStatus::Ready };
            admin.send(Command::SetAgentStatus { agent: colleague, status });
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let mut agent_model = Model::default();
    let mut lost = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        pump(&mut admin, &mut admin_model);
        lost |= pump(&mut agent, &mut agent_model);
        let settled = admin_model.users.values().filter(|u| u.simulated).all(|u| u.status == AgentStatus::LoggedOut);
        if settled && agent_model.me.is_some() && statuses(&agent_model) == statuses(&admin_model) {
            break;
        }
        assert!(Instant::now() < deadline, "the two workstations never agreed");
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(lost, "the slow client was cut off and had to resume");
    assert_eq!(agent_model.my_status(), Some(&AgentStatus::Paused { reason: "Lunch".into() }));
    assert!(agent_model.notices.is_empty(), "every command was accepted");
    drop((agent, admin));
    handle.shutdown_blocking();
}
