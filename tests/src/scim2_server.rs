//! The third-party `scim2-server` peer, run as a child process for one test.

use std::collections::hash_map::RandomState;
use std::fs::{self, File};
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant, SystemTime};

use connector_sdk::{Credentials, InstanceConfig, RateLimitSetting, Secret};
use serde_json::Value;
use tempfile::TempDir;

use crate::error::FixtureError;
use crate::schemas;
use crate::state::StateChecker;

/// How long [`Scim2Server::start`] waits for the server to answer, unless the
/// `SCIM2_SERVER_START_TIMEOUT` environment variable gives another number of seconds
/// (for slow machines).
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(20);

/// The environment variable that overrides [`DEFAULT_START_TIMEOUT`], in seconds.
const TIMEOUT_ENV: &str = "SCIM2_SERVER_START_TIMEOUT";

/// The environment variable that names the `scim2-server` program (`cargo xtask test` sets it).
const BIN_ENV: &str = "SCIM2_SERVER_BIN";

/// How many ports to try when another process takes the chosen one first.
const PORT_ATTEMPTS: u32 = 5;

/// The most server output an error message quotes (the end of it).
const OUTPUT_LIMIT: usize = 8 * 1024;

/// A running `scim2-server` on `127.0.0.1`, with its own port, bearer token and in-memory
/// data. Dropping it kills the process and waits for it.
pub struct Scim2Server {
    child: Child,
    port: u16,
    base_url: String,
    token: Secret,
    dir: TempDir,
    log_stem: String,
}

impl Scim2Server {
    /// Starts a server with a connector's extension schemas, given as the JSON array the
    /// connector crate exports (`SCIM_EXTENSION_SCHEMAS`). Panics with the reason: for tests.
    pub fn with_extensions(schemas_json: &str) -> Self {
        let schemas: Vec<Value> = serde_json::from_str(schemas_json)
            .unwrap_or_else(|e| panic!("the extension schemas are not a JSON array: {e}"));
        Self::start(&schemas).unwrap_or_else(|e| panic!("{e}"))
    }

    /// Starts a server that serves the peer's default schemas plus `extension_schemas`
    /// (full SCIM schema documents, each with an `id` URN), each declared as an optional
    /// extension of the `User` resource type. Waits up to [`DEFAULT_START_TIMEOUT`] (or
    /// `$SCIM2_SERVER_START_TIMEOUT` seconds) for it to answer.
    ///
    /// The program is `$SCIM2_SERVER_BIN`, else `<workspace>/.venv-peers/bin/scim2-server`;
    /// when it is missing the error says to run `cargo xtask peers`.
    ///
    /// # Errors
    ///
    /// [`FixtureError::PeerMissing`] when the program is not installed,
    /// [`FixtureError::InvalidSchema`] for an extension without an `id`, and
    /// [`FixtureError::Start`] (with the server's output) when it exits or does not answer.
    pub fn start(extension_schemas: &[Value]) -> Result<Self, FixtureError> {
        Self::start_with(&Self::binary()?, extension_schemas)
    }

    /// Like [`start`](Self::start), with an explicit `scim2-server` program.
    ///
    /// # Errors
    ///
    /// As [`start`](Self::start).
    pub fn start_with(binary: &Path, extension_schemas: &[Value]) -> Result<Self, FixtureError> {
        if !binary.is_file() {
            return Err(FixtureError::PeerMissing {
                path: binary.to_path_buf(),
                from_env: false,
            });
        }
        let dir = tempfile::Builder::new()
            .prefix("scim2-server-")
            .tempdir()
            .map_err(|e| {
                FixtureError::Setup(format!("cannot create a temporary directory: {e}"))
            })?;
        let files = schemas::write(binary, extension_schemas, dir.path())?;
        let token = random_token();
        let timeout = start_timeout();
        let deadline = Instant::now() + timeout;

        for attempt in 1..=PORT_ATTEMPTS {
            let port = free_port()?;
            let log_stem = format!("attempt-{attempt}");
            let mut child = Command::new(binary)
                .arg("--hostname")
                .arg("127.0.0.1")
                .arg("--port")
                .arg(port.to_string())
                .arg("--bearer-token")
                .arg(&token)
                .arg("--schema")
                .arg(&files.schemas)
                .arg("--resource-type")
                .arg(&files.resource_types)
                .env("PYTHONUNBUFFERED", "1")
                .stdin(Stdio::null())
                .stdout(log_file(dir.path(), &log_stem, "stdout")?)
                .stderr(log_file(dir.path(), &log_stem, "stderr")?)
                .spawn()
                .map_err(|e| {
                    FixtureError::Setup(format!("cannot run {}: {e}", binary.display()))
                })?;

            let outcome = wait_ready(&mut child, port, &token, deadline);
            let output = read_output(dir.path(), &log_stem);
            match outcome {
                Ready::Yes => {
                    return Ok(Self {
                        child,
                        port,
                        base_url: format!("http://127.0.0.1:{port}/v2"),
                        token: Secret::new(token),
                        dir,
                        log_stem,
                    });
                }
                // Another process took the port between our check and the bind: retry.
                Ready::Exited(_)
                    if output.contains("Address already in use") && attempt < PORT_ATTEMPTS => {}
                Ready::Exited(status) => {
                    return Err(FixtureError::Start {
                        message: format!("it exited ({status}) before answering on port {port}"),
                        output,
                    });
                }
                Ready::TimedOut => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(FixtureError::Start {
                        message: format!(
                            "no answer on http://127.0.0.1:{port}/v2 within {}s \
                             (set {TIMEOUT_ENV} to wait longer)",
                            timeout.as_secs()
                        ),
                        output: read_output(dir.path(), &log_stem),
                    });
                }
            }
        }
        unreachable!("the last attempt always returns")
    }

    /// The `scim2-server` program to run: `$SCIM2_SERVER_BIN`, else the workspace's
    /// `.venv-peers/bin/scim2-server`.
    ///
    /// # Errors
    ///
    /// [`FixtureError::PeerMissing`] when that file does not exist.
    pub fn binary() -> Result<PathBuf, FixtureError> {
        let (path, from_env) = match std::env::var_os(BIN_ENV) {
            Some(path) if !path.is_empty() => (PathBuf::from(path), true),
            _ => (
                Path::new(env!("CARGO_MANIFEST_DIR"))
                    .parent()
                    .expect("the tests crate lives in the workspace")
                    .join(".venv-peers/bin/scim2-server"),
                false,
            ),
        };
        if path.is_file() {
            Ok(path)
        } else {
            Err(FixtureError::PeerMissing { path, from_env })
        }
    }

    /// The SCIM base URL, `http://127.0.0.1:PORT/v2` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The bearer token the server accepts (random per server).
    pub fn token(&self) -> Secret {
        self.token.clone()
    }

    /// A connector configuration pointed at this server with its token.
    pub fn config(&self) -> InstanceConfig {
        InstanceConfig::for_base_url(self.base_url.clone(), self.token())
    }

    /// The configuration an admin gives a connector whose SCIM URL is issued whole per
    /// directory connection (WorkOS): the token and the `scim_url` tenant variable, no base
    /// URL override.
    pub fn scim_url_config(&self) -> InstanceConfig {
        InstanceConfig {
            credentials: Some(Credentials::Bearer(self.token())),
            ..InstanceConfig::default()
        }
        .with_variable("scim_url", self.base_url())
    }

    /// [`Self::config`] without the spec's pacing, for tests that make many calls to this
    /// local server (each connector checks its declared rate limit separately).
    pub fn unpaced_config(&self) -> InstanceConfig {
        InstanceConfig {
            rate_limit: RateLimitSetting::Off,
            ..self.config()
        }
    }

    /// An independent reader and seeder of this server's data (plain HTTP, no connector).
    pub fn state(&self) -> StateChecker {
        StateChecker::new(self.base_url.clone(), self.token())
    }

    /// What the server printed so far: its request log on standard error, then standard
    /// output. Handy in assertion messages.
    pub fn output(&self) -> String {
        read_output(self.dir.path(), &self.log_stem)
    }

    /// [`output`](Self::output) once `ready` holds for it, or after five seconds: the
    /// server writes its request log from another process, so a request that has been
    /// answered may not be in the log yet.
    pub async fn output_when(&self, ready: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let output = self.output();
            if ready(&output) || std::time::Instant::now() >= deadline {
                return output;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}

impl Drop for Scim2Server {
    fn drop(&mut self) {
        // Kill, then reap, so no process (or zombie) outlives the fixture.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl std::fmt::Debug for Scim2Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scim2Server")
            .field("base_url", &self.base_url)
            .field("pid", &self.child.id())
            .finish_non_exhaustive()
    }
}

/// The start timeout: `$SCIM2_SERVER_START_TIMEOUT` seconds, else [`DEFAULT_START_TIMEOUT`].
fn start_timeout() -> Duration {
    std::env::var(TIMEOUT_ENV)
        .ok()
        .and_then(|secs| secs.trim().parse().ok())
        .map_or(DEFAULT_START_TIMEOUT, Duration::from_secs)
}

/// How waiting for the server ended.
enum Ready {
    /// It answered our authenticated request with 200.
    Yes,
    /// The process ended first.
    Exited(ExitStatus),
    /// The deadline passed.
    TimedOut,
}

/// Polls the server until it answers `GET /v2/Users` with our token, it exits, or the
/// deadline passes. Checking the token also tells our server from another one that took
/// the port.
fn wait_ready(child: &mut Child, port: u16, token: &str, deadline: Instant) -> Ready {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Ready::Exited(status),
            Ok(None) => {}
            Err(_) => return Ready::TimedOut,
        }
        if probe(port, token) == Some(200) {
            return Ready::Yes;
        }
        if Instant::now() >= deadline {
            return Ready::TimedOut;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Sends one authenticated HTTP/1.1 request and returns the status code, if any answer came.
fn probe(port: u16, token: &str) -> Option<u16> {
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_millis(500)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    stream
        .set_write_timeout(Some(Duration::from_secs(2)))
        .ok()?;
    write!(
        stream,
        "GET /v2/Users?count=0 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Authorization: Bearer {token}\r\nAccept: application/scim+json\r\n\
         Connection: close\r\n\r\n"
    )
    .ok()?;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let line = String::from_utf8_lossy(&head);
    line.split_whitespace().nth(1)?.parse().ok()
}

/// A port that was free a moment ago on 127.0.0.1.
fn free_port() -> Result<u16, FixtureError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|listener| listener.local_addr())
        .map(|address| address.port())
        .map_err(|e| FixtureError::Setup(format!("cannot find a free port: {e}")))
}

/// A random 128-bit token in hex. `RandomState` is seeded from the OS's randomness.
fn random_token() -> String {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let half = |round: u8| {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(nanos);
        hasher.write_u32(std::process::id());
        hasher.write_u8(round);
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(0), half(1))
}

/// Creates a log file for the server's `stream` (`stdout` or `stderr`).
fn log_file(dir: &Path, stem: &str, stream: &str) -> Result<File, FixtureError> {
    let path = dir.join(format!("{stem}.{stream}.log"));
    File::create(&path)
        .map_err(|e| FixtureError::Setup(format!("cannot create {}: {e}", path.display())))
}

/// The server's standard error then standard output, cut to the last [`OUTPUT_LIMIT`] bytes.
fn read_output(dir: &Path, stem: &str) -> String {
    let read = |stream: &str| {
        fs::read(dir.join(format!("{stem}.{stream}.log")))
            .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
            .unwrap_or_default()
    };
    let all = format!("{}{}", read("stderr"), read("stdout"));
    if all.len() <= OUTPUT_LIMIT {
        return all;
    }
    let mut cut = all.len() - OUTPUT_LIMIT;
    while !all.is_char_boundary(cut) {
        cut += 1;
    }
    format!("[...]{}", &all[cut..])
}
