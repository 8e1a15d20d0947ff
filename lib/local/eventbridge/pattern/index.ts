/** EventBridge event patterns: checked and compiled once (a rule, an archive), matched against each event. */
export { compilePattern, MAX_PATTERN_LENGTH } from './compile';
export { matchesPattern } from './match';
export { InvalidEventPattern, type CompiledPattern } from './types';
