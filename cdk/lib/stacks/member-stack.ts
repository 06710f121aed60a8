/**
 * What every member account needs for the organization deployment, deployed by the
 * central stack's service-managed StackSet: the execution role the central function
 * assumes, the two runbooks, and the re-key (remediation) and restore roles they run as.
 *
 * It is synthesized on its own (no bootstrap, no assets) and handed to the StackSet
 * as a template body; it is never deployed as a stack of this app.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  App,
  BootstraplessSynthesizer,
  CfnParameter,
  IPolicyValidationPlugin,
  Stack,
  StackProps,
  Validations,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { KeyTrust, OrganizationSettings, SecretsCmkSettings } from '../config';
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RestoreRole } from '../constructs/restore-role';
import { RuleExecutionRole } from '../constructs/rule-execution-role';

/** Parameter through which the StackSet passes the central function's role ARN. */
export const CENTRAL_ROLE_PARAMETER = 'CentralRuleRoleArn';

export interface MemberStackProps extends StackProps {
  readonly executionRoleName: string;
  readonly remediationRoleName: string;
  readonly restoreRoleName: string;
  /** The rule's trust: the same context values as the central stack's. */
  readonly keyTrust: KeyTrust;
}

/** The member stack's settings, taken from the central deployment's. */
export function memberStackProps(settings: SecretsCmkSettings, organization: OrganizationSettings): MemberStackProps {
  return {
    executionRoleName: organization.executionRoleName,
    remediationRoleName: settings.remediationRoleName,
    restoreRoleName: settings.restoreRoleName,
    keyTrust: settings.keyTrust,
  };
}

export class SecretsCmkMemberStack extends Stack {
  public readonly executionRole: RuleExecutionRole;
  public readonly remediationRole: RemediationRole;
  public readonly restoreRole: RestoreRole;
  public readonly documents: RemediationDocuments;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      description: 'secrets-cmk member account: rule execution role, re-key and restore runbooks and their roles',
      analyticsReporting: false,
      synthesizer: new BootstraplessSynthesizer(),
      ...props,
    });
    const centralRoleArn = new CfnParameter(this, CENTRAL_ROLE_PARAMETER, {
      type: 'String',
      description:
        'ARN of the central secrets-cmk rule function role, the only principal trusted by the execution role',
      allowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[\\w+=,.@/-]+$',
    });
    this.executionRole = new RuleExecutionRole(this, 'ExecutionRole', {
      roleName: props.executionRoleName,
      trustedRoleArn: centralRoleArn.valueAsString,
    });
    const { remediationRoleName, restoreRoleName, keyTrust } = props;
    this.remediationRole = new RemediationRole(this, 'RemediationRole', { roleName: remediationRoleName, keyTrust });
    this.restoreRole = new RestoreRole(this, 'RestoreRole', { roleName: restoreRoleName, keyTrust });
    this.documents = new RemediationDocuments(this, 'RemediationDocuments', {
      remediationRoleName,
      restoreRoleName,
      keyTrust,
    });
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
