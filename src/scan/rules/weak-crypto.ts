import { callRule, constantArg } from './rule.js';

export const weakCrypto = callRule(
  {
    id: 'weak-crypto',
    title: 'Weak hash or cipher (MD5, SHA-1, DES, RC4, ECB) or random for secrets',
    severity: 'low',
    confidence: 'medium',
    category: 'crypto',
    cwe: 'CWE-327',
    explanation: 'MD5 and SHA-1 are broken for security use; DES, RC4 and ECB mode leak data; the random module is predictable and must not make tokens or passwords.',
    advice: 'Use hashlib.sha256 (or usedforsecurity=False for checksums), AES-GCM, and the secrets module.',
  },
  (name) => /^(hashlib\.(md5|sha1|new)|Crypto\.Cipher\.(DES|ARC4|Blowfish)\.new|cryptography\.hazmat\.primitives\.ciphers\.(algorithms\.(ARC4|TripleDES|Blowfish)|modes\.ECB)|random\.(random|randint|choice|choices|getrandbits|randrange|sample))$/.test(name),
  (call, context) => {
    if (call.keywords.get('usedforsecurity')?.type === 'false') return undefined;
    if (call.name === 'hashlib.new') {
      const algorithm = constantArg(context, call, 0)?.toLowerCase();
      return algorithm === 'md5' || algorithm === 'sha1' || algorithm === 'md4' ? `hashlib.new(${JSON.stringify(algorithm)})` : undefined;
    }
    if (call.name!.startsWith('random.')) {
      const target = call.node.parent?.type === 'assignment' ? (call.node.parent.childForFieldName('left')?.text ?? '') : '';
      return /token|secret|password|passwd|key|salt|nonce|otp/i.test(target) ? `${call.name}() makes ${JSON.stringify(target)}: predictable` : undefined;
    }
    return `${call.name}()`;
  },
);
