use secrets_cmk_e2e::{Emulator, LambdaOptions, LambdaProcess, Result};

#[tokio::test]
async fn probe_real_binary() -> Result<()> {
    let t0 = std::time::Instant::now();
    let emulator = Emulator::start().await?;
    eprintln!("PROBE emulator start {:?}", t0.elapsed());
    let t0 = std::time::Instant::now();
    let _lambda = LambdaProcess::start(LambdaOptions::new(&emulator)).await?;
    eprintln!("PROBE lambda start {:?}", t0.elapsed());
    tokio::time::sleep(std::time::Duration::from_secs(30)).await;
    Ok(())
}
