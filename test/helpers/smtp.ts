/** A real SMTP server for tests (smtp-server), every accepted mail parsed by mailparser. */
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { Mailbox } from './mailbox.ts';

export interface TestSmtp {
  /** `smtp://127.0.0.1:port` (with credentials when the server asks for them). */
  url: string;
  mails: Mailbox<ParsedMail>;
  /** The next `n` mails are refused with a temporary error (451) at RCPT TO. */
  refuse(n: number): void;
  /** How many mails were refused so far. */
  refused(): number;
  close(): Promise<void>;
}

export async function startSmtp(options: { user?: string; password?: string } = {}): Promise<TestSmtp> {
  const mails = new Mailbox<ParsedMail>();
  let toRefuse = 0;
  let refusedCount = 0;
  const auth = options.user !== undefined;
  const server = new SMTPServer({
    disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !auth,
    allowInsecureAuth: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(a, _session, done) {
      if (a.username === options.user && a.password === options.password) done(null, { user: a.username });
      else done(new Error('Invalid username or password'));
    },
    onRcptTo(_address, _session, done) {
      if (toRefuse > 0) {
        toRefuse--;
        refusedCount++;
        const err = new Error('Mailbox busy, try again later') as Error & { responseCode: number };
        err.responseCode = 451;
        done(err);
        return;
      }
      done();
    },
    onData(stream, _session, done) {
      simpleParser(stream).then((mail) => {
        mails.put(mail);
        done();
      }, done);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const credentials = auth ? `${encodeURIComponent(options.user!)}:${encodeURIComponent(options.password ?? '')}@` : '';
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    mails,
    refuse: (n) => void (toRefuse += n),
    refused: () => refusedCount,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
