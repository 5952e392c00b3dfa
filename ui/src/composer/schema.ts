// A platform's per-post settings JSON Schema as form fields, and the conversions between what
// an input holds and the value stored in a target's `settings`.
import type { JsonSchema } from '../lib/types';
import { localParts, zonedInstant } from '../lib/zoned';

export type FieldKind = 'text' | 'url' | 'datetime' | 'integer' | 'number' | 'boolean' | 'enum' | 'list';

export interface EnumOption {
  label: string;
  value: unknown;
}

export interface SchemaField {
  key: string;
  label: string;
  kind: FieldKind;
  required: boolean;
  description: string | null;
  maxLength: number | null;
  minLength: number | null;
  options: EnumOption[];
  /** For lists: what each comma-separated entry is. */
  itemKind: 'string' | 'integer' | 'number';
}

/** `made_for_kids` → "Made for kids". */
export function labelOf(key: string, schema: JsonSchema): string {
  if (schema.title) return schema.title;
  const words = key.replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function kindOf(schema: JsonSchema): FieldKind {
  if (schema.enum?.length) return 'enum';
  switch (schema.type) {
    case 'boolean':
      return 'boolean';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'array':
      return 'list';
    default:
      if (schema.format === 'uri') return 'url';
      if (schema.format === 'date-time') return 'datetime';
      return 'text';
  }
}

/** The form fields of an object schema, required ones first, in the schema's order. */
export function schemaFields(schema: JsonSchema | null): SchemaField[] {
  if (!schema?.properties) return [];
  const required = new Set(schema.required ?? []);
  const fields = Object.entries(schema.properties).map(([key, prop]): SchemaField => {
    const itemType = prop.items?.type;
    return {
      key,
      label: labelOf(key, prop),
      kind: kindOf(prop),
      required: required.has(key),
      description: prop.description ?? null,
      maxLength: prop.maxLength ?? null,
      minLength: prop.minLength ?? null,
      options: (prop.enum ?? []).map((value) => ({ label: String(value), value })),
      itemKind: itemType === 'integer' || itemType === 'number' ? itemType : 'string',
    };
  });
  return [...fields.filter((f) => f.required), ...fields.filter((f) => !f.required)];
}

export function hasSettings(schema: JsonSchema | null): boolean {
  return schemaFields(schema).length > 0;
}

function toNumber(raw: string, integer: boolean): number | string {
  const n = Number(raw);
  return raw.trim() !== '' && Number.isFinite(n) && (!integer || Number.isInteger(n)) ? n : raw;
}

/** The settings value an input's content stands for; `undefined` removes the setting. Input
 * that is not a number where one is expected is kept as typed, so the engine names it. */
export function parseValue(field: SchemaField, raw: string | boolean, zone: string): unknown {
  if (field.kind === 'boolean') return raw === true;
  const text = String(raw);
  if (text.trim() === '') return undefined;
  switch (field.kind) {
    case 'integer':
      return toNumber(text, true);
    case 'number':
      return toNumber(text, false);
    case 'enum':
      return field.options[Number(text)]?.value;
    case 'datetime': {
      const [date, time] = text.split('T');
      return zonedInstant(date, (time ?? '').slice(0, 5), zone)?.toISOString() ?? text;
    }
    case 'list': {
      const entries = text.split(',').map((s) => s.trim()).filter(Boolean);
      return field.itemKind === 'string' ? entries : entries.map((e) => toNumber(e, field.itemKind === 'integer'));
    }
    default:
      return text;
  }
}

/** What an input shows for a stored value. */
export function displayValue(field: SchemaField, value: unknown, zone: string): string {
  if (value === undefined || value === null) return '';
  switch (field.kind) {
    case 'enum': {
      const index = field.options.findIndex((o) => o.value === value);
      return index < 0 ? '' : String(index);
    }
    case 'datetime': {
      const instant = typeof value === 'string' ? new Date(value) : null;
      if (!instant || Number.isNaN(instant.getTime())) return '';
      const parts = localParts(instant, zone);
      return `${parts.date}T${parts.time}`;
    }
    case 'list':
      return Array.isArray(value) ? value.join(', ') : String(value);
    default:
      return String(value);
  }
}

/** `settings` with `key` set to `value`, or without it when `value` is undefined. */
export function withSetting(settings: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const next = { ...settings };
  if (value === undefined) delete next[key];
  else next[key] = value;
  return next;
}
