/**
 * The local S3's front door: a Node HTTP server that checks each request's authentication (access.ts) and
 * hands the accepted ones to s3rver, which stores objects but does not verify SigV4 signatures itself.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { accessRefusal, type S3AccessRules } from './access';
import { sendS3Refusal } from './errors';
import { receivedS3Request } from './request';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export function s3FrontServer(rules: S3AccessRules, s3rver: RequestListener): Server {
  return createServer((message, response) => {
    const request = receivedS3Request(message);
    accessRefusal(request, rules).then(
      (refusal) => {
        if (!refusal) return s3rver(message, response);
        // The body of a refused upload is not read: drain it, so the connection can answer and close.
        message.resume();
        sendS3Refusal(response, refusal, request.path);
      },
      (error: unknown) => {
        message.resume();
        response.writeHead(500, { 'content-type': 'text/plain' });
        response.end(`S3 front failed: ${(error as Error)?.message ?? String(error)}`);
      },
    );
  });
}
