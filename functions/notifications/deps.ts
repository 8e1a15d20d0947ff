import { SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoDocumentClient } from '../shared/dynamo-client';
import { traced } from '../shared/tracing';
import { parseEnv } from '../shared/env';
import { logger } from '../shared/observability';
import { NotificationsEnv } from './env';
import { DynamoRecipients } from './adapters/dynamo-recipients';
import { SesMailer } from './adapters/ses-mailer';
import type { NotificationsDeps } from './ports';
import { fileTemplates } from './template-files';

export function liveNotificationsDeps(env: NotificationsEnv): NotificationsDeps {
  return {
    recipients: new DynamoRecipients(dynamoDocumentClient(), env.USERS_TABLE),
    mailer: new SesMailer(traced(new SESv2Client({ maxAttempts: 3 })), env.SES_FROM_ADDRESS, env.SES_CONFIGURATION_SET),
    templates: fileTemplates(),
    log: {
      debug: (message, details) => logger.debug(message, details),
      info: (message, details) => logger.info(message, details),
      warn: (message, details) => logger.warn(message, details),
      error: (message, details) => logger.error(message, details),
    },
  };
}

export const loadNotificationsEnv = () => parseEnv(NotificationsEnv);
