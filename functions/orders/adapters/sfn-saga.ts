import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { SagaExecutions, SagaStarter } from '../ports';
import type { SagaInput } from '../saga-schemas';

/** An execution's ARN from its state machine's and its name, as Step Functions forms it. */
export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

/**
 * Step Functions StartExecution, named by the order id: a retried request cannot start a second saga; and
 * DescribeExecution by the same name, for settlement to tell a running saga from one that is gone.
 */
export class StepFunctionsSaga implements SagaStarter, SagaExecutions {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(orderId: string, input: SagaInput): Promise<void> {
    try {
      await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name: orderId,
          input: JSON.stringify(input),
        }),
      );
    } catch (e) {
      // The same order already has its saga: what a retry of this step should find.
      if ((e as Error).name !== 'ExecutionAlreadyExists') throw e;
    }
  }

  async isRunning(orderId: string): Promise<boolean> {
    try {
      const { status } = await this.sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(this.stateMachineArn, orderId) }),
      );
      return status === 'RUNNING';
    } catch (e) {
      // Never started (a crash between the order and StartExecution), or its history expired.
      if ((e as Error).name === 'ExecutionDoesNotExist') return false;
      throw e;
    }
  }
}
