// Preloaded (`node -r`) by tests that run src/ entry points (main.ts, cli.ts) as real processes:
// compiles TypeScript on load with swc, with the options Jest uses (test/jest.config.js), and
// resolves the compiled names the sources import (`./x.js`, directory indexes) to their .ts files.
const { registerHooks } = require('node:module');
const { readFileSync } = require('node:fs');
const { fileURLToPath } = require('node:url');
const { transformSync } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2023',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

const relative = (specifier) => specifier.startsWith('./') || specifier.startsWith('../');

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (error) {
      if (!relative(specifier)) throw error;
      const candidates = specifier.endsWith('.js') ? [`${specifier.slice(0, -3)}.ts`] : [`${specifier}.ts`, `${specifier}/index.ts`];
      for (const candidate of candidates) {
        try {
          return next(candidate, context);
        } catch {
          // try the next form
        }
      }
      throw error;
    }
  },
  load(url, context, next) {
    if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
    const filename = fileURLToPath(url);
    const { code } = transformSync(readFileSync(filename, 'utf8'), { ...options, filename });
    return { format: 'commonjs', source: code, shortCircuit: true };
  },
});
