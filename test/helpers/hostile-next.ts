/**
 * `next` values that would send a browser to another site after signing in, in every form
 * browsers normalise (tabs and line breaks dropped, `\` read as `/`, schemes, percent-encoding
 * decoded once or twice), plus header-breaking ones. Each must end up as `/`.
 */
export const HOSTILE_NEXT: string[] = [
  '//evil.example/x',
  '///evil.example/x',
  '/\\evil.example/x',
  '\\\\evil.example/x',
  '/\t/evil.example/x',
  '/\n/evil.example/x',
  '/\r\n/evil.example/x',
  '/\t\\evil.example/x',
  '/\u0000/evil.example/x',
  '/\u007f/evil.example/x',
  '/%09/evil.example/x',
  '/%0a/evil.example/x',
  '/%0D%0A/evil.example/x',
  '/%2509/evil.example/x',
  '/%2F/evil.example/x',
  '/%2f%2fevil.example/x',
  '/%5Cevil.example/x',
  '/%255Cevil.example/x',
  '/.//evil.example/x',
  '/./\\evil.example/x',
  ' //evil.example/x',
  '\t//evil.example/x',
  'https://evil.example/x',
  'HTTPS://evil.example/x',
  'http:evil.example',
  'http:/evil.example',
  'javascript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'evil.example/x',
  '',
  '/x\ny',
  '/x\r\nSet-Cookie: stolen=1',
  '/ok?x=1\nLocation: https://evil.example/',
  `/${'a'.repeat(5000)}`,
];

/** Same-site values that pass, and the Location they become (non-ASCII percent-encoded). */
export const LOCAL_NEXT: [string, string][] = [
  ['/oauth/authorize/?client_id=app.1&state=a%2Fb', '/oauth/authorize/?client_id=app.1&state=a%2Fb'],
  ['/', '/'],
  ['/console#apps', '/console#apps'],
  ['/caf\u00e9?q=\u65e5\u672c', '/caf%C3%A9?q=%E6%97%A5%E6%9C%AC'],
  ['/100%', '/100%'],
];
