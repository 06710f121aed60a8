//! Nothing reads secrets. The rule judges keys, never values: no code of ours may call
//! GetSecretValue or BatchGetSecretValue, and nothing may call kms:Decrypt. Two checks:
//!
//! 1. the sources: every Rust file of the workspace and the fuzz crate, the CDK app
//!    (`cdk/lib`, `cdk/bin`, `cdk/scripts`: IAM policies, and the SSM Automation
//!    documents with their inline scripts) and the benchmark's code. The Python emulator
//!    (`tests/emulator`) is not scanned: it implements these APIs. Full-line comments
//!    are not code (they may say "never GetSecretValue").
//! 2. the built binaries: the Lambda (and the CLI, when built) must not even link the SDK
//!    operations, whatever the source says (a macro, a generated call). The SDK's
//!    operation modules show up in the symbols of a dev build, and operation names as
//!    strings; the operations we do call are the positive control.
//!
//! `kms:Decrypt` has exactly one legitimate place: the statement the two runbook roles
//! share (defined in `remediation-role.ts`, used by the remediation and the restore role)
//! and the runbooks that name it. UpdateSecret re-encrypts the secret's versions on the
//! caller's behalf, so Secrets Manager needs the caller to hold kms:Decrypt on the old key
//! (docs/design.md); the CDK restricts it to `kms:ViaService` Secrets Manager and its
//! tests assert that of every role. The rule's Lambda role and the rule's code never hold or call it; the CDK tests
//! (`cdk/test/least-privilege.test.ts`) check the roles, this checks the code.

use std::fs;
use std::path::{Path, PathBuf};

use secrets_cmk_harness::paths;

use crate::RULE_BINARY;

/// Reading a secret value, in every SDK's and IAM's spelling.
const SECRET_READS: &[&str] = &[
    "GetSecretValue",      // IAM action, operation name, JS SDK v3 command, Batch… too
    "get_secret_value",    // Rust SDK, boto3 (batch_… too)
    "getSecretValue",      // JS SDK v2
    "secretsmanager:Get*", // a wildcard that grants it
    "'secretsmanager:*'",
    "\"secretsmanager:*\"",
    ".grantRead(", // CDK Secret.grantRead grants GetSecretValue
];

/// Decrypting (directly, or through a grant that allows it).
const DECRYPTS: &[&str] = &[
    "kms:Decrypt",
    ".decrypt(",
    "DecryptCommand",
    "operation::decrypt",
    "grantDecrypt",
    "grantEncryptDecrypt",
    "kms:ReEncrypt",
    "re_encrypt(",
    "reEncrypt(",
    "'kms:*'",
    "\"kms:*\"",
];

/// The only places a forbidden name may appear, and why.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "contract/contract.json",
        "kms:Decrypt",
        "the runbook roles' grant (and the CLI's needs) that UpdateSecret requires on the old key, \
         used on the caller's behalf by Secrets Manager only (cdk/test/contract.test.ts checks \
         the kms:ViaService condition)",
    ),
    (
        "cdk/lib/runbooks.ts",
        "kms:Decrypt",
        "the remediation runbook's description names the permission its role needs",
    ),
    (
        "crates/cli/src/args.rs",
        "kms:Decrypt",
        "remediate's help tells the user the permission UpdateSecret needs on the old key",
    ),
    (
        "crates/cli/src/remediate/apply.rs",
        "kms:Decrypt",
        "the note after a re-key tells the user the permission UpdateSecret needs on the old key",
    ),
];

/// What is scanned: (directory under the workspace, file extensions).
const SCANNED: &[(&str, &[&str])] = &[
    // every crate, its tests (the harness's stand-in Lambda is Python) included
    ("crates", &["rs", "py"]),
    ("fuzz/src", &["rs"]),
    ("fuzz/fuzz_targets", &["rs"]),
    ("bench/src", &["rs"]),
    ("cdk/lib", &["ts", "js", "json", "yaml", "yml", "py", "sh"]),
    ("cdk/bin", &["ts", "js"]),
    ("cdk/scripts", &["ts", "js", "sh", "py"]),
    // the roles' actions, which the CDK builds its policies from
    ("contract", &["json"]),
];

/// Never scanned: build output, dependencies, and the emulator (it implements the APIs).
const SKIPPED_DIRS: &[&str] = &[
    "target",
    "node_modules",
    "cdk.out",
    "__pycache__",
    ".venv",
    "tests/emulator",
];

/// This file lists the forbidden names.
const THIS_FILE: &str = "crates/rule-lambda/tests/hardening/no_secret_reads.rs";

fn workspace() -> PathBuf {
    paths::workspace_root()
}

fn collect(dir: &Path, extensions: &[&str], out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let relative = relative(&path);
        if path.is_dir() {
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if !SKIPPED_DIRS.contains(&name.as_ref()) && !SKIPPED_DIRS.contains(&relative.as_str())
            {
                collect(&path, extensions, out);
            }
        } else if path
            .extension()
            .is_some_and(|e| extensions.contains(&e.to_string_lossy().as_ref()))
        {
            out.push(path);
        }
    }
}

fn relative(path: &Path) -> String {
    path.strip_prefix(workspace())
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// A whole line that is a comment in its file's language.
fn is_comment(line: &str, extension: &str) -> bool {
    let line = line.trim_start();
    match extension {
        "py" | "yaml" | "yml" | "sh" => line.starts_with('#'),
        _ => line.starts_with("//") || line.starts_with("/*") || line.starts_with('*'),
    }
}

/// Every `file:line: text` that uses one of `patterns` outside the allowlist.
fn uses(patterns: &[&str]) -> (Vec<String>, usize) {
    let mut files = Vec::new();
    for (dir, extensions) in SCANNED {
        collect(&workspace().join(dir), extensions, &mut files);
    }
    let mut found = Vec::new();
    for file in &files {
        let path = relative(file);
        if path == THIS_FILE {
            continue;
        }
        let extension = file.extension().unwrap_or_default().to_string_lossy();
        let text = String::from_utf8_lossy(&fs::read(file).unwrap()).into_owned();
        for (number, line) in text.lines().enumerate() {
            if is_comment(line, &extension) {
                continue;
            }
            for pattern in patterns {
                let allowed = ALLOWED
                    .iter()
                    .any(|(p, name, _)| *p == path && name == pattern);
                if line.contains(pattern) && !allowed {
                    found.push(format!("{path}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    (found, files.len())
}

#[test]
fn no_source_reads_a_secret_value() {
    // GIVEN every source file of ours / WHEN scanned for secret-value reads
    let (found, scanned) = uses(SECRET_READS);
    // THEN there is none (and the scan did see the code base)
    assert!(
        scanned > 50,
        "only {scanned} files scanned: is the workspace layout right?"
    );
    assert!(
        found.is_empty(),
        "secret values are read here:\n{}",
        found.join("\n")
    );
}

#[test]
fn nothing_decrypts_and_only_remediation_may_hold_kms_decrypt() {
    let (found, _) = uses(DECRYPTS);
    assert!(
        found.is_empty(),
        "decrypting, or granting it, outside the remediation role:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scan_sees_a_planted_read() {
    // GIVEN the scan's own rules / WHEN they meet the calls they exist to catch
    let planted = [
        (
            "rs",
            "let v = client.get_secret_value().secret_id(arn).send().await?;",
        ),
        (
            "rs",
            "    kms.decrypt().ciphertext_blob(blob).send().await?;",
        ),
        ("ts", "  actions: ['secretsmanager:GetSecretValue'],"),
        ("ts", "  actions: ['kms:Decrypt'],"),
        ("ts", "  secret.grantRead(fn);"),
        ("py", "    value = sm.get_secret_value(SecretId=arn)"),
    ];
    // THEN each is found, and a comment line is not
    for (extension, line) in planted {
        assert!(!is_comment(line, extension));
        let hit = SECRET_READS
            .iter()
            .chain(DECRYPTS)
            .any(|p| line.contains(p));
        assert!(hit, "not caught: {line}");
    }
    assert!(is_comment("  // never GetSecretValue", "rs"));
    assert!(is_comment(" * never kms:Decrypt", "ts"));
    assert!(is_comment("# never get_secret_value", "py"));
}

/// Built binaries, with the SDK operations they must link and must not.
fn check_binary(path: &Path, must_link: &[&str]) {
    // As text, so that the search is std's (optimized even in a dev build); the needles
    // are ASCII, which a lossy conversion keeps intact.
    let bytes = fs::read(path).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let has = |needle: &str| text.contains(needle);
    for needle in must_link {
        assert!(
            has(needle),
            "{} lacks {needle:?}: the positive control failed (stripped, or another symbol \
             mangling?), so the absence checks below would prove nothing",
            path.display()
        );
    }
    for needle in [
        "GetSecretValue",
        "9operation16get_secret_value",
        "9operation22batch_get_secret_value",
        "9operation7decrypt",
        "9operation10re_encrypt",
    ] {
        assert!(!has(needle), "{} links {needle:?}", path.display());
    }
}

#[test]
fn the_rule_binary_links_no_secret_read_and_no_decrypt() {
    // GIVEN the built Lambda, from cargo (a dev build keeps its symbols)
    let rule = Path::new(RULE_BINARY);
    // THEN it links ListSecrets and DescribeKey, and neither a secret read nor Decrypt
    check_binary(
        rule,
        &[
            "ListSecrets",
            "9operation12list_secrets",
            "9operation12describe_key",
        ],
    );
    // AND so does the CLI, when it has been built. Cargo names only this package's
    // binaries to its tests, so the CLI (package secrets-cmk-cli) is looked up beside
    // the rule's binary, in the same target profile directory: `cargo test --workspace`
    // and `make build` build it there before any test runs; `cargo test -p rule-lambda`
    // alone does not, and then only the rule is checked.
    let cli = rule.with_file_name(format!("secrets-cmk{}", std::env::consts::EXE_SUFFIX));
    if cli.is_file() {
        check_binary(&cli, &["ListSecrets", "9operation12list_secrets"]);
    }
}
