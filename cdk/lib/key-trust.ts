/**
 * Which KMS keys the remediation roles may put a secret on, as IAM resources and
 * condition values, derived from the rule's own trust (`allowedKeyAccounts`,
 * `kmsKeyArns`): a tool that enforces customer managed keys must not itself be able to
 * hand a secret to a key of an account nobody trusted (its owner could disable the key
 * and hold the secret hostage, and sees every decrypt).
 *
 * Two IAM checks apply to a re-key, and both are built here:
 *
 * - `kms:Encrypt` / `kms:GenerateDataKey` (what Secrets Manager calls with the caller's
 *   credentials to encrypt under the new key): resources are the trusted keys; keys
 *   approved through an alias are granted with `kms:ResourceAliases` ("Use this condition
 *   key to control access to a KMS key based on the aliases that are associated with the
 *   KMS key", IAM policies only, KMS key resource operations: AWS KMS Developer Guide,
 *   "AWS KMS condition keys", kms:ResourceAliases).
 * - `secretsmanager:UpdateSecret`: `secretsmanager:KmsKeyArn`, "Filters access by the key
 *   ARN of the KMS key in the request" (type ARN), which the Service Authorization
 *   Reference ("Actions, resources, and condition keys for AWS Secrets Manager",
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html)
 *   lists for CreateSecret and UpdateSecret only; its predecessor `secretsmanager:KmsKeyId`
 *   is marked "Deprecated: Use secretsmanager:KmsKeyArn". A key ARN is only known at synth
 *   time for key ARNs in `kmsKeyArns`; an alias resolves per account, so its account's
 *   keys are the narrowest ARN pattern there is.
 *
 * Tokens (`Aws.ACCOUNT_ID`, ...) stand for the account the role lives in: the secret's own
 * account, always trusted.
 */
import { Aws } from 'aws-cdk-lib';
import type { KeyTrust } from './config';

/** A grant of the encrypting actions: keys, narrowed to those carrying one of `aliases` when set. */
export interface KeyGrant {
  readonly resources: readonly string[];
  /** Alias names (`alias/x`) one of which the key must carry (`kms:ResourceAliases`). */
  readonly aliases?: readonly string[];
}

const KEY_ARN = /^arn:[^:]+:kms:[^:]+:\d{12}:key\/.+$/;
const ALIAS_ARN = /^arn:([^:]+):kms:([^:]+):(\d{12}):(alias\/.+)$/;

/** Every key of one account in this Region (a secret's key is always in the secret's Region). */
export function keysOfAccount(account: string): string {
  return `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${account}:key/*`;
}

/** The secret's own account and the `allowedKeyAccounts`. */
export function trustedAccountKeys(trust: KeyTrust): string[] {
  return [keysOfAccount(Aws.ACCOUNT_ID), ...trust.allowedKeyAccounts.map(keysOfAccount)];
}

/** One grant per `kmsKeyArns` entry: a key ARN exactly, an alias by `kms:ResourceAliases`. */
function approvedKeyGrants(trust: KeyTrust): KeyGrant[] {
  return (trust.approvedKeys ?? []).map((key) => {
    if (KEY_ARN.test(key)) {
      return { resources: [key] };
    }
    const aliasArn = ALIAS_ARN.exec(key);
    if (aliasArn) {
      const [, partition, region, account, alias] = aliasArn;
      return { resources: [`arn:${partition}:kms:${region}:${account}:key/*`], aliases: [alias!] };
    }
    // An alias name resolves in the secret's own account and Region.
    return { resources: [keysOfAccount(Aws.ACCOUNT_ID)], aliases: [key] };
  });
}

/**
 * Keys the re-key may encrypt under: with `kmsKeyArns`, exactly the approved keys (the
 * rule accepts no other); without, any key of a trusted account.
 */
export function rekeyGrants(trust: KeyTrust): KeyGrant[] {
  return trust.approvedKeys ? approvedKeyGrants(trust) : [{ resources: trustedAccountKeys(trust) }];
}

/**
 * Keys a restore may put a secret back on: any key of a trusted account (the previous
 * key need not be approved, it must not be a stranger's), and approved keys of other
 * accounts. The AWS managed key is a key of the own account.
 */
export function restoreGrants(trust: KeyTrust): KeyGrant[] {
  const foreignApproved = approvedKeyGrants(trust).filter(
    (grant) => grant.resources[0] !== keysOfAccount(Aws.ACCOUNT_ID),
  );
  return [{ resources: trustedAccountKeys(trust) }, ...foreignApproved];
}

/** `secretsmanager:KmsKeyArn` values (ArnLike) that admit exactly the keys of `grants`, as closely as ARNs can. */
export function requestKeyArns(grants: readonly KeyGrant[]): string[] {
  return [...new Set(grants.flatMap((grant) => grant.resources))];
}

/** How cdk-nag writes a resource in a finding id: pseudo parameters as `<AWS::...>`. */
export function nagResource(resource: string): string {
  return resource
    .split(Aws.PARTITION)
    .join('<AWS::Partition>')
    .split(Aws.REGION)
    .join('<AWS::Region>')
    .split(Aws.ACCOUNT_ID)
    .join('<AWS::AccountId>');
}
