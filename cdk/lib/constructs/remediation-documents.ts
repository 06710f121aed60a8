/**
 * The two SSM Automation runbooks as AWS::SSM::Document resources with fixed names:
 * AWS Config's remediation names its target document, and a conformance pack needs
 * the same name in every account.
 */
import { CfnOutput } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import type { KeyTrust } from '../config';
import { REKEY_DOCUMENT_NAME, RESTORE_DOCUMENT_NAME } from '../names';
import { rekeyRunbook, restoreRunbook } from '../runbooks';

export interface RemediationDocumentsProps {
  /** Name of the role the re-key runbook runs as (see `runbooks.ts`). */
  readonly remediationRoleName: string;
  /** Name of the role the restore runbook runs as; never the re-key role. */
  readonly restoreRoleName: string;
  /** The rule's trust, baked into both runbooks. */
  readonly keyTrust: KeyTrust;
  /** Emit CloudFormation outputs with the document names. @default true */
  readonly exportNames?: boolean;
}

/** `SecretsCmk-RekeySecret` and its backout `SecretsCmk-RestoreSecretKey`. */
export class RemediationDocuments extends Construct {
  /** Name of the re-key runbook, the remediation's TargetId. */
  public readonly rekeyDocumentName: string = REKEY_DOCUMENT_NAME;
  /** Name of the backout runbook. */
  public readonly restoreDocumentName: string = RESTORE_DOCUMENT_NAME;
  public readonly rekeyDocument: ssm.CfnDocument;
  public readonly restoreDocument: ssm.CfnDocument;

  constructor(scope: Construct, id: string, props: RemediationDocumentsProps) {
    super(scope, id);
    if (props.restoreRoleName === props.remediationRoleName) {
      throw new Error('the restore runbook must not run as the remediation role');
    }
    this.rekeyDocument = this.document(
      'RekeySecret',
      REKEY_DOCUMENT_NAME,
      rekeyRunbook({ roleName: props.remediationRoleName, keyTrust: props.keyTrust }),
    );
    this.restoreDocument = this.document(
      'RestoreSecretKey',
      RESTORE_DOCUMENT_NAME,
      restoreRunbook({ roleName: props.restoreRoleName, keyTrust: props.keyTrust }),
    );
    if (props.exportNames ?? true) {
      new CfnOutput(this, 'RekeyDocumentName', {
        value: REKEY_DOCUMENT_NAME,
        description: 'SSM Automation runbook that moves a secret to a customer managed key',
      });
      new CfnOutput(this, 'RestoreDocumentName', {
        value: RESTORE_DOCUMENT_NAME,
        description: 'SSM Automation runbook that puts a secret back on its previous key',
      });
    }
  }

  private document(id: string, name: string, content: object): ssm.CfnDocument {
    return new ssm.CfnDocument(this, id, {
      name,
      documentType: 'Automation',
      documentFormat: 'JSON',
      content,
      // A named document can only change in place as a new version.
      updateMethod: 'NewVersion',
    });
  }
}
