//! Group commit of the journal: the intents and outcomes of concurrent steps share
//! transactions. Each caller still waits until its own write is committed (an intent
//! before its call, an outcome with its state changes), but a commit (and the WAL pages
//! it writes) serves every write that queued while the last one ran, rather than one.

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use super::batch::Batch;
use super::effects::write_one;
use super::rows::{IntentRow, OutcomeRow, Write};

/// The most writes one transaction carries.
const MAX_BATCH: usize = 128;

/// How long the writer waits for more writes when several are coming at once.
const LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// One write and where its result goes: an intent's id (0 for an outcome) once
/// committed, or why it was not.
#[derive(Debug)]
struct Job {
    /// The write.
    write: Write,
    /// Its answer.
    reply: oneshot::Sender<Result<i64, String>>,
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
    pub(super) fn start(pool: sqlx::SqlitePool) -> Self {
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
    pub(super) async fn intent(&self, row: IntentRow) -> Result<i64, String> {
        self.write(Write::Intent(row)).await
    }

    /// Records an outcome and its effects; returns once committed.
    pub(super) async fn outcome(&self, row: OutcomeRow) -> Result<(), String> {
        self.write(Write::Outcome(row)).await.map(|_| ())
    }

    /// Queues `write` and waits for its commit.
    async fn write(&self, write: Write) -> Result<i64, String> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job { write, reply })
            .map_err(|_| STOPPED.to_owned())?;
        answer.await.map_err(|_| STOPPED.to_owned())?
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
    let batch = Batch::of(jobs.iter().map(|job| &job.write))?;
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
            let id = write_one(&mut tx, &job.write).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(id)
        }
        .await;
        let _ = job.reply.send(written.map_err(|e| e.to_string()));
    }
}

/// Answers every job of a committed batch; `ids` are its intents' ids, in order.
fn answer(jobs: Vec<Job>, ids: Vec<i64>) {
    let mut ids = ids.into_iter();
    for job in jobs {
        let answer = match job.write {
            Write::Intent(_) => ids.next().ok_or_else(|| "no id for an intent".to_owned()),
            Write::Outcome(_) => Ok(0),
        };
        let _ = job.reply.send(answer);
    }
}

#[cfg(test)]
mod tests {
    use crate::state::{Intent, Outcome, Store};

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
    async fn writes_return_once_committed_and_refusals_are_errors() {
        let store = Store::in_memory().await.unwrap();
        let id = store.record_intent(&intent()).await.unwrap();
        assert_eq!(id, 1);
        let pending = store.pending_intents().await.unwrap();
        assert_eq!(pending.iter().map(|e| e.id).collect::<Vec<_>>(), [1]);
        store
            .record_outcome(Some(id), Outcome::Ok, Some("done"), Vec::new())
            .await
            .unwrap();
        assert!(store.pending_intents().await.unwrap().is_empty());

        sqlx::query(
            "CREATE TRIGGER refused BEFORE INSERT ON journal BEGIN SELECT RAISE(ABORT, 'no'); END",
        )
        .execute(store.pool())
        .await
        .unwrap();
        let error = store.record_intent(&intent()).await.unwrap_err();
        assert!(error.message.contains("no"), "{error}");
        assert_eq!(error.path, ":memory:");
        assert_eq!(
            store.journal("r1").await.unwrap().len(),
            1,
            "nothing written"
        );
    }
}
