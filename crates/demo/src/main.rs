//! `make demo`: the whole job on the embedded default, a local AWS emulator with a demo
//! estate, with nothing set up by hand.
//!
//! 1. start the emulator on loopback;
//! 2. seed a demo estate with a secret for each decision-table row;
//! 3. run the real `secrets-cmk-rule` binary through the Lambda Runtime API for a
//!    scheduled and a change event;
//! 4. print the verdicts as Config recorded them;
//! 5. remediate with the CLI (plan, then apply), re-evaluate to show the fix, and back
//!    one secret out;
//! 6. audit a whole organization (three accounts, two Regions) in one run, and once more
//!    with one member's role denied ([`organization`]);
//! 7. run the rule in every member account and Region, then read every account's
//!    results centrally from an organization aggregator with `secrets-cmk report`, as a
//!    table and the HTML report, checked against what the rule recorded ([`org_report`]);
//! 8. stop everything and say where to go next.
//!
//! The two binaries it runs are found next to its own executable ([`binaries`]).

#![allow(clippy::print_stdout)] // the demo's output is its point

mod binaries;
mod estate;
mod org_report;
mod organization;
mod show;

use binaries::Binaries;
use estate::DemoEstate;
use secrets_cmk_harness::events::{
    CiStatus, RULE_NAME, RuleContext, SecretCi, change_event, now, scheduled_event,
};
use secrets_cmk_harness::{
    DEFAULT_ACCOUNT, DEFAULT_REGION, Emulator, Error, InvocationOutcome, LambdaOptions,
    LambdaProcess, Result,
};
use serde_json::Value;
use show::{step, verdict_table};
use std::path::Path;
use std::process::{Command, ExitCode};

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\ndemo failed: {error:?}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let binaries = Binaries::beside_this_executable()?;
    step(
        1,
        "Starting the AWS emulator (moto + our patch layer) on loopback",
    );
    let emulator = Emulator::start().await?;
    println!("    endpoint {}", emulator.endpoint());

    step(
        2,
        "Seeding a demo estate: one secret for each row of the decision table",
    );
    let estate = DemoEstate::seed(&emulator).await?;
    estate.print();

    step(
        3,
        "Running the real secrets-cmk-rule binary under the Lambda Runtime API",
    );
    // Warnings only from the Lambda: the demo prints each invocation's summary itself.
    let lambda = LambdaProcess::start(
        LambdaOptions::new(&binaries.rule, &emulator).with_env("RUST_LOG", "warn"),
    )
    .await?;
    let parameters = estate.rule_parameters();
    println!("    rule parameters: {parameters}");
    let rule = Rule {
        emulator: &emulator,
        lambda: &lambda,
        parameters: &parameters,
    };
    let token = rule
        .sweep("a ScheduledNotification (the periodic sweep)")
        .await?;
    let deleted = SecretCi::for_arn(estate.gone_arn()).with_status(CiStatus::ResourceDeleted);
    let change_token = rule
        .change(
            &deleted,
            "a ConfigurationItemChangeNotification for a deleted secret",
        )
        .await?;

    step(
        4,
        "The verdicts, as AWS Config recorded them (PutEvaluations)",
    );
    let mut recorded = show::recorded(&emulator, &token).await?;
    recorded.extend(show::recorded(&emulator, &change_token).await?);
    println!("{}", verdict_table(&recorded, &estate));

    step(
        5,
        "Remediating with the CLI: a dry run, then --apply, then a backout",
    );
    let workdir = std::env::temp_dir().join(format!("secrets-cmk-demo-{}", std::process::id()));
    std::fs::create_dir_all(&workdir).map_err(|e| Error::Io {
        context: "creating the demo work directory".into(),
        source: e,
    })?;
    let plan = workdir.join("plan.json");
    let target = estate::APPROVED_ALIAS;
    // The CLI takes the rule's parameters as flags, so it sees what the rule sees.
    let approved = estate.approved_keys();
    let rule_flags = [
        "--kms-key-arns",
        approved.as_str(),
        "--exemption-tag-key",
        estate::EXEMPTION_TAG,
    ];
    let with_flags = |args: &[&'static str]| -> Vec<String> {
        args.iter()
            .map(|a| (*a).to_owned())
            .chain(rule_flags.iter().map(|f| (*f).to_owned()))
            .collect()
    };
    cli(
        &binaries.cli,
        &emulator,
        &with_flags(&["audit"]),
        "audit, as an auditor would",
        &[0],
    )?;
    // The same audit as the HTML report a person hands on; it outlives the demo.
    let report = binaries.cli.with_file_name("secrets-cmk-demo-report.html");
    let mut html = with_flags(&["audit", "--format", "html", "--output"]);
    html.insert(4, path_str(&report));
    let what = "audit --format html: the self-contained report";
    cli(&binaries.cli, &emulator, &html, what, &[0])?;
    println!(
        "    the HTML report is {} (open it in a browser)",
        report.display()
    );
    // doctor checks what a real account needs. The demo drives the rule itself, so the
    // emulator has no Config recorder and no deployed rule: doctor fails those two checks
    // with their fixes (exit 1) and says which checks it could not make, and why.
    let doctor = [
        "doctor".to_owned(),
        "--rule-name".to_owned(),
        RULE_NAME.to_owned(),
    ];
    let what = "doctor: read-only checks of the account the rule relies on";
    cli(&binaries.cli, &emulator, &doctor, what, &[1])?;
    println!(
        "    doctor shows what a real account still lacks here: no recorder of\n    \
         AWS::SecretsManager::Secret, no deployed rule (this demo invokes the rule itself)"
    );
    // The multi-Region secret is refused (re-keying the primary does not fix its
    // replica): the CLI says so and exits 2 after doing the rest.
    let mut dry_run = with_flags(&["remediate", "--kms-key-id"]);
    dry_run.insert(2, target.to_owned());
    cli(
        &binaries.cli,
        &emulator,
        &dry_run,
        "remediate (dry run: prints the plan, changes nothing)",
        &[0, 2],
    )?;
    let mut apply = dry_run.clone();
    apply.extend(["--apply".to_owned(), "--plan".to_owned(), path_str(&plan)]);
    cli(
        &binaries.cli,
        &emulator,
        &apply,
        "remediate --apply (pre-checks, UpdateSecret, verify)",
        &[0, 2],
    )?;

    let token = rule
        .sweep("the periodic sweep again, after the fix")
        .await?;
    println!(
        "{}",
        verdict_table(&show::recorded(&emulator, &token).await?, &estate)
    );

    let one = workdir.join("backout-one.json");
    let backed_out = keep_one_entry(&plan, &one, estate::BACKOUT_EXAMPLE)?;
    let backout = vec!["backout".to_owned(), "--plan".to_owned(), path_str(&one)];
    cli(
        &binaries.cli,
        &emulator,
        &backout,
        &format!("backout (dry run) of {backed_out}"),
        &[0],
    )?;
    let mut apply_backout = backout.clone();
    apply_backout.push("--apply".to_owned());
    cli(
        &binaries.cli,
        &emulator,
        &apply_backout,
        &format!("backout --apply of {backed_out}"),
        &[0],
    )?;
    let ci = SecretCi::for_arn(estate.arn_of(estate::BACKOUT_EXAMPLE));
    let token = rule
        .change(&ci, "the change notification Config sends for it")
        .await?;
    println!(
        "{}",
        verdict_table(&show::recorded(&emulator, &token).await?, &estate)
    );

    step(
        6,
        "Auditing a whole organization: the demo account and two members, two Regions",
    );
    let members = organization::show_organization_audit(&emulator, &binaries.cli).await?;

    step(
        7,
        "The deployed rule's results for the whole organization, read from an aggregator",
    );
    org_report::show_report(&emulator, &binaries, &members, &organization::REGIONS).await?;

    step(8, "Stopping everything this demo started");
    lambda.stop();
    emulator.stop();
    let _ = std::fs::remove_dir_all(&workdir);
    println!(
        "    done. Next: deploy to a real account with the CDK app (make synth, then\n    \
         make deploy STACK=SecretsCmk; see cdk/README.md), or audit a real account with\n    \
         target/debug/secrets-cmk audit --region <region> (standard AWS credentials)."
    );
    Ok(())
}

/// The deployed rule, as Config drives it: events in, evaluations recorded.
struct Rule<'a> {
    emulator: &'a Emulator,
    lambda: &'a LambdaProcess,
    parameters: &'a str,
}

impl Rule<'_> {
    /// Invoke one scheduled notification; returns its result token.
    async fn sweep(&self, what: &str) -> Result<String> {
        let context = self.context().await?;
        println!("    invoking with {what}");
        finish(
            self.lambda
                .invoke_event(&scheduled_event(&context, now()))
                .await?,
        )?;
        Ok(context.result_token)
    }

    /// Invoke one change notification for `ci`; returns its result token.
    async fn change(&self, ci: &SecretCi, what: &str) -> Result<String> {
        let context = self.context().await?;
        println!("    invoking with {what}");
        finish(
            self.lambda
                .invoke_event(&change_event(&context, &ci.to_json(), false))
                .await?,
        )?;
        Ok(context.result_token)
    }

    async fn context(&self) -> Result<RuleContext> {
        let token = self.emulator.mint_result_token(RULE_NAME).await?;
        Ok(RuleContext::new(DEFAULT_ACCOUNT, DEFAULT_REGION)
            .with_parameters(self.parameters)
            .with_result_token(token))
    }
}

/// Print the invocation's summary (the rule's response), or fail the demo with its error.
fn finish(outcome: InvocationOutcome) -> Result<()> {
    let response = outcome.into_response()?;
    let field = |name: &str| response.get(name).cloned().unwrap_or(Value::Null);
    println!(
        "      reported {}  api calls {}  {} ms",
        field("reported"),
        field("apiCalls"),
        field("elapsedMs")
    );
    Ok(())
}

/// Run the built CLI against the emulator, echoing the command and its output; fail
/// the demo on an exit code not in `expected`. Returns what it printed on stdout.
fn cli(
    binary: &Path,
    emulator: &Emulator,
    args: &[String],
    what: &str,
    expected: &[i32],
) -> Result<String> {
    println!("\n    $ secrets-cmk {}        # {what}", args.join(" "));
    let output = run_cli(binary, emulator, args)?;
    for line in String::from_utf8_lossy(&output.stdout)
        .lines()
        .chain(String::from_utf8_lossy(&output.stderr).lines())
    {
        println!("    | {line}");
    }
    match output.status.code() {
        Some(code) if expected.contains(&code) => {
            println!("    (exit {code})");
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        }
        other => Err(Error::Invalid(format!(
            "secrets-cmk {} exited with {other:?}",
            args.join(" ")
        ))),
    }
}

/// Run the built CLI as the demo account against the emulator, in a clean environment.
fn run_cli(binary: &Path, emulator: &Emulator, args: &[String]) -> Result<std::process::Output> {
    Command::new(binary)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", std::env::temp_dir())
        .env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_REGION", DEFAULT_REGION)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .map_err(|e| Error::Io {
            context: format!("running {}", binary.display()),
            source: e,
        })
}

/// Write a copy of `plan` that holds only the entry for secret `name`.
fn keep_one_entry(plan: &Path, into: &Path, name: &str) -> Result<String> {
    let read = |e| Error::Io {
        context: format!("reading {}", plan.display()),
        source: e,
    };
    let mut value: Value = serde_json::from_str(&std::fs::read_to_string(plan).map_err(read)?)
        .map_err(|e| Error::Invalid(format!("{} is not JSON: {e}", plan.display())))?;
    let entries = value
        .get_mut("entries")
        .and_then(Value::as_array_mut)
        .ok_or_else(|| Error::Invalid("the plan has no entries".into()))?;
    entries.retain(|e| e.get("secret_name").and_then(Value::as_str) == Some(name));
    if entries.is_empty() {
        return Err(Error::Invalid(format!("the plan does not cover {name}")));
    }
    std::fs::write(into, value.to_string()).map_err(|e| Error::Io {
        context: format!("writing {}", into.display()),
        source: e,
    })?;
    Ok(name.to_owned())
}

fn path_str(path: &Path) -> String {
    path.display().to_string()
}
