//! Printing what the rule reported, the way a person wants to read it.

use crate::estate::DemoEstate;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};
use rule_core::Row;
use secrets_cmk_harness::{Emulator, RecordedEvaluation, Result};

/// A numbered step header.
pub(crate) fn step(number: u8, title: &str) {
    println!("\n==> {number}. {title}");
}

/// Every evaluation put with `token`, in the order Config received them.
pub(crate) async fn recorded(emulator: &Emulator, token: &str) -> Result<Vec<RecordedEvaluation>> {
    Ok(emulator
        .evaluations()
        .await?
        .into_iter()
        .filter(|call| call.result_token == token)
        .flat_map(|call| call.evaluations)
        .collect())
}

/// The evaluations as a table: secret, decision-table row, verdict, annotation.
pub(crate) fn verdict_table(evaluations: &[RecordedEvaluation], estate: &DemoEstate) -> String {
    let mut rows: Vec<(Option<Row>, String, &RecordedEvaluation)> = evaluations
        .iter()
        .map(|e| {
            let name = estate
                .name_of(&e.resource_id)
                .unwrap_or(&e.resource_id)
                .to_owned();
            (estate.row_of(&name), name, e)
        })
        .collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(120)
        .set_header(["seeded as row", "secret", "verdict", "why (the annotation)"]);
    for (row, name, evaluation) in rows {
        table.add_row([
            row.map_or("-", Row::number).to_owned(),
            name,
            evaluation.compliance_type.clone(),
            evaluation.annotation.clone().unwrap_or_default(),
        ]);
    }
    let counts = |kind: &str| {
        evaluations
            .iter()
            .filter(|e| e.compliance_type == kind)
            .count()
    };
    format!(
        "{table}\n    {} evaluation(s): {} COMPLIANT, {} NON_COMPLIANT, {} NOT_APPLICABLE",
        evaluations.len(),
        counts("COMPLIANT"),
        counts("NON_COMPLIANT"),
        counts("NOT_APPLICABLE")
    )
}
