//! Text of a large table in one buffer: a row keeps 8-byte spans instead of `String`s,
//! so a million rows cost one allocation rather than millions.

/// Where a string is in an [`Arena`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Span {
    /// Byte offset.
    start: u32,
    /// Byte length.
    len: u32,
}

/// Appended strings.
#[derive(Debug, Default)]
pub(crate) struct Arena {
    /// Every string, back to back.
    text: String,
}

impl Arena {
    /// An arena with room for `bytes` bytes.
    pub(super) fn with_capacity(bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
        }
    }

    /// Appends `text`; `None` once the arena would pass 4 GiB.
    pub(super) fn push(&mut self, text: &str) -> Option<Span> {
        let start = u32::try_from(self.text.len()).ok()?;
        let len = u32::try_from(text.len()).ok()?;
        start.checked_add(len)?;
        self.text.push_str(text);
        Some(Span { start, len })
    }

    /// The string at `span` (empty for a span of another arena).
    pub(super) fn get(&self, span: Span) -> &str {
        let start = span.start as usize;
        self.text
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    /// Bytes used.
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.text.len()
    }

    /// Gives back unused capacity.
    pub(super) fn shrink_to_fit(&mut self) {
        self.text.shrink_to_fit();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_back_what_was_pushed() {
        let mut arena = Arena::with_capacity(4);
        let a = arena.push("héllo").unwrap();
        let b = arena.push("").unwrap();
        let c = arena.push("world").unwrap();
        assert_eq!(
            (arena.get(a), arena.get(b), arena.get(c)),
            ("héllo", "", "world")
        );
        assert_eq!(arena.len(), 11);
    }
}
