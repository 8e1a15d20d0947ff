/**
 * An event on a bus: matched against the bus's enabled rules (each matching rule's targets get it) and its
 * archives (each matching archive keeps it). A replayed event reaches only the rules the replay names and is not
 * archived again, as in AWS.
 */
import { deliver, type DeliveryOptions, type DeliveryStats } from './delivery';
import { matchesPattern } from './pattern';
import type { EventBridgeStore } from './store';
import type { BusEvent } from './types';

export interface RouteOptions {
  /** Rule ARNs a replay is limited to; every rule of the bus when absent. */
  onlyRules?: ReadonlySet<string>;
  replay?: boolean;
}

export class Router {
  readonly stats: DeliveryStats = { delivered: 0, retried: 0, deadLettered: 0, dropped: 0 };
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly store: EventBridgeStore,
    private readonly options: DeliveryOptions,
    private readonly busArn: (bus: string) => string,
  ) {}

  /** Starts the deliveries the event calls for; returns how many rules matched. */
  route(bus: string, event: BusEvent, { onlyRules, replay = false }: RouteOptions = {}): number {
    let matched = 0;
    for (const rule of this.store.rules.values()) {
      const { spec } = rule;
      if (spec.EventBusName !== bus || spec.State !== 'ENABLED') continue;
      if (onlyRules && !onlyRules.has(spec.Arn)) continue;
      if (!matchesPattern(rule.pattern, event)) continue;
      matched++;
      for (const target of rule.targets.values()) this.track(deliver(spec, target, event, this.options, this.stats));
    }
    if (!replay) this.archive(bus, event);
    return matched;
  }

  private archive(bus: string, event: BusEvent) {
    const at = this.options.now();
    for (const { spec, pattern } of this.store.archives.values()) {
      if (spec.EventSourceArn !== this.busArn(bus)) continue;
      if (pattern && !matchesPattern(pattern, event)) continue;
      this.store.appendArchived(spec.ArchiveName, [{ at, event }]);
    }
  }

  private track(delivery: Promise<void>) {
    const tracked = delivery.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }

  /** Resolves once every delivery started so far (and any started meanwhile) has settled. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}
