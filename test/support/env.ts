const saved = new Map<string, string | undefined>();

/** Sets an environment variable of this test file's process until `restoreEnv()`. */
export function stubEnv(name: string, value: string): void {
  if (!saved.has(name)) saved.set(name, process.env[name]);
  process.env[name] = value;
}

/** Puts back every variable `stubEnv` changed, as it was before. */
export function restoreEnv(): void {
  for (const [name, value] of saved) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  saved.clear();
}
