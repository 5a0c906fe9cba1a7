/** Sign-in, consent and token forms are tiny; anything larger is not one of them. */
export const FORM_LIMIT = 16 * 1024;

/** A form field as text: anything but a string (absent, an array, a nested object) is ''. */
export function formText(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
