// Loads the TOML configuration, checks every value against the schema and fills in
// defaults. A bad value stops start-up with the key's name and what is wrong.

import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { checkRelations, RelationError } from './relations.ts';
import { schema, type Config, type Field } from './schema.ts';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

function isField(node: unknown): node is Field<unknown> {
  return typeof node === 'object' && node !== null && 'type' in node && 'default' in node && 'doc' in node;
}

/** A configuration of defaults only. */
export function defaultConfig(): Config {
  return build(schema, {}, '') as Config;
}

/** Reads and validates a TOML file; a missing path gives the defaults. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (!path) return defaultConfig();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration file ${path}: ${(error as Error).message}`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${path}: ${(error as Error).message}`);
  }
  return configFromObject(raw, path);
}

/** Validates an already parsed object (tests and the TOML loader). */
export function configFromObject(raw: Record<string, unknown>, origin = 'configuration'): Config {
  try {
    const config = build(schema, raw, '') as Config;
    checkRelations(config);
    return config;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RelationError) throw new ConfigError(`${origin}: ${error.message}`);
    throw error;
  }
}

function build(node: Record<string, unknown>, raw: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(raw)) {
    if (!(key in node)) throw new ConfigError(`unknown key "${prefix}${key}"`);
  }
  for (const [key, spec] of Object.entries(node)) {
    const name = prefix + key;
    const value = raw[key];
    if (isField(spec)) {
      out[key] = value === undefined ? structuredClone(spec.default) : checkValue(name, spec, value);
    } else {
      if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value))) {
        throw new ConfigError(`"${name}" must be a table ([${name}])`);
      }
      out[key] = build(spec as Record<string, unknown>, (value as Record<string, unknown>) ?? {}, `${name}.`);
    }
  }
  return out;
}

function checkValue(name: string, field: Field<unknown>, value: unknown): unknown {
  switch (field.type) {
    case 'string':
      if (typeof value !== 'string') throw new ConfigError(`"${name}" must be a string, not ${describe(value)}`);
      if (field.choices && !field.choices.includes(value)) {
        throw new ConfigError(`"${name}" must be one of ${field.choices.join(', ')}, not "${value}"`);
      }
      return value;
    case 'integer': {
      const n = typeof value === 'bigint' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n)) throw new ConfigError(`"${name}" must be a whole number, not ${describe(value)}`);
      if (field.min !== undefined && n < field.min) throw new ConfigError(`"${name}" must be at least ${field.min}, not ${n}`);
      if (field.max !== undefined && n > field.max) throw new ConfigError(`"${name}" must be at most ${field.max}, not ${n}`);
      return n;
    }
    case 'boolean':
      if (typeof value !== 'boolean') throw new ConfigError(`"${name}" must be true or false, not ${describe(value)}`);
      return value;
    case 'string[]':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
        throw new ConfigError(`"${name}" must be a list of strings, not ${describe(value)}`);
      }
      return [...value];
  }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  if (typeof value === 'string') return `"${value}"`;
  return `${typeof value} ${String(value)}`;
}
