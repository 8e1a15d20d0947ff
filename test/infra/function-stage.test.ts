/**
 * The business metrics' `stage` dimension (functions/shared/observability.ts) comes from ECICOMM_STAGE, which every
 * function gets from where it is deployed: the pipeline's stage, or the top-level stack's name outside one, also for
 * functions in a nested stack.
 */
import { App, NestedStack, Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from '@jest/globals';
import { PlatformFunction } from '../../lib/contexts/platform-function';
import { routes } from '../../lib/routes';

const openapi = routes.find((r) => r.id === 'openapi')!;
const app = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stageOf = (stack: Stack) =>
  Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function'))[0].Properties.Environment.Variables
    .ECICOMM_STAGE;

describe('ECICOMM_STAGE', () => {
  it("is the pipeline stage's name for a function deployed in a stage", () => {
    const stack = new Stack(new Stage(app(), 'staging'), 'Platform');
    new PlatformFunction(stack, 'Fn', { definition: openapi });
    expect(stageOf(stack)).toBe('staging');
  });

  it("is the top-level stack's name outside a stage, from a nested stack too", () => {
    const parent = new Stack(app(), 'EciCommByHand');
    const nested = new NestedStack(parent, 'Routes');
    new PlatformFunction(nested, 'Fn', { definition: openapi });
    expect(stageOf(nested)).toBe('EciCommByHand');
  });
});
