import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts a worker from a sibling module. Built code runs the compiled `.js`; when running from the
 * TypeScript sources (jest), the worker compiles its own `.ts` imports with @swc/core (a dev
 * dependency that jest already uses), since a worker thread does not inherit jest's transform.
 */
export function spawnWorker(dir: string, name: string, workerData: unknown): Worker {
  const compiled = join(dir, `${name}.js`);
  if (existsSync(compiled)) return new Worker(compiled, { workerData });
  const source = join(dir, `${name}.ts`);
  const bootstrap = `
    const { readFileSync } = require('node:fs');
    const { transformSync } = require('@swc/core');
    require.extensions['.ts'] = (module, filename) => {
      const { code } = transformSync(readFileSync(filename, 'utf8'), {
        filename,
        jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
        module: { type: 'commonjs' },
      });
      module._compile(code, filename);
    };
    require(${JSON.stringify(source)});
  `;
  return new Worker(bootstrap, { eval: true, workerData });
}
