/**
 * The central function's one invoke grant for the whole organization (placement
 * `central`): an AWS::Lambda::ResourcePolicy whose single statement lets AWS Config
 * invoke the function when the call comes on behalf of an account of the organization
 * (`aws:SourceOrgID`).
 *
 * Why not AWS::Lambda::Permission: it takes only `SourceAccount` / `SourceArn` for a
 * service principal, and its `PrincipalOrgID` adds `aws:PrincipalOrgID`, a key a service
 * principal's request does not carry (the aws-cdk rejects the combination, aws-cdk#19879);
 * so an organization took one statement per account and hit Lambda's 20 KB policy limit
 * at about 60 accounts. A ResourcePolicy takes a whole policy document with any global
 * condition key. That AWS Config's invocation carries `aws:SourceOrgID` is `assumed`
 * (docs/aws-behaviour.md) until `secrets-cmk doctor --organization` sees a member's
 * evaluation accepted. The function must have no other permission resource: CloudFormation
 * warns that the two resource types overwrite each other.
 */
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export interface OrganizationInvokePolicyProps {
  readonly function: lambda.IFunction;
  readonly organizationId: string;
}

/** The policy document, as Lambda stores it (also what the size tests measure). */
export function organizationInvokePolicyDocument(functionArn: string, organizationId: string): object {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ConfigOfTheOrganization',
        Effect: 'Allow',
        Principal: { Service: 'config.amazonaws.com' },
        Action: 'lambda:InvokeFunction',
        Resource: functionArn,
        Condition: { StringEquals: { 'aws:SourceOrgID': organizationId } },
      },
    ],
  };
}

export class OrganizationInvokePolicy extends Construct {
  public readonly resource: lambda.CfnResourcePolicy;

  constructor(scope: Construct, id: string, props: OrganizationInvokePolicyProps) {
    super(scope, id);
    this.resource = new lambda.CfnResourcePolicy(this, 'Resource', {
      resourceArn: props.function.functionArn,
      policyDocument: organizationInvokePolicyDocument(props.function.functionArn, props.organizationId),
    });
  }
}
