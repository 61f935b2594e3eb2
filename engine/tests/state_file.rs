//! The state file itself: files that are not a state are refused with the reason, a new
//! state is stamped and created once however many processes open it at the same time,
//! the apply lock holds on the file whatever name reaches it, a run leaves nothing in the
//! `-wal` file, and `backup` copies the state while a run writes to it.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{NOW, directory, person, registry};
use connector_engine::state::Store;
use connector_engine::{ApplyOptions, Assignments, Engine, MapSecrets, PlanOptions};
use connector_sandbox::{Faults, Sandbox, SandboxHandle, TenantSpec};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

/// `application_id` of every state (`CNST`).
const APPLICATION_ID: u32 = 0x434E_5354;

/// The refusal message of opening `path`.
async fn refusal(path: &Path) -> String {
    match Store::open(path).await {
        Ok(_) => panic!("{} was opened as a state", path.display()),
        Err(error) => error.to_string(),
    }
}

/// Runs `sql` on the SQLite database at `path` (created when missing), outside the store.
async fn raw(path: &Path, sql: &'static str) {
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    // Into the main file now, whoever else still has it open (a dropped store's pool
    // closes in the background): the tests read the header from the file itself.
    sqlx::raw_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
}

/// The big-endian u32 at `offset` of the file's header.
fn header_u32(path: &Path, offset: usize) -> u32 {
    let bytes = std::fs::read(path).unwrap();
    u32::from_be_bytes(bytes[offset..offset + 4].try_into().unwrap())
}

#[tokio::test]
async fn a_zero_byte_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::fs::write(&path, b"").unwrap();
    let message = refusal(&path).await;
    assert!(message.contains("the file is empty (0 bytes)"), "{message}");
    assert!(message.contains("state.db"), "{message}");
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 0);
}

#[tokio::test]
async fn a_file_that_is_not_sqlite_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::fs::write(&path, "instance,person\nslack,ada\n").unwrap();
    let message = refusal(&path).await;
    assert!(message.contains("not an SQLite database"), "{message}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "instance,person\nslack,ada\n"
    );
}

#[tokio::test]
async fn a_foreign_sqlite_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("crm.db");
    raw(
        &other,
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)",
    )
    .await;
    let message = refusal(&other).await;
    assert!(
        message.contains("an SQLite database of something else (tables customers"),
        "{message}"
    );

    let stamped = dir.path().join("app.db");
    raw(
        &stamped,
        "PRAGMA application_id = 1234; CREATE TABLE links (x)",
    )
    .await;
    let message = refusal(&stamped).await;
    assert!(
        message.contains("another application (application_id 0x000004d2"),
        "{message}"
    );

    let empty = dir.path().join("empty.db");
    raw(&empty, "PRAGMA user_version = 7").await;
    let message = refusal(&empty).await;
    assert!(
        message.contains("an SQLite database with no tables"),
        "{message}"
    );
}

#[tokio::test]
async fn a_new_state_is_stamped_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = Store::open(&path).await.unwrap();
    assert_eq!(
        store.schema_version().await.unwrap(),
        Store::latest_schema_version()
    );
    // Offsets 60 and 68 of the SQLite header: user_version and application_id, in the
    // main file itself (the new state was checkpointed before it was put in place).
    assert_eq!(header_u32(&path, 68), APPLICATION_ID);
    assert_eq!(
        i64::from(header_u32(&path, 60)),
        Store::latest_schema_version()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[tokio::test]
async fn a_state_made_before_the_stamp_is_accepted_and_stamped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = Store::open(&path).await.unwrap();
    store.start_run("r-old", "test", 3).await.unwrap();
    drop(store);
    // What earlier versions wrote: the tables and migrations, no application_id.
    raw(&path, "PRAGMA application_id = 0; PRAGMA user_version = 0").await;
    assert_eq!(header_u32(&path, 68), 0);

    let store = Store::open(&path).await.unwrap();
    assert_eq!(store.runs(5).await.unwrap()[0].id, "r-old");
    store.checkpoint().await.unwrap();
    assert_eq!(header_u32(&path, 68), APPLICATION_ID);
    assert_eq!(
        i64::from(header_u32(&path, 60)),
        Store::latest_schema_version()
    );
}

#[tokio::test]
async fn a_state_of_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(Store::open(&path).await.unwrap());
    raw(
        &path,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (99, 'future', 1, x'00', 0)",
    )
    .await;
    let message = refusal(&path).await;
    assert!(
        message.contains("newer version of this tool (migration 99"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_opens_of_a_new_state_wait_instead_of_failing() {
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = Arc::new(dir.path().join("state.db"));
        let opens: Vec<_> = (0..6)
            .map(|i| {
                let path = path.clone();
                tokio::spawn(async move {
                    let store = Store::open(&path).await?;
                    store.start_run(&format!("r{i}"), "test", 1).await?;
                    Ok::<_, connector_engine::state::StateError>(())
                })
            })
            .collect();
        for open in opens {
            open.await
                .unwrap()
                .unwrap_or_else(|e| panic!("round {round}: {e}"));
        }
        let store = Store::open(&path).await.unwrap();
        assert_eq!(store.runs(10).await.unwrap().len(), 6, "round {round}");
    }
}

/// The environment variable naming the state a [`child_open`] process opens.
const CHILD_STATE: &str = "ENGINE_STATE_FILE_CHILD_STATE";

/// Run by [`processes_opening_a_new_state_at_once_all_succeed`] as a child process: waits
/// for the `go` file beside the state, then opens the state and writes a run.
#[tokio::test]
#[ignore = "run as a child process by the concurrent-open trials"]
async fn child_open() {
    let Ok(state) = std::env::var(CHILD_STATE) else {
        return;
    };
    let state = std::path::PathBuf::from(state);
    let go = state.with_file_name("go");
    while !go.exists() {
        std::hint::spin_loop();
    }
    let store = Store::open(&state).await.unwrap_or_else(|e| panic!("{e}"));
    let run = format!("r{}", std::process::id());
    store
        .start_run(&run, "test", 1)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
}

#[tokio::test]
async fn processes_opening_a_new_state_at_once_all_succeed() {
    for round in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.db");
        let children: Vec<_> = (0..5)
            .map(|_| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["--ignored", "--exact", "child_open", "--nocapture"])
                    .env(CHILD_STATE, &state)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        std::thread::sleep(Duration::from_millis(300));
        std::fs::write(dir.path().join("go"), "").unwrap();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let store = Store::open(&state).await.unwrap();
        assert_eq!(store.runs(10).await.unwrap().len(), 5, "round {round}");
    }
}

/// A Slack tenant of the sandbox and an engine over it with its state at `state`.
struct Slack {
    sandbox: SandboxHandle,
    engine: Engine,
}

impl Slack {
    /// Serves a Slack tenant answering after `latency_ms`, and writes `dir/assignments.toml`.
    async fn start(dir: &Path, state: &Path, latency_ms: u64) -> Self {
        connector_tests::install_crypto_provider();
        let spec = TenantSpec::for_manifest(&connector_slack::MANIFEST)
            .faults(Faults::none().latency_ms(latency_ms));
        let sandbox = Sandbox::builder()
            .tenant(spec)
            .start("127.0.0.1:0")
            .await
            .unwrap();
        let engine = Self::engine(&sandbox, dir, state).await;
        Self { sandbox, engine }
    }

    /// Another engine over the same tenant, with its state at `state`.
    async fn engine(sandbox: &SandboxHandle, dir: &Path, state: &Path) -> Engine {
        let tenant = sandbox.tenant("slack").unwrap();
        let text = format!(
            "[instances.slack]\nconnector = \"slack\"\nbase_url = \"{}\"\ntoken_env = \"SANDBOX_SLACK_TOKEN\"\n\
             variables = {{ domain = \"acme\" }}\n\n\
             [[provision]]\ninstance = \"slack\"\ngroups = [\"eng\"]\n",
            tenant.scim_url()
        );
        let path = dir.join("assignments.toml");
        std::fs::write(&path, &text).unwrap();
        let assignments = Assignments::load(&path, &registry()).unwrap();
        let store = Store::open(state).await.unwrap();
        let secrets = MapSecrets::default().with("SANDBOX_SLACK_TOKEN", tenant.token());
        Engine::with_store(assignments, registry(), Arc::new(secrets), store)
    }
}

/// Options of every apply here: one call at a time.
fn options() -> ApplyOptions {
    ApplyOptions {
        plan: PlanOptions {
            now: Some(NOW),
            ..PlanOptions::default()
        },
        concurrency: Some(1),
        ..ApplyOptions::default()
    }
}

/// `n` people in `eng`.
fn people(n: usize) -> connector_engine::Directory {
    directory((1..=n).map(|i| person(i, &["eng"])).collect())
}

#[cfg(unix)]
#[tokio::test]
async fn a_second_apply_through_a_symlink_or_a_path_alias_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let holder = Store::open(&state).await.unwrap();
    let lock = holder
        .lock_apply()
        .unwrap()
        .expect("a file state has a lock");

    std::os::unix::fs::symlink("state.db", dir.path().join("alias.db")).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let aliases = [
        dir.path().join("alias.db"),
        dir.path().join("sub/../state.db"),
    ];
    let slack = Slack::start(dir.path(), &aliases[0], 0).await;
    for alias in &aliases {
        let engine = Slack::engine(&slack.sandbox, dir.path(), alias).await;
        let error = engine
            .apply_directory(people(1), "test", options())
            .await
            .unwrap_err()
            .to_string();
        assert!(error.contains("another apply is running"), "{error}");
        assert!(
            error.contains(&format!("pid {} holds", std::process::id())),
            "{error}"
        );
    }
    assert!(
        holder.runs(5).await.unwrap().is_empty(),
        "a refused apply started a run"
    );

    drop(lock);
    let report = slack
        .engine
        .apply_directory(people(1), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded());
    slack.sandbox.shutdown().await;
}

#[tokio::test]
async fn after_an_apply_the_main_file_alone_holds_the_state() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let slack = Slack::start(dir.path(), &state, 0).await;
    let report = slack
        .engine
        .apply_directory(people(12), "test", options())
        .await
        .unwrap();
    assert!(report.succeeded());
    // The engine (and its connection) is still open: only the checkpoint emptied the -wal.
    let wal = dir.path().join("state.db-wal");
    let wal_size = std::fs::metadata(&wal).map_or(0, |m| m.len());
    assert_eq!(
        wal_size,
        0,
        "the run left {wal_size} bytes in {}",
        wal.display()
    );

    let copy = tempfile::tempdir().unwrap();
    std::fs::copy(&state, copy.path().join("state.db")).unwrap();
    let copied = Store::open(&copy.path().join("state.db")).await.unwrap();
    assert_eq!(copied.links("slack").await.unwrap().len(), 12);
    assert_eq!(copied.runs(1).await.unwrap()[0].id, report.run_id);
    slack.sandbox.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_a_run_is_consistent_and_one_after_has_every_link() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db");
    let slack = Slack::start(dir.path(), &state, 20).await;
    let engine = Arc::new(slack.engine);
    let run = {
        let engine = engine.clone();
        tokio::spawn(async move {
            engine
                .apply_directory(people(30), "test", options())
                .await
                .unwrap()
        })
    };

    // Another open of the state, as `connector state backup` would be, mid-run.
    let other = Store::open(&state).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let linked = other.links("slack").await.unwrap().len();
        if linked >= 5 {
            break;
        }
        assert!(!run.is_finished(), "the run ended before the backup");
        assert!(
            Instant::now() < deadline,
            "the run linked {linked} accounts"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let during = dir.path().join("during.db");
    let size = other.backup(&during, false).await.unwrap();
    assert!(
        !run.is_finished(),
        "the backup was not taken during the run"
    );
    assert_eq!(std::fs::metadata(&during).unwrap().len(), size);
    let report = run.await.unwrap();
    assert!(report.succeeded());

    let copy = Store::open(&during).await.unwrap();
    let links = copy.links("slack").await.unwrap().len();
    assert!(
        (1..30).contains(&links),
        "{links} links in the mid-run backup"
    );
    let runs = copy.runs(1).await.unwrap();
    assert_eq!(runs[0].id, report.run_id);
    assert_eq!(runs[0].status, connector_engine::state::RunStatus::Running);

    let after = dir.path().join("after.db");
    other.backup(&after, false).await.unwrap();
    let copy = Store::open(&after).await.unwrap();
    assert_eq!(copy.links("slack").await.unwrap().len(), 30);

    let refused = other.backup(&during, false).await.unwrap_err().to_string();
    assert!(refused.contains("exists; give --force"), "{refused}");
    other.backup(&during, true).await.unwrap();
    let replaced = Store::open(&during).await.unwrap();
    assert_eq!(replaced.links("slack").await.unwrap().len(), 30);
    let itself = other.backup(&state, true).await.unwrap_err().to_string();
    assert!(itself.contains("is the state file itself"), "{itself}");
    slack.sandbox.shutdown().await;
}
