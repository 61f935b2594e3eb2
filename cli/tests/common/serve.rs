//! A running `connector serve` for the CLI tests: spawned with its standard error in a
//! file, its address read from the first line it prints, killed when dropped.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// A running `connector serve`, killed when dropped.
pub(crate) struct Serve {
    /// The process (a test may kill it on purpose).
    pub(crate) child: Child,
    /// `http://<address>` it listens on.
    pub(crate) url: String,
    /// The first line it printed (`connector serve: listening on ...`).
    #[allow(dead_code)] // read by some of the test programs that include this module
    pub(crate) banner: String,
}

impl Serve {
    /// Spawns `command` (a `connector serve ...` command) with its standard error going to
    /// `stderr`, and waits for the address on its first line.
    pub(crate) fn spawn(mut command: Command, stderr: File) -> Self {
        command.stdout(Stdio::piped()).stderr(stderr);
        let mut child = command.spawn().unwrap();
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let address = banner
            .split("http://")
            .nth(1)
            .and_then(|rest| rest.split_whitespace().next())
            .map(str::to_owned);
        let Some(address) = address else {
            let _ = child.kill();
            panic!("`connector serve` printed no address: {banner:?}");
        };
        Self {
            child,
            url: format!("http://{address}"),
            banner,
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
