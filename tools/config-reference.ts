/**
 * Writes docs/operations/configuration.md from the configuration classes themselves: every slice
 * that `ENV_SLICES` (src/config/env.ts) composes, read with the TypeScript compiler API (no code
 * of the app runs). For each variable: its name, default (the initializer), validation (the
 * decorators) and meaning (its JSDoc comment, else its comment in .env.example).
 *
 *   npm run docs:config            rewrites the page
 *   npm run docs:config -- --check   exits 1 when the committed page is out of date
 *
 * test/docs/config-reference.e2e-spec.ts fails when the committed page differs from what this writes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

export const CONFIG_PAGE = 'docs/operations/configuration.md';
const ENV_FILE = 'src/config/env.ts';

export interface Variable {
  name: string;
  defaultValue: string;
  rules: string[];
  meaning: string;
  /** True when the meaning came from .env.example because the variable has no JSDoc comment. */
  meaningFromExample: boolean;
}

export interface Slice {
  className: string;
  file: string;
  description: string;
  variables: Variable[];
}

function parse(root: string, file: string): ts.SourceFile {
  return ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.ES2023, true);
}

/** The text of a node's JSDoc comments, on one line. */
function jsDocText(node: ts.Node): string {
  return ts
    .getJSDocCommentsAndTags(node)
    .filter(ts.isJSDoc)
    .map((doc) => ts.getTextOfJSDocComment(doc.comment) ?? '')
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The slices' class names and the files that declare them, in ENV_SLICES order. */
function sliceLocations(root: string): { className: string; file: string }[] {
  const env = parse(root, ENV_FILE);
  const imports = new Map<string, string>();
  let order: string[] | undefined;
  for (const statement of env.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      const file = relative(root, resolve(root, dirname(ENV_FILE), `${statement.moduleSpecifier.text}.ts`));
      for (const element of bindings.elements) imports.set(element.name.text, file);
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name) || declaration.name.text !== 'ENV_SLICES' || !declaration.initializer) continue;
        let list: ts.Expression = declaration.initializer;
        while (ts.isAsExpression(list) || ts.isParenthesizedExpression(list)) list = list.expression;
        if (!ts.isArrayLiteralExpression(list)) throw new Error(`${ENV_FILE}: ENV_SLICES is not an array literal`);
        order = list.elements.map((element) => {
          if (!ts.isIdentifier(element)) throw new Error(`${ENV_FILE}: ENV_SLICES holds ${element.getText()}, not a class name`);
          return element.text;
        });
      }
    }
  }
  if (!order) throw new Error(`${ENV_FILE}: ENV_SLICES not found`);
  return order.map((className) => ({ className, file: imports.get(className) ?? ENV_FILE }));
}

/** A numeric expression of literals (`64 * 1024 * 1024`, `10_000`) as a number, else undefined. */
function numberOf(node: ts.Expression): number | undefined {
  if (ts.isNumericLiteral(node)) return Number(node.text);
  if (ts.isParenthesizedExpression(node)) return numberOf(node.expression);
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.MinusToken) {
    const value = numberOf(node.operand);
    return value === undefined ? undefined : -value;
  }
  if (ts.isBinaryExpression(node)) {
    const [left, right] = [numberOf(node.left), numberOf(node.right)];
    if (left === undefined || right === undefined) return undefined;
    switch (node.operatorToken.kind) {
      case ts.SyntaxKind.AsteriskToken:
        return left * right;
      case ts.SyntaxKind.PlusToken:
        return left + right;
      case ts.SyntaxKind.MinusToken:
        return left - right;
      case ts.SyntaxKind.SlashToken:
        return left / right;
    }
  }
  return undefined;
}

/** A number as written in the environment, and the source expression when it is not a plain literal. */
function numberText(node: ts.Expression): { value: string; source?: string } | undefined {
  const value = numberOf(node);
  if (value === undefined) return undefined;
  const source = node.getText().replace(/\s+/g, ' ');
  return String(value) === source.replace(/_/g, '') ? { value: String(value) } : { value: String(value), source };
}

const plainNumber = (node: ts.Expression) => {
  const number = numberText(node);
  if (!number) return node.getText();
  return number.source ? `${number.value} (${number.source})` : number.value;
};

/** What a constant holds, when an argument names one declared in the same file (`IsIn(LOG_LEVELS)`). */
function constantValue(source: ts.SourceFile, name: string): ts.Expression | undefined {
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      if (ts.isIdentifier(declaration.name) && declaration.name.text === name && declaration.initializer) {
        let value: ts.Expression = declaration.initializer;
        while (ts.isAsExpression(value)) value = value.expression;
        return value;
      }
    }
  }
  return undefined;
}

/** A string-valued property (`message`, `defaultMessage`) anywhere inside an options object. */
function findStringProperty(node: ts.Node, names: string[]): string | undefined {
  let found: string | undefined;
  const visit = (child: ts.Node) => {
    if (found) return;
    if (ts.isPropertyAssignment(child) && ts.isIdentifier(child.name) && names.includes(child.name.text)) {
      const initializer = ts.isArrowFunction(child.initializer) ? child.initializer.body : child.initializer;
      if (ts.isStringLiteralLike(initializer)) found = initializer.text;
    }
    ts.forEachChild(child, visit);
  };
  visit(node);
  return found;
}

/** A validation message without the variable's name in front ("X must be …" → "must be …"): the row names it. */
const withoutName = (message: string) => message.replace(/^[A-Z][A-Z0-9_]* (?=must )/, '');

/** A decorator as a rule a reader understands; an unknown one as its source text, so nothing is hidden. */
function ruleOf(source: ts.SourceFile, decorator: ts.Decorator): { rule?: string; optional?: boolean; min?: string; max?: string } {
  const call = decorator.expression;
  if (!ts.isCallExpression(call) || !ts.isIdentifier(call.expression)) return { rule: `\`${decorator.getText()}\`` };
  const [first, second] = call.arguments;
  switch (call.expression.text) {
    case 'IsOptional':
      return { optional: true };
    case 'IsInt':
      return { rule: 'integer' };
    case 'IsNumber':
      return { rule: 'number' };
    case 'IsString':
      return { rule: 'text' };
    case 'EnvBoolean':
      return { rule: 'boolean (`true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`)' };
    case 'Min':
      return { min: plainNumber(first) };
    case 'Max':
      return { max: plainNumber(first) };
    case 'MinLength':
      return { rule: `at least ${first.getText()} characters` };
    case 'IsIn': {
      const values = ts.isIdentifier(first) ? constantValue(source, first.text) : first;
      if (values && ts.isArrayLiteralExpression(values)) {
        return { rule: `one of ${values.elements.map((v) => `\`${ts.isStringLiteralLike(v) ? v.text : v.getText()}\``).join(', ')}` };
      }
      return { rule: `one of \`${first.getText()}\`` };
    }
    case 'Matches': {
      const message = second && findStringProperty(second, ['message']);
      return { rule: message ? withoutName(message) : `matches \`${first.getText()}\`` };
    }
    case 'ValidateBy':
      const message = findStringProperty(first, ['defaultMessage']);
      return { rule: message ? withoutName(message) : `\`${decorator.getText().replace(/\s+/g, ' ')}\`` };
    default:
      return { rule: `\`${decorator.getText().replace(/\s+/g, ' ')}\`` };
  }
}

/** `NAME` → the comment lines right above `NAME=` in .env.example (section headers left out). */
function exampleComments(root: string): Map<string, string> {
  const comments = new Map<string, string>();
  let pending: string[] = [];
  for (const line of readFileSync(join(root, '.env.example'), 'utf8').split('\n')) {
    const variable = /^([A-Z][A-Z0-9_]*)=/.exec(line);
    if (variable) {
      comments.set(variable[1], pending.join(' ').replace(/\s+/g, ' ').trim());
      pending = [];
    } else if (line.startsWith('#') && !/^# ---.*---$/.test(line)) {
      pending.push(line.replace(/^#\s?/, ''));
    } else {
      pending = [];
    }
  }
  return comments;
}

function defaultOf(property: ts.PropertyDeclaration): string {
  const initializer = property.initializer;
  if (!initializer) return 'unset';
  if (ts.isStringLiteralLike(initializer)) return initializer.text === '' ? 'empty' : `\`${initializer.text}\``;
  const number = numberText(initializer);
  if (number) return number.source ? `\`${number.value}\` (\`${number.source}\`)` : `\`${number.value}\``;
  return `\`${initializer.getText().replace(/\s+/g, ' ')}\``;
}

/** Every slice, in ENV_SLICES order, with its variables in declaration order. */
export function readSlices(root: string): Slice[] {
  const fromExample = exampleComments(root);
  return sliceLocations(root).map(({ className, file }) => {
    const source = parse(root, file);
    const declaration = source.statements.find((s): s is ts.ClassDeclaration => ts.isClassDeclaration(s) && s.name?.text === className);
    if (!declaration) throw new Error(`${file}: class ${className} (named in ENV_SLICES) not found`);
    const variables: Variable[] = [];
    for (const member of declaration.members) {
      if (!ts.isPropertyDeclaration(member) || !ts.isIdentifier(member.name)) continue;
      const decorators = ts.getDecorators(member) ?? [];
      if (decorators.length === 0) continue; // not a variable: the app reads only validated properties
      const rules = decorators.map((d) => ruleOf(source, d));
      const min = rules.find((r) => r.min !== undefined)?.min;
      const max = rules.find((r) => r.max !== undefined)?.max;
      const described = rules.map((r) => r.rule).filter((r): r is string => !!r);
      if (min !== undefined && max !== undefined) described.push(`${min} to ${max}`);
      else if (min !== undefined) described.push(`at least ${min}`);
      else if (max !== undefined) described.push(`at most ${max}`);
      if (member.questionToken || rules.some((r) => r.optional)) described.push('may be unset');
      const own = jsDocText(member);
      variables.push({
        name: member.name.text,
        defaultValue: defaultOf(member),
        rules: described,
        meaning: own || fromExample.get(member.name.text) || '',
        meaningFromExample: !own,
      });
    }
    return { className, file, description: jsDocText(declaration), variables };
  });
}

/** Text outside code spans with `<` and `>` escaped, so `<master name>` shows instead of vanishing as HTML. */
const escapeHtml = (text: string) =>
  text
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, '&lt;').replace(/>/g, '&gt;')))
    .join('');

/** A table cell: one line, pipes escaped (GitHub splits cells on them, even inside code spans). */
const cell = (text: string) => escapeHtml(text.replace(/\s+/g, ' ').trim()).replace(/\|/g, '\\|');

export function renderReference(slices: Slice[]): string {
  const count = slices.reduce((sum, s) => sum + s.variables.length, 0);
  const lines = [
    '# Configuration reference',
    '',
    `Every environment variable the service reads (${count} in ${slices.length} slices), with its default, the rule it is`,
    'checked against and what it does. **Generated**: do not edit; run `npm run docs:config` after changing a',
    'configuration class (`tools/config-reference.ts` reads the classes listed in `ENV_SLICES`, `src/config/env.ts`;',
    '`test/docs/config-reference.e2e-spec.ts` fails while this page is out of date).',
    '',
    '- Set variables in the environment or in `.env`: copy [`.env.example`](../../.env.example), which lists every variable',
    '  with its default (`src/config/env-example.spec.ts` checks it). An empty value means unset. The app refuses to',
    '  start on an invalid value and names the variable.',
    '- Each module declares its variables in its own folder (`<module>.env.ts`); see [architecture](../architecture.md).',
    "- The meaning is the variable's JSDoc comment, or its comment in `.env.example` when the class has none.",
    '- Production settings and secrets (`JWT_SECRET`, `ADMIN_TOKEN`, `NODE_ENV`): [secrets](secrets.md).',
    '',
    ...slices.map(
      (s) =>
        `- [${s.className}](#${s.className.toLowerCase()}) (\`${s.file}\`): ${s.variables.length} variable${s.variables.length === 1 ? '' : 's'}`,
    ),
  ];
  for (const slice of slices) {
    lines.push('', `## ${slice.className}`, '', `\`${slice.file}\`${slice.description ? `: ${escapeHtml(slice.description)}` : ''}`, '');
    lines.push('| variable | default | rule | meaning |', '|---|---|---|---|');
    for (const v of slice.variables) {
      lines.push(`| \`${v.name}\` | ${cell(v.defaultValue)} | ${cell(v.rules.join('; '))} | ${cell(v.meaning)} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function main(args: string[]) {
  const root = process.cwd();
  const slices = readSlices(root);
  const text = renderReference(slices);
  const undocumented = slices.flatMap((s) => s.variables.filter((v) => v.meaningFromExample).map((v) => v.name));
  if (undocumented.length > 0)
    console.error(`config-reference: no JSDoc comment (meaning taken from .env.example): ${undocumented.join(', ')}`);
  const page = join(root, CONFIG_PAGE);
  const committed = existsSync(page) ? readFileSync(page, 'utf8') : '';
  if (args.includes('--check')) {
    if (committed === text) return;
    console.error(`${CONFIG_PAGE} is out of date: run npm run docs:config`);
    process.exitCode = 1;
    return;
  }
  if (committed !== text) writeFileSync(page, text);
  console.log(`${CONFIG_PAGE}: ${committed === text ? 'up to date' : 'written'}`);
}

// Run as a script (npm run docs:config, on the current folder's repository), not when a test imports it.
if (process.argv[1] && basename(process.argv[1]) === 'config-reference.ts') main(process.argv.slice(2));
