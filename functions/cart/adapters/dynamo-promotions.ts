import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { logger } from '../../shared/observability';
import { Promotion } from '../domain/promotions';
import type { PromotionRepository } from '../ports';

export class DynamoPromotionRepository implements PromotionRepository {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(code: string): Promise<Promotion | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { code } }));
    if (!Item) return undefined;
    const parsed = Promotion.safeParse(Item);
    // A malformed record is an operator's mistake: the code behaves as unknown rather than failing checkout.
    if (!parsed.success) {
      logger.error('invalid promotion record', { code, issues: parsed.error.issues });
      return undefined;
    }
    return parsed.data;
  }
}
