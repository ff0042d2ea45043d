/** The HTTP side of the proxy: reading its requests' targets, its refusals, which headers pass. */
import type http from 'node:http';
import { normaliseHost } from './allow-rules.js';
import { describeReason, type EgressReason } from './egress-decision.js';

export interface EgressTarget {
  host: string;
  port: number;
}

/** Hop-by-hop headers stay with the proxy. */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade']);

/** Raw headers (name, value, name, value…) without the hop-by-hop ones and those named in `drop`. */
export function endToEndHeaders(raw: readonly string[], drop: readonly string[] = []): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!HOP_BY_HOP.has(name) && !drop.includes(name)) kept.push(raw[i]!, raw[i + 1]!);
  }
  return kept;
}

export function refusal(status: number, reason: EgressReason): string {
  const body = `saferun: ${describeReason(reason)}\n`;
  const text = status === 400 ? 'Bad Request' : status === 502 ? 'Bad Gateway' : 'Forbidden';
  return `HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Saferun-Reason: ${reason}\r\nConnection: close\r\n\r\n${body}`;
}

export function sendRefusal(res: http.ServerResponse, status: number, reason: EgressReason): void {
  const body = `saferun: ${describeReason(reason)}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body), 'X-Saferun-Reason': reason, Connection: 'close' });
  res.end(body);
}

/** `host:port` of a CONNECT (the port is required). */
export function parseAuthority(text: string): EgressTarget | undefined {
  const match = /^(\[[^\]]+\]|[^:[\]]+):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const host = normaliseHost(match[1]!);
  const port = Number(match[2]);
  if (host === undefined || port < 1 || port > 65535) return undefined;
  return { host, port };
}

/** An absolute-form `http://host[:port]/path` of a forwarded request; only plain HTTP. */
export function parseAbsoluteUrl(text: string): (EgressTarget & { path: string; authority: string }) | undefined {
  if (!/^http:\/\//i.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if (url.username || url.password) return undefined;
  const host = normaliseHost(url.hostname);
  if (host === undefined) return undefined;
  return { host, port: url.port ? Number(url.port) : 80, path: `${url.pathname}${url.search}`, authority: url.host };
}

