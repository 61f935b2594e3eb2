//! The whole CLI path from directory files: `connector plan` of `CLI_BENCH_PEOPLE` people
//! (default 1,000,000) read from a CSV file and from a JSON file, in a fresh process each,
//! with its wall time and peak resident set.
//!
//! `cargo bench -p connector-toolkit --bench plan_files`
//!
//! The files are generated once (deterministic: person `i` is the same in every run) in
//! `CLI_BENCH_DIR` (default: a temporary folder, removed afterwards). Each person has the
//! profile fields the CSV example of `docs/directory-format.md` has and is in `staff` and
//! a department group. The assignments file gives everyone in `staff` a ChatGPT account
//! against an empty ChatGPT tenant of the sandbox, run in this process on 127.0.0.1: a
//! first run, so the plan is a million creates, printed as `connector plan` prints them
//! (to /dev/null).
//!
//! For each format it prints:
//!
//! - **load**: `FileSource::load_now` in this process (the directory loader alone);
//! - **load (CLI)**: `connector plan --instance none`, which loads and checks the
//!   directory and plans no instance (process start, assignments, state, loading);
//! - **plan (CLI)**: `connector plan`, the whole path (loading, importing the app's
//!   accounts, planning, printing).
//!
//! Both CLI runs go through `/usr/bin/time -v` for the peak resident set.
//! `CLI_BENCH_PEOPLE` may list several sizes (`10000,100000`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use connector_engine::FileSource;
use connector_sandbox::{RateLimitConfig, Sandbox, TenantSpec};

/// The `connector` binary of this build profile.
const CONNECTOR: &str = env!("CARGO_BIN_EXE_connector");

const FIRST: &[&str] = &["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara"];
const LAST: &[&str] = &[
    "Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov",
];
const DEPARTMENTS: &[&str] = &["engineering", "research", "sales", "finance"];

/// Person `i`'s fields: id, login (= email), first and last name, department.
fn person(i: usize) -> (String, String, &'static str, &'static str, &'static str) {
    (
        format!("00u{i:08}"),
        format!("user{i}@example.com"),
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()],
        DEPARTMENTS[i % DEPARTMENTS.len()],
    )
}

/// Writes `n` people as a people CSV.
fn write_csv(path: &Path, n: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(
        out,
        "id,login,email,first_name,last_name,title,department,status,groups,custom.start_date"
    )?;
    for i in 0..n {
        let (id, login, first, last, department) = person(i);
        writeln!(
            out,
            "{id},{login},{login},{first},{last},Engineer,{department},active,staff;{department},2026-01-05"
        )?;
    }
    out.flush()
}

/// Writes `n` people as a JSON directory document, one person a line.
fn write_json(path: &Path, n: usize) -> std::io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    writeln!(out, "{{\"people\": [")?;
    for i in 0..n {
        let (id, login, first, last, department) = person(i);
        let comma = if i + 1 < n { "," } else { "" };
        writeln!(
            out,
            "  {{\"id\": \"{id}\", \"login\": \"{login}\", \"email\": \"{login}\", \
             \"first_name\": \"{first}\", \"last_name\": \"{last}\", \"title\": \"Engineer\", \
             \"department\": \"{department}\", \"status\": \"active\", \
             \"groups\": [\"staff\", \"{department}\"], \
             \"custom\": {{\"start_date\": \"2026-01-05\"}}}}{comma}"
        )?;
    }
    writeln!(out, "]}}")?;
    out.flush()
}

/// What one run of the CLI took.
struct Run {
    /// Wall time, seconds.
    seconds: f64,
    /// Peak resident set, MiB.
    peak_mib: f64,
    /// The exit code.
    code: Option<i32>,
}

/// Runs `connector` with `args` under `/usr/bin/time -v`, stdout to /dev/null.
fn run(args: &[&str], token: &str) -> Run {
    let started = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(CONNECTOR)
        .args(args)
        .env("BENCH_CHATGPT_TOKEN", token)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("/usr/bin/time runs (install the `time` package)");
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let peak_kib: f64 = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no peak RSS in /usr/bin/time's output:\n{stderr}"));
    let code = output.status.code();
    if !matches!(code, Some(0 | 2)) {
        panic!("connector {args:?} failed ({code:?}):\n{stderr}");
    }
    Run {
        seconds,
        peak_mib: peak_kib / 1024.0,
        code,
    }
}

/// The sizes to run.
fn sizes() -> Vec<usize> {
    std::env::var("CLI_BENCH_PEOPLE")
        .unwrap_or_else(|_| "1000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("CLI_BENCH_PEOPLE is a list of numbers")
        })
        .collect()
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = runtime.block_on(async {
        Sandbox::builder()
            .tenant(
                TenantSpec::for_manifest(&connector_chatgpt::MANIFEST)
                    .named("bench")
                    .rate_limit(RateLimitConfig::off()),
            )
            .start("127.0.0.1:0")
            .await
            .expect("the sandbox starts")
    });
    let tenant = sandbox.tenant("bench").unwrap();
    let token = tenant.token();
    let temporary = tempfile::tempdir().unwrap();
    let dir = std::env::var_os("CLI_BENCH_DIR")
        .map_or_else(|| temporary.path().to_path_buf(), PathBuf::from);
    std::fs::create_dir_all(&dir).unwrap();
    let assignments = dir.join("assignments.toml");
    std::fs::write(
        &assignments,
        format!(
            "[settings]\nstate = \"bench-state.db\"\n\n[instances.chatgpt]\nconnector = \"chatgpt\"\n\
             base_url = \"{}\"\ntoken_env = \"BENCH_CHATGPT_TOKEN\"\nclient_rate_limit = false\n\n\
             [[provision]]\ninstance = \"chatgpt\"\ngroups = [\"staff\"]\n",
            tenant.scim_url()
        ),
    )
    .unwrap();
    let config = assignments.to_str().unwrap();
    for n in sizes() {
        for (format, write) in [
            ("csv", write_csv as fn(&Path, usize) -> std::io::Result<()>),
            ("json", write_json),
        ] {
            let people = dir.join(format!("people-{n}.{format}"));
            if !people.exists() {
                let started = Instant::now();
                write(&people, n).unwrap();
                println!(
                    "generated {} in {:.1} s",
                    people.display(),
                    started.elapsed().as_secs_f64()
                );
            }
            let size = std::fs::metadata(&people).unwrap().len() as f64 / (1 << 20) as f64;
            println!("{n} people, {format} ({size:.0} MiB):");

            let started = Instant::now();
            let directory = FileSource::new(&people, None).load_now().unwrap();
            let load = started.elapsed().as_secs_f64();
            assert_eq!(directory.people.len(), n);
            drop(directory);
            println!("  load (in process):   {load:6.2} s");

            let path = people.to_str().unwrap();
            let only = run(
                &["plan", "-c", config, "--people", path, "--instance", "none"],
                token.expose(),
            );
            println!(
                "  load (CLI, no app):  {:6.2} s, peak RSS {:5.0} MiB",
                only.seconds, only.peak_mib
            );
            let whole = run(&["plan", "-c", config, "--people", path], token.expose());
            assert_eq!(whole.code, Some(2), "a first plan has changes");
            println!(
                "  plan (CLI, whole):   {:6.2} s, peak RSS {:5.0} MiB ({n} creates)",
                whole.seconds, whole.peak_mib
            );
        }
    }
    drop(sandbox);
}
