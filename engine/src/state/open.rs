//! Opening a state file: one set of connection options for every connection, atomic
//! creation of a new state, refusal of files that are not a state, migrations that wait
//! for other processes instead of failing.
//!
//! A new state is built complete (WAL mode, migrated, stamped) under a private name and
//! linked into place, so no process ever sees a half-made state: two processes opening the
//! same new path no longer race to switch it to WAL, a change SQLite's busy timeout cannot
//! wait for.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::migrator;

/// The `application_id` in the header of every state file (`CNST`).
pub(super) const APPLICATION_ID: i32 = 0x434E_5354;

/// How long a statement waits for another connection's lock before failing.
pub(super) const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The first 16 bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Tables every state has (besides the migrations table); a file without the
/// `application_id` is accepted as a state made before it was stamped when it has them.
const STATE_TABLES: [&str; 4] = ["links", "runs", "journal", "meta"];

/// The options of every connection to a state file: the writer thread, readers, `status`,
/// `audit`, `state backup` and creation all connect through here.
pub(super) fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(BUSY_TIMEOUT)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
}

/// One serialized connection (SQLite has one writer).
pub(super) async fn pool(options: SqliteConnectOptions) -> Result<SqlitePool, String> {
    SqlitePoolOptions::new()
        .max_connections(1)
        // A local file does not go stale: no ping (a round trip to SQLite's thread)
        // before every statement.
        .test_before_acquire(false)
        .connect_with(options)
        .await
        .map_err(|e| format!("cannot open: {e}"))
}

/// Creates a new state at `path`: built under a private name beside it, then linked into
/// place unless another process got there first (then theirs is kept).
pub(super) async fn create(path: &Path) -> Result<(), String> {
    let private = private_name(path, "new");
    let built = build(&private).await;
    let placed = built.and_then(|()| place(&private, path, false));
    for suffix in ["", "-wal", "-shm"] {
        let mut name = private.clone().into_os_string();
        name.push(suffix);
        let _ = std::fs::remove_file(name);
    }
    match placed {
        Ok(_) => Ok(()),
        Err(error) => Err(format!("cannot create a new state: {error}")),
    }
}

/// A name beside `path` no other process uses: `.NAME.TAG-PID-NANOS`.
pub(super) fn private_name(path: &Path, tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = path
        .file_name()
        .map_or_else(|| "state".into(), |n| n.to_string_lossy());
    path.with_file_name(format!(".{name}.{tag}-{}-{nanos}", std::process::id()))
}

/// Moves the finished file `from` to `to`. Without `replace`, an existing `to` is kept
/// (`Ok(false)`): a hard link fails rather than replaces; where the file system has no
/// hard links, a rename after a check does.
pub(super) fn place(from: &Path, to: &Path, replace: bool) -> Result<bool, String> {
    if replace {
        std::fs::rename(from, to)
            .map_err(|e| format!("cannot move it to {}: {e}", to.display()))?;
        return Ok(true);
    }
    match std::fs::hard_link(from, to) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(_) if to.symlink_metadata().is_ok() => Ok(false),
        Err(_) => std::fs::rename(from, to)
            .map(|()| true)
            .map_err(|e| format!("cannot move it to {}: {e}", to.display())),
    }
}

/// Builds a complete state at the private path `path`: WAL mode, migrated, stamped, with
/// nothing left in its `-wal` file.
async fn build(path: &Path) -> Result<(), String> {
    let options = options(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal);
    let pool = pool(options).await?;
    let result = async {
        migrate(&pool).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA application_id = {APPLICATION_ID}"
        )))
        .execute(&pool)
        .await
        .map_err(|e| format!("cannot stamp it: {e}"))?;
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&pool)
            .await
            .map_err(|e| format!("cannot checkpoint it: {e}"))?;
        Ok(())
    }
    .await;
    pool.close().await;
    result
}

/// Refuses a file that cannot be a state, before SQLite touches it: an empty file (SQLite
/// would silently start a fresh state in it) or one that is not an SQLite database.
pub(super) fn check_file(path: &Path) -> Result<(), String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    let size = file
        .metadata()
        .map_err(|e| format!("cannot read it: {e}"))?
        .len();
    if size == 0 {
        return Err(
            "the file is empty (0 bytes), so it holds no state; this tool never \
             leaves a state empty. Restore it from a backup, or delete it to start a new state"
                .to_owned(),
        );
    }
    let mut head = [0u8; 16];
    let read = file
        .read(&mut head)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if read < head.len() || &head != SQLITE_MAGIC {
        return Err(format!(
            "not a state: the file ({size} bytes) is not an SQLite database \
             (its header is not `SQLite format 3`)"
        ));
    }
    Ok(())
}

/// Refuses an SQLite database that is not a state, and stamps a state made before states
/// had an `application_id` (it has the migrations table and the state's tables).
pub(super) async fn identify(pool: &SqlitePool) -> Result<(), String> {
    let error = |e: sqlx::Error| format!("cannot read its header: {e}");
    let id: i32 = sqlx::query_scalar("PRAGMA application_id")
        .fetch_one(pool)
        .await
        .map_err(error)?;
    if id == APPLICATION_ID {
        return Ok(());
    }
    if id != 0 {
        return Err(format!(
            "not a state: an SQLite database of another application (application_id {id:#010x}, \
             a state has {APPLICATION_ID:#010x})"
        ));
    }
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .map_err(error)?;
    let has = |name: &str| tables.iter().any(|t| t == name);
    if has("_sqlx_migrations") && STATE_TABLES.iter().all(|t| has(t)) {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA application_id = {APPLICATION_ID}"
        )))
        .execute(pool)
        .await
        .map_err(|e| format!("cannot stamp the state's application_id: {e}"))?;
        return Ok(());
    }
    if tables.is_empty() {
        return Err("not a state: an SQLite database with no tables".to_owned());
    }
    let shown: Vec<&str> = tables.iter().take(5).map(String::as_str).collect();
    let more = if tables.len() > shown.len() {
        ", ..."
    } else {
        ""
    };
    Err(format!(
        "not a state: an SQLite database of something else (tables {}{more}; a state has {})",
        shown.join(", "),
        STATE_TABLES.join(", ")
    ))
}

/// Switches an existing state to WAL when it is not (a restored backup is in rollback
/// mode). The switch needs an exclusive lock that SQLite's busy timeout does not wait
/// for, so it is retried here until [`BUSY_TIMEOUT`].
pub(super) async fn ensure_wal(pool: &SqlitePool) -> Result<(), String> {
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(10);
    loop {
        let mode: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await;
        if mode.as_deref().is_ok_and(|m| m.eq_ignore_ascii_case("wal")) {
            return Ok(());
        }
        let switched: Result<String, _> = sqlx::query_scalar("PRAGMA journal_mode = WAL")
            .fetch_one(pool)
            .await;
        match switched {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(_) | Err(_) if Instant::now() < deadline => {
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(Duration::from_millis(200));
            }
            Ok(mode) => return Err(format!("cannot switch it to WAL mode (it stays {mode})")),
            Err(e) => return Err(format!("cannot switch it to WAL mode: {e}")),
        }
    }
}

/// The newest migration this build knows.
pub(super) fn latest_version() -> i64 {
    migrator()
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or_default()
}

/// Applies the migrations the state lacks. A state that has them all (the usual open) is
/// only read; a state written by a newer build is refused. Two processes migrating at
/// once: the loser's insert of the version fails (the DDL is idempotent) and its retry
/// finds it applied.
pub(super) async fn migrate(pool: &SqlitePool) -> Result<(), String> {
    if !up_to_date(pool).await? {
        let mut attempt = 0;
        while let Err(error) = migrator().run(pool).await {
            attempt += 1;
            if attempt >= 3 {
                return Err(format!("cannot migrate: {error}"));
            }
            tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
        }
    }
    stamp_version(pool).await
}

/// Sets `user_version` to the latest migration when it says otherwise (states made
/// before it was stamped, and after a migration).
async fn stamp_version(pool: &SqlitePool) -> Result<(), String> {
    let error = |e: sqlx::Error| format!("cannot stamp the format version: {e}");
    let current: i64 = sqlx::query_scalar("PRAGMA user_version")
        .fetch_one(pool)
        .await
        .map_err(error)?;
    let latest = latest_version();
    if current != latest {
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "PRAGMA user_version = {latest}"
        )))
        .execute(pool)
        .await
        .map_err(error)?;
    }
    Ok(())
}

/// Whether every embedded migration is applied (with its checksum); an error when the
/// state has migrations this build does not know.
async fn up_to_date(pool: &SqlitePool) -> Result<bool, String> {
    let error = |e: sqlx::Error| format!("cannot read the applied migrations: {e}");
    let exists: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
    )
    .fetch_one(pool)
    .await
    .map_err(error)?;
    if exists == 0 {
        return Ok(false);
    }
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("SELECT version, checksum, success FROM _sqlx_migrations")
            .fetch_all(pool)
            .await
            .map_err(error)?;
    let known = migrator();
    let latest = latest_version();
    if let Some((newer, _, _)) = applied.iter().find(|(v, _, _)| *v > latest) {
        return Err(format!(
            "written by a newer version of this tool (migration {newer}; this build knows up \
             to {latest}); use that version"
        ));
    }
    Ok(known.iter().all(|m| {
        applied
            .iter()
            .any(|(v, sum, ok)| *v == m.version && *ok && sum[..] == m.checksum[..])
    }))
}
