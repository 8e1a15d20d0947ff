import { App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Search } from '../../lib/contexts/search';
import { routes, type Route } from '../../lib/routes';
import { searchIamAction, searchPermissions, type SearchAccess } from '../../lib/search-access';
import { EciCommStack } from '../../lib/stacks/platform-stack';

type CfnResource = { Type: string; Properties: Record<string, any>; DependsOn?: string[]; DeletionPolicy?: string };
type DomainStatement = { Sid: string; Effect: string; Principal: { AWS: unknown }; Action: string | string[]; Resource: string | string[] };

/**
 * Until the search routes are in the route table, functions that use the engine are route entries given a
 * search access level: the health check checks it (status), and a copy of the product read stands for a
 * search route (read).
 */
const withSearch = (id: string, search: SearchAccess, as?: string): Route => ({ ...routes.find((r) => r.id === id)!, ...(as ? { id: as, path: `/v1/${as}` as const } : {}), search }) as Route;
const searchRoutes = [withSearch('health', 'status'), withSearch('getProduct', 'read', 'searchProbe')];
const testRoutes = [...routes.filter((r) => r.id !== 'health'), ...searchRoutes];

let stack: EciCommStack;
let resources: Record<string, CfnResource>;
const logicalId = (construct: IConstruct) =>
  stack.getLogicalId((construct instanceof CfnElement ? construct : construct.node.defaultChild) as CfnElement);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type);
const domainResource = () => resources[logicalId(stack.search.domain)]!;
const domainStatements = () => domainResource().Properties.AccessPolicies.Statement as DomainStatement[];
const roleRef = (id: string) => ({ 'Fn::GetAtt': [logicalId(stack.api.functions.get(id)!.role), 'Arn'] });
/** `arn:${Partition}:es:${Region}:${AccountId}:domain/ecicomm-test-search/<path>`, as CloudFormation receives it. */
const domainPath = (path: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':es:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, `:domain/ecicomm-test-search/${path}`]],
});

beforeAll(() => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] }, builtinCloudFormationValidation: false });
  stack = new EciCommStack(app, 'SearchTest', { namePrefix: 'ecicomm-test', routes: testRoutes });
  resources = Template.fromStack(stack).toJSON().Resources;
});

describe('the search domain', () => {
  it('is one OpenSearch Service domain named after the stage, upgraded in place on a version change', () => {
    const domains = ofType('AWS::OpenSearchService::Domain');
    expect(domains.map(([id]) => id)).toEqual([logicalId(stack.search.domain)]);
    const { Properties } = domainResource();
    expect(Properties.DomainName).toBe('ecicomm-test-search');
    expect(Properties.EngineVersion).toBe('OpenSearch_2.19');
    expect(resources[logicalId(stack.search.domain)]).toMatchObject({ UpdatePolicy: { EnableVersionUpgrade: true } });
  });

  it('encrypts at rest and between nodes, and takes HTTPS only, with TLS 1.2 or later and forward secrecy', () => {
    const { Properties } = domainResource();
    expect(Properties.EncryptionAtRestOptions).toEqual({ Enabled: true });
    expect(Properties.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(Properties.DomainEndpointOptions).toEqual({ EnforceHTTPS: true, TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10' });
  });

  it('spreads three data nodes over three zones, with three dedicated cluster managers and gp3 storage', () => {
    const { Properties } = domainResource();
    expect(Properties.ClusterConfig).toMatchObject({
      InstanceCount: 3,
      InstanceType: 'm7g.large.search',
      DedicatedMasterEnabled: true,
      DedicatedMasterCount: 3,
      DedicatedMasterType: 'm7g.large.search',
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
    });
    expect(Properties.EBSOptions).toMatchObject({ EBSEnabled: true, VolumeSize: 20, VolumeType: 'gp3' });
  });

  it('has no fine-grained access control, no basic auth and no master user: IAM decides every request', () => {
    const { Properties } = domainResource();
    expect(Properties.AdvancedSecurityOptions).toBeUndefined();
    expect(ofType('AWS::SecretsManager::Secret').filter(([id]) => id.includes('Search'))).toEqual([]);
  });
});

describe('the domain access policy', () => {
  it('admits exactly the roles of the functions that use the engine, by ARN, each with its own statements', () => {
    const principals = new Set(domainStatements().map((s) => JSON.stringify(s.Principal.AWS)));
    expect([...principals].sort()).toEqual(searchRoutes.map((r) => JSON.stringify(roleRef(r.id))).sort());
    for (const statement of domainStatements()) {
      expect(statement.Effect).toBe('Allow');
      expect(JSON.stringify(statement.Principal)).not.toContain('"*"');
    }
  });

  it.each(searchRoutes.map((r) => [r.id, r] as const))('%s may make exactly the requests of its access level, on this domain only', (_, route) => {
    const access = (route as Route & { search: SearchAccess }).search;
    const own = domainStatements().filter((s) => JSON.stringify(s.Principal.AWS) === JSON.stringify(roleRef(route.id)));
    expect(own.map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual(
      searchPermissions[access].map((p) => ({ Action: p.methods.map(searchIamAction), Resource: p.paths.map(domainPath) })),
    );
  });

  it('lets a search route send POST /products/_search and nothing else: no writes, no index or alias changes', () => {
    const [read] = domainStatements().filter((s) => JSON.stringify(s.Principal.AWS) === JSON.stringify(roleRef('searchProbe')));
    expect(read).toMatchObject({ Action: ['es:ESHttpGet', 'es:ESHttpPost'], Resource: [domainPath('products/_search')] });
    expect(domainStatements().filter((s) => JSON.stringify(s.Principal.AWS) === JSON.stringify(roleRef('searchProbe')))).toHaveLength(1);
  });

  it('is the only grant: no identity policy of the stack allows an es: action', () => {
    const esStatements = ofType('AWS::IAM::Policy').flatMap(([, p]) =>
      (p.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).filter((s) => [s.Action].flat().some((a) => a.startsWith('es:'))),
    );
    expect(esStatements).toEqual([]);
  });

  it('refuses everyone when no function uses the engine', () => {
    const lone = new Stack(new App(), 'Lone');
    const search = new Search(lone, 'Search', { namePrefix: 'lone' });
    const [, domain] = Object.entries(Template.fromStack(lone).toJSON().Resources as Record<string, CfnResource>).find(([, r]) => r.Type === 'AWS::OpenSearchService::Domain')!;
    expect(search.admitted).toEqual([]);
    expect(domain.Properties.AccessPolicies.Statement).toEqual([expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'es:ESHttp*' })]);
  });
});

describe('functions that use the engine', () => {
  it.each(searchRoutes.map((r) => [r.id] as const))('%s gets the https endpoint and the signing service es', (id) => {
    const variables = resources[logicalId(stack.api.functions.get(id)!.function)]!.Properties.Environment.Variables;
    expect(variables.OPENSEARCH_ENDPOINT).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.search.domain), 'DomainEndpoint'] }]] });
    expect(variables.OPENSEARCH_SIGNING_SERVICE).toBe('es');
  });

  it('no other function gets the endpoint', () => {
    const searchIds = new Set(searchRoutes.map((r) => logicalId(stack.api.functions.get(r.id)!.function)));
    const others = ofType('AWS::Lambda::Function').filter(([id, fn]) => !searchIds.has(id) && fn.Properties.Environment?.Variables?.OPENSEARCH_ENDPOINT);
    expect(others.map(([id]) => id)).toEqual([]);
  });
});

describe('logs', () => {
  const logGroupIds = () => Object.values(stack.search.logGroups).map((g) => logicalId(g));

  it('publishes search slow logs, index slow logs and error logs, each to its own log group with a retention', () => {
    const options = domainResource().Properties.LogPublishingOptions;
    const arnOf = (group: keyof Search['logGroups']) => ({ 'Fn::GetAtt': [logicalId(stack.search.logGroups[group]), 'Arn'] });
    expect(options).toEqual({
      SEARCH_SLOW_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('searchSlow') },
      INDEX_SLOW_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('indexSlow') },
      ES_APPLICATION_LOGS: { Enabled: true, CloudWatchLogsLogGroupArn: arnOf('errors') },
    });
    for (const id of logGroupIds()) expect(resources[id]!.Properties.RetentionInDays).toBe(30);
  });

  it('lets only OpenSearch Service, for this domain of this account, write to those groups, before the domain is created', () => {
    const policies = ofType('AWS::Logs::ResourcePolicy');
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0]!;
    const document = JSON.parse(JSON.stringify(stack.resolve(policy.Properties.PolicyDocument)));
    const rendered = JSON.stringify(document);
    for (const id of logGroupIds()) expect(rendered).toContain(id);
    expect(rendered).toContain('es.amazonaws.com');
    expect(rendered).toContain('aws:SourceAccount');
    expect(rendered).toContain(':domain/ecicomm-test-search');
    expect(rendered).not.toMatch(/logs:\*|"Resource":"\*"/);
    expect(domainResource().DependsOn).toContain(policyId);
    // No custom resource (and its Lambda function) to write the policy.
    expect(ofType('Custom::CloudwatchLogResourcePolicy')).toEqual([]);
    expect(ofType('Custom::OpenSearchAccessPolicy')).toEqual([]);
  });
});

describe('alarms', () => {
  const alarmOf = (name: string) => ofType('AWS::CloudWatch::Alarm').map(([, a]) => a.Properties).find((a) => a.AlarmName === `ecicomm-test-search-${name}`);
  const topic = () => [{ Ref: logicalId(stack.search.alarmTopic) }];
  const cases: [string, string, string, number, string, number, number][] = [
    ['cluster-red', 'ClusterStatus.red', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 60, 1],
    ['cluster-yellow', 'ClusterStatus.yellow', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 60, 5],
    // A quarter of a 20 GiB volume, in MiB as the metric reports it.
    ['free-storage', 'FreeStorageSpace', 'Minimum', 5120, 'LessThanOrEqualToThreshold', 60, 1],
    ['writes-blocked', 'ClusterIndexWritesBlocked', 'Maximum', 1, 'GreaterThanOrEqualToThreshold', 300, 1],
    ['jvm-memory-pressure', 'JVMMemoryPressure', 'Maximum', 95, 'GreaterThanOrEqualToThreshold', 60, 3],
    ['master-jvm-memory-pressure', 'MasterJVMMemoryPressure', 'Maximum', 95, 'GreaterThanOrEqualToThreshold', 60, 3],
  ];

  it.each(cases)('%s: %s %s, threshold %d (%s), %d s periods × %d, notifying the search alarm topic', (name, metric, statistic, threshold, comparison, period, periods) => {
    const alarm = alarmOf(name);
    expect(alarm).toMatchObject({
      Namespace: 'AWS/ES',
      MetricName: metric,
      Statistic: statistic,
      Threshold: threshold,
      ComparisonOperator: comparison,
      Period: period,
      EvaluationPeriods: periods,
      AlarmActions: topic(),
    });
    expect(alarm!.Dimensions).toEqual(
      expect.arrayContaining([
        { Name: 'DomainName', Value: { Ref: logicalId(stack.search.domain) } },
        { Name: 'ClientId', Value: { Ref: 'AWS::AccountId' } },
      ]),
    );
  });

  it('notifies through an encrypted, SSL-only topic of its own', () => {
    const topicResource = resources[logicalId(stack.search.alarmTopic)]!;
    expect(topicResource.Properties).toMatchObject({ TopicName: 'ecicomm-test-search-alarms' });
    expect(topicResource.Properties.KmsMasterKeyId).toBeDefined();
  });
});

describe('capacity', () => {
  const build = (capacity: ConstructorParameters<typeof Search>[2]['capacity'], namePrefix = 'cap') => () =>
    new Search(new Stack(new App(), 'Cap'), 'Search', { namePrefix, capacity });

  it('refuses data nodes that do not spread evenly over the zones, a manager count without a quorum, or tiny volumes', () => {
    expect(build({ dataNodes: 4 })).toThrow(/multiple of its zones/);
    expect(build({ dataNodes: 2, zones: 3 })).toThrow(/multiple of its zones/);
    expect(build({ masterNodes: 2 })).toThrow(/quorum/);
    expect(build({ volumeSizeGiB: 5 })).toThrow(/at least 10 GiB/);
    expect(build({ dataNodes: 2, zones: 2, masterNodes: 0 })).not.toThrow();
  });

  it('refuses a name prefix that makes the domain name longer than OpenSearch allows', () => {
    expect(build({}, 'a-prefix-much-too-long-for')).toThrow(/3-28 lower-case/);
  });

  it('has no manager alarm without dedicated managers', () => {
    const lone = new Stack(new App(), 'NoManagers');
    const search = new Search(lone, 'Search', { namePrefix: 'nomgr', capacity: { dataNodes: 2, zones: 2, masterNodes: 0 } });
    expect(search.alarms.masterJvmMemoryPressure).toBeUndefined();
    const domain = Object.values(Template.fromStack(lone).toJSON().Resources as Record<string, CfnResource>).find((r) => r.Type === 'AWS::OpenSearchService::Domain')!;
    expect(domain.Properties.ClusterConfig).toMatchObject({ DedicatedMasterEnabled: false, InstanceCount: 2, ZoneAwarenessConfig: { AvailabilityZoneCount: 2 } });
    expect(Object.keys(search.alarms).sort()).toEqual(['clusterRed', 'clusterYellow', 'freeStorage', 'jvmMemoryPressure', 'writesBlocked']);
  });
});
