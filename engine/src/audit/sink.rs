//! Where audit lines go besides the state: a file (appended), standard output, an HTTP
//! collector through a spool ([`HttpDelivery`]), or several of these.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::deliver::{Flushed, HttpDelivery};

/// A destination for audit JSON lines.
#[derive(Debug, Default)]
pub enum AuditSink {
    /// Only the state keeps the events.
    #[default]
    None,
    /// Standard output, one line per event.
    Stdout,
    /// A file, appended to.
    File {
        /// The file.
        path: PathBuf,
        /// The open file.
        file: Mutex<File>,
    },
    /// An HTTP collector: lines are spooled as they come and posted at
    /// [`flush`](Self::flush).
    Http(Arc<HttpDelivery>),
    /// Each of these, in order.
    All(Vec<AuditSink>),
}

impl AuditSink {
    /// A sink appending to `path` (created if missing).
    ///
    /// # Errors
    ///
    /// When the file cannot be opened.
    pub fn file(path: &Path) -> std::io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(Self::File {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Writes one event line. Errors are logged, never fatal: the state keeps the event.
    pub fn write(&self, line: &str) {
        match self {
            Self::None => {}
            Self::Stdout => println!("{line}"),
            Self::File { path, file } => {
                let mut file = file
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if let Err(error) = writeln!(file, "{line}") {
                    tracing::warn!(path = %path.display(), %error, "cannot write an audit line");
                }
            }
            Self::Http(delivery) => delivery.write(line),
            Self::All(sinks) => sinks.iter().for_each(|sink| sink.write(line)),
        }
    }

    /// The HTTP deliveries of this sink.
    fn deliveries(&self) -> Vec<&Arc<HttpDelivery>> {
        match self {
            Self::Http(delivery) => vec![delivery],
            Self::All(sinks) => sinks.iter().flat_map(Self::deliveries).collect(),
            _ => Vec::new(),
        }
    }

    /// Posts what the HTTP deliveries spooled (nothing to do for other sinks).
    ///
    /// # Errors
    ///
    /// The first delivery that failed (its events stay in its spool).
    pub async fn flush(&self) -> Result<Flushed, String> {
        let mut total = Flushed::default();
        for delivery in self.deliveries() {
            let flushed = delivery.flush().await?;
            total.delivered += flushed.delivered;
            total.waiting += flushed.waiting;
        }
        Ok(total)
    }
}
