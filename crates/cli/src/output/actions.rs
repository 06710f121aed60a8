//! What `remediate` and `backout` do (or would do), as a table.

use comfy_table::{ContentArrangement, Table, presets};

/// A table in the one style the CLI uses: Markdown-like ASCII, so it reads the same in a
/// terminal, a CI log and a pasted ticket. `width`: wrap to it (a terminal); `None`:
/// never wrap (a pipe or file, where lines must stay whole).
fn new_table(width: Option<u16>) -> Table {
    let mut table = Table::new();
    table.load_style(presets::ASCII_MARKDOWN).force_no_tty();
    match width {
        Some(width) => {
            table
                .set_width(width)
                .set_content_arrangement(ContentArrangement::Dynamic);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table
}

/// One line of what `remediate` or `backout` does (or would do) to a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionRow {
    /// The secret (name).
    pub secret: String,
    /// The key it is on.
    pub from: String,
    /// The key it goes to.
    pub to: String,
    /// What happens or happened, e.g. `re-key`, `refused: managed by rds`.
    pub outcome: String,
}

/// Actions as a table; an empty string when there are none.
pub fn render_actions(rows: &[ActionRow], width: Option<u16>) -> String {
    if rows.is_empty() {
        return String::new();
    }
    let mut table = new_table(width);
    table.set_header(["SECRET", "FROM KEY", "TO KEY", "ACTION"]);
    for row in rows {
        table.add_row([&row.secret, &row.from, &row.to, &row.outcome]);
    }
    let mut text = table.to_string();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::key_label;

    #[test]
    fn actions_render_as_a_table() {
        let rows = [ActionRow {
            secret: "db".into(),
            from: key_label(None),
            to: "arn:aws:kms:us-east-1:111122223333:key/k".into(),
            outcome: "re-key".into(),
        }];
        let text = render_actions(&rows, None);
        assert_eq!(
            text,
            "\
| SECRET | FROM KEY                     | TO KEY                                   | ACTION |
|--------|------------------------------|------------------------------------------|--------|
| db     | (default) aws/secretsmanager | arn:aws:kms:us-east-1:111122223333:key/k | re-key |
"
        );
        assert_eq!(render_actions(&[], None), "");
    }
}
