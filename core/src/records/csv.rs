//! CSV cells for the login-record exports (RFC 4180, every field quoted), safe to open in a
//! spreadsheet.

/// True when a spreadsheet could read `v` as a formula: it starts with `=`, `+`, `-` or `@`,
/// possibly after whitespace, or with a tab, carriage return or line feed (OWASP's CSV
/// injection list, and the leading blanks some spreadsheets skip).
pub(crate) fn starts_formula(v: &str) -> bool {
    v.starts_with(['\t', '\r', '\n']) || v.trim_start().starts_with(['=', '+', '-', '@'])
}

/// One CSV cell. Text that could start a formula is defused with a leading `'`; a number
/// (coordinates, ids, sequence numbers) is written as it is, so `-97.742600` stays a number.
pub(crate) enum Cell {
    Text(String),
    Number(String),
}

impl Cell {
    /// Always quoted, quotes doubled.
    pub(crate) fn write(&self, out: &mut String) {
        let v = match self {
            Cell::Text(t) if starts_formula(t) => format!("'{t}"),
            Cell::Text(t) | Cell::Number(t) => t.clone(),
        };
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    }
}

/// One CSV line of `cells`, ended by CRLF.
pub(crate) fn line(cells: &[Cell], out: &mut String) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        cell.write(out);
    }
    out.push_str("\r\n");
}
