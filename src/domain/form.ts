/**
 * Shared pieces of the validation schemas: text rules and the mapping from a zod error to
 * one message per field. Field keys are the block_ids of the Slack inputs, so a listener can
 * answer `response_action: errors` with the map as it is.
 */
import { z } from 'zod';

export type FieldErrors = Record<string, string>;
export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Errors that belong to no single field land here. */
export const FORM_ERROR_KEY = 'form';

// C0, DEL, C1 and the Unicode line/paragraph separators: none of them belong in a name.
const CONTROL_CHARS = /[\p{Cc}\u2028\u2029]/u;
// Multi-line text may keep its line breaks and tabs, nothing else.
const CONTROL_CHARS_EXCEPT_LINES = /(?![\t\n\r])[\p{Cc}\u2028\u2029]/u;

export function hasControlChars(text: string): boolean {
  return CONTROL_CHARS.test(text);
}

/** The first problem of each field, keyed by the field (the first segment of the zod path). */
export function fieldErrors(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? String(issue.path[0]) : FORM_ERROR_KEY;
    errors[key] ??= issue.message;
  }
  return errors;
}

export function parseForm<S extends z.ZodType>(schema: S, raw: unknown): FormResult<z.output<S>> {
  const result = schema.safeParse(raw);
  return result.success ? { ok: true, value: result.data } : { ok: false, errors: fieldErrors(result.error) };
}

/**
 * A required one-line text. Control characters are refused before trimming, so a pasted
 * trailing tab or line break is reported rather than silently dropped.
 */
export function singleLine(label: string, max: number, requiredMessage: string) {
  return z
    .string({ error: requiredMessage })
    .refine((v) => !hasControlChars(v), `${label} must be one line of text, without tabs or other control characters.`)
    .trim()
    .min(1, requiredMessage)
    .max(max, { error: (iss) => tooLong(label, max, iss.input) });
}

/** Optional free text (descriptions): blank or missing becomes ''. */
export function optionalText(label: string, max: number) {
  return z
    .string()
    .refine((v) => !CONTROL_CHARS_EXCEPT_LINES.test(v), `${label} contains a control character; retype it as plain text.`)
    .trim()
    .max(max, { error: (iss) => tooLong(label, max, iss.input) })
    .nullish()
    .transform((v) => v ?? '');
}

/** A value chosen from a select or radio list; missing means the user skipped it. */
export function chosen(requiredMessage: string) {
  return z.string({ error: requiredMessage }).min(1, requiredMessage);
}

function tooLong(label: string, max: number, input: unknown): string {
  const length = typeof input === 'string' ? input.trim().length : undefined;
  return `${label} can be at most ${max} characters${length === undefined ? '' : ` (this one has ${length})`}.`;
}
