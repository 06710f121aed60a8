//! [`collect`] over an in-memory aggregator: paging, the prefix, and failures.

use super::*;
use crate::report::rows::tests::row;
use secrets_cmk_aws::FailureKind;
use std::collections::HashMap;
use std::sync::Mutex;

/// A rule's results in one account, by page token.
type ResultsKey = (String, String, Option<String>);

/// Pages by token (`None`: the first), for the rules and for each rule scope.
#[derive(Default)]
struct FakeAggregator {
    rules: HashMap<Option<String>, Result<Page<RuleScope>, FailureKind>>,
    results: HashMap<ResultsKey, Result<Page<ReportRow>, FailureKind>>,
    asked: Mutex<Vec<String>>,
}

fn error(kind: FailureKind, operation: &'static str) -> AwsError {
    AwsError {
        operation,
        kind,
        code: "AccessDeniedException".to_owned(),
        message: "not allowed".to_owned(),
        source: None,
    }
}

fn scope(rule: &str, account: &str) -> RuleScope {
    RuleScope {
        rule: rule.to_owned(),
        account: account.to_owned(),
        region: "us-east-1".to_owned(),
        compliance: Some("NON_COMPLIANT".to_owned()),
    }
}

fn page<T>(items: Vec<T>, next: Option<&str>) -> Page<T> {
    Page {
        items,
        next_token: next.map(str::to_owned),
    }
}

impl FakeAggregator {
    fn rules(mut self, token: Option<&str>, page: Result<Page<RuleScope>, FailureKind>) -> Self {
        self.rules.insert(token.map(str::to_owned), page);
        self
    }

    fn results(
        mut self,
        rule: &str,
        account: &str,
        token: Option<&str>,
        page: Result<Page<ReportRow>, FailureKind>,
    ) -> Self {
        self.results.insert(
            (
                rule.to_owned(),
                account.to_owned(),
                token.map(str::to_owned),
            ),
            page,
        );
        self
    }

    fn asked(&self) -> Vec<String> {
        self.asked.lock().unwrap().clone()
    }
}

impl AggregateCompliance for FakeAggregator {
    async fn rules_page(
        &self,
        _aggregator: &str,
        next_token: Option<String>,
    ) -> Result<Page<RuleScope>, AwsError> {
        self.asked
            .lock()
            .unwrap()
            .push(format!("rules {next_token:?}"));
        match self.rules.get(&next_token) {
            Some(Ok(page)) => Ok(page.clone()),
            Some(Err(kind)) => Err(error(*kind, DESCRIBE_AGGREGATE)),
            None => Ok(page(vec![], None)),
        }
    }

    async fn results_page(
        &self,
        _aggregator: &str,
        scope: &RuleScope,
        next_token: Option<String>,
    ) -> Result<Page<ReportRow>, AwsError> {
        self.asked.lock().unwrap().push(format!(
            "results {} {} {next_token:?}",
            scope.rule, scope.account
        ));
        let key = (scope.rule.clone(), scope.account.clone(), next_token);
        match self.results.get(&key) {
            Some(Ok(page)) => Ok(page.clone()),
            Some(Err(kind)) => Err(error(*kind, GET_AGGREGATE_DETAILS)),
            None => Ok(page(vec![], None)),
        }
    }
}

fn names(rows: &[ReportRow]) -> Vec<&str> {
    rows.iter()
        .map(|r| r.resource_id.rsplit(':').next().unwrap())
        .collect()
}

#[tokio::test]
async fn every_page_of_the_kept_rules_is_read_once() {
    // GIVEN two pages of rules (ours, a conformance pack's copy, and another rule), and
    // two pages of results for ours
    let fake = FakeAggregator::default()
        .rules(
            None,
            Ok(page(
                vec![
                    scope("secrets-cmk", "111111111111"),
                    scope("other-rule", "111111111111"),
                ],
                Some("r2"),
            )),
        )
        .rules(
            Some("r2"),
            Ok(page(
                vec![scope("secrets-cmk-conformance-pack-x1", "222222222222")],
                None,
            )),
        )
        .results(
            "secrets-cmk",
            "111111111111",
            None,
            Ok(page(
                vec![row("111111111111", "a", "COMPLIANT")],
                Some("p2"),
            )),
        )
        .results(
            "secrets-cmk",
            "111111111111",
            Some("p2"),
            Ok(page(vec![row("111111111111", "b", "NON_COMPLIANT")], None)),
        )
        .results(
            "secrets-cmk-conformance-pack-x1",
            "222222222222",
            None,
            Ok(page(vec![row("222222222222", "c", "NON_COMPLIANT")], None)),
        );
    // WHEN collected with the default prefix
    let collected = collect(&fake, "org", "secrets-cmk", &Progress::hidden()).await;
    // THEN the two rules of that prefix are kept, every page of each is read, nothing fails
    let kept: Vec<&str> = collected.scopes.iter().map(|s| s.rule.as_str()).collect();
    assert_eq!(kept, ["secrets-cmk", "secrets-cmk-conformance-pack-x1"]);
    assert_eq!(names(&collected.rows), ["a-AbCdEf", "b-AbCdEf", "c-AbCdEf"]);
    assert!(collected.failures.is_empty());
    assert_eq!(collected.pages, 5);
    assert!(
        !fake.asked().iter().any(|a| a.contains("other-rule")),
        "{:?}",
        fake.asked()
    );
}

#[tokio::test]
async fn a_failed_rule_listing_keeps_what_was_read_and_stops() {
    // GIVEN the second page of rules is denied
    let fake = FakeAggregator::default()
        .rules(
            None,
            Ok(page(vec![scope("secrets-cmk", "111111111111")], Some("r2"))),
        )
        .rules(Some("r2"), Err(FailureKind::AccessDenied))
        .results(
            "secrets-cmk",
            "111111111111",
            None,
            Ok(page(vec![row("111111111111", "a", "COMPLIANT")], None)),
        );
    // WHEN collected
    let collected = collect(&fake, "org", "secrets-cmk", &Progress::hidden()).await;
    // THEN the failure is kept, no results are read for a listing that did not end
    assert_eq!(collected.failures.len(), 1);
    assert_eq!(collected.failures[0].context, "listing the rules");
    assert_eq!(collected.failures[0].error.kind, FailureKind::AccessDenied);
    assert!(collected.rows.is_empty());
    assert_eq!(collected.scopes.len(), 1);
}

#[tokio::test]
async fn a_failed_rule_scope_is_reported_and_the_others_are_still_read() {
    // GIVEN the results of one account fail on their second page
    let fake = FakeAggregator::default()
        .rules(
            None,
            Ok(page(
                vec![
                    scope("secrets-cmk", "111111111111"),
                    scope("secrets-cmk", "222222222222"),
                ],
                None,
            )),
        )
        .results(
            "secrets-cmk",
            "111111111111",
            None,
            Ok(page(
                vec![row("111111111111", "a", "COMPLIANT")],
                Some("p2"),
            )),
        )
        .results(
            "secrets-cmk",
            "111111111111",
            Some("p2"),
            Err(FailureKind::Throttled),
        )
        .results(
            "secrets-cmk",
            "222222222222",
            None,
            Ok(page(vec![row("222222222222", "b", "COMPLIANT")], None)),
        );
    // WHEN collected
    let collected = collect(&fake, "org", "secrets-cmk", &Progress::hidden()).await;
    // THEN the first page of the failed one and all of the other are kept
    assert_eq!(names(&collected.rows), ["a-AbCdEf", "b-AbCdEf"]);
    assert_eq!(collected.failures.len(), 1);
    assert_eq!(
        collected.failures[0].context,
        "reading the results of rule secrets-cmk in 111111111111 us-east-1"
    );
}

#[tokio::test]
async fn a_token_that_repeats_ends_the_paging_with_an_error() {
    // GIVEN a service answering the same token forever
    let fake = FakeAggregator::default()
        .rules(
            None,
            Ok(page(vec![scope("secrets-cmk", "111111111111")], Some("t"))),
        )
        .rules(Some("t"), Ok(page(vec![], Some("t"))));
    // WHEN collected / THEN it ends, saying why
    let collected = collect(&fake, "org", "secrets-cmk", &Progress::hidden()).await;
    assert_eq!(collected.failures.len(), 1);
    assert_eq!(collected.failures[0].error.code, "MalformedResponse");
    assert_eq!(fake.asked().len(), 3, "{:?}", fake.asked());
}

#[tokio::test]
async fn an_empty_page_with_a_token_is_followed() {
    // GIVEN (as the API notes) an empty page that still has a next token
    let fake = FakeAggregator::default()
        .rules(None, Ok(page(vec![], Some("r2"))))
        .rules(
            Some("r2"),
            Ok(page(vec![scope("secrets-cmk", "111111111111")], None)),
        );
    let collected = collect(&fake, "org", "secrets-cmk", &Progress::hidden()).await;
    assert_eq!(collected.scopes.len(), 1);
    assert!(collected.failures.is_empty());
}
