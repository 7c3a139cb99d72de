import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_SLICES, sliceVariables } from './env';

/** `NAME=value` lines of .env.example (comments and blank lines skipped). */
function exampleVariables(): Map<string, string> {
  const text = readFileSync(join(__dirname, '..', '..', '.env.example'), 'utf8');
  const variables = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
    if (!match) continue;
    if (variables.has(match[1])) throw new Error(`.env.example sets ${match[1]} twice`);
    variables.set(match[1], match[2]);
  }
  return variables;
}

/** Every variable of every slice with its default as .env.example writes it ('' for unset). */
function declaredDefaults(): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const slice of ENV_SLICES) {
    const instance = new slice() as unknown as Record<string, unknown>;
    for (const name of sliceVariables(slice)) {
      if (defaults.has(name)) throw new Error(`${name} is declared by two slices`);
      defaults.set(name, instance[name] === undefined ? '' : String(instance[name]));
    }
  }
  return defaults;
}

describe('.env.example and the configuration slices', () => {
  const example = exampleVariables();
  const declared = declaredDefaults();

  it('lists every variable of every slice, with its default', () => {
    const missingOrWrong = [...declared].filter(([name, value]) => example.get(name) !== value);
    expect(missingOrWrong.map(([name, value]) => `${name}=${value} (.env.example: ${example.get(name) ?? 'missing'})`)).toEqual([]);
  });

  it('lists nothing the app does not read', () => {
    expect([...example.keys()].filter((name) => !declared.has(name))).toEqual([]);
  });

  it('has slices to compare', () => expect(declared.size).toBeGreaterThan(50));
});
