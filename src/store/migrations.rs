//! The schema, as an ordered list of migrations. Migration N takes a database
//! from `user_version` N-1 to N. Never edit a released migration: add one.

/// Each entry is applied in its own transaction, in order.
pub const MIGRATIONS: &[&str] = &[
    // 1: the workspace, conversations, routing state and audit.
    r"
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE teams (id INTEGER PRIMARY KEY, name TEXT NOT NULL, demo INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        login TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL,
        team_id INTEGER REFERENCES teams(id),
        languages TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'logged_out',
        pause_reason TEXT,
        status_since INTEGER NOT NULL DEFAULT 0,
        simulated INTEGER NOT NULL DEFAULT 0,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE queues (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL,
        language TEXT,
        acceptance_limit_secs INTEGER NOT NULL,
        sla_percent INTEGER NOT NULL,
        sla_secs INTEGER NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE queue_members (
        queue_id INTEGER NOT NULL REFERENCES queues(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (queue_id, user_id)
    );
    CREATE TABLE campaigns (id INTEGER PRIMARY KEY, name TEXT NOT NULL, demo INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE campaign_members (
        campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
        user_id INTEGER NOT NULL REFERENCES users(id),
        PRIMARY KEY (campaign_id, user_id)
    );
    CREATE TABLE categories (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
    CREATE TABLE pause_reasons (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);
    CREATE TABLE business_hours (
        weekday INTEGER PRIMARY KEY,
        opens TEXT NOT NULL,
        closes TEXT NOT NULL
    );
    CREATE TABLE canned_messages (
        id INTEGER PRIMARY KEY,
        owner_id INTEGER REFERENCES users(id),
        name TEXT NOT NULL,
        shortcut TEXT NOT NULL,
        language TEXT NOT NULL,
        body TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE knowledge_base (
        id INTEGER PRIMARY KEY,
        grp TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        language TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        language TEXT NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE threads (
        id INTEGER PRIMARY KEY,
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        channel TEXT NOT NULL,
        subject TEXT NOT NULL,
        preview TEXT NOT NULL,
        language TEXT NOT NULL,
        category_id INTEGER REFERENCES categories(id),
        queue_id INTEGER REFERENCES queues(id),
        status TEXT NOT NULL,
        assignee_id INTEGER REFERENCES users(id),
        unread INTEGER NOT NULL DEFAULT 0,
        customer_closed INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX threads_by_update ON threads(updated_at DESC);
    CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        thread_id INTEGER NOT NULL REFERENCES threads(id),
        author_kind TEXT NOT NULL,
        author_id INTEGER,
        body TEXT NOT NULL,
        at INTEGER NOT NULL,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX messages_by_thread ON messages(thread_id, at);
    CREATE TABLE interactions (
        id INTEGER PRIMARY KEY,
        thread_id INTEGER NOT NULL REFERENCES threads(id),
        queue_id INTEGER NOT NULL REFERENCES queues(id),
        priority INTEGER NOT NULL,
        state TEXT NOT NULL,
        agent_id INTEGER REFERENCES users(id),
        created_at INTEGER NOT NULL,
        queued_at INTEGER NOT NULL,
        expires_at INTEGER,
        demo INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX open_interactions ON interactions(state) WHERE state <> 'completed';
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        actor_id INTEGER,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    ",
    // 2: full-text search over messages, kept in step by triggers.
    r"
    CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id');
    INSERT INTO messages_fts(messages_fts) VALUES ('rebuild');
    CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END;
    CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
    END;
    CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages BEGIN
        INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body);
        INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body);
    END;
    ",
    // 3: the routing core: per-queue agent status and membership rules, queue
    // and agent routing profiles, the state routed work needs to survive a
    // restart, and the log of routing facts every KPI is computed from.
    r"
    ALTER TABLE queue_members ADD COLUMN status TEXT NOT NULL DEFAULT 'logged_out';
    ALTER TABLE queue_members ADD COLUMN pause_reason TEXT;
    ALTER TABLE queue_members ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE queue_members ADD COLUMN delay_secs INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE queue_members ADD COLUMN access INTEGER NOT NULL DEFAULT 1;
    UPDATE queue_members SET status = (SELECT status FROM users WHERE users.id = queue_members.user_id),
        pause_reason = (SELECT pause_reason FROM users WHERE users.id = queue_members.user_id);
    ALTER TABLE queues ADD COLUMN routing TEXT;
    ALTER TABLE users ADD COLUMN routing TEXT;
    ALTER TABLE interactions ADD COLUMN answered_at INTEGER;
    ALTER TABLE interactions ADD COLUMN skills INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE interactions ADD COLUMN language TEXT;
    ALTER TABLE interactions ADD COLUMN direct TEXT;
    ALTER TABLE interactions ADD COLUMN disposition TEXT;
    UPDATE interactions SET language = (SELECT language FROM threads WHERE threads.id = interactions.thread_id);
    CREATE TABLE routing_events (
        id INTEGER PRIMARY KEY,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        item INTEGER,
        agent INTEGER,
        queue INTEGER,
        body TEXT NOT NULL
    );
    CREATE INDEX routing_events_by_time ON routing_events(at);
    ",
    // 4: phone calls made and taken, for the call history and activity figures.
    "
    CREATE TABLE phone_calls (
        id INTEGER PRIMARY KEY,
        agent INTEGER NOT NULL REFERENCES users(id),
        direction TEXT NOT NULL CHECK (direction IN ('made', 'taken')),
        remote TEXT NOT NULL,
        started_at INTEGER NOT NULL,
        answered_at INTEGER,
        ended_at INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        notes TEXT NOT NULL,
        disposition TEXT,
        tags TEXT NOT NULL DEFAULT '',
        contact INTEGER,
        queue INTEGER
    );
    CREATE INDEX phone_calls_by_agent ON phone_calls(agent, started_at);
    ",
];

/// The schema version this build writes.
#[must_use]
pub fn latest_version() -> u32 {
    MIGRATIONS.len() as u32
}
