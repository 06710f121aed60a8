/**
 * What the rule needs in the account it evaluates, shared by the Lambda's own role
 * (single account, and the central account of an organization) and the execution
 * role it assumes in each member account. Read-only on secrets and keys, plus
 * reporting to AWS Config: never secretsmanager:GetSecretValue, never kms:Decrypt.
 *
 * The action names are the contract's (contract/contract.json, the same Sids in each of
 * the three roles); the resources are chosen here, each as narrow as its actions allow.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';
import { anyResourceActions, grantActions, roleActions } from '../contract';
import { acknowledgeWildcardResources } from './nag';

/** The roles that evaluate an account: the rule function's own (either deployment) and the member role. */
export type EvaluatingRole = 'ruleFunction' | 'centralFunction' | 'memberExecution';

/**
 * Actions that support no resource-level permission (the Service Authorization
 * Reference lists no resource type for them), so `*` is their only resource.
 */
export const RULE_ACTIONS_WITHOUT_RESOURCE_TYPES: readonly string[] = anyResourceActions('memberExecution');

/** Every action the rule calls in an evaluated account (the member execution role's). */
export const RULE_EVALUATION_ACTIONS: readonly string[] = roleActions('memberExecution');

/** The statements, with each resource as narrow as the action allows. */
export function ruleEvaluationStatements(role: EvaluatingRole): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ActionsWithoutResourceTypes',
      actions: grantActions(role, 'ActionsWithoutResourceTypes'),
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeOwnSecrets',
      actions: grantActions(role, 'DescribeOwnSecrets'),
      // Any Region: replica details are read where the replicas live.
      resources: [`arn:${Aws.PARTITION}:secretsmanager:*:${Aws.ACCOUNT_ID}:secret:*`],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeSecretKeys',
      actions: grantActions(role, 'DescribeSecretKeys'),
      // A secret may use a key of another account (row 10 of the decision table) and
      // replicas use keys of other Regions; DescribeKey reveals metadata only.
      resources: [`arn:${Aws.PARTITION}:kms:*:*:key/*`],
    }),
    new iam.PolicyStatement({
      sid: 'ReadOwnRuleResults',
      actions: grantActions(role, 'ReadOwnRuleResults'),
      // Config appends a generated id to a rule's ARN, and a conformance pack renames the rule.
      resources: [`arn:${Aws.PARTITION}:config:${Aws.REGION}:${Aws.ACCOUNT_ID}:config-rule/*`],
    }),
  ];
}

/** Acknowledges cdk-nag's AwsSolutions-IAM5 for each wildcard resource of `ruleEvaluationStatements`. */
export function acknowledgeRuleEvaluationResources(role: IConstruct): void {
  acknowledgeWildcardResources(role, {
    '*':
      'secretsmanager:ListSecrets, config:PutEvaluations and config:GetResourceConfigHistory support no ' +
      'resource-level permissions; `*` is the only resource they accept.',
    'arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*':
      'The rule evaluates every secret of the account (that is its purpose), including replicas in other ' +
      'Regions; scoped to this account and to the read-only DescribeSecret.',
    'arn:<AWS::Partition>:kms:*:*:key/*':
      'Secrets may use keys of other accounts and their replicas keys of other Regions; kms:DescribeKey ' +
      'returns key metadata only (no cryptographic use).',
    'arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-rule/*':
      'A Config rule ARN ends in a generated id unknown before deployment, and conformance packs rename ' +
      'rules; read-only GetComplianceDetailsByConfigRule scoped to this account and Region.',
  });
}
