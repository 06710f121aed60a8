/**
 * What every member account needs for the organization deployment, deployed by the
 * central stack's service-managed StackSet: the execution role the central function
 * assumes, the two runbooks, and the remediation role they run as.
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
import { RemediationDocuments } from '../constructs/remediation-documents';
import { RemediationRole } from '../constructs/remediation-role';
import { RuleExecutionRole } from '../constructs/rule-execution-role';

/** Parameter through which the StackSet passes the central function's role ARN. */
export const CENTRAL_ROLE_PARAMETER = 'CentralRuleRoleArn';

export interface MemberStackProps extends StackProps {
  readonly executionRoleName: string;
  readonly remediationRoleName: string;
}

export class SecretsCmkMemberStack extends Stack {
  public readonly executionRole: RuleExecutionRole;
  public readonly remediationRole: RemediationRole;
  public readonly documents: RemediationDocuments;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      description: 'secrets-cmk member account: rule execution role, re-key runbooks and remediation role',
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
    this.remediationRole = new RemediationRole(this, 'RemediationRole', { roleName: props.remediationRoleName });
    this.documents = new RemediationDocuments(this, 'RemediationDocuments', {
      remediationRoleName: props.remediationRoleName,
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
