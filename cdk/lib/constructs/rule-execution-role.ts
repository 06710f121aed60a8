/**
 * The role the central Lambda assumes in a member account: the rule's read-only
 * evaluation permissions, trusted by the central function's role and nothing else.
 */
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { acknowledgeRuleEvaluationResources, ruleEvaluationStatements } from './rule-permissions';

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

    acknowledgeRuleEvaluationResources(this.role);
  }
}
