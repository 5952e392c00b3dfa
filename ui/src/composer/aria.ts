// The attributes that tie an input to its error messages (FieldError) and hints.

/** `aria-describedby` and `aria-invalid` for an input whose errors are in `errorId`, plus any
 * hint ids; nothing when there is nothing to describe. */
export function errorAttrs(
  errorId: string,
  messages: string[],
  ...hintIds: (string | null)[]
): { 'aria-describedby'?: string; 'aria-invalid'?: 'true' } {
  const ids = [...(messages.length ? [errorId] : []), ...hintIds.filter((h): h is string => !!h)];
  return {
    ...(ids.length ? { 'aria-describedby': ids.join(' ') } : {}),
    ...(messages.length ? { 'aria-invalid': 'true' as const } : {}),
  };
}
