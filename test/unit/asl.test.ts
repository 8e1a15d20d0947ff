import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { orderSaga } from '../../lib/saga';

/** asl-validator ships CommonJS without type declarations. */
type AslValidator = (
  definition: unknown,
  options?: { checkPaths: boolean; checkArn: boolean },
) => { isValid: boolean; errors: { message: string }[] };
const validate = createRequire(import.meta.url)('asl-validator') as AslValidator;

const source = readFileSync(new URL(`../../${orderSaga.definitionFile}`, import.meta.url), 'utf8');

/** The definition as deployed: every placeholder replaced as CloudFormation's definitionSubstitutions does. */
const substituted = source.replace(/\$\{(\w+)\}/g, (_placeholder, name: string) => {
  const task = orderSaga.tasks.find((t) => t.substitution === name);
  if (task) return `arn:aws:lambda:eu-west-2:123456789012:function:ecicomm-test-${task.id}`;
  if (name === orderSaga.deadLetterQueueSubstitution)
    return `https://sqs.eu-west-2.amazonaws.com/123456789012/ecicomm-test-${orderSaga.deadLetterQueueName}`;
  throw new Error(`No substitution for \${${name}}`);
});

describe(orderSaga.definitionFile, () => {
  it('is valid Amazon States Language as written, with its placeholders', () => {
    const result = validate(JSON.parse(source));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('is valid Amazon States Language with every placeholder substituted, ARNs and paths checked', () => {
    const result = validate(JSON.parse(substituted), { checkPaths: true, checkArn: true });
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it('runs a Task state for every saga function of lib/saga.ts, at its placeholder', () => {
    const states = JSON.parse(source).States as Record<string, { Type: string; Resource?: string }>;
    for (const task of orderSaga.tasks) {
      expect(states[task.state]?.Type, task.state).toBe('Task');
      expect(states[task.state]?.Resource, task.state).toBe(`\${${task.substitution}}`);
    }
  });
});
