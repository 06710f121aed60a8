//! Running the built `secrets-cmk check-template` and reading the corpus.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The CLI under test, built by cargo for this test target.
pub(crate) const CLI_BINARY: &str = env!("CARGO_BIN_EXE_secrets-cmk");

/// What one run printed and how it ended.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: i32,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
    pub(crate) elapsed: Duration,
}

impl Run {
    /// Stdout as JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    #[track_caller]
    pub(crate) fn assert_stderr_has(&self, text: &str) {
        assert!(
            self.stderr.contains(text),
            "{text:?} not on stderr:\n{}",
            self.stderr
        );
    }
}

/// The corpus directory, `contract/templates`.
pub(crate) fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../contract/templates")
}

/// `cases.json`.
pub(crate) fn cases() -> Value {
    let text = std::fs::read_to_string(corpus_dir().join("cases.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The rule flags for a case's `parameters` object.
pub(crate) fn rule_flags(parameters: &Value) -> Vec<String> {
    let mut flags = Vec::new();
    for (name, value) in parameters.as_object().unwrap() {
        let flag = match name.as_str() {
            "kmsKeyArns" => "--kms-key-arns",
            "checkReplicas" => "--check-replicas",
            "requireEnabledKey" => "--require-enabled-key",
            "exemptionTagKey" => "--exemption-tag-key",
            "allowedKeyAccounts" => "--allowed-key-accounts",
            other => panic!("unknown parameter {other} in cases.json"),
        };
        flags.push(flag.to_owned());
        flags.push(value.as_str().unwrap().to_owned());
    }
    flags
}

/// Run `secrets-cmk ARGS` in `dir` offline: no AWS configuration, no credentials, no
/// instance metadata.
pub(crate) fn run_in(dir: &Path, args: &[&str]) -> Run {
    run_with_env(dir, args, &[])
}

/// Run in the corpus directory (findings then name templates relative to it).
pub(crate) fn run(args: &[&str]) -> Run {
    run_in(&corpus_dir(), args)
}

/// Run with extra environment variables.
pub(crate) fn run_with_env(dir: &Path, args: &[&str], extra: &[(&str, &str)]) -> Run {
    let home = tempfile::tempdir().unwrap();
    for file in ["config", "credentials"] {
        std::fs::write(home.path().join(file), "").unwrap();
    }
    let started = Instant::now();
    let output = Command::new(CLI_BINARY)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .envs(extra.iter().copied())
        .output()
        .unwrap();
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        elapsed: started.elapsed(),
    };
    eprintln!(
        "$ secrets-cmk {}\n[exit {}]\n{}{}",
        args.join(" "),
        run.code,
        run.stdout,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked"),
        "the CLI panicked:\n{}",
        run.stderr
    );
    run
}

/// The findings of a JSON run, by logical id.
pub(crate) fn by_logical_id(findings: &Value) -> std::collections::BTreeMap<String, Value> {
    findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["logical_id"].as_str().unwrap().to_owned(), f.clone()))
        .collect()
}

/// The exit code the findings call for: 2 when any is unverified, else 1 when any is
/// NON_COMPLIANT, else 0.
pub(crate) fn expected_exit(compliances: &[Value]) -> i32 {
    if compliances.iter().any(Value::is_null) {
        2
    } else if compliances.iter().any(|c| c == "NON_COMPLIANT") {
        1
    } else {
        0
    }
}
