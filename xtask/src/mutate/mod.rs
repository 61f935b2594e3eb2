//! `cargo xtask mutate [<app>] [--list] [--only <fact>]`: changes each vendor fact of a
//! spec to a plausible wrong value, one at a time in a scratch copy of the workspace, runs
//! the connector's tests and the sandbox's, and reports which wrong facts no test noticed.
//!
//! - [`facts`]: the facts of a spec and one mutation each (pure);
//! - [`scratch`]: the scratch workspace, kept in step with this one;
//! - [`mod@run`]: building and running the tests, the verdict on one mutation;
//! - [`equivalent`]: the mutations that state no wrong fact (the vendor documents both);
//! - [`report`]: the table and the kill rate.

mod equivalent;
mod facts;
mod report;
mod run;
mod scratch;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use facts::Mutation;
use report::Outcome;
use run::{Runner, Verdict};
use scratch::Scratch;

use crate::peers;

/// The command line of `mutate`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Options {
    /// One connector, or every one.
    app: Option<String>,
    /// Print the mutations without running anything.
    list: bool,
    /// Only the mutations of this fact (a dotted key, or a prefix ending at a dot).
    only: Option<String>,
}

/// Runs the command; returns the exit code (1 when a mutation survived or a connector
/// could not be mutated).
pub(crate) fn run(root: &Path, args: &[String]) -> Result<i32, String> {
    let options = parse_args(args)?;
    let apps = match &options.app {
        Some(app) => vec![app.clone()],
        None => all_apps(root)?,
    };
    let mut plans = Vec::new();
    let mut failed = false;
    for app in &apps {
        let path = root.join("connectors").join(app).join("connector.toml");
        let source = fs::read_to_string(&path).map_err(|e| {
            format!(
                "cannot read {} ({e}); the connectors are: {}",
                path.display(),
                all_apps(root).unwrap_or_default().join(", ")
            )
        })?;
        match facts::mutations(&source) {
            Ok(all) => {
                let chosen = select(all, options.only.as_deref());
                if chosen.is_empty() && options.app.is_some() {
                    return Err(format!(
                        "{app} has no fact `{}` (see `cargo xtask mutate {app} --list`)",
                        options.only.as_deref().unwrap_or_default()
                    ));
                }
                if !chosen.is_empty() {
                    plans.push((app.clone(), source, chosen));
                }
            }
            Err(why) => {
                eprintln!("mutate: {app}: cannot mutate: {why}");
                failed = true;
            }
        }
    }
    if options.list {
        for (app, _, mutations) in &plans {
            println!("{app}: {} mutations", mutations.len());
            for m in mutations {
                println!("  {:<45} {}", m.fact, m.change);
            }
        }
        return Ok(i32::from(failed));
    }

    let target_dir =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let target_dir = if target_dir.is_relative() {
        root.join(target_dir)
    } else {
        target_dir
    };
    // The scratch copy builds into a target directory of its own: cargo hashes a
    // workspace member by its path relative to the workspace, so in the workspace's own
    // target directory a mutated crate would have the same file name as the real one and
    // be taken as up to date by the next build of this workspace.
    let scratch_dir = target_dir.join("mutate");
    let scratch_target = scratch_dir.join("target");
    let peers = peers::install(root)?;
    let _lock = RunLock::take(&scratch_dir)?;
    let (workspace, written) = Scratch::sync(root, &scratch_dir.join("ws"))?;
    println!(
        "mutate: scratch workspace {} ({written} files updated), target {}",
        workspace.root.display(),
        scratch_target.display()
    );
    let mut reports = Vec::new();
    for (app, source, mutations) in &plans {
        let runner = Runner {
            workspace: &workspace.root,
            target_dir: &scratch_target,
            package: format!("connector-{app}"),
            crate_name: format!("connector_{}", app.replace('-', "_")),
            env: vec![
                ("SCIM2_SERVER_BIN".to_owned(), peers.scim2_server.clone()),
                ("SCIM2_CLI_BIN".to_owned(), peers.scim2_cli.clone()),
            ],
        };
        match mutate_one(&workspace, &runner, app, source, mutations) {
            Ok(outcomes) => reports.push((app.clone(), outcomes)),
            Err(why) => {
                eprintln!("mutate: {app}: {why}");
                failed = true;
            }
        }
    }
    println!();
    for (app, outcomes) in &reports {
        println!("{}", report::table(app, outcomes));
        failed |= outcomes.iter().any(|o| o.verdict.survived());
    }
    Ok(i32::from(failed))
}

/// Runs one connector's mutations: first the tests on the unchanged spec (they must
/// pass, or every mutation would look killed), then each mutation, restoring the spec
/// after each.
fn mutate_one(
    workspace: &Scratch,
    runner: &Runner<'_>,
    app: &str,
    source: &str,
    mutations: &[Mutation],
) -> Result<Vec<Outcome>, String> {
    let spec = Path::new("connectors").join(app).join("connector.toml");
    let restore = Restore {
        workspace,
        spec: &spec,
        source,
    };
    let started = Instant::now();
    println!("mutate: {app}: the tests on the unchanged spec");
    restore.now()?;
    let baseline = runner.verdict()?;
    if baseline.killed() {
        return Err(format!(
            "the tests fail on the unchanged spec ({baseline:?}); fix them before mutating"
        ));
    }
    let mut outcomes = Vec::new();
    for (index, mutation) in mutations.iter().enumerate() {
        let at = Instant::now();
        let verdict = match equivalent::why(app, &mutation.fact) {
            Some(why) => Verdict::Equivalent(why),
            None => {
                workspace.write(&spec, &mutation.apply(source))?;
                let verdict = runner.verdict();
                restore.now()?;
                verdict?
            }
        };
        println!(
            "mutate: {app} [{}/{}] {} {}: {} ({}s)",
            index + 1,
            mutations.len(),
            mutation.fact,
            mutation.change,
            match &verdict {
                Verdict::Survived => "SURVIVED".to_owned(),
                Verdict::Test(test) => format!("killed by {test}"),
                Verdict::Checker(_) => "killed by the checker".to_owned(),
                Verdict::Build(_) => "killed by the build".to_owned(),
                Verdict::Equivalent(_) => "equivalent, not run".to_owned(),
            },
            at.elapsed().as_secs()
        );
        outcomes.push(Outcome {
            mutation: mutation.clone(),
            verdict,
        });
    }
    println!(
        "mutate: {app}: {} mutations in {}s",
        mutations.len(),
        started.elapsed().as_secs()
    );
    Ok(outcomes)
}

/// One run at a time per scratch workspace: two would overwrite each other's specs. The
/// lock file holds the process id; a lock whose process is gone is taken over.
struct RunLock {
    path: PathBuf,
}

impl RunLock {
    fn take(dir: &Path) -> Result<Self, String> {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join("lock");
        if let Ok(pid) = fs::read_to_string(&path) {
            let pid = pid.trim();
            if !pid.is_empty() && Path::new("/proc").join(pid).exists() {
                return Err(format!(
                    "another `cargo xtask mutate` (process {pid}) is using {}; wait for it, or remove {} if it is gone",
                    dir.display(),
                    path.display()
                ));
            }
        }
        fs::write(&path, std::process::id().to_string())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Self { path })
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// Puts the original spec back in the scratch workspace, now and when dropped (so an
/// error or a panic never leaves a mutated spec for the next run).
struct Restore<'a> {
    workspace: &'a Scratch,
    spec: &'a Path,
    source: &'a str,
}

impl Restore<'_> {
    fn now(&self) -> Result<(), String> {
        self.workspace.write(self.spec, self.source)
    }
}

impl Drop for Restore<'_> {
    fn drop(&mut self) {
        let _ = self.now();
    }
}

/// The mutations of the fact `only` (the key itself, or the keys below it), or all.
fn select(all: Vec<Mutation>, only: Option<&str>) -> Vec<Mutation> {
    match only {
        None => all,
        Some(only) => all
            .into_iter()
            .filter(|m| {
                m.fact == only
                    || m.fact
                        .strip_prefix(only)
                        .is_some_and(|rest| rest.starts_with('.'))
            })
            .collect(),
    }
}

/// Every directory of `connectors/` holding a `connector.toml`, sorted.
fn all_apps(root: &Path) -> Result<Vec<String>, String> {
    let dir = root.join("connectors");
    let entries = fs::read_dir(&dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    let mut apps: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().join("connector.toml").is_file())
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .collect();
    apps.sort();
    Ok(apps)
}

/// `[<app>] [--list] [--only <fact>]`.
fn parse_args(args: &[String]) -> Result<Options, String> {
    let mut options = Options::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--list" => options.list = true,
            "--only" => {
                let fact = args
                    .next()
                    .ok_or("`--only` needs a fact (a dotted key from `--list`)")?;
                options.only = Some(fact.clone());
            }
            flag if flag.starts_with('-') => {
                return Err(format!(
                    "`mutate` takes [<app>] [--list] [--only <fact>] (got `{flag}`)"
                ));
            }
            app if options.app.is_none() => options.app = Some(app.to_owned()),
            extra => return Err(format!("`mutate` takes one connector (got `{extra}` too)")),
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::{Options, facts, parse_args, select};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn arguments_are_an_app_the_list_flag_and_one_fact() {
        assert_eq!(
            parse_args(&args(&[
                "slack",
                "--only",
                "provisioning.dialect.page_size"
            ]))
            .unwrap(),
            Options {
                app: Some("slack".into()),
                list: false,
                only: Some("provisioning.dialect.page_size".into())
            }
        );
        assert!(parse_args(&args(&["--list"])).unwrap().list);
        assert!(
            parse_args(&args(&["--only"]))
                .unwrap_err()
                .contains("needs a fact")
        );
        assert!(
            parse_args(&args(&["--fast"]))
                .unwrap_err()
                .contains("--fast")
        );
        assert!(
            parse_args(&args(&["slack", "canva"]))
                .unwrap_err()
                .contains("canva")
        );
    }

    #[test]
    fn a_second_run_is_refused_while_the_first_holds_the_lock() {
        let dir = tempfile::tempdir().unwrap();
        let first = super::RunLock::take(dir.path()).unwrap();
        let refused = super::RunLock::take(dir.path()).err().unwrap();
        assert!(
            refused.contains("another `cargo xtask mutate`"),
            "{refused}"
        );
        drop(first);
        assert!(super::RunLock::take(dir.path()).is_ok(), "released on drop");
        // A lock left by a process that is gone is taken over.
        std::fs::write(dir.path().join("lock"), "4294967294").unwrap();
        assert!(super::RunLock::take(dir.path()).is_ok());
    }

    #[test]
    fn only_picks_the_fact_or_the_facts_below_it() {
        let spec = include_str!("../../../connectors/slack/connector.toml");
        let all = facts::mutations(spec).unwrap();
        let page = select(all.clone(), Some("provisioning.dialect.page_size"));
        assert_eq!(page.len(), 1);
        let limit = select(all.clone(), Some("provisioning.rate_limit"));
        assert_eq!(limit.len(), 3, "requests, per, burst");
        // A prefix that stops inside a key picks nothing.
        assert!(select(all, Some("provisioning.rate")).is_empty());
    }
}
