/** `auto` follows the browser's `prefers-color-scheme`. */
export type Theme = 'auto' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['auto', 'light', 'dark'];

/** A user's choices for the web pages; `language` '' means "from the browser's Accept-Language". */
export interface UserPreferences {
  theme: Theme;
  language: string;
}

export const DEFAULT_PREFERENCES: UserPreferences = { theme: 'auto', language: '' };

export interface PreferenceRepo {
  /** The user's choices, or the defaults when they never changed any. */
  get(userId: number): Promise<UserPreferences>;
  set(userId: number, prefs: UserPreferences, now: number): Promise<void>;
}
