//! The stage every end-to-end test binary plays on: an emulator and the Lambda process
//! started against it, both stopped on drop. Each binary includes this file
//! (`#[path]`) and adds the readers it needs in its own `impl Stage` block.

use secrets_cmk_e2e::emulator::Emulator;
use secrets_cmk_e2e::lambda::{LambdaOptions, LambdaProcess};
use secrets_cmk_e2e::{DEFAULT_REGION, Result};

pub struct Stage {
    pub emulator: Emulator,
    pub lambda: LambdaProcess,
}

impl Stage {
    pub async fn start() -> Result<Stage> {
        Stage::start_with(|options| options).await
    }

    pub async fn start_with(
        configure: impl FnOnce(LambdaOptions) -> LambdaOptions,
    ) -> Result<Stage> {
        let emulator = Emulator::start().await?;
        let lambda = LambdaProcess::start(configure(LambdaOptions::new(&emulator))).await?;
        Ok(Stage { emulator, lambda })
    }

    pub fn secretsmanager(&self) -> aws_sdk_secretsmanager::Client {
        self.emulator.secretsmanager(DEFAULT_REGION)
    }

    pub fn kms(&self) -> aws_sdk_kms::Client {
        self.emulator.kms(DEFAULT_REGION)
    }
}
