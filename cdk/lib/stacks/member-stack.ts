/**
 * The StackSet's template: what every member account of the target OUs gets in one
 * Region, deployed by the organization stack of that Region and never as a stack of this
 * app. It holds the `MemberResources` (the rule, its remediation, the runbooks and their
 * roles) and, by placement:
 *
 * - `members`: the rule function itself, with its own read-only role, its code read from
 *   the Region's organization code bucket (parameters `CodeBucket`, `CodeKey`);
 * - `central`: the execution role the Region's central function assumes (parameter
 *   `CentralRuleRoleArn`), and a rule naming that function (`CentralFunctionArn`).
 *
 * With `auditPrincipalArns`, the template of the first deployment Region also holds the
 * read-only audit role (`MemberAuditRole`), one per account.
 *
 * Synthesized on its own (no bootstrap, no assets) and handed to the StackSet as a
 * template body.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  Annotations,
  App,
  BootstraplessSynthesizer,
  CfnParameter,
  IPolicyValidationPlugin,
  Stack,
  StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { AuditRoleSettings, FunctionPlacement, OrganizationSettings, SecretsCmkSettings } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleExecutionRole } from '../constructs/rule-execution-role';
import { RuleFunction, RuleFunctionProps } from '../constructs/rule-function';
import { MemberAuditRole } from '../organization/audit-role';
import { MemberResources, MemberRuleSettings } from '../organization/member-resources';
import { regionalRoleName } from '../organization/naming';

/** Parameter through which the StackSet passes the central function's role ARN (`central`). */
export const CENTRAL_ROLE_PARAMETER = 'CentralRuleRoleArn';
/** Parameter through which the StackSet passes the central function's ARN (`central`). */
export const CENTRAL_FUNCTION_PARAMETER = 'CentralFunctionArn';
/** Parameters through which the StackSet names the Region's code object (`members`). */
export const CODE_BUCKET_PARAMETER = 'CodeBucket';
export const CODE_KEY_PARAMETER = 'CodeKey';

/** The member function's settings: the deployment's, without a reservation (see `memberFunctionProps`). */
export type MemberFunctionSettings = Omit<RuleFunctionProps, 'crossAccount' | 'code' | 'reservedConcurrency'>;

export interface MemberStackProps extends StackProps {
  readonly placement: FunctionPlacement;
  /** The one Region the template is deployed to (the StackSet of that Region's organization stack). */
  readonly region: string;
  readonly rule: MemberRuleSettings;
  /** Base name of the execution role (`central`); the Region is appended. */
  readonly executionRoleName: string;
  readonly function: MemberFunctionSettings;
  /** The read-only audit role, in the template of one Region only (IAM names are per account). */
  readonly audit?: AuditRoleSettings;
}

/** The member stack's settings for one Region, taken from the deployment's. */
export function memberStackProps(
  settings: SecretsCmkSettings,
  organization: OrganizationSettings,
  region: string = organization.deploymentRegions[0]!,
): MemberStackProps {
  const audit = region === organization.deploymentRegions[0] ? organization.audit : undefined;
  return {
    placement: organization.functionPlacement,
    region,
    rule: memberRuleSettings(settings),
    executionRoleName: organization.executionRoleName,
    function: {
      assetPath: settings.assetPath,
      timeout: settings.functionTimeout,
      logRetention: settings.logRetention,
      ...(settings.rustLog === undefined ? {} : { rustLog: settings.rustLog }),
    },
    ...(audit === undefined ? {} : { audit }),
  };
}

/** The rule of every account, from the deployment's settings. */
export function memberRuleSettings(settings: SecretsCmkSettings): MemberRuleSettings {
  return {
    ruleName: settings.ruleName,
    ruleParameters: settings.ruleParameters,
    periodicFrequency: settings.periodicFrequency,
    keyTrust: settings.keyTrust,
    remediationRoleName: settings.remediationRoleName,
    restoreRoleName: settings.restoreRoleName,
    ...(settings.remediation === undefined ? {} : { remediation: settings.remediation }),
  };
}

export class SecretsCmkMemberStack extends Stack {
  public readonly resources: MemberResources;
  /** The account's own rule function (`members` only). */
  public readonly ruleFunction?: RuleFunction;
  /** The read-only audit role (`auditPrincipalArns`, first deployment Region only). */
  public readonly auditRole?: MemberAuditRole;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      description: `secrets-cmk member account (${props.placement} placement): Config rule and re-key remediation, runbooks and their roles`,
      analyticsReporting: false,
      synthesizer: new BootstraplessSynthesizer(),
      ...props,
    });
    if (props.placement === 'members') {
      const bucket = new CfnParameter(this, CODE_BUCKET_PARAMETER, {
        type: 'String',
        description: "The organization code bucket of this Region (the management account's)",
        allowedPattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$',
      });
      const key = new CfnParameter(this, CODE_KEY_PARAMETER, {
        type: 'String',
        description: 'Key of the rule function zip in the code bucket',
        allowedPattern: '^secrets-cmk-rule/[\\w.-]+\\.zip$',
      });
      // No reserved concurrency: the account's own AWS Config is the only invoker, and a
      // reservation fails in an account still at the new-account concurrency quota, which
      // would stop the automatic deployment there.
      const codeBucket = s3.Bucket.fromBucketName(this, 'CodeBucketRef', bucket.valueAsString);
      // The key is content addressed (`codeObjectKey`): new code is a new key, which the
      // StackSet passes, so the function is updated without an object version.
      Annotations.of(codeBucket).acknowledgeWarning(
        '@aws-cdk/aws-lambda:codeFromBucketObjectVersionNotSpecified',
        'the code key is a hash of the build: new code arrives as a new key',
      );
      this.ruleFunction = new RuleFunction(this, 'RuleFunction', {
        ...props.function,
        code: lambda.Code.fromBucket(codeBucket, key.valueAsString),
      });
      this.resources = new MemberResources(this, 'Member', {
        region: props.region,
        rule: props.rule,
        evaluator: { kind: 'own', function: this.ruleFunction.function, permits: true },
      });
    } else {
      const centralRoleArn = new CfnParameter(this, CENTRAL_ROLE_PARAMETER, {
        type: 'String',
        description:
          'ARN of the central secrets-cmk rule function role, the only principal trusted by the execution role',
        allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
      });
      const centralFunctionArn = new CfnParameter(this, CENTRAL_FUNCTION_PARAMETER, {
        type: 'String',
        description: "ARN of this Region's central secrets-cmk rule function, which the rule names",
        allowedPattern: '^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\\d{12}:function:[\\w-]+$',
      });
      this.resources = new MemberResources(this, 'Member', {
        region: props.region,
        rule: props.rule,
        evaluator: {
          kind: 'central',
          functionArn: centralFunctionArn.valueAsString,
          executionRole: {
            roleName: regionalRoleName(props.executionRoleName, props.region),
            trustedRoleArn: centralRoleArn.valueAsString,
          },
        },
      });
    }
    if (props.audit) {
      this.auditRole = new MemberAuditRole(this, 'AuditRole', props.audit);
    }
  }

  /** The execution role the central function assumes; only the `central` placement has one. */
  public get executionRole(): RuleExecutionRole {
    if (!this.resources.executionRole) {
      throw new Error('the members placement has no execution role: each account runs its own function');
    }
    return this.resources.executionRole;
  }

  public get remediationRole(): RemediationRole {
    return this.resources.remediationRole;
  }

  public get restoreRole(): RestoreRole {
    return this.resources.restoreRole;
  }

  public get documents(): RemediationDocuments {
    return this.resources.documents;
  }
}

export interface MemberTemplateOptions {
  /** Context for the isolated app (feature flags), normally the main app's. */
  readonly context?: Record<string, unknown>;
  /** Validation plugins (cdk-nag) run on the member stack, as on the app's own stacks. */
  readonly plugins?: IPolicyValidationPlugin[];
}

/** Synthesizes the member stack in an isolated app and returns its CloudFormation template. */
export function synthesizeMemberTemplate(
  props: MemberStackProps,
  options: MemberTemplateOptions = {},
): Record<string, unknown> {
  // Its own output directory: the CLI's CDK_OUTDIR belongs to the main app.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'secrets-cmk-member-'));
  const app = new App({ outdir, context: options.context ?? {} });
  if (options.plugins && options.plugins.length > 0) {
    Validations.of(app).addPlugins(...options.plugins);
  }
  const stack = new SecretsCmkMemberStack(app, 'SecretsCmkMember', props);
  try {
    return app.synth().getStackByName(stack.stackName).template as Record<string, unknown>;
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
