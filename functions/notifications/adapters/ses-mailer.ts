import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../ports';

const utf8 = (Data: string) => ({ Data, Charset: 'UTF-8' });

/**
 * E-mails through SES v2's SendEmail: from the stage's verified identity, in its configuration set (whose event
 * destination publishes bounces and complaints), with an HTML and a plain-text part.
 */
export class SesMailer implements Mailer {
  constructor(
    private readonly ses: SESv2Client,
    private readonly from: string,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const { MessageId } = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [email.to] },
        Content: {
          Simple: { Subject: utf8(email.subject), Body: { Html: utf8(email.html), Text: utf8(email.text) } },
        },
        ConfigurationSetName: this.configurationSet,
        EmailTags: Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })),
      }),
    );
    if (!MessageId) throw new Error('SES accepted the e-mail without a MessageId');
    return { messageId: MessageId };
  }
}
