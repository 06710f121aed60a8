//! The HTML report: one self-contained page (inline style and script, no fetches: its
//! Content-Security-Policy allows nothing else) with the summary as figures and bar
//! charts by cause and by account, the findings table the script draws, sorts and
//! filters from JSON embedded in the page, each finding's cause, key and fix, and the
//! run's parameters and time.
//!
//! Every outside text reaches the page through [`escape`] only: as escaped markup (the
//! summary, the parameters) or as escaped JSON that the script sets as text.

pub mod escape;

use super::finding::{Finding, Tally, Verdict};
use super::from_audit::REKEY_RUNBOOK;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt::Write;

const STYLE: &str = include_str!("report.css");
const SCRIPT: &str = include_str!("report.js");

/// The accounts the chart shows at most; the rest are counted under it.
const ACCOUNTS_CHARTED: usize = 15;

/// What the page says about the run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportMeta {
    /// The command, e.g. `secrets-cmk audit`.
    pub title: String,
    /// One line of counts (the audit's summary line).
    pub headline: String,
    /// When the run ended (RFC 3339, UTC).
    pub generated_at: String,
    /// The run's parameters, as name and value, in order (Regions, rule parameters).
    pub parameters: Vec<(String, String)>,
}

/// A finding as the script reads it.
#[derive(Serialize)]
struct Item<'a> {
    #[serde(flatten)]
    finding: &'a Finding,
    verdict_label: &'static str,
}

#[derive(Serialize)]
struct Data<'a> {
    findings: Vec<Item<'a>>,
}

/// The page for `findings` (in any order: the script lists them in the table's order).
pub fn render(findings: &[Finding], meta: &ReportMeta) -> Result<String, serde_json::Error> {
    let mut ordered: Vec<&Finding> = findings.iter().collect();
    ordered.sort_by(|a, b| a.order(b));
    let data = Data {
        findings: ordered
            .into_iter()
            .map(|finding| Item {
                finding,
                verdict_label: html_label(finding.verdict),
            })
            .collect(),
    };
    let json = escape::json_in_script(&serde_json::to_string(&data)?);
    let tally = Tally::of(findings);
    let e = escape::text;

    let mut page = String::with_capacity(json.len() + STYLE.len() + SCRIPT.len() + 8192);
    let _ = write!(
        page,
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src '{}'; script-src '{}'; base-uri 'none'; form-action 'none'\">\n\
         <title>{} report</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        csp_hash(STYLE),
        csp_hash(SCRIPT),
        e(&meta.title),
    );
    let _ = write!(
        page,
        "<header>\n<h1>{} report</h1>\n<p class=\"headline\" id=\"headline\">{}</p>\n\
         <p class=\"meta\">Generated {} by secrets-cmk {}</p>\n</header>\n<main>\n",
        e(&meta.title),
        e(&meta.headline),
        e(&meta.generated_at),
        env!("CARGO_PKG_VERSION"),
    );
    page.push_str(&summary(&tally));
    page.push_str(FINDINGS_TABLE);
    page.push_str(&parameters(meta));
    let _ = write!(
        page,
        "<section id=\"fixing\">\n<h2>Fixing a finding</h2>\n<p>A fix's command is a dry run: \
         it shows what would change and changes nothing; add <code>--apply</code> to re-key \
         (a backout plan is written first; <code>secrets-cmk backout --plan FILE</code> \
         restores the previous keys). <code>KEY</code> stands for the customer managed key \
         to use, in the secret's Region. The SSM Automation runbook {} does the same for one \
         secret, from the console or by AWS Config remediation.</p>\n</section>\n</main>\n\
         <script type=\"application/json\" id=\"report-data\">{json}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        e(REKEY_RUNBOOK),
    );
    Ok(page)
}

/// How the page names a verdict (the table's `(unverified)` reads oddly as a heading).
fn html_label(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Unverified => "unverified",
        other => other.label(),
    }
}

/// The figures and the two charts.
fn summary(tally: &Tally) -> String {
    let e = escape::text;
    let mut out =
        String::from("<section id=\"summary\" aria-label=\"Summary\">\n<div class=\"figures\">\n");
    let figure = |out: &mut String, class: &str, count: usize, label: &str| {
        let _ = writeln!(
            out,
            "<div class=\"figure {class}\"><span class=\"n\">{count}</span>\
             <span class=\"l\">{}</span></div>",
            e(label)
        );
    };
    figure(&mut out, "total", tally.total, "judged");
    for (verdict, count) in &tally.by_verdict {
        let class = format!("v-{}", verdict_key(*verdict));
        figure(&mut out, &class, *count, html_label(*verdict));
    }
    out.push_str("</div>\n<div class=\"charts\">\n");
    let causes: Vec<(String, usize, String)> = tally
        .by_cause
        .iter()
        .map(|(cause, n)| (cause.clone(), *n, n.to_string()))
        .collect();
    out.push_str(&chart("by-cause", "Findings by cause", &causes, ""));
    let accounts: Vec<(String, usize, String)> = tally
        .by_account
        .iter()
        .take(ACCOUNTS_CHARTED)
        .map(|a| {
            (
                a.account.clone(),
                a.findings,
                format!("{} / {}", a.findings, a.total),
            )
        })
        .collect();
    let more = tally.by_account.len().saturating_sub(ACCOUNTS_CHARTED);
    let note = if more > 0 {
        format!("<p class=\"hint\">and {more} more account(s) with fewer findings</p>")
    } else {
        String::new()
    };
    if !accounts.is_empty() {
        out.push_str(&chart(
            "by-account",
            "Findings by account (findings / judged)",
            &accounts,
            &note,
        ));
    }
    out.push_str("</div>\n</section>\n");
    out
}

/// The JSON and CSS name of a verdict.
fn verdict_key(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::NonCompliant => "NON_COMPLIANT",
        Verdict::Unverified => "UNVERIFIED",
        Verdict::NotApplicable => "NOT_APPLICABLE",
        Verdict::Compliant => "COMPLIANT",
    }
}

/// A bar chart: per bar its label, its length and its count text; bars are inline SVG
/// scaled to the longest (attributes, not style: the policy allows no inline style).
fn chart(id: &str, caption: &str, bars: &[(String, usize, String)], note: &str) -> String {
    let e = escape::text;
    let mut out = format!(
        "<figure class=\"chart\" id=\"{}\">\n<figcaption>{}</figcaption>\n",
        e(id),
        e(caption)
    );
    let longest = bars.iter().map(|(_, n, _)| *n).max().unwrap_or(0).max(1);
    if bars.iter().all(|(_, n, _)| *n == 0) {
        out.push_str("<p class=\"hint\">No findings.</p>\n");
    }
    for (label, n, count) in bars.iter().filter(|(_, n, _)| *n > 0) {
        // Tenths of a percent: enough for a bar, exact in integers.
        let length = n * 1000 / longest;
        let _ = writeln!(
            out,
            "<div class=\"bar\"><span class=\"label\">{}</span>\
             <svg viewBox=\"0 0 1000 10\" preserveAspectRatio=\"none\" role=\"img\" \
             aria-label=\"{count}\"><rect width=\"{length}\" height=\"10\"></rect></svg>\
             <span class=\"count\">{}</span></div>",
            e(label),
            e(count)
        );
    }
    out.push_str(note);
    out.push_str("</figure>\n");
    out
}

/// The table the script fills, with its controls.
const FINDINGS_TABLE: &str = "<section id=\"findings\">\n<h2>Findings</h2>\n\
<div class=\"controls\">\n<label>Filter <input id=\"q\" type=\"search\" \
placeholder=\"name, ARN, cause, key, Region, account\" aria-label=\"Filter\"></label>\n\
<label>Show <select id=\"show\"><option value=\"findings\">NON_COMPLIANT and unverified</option>\
<option value=\"all\">all</option><option value=\"NON_COMPLIANT\">NON_COMPLIANT</option>\
<option value=\"UNVERIFIED\">unverified</option><option value=\"NOT_APPLICABLE\">NOT_APPLICABLE\
</option><option value=\"COMPLIANT\">COMPLIANT</option></select></label>\n\
<span id=\"count\" aria-live=\"polite\"></span>\n</div>\n\
<table id=\"findings-table\">\n<thead><tr>\
<th data-sort=\"verdict\"><button type=\"button\">Verdict</button></th>\
<th data-sort=\"account\"><button type=\"button\">Account</button></th>\
<th data-sort=\"region\"><button type=\"button\">Region</button></th>\
<th data-sort=\"name\"><button type=\"button\">Name</button></th>\
<th data-sort=\"cause\"><button type=\"button\">Cause and reason</button></th>\
<th data-sort=\"key\"><button type=\"button\">Key</button></th>\
<th>Fix</th></tr></thead>\n<tbody></tbody>\n</table>\n\
<noscript><p class=\"hint\">The findings table is drawn by the page's script, which is off. \
The same data: <code>--format csv</code>.</p></noscript>\n</section>\n";

/// The run's parameters and time.
fn parameters(meta: &ReportMeta) -> String {
    let e = escape::text;
    let mut out =
        String::from("<section id=\"parameters\">\n<h2>The run</h2>\n<dl class=\"params\">\n");
    let _ = writeln!(out, "<dt>Time</dt><dd>{}</dd>", e(&meta.generated_at));
    for (name, value) in &meta.parameters {
        let _ = writeln!(out, "<dt>{}</dt><dd>{}</dd>", e(name), e(value));
    }
    out.push_str("</dl>\n</section>\n");
    out
}

/// A CSP source for inline content: `sha256-` and the base64 of its SHA-256.
fn csp_hash(content: &str) -> String {
    format!("sha256-{}", base64(&Sha256::digest(content.as_bytes())))
}

/// Standard base64 with padding (RFC 4648 section 4), for the 32 bytes of a hash.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
