import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { hasStream, STREAM_VIEW_TYPE } from '../table-streams';
import { tables as tableSpecs, type TableKey, type TableSpec } from '../tables';

export interface DataProps {
  /** Physical table names are `${namePrefix}-${spec.name}`, as in the local substrate. */
  readonly namePrefix: string;
}

/**
 * Every bounded context's DynamoDB tables, built from the one description in lib/tables.ts so that the
 * cloud and DynamoDB Local hold the same keys, indexes, TTL and streams.
 */
export class Data extends Construct {
  readonly tables: Readonly<Record<TableKey, Table>>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    const built = {} as Record<TableKey, Table>;
    for (const [key, spec] of Object.entries(tableSpecs) as [TableKey, TableSpec][]) {
      built[key] = buildTable(this, key, spec, props.namePrefix);
    }
    this.tables = built;
  }
}

const stringKey = (name: string) => ({ name, type: AttributeType.STRING });

function buildTable(scope: Construct, id: string, spec: TableSpec, namePrefix: string): Table {
  const table = new Table(scope, id, {
    tableName: `${namePrefix}-${spec.name}`,
    partitionKey: stringKey(spec.partitionKey),
    sortKey: spec.sortKey ? stringKey(spec.sortKey) : undefined,
    billingMode: BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    // Only where a consumer reads it (search, analytics, the domain events' publishers); both images let them diff.
    stream: hasStream(spec) ? StreamViewType[STREAM_VIEW_TYPE] : undefined,
    timeToLiveAttribute: spec.ttlAttribute,
    // AWS-owned keys would hide key use from CloudTrail; AWS-managed keeps that audit trail without
    // every function needing a KMS grant, as a customer-managed key would.
    encryption: TableEncryption.AWS_MANAGED,
    deletionProtection: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  for (const index of spec.indexes ?? []) {
    table.addGlobalSecondaryIndex({
      indexName: index.name,
      partitionKey: stringKey(index.partitionKey),
      sortKey: index.sortKey ? stringKey(index.sortKey) : undefined,
    });
  }
  return table;
}
