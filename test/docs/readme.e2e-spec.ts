/**
 * The README's TypeScript blocks compile. Each starts with a `// <path>` line:
 *   `// src/x/y.ts`          the block is that file, exactly (the guide shows the real code);
 *   `// src/x/y.ts (note)`   the block is type-checked as if it were a file at that path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '../..');
const blocks = [...readFileSync(join(root, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

function header(block: string): { path: string; exact: boolean } {
  const first = block.split('\n', 1)[0];
  const match = /^\/\/ (\S+\.ts)( .*)?$/.exec(first);
  if (!match) throw new Error(`a README TypeScript block must start with "// <path>.ts": ${first}`);
  return { path: match[1], exact: match[2] === undefined };
}

describe('README TypeScript blocks', () => {
  it('has blocks to check', () => expect(blocks.length).toBeGreaterThanOrEqual(5));

  it('blocks that name a file are that file, as it is', () => {
    for (const block of blocks) {
      const { path, exact } = header(block);
      if (!exact) continue;
      expect(existsSync(join(root, path))).toBe(true);
      expect({ path, text: block.slice(block.indexOf('\n') + 1) }).toEqual({ path, text: readFileSync(join(root, path), 'utf8') });
    }
  });

  it('the other blocks type-check where they say they live', () => {
    const virtual = new Map<string, string>();
    blocks.forEach((block, i) => {
      const { path, exact } = header(block);
      if (!exact) virtual.set(join(root, dirname(path), `__readme_${i}.ts`), block);
    });
    const parsed = ts.getParsedCommandLineOfConfigFile(
      join(root, 'tsconfig.json'),
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
        },
      },
    )!;
    const options = { ...parsed.options, noEmit: true, incremental: false };
    const host = ts.createCompilerHost(options);
    const { fileExists, readFile, getSourceFile } = host;
    host.fileExists = (name) => virtual.has(name) || fileExists(name);
    host.readFile = (name) => virtual.get(name) ?? readFile(name);
    host.getSourceFile = (name, language, ...rest) =>
      virtual.has(name) ? ts.createSourceFile(name, virtual.get(name)!, language) : getSourceFile(name, language, ...rest);
    const program = ts.createProgram([...virtual.keys()], options, host);
    const problems = ts
      .getPreEmitDiagnostics(program)
      .filter((d) => d.file && virtual.has(d.file.fileName))
      .map((d) => `${d.file!.fileName}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(virtual.size).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
