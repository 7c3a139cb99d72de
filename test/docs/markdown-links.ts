/**
 * Relative links of Markdown pages, and the anchors GitHub gives their headings: what
 * test/docs/links.e2e-spec.ts checks in README.md and every page under docs/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/** README.md and every Markdown page under docs/, relative to `root`. */
export function markdownPages(root: string): string[] {
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
  return [join(root, 'README.md'), ...walk(join(root, 'docs'))].map((path) => relative(root, path));
}

/** The page's lines with fenced code blocks blanked: links and headings inside them are text. */
function proseLines(markdown: string): string[] {
  let fence: string | undefined;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (fence === undefined && marker) {
      fence = marker;
      return '';
    }
    if (fence !== undefined) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return '';
    }
    return line;
  });
}

/** GitHub's anchor for a heading: its text lower-cased, punctuation dropped, spaces to hyphens. */
export function githubSlug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link counts by its text
    .replace(/<[^>]+>/g, '') // inline HTML
    .replace(/[`*]/g, ''); // code and emphasis marks
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor of a page's headings; a repeated heading gets `-1`, `-2`, … as on GitHub. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const line of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (!heading) continue;
    const slug = githubSlug(heading[1]);
    let anchor = slug;
    for (let n = 1; anchors.has(anchor); n++) anchor = `${slug}-${n}`;
    anchors.add(anchor);
  }
  return anchors;
}

export interface MarkdownLink {
  line: number;
  target: string;
}

/** Links that point inside the repository: `[x](path)`, `[x](path#anchor)`, `[x](#anchor)`, `[x]: path`. */
export function relativeLinks(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  proseLines(markdown).forEach((raw, index) => {
    // Code spans are text; blanked to the same length so the brackets around them stay.
    const line = raw.replace(/(`+)(?:(?!\1)[\s\S])+?\1/g, (span) => ' '.repeat(span.length));
    const found = [
      ...[...line.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]),
      ...[...line.matchAll(/^\s*\[[^\]]+\]:\s+<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g)].map((m) => m[1]),
    ];
    for (const target of found) {
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) continue;
      links.push({ line: index + 1, target });
    }
  });
  return links;
}

/**
 * What is wrong with the relative links of `page` (relative to `root`): a target that is not a
 * file or folder of the repository, or an `#anchor` that no heading of the Markdown page it
 * names produces. One line per problem, `page:line: target: why`.
 */
export function brokenLinks(root: string, page: string): string[] {
  const problems: string[] = [];
  const repository = resolve(root);
  for (const { line, target } of relativeLinks(readFileSync(join(root, page), 'utf8'))) {
    const where = `${page}:${line}: ${target}`;
    const hash = target.indexOf('#');
    const path = decodeURIComponent(hash < 0 ? target : target.slice(0, hash));
    const anchor = hash < 0 ? undefined : decodeURIComponent(target.slice(hash + 1));
    const file = path === '' ? resolve(root, page) : resolve(root, dirname(page), path);
    if (file !== repository && !file.startsWith(repository + sep)) {
      problems.push(`${where}: outside the repository`);
      continue;
    }
    if (!existsSync(file)) {
      problems.push(`${where}: no such file`);
      continue;
    }
    if (anchor === undefined || !file.endsWith('.md') || statSync(file).isDirectory()) continue;
    if (!headingAnchors(readFileSync(file, 'utf8')).has(anchor)) {
      problems.push(`${where}: no heading with that anchor in ${relative(root, file)}`);
    }
  }
  return problems;
}
