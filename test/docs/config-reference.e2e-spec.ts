/**
 * docs/operations/configuration.md is what tools/config-reference.ts writes from the configuration
 * classes: a variable added (or changed) without `npm run docs:config` fails here.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ENV_SLICES, sliceVariables } from '../../src/config/env';
import { CONFIG_PAGE, readSlices, renderReference } from '../../tools/config-reference';

const root = resolve(__dirname, '../..');

describe('configuration reference (docs/operations/configuration.md)', () => {
  it('is the page the generator writes from the configuration classes (else: npm run docs:config)', () => {
    expect(readFileSync(join(root, CONFIG_PAGE), 'utf8')).toBe(renderReference(readSlices(root)));
  });

  it('lists every variable the app validates, slice by slice, each with a meaning', () => {
    const read = readSlices(root);
    expect(read.map((s) => s.className)).toEqual(ENV_SLICES.map((slice) => slice.name));
    for (const [i, slice] of ENV_SLICES.entries()) {
      expect({ slice: slice.name, variables: read[i].variables.map((v) => v.name).sort() }).toEqual({
        slice: slice.name,
        variables: sliceVariables(slice).sort(),
      });
    }
    expect(read.flatMap((s) => s.variables).filter((v) => v.meaning === '' || v.rules.length === 0)).toEqual([]);
  });

  it('runs as `npm run docs:config -- --check` on the Node the scripts use', () => {
    const output = execFileSync(
      process.execPath,
      ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', 'tools/config-reference.ts', '--check'],
      {
        cwd: root,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    expect(output).toBe('');
  });

  it('a variable added to a slice without regenerating makes the page out of date', () => {
    const copy = mkdtempSync(join(tmpdir(), 'config-reference-'));
    try {
      for (const path of ['src', '.env.example', 'docs']) cpSync(join(root, path), join(copy, path), { recursive: true });
      const slice = join(copy, 'src/infra/cache/cache.env.ts');
      const text = readFileSync(slice, 'utf8');
      const added = text.replace(
        /\n}\n*$/,
        '\n\n  /** A variable nobody documented yet. */\n  @IsInt()\n  @Min(1)\n  CACHE_SOMETHING_NEW: number = 7;\n}\n',
      );
      expect(added).not.toBe(text);
      writeFileSync(slice, added);
      const page = renderReference(readSlices(copy));
      expect(page).toContain('| `CACHE_SOMETHING_NEW` | `7` | integer; at least 1 | A variable nobody documented yet. |');
      expect(page).not.toBe(readFileSync(join(copy, CONFIG_PAGE), 'utf8'));
      expect(() =>
        execFileSync(
          process.execPath,
          ['--disable-warning=MODULE_TYPELESS_PACKAGE_JSON', join(root, 'tools/config-reference.ts'), '--check'],
          { cwd: copy, stdio: 'pipe' },
        ),
      ).toThrow();
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});
