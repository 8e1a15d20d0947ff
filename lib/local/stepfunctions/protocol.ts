/**
 * The AWS JSON 1.0 protocol as @aws-sdk/client-sfn speaks it (lib/local/http/aws-json.ts): `X-Amz-Target:
 * AWSStepFunctions.<Action>`, signed for the service `states` with the platform's per-run credentials.
 */
import { awsJsonProtocol } from '../http/aws-json';

export { ApiError } from '../http/aws-json';

/** Far above Step Functions' own limit on an execution's input (256 KiB); anything larger is refused (413) and not kept. */
const MAX_REQUEST_BYTES = 1024 * 1024;

export const stepFunctionsProtocol = awsJsonProtocol({
  title: 'local Step Functions',
  signingName: 'states',
  jsonVersion: '1.0',
  targetPrefix: 'AWSStepFunctions',
  maxRequestBytes: MAX_REQUEST_BYTES,
});
