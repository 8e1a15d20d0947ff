import { DynamoDBClient, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { tableList } from './lib/tables';
const c = new DynamoDBClient({ region: 'eu-west-2', endpoint: process.argv[2] ?? 'http://127.0.0.1:8000', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
const out: string[] = [];
for (const spec of tableList) {
  const { Table } = await c.send(new DescribeTableCommand({ TableName: `ecicomm-${spec.name}` }));
  out.push(`${spec.name}:${Table?.StreamSpecification?.StreamEnabled ? 'stream' : '-'}:${Table?.ItemCount}`);
}
console.log(out.join(' '));
c.destroy();
