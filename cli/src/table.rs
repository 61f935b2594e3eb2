//! Plain-text tables with aligned columns.

use connector_sdk::display::escape;

/// Renders `rows` under `header`, columns padded to their widest cell. Cells are
/// [escaped](escape) for the terminal.
pub(crate) fn render(header: &[&str], rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|row| row.iter().map(|cell| escape(cell).into_owned()).collect())
        .collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = line(header.to_vec());
    out.push('\n');
    out.push_str(&line(
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str)
            .collect(),
    ));
    for row in &rows {
        out.push('\n');
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_cells() {
        let out = super::render(&["app"], &[vec!["x\u{1b}[2Ky".into()]]);
        assert_eq!(out, "app\n-----------\nx\\u{1b}[2Ky\n");
    }

    #[test]
    fn aligns_columns() {
        let out = super::render(&["a", "bb"], &[vec!["ccc".into(), "d".into()]]);
        assert_eq!(out, "a    bb\n---  --\nccc  d\n");
    }
}
