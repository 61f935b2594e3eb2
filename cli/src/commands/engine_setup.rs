//! What `plan`, `apply`, `status` and `audit` share: the connector registry, options that
//! locate the assignments file, state and directory, the exit codes, and the runtime.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use connector_engine::config::DirectoryConfig;
use connector_engine::{
    Assignments, DirectorySource, Engine, EnvSecrets, FileSource, OktaSource, Registry, Secrets,
};
use connector_sdk::Connector;

/// Exit code: success (plan: no changes).
pub const EXIT_OK: u8 = 0;
/// Exit code: an error (bad input, unreachable state or source, an instance not planned).
pub const EXIT_ERROR: u8 = 1;
/// Exit code of `plan`: changes are pending.
pub const EXIT_CHANGES: u8 = 2;
/// Exit code: a safety check stopped the run before anything was touched (empty or
/// shrinking directory, removal circuit breaker).
pub const EXIT_STOPPED: u8 = 3;
/// Exit code of `apply`: some changes failed (the rest were applied).
pub const EXIT_PARTIAL: u8 = 4;

/// Options every engine command takes.
#[derive(Debug, Clone, Args)]
pub struct EngineArgs {
    /// The assignments file (instances, policies, rules).
    #[arg(short, long, default_value = "assignments.toml")]
    pub config: PathBuf,
    /// The state file (default: `settings.state` of the assignments file).
    #[arg(long)]
    pub state: Option<PathBuf>,
}

/// Options of commands that read the directory.
#[derive(Debug, Clone, Args)]
pub struct SourceArgs {
    /// People file (.json or .csv), replacing `[directory]` of the assignments file.
    #[arg(long)]
    pub people: Option<PathBuf>,
    /// Groups file (.json or .csv), with `--people`.
    #[arg(long, requires = "people")]
    pub groups: Option<PathBuf>,
    /// Only these instances (repeatable; default all).
    #[arg(long = "instance")]
    pub instances: Vec<String>,
    /// Accept a directory that shrank more than `max_source_shrink` since the last run.
    #[arg(long)]
    pub accept_source_shrink: bool,
}

/// Every connector this build can drive.
pub fn registry() -> Registry {
    macro_rules! with {
        ($registry:expr, $($krate:ident),+) => {
            $registry$(.with(&$krate::MANIFEST, |config| {
                Ok(Arc::new($krate::connect(config)?) as Arc<dyn Connector>)
            }))+
        };
    }
    with!(
        Registry::new(),
        connector_chatgpt,
        connector_slack,
        connector_zoom,
        connector_claude,
        connector_perplexity,
        connector_notion,
        connector_miro,
        connector_canva,
        connector_gemini,
        connector_copilot,
        connector_github_copilot,
        connector_box
    )
}

/// Reads the assignments file and opens the state.
pub async fn open(args: &EngineArgs) -> Result<Engine, String> {
    let registry = registry();
    let mut assignments = Assignments::load(&args.config, &registry).map_err(|e| e.to_string())?;
    if let Some(state) = &args.state {
        assignments.settings.state = state.clone();
    }
    Engine::open(assignments, registry, Arc::new(EnvSecrets))
        .await
        .map_err(|e| e.to_string())
}

/// The directory source: `--people`, else `[directory]` of the assignments file.
pub fn source(engine: &Engine, args: &SourceArgs) -> Result<Box<dyn DirectorySource>, String> {
    if let Some(people) = &args.people {
        return Ok(Box::new(FileSource::new(people, args.groups.clone())));
    }
    match &engine.assignments().directory {
        Some(DirectoryConfig::Files { people, groups }) => {
            Ok(Box::new(FileSource::new(people, groups.clone())))
        }
        Some(DirectoryConfig::Okta { url, token_env }) => {
            let token = EnvSecrets.get(token_env)?;
            Ok(Box::new(
                OktaSource::new(url, token).map_err(|e| e.to_string())?,
            ))
        }
        None => Err(format!(
            "no directory: give --people, or add [directory] to {}",
            engine.assignments().path.display()
        )),
    }
}

/// Runs `future` on a multi-threaded runtime.
pub fn block_on<T>(future: impl Future<Output = T>) -> Result<T, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    Ok(runtime.block_on(future))
}

/// Prints `message` as an error and returns `code`.
pub fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}
