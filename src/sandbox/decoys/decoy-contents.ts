/**
 * Decoy credentials that look like the real thing to a program that steals them: an OpenSSH RSA
 * private key, AWS keys, a .netrc and git credentials with an access token, a Docker registry
 * login and gcloud's application-default credentials. Every secret in them is random per run and
 * is a canary: seen anywhere (in a request, in a host name), it proves the file was stolen.
 * Pure given the random source; the host names are placeholders, never real services.
 */
import { randomBytes } from 'node:crypto';

export interface DecoyContent {
  /** Short name used in alerts and the report, e.g. 'ssh-key'. */
  name: string;
  /** Path under the sandbox's home, e.g. '.ssh/id_rsa'. */
  homePath: string;
  text: string;
  /** Unique strings of this run that only a thief of this file can know. */
  canaries: string[];
}

export type RandomBytes = (size: number) => Buffer;

const UPPER_B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function pick(random: RandomBytes, alphabet: string, length: number): string {
  // 256 is not a multiple of every alphabet size: the slight bias does not matter for a decoy
  return [...random(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

function sshString(data: Buffer | string): Buffer {
  const body = typeof data === 'string' ? Buffer.from(data) : data;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  return Buffer.concat([length, body]);
}

/** The openssh-key-v1 layout of an unencrypted 3072-bit RSA key, with random numbers in it. */
function sshKey(random: RandomBytes): DecoyContent {
  const modulus = Buffer.concat([Buffer.from([0x00, 0xc1]), random(383)]);
  const publicBlob = Buffer.concat([sshString('ssh-rsa'), sshString(Buffer.from([0x01, 0x00, 0x01])), sshString(modulus)]);
  const check = random(4);
  const privateSection = Buffer.concat([check, check, publicBlob, sshString(random(384)), sshString(random(193)), sshString(random(193)), sshString(random(193)), sshString('deploy@build-01'), Buffer.from([1, 2, 3, 4, 5, 6, 7])]);
  const whole = Buffer.concat([Buffer.from('openssh-key-v1\0'), sshString('none'), sshString('none'), sshString(''), Buffer.from([0, 0, 0, 1]), sshString(publicBlob), sshString(privateSection)]);
  const lines = whole.toString('base64').match(/.{1,70}/g) ?? [];
  // a line from the private half: random, and whole in any copy of the file
  const canary = lines[Math.floor(lines.length * 0.75)]!;
  return { name: 'ssh-key', homePath: '.ssh/id_rsa', text: `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}\n-----END OPENSSH PRIVATE KEY-----\n`, canaries: [canary] };
}

function awsCredentials(random: RandomBytes): DecoyContent {
  const keyId = `AKIA${pick(random, UPPER_B32, 16)}`;
  const secret = pick(random, `${ALNUM}+/`, 40);
  return { name: 'aws-credentials', homePath: '.aws/credentials', text: `[default]\naws_access_key_id = ${keyId}\naws_secret_access_key = ${secret}\nregion = eu-west-1\n`, canaries: [keyId, secret] };
}

function netrc(random: RandomBytes): DecoyContent {
  const token = `ghp_${pick(random, ALNUM, 36)}`;
  return { name: 'netrc', homePath: '.netrc', text: `machine git.corp.example.com\n  login deploy-bot\n  password ${token}\n`, canaries: [token] };
}

function gitCredentials(random: RandomBytes): DecoyContent {
  const token = `glpat-${pick(random, ALNUM, 20)}`;
  return { name: 'git-credentials', homePath: '.git-credentials', text: `https://deploy-bot:${token}@gitlab.corp.example.com\n`, canaries: [token] };
}

function dockerConfig(random: RandomBytes): DecoyContent {
  const token = `dckr_pat_${pick(random, ALNUM, 27)}`;
  const auth = Buffer.from(`deploy-bot:${token}`).toString('base64');
  const config = { auths: { 'registry.corp.example.com': { auth } } };
  return { name: 'docker-config', homePath: '.docker/config.json', text: `${JSON.stringify(config, null, '\t')}\n`, canaries: [token, auth] };
}

function gcloudCredentials(random: RandomBytes): DecoyContent {
  const clientSecret = `GOCSPX-${pick(random, `${ALNUM}-_`, 28)}`;
  const refreshToken = `1//0${pick(random, `${ALNUM}-_`, 99)}`;
  const clientId = `${pick(random, '0123456789', 12)}-${pick(random, 'abcdefghijklmnopqrstuvwxyz0123456789', 32)}.apps.googleusercontent.com`;
  const json = { account: '', client_id: clientId, client_secret: clientSecret, quota_project_id: 'build-prod-2291', refresh_token: refreshToken, type: 'authorized_user', universe_domain: 'googleapis.com' };
  return { name: 'gcloud-credentials', homePath: '.config/gcloud/application_default_credentials.json', text: `${JSON.stringify(json, null, 2)}\n`, canaries: [refreshToken, clientSecret] };
}

/** Every decoy of one run, each with its own random secrets. */
export function decoyContents(random: RandomBytes = randomBytes): DecoyContent[] {
  return [sshKey(random), awsCredentials(random), netrc(random), gitCredentials(random), dockerConfig(random), gcloudCredentials(random)];
}
