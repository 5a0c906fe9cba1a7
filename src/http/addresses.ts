import type { Config } from '../config.ts';

/** Where this server answers: its plain HTTP and its HTTPS base URL (null when off or unknown). */
export interface BaseUrls {
  http: string | null;
  https: string | null;
}

/** `http(s)://host:port`, with a loopback address for a wildcard host. */
export function urlFor(scheme: 'http' | 'https', host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `${scheme}://${shown}:${port}`;
}

/** `NOTIFY24_PUBLIC_URL`, when set, stands for its own scheme (a proxy in front decides that address). */
export function withPublicUrl(bases: BaseUrls, publicUrl: string | null): BaseUrls {
  if (!publicUrl) return bases;
  const base = publicUrl.replace(/\/+$/, '');
  return base.startsWith('https:') ? { ...bases, https: base } : { ...bases, http: base };
}

/** The addresses the settings name, for commands run without the server (`notify24 webhook add`). */
export function configuredBaseUrls(config: Pick<Config, 'host' | 'port' | 'httpsPort' | 'publicUrl'>): BaseUrls {
  return withPublicUrl(
    { http: urlFor('http', config.host, config.port), https: config.httpsPort === null ? null : urlFor('https', config.host, config.httpsPort) },
    config.publicUrl,
  );
}

/**
 * The addresses as the caller of a request can reach them: the host name it used, with each
 * listener's port (so an admin browsing `http://box:8080` is shown `https://box:8443`).
 */
export function requestBaseUrls(listening: BaseUrls, origin: string, publicUrl: string | null): BaseUrls {
  const hostname = new URL(origin).hostname;
  const onHost = (url: string | null) => {
    if (!url) return null;
    const u = new URL(url);
    u.hostname = hostname;
    return u.origin;
  };
  return withPublicUrl({ http: onHost(listening.http), https: onHost(listening.https) }, publicUrl);
}
