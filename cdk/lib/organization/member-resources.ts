/**
 * What the organization deployment puts into one account and Region, whichever the
 * placement: the Config rule and its re-key remediation, the two runbooks and their
 * roles, and either the invoke permission of the account's own function (`members`) or
 * the execution role the central function assumes (`central`). The StackSet's member
 * stack holds it; with `callAs=SELF` the management account's stacks hold it too, since
 * a service-managed StackSet never deploys to the management account.
 *
 * The rule and its remediation live here, not in an organization conformance pack,
 * because here CloudFormation resolves `AWS::AccountId` and `AWS::Region` in the member
 * account: the rule names this account's function, and the remediation's
 * `AutomationAssumeRole` is this account's remediation role. No AWS source says that an
 * organization conformance pack template resolves them (docs/aws-behaviour.md), and a pack
 * demands a literal `AutomationAssumeRole`, which one pack for every account cannot be.
 */
import { Aws, CfnResource } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct, IDependable } from 'constructs';
import type { KeyTrust, PeriodicFrequency, RemediationSettings, RuleParameters } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleExecutionRole } from '../constructs/rule-execution-role';
import { configInvokePermission } from '../constructs/secrets-cmk-rule';
import { REKEY_DOCUMENT_NAME } from '../names';
import { configRuleResource, remediationConfigurationResource } from '../rule-template';
import { regionalRoleName } from './naming';

/** The rule as the deployment's settings define it, the same in every account. */
export interface MemberRuleSettings {
  readonly ruleName: string;
  readonly ruleParameters: RuleParameters;
  readonly periodicFrequency: PeriodicFrequency;
  readonly remediation?: RemediationSettings;
  readonly keyTrust: KeyTrust;
  /** Base names; the Region is appended (`regionalRoleName`). */
  readonly remediationRoleName: string;
  readonly restoreRoleName: string;
}

/** Which function evaluates the account. */
export type Evaluator =
  /** A function of this account (placement `members`, or the central account itself). */
  | { readonly kind: 'own'; readonly function: lambda.IFunction; readonly permits: boolean }
  /** The central function of the Region, in another account; it assumes `executionRole`. */
  | {
      readonly kind: 'central';
      readonly functionArn: string;
      /** Absent in the central account itself, where the function uses its own role. */
      readonly executionRole?: { readonly roleName: string; readonly trustedRoleArn: string };
    };

export interface MemberResourcesProps {
  /** The Region these resources are deployed to (their role names carry it). */
  readonly region: string;
  readonly rule: MemberRuleSettings;
  readonly evaluator: Evaluator;
}

export class MemberResources extends Construct {
  public readonly remediationRole: RemediationRole;
  public readonly restoreRole: RestoreRole;
  public readonly documents: RemediationDocuments;
  public readonly configRule: CfnResource;
  public readonly remediation?: CfnResource;
  public readonly executionRole?: RuleExecutionRole;

  constructor(scope: Construct, id: string, props: MemberResourcesProps) {
    super(scope, id);
    const { rule, evaluator, region } = props;
    const remediationRoleName = regionalRoleName(rule.remediationRoleName, region);
    const restoreRoleName = regionalRoleName(rule.restoreRoleName, region);
    const keyTrust = rule.keyTrust;
    this.remediationRole = new RemediationRole(this, 'RemediationRole', { roleName: remediationRoleName, keyTrust });
    this.restoreRole = new RestoreRole(this, 'RestoreRole', { roleName: restoreRoleName, keyTrust });
    this.documents = new RemediationDocuments(this, 'RemediationDocuments', {
      remediationRoleName,
      restoreRoleName,
      keyTrust,
    });

    const ruleNeeds: IDependable[] = [];
    let functionArn: string;
    if (evaluator.kind === 'own') {
      functionArn = evaluator.function.functionArn;
      if (evaluator.permits) {
        ruleNeeds.push(configInvokePermission(this, 'ConfigInvoke', evaluator.function, Aws.ACCOUNT_ID));
      }
    } else {
      functionArn = evaluator.functionArn;
      if (evaluator.executionRole) {
        this.executionRole = new RuleExecutionRole(this, 'ExecutionRole', evaluator.executionRole);
      }
    }

    // The function's own setting (SECRETS_CMK_EXECUTION_ROLE_NAME) names the role to
    // assume; a rule parameter could only disagree with it, which the function refuses.
    const { executionRoleName: _ignored, ...parameters } = rule.ruleParameters;
    const ruleResource = configRuleResource({
      ruleName: rule.ruleName,
      functionArn,
      parameters,
      periodicFrequency: rule.periodicFrequency,
    });
    this.configRule = new CfnResource(this, 'Rule', { type: ruleResource.Type, properties: ruleResource.Properties });
    // AWS Config checks that it may invoke the function when the rule is created.
    this.configRule.node.addDependency(...ruleNeeds);
    if (this.executionRole) {
      this.configRule.node.addDependency(this.executionRole);
    }

    if (rule.remediation) {
      const remediation = remediationConfigurationResource({
        ruleName: rule.ruleName,
        documentName: REKEY_DOCUMENT_NAME,
        // Resolved by CloudFormation in this account: the runbook's AutomationAssumeRole.
        automationAssumeRoleArn: this.remediationRole.role.roleArn,
        settings: rule.remediation,
      });
      this.remediation = new CfnResource(this, 'Remediation', {
        type: remediation.Type,
        properties: remediation.Properties,
      });
      this.remediation.node.addDependency(this.configRule, this.documents);
    }
  }
}
