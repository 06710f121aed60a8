//! `secrets-cmk check-template`: the decision table on CloudFormation templates and CDK
//! cloud assemblies, before anything is deployed.
//!
//! | module | what |
//! |---|---|
//! | [`source`] | which files a PATH names (a template, a `cdk.out`, a directory); reading within the size limit |
//! | [`read`] | bytes to a tree: the encoding check, JSON and YAML (short-form tags, lines), bounded |
//! | [`node`] | the tree: values with their lines |
//! | [`model`] | a template's resources, parameters and mappings; circular dependencies refused |
//! | [`expr`] | what a key expression can be, through Ref, GetAtt, Sub, Join, If, parameter defaults |
//! | [`judge`] | template facts to rule-core's `SecretFacts` and key facts, decided by rule-core (with `facts`) |
//! | [`render`], [`sarif`] | JSON, table and SARIF 2.1.0 output |
//! | [`limits`] | the bounds on untrusted input, and the error of a refused file |
//! | [`offline`] | bytes to findings without I/O: the check without `--resolve`, and the fuzz target's entry |
//!
//! Without `--resolve` nothing leaves the machine: the template is judged as deployed in
//! a placeholder scope (account `000000000000`, Region `zz-stack-1`), in which a key of
//! the template is a known customer managed key and anything else of the deploying
//! account is not verifiable. With `--resolve` the scope is the caller's account
//! (GetCallerIdentity) and Region, and rule-core's lookups are made with DescribeKey
//! through the shared `KeyDirectory` adapter; rule-core never asks for a key of an
//! untrusted account or another Region, so such a key is never described.

pub mod expr;
mod facts;
pub mod judge;
pub mod limits;
pub mod model;
pub mod node;
pub mod offline;
pub mod people;
pub mod read;
pub mod render;
pub mod sarif;
pub mod source;

use crate::args::{CheckTemplateArgs, TemplateFormat};
use crate::error::CliError;
use crate::output::{ReportMeta, html, render_findings};
use crate::term::stdout_view;
use judge::{Finding, Judge};
use node::Node;
pub use offline::{OFFLINE_ACCOUNT, OFFLINE_REGION, judge_offline, offline_scope, parse_bytes};
use render::Counts;
use rule_core::{QualifiedKeyRef, Scope, partition_of_region};
use secrets_cmk_aws::clients::region_of;
use secrets_cmk_aws::{ApiCalls, AwsError, KeyCache, KmsKeyDirectory, SdkConfig};
use source::{PathError, TemplateFile};

/// A template file read into its tree.
#[derive(Debug)]
pub struct ParsedFile {
    /// The path, as shown.
    pub shown: String,
    /// The tree.
    pub root: Node,
}

/// Read one template file: size, encoding, syntax, limits.
pub fn parse_file(file: &TemplateFile) -> Result<ParsedFile, PathError> {
    let shown = source::shown(&file.path);
    let fail = |error| PathError {
        path: shown.clone(),
        error,
    };
    let bytes = source::read_bytes(&file.path).map_err(fail)?;
    let root = parse_bytes(&bytes).map_err(fail)?;
    Ok(ParsedFile { shown, root })
}

/// Run `check-template`: read, judge, write the findings to stdout, refused files to
/// stderr, and end with the exit status the help states.
pub async fn run(
    base: &SdkConfig,
    regions: &[String],
    args: &CheckTemplateArgs,
) -> Result<(), CliError> {
    let params = args.rule.parameters()?;
    let scope = if args.resolve {
        Some(resolve_scope(base, regions).await?)
    } else {
        None
    };
    let (files, mut refused) = source::discover(&args.paths);
    let mut parsed = Vec::new();
    for file in &files {
        match parse_file(file) {
            Ok(file) => parsed.push(file),
            // A file found in a directory that is not a template is none of our business.
            Err(error)
                if !file.named
                    && error
                        .error
                        .problem
                        .starts_with("not a CloudFormation template") =>
            {
                tracing::info!(file = %error.path, "skipped: not a CloudFormation template");
            }
            Err(error) => refused.push(error),
        }
    }
    let templates: Vec<model::Template<'_>> = parsed
        .iter()
        .filter_map(|file| model::Template::read(&file.root).ok())
        .collect();
    let offline_region = scope.is_none().then(|| OFFLINE_REGION.to_owned());
    let judges: Vec<Judge<'_, '_>> = templates
        .iter()
        .map(|template| {
            Judge::new(
                template,
                scope.clone().unwrap_or_else(offline_scope),
                args.resolve,
                offline_region.clone(),
            )
        })
        .collect();
    let subjects: Vec<Vec<judge::Subject>> =
        judges.iter().map(|judge| judge.subjects(&params)).collect();

    let mut cache = KeyCache::new();
    if let Some(scope) = &scope {
        let mut needed: Vec<QualifiedKeyRef> = Vec::new();
        for (judge, subjects) in judges.iter().zip(&subjects) {
            for key in judge.lookups(subjects, &params) {
                if !needed.contains(&key) {
                    needed.push(key);
                }
            }
        }
        let calls = ApiCalls::new();
        let directory = KmsKeyDirectory::new(
            secrets_cmk_aws::clients::in_region(base, &scope.region),
            calls.clone(),
        );
        cache.resolve(&directory, needed).await;
        tracing::info!(calls = ?calls.snapshot(), "keys described");
    }
    let findings: Vec<Finding> = judges
        .iter()
        .zip(&subjects)
        .zip(&parsed)
        .flat_map(|((judge, subjects), file)| {
            subjects
                .iter()
                .map(|subject| judge.finding(subject, &params, &cache, &file.shown))
                .collect::<Vec<_>>()
        })
        .collect();

    let counts = Counts::of(&findings, parsed.len(), refused.len());
    let text = match args.format {
        TemplateFormat::Table if args.output.is_some() => {
            render_findings(&counts.line(), &people::findings(&findings), &plain(args))
        }
        TemplateFormat::Table => render_findings(
            &counts.line(),
            &people::findings(&findings),
            &stdout_view(args.show),
        ),
        TemplateFormat::Json => {
            render::json(&findings).map_err(|e| CliError::Usage(format!("rendering JSON: {e}")))?
        }
        TemplateFormat::Sarif => sarif::sarif(&findings, &refused)
            .map_err(|e| CliError::Usage(format!("rendering SARIF: {e}")))?,
        TemplateFormat::Html => {
            html::render(&people::findings(&findings), &report_meta(&counts, args))
                .map_err(|e| CliError::Usage(format!("rendering HTML: {e}")))?
        }
    };
    crate::audit::write_output(args.output.as_deref(), &text)?;
    for error in &refused {
        eprintln!("secrets-cmk: error: {}: {}", error.path, error.error);
    }
    if args.format != TemplateFormat::Table || args.output.is_some() {
        eprintln!("{}", counts.line());
    }
    if let Some(path) = &args.output {
        eprintln!(
            "secrets-cmk: wrote the {:?} output to {}",
            args.format,
            path.display()
        );
    }
    outcome(&counts)
}

/// A table written to a file: every line whole, no colour.
fn plain(args: &CheckTemplateArgs) -> crate::output::table::TableView {
    crate::output::table::TableView {
        show: args.show,
        width: None,
        colour: false,
    }
}

/// What the HTML report says about the run.
fn report_meta(counts: &Counts, args: &CheckTemplateArgs) -> ReportMeta {
    let paths: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let leading = vec![
        ("Templates".to_owned(), paths.join(", ")),
        ("resolve".to_owned(), args.resolve.to_string()),
    ];
    crate::audit::run_meta(
        "secrets-cmk check-template",
        counts.line(),
        leading,
        &args.rule,
        "(the stack's own account)",
    )
}

/// The exit status: refused files or unverified resources are 2, and win over
/// NON_COMPLIANT findings (1).
pub fn outcome(counts: &Counts) -> Result<(), CliError> {
    let mut missing = Vec::new();
    if counts.refused > 0 {
        missing.push(format!(
            "{} file(s) refused (the errors above name each)",
            counts.refused
        ));
    }
    if counts.unverified > 0 {
        missing.push(format!(
            "{} resource(s) could not be verified from the template (compliance null; the reason says why)",
            counts.unverified
        ));
    }
    if !missing.is_empty() {
        return Err(CliError::Incomplete(format!(
            "check-template incomplete: {}",
            missing.join("; ")
        )));
    }
    if counts.non_compliant > 0 {
        return Err(CliError::TemplateFindings {
            count: counts.non_compliant,
        });
    }
    Ok(())
}

/// The scope `--resolve` judges in: the Region given or configured, the caller's account.
async fn resolve_scope(base: &SdkConfig, regions: &[String]) -> Result<Scope, CliError> {
    let region = match crate::args::single_region(regions, "check-template")? {
        Some(region) => region.to_owned(),
        None => region_of(base).ok_or(CliError::NoRegion)?,
    };
    let config = secrets_cmk_aws::clients::in_region(base, &region);
    let sts = aws_sdk_sts::Client::new(&config);
    let identity = sts.get_caller_identity().send().await.map_err(|e| {
        CliError::aws(
            format!("--resolve: GetCallerIdentity in {region}"),
            AwsError::from_sdk("GetCallerIdentity", e),
        )
    })?;
    let account = identity
        .account()
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            CliError::Usage("--resolve: GetCallerIdentity returned no 12-digit account".to_owned())
        })?;
    Ok(Scope {
        partition: partition_of_region(&region).to_owned(),
        account: account.to_owned(),
        region,
    })
}
