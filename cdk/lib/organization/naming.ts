/**
 * Names of what an organization deployment creates in every account and Region, in one
 * place: the central stacks, the StackSet's member stacks and the operator's publishing
 * step must agree on them.
 *
 * IAM names are per account, not per Region, and the StackSet deploys the same roles into
 * every Region of an account: each Region's copy carries the Region in its name.
 */
import { FileSystem } from 'aws-cdk-lib';

/** `SecretsCmkRemediation` in eu-west-1 is `SecretsCmkRemediation-eu-west-1`. */
export function regionalRoleName(base: string, region: string): string {
  return `${base}-${region}`;
}

/** Prefix of the per-Region code buckets. */
export const CODE_BUCKET_PREFIX = 'secrets-cmk-code';

/**
 * The code bucket of one Region: the deploying account's id and the Region make it
 * globally unique (S3 bucket names are), and a member stack can name it from those two.
 */
export function codeBucketName(account: string, region: string): string {
  return `${CODE_BUCKET_PREFIX}-${account}-${region}`;
}

/**
 * Object key of the rule's code in every code bucket: content addressed (the CDK's
 * fingerprint of the asset directory), so a new build is a new key and a StackSet update
 * replaces the code, and an old key keeps serving the functions not yet updated.
 */
export function codeObjectKey(assetPath: string): string {
  return `secrets-cmk-rule/${FileSystem.fingerprint(assetPath)}.zip`;
}

/** Stack ids of the app, per Region. */
export function organizationStackId(region: string): string {
  return `SecretsCmkOrganization-${region}`;
}

export function codeBucketStackId(region: string): string {
  return `SecretsCmkCode-${region}`;
}
