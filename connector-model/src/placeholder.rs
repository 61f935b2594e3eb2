//! The one scanner of `{variable}` placeholders in URL, text and request templates
//! (`https://{vanity}.zoom.us/scim2`, `/users/{account.id}`).
//!
//! Placeholders have no escapes and no nesting: `{` opens one, the next `}` closes it.
//! A `}` outside a placeholder is left in the text; checkers that refuse it look for it
//! in [`Piece::Text`].

/// A piece of a template, with the byte offset where it starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Literal text.
    Text {
        /// The text.
        text: &'a str,
        /// Its offset.
        at: usize,
    },
    /// `{name}`.
    Var {
        /// The name between the braces.
        name: &'a str,
        /// The offset of its `{`.
        at: usize,
    },
    /// A `{` that is never closed (always the last piece).
    Unclosed {
        /// The offset of the `{`.
        at: usize,
    },
}

/// The pieces of `template`, in order.
pub fn pieces(template: &str) -> Pieces<'_> {
    Pieces { template, pos: 0 }
}

/// The `{name}` placeholders of `template`, in order (an unclosed `{` ends the list).
pub fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    pieces(template).filter_map(|piece| match piece {
        Piece::Var { name, .. } => Some(name),
        _ => None,
    })
}

/// Iterator over a template's [`Piece`]s.
#[derive(Debug, Clone)]
pub struct Pieces<'a> {
    template: &'a str,
    pos: usize,
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        let rest = self.template.get(self.pos..).filter(|r| !r.is_empty())?;
        let at = self.pos;
        match rest.find('{') {
            Some(0) => match rest.find('}') {
                Some(close) => {
                    self.pos += close + 1;
                    Some(Piece::Var {
                        name: &rest[1..close],
                        at,
                    })
                }
                None => {
                    self.pos = self.template.len();
                    Some(Piece::Unclosed { at })
                }
            },
            Some(open) => {
                self.pos += open;
                Some(Piece::Text {
                    text: &rest[..open],
                    at,
                })
            }
            None => {
                self.pos = self.template.len();
                Some(Piece::Text { text: rest, at })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_variables_and_an_unclosed_brace() {
        let found: Vec<Piece<'_>> = pieces("https://{vanity}.x/{a.b}}c{d").collect();
        assert_eq!(
            found,
            [
                Piece::Text {
                    text: "https://",
                    at: 0
                },
                Piece::Var {
                    name: "vanity",
                    at: 8
                },
                Piece::Text {
                    text: ".x/",
                    at: 16
                },
                Piece::Var {
                    name: "a.b",
                    at: 19
                },
                Piece::Text { text: "}c", at: 24 },
                Piece::Unclosed { at: 26 },
            ]
        );
        assert_eq!(placeholders("{a}-{b}").collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(pieces("").count(), 0);
    }
}
