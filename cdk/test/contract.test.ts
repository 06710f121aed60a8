/**
 * The CDK side of the contract (contract/contract.json; the Rust tests check the other
 * side): every role's policy allows exactly its contract actions, statement by statement;
 * every contract parameter reaches the rule's InputParameters when set; the function's
 * environment names are the contract's; the runbooks call exactly what their roles' contract
 * says they call.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { RULE_PARAMETER_NAMES } from '../lib/config';
import {
  CONTRACT,
  CONTRACT_PARAMETER_NAMES,
  ContractError,
  RoleName,
  calledActions,
  checkContract,
  contractRole,
  functionEnvironment,
  roleActions,
  ruleParameterNames,
} from '../lib/contract';
import { rekeyRunbook, restoreRunbook } from '../lib/runbooks';
import { embeddedTemplates } from '../scripts/embedded-templates';
import {
  Statement,
  TARGET_KEY_ARN,
  accountPackStack,
  logicalIdOf,
  memberStack,
  organizationStack,
  singleAccountStack,
  statementsOf,
} from './helpers';

/** Trust that gives the runbook roles several encrypt statements. */
const TRUST = { allowedKeyAccounts: '111111111111', kmsKeyArns: `alias/secrets-cmk,${TARGET_KEY_ARN}` };

/** The opt-in audit role with every grant it can have. */
const AUDIT = { auditPrincipalArns: 'arn:aws:iam::111122223333:role/SecurityAudit', auditImportsToSecurityHub: 'true' };

/** [what, contract role, the role as deployed] */
const deployedRoles: Array<[string, RoleName, () => iam.Role]> = [
  ['single-account rule function', 'ruleFunction', () => singleAccountStack().ruleFunction.role],
  ['organization central function', 'centralFunction', () => organizationStack().ruleFunction.role],
  ['member execution role', 'memberExecution', () => memberStack().executionRole.role],
  ['single-account remediation role', 'remediation', () => singleAccountStack().remediationRole.role],
  ['remediation role with trust', 'remediation', () => singleAccountStack(TRUST).remediationRole.role],
  ['member remediation role', 'remediation', () => memberStack(TRUST).remediationRole.role],
  ['single-account restore role', 'restore', () => singleAccountStack().restoreRole.role],
  ['restore role with trust', 'restore', () => singleAccountStack(TRUST).restoreRole.role],
  ['member restore role', 'restore', () => memberStack(TRUST).restoreRole.role],
  ['member audit role (with its Security Hub import)', 'memberAudit', () => memberStack(AUDIT).auditRole!.role],
];

function statementsOfRole(role: iam.Role): Statement[] {
  return statementsOf(Template.fromStack(role.stack), logicalIdOf(role));
}

/** A statement's Sid as the contract keys it: one grant may be several numbered statements. */
function contractSid(statement: Statement): string {
  if (statement.Sid === undefined) {
    throw new Error(`a statement without a Sid cannot be matched to the contract: ${JSON.stringify(statement)}`);
  }
  return statement.Sid.replace(/\d+$/, '');
}

const sorted = (actions: readonly string[]) => [...actions].sort();

describe.each(deployedRoles)('the %s allows exactly its contract actions', (_what, name, build) => {
  const role = contractRole(name);
  const statements = statementsOfRole(build());
  const allows = statements.filter((statement) => statement.Effect === 'Allow');
  const denies = statements.filter((statement) => statement.Effect === 'Deny');

  test('as a whole: no action more, none fewer', () => {
    const granted = [...new Set(allows.flatMap((statement) => statement.Action))];
    expect(sorted(granted)).toEqual(sorted(roleActions(name)));
  });

  test('statement by statement: each Sid is a contract grant with exactly its actions, each grant is used', () => {
    for (const statement of allows) {
      const grant = role.grants[contractSid(statement)];
      expect({ sid: statement.Sid, actions: grant && sorted(grant.actions) }).toEqual({
        sid: statement.Sid,
        actions: sorted(statement.Action),
      });
    }
    expect(sorted([...new Set(allows.map(contractSid))])).toEqual(sorted(Object.keys(role.grants)));
  });

  test('its Deny statements are the contract denies', () => {
    const expected = role.denies ?? {};
    expect(sorted(denies.map(contractSid))).toEqual(sorted(Object.keys(expected)));
    for (const statement of denies) {
      expect(sorted(statement.Action)).toEqual(sorted(expected[contractSid(statement)]?.actions ?? []));
    }
  });

  test('Resource "*" exactly where the contract says "*"; actions used on the caller behalf only via that service', () => {
    for (const statement of allows) {
      const grant = role.grants[contractSid(statement)]!;
      expect({ sid: statement.Sid, anyResource: statement.Resource.includes('*') }).toEqual({
        sid: statement.Sid,
        anyResource: grant.resources === '*',
      });
      if (grant.onBehalf === 'secretsmanager') {
        expect(statement.Condition?.StringEquals?.['kms:ViaService']).toBeDefined();
      }
    }
  });
});

test('every deployed contract role is checked above, and only the CLI entries have no policy', () => {
  const checked = new Set(deployedRoles.map(([, name]) => name));
  for (const [name, role] of Object.entries(CONTRACT.roles)) {
    expect({ name, deployed: checked.has(name as RoleName) }).toEqual({ name, deployed: role.policy !== null });
  }
});

describe('rule parameters', () => {
  const examples = Object.fromEntries(CONTRACT.ruleParameters.map((p) => [p.name, p.example]));

  test('the CDK reads exactly the contract parameters, in its order', () => {
    expect(RULE_PARAMETER_NAMES).toEqual(CONTRACT_PARAMETER_NAMES);
  });

  test.each(CONTRACT.ruleParameters.map((p) => [p.name, p.example]))(
    '%s reaches InputParameters when set (%s)',
    (name, example) => {
      Template.fromStack(singleAccountStack({ [name]: example })).hasResourceProperties('AWS::Config::ConfigRule', {
        InputParameters: { [name]: example },
      });
    },
  );

  test('all of them at once, and nothing else: in the stack, the account pack and every member account', () => {
    const rule = Template.fromStack(singleAccountStack(examples)).findResources('AWS::Config::ConfigRule');
    expect(Object.values(rule).map((r) => r.Properties.InputParameters)).toEqual([examples]);
    const pack = embeddedTemplates(Template.fromStack(accountPackStack(examples)).toJSON()).find((e) =>
      e.holderType.includes('ConformancePack'),
    )!;
    expect(JSON.parse(pack.body).Resources.SecretsCmkRule.Properties.InputParameters).toEqual(examples);
    // In an organization the function's own setting names the execution role (with its
    // Region); a parameter could only disagree with it, so the member rule omits it.
    const { executionRoleName: _setting, ...memberExamples } = examples;
    const memberRule = Template.fromStack(memberStack(examples)).findResources('AWS::Config::ConfigRule');
    expect(Object.values(memberRule).map((r) => r.Properties.InputParameters)).toEqual([memberExamples]);
  });

  test('a CDK reader missing for a contract parameter, or one the contract lacks, fails the synth', () => {
    const readers = Object.fromEntries(CONTRACT_PARAMETER_NAMES.map((n) => [n, true]));
    expect(ruleParameterNames(readers)).toEqual(CONTRACT_PARAMETER_NAMES);
    const { kmsKeyArns: _dropped, ...fewer } = readers;
    expect(() => ruleParameterNames(fewer)).toThrow(/no reader for \[kmsKeyArns\]/);
    expect(() => ruleParameterNames({ ...readers, kmsKeyIds: true })).toThrow(/not in the contract: \[kmsKeyIds\]/);
  });
});

describe('the Lambda environment', () => {
  const setByCdk = CONTRACT.lambdaEnvironment.filter((v) => v.cdkSetting !== null).map((v) => v.name);

  function variablesOf(template: Template): Record<string, unknown> {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    return fn?.Properties.Environment?.Variables ?? {};
  }

  test('the central function with every setting: exactly the contract variables the CDK sets', () => {
    const variables = variablesOf(Template.fromStack(organizationStack({ rustLog: 'debug' })));
    expect(sorted(Object.keys(variables))).toEqual(sorted(setByCdk));
  });

  test('a single-account function: only contract names, the member role name absent', () => {
    for (const context of [{}, { rustLog: 'info' }]) {
      const variables = variablesOf(Template.fromStack(singleAccountStack(context)));
      expect(Object.keys(variables).filter((name) => !setByCdk.includes(name))).toEqual([]);
      expect(Object.keys(variables)).not.toContain('SECRETS_CMK_EXECUTION_ROLE_NAME');
    }
  });

  test('a setting the contract does not know, or one left out, fails the synth', () => {
    expect(functionEnvironment({ 'crossAccount.executionRoleName': 'R', rustLog: undefined })).toEqual({
      SECRETS_CMK_EXECUTION_ROLE_NAME: 'R',
    });
    expect(() => functionEnvironment({ rustLog: 'debug' })).toThrow(ContractError);
    expect(() =>
      functionEnvironment({ 'crossAccount.executionRoleName': 'R', rustLog: undefined, deadlineMargin: '5' }),
    ).toThrow(ContractError);
  });
});

describe('the runbooks call what their roles contract says they call', () => {
  /** Every API a runbook calls: its API steps, and the boto3 calls of its scripts. */
  function callsOf(document: ReturnType<typeof rekeyRunbook>, role: RoleName): string[] {
    const calls = new Set<string>();
    for (const step of document.mainSteps) {
      const { Service, Api, Script } = step.inputs as { Service?: string; Api?: string; Script?: string };
      if (Service !== undefined && Api !== undefined) {
        calls.add(`${Service}:${Api}`);
      }
      for (const [, method] of (Script ?? '').matchAll(/\.([a-z]+(?:_[a-z]+)+)\(/g)) {
        const operation = method!.replace(/(^|_)([a-z])/g, (_m, _u, letter: string) => letter.toUpperCase());
        const action = roleActions(role).find((candidate) => candidate.endsWith(`:${operation}`));
        calls.add(action ?? `?:${operation}`);
      }
    }
    return [...calls];
  }

  const trust = { allowedKeyAccounts: ['111111111111'], approvedKeys: ['alias/secrets-cmk'] };
  test.each([
    ['SecretsCmk-RekeySecret', 'remediation', rekeyRunbook({ roleName: 'R', keyTrust: trust })],
    ['SecretsCmk-RestoreSecretKey', 'restore', restoreRunbook({ roleName: 'R', keyTrust: trust })],
  ] as const)('%s: exactly the %s role actions not used on its behalf', (_name, role, document) => {
    expect(sorted(callsOf(document, role))).toEqual(sorted(calledActions(role)));
  });
});

describe('the contract file', () => {
  const text = JSON.stringify(CONTRACT);

  test('never names reading a secret value', () => {
    expect(text).not.toMatch(/GetSecretValue|secretsmanager:\*/);
  });

  test('kms:Decrypt only where Secrets Manager uses it on the caller behalf, never for the rule', () => {
    for (const [name, role] of Object.entries(CONTRACT.roles)) {
      for (const [sid, grant] of Object.entries(role.grants)) {
        if (grant.actions.some((action) => action.startsWith('kms:Decrypt'))) {
          expect({ name, sid, onBehalf: grant.onBehalf }).toEqual({ name, sid, onBehalf: 'secretsmanager' });
        }
      }
    }
    for (const name of ['ruleFunction', 'centralFunction', 'memberExecution'] as const) {
      expect(roleActions(name).filter((action) => action.startsWith('kms:'))).toEqual(['kms:DescribeKey']);
    }
  });

  test.each([
    ['a wildcard action in a grant', (c: any) => (c.roles.ruleFunction.grants.WriteOwnLogs.actions = ['logs:*'])],
    ['a parameter listed twice', (c: any) => c.ruleParameters.push(c.ruleParameters[0])],
    ['a parameter without an example', (c: any) => delete c.ruleParameters[0].example],
    ['a grant without actions', (c: any) => (c.roles.restore.grants.DescribeKeys.actions = [])],
    ['an unknown onBehalf', (c: any) => (c.roles.restore.grants.DescribeKeys.onBehalf = 'ssm')],
    ['a lower-case variable', (c: any) => (c.lambdaEnvironment[0].name = 'rust_log')],
  ])('the shape check refuses %s', (_what, spoil) => {
    const copy = JSON.parse(JSON.stringify(CONTRACT));
    expect(() => checkContract(copy)).not.toThrow();
    spoil(copy);
    expect(() => checkContract(copy)).toThrow(ContractError);
  });
});
