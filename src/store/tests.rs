//! Opening, migrating and refusing databases, on real files.

use super::*;

fn tables(store: &Store) -> Vec<String> {
    let mut stmt = store.conn.prepare("SELECT name FROM sqlite_master WHERE type IN ('table') ORDER BY name").unwrap();
    stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
}

#[test]
fn a_new_folder_gets_the_latest_schema() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("nested/data")).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let names = tables(&store);
    for table in ["users", "queues", "threads", "messages", "interactions", "audit", "messages_fts"] {
        assert!(names.iter().any(|n| n == table), "missing {table}");
    }
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn an_older_database_is_upgraded_in_place_keeping_its_data() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = open_at_version(dir.path(), 1);
        assert_eq!(store.schema_version().unwrap(), 1);
        store
            .conn
            .execute_batch(
                "INSERT INTO customers (id, name, language) VALUES (1, 'Léa', 'fr');
                 INSERT INTO threads (id, customer_id, channel, subject, preview, language, status, created_at, updated_at)
                     VALUES (1, 1, 'sms', 's', 'p', 'fr', 'waiting', 1, 1);
                 INSERT INTO messages (id, thread_id, author_kind, body, at)
                     VALUES (1, 1, 'customer', 'ma facture de roaming est fausse', 1);",
            )
            .unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.schema_version().unwrap(), latest_version());
    let found: i64 = store
        .conn
        .query_row("SELECT rowid FROM messages_fts WHERE messages_fts MATCH 'roaming'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(found, 1, "existing messages are searchable after the upgrade");
    assert_eq!(store.thread(crate::domain::ThreadId(1)).unwrap().unwrap().customer_name, "Léa");
}

#[test]
fn a_newer_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    let path = dir.path().join(DATABASE_FILE);
    {
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", latest_version() + 5).unwrap();
        conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::NewerSchema { found, .. } if found == latest_version() + 5), "{error}");
    assert!(error.to_string().contains("newer Switchboard"));
    assert_eq!(std::fs::read(&path).unwrap(), before, "not a byte changed");
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(DATABASE_FILE);
    let garbage: Vec<u8> = (0..8192u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::Corrupt { .. }), "{error}");
    assert!(error.to_string().contains("left untouched"));
    assert_eq!(std::fs::read(&path).unwrap(), garbage);
}

#[test]
fn a_second_switchboard_on_the_same_folder_is_told_so() {
    let dir = tempfile::tempdir().unwrap();
    let _first = Store::open(dir.path()).unwrap();
    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::Locked(_)), "{error}");
    assert!(error.to_string().contains("already using"));
}

#[test]
fn an_unwritable_data_folder_gives_a_clear_message() {
    // sysfs refuses new entries even to root, so this holds wherever the tests run.
    let error = Store::open(std::path::Path::new("/sys/switchboard-data")).unwrap_err();
    assert!(matches!(error, StoreError::ReadOnly(_)), "{error}");
    assert!(error.to_string().contains("--data-dir"));
}

#[test]
fn a_failed_batch_writes_nothing() {
    use crate::domain::{AgentStatus, Timestamp, UserId};
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.insert_seed(&crate::sim::demo_workspace(), 0).unwrap();
    let audit = store.count("audit").unwrap();
    let good = Change::UserStatus { user: UserId(1), status: AgentStatus::LoggedOut, since: Timestamp(5) };
    let bad = Change::Thread {
        thread: crate::domain::ThreadSummary {
            id: crate::domain::ThreadId(1),
            customer: crate::domain::CustomerId(404),
            customer_name: String::new(),
            channel: crate::domain::Channel::Sms,
            subject: String::new(),
            preview: String::new(),
            language: crate::domain::Language::En,
            category: None,
            queue: None,
            status: crate::domain::ThreadStatus::Waiting,
            assignee: None,
            unread: 0,
            customer_closed: false,
            created_at: Timestamp(1),
            updated_at: Timestamp(1),
        },
        demo: false,
    };
    assert!(store.apply(&[good, bad]).is_err(), "a thread of a missing customer breaks a foreign key");
    let user = store.load_workspace().unwrap().directory.users.into_iter().find(|u| u.id == UserId(1)).unwrap();
    assert_eq!(user.status, AgentStatus::Ready, "the first change was rolled back too");
    assert_eq!(store.count("audit").unwrap(), audit);
}

#[test]
fn the_demo_workspace_is_complete_and_marked_as_demo() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    store.insert_seed(&crate::sim::demo_workspace(), 0).unwrap();
    let workspace = store.load_workspace().unwrap().directory;
    let agents = workspace.users.iter().filter(|u| u.role == crate::domain::Role::Agent).count();
    assert!((18..=22).contains(&agents), "about 20 agents: {agents}");
    assert_eq!(workspace.teams.len(), 4);
    assert_eq!(workspace.queues.len(), 6);
    let kinds = |k| workspace.queues.iter().filter(|q| q.kind == k).count();
    assert_eq!(kinds(crate::domain::QueueKind::Voice), 2);
    assert_eq!(kinds(crate::domain::QueueKind::Messaging), 3);
    assert_eq!(kinds(crate::domain::QueueKind::Email), 1);
    assert_eq!(workspace.campaigns.len(), 1);
    assert!(!workspace.pause_reasons.is_empty() && !workspace.categories.is_empty());
    assert!(store.count("canned_messages").unwrap() >= 4 && store.count("knowledge_base").unwrap() >= 4);
    assert!(store.count("business_hours").unwrap() >= 5);
    for login in ["agent", "supervisor", "admin"] {
        assert!(workspace.users.iter().any(|u| u.login == login && !u.simulated));
    }
    assert_eq!(store.setting("workspace.demo").unwrap().as_deref(), Some("1"));
    let unmarked: i64 = store.conn.query_row("SELECT COUNT(*) FROM users WHERE demo = 0", [], |r| r.get(0)).unwrap();
    assert_eq!(unmarked, 0, "demo rows are marked as such");
}

#[test]
fn tidying_an_index_with_nothing_to_merge_says_it_is_done() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let mut steps = 0;
    while store.tidy() {
        steps += 1;
        assert!(steps < 1000, "upkeep never finishes");
    }
    assert!(!store.tidy(), "a quiet store has no upkeep left");
}
