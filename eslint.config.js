// ESLint: typescript-eslint's recommended type-checked rules over every TypeScript file of the project.
import eslint from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  // TypeScript only: the few JavaScript files (worker-thread entries, the dashboard's browser script, a CommonJS
  // preload) are outside the type-checked program.
  globalIgnores([
    'node_modules/',
    'cdk.out/',
    '.local/',
    'bench-results/',
    'test-output/',
    'coverage/',
    '**/*.js',
    '**/*.mjs',
    '**/*.cjs',
  ]),
  eslint.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    // One project service for every file: type information is built once per run, from tsconfig.json.
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      // The house names a deliberately unused binding with a leading underscore, and drops a key with a rest sibling.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // The rule's default allows URL and URLSearchParams from the DOM library; here they come from @types/node.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        {
          allow: [
            { from: 'lib', name: ['Error', 'URL', 'URLSearchParams'] },
            { from: 'package', name: ['URL', 'URLSearchParams'], package: 'url' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read JSON answers (HTTP bodies, SDK payloads, synthesized templates) as `any` and assert on them: the
      // assertion is the check, and these rules would only ask for casts that check nothing.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // For the same reason: a JSON answer, a template or a browser-side value may be typed `any` in a test.
      '@typescript-eslint/no-explicit-any': 'off',
      // Fakes implement async ports with async functions that have nothing to await.
      '@typescript-eslint/require-await': 'off',
      // Tests compare methods by identity (expect(a.method).toBe(b.method)), which never calls them unbound.
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
