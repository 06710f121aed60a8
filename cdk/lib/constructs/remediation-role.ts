/**
 * The role SSM Automation runs the two runbooks as. Exactly what they call: read the
 * target key, read and re-key secrets of this account and Region, and the KMS use
 * Secrets Manager makes on the caller's behalf while re-encrypting (only through
 * Secrets Manager). Never secretsmanager:GetSecretValue.
 */
import { Aws, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

export interface RemediationRoleProps {
  /** Fixed name: the runbooks assume the role of this name (see runbooks.ts). */
  readonly roleName: string;
}

/** Every action the runbooks need. */
export const REMEDIATION_ACTIONS = [
  'kms:DescribeKey',
  'secretsmanager:DescribeSecret',
  'secretsmanager:UpdateSecret',
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey',
] as const;

export class RemediationRole extends Construct {
  public readonly role: iam.Role;
  /** `arn:<partition>:iam::<this account>:role/<name>`, known before deployment. */
  public readonly roleArn: string;

  constructor(scope: Construct, id: string, props: RemediationRoleProps) {
    super(scope, id);
    const keysInThisRegion = `arn:${Aws.PARTITION}:kms:${Aws.REGION}:*:key/*`;
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description:
        'secrets-cmk remediation: SSM Automation re-keys a secret (SecretsCmk-RekeySecret / RestoreSecretKey)',
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: {
          // Only automations of this account may use the role (confused deputy).
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:ssm:*:${Aws.ACCOUNT_ID}:automation-execution/*` },
        },
      }),
      inlinePolicies: {
        Rekey: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              sid: 'DescribeKeys',
              actions: ['kms:DescribeKey'],
              // The target may be a key of another account; a secret's key is always in its Region.
              resources: [keysInThisRegion],
            }),
            new iam.PolicyStatement({
              sid: 'RekeyOwnSecrets',
              actions: ['secretsmanager:DescribeSecret', 'secretsmanager:UpdateSecret'],
              resources: [`arn:${Aws.PARTITION}:secretsmanager:${Aws.REGION}:${Aws.ACCOUNT_ID}:secret:*`],
            }),
            new iam.PolicyStatement({
              sid: 'ReEncryptThroughSecretsManagerOnly',
              // UpdateSecret decrypts with the old key and encrypts with the new one on the caller's behalf.
              actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
              resources: [keysInThisRegion],
              conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
            }),
          ],
        }),
      },
    });
    this.roleArn = `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${props.roleName}`;

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:*:key/*]',
      reason:
        'The target key is chosen per remediation and may belong to another account; limited to this Region ' +
        '(a secret key must be in the secret Region), and cryptographic use only via Secrets Manager (kms:ViaService).',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:*]',
      reason:
        'Remediation may target any non-compliant secret of this account and Region; the runbook refuses secrets ' +
        'managed by another service, and the role cannot read secret values.',
    });
  }
}
