//! The table for people: order, filtering, the summary first, widths of 80 and 120
//! columns passed explicitly, plain text without a terminal, and the details view.

use super::*;
use crate::output::finding::Fix;
use crate::output::finding::tests::finding;

const LONG_NAME: &str = "prod/payments/service-388/database-credentials";

/// A finding with a key and a long name, as the estate had.
fn keyed(verdict: Verdict, row: Option<Row>, name: &str, key: &str) -> Finding {
    let mut f = finding(verdict, "111122223333", "us-east-1", name);
    f.row = row;
    f.cause = Finding::cause_of(row);
    f.key = Some(key.to_owned());
    f.reason = format!("the full annotation for {name}, which is long and stays out of the table");
    f
}

fn estate() -> Vec<Finding> {
    vec![
        keyed(
            Verdict::Compliant,
            Some(Row::Compliant),
            "app/ok",
            "alias/app",
        ),
        keyed(
            Verdict::NonCompliant,
            Some(Row::DefaultKey),
            LONG_NAME,
            "(default) aws/secretsmanager",
        ),
        keyed(
            Verdict::NonCompliant,
            Some(Row::KeyNotEnabled),
            "billing/api-key",
            "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        ),
        keyed(Verdict::Unverified, None, "hidden", "alias/locked"),
        keyed(
            Verdict::NotApplicable,
            Some(Row::Exempt),
            "legacy",
            "(default) aws/secretsmanager",
        ),
        keyed(
            Verdict::NonCompliant,
            Some(Row::DefaultKey),
            "analytics/db",
            "(default) aws/secretsmanager",
        ),
    ]
}

const HEADLINE: &str =
    "6 secrets in 1 Region: 1 COMPLIANT, 3 NON_COMPLIANT, 1 NOT_APPLICABLE, 1 unverified";

fn view(show: Show, width: Option<u16>) -> TableView {
    TableView {
        show,
        width,
        colour: false,
    }
}

/// The lines of the table part (from its header on).
fn table_lines(text: &str) -> Vec<&str> {
    text.lines()
        .skip_while(|l| !l.starts_with("| COMPLIANCE"))
        .filter(|l| l.starts_with('|'))
        .collect()
}

#[test]
fn the_summary_comes_first_then_the_findings_worst_first() {
    // GIVEN an estate with every verdict, as piped (no width)
    let text = render_findings(HEADLINE, &estate(), &view(Show::Findings, None));
    // THEN it is exactly: the counts, the causes most first, the findings only, and a
    // note of what is not listed; full names, no annotation
    let expected = format!(
        "\
{HEADLINE}
Findings by cause:
  default key: 2
  key not Enabled: 1
  not verified: 1

| COMPLIANCE    | REGION    | NAME                                           | CAUSE                                                                                        |
|---------------|-----------|------------------------------------------------|----------------------------------------------------------------------------------------------|
| NON_COMPLIANT | us-east-1 | analytics/db                                   | default key                                                                                  |
| NON_COMPLIANT | us-east-1 | billing/api-key                                | key not Enabled: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab |
| NON_COMPLIANT | us-east-1 | {LONG_NAME} | default key                                                                                  |
| (unverified)  | us-east-1 | hidden                                         | not verified: alias/locked                                                                   |
2 COMPLIANT or NOT_APPLICABLE not listed (--show all lists them).
"
    );
    assert_eq!(text, expected);
}

#[test]
fn show_all_lists_compliant_and_not_applicable_after_the_findings() {
    let text = render_findings(HEADLINE, &estate(), &view(Show::All, None));
    let verdicts: Vec<&str> = table_lines(&text)[2..]
        .iter()
        .map(|l| l.split('|').nth(1).unwrap().trim())
        .collect();
    assert_eq!(
        verdicts,
        [
            "NON_COMPLIANT",
            "NON_COMPLIANT",
            "NON_COMPLIANT",
            "(unverified)",
            "NOT_APPLICABLE",
            "COMPLIANT"
        ]
    );
    assert!(!text.contains("not listed"), "{text}");
    assert!(
        !text.contains("full annotation"),
        "one line per secret, no annotation"
    );
}

#[test]
fn every_line_fits_80_and_120_columns_and_names_keep_both_ends() {
    for width in [80_u16, 120] {
        // GIVEN a terminal of `width` columns
        let text = render_findings(HEADLINE, &estate(), &view(Show::All, Some(width)));
        // THEN no line is wider, and the table's lines are aligned to one width
        for line in text.lines() {
            assert!(
                line.chars().count() <= usize::from(width),
                "{width}: {line:?}\n{text}"
            );
        }
        let table = table_lines(&text);
        let first = table[0].chars().count();
        assert!(table.iter().all(|l| l.chars().count() == first), "{text}");
        // AND the long name is shortened in the middle, its start and end whole
        let name_line = table.iter().find(|l| l.contains("prod/pay")).unwrap();
        if width == 80 {
            assert!(name_line.contains('…'), "{name_line}");
            assert!(
                name_line.contains("| prod/pay") && name_line.contains("dentials |"),
                "{name_line}"
            );
        } else {
            assert!(
                name_line.contains(LONG_NAME),
                "120 columns fit it: {name_line}"
            );
        }
        // AND the cause keeps its label whole: with the key's two ends where there is
        // room, without the key where there is not
        let key_line = table
            .iter()
            .find(|l| l.contains("billing/api-key"))
            .unwrap();
        if width == 80 {
            assert!(
                key_line.contains("| key not Enabled ") && !key_line.contains("arn:"),
                "{key_line}"
            );
        } else {
            assert!(
                key_line.contains("| key not Enabled: arn:aws:k") && key_line.contains("…"),
                "{key_line}"
            );
            assert!(key_line.ends_with("890ab |"), "{key_line}");
        }
    }
}

#[test]
fn a_pipe_gets_plain_text_and_a_terminal_colour() {
    let plain = render_findings(HEADLINE, &estate(), &view(Show::All, None));
    assert!(
        !plain.contains('\x1b'),
        "no escape codes without a terminal"
    );
    assert!(!plain.contains('…'), "nothing is cut without a terminal");
    let coloured = render_findings(
        HEADLINE,
        &estate(),
        &TableView {
            show: Show::All,
            width: Some(120),
            colour: true,
        },
    );
    assert!(
        coloured.contains("\x1b[1;31mNON_COMPLIANT \x1b[0m"),
        "{coloured}"
    );
    assert!(
        coloured.contains("\x1b[32mCOMPLIANT     \x1b[0m"),
        "{coloured}"
    );
}

#[test]
fn several_accounts_get_an_account_column_and_the_worst_account_first() {
    // GIVEN findings in two accounts, the second with more
    let mut findings = estate();
    for name in ["v", "w", "x", "y", "z"] {
        findings.push(finding(
            Verdict::NonCompliant,
            "999988887777",
            "eu-west-1",
            name,
        ));
    }
    let text = render_findings(HEADLINE, &findings, &view(Show::Findings, Some(80)));
    // THEN the accounts are summarised most findings first, and the table has an
    // ACCOUNT column, still within 80 columns
    let summary: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("Accounts"))
        .skip(1)
        .take(2)
        .collect();
    assert_eq!(
        summary,
        ["  999988887777: 5 of 5", "  111122223333: 4 of 6"]
    );
    assert!(
        table_lines(&text)[0].starts_with("| COMPLIANCE    | ACCOUNT      | REGION    | NAME"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 80), "{text}");
}

#[test]
fn details_give_each_secret_its_full_reason_and_fix_wrapped_between_words() {
    // GIVEN a finding with a fix
    let mut findings = estate();
    findings[1].fix = Some(Fix {
        advice: "Re-key the secret to a customer managed key.".into(),
        command: Some(
            "secrets-cmk --region us-east-1 remediate --secret arn:x --kms-key-id KEY".into(),
        ),
        runbook: Some("SecretsCmk-RekeySecret (SecretId=arn:x, KmsKeyId=KEY)".into()),
    });
    // WHEN shown with details in 80 columns
    let text = render_findings(HEADLINE, &findings, &view(Show::Details, Some(80)));
    // THEN every secret has a block with the whole name, cause with its row, reason and fix
    assert!(
        text.contains(&format!(
            "NON_COMPLIANT  111122223333  us-east-1  {LONG_NAME}\n"
        )),
        "{text}"
    );
    assert!(text.contains("    cause   default key (row 4)\n"), "{text}");
    assert!(
        text.contains("    reason  the full annotation for\n            prod/payments"),
        "{text}"
    );
    assert!(
        text.contains("            $ secrets-cmk --region us-east-1 remediate"),
        "{text}"
    );
    assert!(
        text.contains("            or the SSM runbook SecretsCmk-RekeySecret"),
        "{text}"
    );
    assert!(
        text.contains("COMPLIANT  111122223333  us-east-1  app/ok"),
        "details lists all"
    );
    for line in text
        .lines()
        .filter(|l| l.starts_with("    reason") || l.starts_with("            the"))
    {
        assert!(line.chars().count() <= 80, "{line}");
    }
}

#[test]
fn no_findings_says_so_and_nothing_judged_is_just_the_headline() {
    let clean = vec![keyed(
        Verdict::Compliant,
        Some(Row::Compliant),
        "a",
        "alias/a",
    )];
    let text = render_findings("1 secret", &clean, &view(Show::Findings, None));
    assert_eq!(
        text,
        "1 secret\nNo findings: nothing is NON_COMPLIANT or unverified.\n\
         1 COMPLIANT or NOT_APPLICABLE not listed (--show all lists them).\n"
    );
    assert_eq!(
        render_findings("0 secrets", &[], &view(Show::All, Some(80))),
        "0 secrets\n"
    );
}
