/**
 * The language files: every language has every text English has (same placeholders, the plural
 * forms its language needs), every text a page or script asks for exists, and the choice of
 * language follows the user's setting, then Accept-Language.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { NOTIFICATION_TYPES, NOTIFY_SCHEMA } from '../../src/notify/schema.ts';
import { dictionary, languages, pickLanguage, renderPage, translate, typeName, type Dictionary } from '../../src/web/i18n.ts';

const I18N = 'src/web/i18n/';
const STATIC = 'src/web/static/';
const read = (name: string) => JSON.parse(readFileSync(I18N + name, 'utf8')) as Dictionary;
const en = read('en.json');
const placeholders = (text: unknown) =>
  [...new Set(Object.values(typeof text === 'string' ? { text } : (text as object)).flatMap((v) => String(v).match(/\{\w+\}/g) ?? []))].sort();

test('every language file has exactly the keys of English, the same placeholders, and its plural forms', () => {
  const files = readdirSync(I18N).filter((f) => f.endsWith('.json'));
  assert.ok(files.includes('ru.json'), files.join(','));
  assert.deepEqual(languages().map((l) => l.code).sort(), files.map((f) => f.replace('.json', '')).sort());
  for (const file of files) {
    const lang = file.replace('.json', '');
    const texts = read(file);
    assert.deepEqual(Object.keys(texts).sort(), Object.keys(en).sort(), `${file}: keys differ from en.json`);
    const needed = new Intl.PluralRules(lang).resolvedOptions().pluralCategories;
    for (const [key, value] of Object.entries(texts)) {
      assert.deepEqual(placeholders(value), placeholders(en[key]), `${file} ${key}: placeholders`);
      assert.equal(typeof value, typeof en[key], `${file} ${key}: plural in one, plain in the other`);
      if (typeof value === 'object') for (const form of needed) assert.ok(form in value, `${file} ${key}: no "${form}" form`);
    }
  }
});

test('every text the pages and scripts ask for exists in English', () => {
  const asked = new Set<string>();
  for (const name of readdirSync(STATIC)) {
    const source = readFileSync(STATIC + name, 'utf8');
    if (name.endsWith('.html')) for (const m of source.matchAll(/\{\{([a-z][\w.-]*)\}\}/gi)) asked.add(m[1]!);
    if (name.endsWith('.js')) for (const m of source.matchAll(/\bt\('([\w.-]+)'/g)) asked.add(m[1]!);
  }
  for (const name of ['src/http/handlers/oauth-pages.ts']) {
    for (const m of readFileSync(name, 'utf8').matchAll(/\bt(?:ranslate\(lang, )?\(?'([\w.-]+)'/g)) asked.add(m[1]!);
  }
  asked.delete('lang');
  asked.delete('theme');
  assert.ok(asked.size > 40, `only ${asked.size} texts found: the scan is broken`);
  const missing = [...asked].filter((key) => !(key in en));
  assert.deepEqual(missing, []);
});

test('language: the user setting, then Accept-Language by q, region falls back to the language, else English', () => {
  assert.equal(pickLanguage('ru', 'en-US,en;q=0.9'), 'ru');
  assert.equal(pickLanguage('xx', 'ru-RU,ru;q=0.9,en;q=0.8'), 'ru');
  assert.equal(pickLanguage('', 'de-DE, ru;q=0.5, en;q=0.7'), 'en');
  assert.equal(pickLanguage('', 'de-DE, ru;q=0.5'), 'ru');
  assert.equal(pickLanguage('', 'ru;q=0, de'), 'en');
  assert.equal(pickLanguage(null, undefined), 'en');
});

test('texts: placeholders, Russian plural forms, English filling gaps, escaped and embedded safely', () => {
  assert.equal(translate('ru', 'center.unread', { count: 1 }), '1 непрочитанное уведомление');
  assert.equal(translate('ru', 'center.unread', { count: 3 }), '3 непрочитанных уведомления');
  assert.equal(translate('ru', 'center.unread', { count: 11 }), '11 непрочитанных уведомлений');
  assert.equal(translate('en', 'center.unread', { count: 1 }), '1 unread notification');
  assert.equal(translate('en', 'author.user', { id: 7 }), 'User #7');
  assert.equal(dictionary('xx')['tabs.inbox'], 'Inbox');
  const page = renderPage('<html lang="{{lang}}"><title>{{consent.heading}}</title><!--i18n--></html>', 'ru', 'dark');
  assert.match(page, /^<html lang="ru"><title>Разрешить «\{app\}»\?<\/title><script type="application\/json" id="i18n-data">/);
  const data = /<script[^>]*>(.*)<\/script>/s.exec(page)![1]!;
  assert.ok(!data.includes('<'), 'a "<" in a text could close the data block');
  assert.equal(JSON.parse(data).texts['tabs.inbox'], 'Входящие');
});

test('every notification type and module has a name in the language files; English keeps the schema\u2019s own', () => {
  const named = [...NOTIFICATION_TYPES.map((type) => [type.id, type.name]), ...Object.values(NOTIFY_SCHEMA).map((m) => [m.MODULE_ID, m.NAME])];
  for (const [id, name] of named) {
    assert.equal(en[`types.${id!.replace('|', '.')}`], name, `types.${id}`);
    assert.equal(typeName('en', id!, 'fallback'), name);
  }
  assert.equal(typeName('ru', 'im|mention', 'Mentions'), 'Упоминания');
  assert.equal(typeName('ru', 'crm|new_deal', 'New deal'), 'New deal', 'a type no file names keeps the name it came with');
});
