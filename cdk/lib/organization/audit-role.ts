/**
 * The read-only role `secrets-cmk audit --organization --role-name NAME` assumes in every
 * member account (opt-in: the context value `auditPrincipalArns`). It lists and describes
 * the account's secrets and the keys they name, lists the account's enabled Regions
 * (`--all-regions`) and, when `auditImportsToSecurityHub=true`, imports the account's own
 * findings (`--security-hub`, which imports each account's findings with that account's
 * credentials). Nothing it holds reads a secret value or decrypts.
 *
 * Trusted by exactly the named principals: IAM roles or users of the one account the
 * audit runs from (the management or delegated-admin account). No `aws:PrincipalOrgID`
 * condition: an exact principal ARN already names one principal of one account, and that
 * account is the organization's own, so the condition could only restate it.
 *
 * IAM names are per account and the StackSet deploys one stack per Region, so the role
 * is added to the member template of the first deployment Region only (the member
 * templates are synthesized per Region): one role of the same name in every account, as
 * `--role-name` needs.
 *
 * The action names are the contract's (`memberAudit` in contract/contract.json).
 */
import { Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AuditRoleSettings } from '../config';
import { grantActions } from '../contract';
import { acknowledgeWildcardResources } from '../constructs/nag';

/** Where `audit --security-hub` imports this account's findings: its default product, in any Region. */
export const OWN_FINDINGS_PRODUCT = `arn:${Aws.PARTITION}:securityhub:*:${Aws.ACCOUNT_ID}:product/${Aws.ACCOUNT_ID}/default`;

/** The audit role's statements, each resource as narrow as its action allows. */
export function auditStatements(importsToSecurityHub: boolean): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'ListSecrets',
      actions: grantActions('memberAudit', 'ListSecrets'),
      // ListSecrets supports no resource-level permission.
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'ListEnabledRegions',
      actions: grantActions('memberAudit', 'ListEnabledRegions'),
      // `*` works whether or not the action takes the account resource type, and grants no
      // more: only the management or delegated-admin account may name another account.
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeOwnSecrets',
      actions: grantActions('memberAudit', 'DescribeOwnSecrets'),
      // Any Region: the audit reads every Region it is given with this one role.
      resources: [`arn:${Aws.PARTITION}:secretsmanager:*:${Aws.ACCOUNT_ID}:secret:*`],
    }),
    new iam.PolicyStatement({
      sid: 'DescribeSecretKeys',
      actions: grantActions('memberAudit', 'DescribeSecretKeys'),
      // Secrets may use keys of other accounts and Regions; DescribeKey reveals metadata only.
      resources: [`arn:${Aws.PARTITION}:kms:*:*:key/*`],
    }),
  ];
  if (importsToSecurityHub) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ImportOwnFindings',
        actions: grantActions('memberAudit', 'ImportOwnFindings'),
        resources: [OWN_FINDINGS_PRODUCT],
      }),
    );
  }
  return statements;
}

export class MemberAuditRole extends Construct {
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AuditRoleSettings) {
    super(scope, id);
    const [first, ...others] = props.principalArns.map((arn) => new iam.ArnPrincipal(arn));
    if (first === undefined) {
      throw new Error('the audit role needs at least one principal (auditPrincipalArns)');
    }
    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      description: 'secrets-cmk: read-only organization audit (secrets-cmk audit --organization); never reads values',
      assumedBy: others.length === 0 ? first : new iam.CompositePrincipal(first, ...others),
      inlinePolicies: {
        Audit: new iam.PolicyDocument({ statements: auditStatements(props.importsToSecurityHub) }),
      },
    });

    acknowledgeWildcardResources(this.role, {
      '*':
        'secretsmanager:ListSecrets supports no resource-level permission; account:ListRegions lists only ' +
        'this account Regions from a member account, so `*` grants nothing more.',
      'arn:<AWS::Partition>:secretsmanager:*:<AWS::AccountId>:secret:*':
        'The audit reads every secret of the account in every Region it is given; scoped to this account and ' +
        'to the read-only DescribeSecret.',
      'arn:<AWS::Partition>:kms:*:*:key/*':
        'Secrets may use keys of other accounts and their replicas keys of other Regions; kms:DescribeKey ' +
        'returns key metadata only (no cryptographic use).',
      ...(props.importsToSecurityHub
        ? {
            'arn:<AWS::Partition>:securityhub:*:<AWS::AccountId>:product/<AWS::AccountId>/default':
              'The audit imports each audited Region findings into that Region Security Hub; only the default ' +
              'product of this account, only BatchImportFindings.',
          }
        : {}),
    });
  }
}
