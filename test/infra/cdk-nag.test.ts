import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, it } from '@jest/globals';
import { expect } from '../support/expect';
import { composeEciCommApp, environmentFromContext, stageSettingsFromContext } from '../../lib/stacks/eci-comm-app';

let app: App;

beforeAll(() => {
  app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  composeEciCommApp(app, { pipelineSource: { kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' } });
});

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the whole app (Dev stage, pipeline and the Staging and Prod stages it deploys)', () => {
    const findings = new AwsSolutionsChecks(app)
      .validateScope(app)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  it('finds nothing unacknowledged either when the stages have accounts and regions (the ARNs then name them)', () => {
    const placed = new App({
      context: {
        'aws:cdk:bundling-stacks': [],
        'ecicomm:account': '111111111111',
        'ecicomm:region': 'eu-west-1',
        'ecicomm:stages': {
          Staging: { account: '222222222222', region: 'eu-west-1' },
          Prod: { account: '333333333333', region: 'eu-west-1' },
        },
      },
    });
    composeEciCommApp(placed, {
      env: environmentFromContext(placed),
      pipelineSource: { kind: 'codecommit', repositoryName: 'ecicomm', branch: 'main' },
      stages: stageSettingsFromContext(placed),
    });
    const findings = new AwsSolutionsChecks(placed)
      .validateScope(placed)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
  });

  it('gives every acknowledgement of a nag rule a specific reason', () => {
    const acknowledgements = app.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.entries(m.data as Record<string, string>))
      .filter(([id]) => id.replace(/^annotation::/i, '').startsWith('AwsSolutions-'));
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) expect(reason.length, id).toBeGreaterThanOrEqual(60);
  });

  it('synthesises like `npm run synth`, minus bundling: the nag plugin and CloudFormation validation both pass', () => {
    const assembly = app.synth();
    expect(assembly.stacksRecursively.map((s) => s.hierarchicalId).sort()).toEqual([
      'Dev/Platform',
      'EciCommPipeline',
      'EciCommPipeline/Prod/Platform',
      'EciCommPipeline/Staging/Platform',
    ]);
  });
});
