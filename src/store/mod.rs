//! SQLite storage: schema and migrations, loading the workspace, and applying
//! the engine's changes in one transaction each.
//!
//! Only the engine writes through this module. It must not decide anything:
//! it stores what the engine decided, or fails without a partial write.

mod changes;
mod load;
mod migrations;
mod seed;
#[cfg(test)]
mod tests;

pub use changes::Change;
pub use load::{RECENT_CALLS, Workspace};
pub use migrations::latest_version;
pub use seed::{Seed, SeedArticle, SeedCanned, SeedQueue, SeedUser};

use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The database file's name inside the data folder.
pub const DATABASE_FILE: &str = "switchboard.db";
const LOCK_FILE: &str = "switchboard.lock";

/// Why the store could not open or write.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Another Switchboard holds the data folder.
    #[error("another Switchboard is already using {0}; close it, or start this one with --data-dir pointing elsewhere")]
    Locked(PathBuf),
    /// The database was written by a newer Switchboard.
    #[error(
        "{path} was written by a newer Switchboard (schema {found}, this one knows up to {supported}); update Switchboard — the file was left untouched"
    )]
    NewerSchema {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this build knows.
        supported: u32,
    },
    /// The file is not a readable Switchboard database.
    #[error(
        "{path} is damaged or is not a Switchboard database ({detail}); it was left untouched — restore a backup or move it away"
    )]
    Corrupt {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// The data folder cannot be written.
    #[error("the data folder {0} is read-only; fix its permissions or choose another with --data-dir")]
    ReadOnly(PathBuf),
    /// The disk is full; the last change was rolled back.
    #[error("the disk holding the database is full; the last change was not saved — free some space")]
    DiskFull,
    /// A file could not be created or opened.
    #[error("cannot use {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// Any other SQLite failure.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}

impl StoreError {
    fn classify(error: rusqlite::Error, path: &Path) -> Self {
        if let rusqlite::Error::SqliteFailure(failure, detail) = &error {
            match failure.code {
                ErrorCode::DiskFull => return StoreError::DiskFull,
                ErrorCode::ReadOnly | ErrorCode::CannotOpen if !is_writable(path) => {
                    return StoreError::ReadOnly(path.parent().unwrap_or(path).to_path_buf());
                }
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => {
                    return StoreError::Corrupt {
                        path: path.to_path_buf(),
                        detail: detail.clone().unwrap_or_else(|| failure.to_string()),
                    };
                }
                _ => {}
            }
        }
        StoreError::Sqlite(error)
    }
}

fn is_writable(path: &Path) -> bool {
    let dir = path.parent().unwrap_or(path);
    std::fs::metadata(dir).is_ok_and(|m| !m.permissions().readonly()) && tempfile_probe(dir).is_ok()
}

fn tempfile_probe(dir: &Path) -> std::io::Result<()> {
    let probe = dir.join(".switchboard-write-probe");
    File::create(&probe)?;
    std::fs::remove_file(probe)
}

/// The open database, holding the data folder's lock.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Copies the write-ahead log into the database off the writer's path.
    checkpointer: Option<Checkpointer>,
    _lock: File,
}

/// A thread with its own connection that checkpoints the write-ahead log
/// shortly after commits. Left to SQLite, a checkpoint (with its fsync) runs
/// inside whichever commit crosses the threshold, and that commit stalls;
/// checkpointing often keeps each one small. It sleeps while nothing is written.
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

/// Shortest time between two checkpoints: long enough to gather a burst of
/// commits, short enough that each checkpoint stays small.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(20);

impl Checkpointer {
    fn start(path: &Path) -> std::io::Result<Self> {
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new().name("checkpoint".into()).spawn(move || {
            let Ok(conn) = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_WRITE) else { return };
            let _ = conn.busy_timeout(std::time::Duration::from_millis(100));
            // Ends when the store drops its end of the channel.
            while woken.recv().is_ok() {
                // Passive: never waits for the writer; what it cannot copy now it copies next time.
                if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::debug!(%error, "checkpoint skipped");
                }
                std::thread::sleep(CHECKPOINT_EVERY);
            }
        })?;
        Ok(Self { wake: Some(wake), thread: Some(thread) })
    }

    /// Asks for a checkpoint soon; never blocks the writer.
    fn nudge(&self) {
        if let Some(wake) = &self.wake {
            let _ = wake.try_send(());
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        drop(self.wake.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database in `data_dir`, takes the
    /// folder's lock and brings the schema up to date.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let io = |source| StoreError::Io { path: data_dir.to_path_buf(), source };
        if let Err(e) = std::fs::create_dir_all(data_dir) {
            return Err(if e.kind() == std::io::ErrorKind::PermissionDenied || is_read_only_fs(&e) {
                StoreError::ReadOnly(data_dir.to_path_buf())
            } else {
                io(e)
            });
        }
        let lock_path = data_dir.join(LOCK_FILE);
        let lock = match File::options().create(true).truncate(false).write(true).open(&lock_path) {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied || is_read_only_fs(&e) => {
                return Err(StoreError::ReadOnly(data_dir.to_path_buf()));
            }
            Err(e) => return Err(io(e)),
        };
        if lock.try_lock().is_err() {
            return Err(StoreError::Locked(data_dir.to_path_buf()));
        }
        let path = data_dir.join(DATABASE_FILE);
        let conn = Connection::open_with_flags(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| StoreError::classify(e, &path))?;
        let mut store = Store { conn, path, checkpointer: None, _lock: lock };
        store.prepare()?;
        // Checkpoints move off the writer's path; without the thread SQLite still does them itself.
        match Checkpointer::start(&store.path) {
            Ok(checkpointer) => {
                store.conn.execute_batch("PRAGMA wal_autocheckpoint = 0").map_err(|e| store.classify(e))?;
                store.checkpointer = Some(checkpointer);
            }
            Err(error) => tracing::warn!(%error, "no checkpoint thread; SQLite checkpoints on commit"),
        }
        // The search index merges its segments when the writer has a moment
        // (`tidy`), not inside message inserts, where merges made commits stall.
        // The setting lives in the index, so it is set on every open.
        store
            .conn
            .execute_batch("INSERT INTO messages_fts(messages_fts, rank) VALUES ('automerge', 0)")
            .map_err(|e| store.classify(e))?;
        Ok(store)
    }

    /// Does a bounded slice of upkeep (the search index's segment merges) and
    /// says whether more is left. The engine calls it when no input waits.
    pub fn tidy(&mut self) -> bool {
        // FTS5 keeps its list of segments in record 10 of its data table: a
        // merge that did something changed it.
        let structure = |conn: &Connection| -> Option<Vec<u8>> {
            conn.query_row("SELECT block FROM messages_fts_data WHERE id = 10", [], |row| row.get(0)).ok()
        };
        let before = structure(&self.conn);
        match self.conn.execute("INSERT INTO messages_fts(messages_fts, rank) VALUES ('merge', 16)", []) {
            Ok(_) => structure(&self.conn) != before,
            Err(error) => {
                tracing::debug!(%error, "search index merge skipped");
                false
            }
        }
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn classify(&self, error: rusqlite::Error) -> StoreError {
        StoreError::classify(error, &self.path)
    }

    fn prepare(&mut self) -> Result<(), StoreError> {
        // Reading the version first both detects a non-database file and
        // refuses a newer schema before anything is written.
        let found = self.schema_version()?;
        let supported = latest_version();
        if found > supported {
            return Err(StoreError::NewerSchema { path: self.path.clone(), found, supported });
        }
        let check: String =
            self.conn.query_row("PRAGMA quick_check", [], |row| row.get(0)).map_err(|e| self.classify(e))?;
        if check != "ok" {
            return Err(StoreError::Corrupt { path: self.path.clone(), detail: check });
        }
        self.conn
            .execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.classify(e))?;
        self.conn.busy_timeout(std::time::Duration::from_secs(2)).map_err(|e| self.classify(e))?;
        self.migrate_to(supported)
    }

    /// The schema version stored in the file (0 for a new file).
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.conn.query_row("PRAGMA user_version", [], |row| row.get::<_, u32>(0)).map_err(|e| self.classify(e))
    }

    /// Applies the migrations after the stored version, up to `target`.
    fn migrate_to(&mut self, target: u32) -> Result<(), StoreError> {
        let from = self.schema_version()?;
        for version in from..target {
            let sql = migrations::MIGRATIONS[version as usize];
            let tx = self.conn.transaction().map_err(|e| StoreError::classify(e, &self.path))?;
            tx.execute_batch(sql).map_err(|e| StoreError::classify(e, &self.path))?;
            tx.pragma_update(None, "user_version", version + 1).map_err(|e| StoreError::classify(e, &self.path))?;
            tx.commit().map_err(|e| StoreError::classify(e, &self.path))?;
            tracing::info!(version = version + 1, "database schema upgraded");
        }
        Ok(())
    }

    /// Applies the engine's changes in one transaction: all of them, or none.
    pub fn apply(&mut self, changes: &[Change]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| StoreError::classify(e, &path))?;
        for change in changes {
            change.write(&tx).map_err(|e| StoreError::classify(e, &path))?;
        }
        tx.commit().map_err(|e| StoreError::classify(e, &path))?;
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.nudge();
        }
        Ok(())
    }

    /// Reads a setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        use rusqlite::OptionalExtension;
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| row.get(0))
            .optional()
            .map_err(|e| self.classify(e))
    }

    /// The raw connection, for tests.
    #[cfg(test)]
    pub(crate) fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn is_read_only_fs(error: &std::io::Error) -> bool {
    error.kind() == std::io::ErrorKind::ReadOnlyFilesystem
}

#[cfg(test)]
pub(crate) fn open_at_version(data_dir: &Path, version: u32) -> Store {
    let lock = File::create(data_dir.join(LOCK_FILE)).unwrap();
    let path = data_dir.join(DATABASE_FILE);
    let conn = Connection::open(&path).unwrap();
    let mut store = Store { conn, path, checkpointer: None, _lock: lock };
    store.migrate_to(version).unwrap();
    store
}
