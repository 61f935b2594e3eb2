//! Group commit of the journal: the intents and outcomes of concurrent steps share
//! transactions. Each caller still waits until its own write is committed (an intent
//! before its call, an outcome with its state changes), but a commit (and the WAL pages
//! it writes) serves every write that queued while the last one ran, rather than one.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::batch::Batch;
use super::effects::apply_effect;
use super::journal::{Effect, Outcome};

/// The most writes one transaction carries.
const MAX_BATCH: usize = 128;

/// How long the writer waits for more writes when several are coming at once.
const LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// An intent, owned.
#[derive(Debug)]
pub(super) struct IntentRow {
    /// The run.
    pub run_id: String,
    /// The instance.
    pub instance: String,
    /// The person.
    pub identity_id: Option<String>,
    /// The account.
    pub account_id: Option<String>,
    /// The action.
    pub action: String,
    /// The SKU.
    pub sku: Option<String>,
    /// The plan step as JSON.
    pub step: String,
    /// When it was recorded.
    pub at: String,
}

/// An outcome and its state changes, owned.
#[derive(Debug)]
pub(super) struct OutcomeRow {
    /// The journal row, if any.
    pub entry: Option<i64>,
    /// How the call ended.
    pub outcome: Outcome,
    /// The detail.
    pub detail: Option<String>,
    /// The state changes.
    pub effects: Vec<Effect>,
    /// When it was recorded.
    pub at: String,
}

/// What to do with a committed intent's id, on the writer's thread (it must only hand
/// work on).
pub(crate) type Then = Box<dyn FnOnce(i64) + Send + Sync>;

/// What to do once an outcome is committed, on the writer's thread (it must be quick).
pub(crate) type Done = Box<dyn FnOnce() + Send + Sync>;

/// One write and where its result goes.
pub(super) enum Job {
    /// Insert an intent; the result is its id, also given to the [`Then`] (if any) once
    /// committed.
    Intent(
        IntentRow,
        oneshot::Sender<Result<i64, String>>,
        Option<Then>,
    ),
    /// Record an outcome and apply its effects; the [`Done`] (if any) runs once they
    /// are committed.
    Outcome(
        OutcomeRow,
        oneshot::Sender<Result<(), String>>,
        Option<Done>,
    ),
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Intent(row, ..) => f.debug_tuple("Intent").field(row).finish_non_exhaustive(),
            Self::Outcome(row, ..) => f.debug_tuple("Outcome").field(row).finish_non_exhaustive(),
        }
    }
}

/// Where writes are queued; the writing task ends when every handle is gone.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    /// The queue.
    jobs: mpsc::UnboundedSender<Job>,
}

impl Writer {
    /// Starts the writer on a thread of its own (on the current runtime when no thread can
    /// be started). Its own thread keeps commits prompt when the application's runtime is
    /// busy: each statement is a round trip to SQLite's thread, and on a busy runtime
    /// every return from it would queue behind the other tasks.
    pub fn start(pool: sqlx::SqlitePool) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        // The work goes to whichever starts: the thread, else a task.
        let work = Arc::new(std::sync::Mutex::new(Some((pool, queue))));
        let take = |work: &std::sync::Mutex<Option<_>>| work.lock().ok().and_then(|mut w| w.take());
        let theirs = work.clone();
        let started = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .and_then(|runtime| {
                std::thread::Builder::new()
                    .name("journal".to_owned())
                    .spawn(move || {
                        if let Some((pool, queue)) = take(&theirs) {
                            runtime.block_on(run(pool, queue));
                        }
                    })
            });
        if let Err(error) = started {
            tracing::debug!(%error, "cannot start the journal thread; writing from a task");
            if let Some((pool, queue)) = take(&work) {
                tokio::spawn(run(pool, queue));
            }
        }
        Self { jobs }
    }

    /// Records an intent; its id once committed.
    pub async fn intent(&self, row: IntentRow) -> Result<i64, String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Intent(row, reply, None))?;
        answer.await.map_err(|_| STOPPED.to_owned())?
    }

    /// Queues an intent; once it is committed, `then` gets its id. The receiver gives
    /// the id or the error (`then` is dropped uncalled on an error).
    pub fn intent_then(
        &self,
        row: IntentRow,
        then: Then,
    ) -> oneshot::Receiver<Result<i64, String>> {
        let (reply, answer) = oneshot::channel();
        if let Err(unsent) = self.jobs.send(Job::Intent(row, reply, Some(then)))
            && let Job::Intent(_, reply, _) = unsent.0
        {
            let _ = reply.send(Err(STOPPED.to_owned()));
        }
        answer
    }

    /// Records an outcome and its effects, once committed.
    pub async fn outcome(&self, row: OutcomeRow) -> Result<(), String> {
        let (reply, answer) = oneshot::channel();
        self.send(Job::Outcome(row, reply, None))?;
        answer.await.map_err(|_| STOPPED.to_owned())?
    }

    /// Queues an outcome; once it is committed, `done` runs. The receiver gives the
    /// result (`done` is dropped unrun on an error).
    pub fn outcome_then(
        &self,
        row: OutcomeRow,
        done: Done,
    ) -> oneshot::Receiver<Result<(), String>> {
        let (reply, answer) = oneshot::channel();
        if let Err(unsent) = self.jobs.send(Job::Outcome(row, reply, Some(done)))
            && let Job::Outcome(_, reply, _) = unsent.0
        {
            let _ = reply.send(Err(STOPPED.to_owned()));
        }
        answer
    }

    /// Queues `job`.
    fn send(&self, job: Job) -> Result<(), String> {
        self.jobs.send(job).map_err(|_| STOPPED.to_owned())
    }
}

/// Why a write got no answer.
const STOPPED: &str = "the journal writer stopped";

/// Commits the queued writes, a batch at a time.
async fn run(pool: sqlx::SqlitePool, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::new();
    let mut busy = false;
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // When writes come from many steps at once, a moment's wait lets a commit carry
        // more of them (a commit writes whole pages: shared, they cost less each). A
        // lone writer never waits.
        if busy && batch.len() < MAX_BATCH / 4 {
            std::thread::sleep(LINGER);
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
        }
        busy = batch.len() > 1;
        let jobs = std::mem::take(&mut batch);
        // A write that fails spoils the shared transaction: then each is redone alone,
        // so that every outcome stays atomic with its effects and one bad write fails
        // only itself. So are writes that must keep their order.
        match commit_together(&pool, &jobs).await {
            Some(Ok(ids)) => answer(jobs, ids),
            Some(Err(error)) => {
                tracing::debug!(%error, "a grouped journal write failed; writing one by one");
                commit_each(&pool, jobs).await;
            }
            None => commit_each(&pool, jobs).await,
        }
    }
}

/// Commits `jobs` in one transaction, as a [`Batch`]; the ids of the intents, in order.
/// `None` when the jobs cannot be grouped.
async fn commit_together(
    pool: &sqlx::SqlitePool,
    jobs: &[Job],
) -> Option<Result<Vec<i64>, sqlx::Error>> {
    let batch = Batch::of(jobs)?;
    Some(
        async {
            let mut conn = pool.acquire().await?;
            batch.commit(&mut conn).await
        }
        .await,
    )
}

/// Commits each of `jobs` in its own transaction, answering each.
async fn commit_each(pool: &sqlx::SqlitePool, jobs: Vec<Job>) {
    for job in jobs {
        let written = async {
            let mut tx = pool.begin().await?;
            let id = write_one(&mut tx, &job).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await;
        match (job, written) {
            (Job::Intent(_, reply, then), result) => {
                if let (Ok(id), Some(then)) = (&result, then) {
                    then(*id);
                }
                let _ = reply.send(result.map_err(|e| e.to_string()));
            }
            (Job::Outcome(_, reply, done), result) => {
                if let (Ok(_), Some(done)) = (&result, done) {
                    done();
                }
                let _ = reply.send(result.map(|_| ()).map_err(|e| e.to_string()));
            }
        }
    }
}

/// Answers every job of a committed batch; `ids` are its intents' ids, in order.
fn answer(jobs: Vec<Job>, ids: Vec<i64>) {
    let mut ids = ids.into_iter();
    for job in jobs {
        match job {
            Job::Intent(_, reply, then) => {
                let id = ids.next().ok_or_else(|| "no id for an intent".to_owned());
                if let (Ok(id), Some(then)) = (&id, then) {
                    then(*id);
                }
                let _ = reply.send(id);
            }
            Job::Outcome(_, reply, done) => {
                if let Some(done) = done {
                    done();
                }
                let _ = reply.send(Ok(()));
            }
        }
    }
}

/// Writes one job inside `tx`, statement by statement; an intent's id, else 0.
pub(super) async fn write_one(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    job: &Job,
) -> Result<i64, sqlx::Error> {
    match job {
        Job::Intent(row, ..) => {
            let result = sqlx::query(
                "INSERT INTO journal (run_id, instance, identity_id, account_id, action, sku, step, intent_at) \
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(&row.run_id)
            .bind(&row.instance)
            .bind(&row.identity_id)
            .bind(&row.account_id)
            .bind(&row.action)
            .bind(&row.sku)
            .bind(&row.step)
            .bind(&row.at)
            .execute(&mut **tx)
            .await?;
            Ok(result.last_insert_rowid())
        }
        Job::Outcome(row, ..) => {
            if let Some(entry) = row.entry {
                sqlx::query(
                    "UPDATE journal SET outcome = ?, detail = ?, finished_at = ? WHERE id = ?",
                )
                .bind(row.outcome.as_str())
                .bind(&row.detail)
                .bind(&row.at)
                .bind(entry)
                .execute(&mut **tx)
                .await?;
            }
            for effect in &row.effects {
                apply_effect(tx, effect, &row.at).await?;
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicI64, Ordering};

    use crate::state::{Intent, Store};

    fn intent() -> Intent<'static> {
        Intent {
            run_id: "r1",
            instance: "i",
            identity_id: Some("p1"),
            account_id: None,
            action: "create",
            sku: None,
            step: "{}",
        }
    }

    #[tokio::test]
    async fn then_follows_the_commit_and_is_dropped_on_failure() {
        let store = Store::in_memory().await.unwrap();
        let seen = std::sync::Arc::new(AtomicI64::new(0));
        let theirs = seen.clone();
        let receipt = store.record_intent_then(
            &intent(),
            Box::new(move |id| theirs.store(id, Ordering::SeqCst)),
        );
        assert_eq!(receipt.await.unwrap(), Ok(1));
        assert_eq!(seen.load(Ordering::SeqCst), 1);

        sqlx::query(
            "CREATE TRIGGER refused BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'no'); END",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let theirs = seen.clone();
        let receipt = store.record_intent_then(
            &intent(),
            Box::new(move |id| theirs.store(id, Ordering::SeqCst)),
        );
        let error = receipt.await.unwrap().unwrap_err();
        assert!(error.contains("no"), "{error}");
        assert_eq!(seen.load(Ordering::SeqCst), 1, "not called");
    }
}
