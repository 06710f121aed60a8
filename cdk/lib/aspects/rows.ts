/**
 * The rows of the decision table, numbered and labelled as rule-core's `Row`
 * (crates/rule-core/src/row.rs) numbers and labels them, so that an annotation in a CDK
 * app names the same row as the rule, the CLI's audit and its check-template. Both read
 * one list, `contract/rows.json`: rule-core's tests check `Row::ALL` against it, and this
 * module checks it when it loads (every row named here present once, nothing else).
 */
import rowsJson from '../../../contract/rows.json';

/** Compliance as PutEvaluations spells it. */
export type Compliance = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** One row of the table. */
export interface DecisionRow {
  /** `"4"`, `"5a"`, ... as design.md and `Row::number` write it. */
  readonly number: string;
  /** `Row::label`: a short cause. */
  readonly label: string;
  readonly compliance: Compliance;
}

/**
 * Every row by rule-core's variant name (camelCase), in table order. A construct tree
 * decides rows 3, 4, 5, 5a, 5b, 8, 11 and 12; rows 1 and 2 (a secret deleted or
 * scheduled for deletion) and 6, 7, 9 and 10 (what DescribeKey says, and the key ARNs
 * compared) need the account.
 */
const ROW_NAMES = [
  'gone',
  'scheduledForDeletion',
  'exempt',
  'defaultKey',
  'awsManagedAlias',
  'untrustedKeyAccount',
  'keyInAnotherRegion',
  'awsManagedKey',
  'keyNotFound',
  'keyNotEnabled',
  'notApproved',
  'crossAccountUnverified',
  'replicaFails',
  'compliant',
] as const;

export type RowName = (typeof ROW_NAMES)[number];

const COMPLIANCE: readonly string[] = ['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE'];

function rowsFromContract(): Readonly<Record<RowName, DecisionRow>> {
  const listed = rowsJson.rows;
  const names = listed.map((row) => row.name);
  if (names.join() !== ROW_NAMES.join()) {
    throw new Error(`contract/rows.json lists the rows ${names.join(', ')}; the Aspect knows ${ROW_NAMES.join(', ')}`);
  }
  const rows = {} as Record<RowName, DecisionRow>;
  listed.forEach((row, index) => {
    if (!COMPLIANCE.includes(row.compliance)) {
      throw new Error(`contract/rows.json: row ${row.number} has the compliance ${row.compliance}`);
    }
    rows[ROW_NAMES[index]!] = {
      number: row.number,
      label: row.label,
      compliance: row.compliance as Compliance,
    };
  });
  return rows;
}

/** Every row, keyed by name. */
export const ROWS: Readonly<Record<RowName, DecisionRow>> = rowsFromContract();
