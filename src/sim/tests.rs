use super::*;
use crate::domain::{Channel, Language};

#[test]
fn contacts_arrive_at_the_configured_rate_in_both_languages_and_every_channel() {
    let workspace = Workspace::default();
    let start = Timestamp(0);
    let mut sim = Sim::new(SimOptions { rate: 1.0, seed: 1 }, &workspace, start);
    let hour = start.plus_secs(3600);
    let mut contacts = Vec::new();
    while let Some(due) = sim.next_due().filter(|d| *d <= hour) {
        contacts.extend(sim.take_due(due).into_iter().filter(|a| matches!(a, SimAction::NewContact { .. })));
    }
    // One every 20 s on average, plus the opening burst.
    assert!((140..=230).contains(&contacts.len()), "{} contacts in an hour", contacts.len());
    let has = |pred: &dyn Fn(&SimAction) -> bool| contacts.iter().any(pred);
    assert!(has(&|a| matches!(a, SimAction::NewContact { language: Language::Fr, .. })));
    assert!(has(&|a| matches!(a, SimAction::NewContact { language: Language::En, .. })));
    for channel in [Channel::WebChat, Channel::Sms, Channel::Email, Channel::Facebook, Channel::Instagram] {
        assert!(has(&|a| matches!(a, SimAction::NewContact { channel: c, .. } if *c == channel)), "{channel:?}");
    }
    let bodies: std::collections::HashSet<&str> = contacts
        .iter()
        .filter_map(|a| match a {
            SimAction::NewContact { body, .. } => Some(body.as_str()),
            _ => None,
        })
        .collect();
    assert!(bodies.len() * 10 >= contacts.len() * 9, "texts vary: {} distinct of {}", bodies.len(), contacts.len());
}

#[test]
fn a_higher_rate_brings_more_traffic() {
    let count = |rate| {
        let mut sim = Sim::new(SimOptions { rate, seed: 3 }, &Workspace::default(), Timestamp(0));
        let end = Timestamp(0).plus_secs(1800);
        let mut n = 0;
        while let Some(due) = sim.next_due().filter(|d| *d <= end) {
            n += sim.take_due(due).iter().filter(|a| matches!(a, SimAction::NewContact { .. })).count();
        }
        n
    };
    assert!(count(4.0) > 3 * count(1.0));
}
