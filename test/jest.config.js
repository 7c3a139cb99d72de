/** @type {import('jest').Config['transform']} */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
    },
    module: { type: 'commonjs' },
  },
];
// Nest 12 and several other dependencies ship ESM only. Node 20's require(esm) does not work
// inside Jest's module loader (it needs Node 24.9+), so every ESM-only package is compiled to
// CommonJS like our own code. The list is read from node_modules, not kept by hand.
const transform = { '^.+\\.(ts|js|mjs)$': swc };
const transformIgnorePatterns = [`/node_modules/(?!(${esmPackages().map(escape).join('|')})/)`];

function esmPackages() {
  const { readdirSync, readFileSync } = require('node:fs');
  const { join } = require('node:path');
  const root = join(__dirname, '..', 'node_modules');
  const names = new Set();
  const visit = (dir, prefix) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      if (entry.name.startsWith('@') && !prefix) {
        visit(join(dir, entry.name), `${entry.name}/`);
        continue;
      }
      try {
        const pkg = JSON.parse(readFileSync(join(dir, entry.name, 'package.json'), 'utf8'));
        if (pkg.type === 'module') names.add(prefix + entry.name);
      } catch {
        // not a package
      }
      const nested = join(dir, entry.name, 'node_modules');
      try {
        visit(nested, '');
      } catch {
        // no nested node_modules
      }
    }
  };
  visit(root, '');
  return [...names];
}

function escape(name) {
  return name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Unit tests sit next to the code (src/**\/*.spec.ts); e2e tests run against real servers (test/**\/*.e2e-spec.ts). */
/** @type {import('jest').Config} */
const config = {
  rootDir: require('node:path').resolve(__dirname, '..'),
  // jest-circus reads the timeout from the top level only, not from a project.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      rootDir: require('node:path').resolve(__dirname, '..'),
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      rootDir: require('node:path').resolve(__dirname, '..'),
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};

module.exports = config;
