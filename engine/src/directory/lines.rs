//! [`LineIndex`]: byte offsets to 1-based lines and columns, in logarithmic time.
//!
//! The file loaders locate every record (a million of them in a large directory); counting
//! newlines from the start of the file for each one made loading quadratic. The index
//! finds every newline once, then each lookup is a binary search.

#[cfg(test)]
thread_local! {
    /// Bytes scanned for newlines on this thread, for tests that loading scans each byte
    /// of a file once, not once per record.
    pub(crate) static SCANNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The offsets of every newline of a text.
pub(crate) struct LineIndex {
    /// Byte offset of each `\n`, ascending.
    newlines: Vec<usize>,
}

impl LineIndex {
    /// Indexes the newlines of `text` (one pass).
    pub(super) fn new(text: &str) -> Self {
        #[cfg(test)]
        SCANNED.with(|scanned| scanned.set(scanned.get() + text.len()));
        let newlines = text
            .bytes()
            .enumerate()
            .filter_map(|(offset, byte)| (byte == b'\n').then_some(offset))
            .collect();
        Self { newlines }
    }

    /// The 1-based line of byte `offset` (an offset past the end is on the last line).
    pub(super) fn line(&self, offset: usize) -> usize {
        self.newlines.partition_point(|&newline| newline < offset) + 1
    }

    /// The 1-based line and byte column of byte `offset`.
    pub(super) fn position(&self, offset: usize) -> (usize, usize) {
        let line = self.line(offset);
        let start = if line == 1 {
            0
        } else {
            self.newlines[line - 2] + 1
        };
        (line, offset.saturating_sub(start) + 1)
    }
}

/// Records read from a file with the line each starts on, in two parallel lists (so that
/// the records move into the directory without a copy).
#[derive(Debug)]
pub(crate) struct Records<T> {
    /// The records, in file order.
    pub items: Vec<T>,
    /// The line each starts on.
    pub lines: Vec<usize>,
}

impl<T> Records<T> {
    /// Room for `capacity` records.
    pub(super) fn with_capacity(capacity: usize) -> Self {
        Self {
            items: Vec::with_capacity(capacity),
            lines: Vec::with_capacity(capacity),
        }
    }

    /// Adds `item`, starting on `line`.
    pub(super) fn push(&mut self, item: T, line: usize) {
        self.items.push(item);
        self.lines.push(line);
    }
}

impl LineIndex {
    /// The number of lines (a last line without a newline counts).
    pub(super) fn count(&self) -> usize {
        self.newlines.len() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line and column by counting from the start, as the loaders used to.
    fn counted(text: &str, offset: usize) -> (usize, usize) {
        let before = &text.as_bytes()[..offset.min(text.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let start = before
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        (line, before.len() - start + 1)
    }

    #[test]
    fn lookups_agree_with_counting_at_every_offset() {
        for text in ["", "a", "\n", "ab\ncd\n\n\nefg\r\nh", "\n\nx\n"] {
            let index = LineIndex::new(text);
            for offset in 0..=text.len() {
                assert_eq!(
                    index.position(offset),
                    counted(text, offset),
                    "{text:?} at {offset}"
                );
            }
        }
    }
}
