/**
 * The rule's Lambda: the Rust binary `secrets-cmk-rule` on provided.al2023 (x86_64),
 * its log group, and its own role with one inline, least-privilege policy.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { SecretsCmkSettings } from '../config';
import { functionEnvironment, grantActions, variableSetBy } from '../contract';
import { acknowledgeWildcardResources } from './nag';
import { acknowledgeRuleEvaluationResources, ruleEvaluationStatements } from './rule-permissions';

/** The Lambda acts in other accounts by assuming a role there (organization deployment). */
export interface CrossAccountAccess {
  /** Name of the role in each member account. */
  readonly executionRoleName: string;
  /** Organization the member roles must belong to (aws:ResourceOrgID). */
  readonly organizationId: string;
}

export interface RuleFunctionProps {
  /** Directory with the `bootstrap` executable built by `cargo lambda build --release`. */
  readonly assetPath: string;
  readonly timeout: Duration;
  readonly logRetention: logs.RetentionDays;
  /**
   * Reserved concurrency: a ceiling on concurrent invocations, so that whoever can make
   * AWS Config invoke the function (every account named in its permissions) cannot run up
   * its cost or starve the account's other functions, and a floor that keeps it
   * invocable when they do. @default no reservation
   */
  readonly reservedConcurrency?: number;
  /** `RUST_LOG`, when set. */
  readonly rustLog?: string;
  /** Set for the central function of an organization deployment. */
  readonly crossAccount?: CrossAccountAccess;
  /**
   * The code, when it is not the local asset: a member account's function reads it from
   * its Region's organization code bucket. @default `assetPath`, packaged by the CDK
   */
  readonly code?: lambda.Code;
}

/** The function as the deployment's settings configure it, in every stack that deploys it. */
export function ruleFunctionProps(settings: SecretsCmkSettings, crossAccount?: CrossAccountAccess): RuleFunctionProps {
  return {
    assetPath: settings.assetPath,
    timeout: settings.functionTimeout,
    logRetention: settings.logRetention,
    reservedConcurrency: settings.reservedConcurrency,
    ...(settings.rustLog === undefined ? {} : { rustLog: settings.rustLog }),
    ...(crossAccount === undefined ? {} : { crossAccount }),
  };
}

/** Environment variable naming the member-account role (read by the Lambda; named by the contract). */
export const EXECUTION_ROLE_ENV = variableSetBy('crossAccount.executionRoleName');

export class RuleFunction extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: RuleFunctionProps) {
    super(scope, id);
    const bootstrap = path.join(props.assetPath, 'bootstrap');
    if (props.code === undefined && !fs.existsSync(bootstrap)) {
      throw new Error(
        `Lambda asset not found: ${bootstrap}. Build it with ` +
          '`cargo lambda build --release --bin secrets-cmk-rule` from the repository root, ' +
          'or point context "assetPath" / env SECRETS_CMK_ASSET at a directory holding `bootstrap`.',
      );
    }

    this.logGroup = new logs.LogGroup(this, 'LogGroup', { retention: props.logRetention });

    // The contract's role: the central function of an organization may also assume the member role.
    const identity = props.crossAccount ? 'centralFunction' : 'ruleFunction';
    const statements = [
      ...ruleEvaluationStatements(identity),
      new iam.PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: grantActions(identity, 'WriteOwnLogs'),
        resources: [this.logGroup.logGroupArn],
      }),
    ];
    if (props.crossAccount) {
      statements.push(
        new iam.PolicyStatement({
          sid: 'AssumeMemberExecutionRole',
          actions: grantActions('centralFunction', 'AssumeMemberExecutionRole'),
          // The role has one fixed name in every member account; the organization
          // condition keeps the function out of any account outside the organization.
          resources: [`arn:${Aws.PARTITION}:iam::*:role/${props.crossAccount.executionRoleName}`],
          conditions: { StringEquals: { 'aws:ResourceOrgID': props.crossAccount.organizationId } },
        }),
      );
    }

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'secrets-cmk rule: reads secret and key metadata, reports to AWS Config',
      inlinePolicies: { RuleEvaluation: new iam.PolicyDocument({ statements }) },
    });

    // Variable names are the contract's; each is set only when its setting is.
    const environment = functionEnvironment({
      'crossAccount.executionRoleName': props.crossAccount?.executionRoleName,
      rustLog: props.rustLog,
    });

    this.function = new lambda.Function(this, 'Function', {
      description: 'AWS Config custom rule: Secrets Manager secrets must use a customer managed KMS key',
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: 'bootstrap',
      code: props.code ?? lambda.Code.fromAsset(props.assetPath),
      memorySize: 128,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      environment,
      ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
    });

    acknowledgeRuleEvaluationResources(this.role);
    if (props.crossAccount) {
      acknowledgeWildcardResources(this.role, {
        [`arn:<AWS::Partition>:iam::*:role/${props.crossAccount.executionRoleName}`]:
          'The execution role has the same name in every member account, and member accounts join the ' +
          'organization over time; the aws:ResourceOrgID condition restricts it to roles of this organization.',
      });
    }
  }
}
