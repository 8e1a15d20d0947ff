import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AwsCustomResource,
  AwsCustomResourcePolicy,
  PhysicalResourceId,
  type AwsSdkCall,
} from 'aws-cdk-lib/custom-resources';
import { marshall } from '@aws-sdk/util-dynamodb';
import { Construct } from 'constructs';
import type { TableKey } from '../tables';
import { SMOKE_TEST_PRODUCT, smokeTestProductItems } from '../ops/smoke-test/test-product';

export interface SmokeTestProductProps {
  readonly tables: Readonly<Record<TableKey, Table>>;
}

/**
 * The product the pipeline's smoke test buys, written into a non-production stage's tables at deployment, in
 * the item shapes the catalog and inventory adapters write (one transaction: the product, its SKU claim, its
 * stock), and removed with the stage. Seeded by the stack rather than through the admin API, so the smoke
 * test needs no admin credentials and Prod cannot get the product by accident: only a stage built with it has it.
 */
export class SmokeTestProduct extends Construct {
  readonly resource: AwsCustomResource;

  constructor(scope: Construct, id: string, props: SmokeTestProductProps) {
    super(scope, id);
    const { products, productSkus, inventory } = props.tables;
    const items = smokeTestProductItems();
    const put = (table: Table, item: Record<string, unknown>) => ({
      Put: { TableName: table.tableName, Item: marshall(item, { removeUndefinedValues: true }) },
    });
    const seed: AwsSdkCall = {
      service: 'DynamoDB',
      action: 'transactWriteItems',
      parameters: {
        TransactItems: [
          put(products, items.products),
          put(productSkus, items.productSkus),
          put(inventory, items.inventory),
        ],
      },
      physicalResourceId: PhysicalResourceId.of(SMOKE_TEST_PRODUCT.id),
    };
    const remove: AwsSdkCall = {
      service: 'DynamoDB',
      action: 'transactWriteItems',
      parameters: {
        TransactItems: [
          { Delete: { TableName: products.tableName, Key: marshall({ id: SMOKE_TEST_PRODUCT.id }) } },
          { Delete: { TableName: productSkus.tableName, Key: marshall({ sku: SMOKE_TEST_PRODUCT.sku }) } },
          { Delete: { TableName: inventory.tableName, Key: marshall({ productId: SMOKE_TEST_PRODUCT.id }) } },
        ],
      },
    };
    // Its own role and log group: the default role carries AWSLambdaBasicExecutionRole (logs in every group).
    const logs = new LogGroup(this, 'Logs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logs.grantWrite(role);
    this.resource = new AwsCustomResource(this, 'Seed', {
      resourceType: 'Custom::SmokeTestProduct',
      onCreate: seed,
      // An update (the product's definition changed) writes it again, stock included.
      onUpdate: seed,
      onDelete: remove,
      // TransactWriteItems is authorised as the Put/Delete of each item: no IAM action of its own.
      policy: AwsCustomResourcePolicy.fromStatements([
        new PolicyStatement({
          actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'],
          resources: [products.tableArn, productSkus.tableArn, inventory.tableArn],
        }),
      ]),
      role,
      logGroup: logs,
      // The runtime's SDK has TransactWriteItems; installing the latest would download from npm during deployment.
      installLatestAwsSdk: false,
    });
  }
}
