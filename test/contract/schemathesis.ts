import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Pinned here and in tools/setup.sh, which installs it into a venv under ~/.cache/cachebook. */
export const SCHEMATHESIS_VERSION = '4.32.5';

export function schemathesisBinary(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const dir = process.env.SCHEMATHESIS_DIR ?? join(cache, 'cachebook', `schemathesis-${SCHEMATHESIS_VERSION}`);
  return join(dir, 'bin', 'schemathesis');
}

/** The checks the contract holds the API to (schemathesis' names). */
export const CONTRACT_CHECKS = ['not_a_server_error', 'status_code_conformance', 'response_schema_conformance'] as const;

export interface OperationOverride {
  /** Schemathesis operation name, e.g. "POST /commerce/generate". */
  name: string;
  /** Why the override exists; printed with the figures. */
  reason: string;
  /** Skip the operation entirely, or only turn these checks off for it. */
  skip?: true;
  disableChecks?: (typeof CONTRACT_CHECKS)[number][];
}

export interface RunOptions {
  schemaUrl: string;
  reportDir: string;
  headers?: Record<string, string>;
  maxExamples: number;
  seed: number;
  overrides: OperationOverride[];
}

export interface FailureGroup {
  code: string;
  title: string;
  count: number;
  operations: string[];
}

export interface RunFigures {
  exitCode: number | null;
  operationsSelected: number;
  operationsTested: number;
  testCases: number;
  failures: FailureGroup[];
  errors: { title: string; count: number }[];
  /** The end of schemathesis' own output, to show what failed. */
  outputTail: string;
  command: string;
}

function tomlString(value: string): string {
  return JSON.stringify(value);
}

/** schemathesis.toml: only the contract checks, no automatic sign-up (each run brings its own credentials). */
function configText(options: RunOptions): string {
  const lines = ['[auth]', 'auto-signup = false', '', '[checks]', 'enabled = false'];
  for (const check of CONTRACT_CHECKS) lines.push(`${check}.enabled = true`);
  for (const override of options.overrides) {
    lines.push('', '[[operations]]', `include-name = ${tomlString(override.name)}`);
    if (override.skip) lines.push('enabled = false');
    for (const check of override.disableChecks ?? []) lines.push(`checks.${check}.enabled = false`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Runs `schemathesis run` against a live app, asynchronously (the app answers from this same
 * process, so a synchronous spawn would deadlock), and reads the figures from its JSON report.
 */
export async function runSchemathesis(options: RunOptions): Promise<RunFigures> {
  const binary = schemathesisBinary();
  if (!existsSync(binary)) {
    throw new Error(
      `schemathesis ${SCHEMATHESIS_VERSION} not found at ${binary}: run "bash tools/setup.sh test" (or set SCHEMATHESIS_DIR)`,
    );
  }
  mkdirSync(options.reportDir, { recursive: true });
  const configFile = join(options.reportDir, 'schemathesis.toml');
  writeFileSync(configFile, configText(options));
  const args = [
    '--config-file',
    configFile,
    '--no-color',
    'run',
    options.schemaUrl,
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--workers',
    '1',
    '--generation-database',
    'none',
    '--report',
    'json,junit',
    '--report-dir',
    options.reportDir,
    '--request-timeout',
    '30',
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push('--header', `${name}: ${value}`);

  let output = '';
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    // Run from the report directory: schemathesis keeps its own cache (.schemathesis/) in the working directory.
    const child = spawn(binary, args, { cwd: options.reportDir, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', resolve);
  });

  const reportName = readdirSync(options.reportDir).find((name) => name.startsWith('json-') && name.endsWith('.json'));
  if (!reportName) throw new Error(`schemathesis wrote no JSON report (exit ${exitCode}):\n${output.slice(-4000)}`);
  const report = JSON.parse(readFileSync(join(options.reportDir, reportName), 'utf8')) as {
    operations: { selected: number; tested: number };
    test_cases: { generated: number };
    failures: FailureGroup[];
    errors: { title: string; count: number }[];
  };
  const redacted = args.map((arg) => arg.replace(/^(Authorization: Bearer ).+$/, '$1…'));
  return {
    exitCode,
    operationsSelected: report.operations.selected,
    operationsTested: report.operations.tested,
    testCases: report.test_cases.generated,
    failures: report.failures,
    errors: report.errors,
    outputTail: output.slice(-12_000),
    command: ['schemathesis', ...redacted].join(' '),
  };
}
