//! [`Engine`]: plan, apply and status over the instances of an assignments file.

use std::collections::BTreeMap;
use std::sync::Arc;

use connector_sdk::Connector;
use time::OffsetDateTime;

use crate::apply::{self, ApplyContext, ApplyReport, InstanceRun, ProgressHandle, RETRY_BACKOFF};
use crate::audit::{AuditSink, Flushed, HttpDelivery, decisions};
use crate::config::Assignments;
use crate::directory::{Directory, DirectorySource, guard};
use crate::plan::{self, FieldSet, Plan, SourceSummary};
use crate::registry::{Registry, Secrets};
use crate::state::{RunStatus, Store};
use crate::status::StatusReport;
use crate::{EngineError, attrs, clock, connect};

/// Options of a plan.
#[derive(Debug, Clone, Default)]
pub struct PlanOptions {
    /// The time rules are evaluated at (`None`: now). Tests pin it for time-bound access.
    pub now: Option<OffsetDateTime>,
    /// Let the run remove more than the circuit breaker allows.
    pub allow_removals: bool,
    /// Accept a directory that shrank more than `max_source_shrink` since the last run.
    pub accept_source_shrink: bool,
    /// Plan only these instances (all when empty).
    pub instances: Vec<String>,
    /// Plan only for these people (directory ids; everyone when `None`). A scoped plan
    /// decides for the people in scope as a full plan would and keeps only their steps:
    /// nobody outside it is treated as gone, and orphan accounts are left for the full
    /// reconcile. See [`scope_reads`](Self::scope_reads) for how it reads the apps; when
    /// it reads by id, it also plans from the scope's people, links and seats alone.
    pub scope: Option<std::collections::BTreeSet<String>>,
    /// How a scoped plan reads each app (a full plan always lists).
    pub scope_reads: ScopeReads,
    /// In a scoped plan, take the accounts of people who are all leaving an instance
    /// from their links instead of reading them (`connector serve`, on an event's first
    /// attempt): each is disabled (or deleted) and its seats the state records revoked,
    /// with no read before. Only where a read could not show more: everyone in scope
    /// there has a link to an account the engine last left active (it created or
    /// enabled it) and loses it, and the instance has no seat an account shows
    /// (attribute or group mode). What a read would have found differs only when the app
    /// was changed behind the engine's back: an account disabled there is disabled again
    /// (the app holds the same), and one the app no longer has fails its step, so the
    /// event is retried, and a retry reads.
    pub trust_links: bool,
    /// Account removals already made on each instance within the circuit breaker's
    /// window, weighed with the plan's own against `max_removals` (`connector serve`:
    /// those its events made in the last hour). Empty for `plan` and `apply`.
    pub removals_before: std::collections::BTreeMap<String, u64>,
    /// Keep only the changes these flows' steps allow (`connector serve --flows`).
    pub only: Option<crate::flows::StepFilter>,
}

/// How a scoped plan ([`PlanOptions::scope`]) reads an app's accounts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ScopeReads {
    /// Read the linked accounts of the people in scope by id, one request each, when
    /// that decides as a listing would (nobody in scope is to have an account without a
    /// link, and every linked account is still there) and is quicker than listing the
    /// app's linked accounts a page at a time: fewer requests when the client paces them
    /// by the service's rate limit, fewer rounds (eight reads in flight) when it does not.
    /// Otherwise list.
    #[default]
    Fewest,
    /// Read by id whenever that decides as a listing would, however many reads.
    ById,
    /// List every account of the app, as a full plan does.
    List,
}

/// Options of an apply.
#[derive(Debug, Default)]
pub struct ApplyOptions {
    /// How to plan.
    pub plan: PlanOptions,
    /// Where audit lines go besides the state.
    pub audit: AuditSink,
    /// Replaces `settings.concurrency`.
    pub concurrency: Option<usize>,
    /// Connector calls per step: the call, then redos after an ambiguous create, each
    /// within the change's retry budget (default 2).
    pub max_attempts: Option<u32>,
    /// Told about each change as it ends (progress bars, progress lines).
    pub progress: Option<ProgressHandle>,
    /// The run id (default: a new `r<time>-<random>`); unique per run. Event-driven runs
    /// name the triggering event in it, so their audit events' `correlation_uid` does.
    pub run_id: Option<String>,
}

/// The provisioning engine over one assignments file and one state store.
pub struct Engine {
    assignments: Assignments,
    registry: Registry,
    secrets: Arc<dyn Secrets>,
    store: Store,
    /// The instances' connectors, kept across runs while their credentials read the
    /// same: a long running engine (`connector serve`) reuses their HTTP connections,
    /// keeps each client-side rate limiter's budget across runs, and loads the TLS roots
    /// once.
    connected: std::sync::Mutex<BTreeMap<String, Option<connect::Kept>>>,
}

impl Engine {
    /// An engine over `assignments`, with its state at `settings.state`.
    ///
    /// # Errors
    ///
    /// When the state cannot be opened or migrated.
    pub async fn open(
        assignments: Assignments,
        registry: Registry,
        secrets: Arc<dyn Secrets>,
    ) -> Result<Self, EngineError> {
        let store = Store::open(&assignments.settings.state).await?;
        Ok(Self::with_store(assignments, registry, secrets, store))
    }

    /// An engine over `assignments` with an already open store.
    pub fn with_store(
        assignments: Assignments,
        registry: Registry,
        secrets: Arc<dyn Secrets>,
        store: Store,
    ) -> Self {
        Self {
            assignments,
            registry,
            secrets,
            store,
            connected: std::sync::Mutex::default(),
        }
    }

    /// The assignments.
    pub fn assignments(&self) -> &Assignments {
        &self.assignments
    }

    /// The state store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The connectors of the selected instances (an error per instance that cannot
    /// connect). A connector is built on first use and kept while the instance's
    /// credentials read the same (a rotated secret builds a new one); an instance that
    /// could not connect is tried again next time.
    pub fn connectors(
        &self,
        only: &[String],
    ) -> BTreeMap<String, Result<Arc<dyn Connector>, String>> {
        let mut connected = self
            .connected
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.assignments
            .instances
            .values()
            .filter(|i| only.is_empty() || only.contains(&i.name))
            .map(|i| {
                let kept = connected.entry(i.name.clone()).or_default();
                let connector =
                    connect::connect_kept(i, &self.registry, self.secrets.as_ref(), kept);
                (i.name.clone(), connector)
            })
            .collect()
    }

    /// Loads `source` and plans. Writes nothing to any app nor to the state.
    ///
    /// # Errors
    ///
    /// A directory or state error, or [`EngineError::SourceStop`] from the source guard.
    pub async fn plan(
        &self,
        source: &dyn DirectorySource,
        options: &PlanOptions,
    ) -> Result<Plan, EngineError> {
        let directory = source.load().await?;
        let connectors = self.connectors(&options.instances);
        self.plan_directory(&directory, &source.describe(), &connectors, options)
            .await
    }

    /// Plans from an already loaded directory.
    ///
    /// # Errors
    ///
    /// A state error, [`EngineError::SourceStop`] from the source guard, or
    /// [`EngineError::Config`] when a rule names a group the directory does not have.
    pub async fn plan_directory(
        &self,
        directory: &Directory,
        description: &str,
        connectors: &BTreeMap<String, Result<Arc<dyn Connector>, String>>,
        options: &PlanOptions,
    ) -> Result<Plan, EngineError> {
        let previous = self.store.last_source_size().await?;
        let size = directory.people.len() as u64;
        guard::check_size(
            previous,
            size,
            self.assignments.settings.max_source_shrink,
            options.accept_source_shrink,
        )?;
        // A rule naming a group the directory lacks assigns nobody: a typo is refused,
        // an emptied group is said.
        let warnings = self.assignments.check_groups(directory)?;
        let now = options.now.unwrap_or_else(clock::now);
        let mut instances = Vec::new();
        for (name, connector) in connectors {
            let Some(instance) = self.assignments.instance(name) else {
                continue;
            };
            let connector = connector.as_ref().map(|c| c.as_ref()).map_err(Clone::clone);
            let planned = plan::plan_instance(
                &self.assignments,
                instance,
                connector,
                directory,
                &self.store,
                now,
                options,
            )
            .await?;
            instances.push(planned);
        }
        let summary = Plan::summarize(&instances);
        Ok(Plan {
            warnings,
            format_version: plan::PLAN_FORMAT_VERSION,
            generated_at: clock::stamp(clock::now()),
            source: SourceSummary {
                description: description.to_owned(),
                people: size,
                groups: directory.groups.len() as u64,
                previous_people: previous,
            },
            instances,
            summary,
        })
    }

    /// Loads `source`, settles what an interrupted run left, plans and applies.
    ///
    /// # Errors
    ///
    /// A directory or state error, or [`EngineError::SourceStop`]. A tripped circuit
    /// breaker is not an error: the report says the run stopped.
    pub async fn apply(
        &self,
        source: &dyn DirectorySource,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EngineError> {
        let directory = source.load().await?;
        self.apply_directory(directory, &source.describe(), options)
            .await
    }

    /// Applies from an already loaded directory.
    ///
    /// # Errors
    ///
    /// As [`apply`](Self::apply).
    pub async fn apply_directory(
        &self,
        directory: Directory,
        description: &str,
        options: ApplyOptions,
    ) -> Result<ApplyReport, EngineError> {
        let _lock = self.store.lock_apply()?;
        let ApplyOptions {
            plan,
            audit,
            concurrency,
            max_attempts,
            progress,
            run_id,
        } = options;
        let sink = Arc::new(self.with_delivery(audit)?);
        let options = ApplyOptions {
            plan,
            audit: AuditSink::None,
            concurrency,
            max_attempts,
            progress,
            run_id,
        };
        let report = self
            .apply_locked(directory, description, options, &sink)
            .await;
        // However the run ended, its writes leave the `-wal` file for the main file, so a
        // plain copy of the state after a run is a full backup.
        match self.store.checkpoint().await {
            Ok(done) if done.complete => {}
            Ok(_) => tracing::warn!(
                state = %self.store.path().display(),
                "another process is reading the state: part of its -wal file stays for the next checkpoint"
            ),
            Err(error) => {
                tracing::warn!(%error, "cannot checkpoint the state at the end of the run")
            }
        }
        // The run's events, and any an earlier run left in the spool, go to the
        // collector; whatever it does not take waits in the spool for the next flush.
        if let Err(error) = sink.flush().await {
            tracing::warn!(%error, "audit events wait in the spool for the next run or flush");
        }
        report
    }

    /// `audit`, plus the `[audit]` HTTP delivery of the assignments file when it has one.
    ///
    /// # Errors
    ///
    /// When the delivery cannot be set up (its token is not set, its spool cannot be
    /// created).
    fn with_delivery(&self, audit: AuditSink) -> Result<AuditSink, EngineError> {
        match self.open_delivery()? {
            Some(delivery) => Ok(AuditSink::All(vec![audit, AuditSink::Http(delivery)])),
            None => Ok(audit),
        }
    }

    /// The `[audit]` HTTP delivery of the assignments file, if it has one.
    fn open_delivery(&self) -> Result<Option<Arc<HttpDelivery>>, EngineError> {
        let Some(config) = &self.assignments.audit else {
            return Ok(None);
        };
        let delivery =
            HttpDelivery::open(config, self.secrets.as_ref()).map_err(EngineError::Other)?;
        Ok(Some(Arc::new(delivery)))
    }

    /// Posts the audit events waiting in the `[audit]` spool (none without `[audit]`).
    ///
    /// # Errors
    ///
    /// When the delivery cannot be set up or the collector does not take a batch (the
    /// events then stay in the spool).
    pub async fn flush_audit(&self) -> Result<Flushed, EngineError> {
        match self.open_delivery()? {
            Some(delivery) => delivery.flush().await.map_err(EngineError::Other),
            None => Ok(Flushed::default()),
        }
    }

    /// Applies while holding the apply lock.
    async fn apply_locked(
        &self,
        directory: Directory,
        description: &str,
        options: ApplyOptions,
        sink: &Arc<AuditSink>,
    ) -> Result<ApplyReport, EngineError> {
        let connectors = self.connectors(&options.plan.instances);
        let reachable: BTreeMap<String, Arc<dyn Connector>> = connectors
            .iter()
            .filter_map(|(n, c)| c.as_ref().ok().map(|c| (n.clone(), c.clone())))
            .collect();
        let resumed = apply::resume(&self.store, &reachable, &directory).await?;
        let run_id = options.run_id.clone().unwrap_or_else(new_run_id);
        let planned = self
            .plan_directory(&directory, description, &connectors, &options.plan)
            .await;
        let plan = match planned {
            Ok(plan) => plan,
            Err(error) => {
                if let EngineError::SourceStop(stop) = &error {
                    self.store
                        .start_run(&run_id, description, directory.people.len() as u64)
                        .await?;
                    let summary = serde_json::json!({ "stopped": stop.to_string() });
                    self.store
                        .finish_run(&run_id, RunStatus::Stopped, &summary)
                        .await?;
                    let decision = decisions::source_stop(&stop.to_string());
                    decisions::record(&self.store, sink, &run_id, 1, &[decision]).await?;
                }
                return Err(error);
            }
        };
        self.store
            .start_run(&run_id, description, directory.people.len() as u64)
            .await?;
        if plan.summary.blocked {
            let stopped = "the removal circuit breaker tripped: nothing was changed; review the plan and rerun with --allow-removals".to_owned();
            let summary = serde_json::json!({ "stopped": stopped, "plan": plan.summary });
            self.store
                .finish_run(&run_id, RunStatus::Stopped, &summary)
                .await?;
            let stops = decisions::breaker_stop(&plan, &stopped);
            decisions::record(&self.store, sink, &run_id, 1, &stops).await?;
            return Ok(ApplyReport {
                run_id,
                status: RunStatus::Stopped,
                stopped: Some(stopped),
                resumed,
                plan,
                results: Vec::new(),
                counts: apply::ApplyCounts::default(),
            });
        }
        let planned = decisions::planned(&plan);
        let next = decisions::record(&self.store, sink, &run_id, 1, &planned).await?;
        let mut runs = BTreeMap::new();
        for instance_plan in &plan.instances {
            let (Some(instance), Some(connector)) = (
                self.assignments.instance(&instance_plan.instance),
                reachable.get(&instance_plan.instance),
            ) else {
                continue;
            };
            let run = InstanceRun {
                instance: instance.clone(),
                connector: connector.clone(),
                fields: FieldSet::new(&attrs::mapped_fields_except(
                    instance.manifest,
                    &instance.exclude_attributes,
                )),
                held: self.store.licenses(&instance.name).await?,
                claims: Default::default(),
            };
            runs.insert(instance.name.clone(), Arc::new(run));
        }
        let ctx = Arc::new(ApplyContext {
            store: self.store.clone(),
            sink: sink.clone(),
            run_id: run_id.clone(),
            max_attempts: options.max_attempts.unwrap_or(2).max(1),
            backoff: RETRY_BACKOFF,
            progress: options.progress,
            health: apply::Health::default(),
        });
        let concurrency = options
            .concurrency
            .unwrap_or(self.assignments.settings.concurrency);
        let group_runs = runs.clone();
        let mut results = apply::execute(
            ctx.clone(),
            runs,
            &plan.instances,
            Arc::new(directory),
            concurrency,
        )
        .await;
        // Group push after every account step: members need their accounts.
        results.extend(apply::execute_groups(&ctx, &group_runs, &plan.instances).await);
        let journaled = self.journaled_steps(&run_id).await?;
        let left = decisions::not_attempted(&plan, &results, &journaled);
        decisions::record(&self.store, sink, &run_id, next, &left).await?;
        let counts = apply::count(&results, plan.summary.failed_instances);
        let status =
            if counts.failed + counts.not_stored + counts.skipped + counts.failed_instances == 0 {
                RunStatus::Completed
            } else {
                RunStatus::Partial
            };
        let summary = serde_json::json!({ "counts": counts, "plan": plan.summary });
        self.store.finish_run(&run_id, status, &summary).await?;
        Ok(ApplyReport {
            run_id,
            status,
            stopped: None,
            resumed,
            plan,
            results,
            counts,
        })
    }

    /// The plan step ids of run `run_id` that have a journal entry (and so an audit
    /// event of their own).
    async fn journaled_steps(
        &self,
        run_id: &str,
    ) -> Result<std::collections::HashSet<String>, EngineError> {
        Ok(self
            .store
            .journal(run_id)
            .await?
            .iter()
            .filter_map(|entry| {
                let step: serde_json::Value = serde_json::from_str(&entry.step).ok()?;
                step["id"].as_str().map(str::to_owned)
            })
            .collect())
    }

    /// What the state says: recent runs, links per instance, open manual tasks and calls
    /// an interrupted run left without an outcome.
    ///
    /// # Errors
    ///
    /// When the state cannot be read.
    pub async fn status(&self) -> Result<StatusReport, EngineError> {
        crate::status::status(&self.store).await
    }
}

/// A new run id: `r` + UTC time + a random suffix.
fn new_run_id() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u32(std::process::id());
    let stamp = clock::stamp(clock::now()).replace(['-', ':', '.'], "");
    format!("r{stamp}-{:06x}", hasher.finish() & 0xff_ffff)
}
