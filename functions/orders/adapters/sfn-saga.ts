import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SagaStarter } from '../ports';
import type { SagaState } from '../saga-schemas';

/** Step Functions StartExecution, named by the order id: a retried request cannot start a second saga. */
export class StepFunctionsSagaStarter implements SagaStarter {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(orderId: string, state: SagaState): Promise<void> {
    try {
      await this.sfn.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: orderId, input: JSON.stringify(state) }));
    } catch (e) {
      // The same order already has its saga: what a retry of this step should find.
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    }
  }
}
