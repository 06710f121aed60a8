/**
 * The code bucket of one Region (placement `members`): the rule function's code, which
 * the StackSet's member stacks of that Region read when they create their function. A
 * Lambda function's S3 code must be in the function's Region (it may be in another
 * account), so there is one bucket per deployment Region, named by `codeBucketName`.
 *
 * Any principal of the organization may read the code (`aws:PrincipalOrgID`): it is the
 * same public-source binary in every account and holds no secret. Nothing else may, and
 * nobody outside the deploying account may write. The app does not upload the code: the
 * operator copies the built zip to `CodeObjectKey` in every bucket (cdk/README.md,
 * "Deploy"), between deploying these stacks and the organization stacks.
 */
import { CfnOutput, RemovalPolicy, Stack, StackProps, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { codeBucketName, codeObjectKey } from '../organization/naming';

export interface SecretsCmkCodeBucketStackProps extends StackProps {
  /** The Region this bucket serves (its member stacks' Region). */
  readonly region: string;
  readonly organizationId: string;
  /** Directory of the built `bootstrap`, whose fingerprint names the object. */
  readonly assetPath: string;
}

export class SecretsCmkCodeBucketStack extends Stack {
  public readonly bucket: s3.Bucket;
  /** Key the operator uploads the code zip to, and the member stacks read. */
  public readonly objectKey: string;

  constructor(scope: Construct, id: string, props: SecretsCmkCodeBucketStackProps) {
    super(scope, id, {
      description: 'secrets-cmk: the rule function code for the member accounts of one Region',
      ...props,
      env: { ...props.env, region: props.region },
    });
    this.objectKey = codeObjectKey(props.assetPath);
    this.bucket = new s3.Bucket(this, 'CodeBucket', {
      bucketName: codeBucketName(this.account, props.region),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      // Member functions keep reading their code until the StackSet updates them.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'OrganizationReadsCode',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        principals: [new iam.AnyPrincipal()],
        resources: [this.bucket.arnForObjects('secrets-cmk-rule/*')],
        conditions: { StringEquals: { 'aws:PrincipalOrgID': props.organizationId } },
      }),
    );
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'The bucket holds one build artifact per release, readable inside the organization only and written by ' +
        'the deploying account; CloudTrail records who changes it, and an access-log bucket would need its own.',
    });

    new CfnOutput(this, 'CodeBucketName', { value: this.bucket.bucketName });
    new CfnOutput(this, 'CodeObjectKey', {
      value: this.objectKey,
      description: 'Upload the zip of bootstrap here before deploying the organization stacks',
    });
  }
}
