//! Demo traffic: simulated customers who write on every channel in English
//! and French, and simulated colleagues who take work, so that a first run
//! looks like a working contact centre.
//!
//! The simulator decides; the engine carries out. It never writes to the store
//! and never reads the clock: the engine passes time in and shows it events.

mod seed;
pub mod text;

pub use seed::{DEMO_USERS, demo_workspace};

use crate::domain::{AgentStatus, Author, Channel, Language, ThreadId, ThreadStatus, Timestamp, User, UserId};
use crate::protocol::{Command, Event};
use crate::store::Workspace;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use text::{Lang, Style, Topic};

/// How the demo runs.
#[derive(Debug, Clone, Copy)]
pub struct SimOptions {
    /// Traffic scale: 1.0 is a new contact every 20 seconds on average.
    pub rate: f64,
    /// Random seed, for repeatable runs.
    pub seed: u64,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self { rate: 1.0, seed: 0x5eed }
    }
}

/// Something a simulated person does, for the engine to carry out.
#[derive(Debug, Clone, PartialEq)]
pub enum SimAction {
    /// A new customer writes in.
    NewContact {
        /// The customer's name.
        customer_name: String,
        /// Their language.
        language: Language,
        /// The channel.
        channel: Channel,
        /// The category key of their topic.
        category: String,
        /// Email subject.
        subject: Option<String>,
        /// The first message.
        body: String,
    },
    /// A customer writes again.
    CustomerMessage {
        /// The thread.
        thread: ThreadId,
        /// The text.
        body: String,
    },
    /// A customer closes the chat or leaves the queue.
    CustomerCloses {
        /// The thread.
        thread: ThreadId,
    },
    /// A simulated colleague runs a command, as a person would.
    Colleague {
        /// Who.
        agent: UserId,
        /// What.
        command: Command,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Task {
    NewContact,
    /// One of the first contacts of a run; unlike `NewContact` it does not
    /// schedule the next one.
    OpeningContact,
    ColleagueBreak,
    Accept {
        agent: UserId,
        interaction: crate::domain::InteractionId,
    },
    ColleagueReply {
        agent: UserId,
        thread: ThreadId,
    },
    ColleagueComplete {
        agent: UserId,
        thread: ThreadId,
    },
    CustomerReply {
        thread: ThreadId,
    },
    CustomerFarewell {
        thread: ThreadId,
    },
    MaybeAbandon {
        thread: ThreadId,
    },
}

#[derive(Debug, Clone)]
struct Conversation {
    lang: Lang,
    style: Style,
    topic: Topic,
    first_name: String,
    /// Agent replies so far.
    replies: u32,
    /// Customer messages so far.
    customer_messages: u32,
    /// How many exchanges this customer wants before they are done.
    patience: u32,
    status: ThreadStatus,
    assignee: Option<UserId>,
}

/// The demo traffic generator.
pub struct Sim {
    rng: SmallRng,
    options: SimOptions,
    agenda: BinaryHeap<Reverse<(Timestamp, u64, Task)>>,
    counter: u64,
    conversations: HashMap<ThreadId, Conversation>,
    colleagues: Vec<UserId>,
    break_reason: Option<String>,
}

/// Mean seconds between new contacts at rate 1.0.
const MEAN_ARRIVAL_SECS: f64 = 20.0;

impl Sim {
    /// A generator for this workspace, starting at `now`.
    #[must_use]
    pub fn new(options: SimOptions, workspace: &Workspace, now: Timestamp) -> Self {
        let mut sim = Self {
            rng: SmallRng::seed_from_u64(options.seed ^ now.0 as u64),
            options,
            agenda: BinaryHeap::new(),
            counter: 0,
            conversations: HashMap::new(),
            colleagues: workspace.directory.users.iter().filter(|u| u.simulated).map(|u| u.id).collect(),
            break_reason: workspace.directory.pause_reasons.first().map(|r| r.label.clone()),
        };
        for thread in workspace.threads.iter().filter(|t| !t.status.is_closed()) {
            let lang = lang_of(thread.language);
            let (first, _) = text::customer_name(&mut sim.rng, lang);
            sim.conversations.insert(
                thread.id,
                Conversation {
                    lang,
                    style: style_of(thread.channel),
                    topic: Topic::ALL[thread.id.0 as usize % Topic::ALL.len()],
                    first_name: thread.customer_name.split(' ').next().unwrap_or(first).to_owned(),
                    replies: 0,
                    customer_messages: 1,
                    patience: 2,
                    status: thread.status,
                    assignee: thread.assignee,
                },
            );
        }
        // A lively start: a few customers write in within the first seconds.
        for i in 0..6 {
            sim.schedule(now.plus_millis(400 + i * 700), Task::OpeningContact);
        }
        let delay = sim.arrival_delay();
        sim.schedule(now.plus_millis(5_000 + delay), Task::NewContact);
        sim.schedule(now.plus_secs(90), Task::ColleagueBreak);
        sim
    }

    fn schedule(&mut self, at: Timestamp, task: Task) {
        self.counter += 1;
        self.agenda.push(Reverse((at, self.counter, task)));
    }

    /// Milliseconds until the next new contact: exponential, scaled by the rate.
    fn arrival_delay(&mut self) -> i64 {
        let mean = MEAN_ARRIVAL_SECS / self.options.rate.max(0.001);
        let u: f64 = self.rng.random_range(0.0001..1.0);
        (-u.ln() * mean * 1000.0) as i64
    }

    fn secs(&mut self, low: i64, high: i64) -> i64 {
        self.rng.random_range(low * 1000..=high * 1000)
    }

    /// When the next task is due.
    #[must_use]
    pub fn next_due(&self) -> Option<Timestamp> {
        self.agenda.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Learns from an event what people will do next.
    pub fn observe(&mut self, event: &Event, users: &BTreeMap<UserId, User>, now: Timestamp) {
        let is_colleague = |id: UserId| users.get(&id).is_some_and(|u| u.simulated);
        match event {
            Event::OfferMade(offer) if is_colleague(offer.agent) => {
                let delay = self.secs(2, 9);
                self.schedule(
                    now.plus_millis(delay),
                    Task::Accept { agent: offer.agent, interaction: offer.interaction },
                );
            }
            Event::ThreadUpdated(thread) => {
                let is_new = !self.conversations.contains_key(&thread.id);
                if is_new && !thread.status.is_closed() {
                    let lang = lang_of(thread.language);
                    let topic = self.guess_topic(thread.category);
                    let patience = self.rng.random_range(1..=3);
                    self.conversations.insert(
                        thread.id,
                        Conversation {
                            lang,
                            style: style_of(thread.channel),
                            topic,
                            first_name: thread.customer_name.split(' ').next().unwrap_or_default().to_owned(),
                            replies: 0,
                            customer_messages: 1,
                            patience,
                            status: thread.status,
                            assignee: None,
                        },
                    );
                    if thread.channel != Channel::Email {
                        let wait = self.secs(150, 420);
                        self.schedule(now.plus_millis(wait), Task::MaybeAbandon { thread: thread.id });
                    }
                }
                let Some(conversation) = self.conversations.get_mut(&thread.id) else { return };
                let newly_assigned =
                    thread.status == ThreadStatus::Assigned && conversation.status != ThreadStatus::Assigned;
                conversation.status = thread.status;
                conversation.assignee = thread.assignee;
                if thread.status.is_closed() {
                    self.conversations.remove(&thread.id);
                } else if newly_assigned && let Some(agent) = thread.assignee.filter(|a| is_colleague(*a)) {
                    let delay = self.secs(8, 30);
                    self.schedule(now.plus_millis(delay), Task::ColleagueReply { agent, thread: thread.id });
                }
            }
            Event::MessageAdded(message) => {
                let Some(conversation) = self.conversations.get_mut(&message.thread) else { return };
                match message.author {
                    Author::Agent(_) => {
                        conversation.replies += 1;
                        let done = conversation.replies > conversation.patience;
                        let (low, high) = reply_delay(conversation.style);
                        let delay = self.secs(low, high);
                        let task = if done {
                            Task::CustomerFarewell { thread: message.thread }
                        } else {
                            Task::CustomerReply { thread: message.thread }
                        };
                        self.schedule(now.plus_millis(delay), task);
                    }
                    Author::Customer => {
                        conversation.customer_messages += 1;
                        if let Some(agent) = conversation.assignee.filter(|a| is_colleague(*a)) {
                            let finished = conversation.replies > conversation.patience;
                            let delay = self.secs(6, 25);
                            let task = if finished {
                                Task::ColleagueComplete { agent, thread: message.thread }
                            } else {
                                Task::ColleagueReply { agent, thread: message.thread }
                            };
                            self.schedule(now.plus_millis(delay), task);
                        }
                    }
                    Author::System => {
                        if let Some(agent) = conversation.assignee.filter(|a| is_colleague(*a)) {
                            let delay = self.secs(3, 12);
                            self.schedule(
                                now.plus_millis(delay),
                                Task::ColleagueComplete { agent, thread: message.thread },
                            );
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn guess_topic(&mut self, category: Option<crate::domain::CategoryId>) -> Topic {
        match category {
            Some(id) => Topic::ALL[(id.0 as usize).saturating_sub(1) % Topic::ALL.len()],
            None => Topic::ALL[self.rng.random_range(0..Topic::ALL.len())],
        }
    }

    /// Takes every task due by `now` and turns it into actions.
    pub fn take_due(&mut self, now: Timestamp) -> Vec<SimAction> {
        let mut actions = Vec::new();
        while let Some(Reverse((at, _, _))) = self.agenda.peek() {
            if *at > now {
                break;
            }
            let Some(Reverse((_, _, task))) = self.agenda.pop() else { break };
            if let Some(action) = self.perform(task, now) {
                actions.push(action);
            }
        }
        actions
    }

    fn perform(&mut self, task: Task, now: Timestamp) -> Option<SimAction> {
        match task {
            Task::NewContact => {
                let delay = self.arrival_delay();
                self.schedule(now.plus_millis(delay), Task::NewContact);
                Some(self.new_contact())
            }
            Task::OpeningContact => Some(self.new_contact()),
            Task::ColleagueBreak => {
                let delay = self.secs(60, 180);
                self.schedule(now.plus_millis(delay), Task::ColleagueBreak);
                self.colleague_break(now)
            }
            Task::Accept { agent, interaction } => {
                Some(SimAction::Colleague { agent, command: Command::AcceptOffer { interaction } })
            }
            Task::ColleagueReply { agent, thread } => {
                let conversation = self.conversations.get(&thread)?.clone();
                if conversation.assignee != Some(agent) {
                    return None;
                }
                let body = text::agent_reply(
                    &mut self.rng,
                    conversation.lang,
                    conversation.topic,
                    &conversation.first_name,
                    conversation.replies == 0,
                );
                Some(SimAction::Colleague { agent, command: Command::SendMessage { thread, body } })
            }
            Task::ColleagueComplete { agent, thread } => {
                let conversation = self.conversations.get(&thread)?;
                (conversation.assignee == Some(agent))
                    .then_some(SimAction::Colleague { agent, command: Command::Complete { thread, disposition: None } })
            }
            Task::CustomerReply { thread } => {
                let conversation = self.conversations.get(&thread)?.clone();
                let body = text::follow_up(&mut self.rng, conversation.lang, conversation.style, conversation.topic);
                Some(SimAction::CustomerMessage { thread, body })
            }
            Task::CustomerFarewell { thread } => {
                let conversation = self.conversations.get(&thread)?.clone();
                // Chat customers sometimes just close the window (C9).
                if conversation.style == Style::Chat && self.rng.random_bool(0.3) {
                    return Some(SimAction::CustomerCloses { thread });
                }
                let body = text::farewell(&mut self.rng, conversation.lang, conversation.style);
                Some(SimAction::CustomerMessage { thread, body })
            }
            Task::MaybeAbandon { thread } => {
                let conversation = self.conversations.get(&thread)?;
                let waiting = matches!(conversation.status, ThreadStatus::Waiting | ThreadStatus::Offered);
                (waiting && self.rng.random_bool(0.6)).then_some(SimAction::CustomerCloses { thread })
            }
        }
    }

    fn new_contact(&mut self) -> SimAction {
        let channel = match self.rng.random_range(0..100) {
            0..35 => Channel::WebChat,
            35..60 => Channel::Sms,
            60..80 => Channel::Email,
            80..90 => Channel::Facebook,
            _ => Channel::Instagram,
        };
        let lang = if self.rng.random_bool(0.35) { Lang::Fr } else { Lang::En };
        let topic = Topic::ALL[self.rng.random_range(0..Topic::ALL.len())];
        let (first, last) = text::customer_name(&mut self.rng, lang);
        let (subject, body) = text::opening(&mut self.rng, lang, style_of(channel), topic, first);
        SimAction::NewContact {
            customer_name: format!("{first} {last}"),
            language: language_of(lang),
            channel,
            category: topic.key().to_owned(),
            subject,
            body,
        }
    }

    fn colleague_break(&mut self, _now: Timestamp) -> Option<SimAction> {
        if self.colleagues.is_empty() {
            return None;
        }
        let agent = self.colleagues[self.rng.random_range(0..self.colleagues.len())];
        let busy = self.conversations.values().any(|c| c.assignee == Some(agent));
        let status = match (&self.break_reason, busy, self.rng.random_bool(0.5)) {
            (Some(reason), false, true) => AgentStatus::Paused { reason: reason.clone() },
            _ => AgentStatus::Ready,
        };
        Some(SimAction::Colleague { agent, command: Command::SetStatus { status } })
    }
}

fn reply_delay(style: Style) -> (i64, i64) {
    match style {
        Style::Chat => (10, 45),
        Style::Sms | Style::Social => (20, 90),
        Style::Email => (60, 240),
    }
}

fn style_of(channel: Channel) -> Style {
    match channel {
        Channel::WebChat | Channel::Voice => Style::Chat,
        Channel::Sms => Style::Sms,
        Channel::Email => Style::Email,
        Channel::Facebook | Channel::Instagram => Style::Social,
    }
}

fn lang_of(language: Language) -> Lang {
    match language {
        Language::En => Lang::En,
        Language::Fr => Lang::Fr,
    }
}

fn language_of(lang: Lang) -> Language {
    match lang {
        Lang::En => Language::En,
        Lang::Fr => Language::Fr,
    }
}

#[cfg(test)]
mod tests;
