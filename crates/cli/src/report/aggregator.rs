//! Reading an AWS Config aggregator: the two aggregate read APIs behind one narrow trait
//! ([`AggregateCompliance`], one page a call), their adapter over `aws-sdk-config`
//! ([`ConfigAggregator`]), and [`collect`], which pages through both (the rules kept by
//! name prefix, then each one's results per account and Region) and keeps what it read
//! when a call fails.

use super::rows::ReportRow;
use crate::term::Progress;
use aws_sdk_config::Client;
use aws_sdk_config::types::{AggregateComplianceByConfigRule, AggregateEvaluationResult};
use aws_smithy_types::date_time::Format;
use secrets_cmk_aws::{ApiCalls, AwsError};

/// DescribeAggregateComplianceByConfigRules: the most a page holds (`GroupByAPILimit`).
pub const RULES_PAGE_LIMIT: i32 = 1000;
/// GetAggregateComplianceDetailsByConfigRule: the most a page holds (`Limit`).
pub const RESULTS_PAGE_LIMIT: i32 = 100;

/// The operation names, as counted and as errors name them.
pub const DESCRIBE_AGGREGATE: &str = "config:DescribeAggregateComplianceByConfigRules";
/// See [`DESCRIBE_AGGREGATE`].
pub const GET_AGGREGATE_DETAILS: &str = "config:GetAggregateComplianceDetailsByConfigRule";

/// The error code of an aggregator that does not exist.
pub const NO_SUCH_AGGREGATOR: &str = "NoSuchConfigurationAggregatorException";

/// A rule in one source account and Region, and its compliance there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleScope {
    /// The rule's name in that account.
    pub rule: String,
    /// The source account.
    pub account: String,
    /// The source Region.
    pub region: String,
    /// Config's compliance of the rule there, if it gave one.
    pub compliance: Option<String>,
}

/// One page of something, and the token of the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The next page's token; `None` on the last page.
    pub next_token: Option<String>,
}

/// The aggregator read APIs, a page a call.
pub trait AggregateCompliance {
    /// One page of DescribeAggregateComplianceByConfigRules.
    fn rules_page(
        &self,
        aggregator: &str,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<RuleScope>, AwsError>> + Send;

    /// One page of GetAggregateComplianceDetailsByConfigRule for one rule, account and
    /// Region (every compliance type).
    fn results_page(
        &self,
        aggregator: &str,
        scope: &RuleScope,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<Page<ReportRow>, AwsError>> + Send;
}

/// The adapter over the real client of the aggregator's account and Region.
#[derive(Debug, Clone)]
pub struct ConfigAggregator {
    client: Client,
    calls: ApiCalls,
}

impl ConfigAggregator {
    /// An adapter with its client built from `config` (the aggregator's Region).
    pub fn from_config(config: &secrets_cmk_aws::SdkConfig, calls: ApiCalls) -> ConfigAggregator {
        ConfigAggregator {
            client: Client::new(config),
            calls,
        }
    }
}

/// A token AWS gave, or `None` for the last page (an empty token is no token).
fn token(next: Option<&str>) -> Option<String> {
    next.filter(|t| !t.is_empty()).map(str::to_owned)
}

impl AggregateCompliance for ConfigAggregator {
    async fn rules_page(
        &self,
        aggregator: &str,
        next_token: Option<String>,
    ) -> Result<Page<RuleScope>, AwsError> {
        self.calls.record(DESCRIBE_AGGREGATE);
        let output = self
            .client
            .describe_aggregate_compliance_by_config_rules()
            .configuration_aggregator_name(aggregator)
            .limit(RULES_PAGE_LIMIT)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.calls.failed(DESCRIBE_AGGREGATE, e))?;
        let items = output
            .aggregate_compliance_by_config_rules()
            .iter()
            .map(rule_scope)
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next_token: token(output.next_token()),
        })
    }

    async fn results_page(
        &self,
        aggregator: &str,
        scope: &RuleScope,
        next_token: Option<String>,
    ) -> Result<Page<ReportRow>, AwsError> {
        self.calls.record(GET_AGGREGATE_DETAILS);
        let output = self
            .client
            .get_aggregate_compliance_details_by_config_rule()
            .configuration_aggregator_name(aggregator)
            .config_rule_name(&scope.rule)
            .account_id(&scope.account)
            .aws_region(&scope.region)
            .limit(RESULTS_PAGE_LIMIT)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| self.calls.failed(GET_AGGREGATE_DETAILS, e))?;
        let items = output
            .aggregate_evaluation_results()
            .iter()
            .map(|result| report_row(result, scope))
            .collect::<Result<_, _>>()?;
        Ok(Page {
            items,
            next_token: token(output.next_token()),
        })
    }
}

/// A Describe entry; one without a rule, account or Region cannot be asked about.
fn rule_scope(entry: &AggregateComplianceByConfigRule) -> Result<RuleScope, AwsError> {
    let missing = |what: &str| {
        AwsError::malformed_response(DESCRIBE_AGGREGATE, format!("an entry without {what}"))
    };
    Ok(RuleScope {
        rule: entry
            .config_rule_name()
            .ok_or_else(|| missing("ConfigRuleName"))?
            .to_owned(),
        account: entry
            .account_id()
            .ok_or_else(|| missing("AccountId"))?
            .to_owned(),
        region: entry
            .aws_region()
            .ok_or_else(|| missing("AwsRegion"))?
            .to_owned(),
        compliance: entry
            .compliance()
            .and_then(|c| c.compliance_type())
            .map(|t| t.as_str().to_owned()),
    })
}

/// A result as a row; the account and Region are the result's own when given (they
/// are the scope asked for), and a result without a resource id is malformed.
fn report_row(
    result: &AggregateEvaluationResult,
    scope: &RuleScope,
) -> Result<ReportRow, AwsError> {
    let qualifier = result
        .evaluation_result_identifier()
        .and_then(|id| id.evaluation_result_qualifier());
    let resource_id = qualifier
        .and_then(|q| q.resource_id())
        .ok_or_else(|| {
            AwsError::malformed_response(GET_AGGREGATE_DETAILS, "a result without a ResourceId")
        })?
        .to_owned();
    Ok(ReportRow {
        account: result.account_id().unwrap_or(&scope.account).to_owned(),
        region: result.aws_region().unwrap_or(&scope.region).to_owned(),
        rule: qualifier
            .and_then(|q| q.config_rule_name())
            .unwrap_or(&scope.rule)
            .to_owned(),
        resource_id,
        compliance: result
            .compliance_type()
            .map_or(super::rows::INSUFFICIENT_DATA, |t| t.as_str())
            .to_owned(),
        annotation: result.annotation().map(str::to_owned),
        recorded_at: result
            .result_recorded_time()
            .and_then(|time| time.fmt(Format::DateTime).ok()),
    })
}

/// A call that failed, and what it was reading.
#[derive(Debug)]
pub struct ReadFailure {
    /// What was being read, e.g. `the results of rule secrets-cmk in 111122223333 us-east-1`.
    pub context: String,
    /// The error.
    pub error: AwsError,
}

/// What a report read: every rule kept, every result of them, and the calls that failed.
#[derive(Debug, Default)]
pub struct Collected {
    /// The rules kept (name prefix), per account and Region, in Config's order.
    pub scopes: Vec<RuleScope>,
    /// Their results, in the order read.
    pub rows: Vec<ReportRow>,
    /// The calls that failed (listing the rules stops at the first; each rule's results
    /// stop at its first, the other rules are still read).
    pub failures: Vec<ReadFailure>,
    /// Pages read.
    pub pages: u64,
}

/// Read everything: the rules whose name starts with `prefix`, then each one's results,
/// showing progress.
pub async fn collect<A>(api: &A, aggregator: &str, prefix: &str, progress: &Progress) -> Collected
where
    A: AggregateCompliance + Sync,
{
    let mut collected = Collected::default();
    let mut next_token = None;
    progress.status(format!("{aggregator}: listing the rules"));
    loop {
        match api.rules_page(aggregator, next_token.clone()).await {
            Ok(page) => {
                collected.pages += 1;
                let repeated = page.next_token.is_some() && page.next_token == next_token;
                collected.scopes.extend(
                    page.items
                        .into_iter()
                        .filter(|s| s.rule.starts_with(prefix)),
                );
                progress.status(format!(
                    "{aggregator}: {} rule(s) found ({} pages)",
                    collected.scopes.len(),
                    collected.pages
                ));
                if repeated {
                    collected.failures.push(ReadFailure {
                        context: "listing the rules".to_owned(),
                        error: AwsError::malformed_response(
                            DESCRIBE_AGGREGATE,
                            "the same NextToken twice",
                        ),
                    });
                    break;
                }
                next_token = page.next_token;
                if next_token.is_none() {
                    break;
                }
            }
            Err(error) => {
                collected.failures.push(ReadFailure {
                    context: "listing the rules".to_owned(),
                    error,
                });
                return collected;
            }
        }
    }
    let total = collected.scopes.len() as u64;
    for (done, scope) in (0_u64..).zip(collected.scopes.clone()) {
        progress.counted(
            done,
            total,
            format!(
                "{} {} {}: reading results",
                scope.rule, scope.account, scope.region
            ),
        );
        read_results(api, aggregator, &scope, &mut collected).await;
    }
    collected
}

/// Every page of one rule's results in one account and Region, into `collected`.
async fn read_results<A>(api: &A, aggregator: &str, scope: &RuleScope, collected: &mut Collected)
where
    A: AggregateCompliance + Sync,
{
    let context = || {
        format!(
            "reading the results of rule {} in {} {}",
            scope.rule, scope.account, scope.region
        )
    };
    let mut next_token = None;
    loop {
        match api
            .results_page(aggregator, scope, next_token.clone())
            .await
        {
            Ok(page) => {
                collected.pages += 1;
                collected.rows.extend(page.items);
                if page.next_token.is_some() && page.next_token == next_token {
                    collected.failures.push(ReadFailure {
                        context: context(),
                        error: AwsError::malformed_response(
                            GET_AGGREGATE_DETAILS,
                            "the same NextToken twice",
                        ),
                    });
                    return;
                }
                next_token = page.next_token;
                if next_token.is_none() {
                    return;
                }
            }
            Err(error) => {
                collected.failures.push(ReadFailure {
                    context: context(),
                    error,
                });
                return;
            }
        }
    }
}

#[cfg(test)]
#[path = "aggregator_tests.rs"]
mod tests;
