//! Running the built `secrets-cmk` against an emulator, and reading back what it did.

use secrets_cmk_harness::seed::{self, Key, NewSecret, Secret};
use secrets_cmk_harness::{DEFAULT_REGION, Emulator, Error, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The (empty) AWS files the CLI is pointed at, in its scratch directory.
const AWS_CONFIG: &str = "aws-config";
const AWS_CREDENTIALS: &str = "aws-credentials";

/// How long one run of the CLI may take (retries back off for seconds on errors).
const RUN_TIMEOUT: Duration = Duration::from_secs(120);

/// The CLI under test, built by cargo for this test target.
const CLI_BINARY: &str = env!("CARGO_BIN_EXE_secrets-cmk");

/// What one run printed and how it ended.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit code.
    pub(crate) code: i32,
    /// Everything on stdout.
    pub(crate) stdout: String,
    /// Everything on stderr.
    pub(crate) stderr: String,
}

impl Run {
    /// Stdout as JSON.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Fails the test unless stdout contains `text`, showing stdout.
    #[track_caller]
    pub(crate) fn assert_stdout_has(&self, text: &str) {
        assert_has("stdout", &self.stdout, text);
    }

    /// Fails the test unless stderr contains `text`, showing stderr.
    #[track_caller]
    pub(crate) fn assert_stderr_has(&self, text: &str) {
        assert_has("stderr", &self.stderr, text);
    }
}

/// Fails the test unless `output` (of `stream`) contains `text`, showing the output.
#[track_caller]
fn assert_has(stream: &str, output: &str, text: &str) {
    assert!(output.contains(text), "{text:?} not on {stream}:\n{output}");
}

/// The emulator, the binary, and a scratch directory the CLI runs in (its HOME and
/// current directory, where default plan files land).
pub(crate) struct Bench {
    pub(crate) emulator: Emulator,
    pub(crate) dir: tempfile::TempDir,
    binary: &'static Path,
}

impl Bench {
    pub(crate) async fn start() -> Result<Bench> {
        let binary = Path::new(CLI_BINARY);
        let emulator = Emulator::start().await?;
        let dir = tempfile::tempdir().map_err(|e| Error::Invalid(format!("temp dir: {e}")))?;
        // Empty AWS config and credentials files: nothing of the developer's is read, and
        // the SDK has no missing file to warn about.
        for file in [AWS_CONFIG, AWS_CREDENTIALS] {
            std::fs::write(dir.path().join(file), "")
                .map_err(|e| Error::Invalid(format!("writing {file}: {e}")))?;
        }
        Ok(Bench {
            emulator,
            dir,
            binary,
        })
    }

    pub(crate) fn sm(&self) -> aws_sdk_secretsmanager::Client {
        self.emulator.secretsmanager(DEFAULT_REGION)
    }

    pub(crate) fn kms(&self) -> aws_sdk_kms::Client {
        self.emulator.kms(DEFAULT_REGION)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Run `secrets-cmk ARGS` in a clean environment pointed at the emulator.
    pub(crate) async fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[("AWS_REGION", DEFAULT_REGION)])
            .await
    }

    /// Run with exactly these extra variables (no `AWS_REGION` unless given).
    pub(crate) async fn run_with_env(&self, args: &[&str], extra: &[(&str, &str)]) -> Run {
        let home = self.dir.path();
        let mut command = tokio::process::Command::new(self.binary);
        command
            .args(args)
            .current_dir(home)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            // A throw-away HOME: the developer's ~/.aws must not leak into the test.
            .env("HOME", home)
            .env("AWS_CONFIG_FILE", home.join(AWS_CONFIG))
            .env("AWS_SHARED_CREDENTIALS_FILE", home.join(AWS_CREDENTIALS))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", self.emulator.endpoint())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .envs(extra.iter().copied())
            .kill_on_drop(true);
        let output = tokio::time::timeout(RUN_TIMEOUT, command.output())
            .await
            .unwrap_or_else(|_| panic!("secrets-cmk {args:?} did not end within {RUN_TIMEOUT:?}"))
            .unwrap_or_else(|e| panic!("running secrets-cmk {args:?}: {e}"));
        let run = Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        // Shown by libtest when the test fails.
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

    /// Run `secrets-cmk remediate --kms-key-id TARGET --apply --plan PLAN EXTRA...`.
    pub(crate) async fn remediate_apply(
        &self,
        target: &str,
        plan: impl AsRef<Path>,
        extra: &[&str],
    ) -> Run {
        let plan = plan.as_ref().to_str().unwrap();
        let mut args = vec![
            "remediate",
            "--kms-key-id",
            target,
            "--apply",
            "--plan",
            plan,
        ];
        args.extend_from_slice(extra);
        self.run(&args).await
    }

    /// A customer managed key with an alias.
    pub(crate) async fn cmk(&self, alias: &str) -> Key {
        let key = seed::create_cmk(&self.kms(), alias).await.unwrap();
        seed::create_alias(&self.kms(), alias, &key.key_id)
            .await
            .unwrap();
        key
    }

    pub(crate) async fn secret(&self, name: &str, key: Option<&str>) -> Secret {
        let mut spec = NewSecret::named(name);
        spec.kms_key_id = key.map(str::to_owned);
        seed::create_secret(&self.sm(), &spec).await.unwrap()
    }

    /// The key a secret is on, as DescribeSecret shows it (`None`: the default key).
    pub(crate) async fn key_of(&self, secret: &Secret) -> Option<String> {
        let described = self
            .sm()
            .describe_secret()
            .secret_id(&secret.arn)
            .send()
            .await
            .unwrap();
        described
            .kms_key_id()
            .filter(|k| !k.is_empty())
            .map(str::to_owned)
    }

    pub(crate) async fn keys_of(&self, secrets: &[&Secret]) -> Vec<Option<String>> {
        let mut keys = Vec::new();
        for secret in secrets {
            keys.push(self.key_of(secret).await);
        }
        keys
    }

    pub(crate) async fn update_secret_calls(&self) -> usize {
        self.emulator.request_count("UpdateSecret").await.unwrap()
    }

    /// The plan files in the scratch directory.
    pub(crate) fn plan_files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| is_plan_file(path))
            .collect();
        files.sort();
        files
    }
}

fn is_plan_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("secrets-cmk-plan-") && n.ends_with(".json"))
}

pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}
