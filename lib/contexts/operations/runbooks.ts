/**
 * The runbook line of each of the stage's alarms (its description, which the notification e-mail carries): what it
 * means, the first thing to check, how to mitigate. CloudWatch keeps at most 1024 characters of a description.
 */
const watching = (kind: string, names: readonly string[]) => ` Watches the ${kind}: ${names.join(', ')}.`;

export const RUNBOOKS = {
  api5xxRate:
    'More than 1% of API requests (10 or more a minute) answered 5xx in 3 of the last 5 minutes. ' +
    "First check the dashboard's 'API 5xx by route' graph, then that route's function errors and its log group (level ERROR). " +
    'A CodeDeploy canary in progress is rolled back on this alarm; otherwise roll back the last deployment, or fix the dependency the logs name (DynamoDB, OpenSearch, SageMaker).',
  apiLatencyP99:
    "The API's p99 latency stayed above 2 s for 15 minutes. " +
    "Check 'API p99 latency by route' for the slow route, then its function's duration p99 and X-Ray traces for the slow segment (DynamoDB, OpenSearch, SageMaker, cold starts). " +
    "Mitigate by scaling the slow dependency, or give the route's function more memory (CPU) or provisioned concurrency.",
  lambdaErrors: (functions: readonly string[]) =>
    'These functions threw or timed out 5 or more times a minute, in 2 of 3 minutes. ' +
    "Check the dashboard's per-context 'errors' graphs for the function, then the stack trace in its log group. " +
    'A CodeDeploy canary is rolled back on this alarm; otherwise roll back the last deployment or fix the failing dependency.' +
    watching('functions', functions),
  lambdaThrottles: (functions: readonly string[]) =>
    'Lambda refused 10 or more invocations of these functions in 5 minutes: concurrency is exhausted. ' +
    'Check the account-wide ConcurrentExecutions against its quota and which function throttles; look for a runaway caller, such as a stream consumer retrying a poison batch. ' +
    'Raise the concurrency quota, or reserve concurrency for the checkout functions.' +
    watching('functions', functions),
  sagaFailures:
    'An order saga execution failed, timed out or was aborted (a cancelled order ends as succeeded): a compensation kept failing, and the saga put its state in the compensation dead-letter queue. ' +
    'Open the failed execution in the Step Functions console to see the state and error; the settlement job settles the order after its grace period. ' +
    'Fix the failing step (its function errors, its table), then check the dead-letter message and refund or release by hand if settlement could not.',
  deadLetters: (queues: readonly string[]) =>
    'Messages wait in a dead-letter or on-failure queue: a saga compensation, an event rule delivery or a stream batch gave up. ' +
    'Check a message for the cause: its body names the execution, event or stream records. ' +
    'Fix the cause, then redrive: stream consumers with npm run redrive -- --consumer <id> --prefix <stage>, event rules with npm run events:replay, the compensation queue by hand.' +
    watching('queues', queues),
  iteratorAge: (consumers: readonly string[]) =>
    "A stream consumer's oldest unprocessed record waited over 60 s: it is falling behind, and records past its maximum record age go unprocessed to its on-failure queue. " +
    "Check the consumer's errors and duration (a failing batch retried) and its target (Redshift workgroup, OpenSearch writes blocked). " +
    'Fix or skip the failing record (bisect and partial batch responses isolate it), or scale the target.' +
    watching('consumers', consumers),
  dynamoDbThrottles: (tables: readonly string[]) =>
    'DynamoDB throttled 10 or more reads or writes of these on-demand tables in 5 minutes: a hot partition key, or traffic past twice its previous peak. ' +
    "Check the dashboard's DynamoDB throttle graphs for the table and the calling function's logs. " +
    'Callers retry with backoff; for a lasting hot key, spread it (write sharding) or pre-warm the table.' +
    watching('tables', tables),
  paymentDeclineSpike:
    'Over 15 minutes, declines exceeded 25% of the orders placed (10 or more). ' +
    "Check the payment provider's status and the chargePayment function's logs for the decline codes: every card declined means a provider outage or misconfiguration; many declines from few users means card testing. " +
    'Mitigate a provider fault with the provider; block card testers at the WAF (IP or client).',
  noOrdersConfirmed:
    'Five or more orders were placed in 15 minutes and none was confirmed: checkout breaks after POST /v1/orders. ' +
    "Check the dashboard's saga executions (started? failing?) and the reserveInventory, chargePayment and confirmOrder functions' errors. " +
    "Roll back the last deployment, or fix the failing step's dependency.",
} as const;
