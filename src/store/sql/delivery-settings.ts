import type { SqlDb } from '../engine/sql-db.ts';
import type { Channel, DeliveryRule, DeliveryRuleChange, DeliverySettingsRepo, QuietSettings } from '../port/delivery.ts';

interface RuleRow {
  type_key: string;
  channel: string;
  enabled: number | string;
}

const rule = (r: RuleRow): DeliveryRule => ({ typeKey: r.type_key, channel: r.channel as Channel, enabled: Number(r.enabled) === 1 });

export class SqlDeliverySettingsRepo implements DeliverySettingsRepo {
  constructor(private readonly db: SqlDb) {}

  async defaults() {
    return (await this.db.all<RuleRow>('SELECT type_key, channel, enabled FROM delivery_defaults ORDER BY type_key, channel')).map(rule);
  }
  async setDefaults(changes: DeliveryRuleChange[], now: number) {
    await this.db.tx(async (t) => {
      for (const c of changes) {
        if (c.enabled === null) {
          await t.run('DELETE FROM delivery_defaults WHERE type_key = ? AND channel = ?', [c.typeKey, c.channel]);
        } else {
          await t.run(
            `INSERT INTO delivery_defaults (type_key, channel, enabled, updated_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (type_key, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
            [c.typeKey, c.channel, c.enabled ? 1 : 0, now],
          );
        }
      }
    });
  }
  async overrides(userId: number) {
    const rows = await this.db.all<RuleRow>('SELECT type_key, channel, enabled FROM delivery_overrides WHERE user_id = ? ORDER BY type_key, channel', [userId]);
    return rows.map(rule);
  }
  async setOverrides(userId: number, changes: DeliveryRuleChange[], now: number) {
    await this.db.tx(async (t) => {
      for (const c of changes) {
        if (c.enabled === null) {
          await t.run('DELETE FROM delivery_overrides WHERE user_id = ? AND type_key = ? AND channel = ?', [userId, c.typeKey, c.channel]);
        } else {
          await t.run(
            `INSERT INTO delivery_overrides (user_id, type_key, channel, enabled, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (user_id, type_key, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at`,
            [userId, c.typeKey, c.channel, c.enabled ? 1 : 0, now],
          );
        }
      }
    });
  }
  async quiet(userId: number): Promise<QuietSettings> {
    const r = await this.db.get<{ dnd: number | string; quiet_from: string; quiet_to: string }>(
      'SELECT dnd, quiet_from, quiet_to FROM delivery_quiet WHERE user_id = ?',
      [userId],
    );
    return r ? { dnd: Number(r.dnd) === 1, quietFrom: r.quiet_from, quietTo: r.quiet_to } : { dnd: false, quietFrom: '', quietTo: '' };
  }
  async setQuiet(userId: number, q: QuietSettings, now: number) {
    await this.db.run(
      `INSERT INTO delivery_quiet (user_id, dnd, quiet_from, quiet_to, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (user_id) DO UPDATE SET dnd = excluded.dnd, quiet_from = excluded.quiet_from, quiet_to = excluded.quiet_to, updated_at = excluded.updated_at`,
      [userId, q.dnd ? 1 : 0, q.quietFrom, q.quietTo, now],
    );
  }
}
