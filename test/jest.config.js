/** @type {import('jest').Config['transform']} */
const transform = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2023',
      },
      module: { type: 'commonjs' },
    },
  ],
};
// Dynamic imports name the compiled file (`import('./x.js')`, what Node resolves); Jest maps them to the source.
const moduleNameMapper = { '^(\\.{1,2}/.*)\\.js$': '$1' };
// Our TypeScript is compiled to CommonJS; the ESM-only dependencies (Nest 12 and others) are
// loaded as they are through Node 24's require(esm), which Jest supports under
// --experimental-vm-modules (set by `npm test`, see tools/jest.sh).

/** Unit tests sit next to the code (src/**\/*.spec.ts); e2e tests run against real servers (test/**\/*.e2e-spec.ts). */
/** @type {import('jest').Config} */
const config = {
  rootDir: require('node:path').resolve(__dirname, '..'),
  // jest-circus reads the timeout from the top level only, not from a project.
  testTimeout: 60_000,
  // Every suite starts Nest apps; run in one process, the suites' modules pile up past V8's 4 GB heap
  // (the run died at 4 GB after 72 of 106 suites). Set, Jest runs the suites in a worker process
  // (one on two cores) and starts a fresh one when a suite leaves it above this.
  workerIdleMemoryLimit: '1GB',
  // No forceExit: a run that leaves something open is reported by the global teardown (which then ends it).
  projects: [
    {
      displayName: 'unit',
      rootDir: require('node:path').resolve(__dirname, '..'),
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
    },
    {
      displayName: 'e2e',
      rootDir: require('node:path').resolve(__dirname, '..'),
      testEnvironment: 'node',
      transform,
      moduleNameMapper,
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};

module.exports = config;
