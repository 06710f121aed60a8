/**
 * The one cdk-nag finding this project's roles acknowledge: AwsSolutions-IAM5, a
 * wildcard resource. Each acknowledgement names one resource as cdk-nag writes it
 * (pseudo parameters as `<AWS::...>`, see `nagResource`) and says why the wildcard is
 * needed; test/nag.test.ts checks that each is needed and explains itself.
 */
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Acknowledges AwsSolutions-IAM5 on `scope` for each resource (key), with its reason (value), in order. */
export function acknowledgeWildcardResources(scope: IConstruct, reasons: Readonly<Record<string, string>>): void {
  for (const [resource, reason] of Object.entries(reasons)) {
    Validations.of(scope).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resource}]`, reason });
  }
}
