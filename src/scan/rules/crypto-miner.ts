import { matchStringLiteral, type Rule } from './rule.js';

const MINER = /(stratum\+(tcp|ssl|tls):\/\/|xmrig|xmr-stak|cpuminer|minerd\b|nicehash|nanopool\.org|supportxmr\.com|minexmr\.com|moneroocean|2miners\.com|f2pool\.com|ethermine\.org|--donate-level|cryptonight|randomx)/i;

export const cryptoMiner: Rule = {
  meta: {
    id: 'crypto-miner',
    title: 'Cryptocurrency miner (stratum URLs, miner binaries, pools)',
    severity: 'critical',
    confidence: 'high',
    category: 'cryptojacking',
    cwe: 'CWE-506',
    explanation: 'Mining-pool addresses (stratum+tcp://), miner programs (xmrig and friends) and their options mean the program uses your CPU to mine for someone else.',
    advice: 'Do not run it.',
  },
  check({ model, report }) {
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      const match = matchStringLiteral(model, node, MINER, texts[i]);
      if (match) report(node, `mining indicator ${JSON.stringify(match[0])}`);
    }
  },
};
