/**
 * `npm run bench:text`: what the portal's text pipeline costs per notification — storing a
 * MESSAGE (line breaks, trim, cut, HTML → BB code) on the send path and printing it (the
 * parse) for get, search and push — on typical texts and on crafted 20,000-character ones.
 * Prints the best of several rounds, the figure least disturbed by other work on the machine.
 */
import { performance } from 'node:perf_hooks';
import { htmlToBbCode } from '../src/notify/html-to-bb.ts';
import { normalizeText } from '../src/notify/service.ts';
import { parseNotifyText } from '../src/notify/text-parse.ts';

const TYPICAL: Record<string, string> = {
  plain: 'Deal #4512 was moved to stage Won by Anna Lee',
  'BB codes': 'Task [b]Deploy 1.2[/b] assigned to [USER=5]Ann[/USER], see [url=https://tasks.example.com/5]the task[/url]',
  HTML: 'Invoice <b>#7781</b> paid<br>Open: <a href="https://billing.example.com/inv/7781?x=1&amp;y=2">invoice</a>',
  'bare URL': 'Build failed: https://ci.example.com/job/notify24/1234/console (see log)',
  '19 KB prose': 'lorem ipsum dolor sit amet '.repeat(700),
};

const CRAFTED: Record<string, string> = {
  '<b> ×6,600': '<b>'.repeat(6_600),
  '<a href="x"> ×1,600': '<a href="x">'.repeat(1_600),
  '</a> then <a href=" ×2,200': `</a>${'<a href="'.repeat(2_200)}`,
  '<ahref ×3,300 >': `${'<ahref'.repeat(3_300)}>`,
  '<div> ×4,000': '<div>'.repeat(4_000),
  '<font color=#fff> ×1,170': '<font color=#fff>'.repeat(1_170),
  '[url= ×4,000': '[url='.repeat(4_000),
  '(https://a ×2,000': '(https://a'.repeat(2_000),
  '[PUT=[ ×3,300': `${'[PUT=['.repeat(3_300)}[/PUT]`,
};

/** Best microseconds per call over `rounds` rounds of `n` calls. */
function best(fn: () => unknown, n: number, rounds = 7): number {
  for (let i = 0; i < Math.min(n, 200); i++) fn();
  let min = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    min = Math.min(min, ((performance.now() - t) / n) * 1000);
  }
  return min;
}

const us = (v: number) => (v < 10 ? v.toFixed(2) : v.toFixed(1));

console.log('typical notifications (µs per notification)');
console.log(`${'text'.padEnd(14)} ${'store'.padStart(8)} ${'print'.padStart(8)}`);
for (const [name, message] of Object.entries(TYPICAL)) {
  const stored = htmlToBbCode(normalizeText(message));
  const store = best(() => htmlToBbCode(normalizeText(message)), 20_000);
  const print = best(() => parseNotifyText(stored), 20_000);
  console.log(`${name.padEnd(14)} ${us(store).padStart(8)} ${us(print).padStart(8)}`);
}

console.log('\ncrafted 20,000-character texts (ms per notification)');
console.log(`${'shape'.padEnd(28)} ${'store'.padStart(8)} ${'print'.padStart(8)}`);
for (const [name, message] of Object.entries(CRAFTED)) {
  const text = message.slice(0, 20_000);
  const stored = htmlToBbCode(normalizeText(text));
  const store = best(() => htmlToBbCode(normalizeText(text)), 5, 3) / 1000;
  const print = best(() => parseNotifyText(stored), 5, 3) / 1000;
  console.log(`${name.padEnd(28)} ${store.toFixed(2).padStart(8)} ${print.toFixed(2).padStart(8)}`);
}
