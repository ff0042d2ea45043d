import { matchStringLiteral, type Rule } from './rule.js';

/**
 * Chat webhooks, and services that hand anyone a URL or DNS name whose traffic they can read
 * (request catchers, out-of-band interaction servers, DNS loggers, instant public tunnels).
 */
const WEBHOOK = /(discord(app)?\.com\/api\/webhooks\/|api\.telegram\.org\/bot|hooks\.slack\.com\/services\/|webhook\.site\b|pipedream\.net|requestbin|requestcatcher\.com|requestrepo\.com|hookbin\.com|beeceptor\.com|interact\.sh|oast\.(fun|pro|live|site|online|me)|oastify\.com|burpcollaborator\.net|canarytokens\.com|dnshook\.site|dnslog\.(cn|link)|ceye\.io|bxss\.me|ngrok(-free)?\.(io|app|dev)|trycloudflare\.com|\.loca\.lt\b|serveo\.net|localhost\.run|\.lhr\.life\b|bore\.pub)/i;

export const webhookExfiltration: Rule = {
  meta: {
    id: 'webhook-exfiltration',
    title: 'Chat webhook or request-catcher endpoint',
    severity: 'high',
    confidence: 'medium',
    category: 'exfiltration',
    cwe: 'CWE-200',
    explanation: 'Discord/Slack webhooks, Telegram bot URLs and request catchers (webhook.site, interactsh, ngrok) let anyone receive data without running a server; stealers use them to collect what they take.',
    advice: 'Check what is sent there. A program you run locally rarely needs to post to a chat webhook.',
  },
  check({ model, report }) {
    const texts = model.stringTexts;
    for (const [i, node] of model.strings.entries()) {
      const match = matchStringLiteral(model, node, WEBHOOK, texts[i]);
      if (match) report(node, `endpoint ${JSON.stringify(match[0])} in a string`);
    }
  },
};
