//! `secrets-cmk`: wiring only. Parse the command line, set up logging, load the AWS
//! configuration, dispatch, and turn the outcome into an exit code and a message.

use clap::Parser;
use secrets_cmk_aws::{ConfigSource, SdkConfig, load_sdk_config};
use secrets_cmk_cli::args::Command;
use secrets_cmk_cli::error::{EXIT_ERROR, EXIT_NON_COMPLIANT};
use secrets_cmk_cli::term::Progress;
use secrets_cmk_cli::{Cli, CliError, audit, backout, remediate, template};
use std::io::IsTerminal;
use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit with 2 and --help with 0, printed by clap.
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("secrets-cmk: error: cannot start the async runtime: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match runtime.block_on(dispatch(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            if err.exit_code() == EXIT_NON_COMPLIANT {
                // A finding, not a failure of the tool.
                eprintln!("secrets-cmk: {err}");
            } else if !err.is_quiet() {
                eprintln!("secrets-cmk: error: {err}");
            }
            ExitCode::from(err.exit_code())
        }
    }
}

async fn dispatch(cli: Cli) -> Result<(), CliError> {
    // The first --region seeds the configuration; audit then walks every one given.
    let regions = cli.regions();
    let source = ConfigSource {
        profile: cli.global.profile.clone(),
        region: regions.first().cloned(),
    };
    // An offline check-template reads files only: loading the AWS configuration there
    // would only cost time and print IMDS warnings on a machine without AWS settings.
    let offline = matches!(&cli.command, Command::CheckTemplate(args) if !args.resolve);
    let config = if offline {
        SdkConfig::builder().build()
    } else {
        load_sdk_config(&source).await
    };
    let progress = Progress::on_stderr(cli.global.verbose == 0);
    match &cli.command {
        Command::Audit(args) => audit::run(&config, &regions, args, &progress).await,
        Command::Remediate(args) => remediate::run(&config, &regions, args, &progress).await,
        Command::Backout(args) => backout::run(&config, &regions, args, &progress).await,
        Command::CheckTemplate(args) => template::run(&config, &regions, args).await,
        Command::Doctor(args) => secrets_cmk_cli::doctor::run(&config, &regions, args).await,
        Command::Report(args) => {
            secrets_cmk_cli::report::run(&config, &regions, args, &progress).await
        }
    }
}

/// Logs go to stderr (stdout is for results): warnings only by default; `-v` our progress,
/// `-vv` our details, `-vvv` the AWS SDK's too. `RUST_LOG` wins when set and no `-v` is.
fn init_logging(verbose: u8) {
    let ours = "secrets_cmk_cli={level},secrets_cmk_aws={level},rule_core={level}";
    let filter = match verbose {
        0 => std::env::var("RUST_LOG").unwrap_or_else(|_| "warn".to_owned()),
        1 => format!("warn,{}", ours.replace("{level}", "info")),
        2 => format!("warn,{}", ours.replace("{level}", "debug")),
        _ => "debug".to_owned(),
    };
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
