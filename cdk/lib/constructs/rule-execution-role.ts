/**
 * The role the central Lambda assumes in a member account: the rule's read-only
 * evaluation permissions, trusted by the central function's role and nothing else.
 */
import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ruleEvaluationStatements } from './rule-permissions';

export interface RuleExecutionRoleProps {
  /** The same name in every member account (the rule parameter / env var names it). */
  readonly roleName: string;
  /** ARN of the central function's role, the only principal that may assume this role. */
  readonly trustedRoleArn: string;
}

export class RuleExecutionRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: RuleExecutionRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'secrets-cmk: assumed by the central rule function to evaluate this account',
      assumedBy: new iam.ArnPrincipal(props.trustedRoleArn),
      inlinePolicies: {
        RuleEvaluation: new iam.PolicyDocument({ statements: ruleEvaluationStatements('memberExecution') }),
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'secretsmanager:ListSecrets, config:PutEvaluations and config:GetResourceConfigHistory support no ' +
        'resource-level permissions; `*` is the only resource they accept.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*]',
      reason:
        'The rule evaluates every secret of the account, replicas included; read-only DescribeSecret in this account.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:*:*:key/*]',
      reason: 'Secrets may use keys of other accounts and Regions; kms:DescribeKey returns metadata only.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:config:<AWS::Region>:<AWS::AccountId>:config-rule/*]',
      reason: 'Rule ARNs end in a generated id and conformance packs rename rules; read-only, this account and Region.',
    });
  }
}
