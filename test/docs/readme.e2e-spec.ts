/**
 * The TypeScript blocks of README.md and of every page under docs/ compile. Each starts with a
 * `// <path>` line:
 *   `// src/x/y.ts`          the block is that file, exactly (the guide shows the real code);
 *   `// src/x/y.ts (note)`   the block is type-checked as if it were a file at that path.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { markdownPages } from './markdown-links';

const root = resolve(__dirname, '../..');
const pages = markdownPages(root);
const blocks = pages.flatMap((page) =>
  [...readFileSync(join(root, page), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => ({ page, text: m[1] })),
);

function header({ page, text }: { page: string; text: string }): { path: string; exact: boolean } {
  const first = text.split('\n', 1)[0];
  const match = /^\/\/ (\S+\.ts)( .*)?$/.exec(first);
  if (!match) throw new Error(`a TypeScript block of ${page} must start with "// <path>.ts": ${first}`);
  return { path: match[1], exact: match[2] === undefined };
}

describe('README and docs/ TypeScript blocks', () => {
  it('has blocks to check on every page that shows code: the guide, the cache tiers, the architecture', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(7);
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/guides/adding-a-cached-resource.md', 'docs/cache/tiers.md']));
    expect(blocks.filter((b) => b.page === 'docs/guides/adding-a-cached-resource.md').length).toBeGreaterThanOrEqual(5);
    expect(blocks.filter((b) => b.page === 'docs/cache/tiers.md').length).toBeGreaterThanOrEqual(1);
    expect(blocks.filter((b) => b.page === 'docs/architecture.md').length).toBeGreaterThanOrEqual(1);
  });

  it('blocks that name a file are that file, as it is', () => {
    for (const block of blocks) {
      const { path, exact } = header(block);
      if (!exact) continue;
      const where = `${block.page}: ${path}`;
      expect({ where, exists: existsSync(join(root, path)) }).toEqual({ where, exists: true });
      expect({ where, text: block.text.slice(block.text.indexOf('\n') + 1) }).toEqual({
        where,
        text: readFileSync(join(root, path), 'utf8'),
      });
    }
  });

  it('the other blocks type-check where they say they live', () => {
    const virtual = new Map<string, string>();
    blocks.forEach((block, i) => {
      const { path, exact } = header(block);
      if (!exact) virtual.set(join(root, dirname(path), `__docs_block_${i}.ts`), block.text);
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
