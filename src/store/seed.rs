//! Writing a whole workspace at once: the first run's demo workspace, or an
//! admin's import. Ids are positions in the lists, starting at 1.

use super::{Store, StoreError};
use crate::domain::{Language, QueueKind, Role};
use rusqlite::params;

/// A workspace to create in an empty database.
#[derive(Debug, Clone, Default)]
pub struct Seed {
    /// Team names.
    pub teams: Vec<String>,
    /// Users; `team` is a position in `teams`.
    pub users: Vec<SeedUser>,
    /// Queues; members are positions in `users`.
    pub queues: Vec<SeedQueue>,
    /// Campaigns: name and member positions in `users`.
    pub campaigns: Vec<(String, Vec<usize>)>,
    /// Categories: key and display name.
    pub categories: Vec<(String, String)>,
    /// Pause reasons, in menu order.
    pub pause_reasons: Vec<String>,
    /// Opening hours: weekday (1 = Monday), opens, closes (`HH:MM`).
    pub business_hours: Vec<(u8, String, String)>,
    /// Canned messages.
    pub canned: Vec<SeedCanned>,
    /// Knowledge-base articles.
    pub knowledge: Vec<SeedArticle>,
    /// Whether this is demo data, marked as such on every row.
    pub demo: bool,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct SeedUser {
    /// Display name.
    pub name: String,
    /// Sign-in name.
    pub login: String,
    /// Role.
    pub role: Role,
    /// Position in `Seed::teams`.
    pub team: Option<usize>,
    /// Working languages.
    pub languages: Vec<Language>,
    /// Whether the demo simulator acts for this user.
    pub simulated: bool,
    /// Initial status is Ready (else Logged out), in every queue of the user.
    pub ready: bool,
    /// Routing profile (skills, capacity) as JSON; `None` for the defaults.
    pub routing: Option<String>,
}

/// A queue to create.
#[derive(Debug, Clone)]
pub struct SeedQueue {
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: QueueKind,
    /// The language it serves, if one.
    pub language: Option<Language>,
    /// Offer acceptance limit.
    pub acceptance_limit_secs: u32,
    /// Service-level target share.
    pub sla_percent: u8,
    /// Service-level threshold.
    pub sla_secs: u32,
    /// Member positions in `Seed::users`.
    pub members: Vec<usize>,
    /// Routing profile (strategy, wrap-up, steps…) as JSON; `None` for the defaults.
    pub routing: Option<String>,
}

/// A canned message to create.
#[derive(Debug, Clone)]
pub struct SeedCanned {
    /// Position in `Seed::users` of its owner; none for a public one.
    pub owner: Option<usize>,
    /// Name.
    pub name: String,
    /// Shortcut typed in the composer, e.g. `/greet`.
    pub shortcut: String,
    /// Language.
    pub language: Language,
    /// Text.
    pub body: String,
}

/// A knowledge-base article to create.
#[derive(Debug, Clone)]
pub struct SeedArticle {
    /// Group.
    pub group: String,
    /// Title.
    pub title: String,
    /// Text or HTML.
    pub body: String,
    /// Language.
    pub language: Language,
}

fn id(position: usize) -> i64 {
    position as i64 + 1
}

impl Store {
    /// Whether the workspace has been created.
    pub fn is_seeded(&self) -> Result<bool, StoreError> {
        Ok(self.count("users")? > 0)
    }

    /// Creates the workspace in one transaction; an error leaves the database as it was.
    pub fn insert_seed(&mut self, seed: &Seed, now: i64) -> Result<(), StoreError> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| StoreError::classify(e, &path))?;
        let run = || -> rusqlite::Result<()> {
            let demo = seed.demo;
            for (i, name) in seed.teams.iter().enumerate() {
                tx.execute("INSERT INTO teams (id, name, demo) VALUES (?1, ?2, ?3)", params![id(i), name, demo])?;
            }
            for (i, u) in seed.users.iter().enumerate() {
                let langs: Vec<&str> = u.languages.iter().map(|l| l.code()).collect();
                tx.execute(
                    "INSERT INTO users (id, name, login, role, team_id, languages, status, status_since, simulated, demo,
                        routing)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                    params![
                        id(i),
                        u.name,
                        u.login,
                        u.role.key(),
                        u.team.map(id),
                        langs.join(","),
                        if u.ready { "ready" } else { "logged_out" },
                        now,
                        u.simulated,
                        demo,
                        u.routing
                    ],
                )?;
            }
            for (i, q) in seed.queues.iter().enumerate() {
                tx.execute(
                    "INSERT INTO queues (id, name, kind, language, acceptance_limit_secs, sla_percent, sla_secs, demo,
                        routing)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    params![
                        id(i),
                        q.name,
                        q.kind.key(),
                        q.language.map(Language::code),
                        q.acceptance_limit_secs,
                        q.sla_percent,
                        q.sla_secs,
                        demo,
                        q.routing
                    ],
                )?;
                for &m in &q.members {
                    let ready = seed.users.get(m).is_some_and(|u| u.ready);
                    tx.execute(
                        "INSERT INTO queue_members (queue_id, user_id, status) VALUES (?1, ?2, ?3)",
                        params![id(i), id(m), if ready { "ready" } else { "logged_out" }],
                    )?;
                }
            }
            for (i, (name, members)) in seed.campaigns.iter().enumerate() {
                tx.execute("INSERT INTO campaigns (id, name, demo) VALUES (?1, ?2, ?3)", params![id(i), name, demo])?;
                for &m in members {
                    tx.execute(
                        "INSERT INTO campaign_members (campaign_id, user_id) VALUES (?1, ?2)",
                        params![id(i), id(m)],
                    )?;
                }
            }
            for (i, (key, name)) in seed.categories.iter().enumerate() {
                tx.execute("INSERT INTO categories (id, key, name) VALUES (?1, ?2, ?3)", params![id(i), key, name])?;
            }
            for (i, label) in seed.pause_reasons.iter().enumerate() {
                tx.execute("INSERT INTO pause_reasons (id, label) VALUES (?1, ?2)", params![id(i), label])?;
            }
            for (weekday, opens, closes) in &seed.business_hours {
                tx.execute(
                    "INSERT INTO business_hours (weekday, opens, closes) VALUES (?1, ?2, ?3)",
                    params![weekday, opens, closes],
                )?;
            }
            for c in &seed.canned {
                tx.execute(
                    "INSERT INTO canned_messages (owner_id, name, shortcut, language, body, demo)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![c.owner.map(id), c.name, c.shortcut, c.language.code(), c.body, demo],
                )?;
            }
            for a in &seed.knowledge {
                tx.execute(
                    "INSERT INTO knowledge_base (grp, title, body, language, demo) VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![a.group, a.title, a.body, a.language.code(), demo],
                )?;
            }
            tx.execute(
                "INSERT INTO settings (key, value) VALUES ('workspace.demo', ?1)",
                params![if demo { "1" } else { "0" }],
            )?;
            Ok(())
        };
        run().map_err(|e| StoreError::classify(e, &path))?;
        tx.commit().map_err(|e| StoreError::classify(e, &path))
    }
}
