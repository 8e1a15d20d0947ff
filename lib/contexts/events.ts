import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type Archive, EventBus } from 'aws-cdk-lib/aws-events';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EVENT_ARCHIVE, EVENTS_ENV, eventPublishers, eventRules, stageEventNames, type EventRule } from '../events';
import type { StreamConsumer } from '../stream-consumer-spec';
import type { TableKey } from '../tables';
import { AlarmTopic } from './alarm-topic';
import { EventRules } from './event-rules';
import type { EmailSender } from './notifications';
import { StreamConsumers } from './stream-consumers';

export interface DomainEventsProps {
  readonly namePrefix: string;
  /** The tables whose streams the publishers read (products, orders, inventory, users). */
  readonly tables: Readonly<Partial<Record<TableKey, ITable>>>;
  readonly publishers?: readonly StreamConsumer[];
  /** The rules consuming the bus (lib/events.ts `eventRules` by default). */
  readonly rules?: readonly EventRule[];
  /** How the rules' targets that send e-mail send it (lib/contexts/notifications.ts). */
  readonly email?: EmailSender;
  /** StockLow fires below this many available units (default 5). */
  readonly stockLowThreshold?: number;
  readonly alarmTopic?: ITopic;
}

/**
 * The domain events context (lib/events.ts): the `<prefix>-events` bus every context's events go to, its archive
 * (30 days, replayed with `npm run events:replay`), and the publishers — one stream consumer per table, each
 * allowed to put events on this bus and nothing else, with the on-failure queue and alarms every consumer has —
 * and the rules that consume it, each with its function and dead-letter queue (./event-rules.ts).
 */
export class DomainEvents extends Construct {
  readonly bus: EventBus;
  readonly archive: Archive;
  readonly publishers: StreamConsumers;
  readonly rules: EventRules;
  readonly alarmTopic: ITopic;

  constructor(scope: Construct, id: string, props: DomainEventsProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: stageEventNames(props.namePrefix).bus,
      description: 'Domain events of every context (docs/EVENTS.md)',
    });
    this.archive = this.bus.archive('Archive', {
      archiveName: stageEventNames(props.namePrefix).archive,
      description: 'Every domain event, kept for replays',
      // Everything this account puts on the bus: an archive needs a pattern, and this one matches every event.
      eventPattern: { account: [Stack.of(this).account] },
      retention: Duration.days(EVENT_ARCHIVE.retentionDays),
    });
    this.alarmTopic =
      props.alarmTopic ??
      new AlarmTopic(this, 'Alarms', {
        namePrefix: props.namePrefix,
        name: 'events-alarms',
        displayName: 'ECIComm domain events alarms',
      }).topic;
    this.publishers = new StreamConsumers(this, 'Publishers', {
      namePrefix: props.namePrefix,
      consumers: props.publishers ?? eventPublishers,
      tables: props.tables,
      alarmTopic: this.alarmTopic,
    });
    for (const { consumer, function: publisher } of this.publishers.consumers.values()) {
      if (consumer.domainEvents !== 'publish') continue;
      this.bus.grantPutEventsTo(publisher.function);
      publisher.function.addEnvironment(EVENTS_ENV.bus, this.bus.eventBusName);
      publisher.function.addEnvironment(EVENTS_ENV.stockLowThreshold, String(props.stockLowThreshold ?? 5));
    }
    this.rules = new EventRules(this, 'Rules', {
      namePrefix: props.namePrefix,
      bus: this.bus,
      rules: props.rules ?? eventRules,
      tables: props.tables,
      alarmTopic: this.alarmTopic,
      email: props.email,
    });
  }
}
