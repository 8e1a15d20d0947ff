/**
 * The notifications in CDK (lib/contexts/notifications.ts, lib/events.ts `notifyShopperOfOrders`), in the stage's
 * nested stack: the SES identity and configuration set from context, bounces and complaints to an encrypted SNS
 * topic, and the rule's function — with its sender in its environment, ses:SendEmail on that identity and that
 * configuration set only, its tables (the profile read, the idempotency records) and its templates in its bundle.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { bundleFunction, PROJECT_ROOT } from '../../lib/contexts/function-bundling';
import { eventRules } from '../../lib/events';
import { EciCommStack } from '../../lib/stacks/platform-stack';
import { logicalIdOf, referenceFrom } from '../support/cdk-templates';

type CfnResource = { Type: string; Properties: Record<string, any> };
type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const ofType = (type: string) => Object.values(resources).filter((r) => r.Type === type);
const rule = eventRules.find((r) => r.id === 'notifyShopperOfOrders')!;

beforeAll(() => {
  const app = new App({
    context: {
      'aws:cdk:bundling-stacks': [],
      sesFromAddress: 'orders@shop.example.org',
      sesDomain: 'shop.example.org',
    },
  });
  stack = new EciCommStack(app, 'NotificationsTest', { namePrefix: 'ecicomm-test' });
  resources = Template.fromStack(stack.downstream).toJSON().Resources as Record<string, CfnResource>;
});

describe('the sending side', () => {
  it('verifies the domain from context and sends in a configuration set that suppresses bounces and complaints', () => {
    const [identity] = ofType('AWS::SES::EmailIdentity');
    expect(identity.Properties).toMatchObject({
      EmailIdentity: 'shop.example.org',
      ConfigurationSetAttributes: { ConfigurationSetName: { Ref: logicalIdOf(stack.notifications.configurationSet) } },
    });
    const [set] = ofType('AWS::SES::ConfigurationSet');
    expect(set.Properties).toMatchObject({
      Name: 'ecicomm-test-notifications',
      SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    });
  });

  it('publishes bounces, complaints and rejections to an encrypted, SSL-only topic SES alone may publish to', () => {
    const [destination] = ofType('AWS::SES::ConfigurationSetEventDestination');
    expect(destination.Properties.EventDestination).toMatchObject({
      Enabled: true,
      MatchingEventTypes: ['bounce', 'complaint', 'reject'],
      SnsDestination: { TopicARN: { Ref: logicalIdOf(stack.notifications.feedbackTopic) } },
    });
    const topic = resources[logicalIdOf(stack.notifications.feedbackTopic)];
    expect(topic.Properties).toMatchObject({ TopicName: 'ecicomm-test-email-feedback' });
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const topicStatements = ofType('AWS::SNS::TopicPolicy').flatMap(
      (p) => p.Properties.PolicyDocument.Statement as (Statement & { Principal?: unknown })[],
    );
    expect(topicStatements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Action: 'sns:Publish', Principal: { Service: 'ses.amazonaws.com' } }),
      ]),
    );
  });
});

describe("the notifications rule's function", () => {
  const built = () => stack.events.rules.rules.get(rule.id)!;
  const fn = () => resources[logicalIdOf(built().function.function)];

  it('sends from the address in context, in the configuration set', () => {
    expect(fn().Properties.Environment.Variables).toMatchObject({
      SES_FROM_ADDRESS: 'orders@shop.example.org',
      SES_CONFIGURATION_SET: { Ref: logicalIdOf(stack.notifications.configurationSet) },
    });
  });

  it('may call ses:SendEmail on that identity and configuration set only, and no other SES action', () => {
    const statements = ofType('AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(logicalIdOf(built().function.role)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
    const ses = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ses:')));
    expect(ses).toHaveLength(1);
    expect(ses[0].Action).toBe('ses:SendEmail');
    const resourcesText = JSON.stringify(ses[0].Resource);
    expect(ses[0].Resource).toHaveLength(2);
    expect(resourcesText).toContain(':identity/');
    expect(resourcesText).toContain(':configuration-set/');
    expect(resourcesText).not.toContain('*');
  });

  it('reads the users table, writes the idempotency records, and is in its rule on the bus', () => {
    const env = fn().Properties.Environment.Variables;
    expect(env.USERS_TABLE).toEqual(referenceFrom(stack.downstream, stack.data.tables.users));
    expect(env.IDEMPOTENCY_TABLE).toEqual(referenceFrom(stack.downstream, stack.data.tables.idempotency));
    const eventRule = resources[logicalIdOf(built().eventRule)];
    expect(eventRule.Properties).toMatchObject({
      Name: 'ecicomm-test-notifyShopperOfOrders',
      EventPattern: {
        source: ['ecicomm.orders'],
        'detail-type': ['OrderConfirmed', 'OrderCancelled'],
        detail: { schemaVersion: [1] },
      },
    });
  });

  it('has its e-mail templates copied beside its bundle, where the module that reads them looks', () => {
    const [folder] = rule.target.files!;
    // template-files.ts reads ./templates beside itself: beside the bundle once bundled, so it sits where the folder does.
    expect(existsSync(path.join(PROJECT_ROOT, path.dirname(folder), 'template-files.ts'))).toBe(true);
    const outdir = mkdtempSync(path.join(os.tmpdir(), 'ecicomm-notify-bundle-'));
    try {
      bundleFunction({ entry: path.join(PROJECT_ROOT, rule.target.handler), files: rule.target.files }, outdir);
      const written = readdirSync(outdir, { withFileTypes: true });
      // Every chunk beside index.mjs, none in a subfolder: whichever holds template-files.ts finds ./templates.
      expect(written.filter((e) => e.isDirectory()).map((e) => e.name)).toEqual(['templates']);
      expect(written.some((e) => e.name === 'index.mjs')).toBe(true);
      expect(readdirSync(path.join(outdir, 'templates')).sort()).toEqual([
        'order-cancelled.html',
        'order-cancelled.txt',
        'order-confirmed.html',
        'order-confirmed.txt',
      ]);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
