//! The page's structure and, above all, its escaping: markup planted in every field the
//! page shows comes out as text. (The browser test renders the page for real.)

use super::*;
use crate::output::finding::{Fix, Show};
use rule_core::Row as TableRow;

const PLANTED: &str = "<img src=x onerror=alert(1)></script><script>alert(2)</script>";

fn planted_finding() -> Finding {
    Finding {
        verdict: Verdict::NonCompliant,
        row: Some(TableRow::DefaultKey),
        cause: Finding::cause_of(Some(TableRow::DefaultKey)),
        key: Some(format!("alias/{PLANTED}")),
        account: Some(format!("1111{PLANTED}")),
        region: Some("us-east-1".into()),
        name: format!("db{PLANTED}"),
        id: format!("arn:aws:secretsmanager:us-east-1:1:secret:{PLANTED}"),
        reason: format!("Exempt: the secret carries the exemption tag cmk-exempt={PLANTED}."),
        fix: Some(Fix {
            advice: PLANTED.into(),
            command: Some(PLANTED.into()),
            runbook: None,
        }),
    }
}

fn meta() -> ReportMeta {
    ReportMeta {
        title: format!("secrets-cmk audit {PLANTED}"),
        headline: format!("1 secret {PLANTED}"),
        generated_at: "2026-12-01T12:00:00Z".into(),
        parameters: vec![("exemptionTagKey".into(), PLANTED.into())],
    }
}

/// The JSON the page carries for its script.
fn data_of(page: &str) -> serde_json::Value {
    let open = "<script type=\"application/json\" id=\"report-data\">";
    let start = page.find(open).unwrap() + open.len();
    let end = start + page[start..].find("</script>").unwrap();
    serde_json::from_str(&page[start..end]).unwrap()
}

#[test]
fn planted_markup_is_never_markup_in_the_page() {
    // GIVEN markup in every field of a finding and of the run's description
    let page = render(&[planted_finding()], &meta()).unwrap();
    // THEN the only <script> and <img> tags are the page's own two scripts
    assert_eq!(page.matches("<script").count(), 2, "{page}");
    assert_eq!(page.matches("</script>").count(), 2);
    assert!(!page.contains("<img"), "{page}");
    // AND the markup shows as text where the page writes it itself
    let escaped = escape::text(PLANTED);
    assert!(page.contains(&format!("<dd>{escaped}</dd>")), "parameters");
    assert!(page.contains(&format!("1 secret {escaped}")), "headline");
    assert!(
        page.contains(&format!("1111{escaped}")),
        "the account's bar"
    );
    // AND the script's data reads back exactly what was planted
    let data = data_of(&page);
    let finding = &data["findings"][0];
    assert_eq!(finding["name"], format!("db{PLANTED}"));
    assert_eq!(
        finding["reason"].as_str().unwrap(),
        planted_finding().reason
    );
    assert_eq!(finding["fix"]["command"], PLANTED);
    assert_eq!(finding["verdict"], "NON_COMPLIANT");
    assert_eq!(finding["row"], "4");
}

#[test]
fn the_page_fetches_nothing_and_allows_only_its_own_style_and_script() {
    let mut plain = planted_finding();
    plain.name = "db".into();
    plain.id = "arn:aws:secretsmanager:us-east-1:1:secret:db".into();
    plain.key = None;
    plain.account = None;
    plain.reason = String::new();
    plain.fix = None;
    let page = render(
        &[plain],
        &ReportMeta {
            title: "t".into(),
            headline: String::new(),
            generated_at: String::new(),
            parameters: vec![],
        },
    )
    .unwrap();
    // No address to fetch from anywhere in the page
    for fetch in ["http:", "https:", "src=", "href=", "@import", "url("] {
        assert!(!page.contains(fetch), "{fetch} in the page");
    }
    // The policy names exactly the hashes of the inline style and script
    let policy = format!(
        "default-src 'none'; style-src '{}'; script-src '{}'",
        csp_hash(STYLE),
        csp_hash(SCRIPT)
    );
    assert!(page.contains(&policy), "{policy}");
    assert!(page.contains(&format!("<style>{STYLE}</style>")));
    assert!(page.contains(&format!("<script>{SCRIPT}</script>")));
}

#[test]
fn the_summary_has_figures_and_bars_by_cause_and_account() {
    // GIVEN three findings on the default key in two accounts, one compliant secret
    let mut findings = Vec::new();
    for (account, name, row) in [
        ("111111111111", "a", TableRow::DefaultKey),
        ("111111111111", "b", TableRow::DefaultKey),
        ("222222222222", "c", TableRow::KeyNotEnabled),
        ("222222222222", "d", TableRow::Compliant),
    ] {
        findings.push(Finding {
            verdict: Verdict::of(Some(row.compliance())),
            row: Some(row),
            cause: Finding::cause_of(Some(row)),
            key: None,
            account: Some(account.into()),
            region: Some("us-east-1".into()),
            name: name.into(),
            id: name.into(),
            reason: String::new(),
            fix: None,
        });
    }
    // WHEN rendered
    let page = render(&findings, &meta()).unwrap();
    // THEN the figures count each verdict
    assert!(page.contains("<span class=\"n\">4</span><span class=\"l\">judged</span>"));
    assert!(page.contains("<span class=\"n\">3</span><span class=\"l\">NON_COMPLIANT</span>"));
    // AND the longest bar is full and the others in proportion
    assert!(
        page.contains("<span class=\"label\">default key</span>"),
        "{page}"
    );
    assert!(page.contains("<rect width=\"1000\""));
    assert!(page.contains("<rect width=\"500\""));
    assert!(
        page.contains("<span class=\"count\">2 / 2</span>"),
        "account 1: 2 of 2"
    );
    // AND the data lists every finding, worst first
    let data = data_of(&page);
    let names: Vec<&str> = data["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(
        Show::default(),
        Show::Findings,
        "the page starts on findings too"
    );
}

#[test]
fn an_empty_run_says_there_are_no_findings() {
    let page = render(&[], &meta()).unwrap();
    assert!(page.contains("No findings."));
    assert_eq!(data_of(&page)["findings"], serde_json::json!([]));
}

#[test]
fn base64_matches_rfc_4648_test_vectors() {
    for (input, expected) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foob", "Zm9vYg=="),
        ("fooba", "Zm9vYmE="),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes()), expected, "{input}");
    }
    // The SHA-256 of "" (a known value), as CSP writes it
    assert_eq!(
        csp_hash(""),
        "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
    );
}
