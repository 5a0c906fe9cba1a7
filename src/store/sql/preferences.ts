import type { SqlDb } from '../engine/sql-db.ts';
import { DEFAULT_PREFERENCES, THEMES, type PreferenceRepo, type Theme, type UserPreferences } from '../port/preferences.ts';

export class SqlPreferenceRepo implements PreferenceRepo {
  constructor(private readonly db: SqlDb) {}

  async get(userId: number): Promise<UserPreferences> {
    const row = await this.db.get<{ theme: string; language: string }>(
      'SELECT theme, language FROM user_preferences WHERE user_id = ?', [userId],
    );
    if (!row) return { ...DEFAULT_PREFERENCES };
    const theme = (THEMES as readonly string[]).includes(row.theme) ? (row.theme as Theme) : 'auto';
    return { theme, language: row.language };
  }

  async set(userId: number, prefs: UserPreferences, now: number): Promise<void> {
    await this.db.run(
      `INSERT INTO user_preferences (user_id, theme, language, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET theme = excluded.theme, language = excluded.language, updated_at = excluded.updated_at`,
      [userId, prefs.theme, prefs.language, now],
    );
  }
}
