// The configuration reference in TOML, made from the schema: every key with its
// default and what it does. README.md carries this text between two markers, and a
// test checks that it is current, so the README can never drift from the code.

import { schema, type Field } from './schema.ts';

function isField(node: unknown): node is Field<unknown> {
  return typeof node === 'object' && node !== null && 'type' in node && 'default' in node && 'doc' in node;
}

function tomlValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  return String(value);
}

function keyLines(node: Record<string, unknown>): string[] {
  const lines: string[] = [];
  for (const [key, spec] of Object.entries(node)) {
    if (!isField(spec)) continue;
    const choices = spec.choices ? ` (${spec.choices.join(', ')})` : '';
    lines.push(`${key} = ${tomlValue(spec.default)}`.padEnd(34) + ` # ${spec.doc}${choices}`);
  }
  return lines;
}

export function configReference(): string {
  const out: string[] = keyLines(schema as unknown as Record<string, unknown>);
  for (const [section, spec] of Object.entries(schema)) {
    if (isField(spec)) continue;
    out.push('', `[${section}]`, ...keyLines(spec as Record<string, unknown>));
  }
  return out.join('\n') + '\n';
}

export const README_BEGIN = '<!-- config-reference:begin (made by `npm run config-reference`) -->';
export const README_END = '<!-- config-reference:end -->';

/** README text with the reference block replaced by the current one. */
export function withCurrentReference(readme: string): string {
  const begin = readme.indexOf(README_BEGIN);
  const end = readme.indexOf(README_END);
  if (begin < 0 || end < begin) throw new Error('README.md has no config-reference markers');
  return readme.slice(0, begin + README_BEGIN.length) + '\n```toml\n' + configReference() + '```\n' + readme.slice(end);
}
