/**
 * The Python of both runbooks' `aws:executeScript` steps, one handler per step; each
 * step carries only the functions its handler uses (`scriptFor`), because the member
 * StackSet body, which holds both documents, is limited to 51,200 bytes.
 * The scripts read, resolve and refuse; they never change anything (every change is an
 * `aws:executeAwsApi` step) and never read a secret value. Raising fails the step and
 * with it the run, before any change.
 *
 * Why a script: the facts that decide a refusal are *optional* response fields
 * (`OwningService`, `DeletedDate`, `KmsKeyId`, absent for the default key), and the
 * trust checks compare resolved key ARNs against lists baked into the document;
 * `aws:branch` and `aws:assertAwsResourceProperty` fail on a selector that matches
 * nothing and cannot compare against a list.
 *
 * Trust is the rule's (rule-core `trusts_key_account`, rows 5a and 9): a key of the
 * secret's own account, of an `allowedKeyAccounts` entry, or of the account of a
 * `kmsKeyArns` ARN; with `kmsKeyArns`, a re-key target must also resolve to one of them.
 * `alias/aws/*` is never described (DescribeKey on such an alias can create the key).
 */
import { DEFAULT_SECRETS_MANAGER_KEY } from './names';

/** Functions shared by the handlers, and the handlers, in the order a script defines them. */
const FUNCTIONS = {
  prelude: `import boto3

DEFAULT_KEY = "${DEFAULT_SECRETS_MANAGER_KEY}"
AWS_ALIAS_PREFIX = "alias/aws/"`,
  region_of: `def region_of(arn):
    return arn.split(":")[3]`,
  account_of: `def account_of(arn):
    return arn.split(":")[4]`,
  is_key_arn: `def is_key_arn(ref):
    return ref.startswith("arn:") and ":key/" in ref`,
  alias_name: `def alias_name(ref):
    if ref.startswith("alias/"):
        return ref
    if ref.startswith("arn:") and ":alias/" in ref:
        return "alias/" + ref.split(":alias/", 1)[1]
    return None`,
  is_aws_managed_alias: `def is_aws_managed_alias(ref):
    name = alias_name(ref)
    return name is not None and name.startswith(AWS_ALIAS_PREFIX)`,
  checked_secret: `def checked_secret(client, secret_id):
    """DescribeSecret, refusing what this account's runbooks must not change."""
    secret = client.describe_secret(SecretId=secret_id)
    arn = secret["ARN"]
    owner = secret.get("OwningService")
    if owner:
        raise ValueError(f"refusing {arn}: it is managed by {owner}; change its key through {owner}")
    if secret.get("DeletedDate"):
        raise ValueError(f"refusing {arn}: it is scheduled for deletion")
    region = client.meta.region_name
    if region_of(arn) != region:
        raise ValueError(f"refusing {arn}: this runbook runs in {region}, the secret is elsewhere")
    return secret`,
  resolve: `def resolve(kms, ref):
    """(key ARN, None) for a reference resolvable here, or (None, why not)."""
    if is_key_arn(ref):
        return ref, None
    if is_aws_managed_alias(ref):
        return None, "an AWS managed alias is never described"
    try:
        return kms.describe_key(KeyId=ref)["KeyMetadata"]["Arn"], None
    except Exception as error:  # NotFound, AccessDenied, throttling: no match, and say why
        return None, str(error)`,
  untrusted: `def untrusted(kms, key_arn, secret_arn, allowed_accounts, approved_keys, require_approved):
    """Why the key may not protect the secret, or None when it may."""
    account = account_of(key_arn)
    approved_accounts = [account_of(key) for key in approved_keys if key.startswith("arn:")]
    if account != account_of(secret_arn) and account not in allowed_accounts + approved_accounts:
        return (
            f"key {key_arn} belongs to account {account}, which is not the secret's account and not trusted "
            f"(allowedKeyAccounts: {','.join(allowed_accounts) or 'none'}; kmsKeyArns accounts: "
            f"{','.join(sorted(set(approved_accounts))) or 'none'}): its owner could disable it and hold the secret"
        )
    if require_approved and approved_keys:
        why = []
        for key in approved_keys:
            arn, error = resolve(kms, key)
            if arn == key_arn:
                return None
            if error:
                why.append(f"{key}: {error}")
        unresolved = f" (not resolved: {'; '.join(why)})" if why else ""
        return f"key {key_arn} is none of kmsKeyArns ({','.join(approved_keys)}){unresolved}"
    return None`,
  inspect_secret: `def inspect_secret(events, context):
    """Re-key: refuse an untrusted target, record the key the secret is on now."""
    secret = checked_secret(boto3.client("secretsmanager"), events["SecretId"])
    arn = secret["ARN"]
    target = events["TargetKmsKeyId"]
    if not is_key_arn(target):
        raise ValueError(f"refusing {arn}: the target {target} is not a resolved key ARN")
    if region_of(target) != region_of(arn):
        raise ValueError(f"refusing {arn}: key {target} is in another Region than the secret")
    why = untrusted(
        boto3.client("kms"), target, arn, events["AllowedKeyAccounts"], events["ApprovedKeys"], True
    )
    if why:
        raise ValueError(f"refusing {arn}: {why}")
    previous = secret.get("KmsKeyId") or DEFAULT_KEY
    return {"SecretArn": arn, "PreviousKmsKeyId": previous, "AlreadyOnTarget": previous == target}`,
  check_restore_target: `def check_restore_target(events, context):
    """Restore: the AWS managed key only when asked for by name *and* by flag."""
    previous = events["PreviousKmsKeyId"].strip()
    wanted = events["RestoreAwsManagedKey"] == "true"
    if is_aws_managed_alias(previous):
        if alias_name(previous) != DEFAULT_KEY:
            raise ValueError(f"refusing {previous}: the AWS managed key of Secrets Manager is {DEFAULT_KEY}")
        if not wanted:
            raise ValueError(
                f"refusing to put the secret on the AWS managed key {previous}: that needs RestoreAwsManagedKey=true"
            )
        return {"RestoresAwsManagedKey": True}
    if wanted:
        raise ValueError(f"RestoreAwsManagedKey=true restores {DEFAULT_KEY}, but PreviousKmsKeyId is {previous}")
    return {"RestoresAwsManagedKey": False}`,
  inspect_restore: `def inspect_restore(events, context):
    """Restore: the secret must be on the expected key now (resolved ARNs), or nothing changes."""
    secret = checked_secret(boto3.client("secretsmanager"), events["SecretId"])
    arn = secret["ARN"]
    expected = events["ExpectedCurrentKeyArn"]
    current = secret.get("KmsKeyId") or DEFAULT_KEY
    if is_aws_managed_alias(current):
        resolved, error = None, "the AWS managed key"
    else:
        resolved, error = resolve(boto3.client("kms"), current)
    if resolved != expected:
        raise ValueError(
            f"refusing {arn}: it is on {current} ({resolved or error}), not on ExpectedCurrentKmsKeyId "
            f"{expected}; nothing was changed"
        )
    return {"SecretArn": arn, "CurrentKmsKeyId": resolved}`,
  check_previous_key: `def check_previous_key(events, context):
    """Restore: the previous key must be trusted like any key (approval is not required)."""
    why = untrusted(
        None, events["KeyArn"], events["SecretArn"], events["AllowedKeyAccounts"], events["ApprovedKeys"], False
    )
    if why:
        raise ValueError(f"refusing to restore {events['SecretArn']}: {why}; nothing was changed")
    return {"KeyArn": events["KeyArn"]}`,
} as const;

type FunctionName = keyof typeof FUNCTIONS;

/** The step handlers, each with what it calls besides the prelude (imports, ARN helpers). */
export const HANDLERS = {
  inspect_secret: ['checked_secret', 'resolve', 'untrusted'],
  check_restore_target: [],
  inspect_restore: ['checked_secret', 'resolve'],
  check_previous_key: ['resolve', 'untrusted'],
} as const satisfies Record<string, readonly FunctionName[]>;

export type HandlerName = keyof typeof HANDLERS;

const PRELUDE: FunctionName[] = [
  'prelude',
  'region_of',
  'account_of',
  'is_key_arn',
  'alias_name',
  'is_aws_managed_alias',
];

function script(names: readonly FunctionName[]): string {
  const wanted = new Set(names);
  const ordered = (Object.keys(FUNCTIONS) as FunctionName[]).filter((name) => wanted.has(name));
  return `${ordered.map((name) => FUNCTIONS[name]).join('\n\n\n')}\n`;
}

/** The script of one step: the prelude, the functions its handler needs, the handler. */
export function scriptFor(handler: HandlerName): string {
  return script([...PRELUDE, ...HANDLERS[handler], handler]);
}

/** Every function at once: what `scriptFor` slices (the tests check each slice is part of it). */
export const RUNBOOK_SCRIPT = script(Object.keys(FUNCTIONS) as FunctionName[]);
