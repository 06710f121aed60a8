/**
 * Names other parts of the project (the CLI, the README, operators) rely on.
 * Changing one is a breaking change for anyone who runs the runbooks by name.
 */

/** SSM Automation runbook that moves one secret to a customer managed key. */
export const REKEY_DOCUMENT_NAME = 'SecretsCmk-RekeySecret';

/** SSM Automation runbook that puts a secret back on a previous key (backout). */
export const RESTORE_DOCUMENT_NAME = 'SecretsCmk-RestoreSecretKey';

/** The only resource type the rule evaluates. */
export const SECRET_RESOURCE_TYPE = 'AWS::SecretsManager::Secret';

/** The AWS managed key Secrets Manager uses when a secret names no key. */
export const DEFAULT_SECRETS_MANAGER_KEY = 'alias/aws/secretsmanager';

/** Config message types the rule reacts to (change, oversized change, periodic). */
export const CONFIG_MESSAGE_TYPES = [
  'ConfigurationItemChangeNotification',
  'OversizedConfigurationItemChangeNotification',
  'ScheduledNotification',
] as const;

/** Name of the conformance pack (account-level and organization). */
export const CONFORMANCE_PACK_NAME = 'secrets-cmk';

/** Name of the service-managed StackSet that prepares every member account. */
export const MEMBER_STACKSET_NAME = 'secrets-cmk-member';
