import type { SegmentFeatures } from '../../../ml/src/insights/contract';
import type { SageMakerInsights } from '../../analytics/adapters/sagemaker-insights';
import type { SegmentAssigner, ShopperSegment } from '../ports';

/**
 * The segment assignment through the demand-insights endpoint's client (its timeout, its breaker, its contract
 * parsing and its typed failures: functions/analytics/adapters/sagemaker-insights.ts), one client per container.
 */
export class InsightsSegments implements SegmentAssigner {
  constructor(private readonly model: Pick<SageMakerInsights, 'assignSegment'>) {}

  async assign(features: SegmentFeatures): Promise<ShopperSegment> {
    const { segment, name, topProducts } = await this.model.assignSegment(features);
    return { segment, name, topProducts };
  }
}
