//! The results table of one connector and its kill rate.

use std::fmt::Write as _;

use super::facts::Mutation;
use super::run::Verdict;

/// One mutation and what happened to it.
pub(crate) struct Outcome {
    /// The mutation.
    pub mutation: Mutation,
    /// The verdict.
    pub verdict: Verdict,
}

/// The verdict as a table cell.
fn result_cell(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Checker(message) => format!("killed by the checker: {message}"),
        Verdict::Build(message) => format!("killed by the build: {message}"),
        Verdict::Test(test) => format!("killed by {test}"),
        Verdict::Survived => "SURVIVED".to_owned(),
        Verdict::Equivalent(why) => format!("equivalent, not run: {why}"),
    }
}

/// `killed/total (percent)`, the equivalent mutations left out of the total; 100% for
/// no mutations (nothing to catch).
pub(crate) fn kill_rate(outcomes: &[Outcome]) -> String {
    let killed = outcomes.iter().filter(|o| o.verdict.killed()).count();
    let equivalent = outcomes
        .iter()
        .filter(|o| matches!(o.verdict, Verdict::Equivalent(_)))
        .count();
    let total = outcomes.len() - equivalent;
    let percent = (killed * 100).checked_div(total).unwrap_or(100);
    let mut rate = format!("{killed}/{total} killed ({percent}%)");
    if equivalent > 0 {
        let _ = write!(rate, ", {equivalent} equivalent");
    }
    rate
}

/// A Markdown table of the outcomes, then the kill rate.
pub(crate) fn table(app: &str, outcomes: &[Outcome]) -> String {
    let mut out = format!("## {app}\n\n| fact | mutation | result |\n|---|---|---|\n");
    for outcome in outcomes {
        let _ = writeln!(
            out,
            "| `{}` | `{}` | {} |",
            outcome.mutation.fact,
            outcome.mutation.change.replace('|', "\\|"),
            result_cell(&outcome.verdict).replace('|', "\\|")
        );
    }
    let _ = writeln!(out, "\n{app}: {}", kill_rate(outcomes));
    out
}

#[cfg(test)]
mod tests {
    use super::{Outcome, kill_rate, table};
    use crate::mutate::facts::mutations;
    use crate::mutate::run::Verdict;

    #[test]
    fn the_table_names_each_verdict_and_counts_survivors_as_not_killed() {
        let spec = include_str!("../../../connectors/canva/connector.toml");
        let mut all = mutations(spec).unwrap().into_iter();
        let outcomes = vec![
            Outcome {
                mutation: all.next().unwrap(),
                verdict: Verdict::Test("connector-sandbox/vendors::canva_pages".into()),
            },
            Outcome {
                mutation: all.next().unwrap(),
                verdict: Verdict::Survived,
            },
            Outcome {
                mutation: all.next().unwrap(),
                verdict: Verdict::Checker("bad".into()),
            },
            Outcome {
                mutation: all.next().unwrap(),
                verdict: Verdict::Equivalent("both are documented"),
            },
        ];
        assert_eq!(kill_rate(&outcomes), "2/3 killed (66%), 1 equivalent");
        let text = table("canva", &outcomes);
        assert!(
            text.contains("killed by connector-sandbox/vendors::canva_pages"),
            "{text}"
        );
        assert!(text.contains("| SURVIVED |"), "{text}");
        assert!(text.contains("killed by the checker: bad"), "{text}");
        assert!(
            text.contains("equivalent, not run: both are documented"),
            "{text}"
        );
        assert!(
            text.ends_with("canva: 2/3 killed (66%), 1 equivalent\n"),
            "{text}"
        );
    }
}
