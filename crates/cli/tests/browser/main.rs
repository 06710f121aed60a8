//! The HTML report in a real browser: the built `secrets-cmk audit --format html` against
//! the emulator, with markup planted in a secret's name and in a tag, opened from disk by
//! headless Chromium (Debian's `chromium`; `make browser-deps` installs it). Checked: the
//! DOM after the page's script ran (the summary, the findings, sorting and filtering from
//! the address's #fragment, planted markup present only as text and never run), and
//! screenshots at a desktop and a phone width.
//!
//! Without Chromium the tests say so and pass, unless `SECRETS_CMK_REQUIRE_BROWSER` is
//! set (as `make test` does): then a missing browser fails them. `SECRETS_CMK_CHROMIUM`
//! names another browser binary (default `/usr/bin/chromium`).
//! `SECRETS_CMK_SCREENSHOT_DIR=DIR` keeps the screenshots (and the page) there for a person
//! to look at.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

#[path = "../e2e/support.rs"]
#[allow(dead_code)] // the browser tests use only part of the end-to-end support
mod support;

use secrets_cmk_harness::seed::{self, NewSecret};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::Bench;

const CHROMIUM: &str = "/usr/bin/chromium";
/// How long one page load may take in the browser.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(90);

/// Markup that would mark the page if it ever ran; the tests look for the mark.
const PLANTED_NAME: &str =
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','name')\">db";
const PLANTED_TAG: &str =
    "</script><script>document.body.setAttribute('data-pwned','tag')</script><b>bold</b>";

/// The browser, or `None` (after saying why) when it is missing and not required.
fn browser() -> Option<PathBuf> {
    // SECRETS_CMK_CHROMIUM names another browser binary (e.g. a missing one, to see the skip).
    let path = std::env::var_os("SECRETS_CMK_CHROMIUM")
        .map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    if path.exists() {
        return Some(path);
    }
    let required = std::env::var_os("SECRETS_CMK_REQUIRE_BROWSER").is_some_and(|v| !v.is_empty());
    assert!(
        !required,
        "{} is missing and SECRETS_CMK_REQUIRE_BROWSER is set: run `make browser-deps`",
        path.display()
    );
    eprintln!(
        "SKIPPED: {} is not installed, so the HTML report is not rendered in a browser \
         (`make browser-deps` installs it; SECRETS_CMK_REQUIRE_BROWSER=1 makes this a failure)",
        path.display()
    );
    None
}

/// Headless Chromium with a throw-away profile, nothing fetched, `extra` arguments last;
/// its stdout.
fn chromium(browser: &Path, scratch: &Path, extra: &[String]) -> String {
    let profile = tempfile::tempdir_in(scratch).unwrap();
    let mut child = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > BROWSER_TIMEOUT {
            child.kill().unwrap();
            panic!("chromium {extra:?} did not end within {BROWSER_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "chromium {extra:?}: {:?}",
        output.status
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The page's DOM after its script ran, opened at `fragment`.
fn dom(browser: &Path, scratch: &Path, report: &Path, fragment: &str) -> String {
    let url = format!("file://{}{fragment}", report.display());
    let dom = chromium(browser, scratch, &["--dump-dom".to_owned(), url]);
    assert!(dom.contains("<body"), "no DOM dumped:\n{dom}");
    dom
}

/// An estate with every verdict and the planted markup, audited into `report.html`.
async fn audited_report(bench: &Bench) -> PathBuf {
    let off = bench.cmk("alias/off").await;
    seed::disable_key(&bench.kms(), &off.key_id).await.unwrap();
    bench.cmk("alias/app").await;
    bench.secret("on-cmk", Some("alias/app")).await;
    bench.secret("on-default", None).await;
    bench.secret("on-disabled", Some(&off.arn)).await;
    bench.secret(PLANTED_NAME, None).await;
    seed::create_secret(
        &bench.sm(),
        &NewSecret::named("exempt").with_tag("cmk-exempt", PLANTED_TAG),
    )
    .await
    .unwrap();
    let report = bench.path("report.html");
    let run = bench
        .run(&[
            "audit",
            "--exemption-tag-key",
            "cmk-exempt",
            "--format",
            "html",
            "--output",
            report.to_str().unwrap(),
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    report
}

/// The names in the findings table, in the order drawn.
fn names(dom: &str) -> Vec<String> {
    dom.split("<td data-label=\"Name\"")
        .skip(1)
        .map(|cell| {
            let text = &cell[cell.find('>').unwrap() + 1..];
            text[..text.find("<span").unwrap()].to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_report_shows_the_summary_and_the_findings_once_its_script_ran() {
    let Some(browser) = browser() else { return };
    // GIVEN an audit written as HTML
    let bench = Bench::start().await.unwrap();
    let report = audited_report(&bench).await;

    // WHEN the browser opens it from disk
    let dom = dom(&browser, bench.dir.path(), &report, "");

    // THEN the summary is there: the figures and a bar per cause
    assert!(
        dom.contains("<span class=\"n\">3</span><span class=\"l\">NON_COMPLIANT</span>"),
        "{dom}"
    );
    assert!(
        dom.contains("<span class=\"label\">default key</span>"),
        "{dom}"
    );
    assert!(
        dom.contains("<span class=\"label\">key not Enabled</span>"),
        "{dom}"
    );
    // AND the script drew the three findings, worst first by name, with cause and fix
    assert!(dom.contains("data-rendered=\"3\""), "{dom}");
    assert!(dom.contains("Showing 3 of 5"), "{dom}");
    assert_eq!(
        names(&dom),
        [
            "&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','name')\"&gt;db",
            "on-default",
            "on-disabled"
        ]
    );
    assert!(dom.contains("key not Enabled (row 8)"), "{dom}");
    assert!(
        dom.contains("<code class=\"command\">secrets-cmk --region us-east-1 remediate --secret"),
        "{dom}"
    );
    assert!(
        dom.contains("or the SSM runbook SecretsCmk-RekeySecret (SecretId=arn:aws:secretsmanager:"),
        "{dom}"
    );
    // AND the planted name is text: no image element, and nothing it would do was done
    assert!(!dom.contains("<img"), "{dom}");
    assert!(
        dom.contains("<body data-rendered=\"3\">"),
        "planted markup ran:\n{dom}"
    );
    assert!(!dom.contains("data-pwned=\""), "planted markup ran:\n{dom}");
}

#[tokio::test]
async fn sorting_filtering_and_a_planted_tag_work_from_the_address() {
    let Some(browser) = browser() else { return };
    let bench = Bench::start().await.unwrap();
    let report = audited_report(&bench).await;

    // WHEN every secret is shown, sorted by name, last first
    let all = dom(
        &browser,
        bench.dir.path(),
        &report,
        "#show=all&sort=name&dir=desc",
    );
    // THEN all five, in that order; the exempt one's reason carries the tag as text only
    assert!(all.contains("data-rendered=\"5\""), "{all}");
    let mut expected = vec!["on-disabled", "on-default", "on-cmk", "exempt"];
    expected
        .push("&lt;img src=x onerror=\"document.body.setAttribute('data-pwned','name')\"&gt;db");
    assert_eq!(names(&all), expected);
    assert!(
        all.contains(
            "&lt;/script&gt;&lt;script&gt;document.body.setAttribute('data-pwned','tag')\
                      &lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;"
        ),
        "{all}"
    );
    assert!(
        !all.contains("<b>bold") && !all.contains("data-pwned=\""),
        "{all}"
    );

    // WHEN filtered by a word
    let filtered = dom(&browser, bench.dir.path(), &report, "#q=disabled");
    // THEN only the matching finding
    assert_eq!(names(&filtered), ["on-disabled"]);
    assert!(filtered.contains("Showing 1 of 5"), "{filtered}");
}

/// Width and height of a PNG, from its IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let number = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (number(16), number(20))
}

#[tokio::test]
async fn screenshots_at_desktop_and_phone_width() {
    let Some(browser) = browser() else { return };
    let bench = Bench::start().await.unwrap();
    let report = audited_report(&bench).await;
    let shots = tempfile::tempdir().unwrap();
    for (name, width, height) in [("desktop", 1366, 900), ("narrow", 390, 844)] {
        // WHEN the page is captured at this window size
        let file = shots.path().join(format!("report-{name}.png"));
        chromium(
            &browser,
            bench.dir.path(),
            &[
                format!("--screenshot={}", file.display()),
                format!("--window-size={width},{height}"),
                format!("file://{}", report.display()),
            ],
        );
        // THEN a PNG of exactly that size, with something drawn on it
        let png = std::fs::read(&file).unwrap();
        assert_eq!(png_size(&png), (width, height), "{name}");
        assert!(
            png.len() > 10_000,
            "{name}: {} bytes is a blank page",
            png.len()
        );
        if let Some(keep) = std::env::var_os("SECRETS_CMK_SCREENSHOT_DIR") {
            std::fs::create_dir_all(&keep).unwrap();
            std::fs::copy(&file, Path::new(&keep).join(file.file_name().unwrap())).unwrap();
        }
        if let Some(keep) = std::env::var_os("SECRETS_CMK_SCREENSHOT_DIR") {
            std::fs::copy(&report, Path::new(&keep).join("report.html")).unwrap();
        }
    }
}

/// Markup planted in a template's file name (a name Linux allows).
const PLANTED_FILE: &str =
    "<img src=x onerror=\"document.body.setAttribute('data-pwned','file')\">.yaml";

#[tokio::test]
async fn a_check_template_report_shows_its_findings_and_a_planted_file_name_as_text() {
    let Some(browser) = browser() else { return };
    // GIVEN a template whose file name is markup, with one secret on the default key
    let bench = Bench::start().await.unwrap();
    let template = bench.path(PLANTED_FILE);
    std::fs::write(
        &template,
        "Resources:\n  Plain:\n    Type: AWS::SecretsManager::Secret\n",
    )
    .unwrap();
    let report = bench.path("template-report.html");
    let run = bench
        .run(&[
            "check-template",
            template.to_str().unwrap(),
            "--format",
            "html",
            "--output",
            report.to_str().unwrap(),
        ])
        .await;
    assert_eq!(run.code, 1, "{}", run.stderr);

    // WHEN the browser opens it from disk
    let dom = dom(&browser, bench.dir.path(), &report, "");

    // THEN the script drew the one finding, with its cause and the template fix, and the
    // planted file name is text that never ran
    assert!(dom.contains("data-rendered=\"1\""), "{dom}");
    assert!(dom.contains("default key"), "{dom}");
    assert!(
        dom.contains("Set KmsKeyId to a customer managed key"),
        "{dom}"
    );
    assert!(dom.contains("&lt;img src=x onerror="), "{dom}");
    assert!(!dom.contains("<img"), "{dom}");
    assert!(!dom.contains("data-pwned=\""), "planted markup ran:\n{dom}");
}
