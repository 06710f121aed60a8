/**
 * What the two SSM Automation roles (re-key and restore) share: the construct itself
 * (`RunbookRole`: who may assume the role, its one inline policy, its ARN and its
 * cdk-nag acknowledgements), the statements for reading keys and secrets, and the KMS
 * use Secrets Manager makes on the caller's behalf while it re-encrypts a secret
 * (UpdateSecret decrypts with the old key and encrypts with the new one, as the caller,
 * through Secrets Manager).
 * The kms:Decrypt statement itself is in remediation-role.ts, the one place the
 * no-secret-read scan (crates/rule-lambda/tests/hardening/no_secret_reads.rs) allows it.
 *
 * Every statement takes its actions from the contract (contract/contract.json) for the
 * role it is built for, under the same Sid in both roles.
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct, IConstruct } from 'constructs';
import { GrantSid, grantActions } from '../contract';
import { KeyGrant, nagResource, requestKeyArns } from '../key-trust';
import { acknowledgeWildcardResources } from './nag';

/** The two roles SSM Automation runs the runbooks as. */
export type AutomationRole = 'remediation' | 'restore';

/** Any key of this Region, any account: metadata (DescribeKey) and decrypting the old key. */
export const KEYS_IN_THIS_REGION = `arn:${Aws.PARTITION}:kms:${Aws.REGION}:*:key/*`;

/** The secrets of this account and Region. */
export const OWN_SECRETS = `arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:*`;

/** Secrets Manager of this Region, the only way the roles may use a key. */
export const VIA_SECRETS_MANAGER = { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` };

/**
 * SSM Automation of this account (confused deputy). The execution ARN does not name the
 * document, so any automation of the account that may pass the role can use it: the
 * role's own policy, not a runbook's checks, is the boundary.
 */
export function automationPrincipal(): iam.ServicePrincipal {
  return new iam.ServicePrincipal('ssm.amazonaws.com', {
    conditions: {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ssm:*:${Aws.ACCOUNT_ID}:automation-execution/*` },
    },
  });
}

/** DescribeKey (metadata only) on any key of the Region: the runbooks resolve keys with it. */
export function describeKeysStatement(role: AutomationRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeKeys',
    actions: grantActions(role, 'DescribeKeys'),
    resources: [KEYS_IN_THIS_REGION],
  });
}

export function describeOwnSecretsStatement(role: AutomationRole): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DescribeOwnSecrets',
    actions: grantActions(role, 'DescribeOwnSecrets'),
    resources: [OWN_SECRETS],
  });
}

/**
 * UpdateSecret on this account's secrets, only with a key of `grants` in the request:
 * the re-key's statement; the restore's (`ifExists`) also admits a request without a key
 * (the restore of the AWS managed key).
 */
export function updateSecretStatement<R extends AutomationRole>(
  role: R,
  sid: GrantSid<R>,
  grants: readonly KeyGrant[],
  ifExists: boolean,
): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    actions: grantActions(role, sid),
    resources: [OWN_SECRETS],
    conditions: { [ifExists ? 'ArnLikeIfExists' : 'ArnLike']: { 'secretsmanager:KmsKeyArn': requestKeyArns(grants) } },
  });
}

/** Encrypt and GenerateDataKey through Secrets Manager, only on the keys of `grants`. */
export function encryptStatements(role: AutomationRole, grants: readonly KeyGrant[]): iam.PolicyStatement[] {
  return grants.map(
    (grant, index) =>
      new iam.PolicyStatement({
        // One statement per key grant, numbered after the first: the contract's grant EncryptWithTrustedKeys.
        sid: `EncryptWithTrustedKeys${index === 0 ? '' : index}`,
        actions: grantActions(role, 'EncryptWithTrustedKeys'),
        resources: [...grant.resources],
        conditions: {
          StringEquals: VIA_SECRETS_MANAGER,
          ...(grant.aliases ? { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [...grant.aliases] } } : {}),
        },
      }),
  );
}

/** Acknowledges cdk-nag's AwsSolutions-IAM5 for each wildcard resource of the encrypt grants. */
export function acknowledgeKeyGrants(role: IConstruct, grants: readonly KeyGrant[], reason: string): void {
  const wildcards = new Set(grants.flatMap((grant) => grant.resources).filter((resource) => resource.includes('*')));
  acknowledgeWildcardResources(
    role,
    Object.fromEntries([...wildcards].map((resource) => [nagResource(resource), reason])),
  );
}

export function acknowledgeSharedResources(role: IConstruct): void {
  acknowledgeWildcardResources(role, {
    'arn:<AWS::Partition>:kms:<AWS::Region>:*:key/*':
      'DescribeKey (metadata only) and Decrypt of the key a secret is on now, which may be any account key; ' +
      'this Region only (a secret key is in its Region), Decrypt only via Secrets Manager (kms:ViaService).',
    'arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*':
      'Any secret of this account and Region may need a new key; UpdateSecret only with a trusted key in the ' +
      'request (secretsmanager:KmsKeyArn), and the role cannot read secret values.',
  });
}

/** What sets one runbook role apart; `RunbookRole` builds the rest the same for both. */
export interface RunbookRoleSpec {
  /** Fixed name: the runbook assumes the role of this name. */
  readonly roleName: string;
  readonly description: string;
  /** Name of the role's one inline policy. */
  readonly policyName: string;
  readonly statements: iam.PolicyStatement[];
  /** The encrypt grants among `statements`, whose wildcard resources are acknowledged. */
  readonly grants: readonly KeyGrant[];
  /** Why those wildcard resources are acceptable (cdk-nag AwsSolutions-IAM5). */
  readonly keyGrantsReason: string;
}

/**
 * A role SSM Automation runs a runbook as: assumable by SSM Automation of this account
 * only (`automationPrincipal`), one inline policy, the shared acknowledgements.
 */
export abstract class RunbookRole extends Construct {
  public readonly role: iam.Role;
  /** `arn:<partition>:iam::<this account>:role/<name>`, known before deployment. */
  public readonly roleArn: string;

  protected constructor(scope: Construct, id: string, spec: RunbookRoleSpec) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      roleName: spec.roleName,
      description: spec.description,
      assumedBy: automationPrincipal(),
      inlinePolicies: { [spec.policyName]: new iam.PolicyDocument({ statements: spec.statements }) },
    });
    this.roleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${spec.roleName}`;

    acknowledgeSharedResources(this.role);
    acknowledgeKeyGrants(this.role, spec.grants, spec.keyGrantsReason);
  }
}
