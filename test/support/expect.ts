import { fileURLToPath } from 'node:url';
import { expect as jestExpect } from '@jest/globals';

type JestExpect = typeof jestExpect;

/**
 * jest's `expect`, which also takes a message to print above a failure's own: `expect(res.status, route.id)`.
 * For assertions in a loop or over a table, where the failure alone would not say which case failed
 * (jest's `expect` takes one argument).
 */
export const expect = Object.assign(
  <T>(actual: T, message?: string) =>
    message === undefined ? jestExpect(actual) : withMessage(jestExpect(actual), message),
  jestExpect,
) as JestExpect & (<T>(actual: T, message?: string) => ReturnType<typeof jestExpect<T>>);

/** The matchers, `.not`, `.resolves` and `.rejects` included, each throwing its error with the message above. */
function withMessage<M extends object>(matchers: M, message: string): M {
  return new Proxy(matchers, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key);
      if (key === 'not' || key === 'resolves' || key === 'rejects') return withMessage(value as object, message);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        let result: unknown;
        try {
          result = value.apply(target, args);
        } catch (error) {
          throw withMessageAbove(error, message);
        }
        return isPromise(result)
          ? result.catch((error: unknown) => {
              throw withMessageAbove(error, message);
            })
          : result;
      };
    },
  });
}

/** By shape: an async matcher's promise may come from another realm than this module's `Promise`. */
const isPromise = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | undefined)?.then === 'function';

const thisFile = fileURLToPath(import.meta.url);

function withMessageAbove(error: unknown, message: string): unknown {
  if (!(error instanceof Error)) return error;
  // jest reports the stack, which starts with the message; without this file's frames, its code frame shows the test.
  const stack = error.stack ?? '';
  const original = error.message;
  error.message = `${message}\n\n${original}`;
  error.stack = stack
    .replace(original, error.message)
    .split('\n')
    .filter((line) => !line.includes(thisFile))
    .join('\n');
  return error;
}
