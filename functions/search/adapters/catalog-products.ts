import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoProductRepository } from '../../catalog/adapters/dynamo-products';
import type { CatalogProducts } from '../ports';

/**
 * The catalog's products for the reindex, read through the catalog's own repository (its whole-table scan) —
 * the search context never reads the products table by itself; its count from DescribeTable, which costs no
 * reads (DynamoDB refreshes it every few hours: a progress estimate only).
 */
export class RepositoryCatalogProducts implements CatalogProducts {
  constructor(
    private readonly repository: Pick<DynamoProductRepository, 'scanPages'>,
    private readonly dynamo: Pick<DynamoDBClient, 'send'>,
    private readonly tableName: string,
  ) {}

  pages(pageSize: number): AsyncIterable<unknown[]> {
    return this.repository.scanPages(pageSize);
  }

  async approximateCount(): Promise<number> {
    const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
    return Table?.ItemCount ?? 0;
  }
}
