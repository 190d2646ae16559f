//! One scenario per rule of ROUTING.md and SPEC C3–C8: time → event → expected state.

use super::harness::{Centre, EN, FR};
use crate::routing::{ItemState, Slot};

#[test]
fn longest_idle_agent_gets_new_work_and_accepting_assigns_it() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |_| {});
    let first = c.agent(1, &[EN], &[q]);
    c.advance_secs(10);
    let _second = c.agent(2, &[EN], &[q]);
    c.advance_secs(10);
    let item = c.arrive(100, q, EN);
    assert_eq!(c.offered_to(item), Some(first), "agent 1 has been idle longest");
    c.accept(first, item);
    assert_eq!(c.state(item), ItemState::Assigned { agent: first });
    c.sound();
}

#[test]
fn work_in_a_language_nobody_speaks_waits_and_says_why() {
    let mut c = Centre::new();
    let q = c.queue(1, Slot::Messaging, |q| q.name = "Billing".into());
    c.agent(1, &[EN], &[q]);
    let item = c.arrive(100, q, FR);
    assert_eq!(c.state(item), ItemState::Waiting);
    let why = c.router.why_waiting(item, c.now).unwrap().describe();
    assert_eq!(why, "no agent with French logged into Billing");
    c.sound();
}
