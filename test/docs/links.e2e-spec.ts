/**
 * Every relative link of README.md and of the pages under docs/ points at a file or folder of the
 * repository, and every `#anchor` at a heading of the page it names (GitHub's anchor rules). The
 * index, docs/README.md, links every page under docs/.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { brokenLinks, githubSlug, headingAnchors, markdownPages, relativeLinks } from './markdown-links';

const root = resolve(__dirname, '../..');
const pages = markdownPages(root);

describe('README and docs/ links', () => {
  it('finds the pages and their links', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/README.md', 'docs/guides/adding-a-cached-resource.md']));
    const count = pages.reduce((sum, page) => sum + relativeLinks(readFileSync(join(root, page), 'utf8')).length, 0);
    expect(count).toBeGreaterThan(50);
  });

  it('no relative link is broken', () => {
    expect(pages.flatMap((page) => brokenLinks(root, page))).toEqual([]);
  });

  it('the index (docs/README.md) links every page under docs/', () => {
    const index = 'docs/README.md';
    const linked = new Set(
      relativeLinks(readFileSync(join(root, index), 'utf8')).map((link) =>
        relative(root, resolve(root, dirname(index), link.target.split('#')[0])),
      ),
    );
    expect(pages.filter((page) => page.startsWith('docs/') && page !== index && !linked.has(page))).toEqual([]);
  });
});

describe('the link checker itself', () => {
  let fixture: string;
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(fixture, path)), { recursive: true });
    writeFileSync(join(fixture, path), text);
  };

  beforeAll(() => {
    fixture = mkdtempSync(join(tmpdir(), 'docs-links-'));
    write('src/thing.ts', 'export {};\n');
    write(
      'docs/target.md',
      [
        '# Target page',
        '## Which guarantee comes from where',
        '## Repeated',
        '## Repeated',
        '## `CACHE_TTL_SECONDS` — the TTL',
        '```',
        '# not a heading',
        '```',
      ].join('\n'),
    );
  });
  afterAll(() => rmSync(fixture, { recursive: true, force: true }));

  it("gives headings GitHub's anchors", () => {
    expect(githubSlug('Which guarantee comes from where')).toBe('which-guarantee-comes-from-where');
    expect(githubSlug('`CACHE_TTL_SECONDS` — the TTL')).toBe('cache_ttl_seconds--the-ttl');
    expect(githubSlug('Limits (hostile input)')).toBe('limits-hostile-input');
    expect(githubSlug('[Linked](x.md) *and* **bold**')).toBe('linked-and-bold');
    expect([...headingAnchors('# A\n## A\n## A\n```\n# A\n```\n')]).toEqual(['a', 'a-1', 'a-2']);
  });

  it('passes good links and ignores links in code and to other sites', () => {
    write(
      'docs/good.md',
      [
        '# Good',
        'See [the target](target.md), [its table](target.md#which-guarantee-comes-from-where), [the second](target.md#repeated-1),',
        '[the variable](./target.md#cache_ttl_seconds--the-ttl), [here](#good), [code](../src/thing.ts#L1), [a folder](../src),',
        '[`with code`](target.md "title"), [elsewhere](https://example.com/missing.md), `[not a link](missing.md)`.',
        '```',
        '[in a block](missing.md)',
        '```',
        '[ref]: target.md#target-page',
      ].join('\n'),
    );
    expect(brokenLinks(fixture, 'docs/good.md')).toEqual([]);
  });

  it('reports a missing file, a missing anchor and a link out of the repository', () => {
    write(
      'docs/bad.md',
      [
        '# Bad',
        '[gone](gone.md) and [wrong anchor](target.md#not-there)',
        '[own anchor](#nowhere), [in a block only](target.md#not-a-heading)',
        '[out](../../outside.md)',
        '[ref]: ../src/missing.ts',
      ].join('\n'),
    );
    expect(brokenLinks(fixture, 'docs/bad.md')).toEqual([
      'docs/bad.md:2: gone.md: no such file',
      'docs/bad.md:2: target.md#not-there: no heading with that anchor in docs/target.md',
      'docs/bad.md:3: #nowhere: no heading with that anchor in docs/bad.md',
      'docs/bad.md:3: target.md#not-a-heading: no heading with that anchor in docs/target.md',
      'docs/bad.md:4: ../../outside.md: outside the repository',
      'docs/bad.md:5: ../src/missing.ts: no such file',
    ]);
  });
});
